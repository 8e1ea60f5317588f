"""Benchmark (run by hand, prints figures): SQLite sessions before and after the pool.

Before: NullPool (every transaction opened the file and closed it again, and each close
checkpointed the WAL, synced and deleted it) and BEGIN IMMEDIATE for every transaction, reads
included. Now: one pooled connection per thread, BEGIN IMMEDIATE for writes, a deferred,
read-only BEGIN for reads. Both set-ups run on their own SQLite file from the same routing.toml,
interleaved repetition by repetition (alternating which goes first), so both see the same load.

Figures per set-up: moves per second (`routing move`'s engine call, one write transaction
each), shows per second (`routing show`'s read models), and how long a move waits while another
thread is inside a read of HOLD seconds (the secretary's `routing status` during a daemon tick).
Usage: .venv/bin/python tests/bench_sessions.py [items per repetition] [repetitions]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

import store
from routing.effects.sweep import record_installation
from routing.engine import items as engine
from routing.read import items as read_items
from routing.read import reports
from routing.runtime import Runtime
from store import queries

ITEMS = int(sys.argv[1]) if len(sys.argv) > 1 else 100
REPETITIONS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
HOLD = 0.1  # seconds a concurrent read lasts in the contention figure
NOW = "2024-02-05T09:00"


def old_engine(url: str) -> Engine:
    """store.make_engine as it was before the pool: NullPool, BEGIN IMMEDIATE for everything."""
    made = create_engine(
        url, poolclass=NullPool, connect_args={"timeout": store.db.SQLITE_BUSY_TIMEOUT_MS / 1000}
    )
    event.listen(made, "connect", store.db._sqlite_pragmas)
    event.listen(made, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return made


def runtime(folder: Path, old: bool) -> Runtime:
    folder.mkdir()
    config = folder / "routing.toml"
    starter = Path(__file__).resolve().parent.parent / "routing" / "starter.toml"
    config.write_text(starter.read_text(encoding="utf-8"), encoding="utf-8")
    rt = Runtime.open(str(config), now=NOW, actor="bench")
    if old:
        rt = Runtime(config=rt.config, clock=rt.clock, actor=rt.actor,
                     _engine=old_engine(rt.config.database_url))  # fmt: skip
    store.migrate(rt.raw_engine())
    record_installation(rt)
    return rt


def _fresh_items(rt: Runtime, count: int) -> list[int]:
    ids = []
    for n in range(count):
        item = engine.create_item(rt, engine.ItemSpec(title=f"Bench {n}", flow="initiatief"))
        assert item.id is not None
        ids.append(item.id)
    return ids


def moves_per_second(rt: Runtime) -> float:
    ids = _fresh_items(rt, ITEMS)  # not timed
    start = time.perf_counter()
    for item_id in ids:
        engine.move(rt, item_id, "agenderen")
    return ITEMS / (time.perf_counter() - start)


def shows_per_second(rt: Runtime) -> float:
    ids = [row["id"] for row in read_items.list_items(rt)][:ITEMS]
    start = time.perf_counter()
    for item_id in ids:
        read_items.item_detail(rt, item_id)
        reports.item_time(rt, item_id)
    return len(ids) / (time.perf_counter() - start)


def move_wait_behind_a_read(rt: Runtime) -> float:
    """Seconds one move takes while another thread sits in a read session of HOLD seconds."""
    (item_id,) = _fresh_items(rt, 1)
    inside = threading.Event()

    def long_read() -> None:
        # the old set-up had no read sessions: its reads took the write lock too
        with rt.session(read=not _is_old(rt)) as db:
            queries.list_items(db)
            inside.set()
            time.sleep(HOLD)  # a bench: stands for a long read, e.g. a daemon tick's queries

    reader = threading.Thread(target=long_read)
    reader.start()
    assert inside.wait(10)
    start = time.perf_counter()
    engine.move(rt, item_id, "agenderen")
    took = time.perf_counter() - start
    reader.join(10)
    return took


def _is_old(rt: Runtime) -> bool:
    return isinstance(rt.raw_engine().pool, NullPool)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    old_rt, new_rt = runtime(folder / "old", old=True), runtime(folder / "new", old=False)
    measures: dict[str, Callable[[Runtime], float]] = {
        "moves/s": moves_per_second,
        "shows/s": shows_per_second,
        "move behind a read (ms)": lambda rt: move_wait_behind_a_read(rt) * 1000,
    }
    results: dict[str, dict[str, list[float]]] = {name: {"old": [], "new": []} for name in measures}
    for rep in range(REPETITIONS):
        order: list[tuple[str, Runtime]] = [("old", old_rt), ("new", new_rt)]
        if rep % 2:
            order.reverse()
        for name, measure in measures.items():
            for label, rt in order:
                results[name][label].append(measure(rt))
    old_rt.close()
    new_rt.close()
    print(
        f"items per repetition: {ITEMS}, repetitions: {REPETITIONS}, read held: {HOLD * 1000:.0f} ms"
    )
    print(
        f"{'':26} {'old (NullPool, IMMEDIATE)':>27} {'new (pool, read sessions)':>27} {'new/old':>8}"
    )
    for name, by_label in results.items():
        old, new = statistics.median(by_label["old"]), statistics.median(by_label["new"])
        print(f"{name:26} {_spread(by_label['old']):>27} {_spread(by_label['new']):>27} "
              f"{new / old:8.2f}")  # fmt: skip


def _spread(values: list[Any]) -> str:
    return f"{statistics.median(values):9.1f} ({min(values):.1f}-{max(values):.1f})"


if __name__ == "__main__":
    main()
