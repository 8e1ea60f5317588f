"""Run every bench script in turn (what `make bench` does) and say which ones failed.

Each script prints its own table; options given here (`--tiny`, `--repetitions N`, `--no-postgres`)
are passed on to every script. A script that fails does not stop the others; the exit code is 1
when any failed. Usage: .venv/bin/python bench/run_all.py [--tiny] [script-name ...]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
NOT_SCRIPTS = {"common.py", "data.py", "run_all.py"}


def scripts(names: list[str]) -> list[Path]:
    found = sorted(
        path for path in BENCH.glob("*.py")
        if path.name not in NOT_SCRIPTS and not path.name.startswith("_")
    )  # fmt: skip
    if names:
        found = [path for path in found if path.stem in names or path.name in names]
    return found


def main(argv: list[str]) -> int:
    passed = [arg for arg in argv if arg.startswith("--") or arg.isdigit()]
    names = [arg for arg in argv if arg not in passed]
    failed = []
    for script in scripts(names):
        print(f"\n### {script.name} {' '.join(passed)}", flush=True)
        began = time.perf_counter()
        done = subprocess.run([sys.executable, str(script), *passed], check=False)
        print(f"### {script.name}: exit {done.returncode}, {time.perf_counter() - began:.0f} s")
        if done.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
