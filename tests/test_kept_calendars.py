"""A runtime keeps the stored calendars between its transactions, and never past a change.

The daemon (one runtime for weeks) must see a meeting moved, cancelled or added by a command in
another process at its next transaction: every change of a meeting row renews the meetings'
stamp (`store.calendar_stamp`), and the kept calendars are read again when it differs. Run on
SQLite and PostgreSQL, with the change made by a real `routing` process.

Dates from the shipped calendar (routing/starter.toml): the PFHO W&P meets the 2nd Thursday at
14:00, so on 14 November 2024; an item moved there on 20 October is planned on that meeting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from routing.clock import FixedClock, parse_moment
from routing.effects.sweep import record_installation
from routing.engine import items as engine
from routing.engine import meeting_sync
from routing.runtime import Runtime
from store import calendar_stamp
from tests.conftest import Cli

NOW = "2024-10-20T09:00"


def _planned_at_pfho(rt: Runtime, title: str) -> dt.datetime | None:
    item = engine.create_item(rt, engine.ItemSpec(title=title, flow="agendapunt-stuurgroep"))
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    moved = engine.move(rt, item.id, "doorzetten")
    assert moved.to_state == "pfho-wp"
    return moved.item.planned_meeting_at


def _kept(rt: Runtime) -> object:
    with rt.session() as db:
        return meeting_sync.current_calendars(rt, db)


def test_a_long_running_runtime_sees_a_meeting_another_process_moved(
    rt: Runtime, config_path: Path
) -> None:
    rt.clock = FixedClock(parse_moment(NOW, rt.config.timezone))
    record_installation(rt)
    first = _planned_at_pfho(rt, "Voor de verplaatsing")
    assert first == dt.datetime(2024, 11, 14, 13, 0, tzinfo=dt.UTC)
    kept = _kept(rt)
    assert _kept(rt) is kept  # nothing changed: the calendars are not read again

    Cli(config_path)(
        "meeting", "move", "pfho-wp", "2024-11-14", "2024-11-21T14:00", "--reason", "Zaal bezet",
        "--now", NOW,
    )  # fmt: skip

    assert _kept(rt) is not kept  # read again: the stamp changed in the other process
    second = _planned_at_pfho(rt, "Na de verplaatsing")
    assert second == dt.datetime(2024, 11, 21, 13, 0, tzinfo=dt.UTC)

    Cli(config_path)("meeting", "cancel", "pfho-wp", "2024-11-21", "--now", NOW)
    third = _planned_at_pfho(rt, "Na het vervallen")
    assert third == dt.datetime(2024, 12, 12, 13, 0, tzinfo=dt.UTC)  # the next 2nd Thursday


def test_a_rolled_back_change_leaves_no_stamp_behind(rt: Runtime) -> None:
    """The stamp is random, not a counter: a change rolled back (or a store put back from a
    backup) can never show the stamp the kept calendars were read under."""
    rt.clock = FixedClock(parse_moment(NOW, rt.config.timezone))
    record_installation(rt)
    kept = _kept(rt)
    with rt.session() as db:
        before = calendar_stamp.read(db)[calendar_stamp.MEETINGS_VERSION]
    assert before is not None
    try:
        with rt.session() as db:
            calendar_stamp.touch(db)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    with rt.session() as db:
        assert calendar_stamp.read(db)[calendar_stamp.MEETINGS_VERSION] == before
    assert _kept(rt) is kept
