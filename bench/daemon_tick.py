"""The daemon's tick grows with the work due, not with the stored items (issue 11, point 3).

Two figures, each the same tick on a store of `--items` items (10 audit events each: 100,000
items and 1,000,000 events by default) and, as its floor, on a store of 1,000 items:

- a tick with nothing due (the store settled at NOW by a real sweep): one `run_once` (sweep and
  delivery) in a daemon that has ticked before, as it runs for months;
- a tick with 1,000 reminders due (`build_store(due=1000)`): the first `run_once` of a fresh
  copy, after a `next_due` as a warm-up (the calendars read, the schema checked). Its floor's
  store has 5,000 items: of 3,000 items only about 920 are open on a meeting ahead.

In process, so the figure is the tick and not Python's start-up; a third row times the whole
`routing daemon --once` process as a reviewer would from outside. Target: ratio ≤ 1.5.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Table, cli, interleaved, options, timed
from bench.data import NOW, build_store

from routing.effects.daemon import run_once
from routing.effects.sweep import next_due
from routing.runtime import Runtime

SENT: dict[int, set[int]] = {}  # reminders mailed by the due tick, by store size


def _runtime(config: Path) -> Runtime:
    return Runtime.open(str(config), now=NOW.isoformat())


def idle_tick(config: Path) -> tuple[Runtime, Callable[[], float]]:
    """A steady daemon's tick: one tick first, then each call times the next one."""
    rt = _runtime(config)
    report, _ = run_once(rt)
    assert not report.counts, f"the settled store had work due: {report.counts}"

    return rt, lambda: timed(lambda: run_once(rt))


def due_tick(folder: Path, items: int, due: int) -> float:
    """A fresh copy with `due` reminders due at NOW: the tick that sends them."""
    config = build_store(folder, items=items, due=due)
    rt = _runtime(config)
    try:
        next_due(rt, rt.config.daemon)
        report: list[dict[str, int]] = []
        seconds = timed(lambda: report.append(run_once(rt)[0].counts))
    finally:
        rt.close()
    SENT.setdefault(items, set()).add(report[0].get("reminder", 0))
    return seconds


def main() -> None:
    args = options(__doc__.splitlines()[0], items=100_000, tiny_items=200, repetitions=5)
    small = 40 if args.tiny else 1000
    due = 5 if args.tiny else 1000
    table = Table(f"daemon tick: {args.items:,} items vs {small:,} (the floor)")
    with tempfile.TemporaryDirectory(prefix="bench-tick-") as tmp:
        base = Path(tmp)
        big_rt, big = idle_tick(build_store(base / "big", items=args.items))
        small_rt, floor = idle_tick(build_store(base / "small", items=small))
        try:
            idle = interleaved({"big": big, "small": floor}, args.repetitions)
        finally:
            big_rt.close()
            small_rt.close()
        table.row("tick, nothing due", idle["big"], idle["small"], "s", 1.5)
        # about a third of a store's items are open on a meeting ahead: 1,000 reminders due
        # need 3,000 items in the floor's store
        due_small = max(small, 5 * due)
        busy = interleaved(
            {
                "big": lambda: due_tick(base / "due-big", args.items, due),
                "small": lambda: due_tick(base / "due-small", due_small, due),
            },
            args.repetitions,
        )
        table.row(f"tick, {due:,} reminders due", busy["big"], busy["small"], "s", 1.5)
        # the same from outside: a whole `routing daemon --once` process, start-up included
        command = ["daemon", "--once", "--json", "--now", NOW.isoformat()]
        process = interleaved(
            {"big": lambda: cli(command, base / "big" / "routing.toml")[0],
             "small": lambda: cli(command, base / "small" / "routing.toml")[0]},
            args.repetitions,
        )  # fmt: skip
        table.row("routing daemon --once, nothing due", process["big"], process["small"], "s", 1.5)
    table.note(f"stores: {args.items:,} items / {10 * args.items:,} audit events; floors "
               f"{small:,} items (nothing due) and {due_small:,} (the smallest with {due:,} "
               f"reminders to send); bench/data.py, at {NOW.isoformat()}")  # fmt: skip
    table.note(f"reminders mailed by the due tick (the others found their papers deadline "
               f"passed: the escalation says it): {SENT}")  # fmt: skip
    table.print()


if __name__ == "__main__":
    main()
