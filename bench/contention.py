"""Issue 11 point 7: a `routing move` arriving during a daemon tick waits at most 100 ms (p99).

Real processes: the daemon is the installed `routing daemon --once`, run as its own process over a
store of `--items` items (default 100,000, 10 audit events each); the secretary is a second
process that moves items (`aanhouden`: a re-plan with new deadlines and an audit event, the
real `routing.engine.items.move`) one after the other, 20-80 ms apart, for as long as the tick
lasts. The same moves on the idle store (no daemon) are the floor; the two alternate, round by
round. Each round is a day later than the one before (NOW + r days), so every tick has that
day's real work: reminders, escalations, roll-overs, slip checks, the outbox.

Measured in the mover: the wait for SQLite's write lock (the time `store.db._take_write_lock`
takes, i.e. from asking for the lock until holding it) and the whole move's latency. The issue's
figure is the wait's 99th percentile during ticks: target ≤ 100 ms. SQLite only (on PostgreSQL
writers queue on row locks, not on one database lock).

Usage: .venv/bin/python bench/contention.py [--items N] [--repetitions ROUNDS] [--tiny]
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROUTING, Table, options
from bench.data import NOW, build_store

GAP = (0.02, 0.08)  # seconds between two moves of the secretary


def _mover(config: str, pipe: Any) -> None:
    """The secretary's process: one move per request, answering (lock wait, latency) in s."""
    from routing.clock import FixedClock
    from routing.engine import items as engine
    from routing.engine import meeting_sync
    from routing.errors import RoutingError
    from routing.runtime import Runtime
    from store import db

    waits: list[float] = []
    take = getattr(db, "_take_write_lock", None)
    if take is not None:

        def timed(*args: Any) -> None:  # whatever the lock function takes, passed on
            began = time.perf_counter()
            take(*args)
            waits.append(time.perf_counter() - began)

        db._take_write_lock = timed  # type: ignore[attr-defined]
    rt = Runtime.open(config, NOW.isoformat())
    while True:
        request = pipe.recv()
        if request is None:
            break
        kind, item_id, moment = request
        rt.clock = FixedClock(dt.datetime.fromisoformat(moment))
        if kind == "sync":  # the day's calendar sync, outside the measurement
            with rt.session() as session:
                meeting_sync.sync_if_needed(rt, session)
            pipe.send((0.0, 0.0, ""))
            continue
        waits.clear()
        began = time.perf_counter()
        error = ""
        try:
            engine.move(rt, item_id, "aanhouden")
        except RoutingError as exc:
            error = type(exc).__name__
        pipe.send((sum(waits), time.perf_counter() - began, error))
    rt.close()


def _movable(config: Path) -> list[int]:
    """Open items in a state where `aanhouden` (defer to the next meeting) is possible."""
    from sqlalchemy import text

    from routing.runtime import Runtime

    rt = Runtime.open(str(config), NOW.isoformat())
    states = {
        (flow.name, trigger_source)
        for flow in rt.catalog.current.values()
        for trigger in flow.triggers
        if trigger.name == "aanhouden"
        for trigger_source in trigger.sources
    }
    with rt.session(read=True) as session:
        rows = session.execute(text("SELECT id, flow_name, state FROM item")).all()
    rt.close()
    found = [item_id for item_id, flow, state in rows if (flow, state) in states]
    random.Random(7).shuffle(found)
    return found


class Round:
    def __init__(self, config: Path, pipe: Any, items: list[int]) -> None:
        self.config, self.pipe, self.items = config, pipe, items
        self.waits: dict[str, list[float]] = {"tick": [], "idle": []}
        self.latencies: dict[str, list[float]] = {"tick": [], "idle": []}
        self.refused = 0
        self.ticks: list[float] = []

    def _move(self, case: str, moment: str) -> None:
        item_id = self.items.pop()
        self.pipe.send(("move", item_id, moment))
        wait, latency, error = self.pipe.recv()
        if error:
            self.refused += 1
            return
        self.waits[case].append(wait * 1000)
        self.latencies[case].append(latency * 1000)

    def tick(self, moment: str) -> int:
        """Moves while one real daemon tick runs; returns how many."""
        env_config = {"ROUTING_CONFIG": str(self.config)}
        began = time.perf_counter()
        daemon = subprocess.Popen(
            [ROUTING, "daemon", "--once", "--now", moment], env={**os.environ, **env_config},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(0.3)  # the daemon's start-up (imports); the moves begin inside its tick
        done = 0
        while daemon.poll() is None and self.items:
            self._move("tick", moment)
            done += 1
            time.sleep(random.uniform(*GAP))
        _, errors = daemon.communicate(timeout=3600)
        self.ticks.append(time.perf_counter() - began)
        if daemon.returncode != 0:
            raise RuntimeError(f"routing daemon --once exited {daemon.returncode}: {errors}")
        return done

    def idle(self, moment: str, count: int) -> None:
        for _ in range(count):
            if not self.items:
                return
            self._move("idle", moment)
            time.sleep(random.uniform(*GAP))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main() -> None:
    args = options(__doc__.splitlines()[0], items=100_000, tiny_items=500, repetitions=3)
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as folder:
        measure(args, Path(folder))


def measure(args: Any, folder: Path) -> None:
    began = time.perf_counter()
    config = build_store(folder, items=args.items, audit_events=10 * args.items)
    built = time.perf_counter() - began
    items = _movable(config)
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    mover = context.Process(target=_mover, args=(str(config), theirs))
    mover.start()
    run = Round(config, ours, items)
    try:
        for day in range(args.repetitions):
            moment = (NOW + dt.timedelta(days=day + 1)).isoformat()
            ours.send(("sync", 0, moment))
            ours.recv()
            if day % 2 == 0:
                count = run.tick(moment)
                run.idle(moment, max(count, 5))
            else:
                run.idle(moment, 10)
                count = run.tick(moment)
                run.idle(moment, max(count - 10, 0))
    finally:
        ours.send(None)
        mover.join(timeout=60)
    waits, latencies = run.waits, run.latencies
    table = Table(f"A move during a daemon tick ({args.items:,} items, SQLite)")
    p99 = _percentile(waits["tick"], 0.99)
    table.row("lock wait p50 (move during tick vs idle)", _percentile(waits["tick"], 0.5),
              _percentile(waits["idle"], 0.5), "ms")  # fmt: skip
    table.row("lock wait p99 during a tick", p99, _percentile(waits["idle"], 0.99), "ms",
              target_max=100)  # fmt: skip
    table.row("move latency p50", _percentile(latencies["tick"], 0.5),
              _percentile(latencies["idle"], 0.5), "ms")  # fmt: skip
    table.row("move latency p99", _percentile(latencies["tick"], 0.99),
              _percentile(latencies["idle"], 0.99), "ms")  # fmt: skip
    table.note(
        f"{len(waits['tick'])} moves during {len(run.ticks)} ticks "
        f"(tick {statistics.median(run.ticks):.1f} s median, daemon start-up included), "
        f"{len(waits['idle'])} on the idle store; {run.refused} refused; "
        f"max wait during a tick {max(waits['tick'], default=float('nan')):.0f} ms; "
        f"store built/copied in {built:.0f} s"
    )
    from store import db

    if not hasattr(db, "_take_write_lock"):
        table.note("store.db has no _take_write_lock: lock waits not measured (0), latency only")
    table.print()


if __name__ == "__main__":
    main()
