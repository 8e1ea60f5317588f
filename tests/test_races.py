"""Concurrency with real processes, on SQLite and on PostgreSQL.

Two worker processes (tests/race_worker.py) each run the real command line for every race, and
start their commands at the same instant (a barrier per round). Of two writers on one item
exactly one wins; the other is told the item changed since it was loaded (exit 1) and nothing
else: no traceback, no SQL. The store stays consistent: one audit event for the step, the
version raised by one, no deadline or message of the loser. A meeting closed twice is refused
with one line saying when and by whom. And the daemon sweeping a backlog while commands write
never makes a command see "database is locked".

Seeded: the kinds of race per round come from `random.Random(SEED)`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

import store.db
from routing.clock import FixedClock
from routing.engine.items import ItemSpec, create_item, move
from routing.engine.meetings import list_meetings
from routing.errors import ConcurrentWrite
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import AuditEvent, Item
from store.schedule_models import (
    Deadline,
    Effect,
    EiDecision,
    MeetingClose,
    MeetingOutcome,
    Outbox,
)
from tests.conftest import ROUTING, InProcessCli
from tests.race_worker import Outcome, Workers

SEED = 20240205
ITEM_RACES = 50
UNPINNED_RACES = 20
BACKLOG_ITEMS = 150
CLOSE_RACES = 20
NOW = "2024-02-05T10:00"
MEETING_BODY = "regieteam"


@pytest.fixture
def workers(rt: Runtime, config_path: Path) -> Iterator[Workers]:
    """Two workers on `rt`'s database (SQLite file or PostgreSQL, from the environment)."""
    env = {"ROUTING_CONFIG": str(config_path), "COLUMNS": "120"}
    if os.environ.get("ROUTING_DATABASE_URL"):
        env["ROUTING_DATABASE_URL"] = os.environ["ROUTING_DATABASE_URL"]
    with Workers(2, env) as pool:
        yield pool


def _fresh_items(rt: Runtime, count: int) -> list[Item]:
    return [create_item(rt, ItemSpec(title=f"Race {n}", flow="initiatief")) for n in range(count)]


def _only_line(outcome: Outcome) -> str:
    """The loser's stderr: exactly one line, and nothing on stdout."""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1 and outcome.stdout == "", outcome
    assert "Traceback" not in outcome.stderr and "SELECT" not in outcome.stderr, outcome
    return lines[0]


def _trail(rt: Runtime, item_id: int) -> list[AuditEvent]:
    with rt.session(read=True) as db:
        return list(
            db.exec(
                select(AuditEvent).where(AuditEvent.item_id == item_id).order_by(col(AuditEvent.id))
            ).all()
        )


def _commands(rng: random.Random, item: Item, pinned: bool) -> tuple[list[str], list[str]]:
    """Two writers on `item`: two moves, a move and an edit, or two edits, in random order."""
    pin = ["--if-version", str(item.version)] if pinned else []
    moving = ["move", str(item.id), "agenderen", "--now", NOW, *pin]
    editing = ["edit", str(item.id), "--title", f"Renamed {item.id}", "--now", NOW, *pin]
    pair = rng.choice([(moving, moving), (moving, editing), (editing, editing)])
    return pair if rng.random() < 0.5 else (pair[1], pair[0])


def test_two_writers_on_one_item_one_wins_the_other_is_told_it_changed(
    rt: Runtime, workers: Workers, backend: str
) -> None:
    """Both loaded the same version (`--if-version`, as after `routing show`): exactly one wins,
    the other is refused with the one line, whatever the timing."""
    rng = random.Random(SEED)
    items = _fresh_items(rt, ITEM_RACES)
    tally: Counter[str] = Counter()
    started = time.monotonic()
    for item in items:
        assert item.id is not None
        outcomes = workers.race(*_commands(rng, item, pinned=True))
        assert sorted(outcome.code for outcome in outcomes) == [0, 1], outcomes
        winner = next(o for o in outcomes if o.code == 0)
        loser = next(o for o in outcomes if o.code == 1)
        expected = "routing: " + t("err.item_changed", id=item.id, version=item.version)
        assert _only_line(loser) == expected, outcomes
        tally[f"{winner.argv[0]} beat {loser.argv[0]}"] += 1
        _check_steps(rt, item, [winner])
    elapsed = time.monotonic() - started
    print(f"\n{backend}: {len(items)} item races in {elapsed:.1f}s: {dict(sorted(tally.items()))}")


def test_two_commands_on_one_item_without_a_version_are_serialised(
    rt: Runtime, workers: Workers, backend: str
) -> None:
    """Without `--if-version` a command acts on the version it reads as it starts. Started at
    the same instant, the second to write is refused as changed; when one ran wholly before the
    other, the second acts on what the first left (or is refused by the rules). Never exit 3,
    never two steps from the same version."""
    rng = random.Random(SEED + 3)
    items = _fresh_items(rt, UNPINNED_RACES)
    tally: Counter[str] = Counter()
    for item in items:
        assert item.id is not None
        outcomes = workers.race(*_commands(rng, item, pinned=False))
        assert all(o.code in (0, 1) for o in outcomes), outcomes
        winners = [o for o in outcomes if o.code == 0]
        assert winners, outcomes
        for loser in (o for o in outcomes if o.code == 1):
            line = _only_line(loser)
            changed = "routing: " + t("err.item_changed", id=item.id, version=item.version)
            if line == changed:
                tally["one refused as changed"] += 1
            else:  # it read the first one's result: moving it again is not possible
                assert loser.argv[:3] == ("move", str(item.id), "agenderen"), outcomes
                assert line.startswith(f"routing: Item {item.id} staat in 'regieteam'"), line
                tally["one ran after the other, refused by the flow"] += 1
        if len(winners) == 2:
            tally["one ran after the other, both done"] += 1
        # the steps that won are in the trail in the order they were written
        _check_steps(rt, item, sorted(winners, key=lambda o: _position(rt, item, o)))
    print(f"\n{backend}: {len(items)} unpinned races: {dict(sorted(tally.items()))}")


def _step(outcome: Outcome) -> str:
    return {"move": "agenderen", "edit": "wijzigen"}[outcome.argv[0]]


def _position(rt: Runtime, item: Item, outcome: Outcome) -> int:
    assert item.id is not None
    return [event.trigger for event in _trail(rt, item.id)].index(_step(outcome))


def _check_steps(rt: Runtime, before: Item, winners: list[Outcome]) -> None:
    """The winners' steps and nothing of a loser: one event each, the version raised by as
    many, no deadline of another round, no decision or message twice."""
    assert before.id is not None
    trail = _trail(rt, before.id)
    assert [event.trigger for event in trail] == ["registreren", *map(_step, winners)]
    with rt.session(read=True) as db:
        item = db.get(Item, before.id)
        assert item is not None
        assert item.version == before.version + len(winners)
        open_rounds = {
            row.plan
            for row in db.exec(
                select(Deadline).where(Deadline.item_id == before.id, Deadline.status == "open")
            ).all()
        }
        assert open_rounds <= {item.plan}, "a deadline of a round that is not the item's"
        decisions = db.exec(select(EiDecision).where(EiDecision.item_id == before.id)).all()
        assert len(decisions) == len({d.body for d in decisions})
        messages = db.exec(select(Outbox).where(Outbox.item_id == before.id)).all()
        assert len(messages) == len({m.key for m in messages}) <= len(decisions)
    moved = any(o.argv[0] == "move" for o in winners)
    renamed = any(o.argv[0] == "edit" for o in winners)
    assert item.state == ("regieteam" if moved else before.state)
    assert item.title == (f"Renamed {before.id}" if renamed else before.title)


def _meetings_to_close(rt: Runtime, count: int) -> list[tuple[dt.date, int]]:
    """`count` regieteam meetings, each with one item planned on it: (day, item id)."""
    tz = rt.config.timezone
    start = dt.datetime(2024, 2, 10, tzinfo=tz)
    found: list[tuple[dt.date, int]] = []
    for meeting in list_meetings(rt, MEETING_BODY, start, start + dt.timedelta(days=400)):
        if len(found) == count:
            break
        papers_due = dt.datetime.fromisoformat(meeting["papers_due"])
        rt.clock = FixedClock(papers_due - dt.timedelta(hours=20))
        item = create_item(rt, ItemSpec(title=f"Close {meeting['start']}", flow="initiatief"))
        assert item.id is not None
        moved = move(rt, item.id, "agenderen")
        start_at = dt.datetime.fromisoformat(meeting["start"])
        assert moved.item.planned_meeting_at == start_at, (meeting, moved.item)
        found.append((start_at.astimezone(tz).date(), item.id))
    assert len(found) == count
    return found


def test_a_meeting_closed_twice_at_once_is_closed_once(
    rt: Runtime, workers: Workers, backend: str
) -> None:
    rng = random.Random(SEED + 1)
    meetings = _meetings_to_close(rt, CLOSE_RACES)
    destination = {"voorleggen": "pfho-wp", "reageren": "uta-supportteam"}
    started = time.monotonic()
    for day, item_id in meetings:
        after = ["--now", f"{day.isoformat()}T14:00"]
        outcomes_given = rng.sample(sorted(destination), 2)
        outcomes = workers.race(
            *[
                ["meeting", "close", MEETING_BODY, day.isoformat(), "-o", f"{item_id}={o}", *after]
                for o in outcomes_given
            ]
        )
        assert sorted(o.code for o in outcomes) == [0, 1], outcomes
        winner = next(o for o in outcomes if o.code == 0)
        loser = next(o for o in outcomes if o.code == 1)
        line = _only_line(loser)
        assert line.startswith(
            f"routing: De vergadering van Regieteam Werk & Participatie van {format_date(day)} "
            "is al gesloten op "
        ), line
        assert " is al gesloten op " in line and " door " in line, line
        assert f"'routing meeting outcome {MEETING_BODY} {day.isoformat()} ID STAP'" in line, line
        won_with = winner.argv[5].split("=")[1]
        with rt.session(read=True) as db:
            item = db.get(Item, item_id)
            assert item is not None and item.state == destination[won_with]
            rows = db.exec(select(MeetingOutcome).where(MeetingOutcome.item_id == item_id)).all()
            assert [row.trigger for row in rows] == [won_with]
            closes = db.exec(select(MeetingClose).where(MeetingClose.closed_at == rows[0].at)).all()
            assert len(closes) >= 1
        assert [e.trigger for e in _trail(rt, item_id)] == ["registreren", "agenderen", won_with]
    with rt.session(read=True) as db:
        assert len(db.exec(select(MeetingClose)).all()) == len(meetings)
    elapsed = time.monotonic() - started
    print(f"\n{backend}: {len(meetings)} meeting-close races in {elapsed:.1f}s")


def test_commands_while_the_daemon_sweeps_a_backlog_never_meet_a_locked_database(
    config_path: Path, migrated_store: Path
) -> None:
    """SQLite: `daemon --once` works through hundreds of due deadlines while another process
    creates, moves and edits items; every command ends 0 or 1 with a proper line."""
    env = {"ROUTING_CONFIG": str(config_path), "COLUMNS": "120"}
    rt = Runtime.open(str(config_path), now="2024-02-05T09:00", actor="secretaris")
    try:
        ids = []
        for n in range(BACKLOG_ITEMS):
            item = create_item(rt, ItemSpec(title=f"Backlog {n}", flow="initiatief"))
            assert item.id is not None
            move(rt, item.id, "agenderen")
            ids.append(item.id)
        with rt.session(read=True) as db:
            due = db.exec(select(Deadline).where(Deadline.status == "open")).all()
        assert len(due) >= 3 * BACKLOG_ITEMS
    finally:
        rt.close()
    sweep_now = "2024-03-01T09:00"
    rng = random.Random(SEED + 2)
    results: list[Outcome] = []
    during = 0
    with Workers(1, env) as writer:
        daemon = subprocess.Popen(
            [ROUTING, "daemon", "--once", "--now", sweep_now],
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for n in range(200):  # bounded; stops when the daemon is done
                if daemon.poll() is not None and n >= 20:
                    break
                item_id = str(rng.choice(ids))
                argv = rng.choice(
                    [
                        ["new", f"Tijdens de sweep {n}", "--flow", "initiatief"],
                        ["move", item_id, "voorleggen"],
                        ["edit", item_id, "--title", f"Hernoemd {n}"],
                    ]
                )
                results.extend(writer.race([*argv, "--now", sweep_now]))
                during += daemon.poll() is None
            out, err = daemon.communicate(timeout=120)
        finally:
            if daemon.poll() is None:
                daemon.kill()
                daemon.communicate(timeout=30)
    assert daemon.returncode == 0, err
    assert "locked" not in out + err and "Traceback" not in err
    codes = Counter(result.code for result in results)
    assert set(codes) <= {0, 1}, [r for r in results if r.code not in (0, 1)]
    for result in results:
        assert "locked" not in result.stdout + result.stderr, result
        if result.code == 1:
            line = _only_line(result)
            assert "is gewijzigd sinds u het laadde" in line or "staat in '" in line, line
    assert during >= 10, f"only {during} commands ran while the daemon swept"
    print(f"\nsqlite: {len(results)} commands, {during} during the sweep: {dict(codes)}")


def test_a_lock_held_past_the_busy_timeout_is_a_one_line_refusal(
    cmd: InProcessCli, migrated_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a writer ever wait longer than the busy timeout (here cut to 0.3 s), the command
    says so in one line, exit 1, and has written nothing."""
    item = cmd("new", "A", "--flow", "initiatief", "--now", NOW).stdout.strip()
    monkeypatch.setattr(store.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(migrated_store, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        refused = cmd("move", item, "agenderen", "--now", NOW, check=False)
        holder.rollback()
    finally:
        holder.close()
    assert refused.returncode == 1
    assert refused.stderr == "routing: " + t("err.store_busy") + "\n"
    assert "De database is bezet" in refused.stderr
    assert json.loads(cmd("show", item, "--json").stdout)["state"] == "ontvangen"


def test_a_unique_key_taken_meanwhile_is_a_refusal_not_a_fault(rt: Runtime) -> None:
    """A unique key another writer took between our check and our write: refused (exit 1);
    any other integrity error stays what it is, a fault."""
    with rt.session() as db:
        db.add(Effect(key="closed:regieteam:1", kind="meeting_closed", at=rt.clock.now()))
    with pytest.raises(ConcurrentWrite) as refused, rt.session() as db:
        db.add(Effect(key="closed:regieteam:1", kind="meeting_closed", at=rt.clock.now()))
    assert refused.value.exit_code == 1
    assert str(refused.value) == t("err.concurrent_write")
    with pytest.raises(IntegrityError), rt.session() as db:
        db.add(
            AuditEvent(
                item_id=999_999, from_state=None, to_state="x", trigger="x", actor="x",
                at=rt.clock.now(),
            )
        )  # fmt: skip
