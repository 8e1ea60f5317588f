"""Benchmark (run by hand, prints figures): how long a writer waits for SQLite's write lock while
another process runs short write transactions back to back (the daemon, one per effect).

Three set-ups, each on its own SQLite file: SQLite's own busy handler (`BEGIN IMMEDIATE` with
the busy timeout: it backs off to 100 ms sleeps and keeps waking inside the next transaction),
polling `BEGIN IMMEDIATE` every 0.5-2 ms, and polling plus the 3 ms gap a writer leaves after
each transaction (what `store/db.py` does). The hog holds the lock `HOLD` seconds per
transaction; the measured writer writes once every 50 ms.

Usage: .venv/bin/python tests/bench_write_lock.py [writes per set-up]
"""

from __future__ import annotations

import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from store import db

HOLD = 0.005
MODES = ("sqlite busy handler", "polling", "polling + gap")


def _configure(mode: str) -> None:
    if mode == MODES[0]:

        def begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        db._take_write_lock = begin  # type: ignore[assignment]
    if mode != MODES[2]:
        db.WRITER_GAP_SECONDS = 0


def _hog(url: str, mode: str, stop: Any) -> None:
    _configure(mode)
    engine = db.make_engine(url)
    while not stop.is_set():
        with db.session(engine) as session:
            session.execute(text("INSERT INTO t (v) VALUES (1)"))
            busy_until = time.monotonic() + HOLD
            while time.monotonic() < busy_until:  # bounded: HOLD seconds of work
                pass
    engine.dispose()


def measure(mode: str, writes: int, directory: Path) -> list[float]:
    url = f"sqlite:///{directory / (mode.replace(' ', '-') + '.db')}"
    engine = db.make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (v INTEGER)"))
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    hog = context.Process(target=_hog, args=(url, mode, stop))
    hog.start()
    waits = []
    try:
        time.sleep(0.5)  # the hog is writing
        for _ in range(writes):
            started = time.monotonic()
            with db.session(engine) as session:
                session.execute(text("INSERT INTO t (v) VALUES (2)"))
            waits.append(time.monotonic() - started)
            time.sleep(0.05)
    finally:
        stop.set()
        hog.join(timeout=30)
        engine.dispose()
    return sorted(waits)


def main(writes: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        for mode in MODES:
            saved = (db._take_write_lock, db.WRITER_GAP_SECONDS)
            _configure(mode)
            waits = measure(mode, writes, Path(directory))
            db._take_write_lock, db.WRITER_GAP_SECONDS = saved
            print(
                f"{mode:20} median {waits[len(waits) // 2] * 1000:6.1f} ms   "
                f"p90 {waits[int(len(waits) * 0.9)] * 1000:6.1f} ms   max {waits[-1] * 1000:6.1f} ms"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
