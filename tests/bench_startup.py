"""Benchmark (run by hand, prints figures): start-up of the `routing` command.

Compares, side by side in one run, `routing --help` (lazy imports: typer and rich only) with a
Python process that imports what a database command needs (SQLModel, Alembic, APScheduler), so the
ratio holds on a noisy shared machine.   Usage: .venv/bin/python tests/bench_startup.py [runs]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
ROUTING = shutil.which("routing", path=str(Path(sys.executable).parent)) or "routing"
EAGER = "import routing.cli.app, routing.engine.items, routing.effects.daemon, alembic.command, sqlmodel"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    lazy, eager = [], []
    for _ in range(RUNS):  # interleaved, so both see the same machine load
        lazy.append(timed([ROUTING, "--help"]))
        eager.append(timed([sys.executable, "-c", EAGER]))
    lazy_ms, eager_ms = statistics.median(lazy) * 1000, statistics.median(eager) * 1000
    print(f"runs: {RUNS}")
    print(f"routing --help (lazy imports):        median {lazy_ms:6.0f} ms")
    print(f"python -c 'import all heavy modules':  median {eager_ms:6.0f} ms")
    print(f"ratio eager/lazy: {eager_ms / lazy_ms:.2f}")


if __name__ == "__main__":
    main()
