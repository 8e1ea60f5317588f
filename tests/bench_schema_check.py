"""Benchmark (run by hand, prints figures): what the schema check costs a session.

Until the check was cached, every `Runtime.session()` read Alembic's script directory, which
compiles every migration file, before asking the database for its revision. This compares, side
by side in one run on one SQLite store, a session as it was then (script directory read each time)
with a session now (checked once per Runtime; the daemon re-checks once per sweep).
Usage: .venv/bin/python tests/bench_schema_check.py [sessions]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import store
from routing.runtime import Runtime

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 200


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    config = folder / "routing.toml"
    starter = Path(__file__).resolve().parent.parent / "routing" / "starter.toml"
    config.write_text(starter.read_text(encoding="utf-8"), encoding="utf-8")
    rt = Runtime.open(str(config))
    store.migrate(rt.raw_engine())
    then, now = [], []
    for _ in range(SESSIONS):  # interleaved, so both see the same machine load
        start = time.perf_counter()
        store.db.code_head.cache_clear()  # as before: the script directory read every time
        rt.recheck_schema()
        with rt.session():
            pass
        then.append(time.perf_counter() - start)
        start = time.perf_counter()
        with rt.session():
            pass
        now.append(time.perf_counter() - start)
    rt.close()
    then_ms, now_ms = statistics.median(then) * 1000, statistics.median(now) * 1000
    print(f"sessions: {SESSIONS}")
    print(f"session with the schema read from the migrations: median {then_ms:7.2f} ms")
    print(f"session with the schema check cached:             median {now_ms:7.2f} ms")
    print(f"ratio: {then_ms / now_ms:.1f}")


if __name__ == "__main__":
    main()
