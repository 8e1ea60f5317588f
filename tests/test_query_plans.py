"""Every query the sweep runs reads an index, never a whole item, deadline, audit or outbox table.

The statements are captured as SQLite receives them (a `before_cursor_execute` listener) during
real sweeps and deliveries over a small store with something due of every kind: a reminder, an
escalation, a roll-over, feedback items, the quarter's digest, a slipping plan, a calendar that
runs out, a cancelled meeting (the day's calendar sync re-plans its items), a failing effect
waiting for its next attempt, messages to deliver, daily overviews to bundle, the heartbeat and
the next wake-up. Each is then explained (`EXPLAIN QUERY PLAN`, with its own parameters) on the
same file: a `SCAN` of one of those tables (or of the items and their audit trail, outcomes and
slip watch), or a search on a status alone, is a cost that grows with the store, not with the
work due.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

import store
from routing.clock import FixedClock, parse_moment
from routing.effects import delivery
from routing.effects.sweep import next_due, record_installation, sweep
from routing.engine import commitments, meeting_changes
from routing.engine import items as engine
from routing.runtime import Runtime
from store.schedule_models import EffectFailure, MeetingRow
from tests.conftest import PINNED_NOW

WATCHED = {"item", "deadline", "audit_event", "outbox", "meeting_outcome", "slip_watch",
           "commitment"}  # fmt: skip
# an index on a status alone reads every open deadline or pending message: a scan by another name
STATUS_ONLY = re.compile(r"SEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(status=\?\)$")
STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b", re.IGNORECASE)
# `FROM item AS i`, `JOIN deadline d`: a scan is reported under the alias
ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+\"?(\w+)\"?\s+(?:AS\s+)?\"?(\w+)\"?", re.IGNORECASE)


@pytest.fixture
def sqlite_rt(config_path: Path, migrated_store: Path) -> Iterator[Runtime]:
    runtime = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    store.migrate(runtime.raw_engine())
    yield runtime
    runtime.close()


def at(rt: Runtime, moment: str) -> None:
    rt.clock = FixedClock(parse_moment(moment, rt.config.timezone))


def _store_with_everything_due(rt: Runtime) -> None:
    at(rt, "2024-01-01T00:00")
    record_installation(rt)
    at(rt, "2024-02-05T09:00")
    for n in range(3):
        spec = engine.ItemSpec(
            title=f"Punt {n}", flow="agendapunt-supportteam", owner="Kevin van Pernis"
        )
        item = engine.create_item(rt, spec)
        assert item.id is not None
        engine.move(rt, item.id, "agenderen")
    target = engine.ItemSpec(
        title="Talentfonds", flow="agendapunt-stuurgroep", target_day=dt.date(2024, 6, 20)
    )
    made = engine.create_item(rt, target)
    assert made.id is not None
    # due on 12 February: reminded on the sweep of the 8th, reported on the 13th
    commitments.add_commitment(rt, made.id, "Notitie", "Anna de Vries", dt.date(2024, 2, 12))


def _cancel_a_planned_meeting(rt: Runtime, day: dt.date) -> None:
    with rt.session() as db:
        rows = db.exec(select(MeetingRow).where(MeetingRow.body == "regieteam")).all()
        (row,) = [r for r in rows if r.start_at.date() == day]
        meeting_changes.cancel_meeting(
            db, rt, row, now=rt.clock.now(), actor="secretaris", reason="zaal", origin="command"
        )


def _failing_effect(rt: Runtime) -> None:
    now = rt.clock.now()
    with rt.session() as db:
        db.add(EffectFailure(key="calendar-end:none:x", kind="calendar-end", attempts=1,
                             first_at=now, next_attempt_at=now + dt.timedelta(days=400),
                             last_error="OSError"))  # fmt: skip


def _captured(rt: Runtime) -> list[tuple[str, Any]]:
    """Sweeps at moments that have every kind of effect due, with their statements."""
    seen: dict[str, Any] = {}

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any,
                executemany: bool) -> None:  # fmt: skip
        if STATEMENT.match(statement):
            many = executemany and parameters and isinstance(parameters[0], tuple | list | dict)
            seen.setdefault(statement, parameters[0] if many else parameters)

    event.listen(rt.engine, "before_cursor_execute", capture)
    done: set[str] = set()
    sent = 0
    try:
        for moment in ("2024-02-08T12:00", "2024-02-13T12:00", "2024-02-22T10:00",
                       "2024-02-23T09:00", "2024-04-03T08:00", "2026-11-20T08:00"):  # fmt: skip
            at(rt, moment)
            if moment == "2024-02-23T09:00":  # the next sweep is on a new day: it syncs
                _cancel_a_planned_meeting(rt, dt.date(2024, 3, 5))
                _failing_effect(rt)
                continue
            done |= set(sweep(rt, rt.config.daemon).counts)
            sent += delivery.deliver_due(rt.engine, rt.config.notify, rt.clock.now()).sent
            next_due(rt, rt.config.daemon)
    finally:
        event.remove(rt.engine, "before_cursor_execute", capture)
    kinds = {
        "reminder",
        "escalation",
        "rollover",
        "feedback",
        "digest",
        "slip",
        "calendar",
        "daily",
        "commitment",
    }
    assert kinds <= done, done
    assert sent > 0
    return list(seen.items())


def _scans(connection: sqlite3.Connection, statement: str, parameters: Any) -> list[str]:
    aliases = {alias.lower(): table.lower() for table, alias in ALIAS.findall(statement)}
    plan = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    found = []
    for row in plan:
        detail = str(row[-1])
        match = re.match(r"SCAN (\w+)", detail) or STATUS_ONLY.match(detail)
        if match is None:
            continue
        name = match.group(1).lower()
        if aliases.get(name, name) in WATCHED:
            found.append(detail)
    return found


def test_no_query_of_the_sweep_scans_a_table_that_grows_with_the_store(
    sqlite_rt: Runtime, migrated_store: Path
) -> None:
    _store_with_everything_due(sqlite_rt)
    statements = _captured(sqlite_rt)
    tables = " ".join(statement for statement, _ in statements)
    for table in WATCHED:
        assert re.search(rf"\b{table}\b", tables), f"no statement on {table}: the capture broke"
    connection = sqlite3.connect(migrated_store)
    try:
        scans = [
            f"{' '.join(statement.split())}\n    -> {scan}"
            for statement, parameters in statements
            for scan in _scans(connection, statement, parameters)
        ]
    finally:
        connection.close()
    assert not scans, "full scans:\n" + "\n".join(scans)
