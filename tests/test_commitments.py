"""Commitments (toezeggingen): recorded on an item and closed with a note through the audit
writer, listed, reminded before their date and reported after it by the sweep (exactly once),
printed on the besluitenlijst of the meeting they were made in; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import col, select

import store
from routing.clock import FixedClock, parse_moment
from routing.engine import commitments
from routing.engine import items as engine
from routing.engine.commitments import MeetingRef
from routing.errors import BadInput, NotFound, RefusedByRules
from routing.read import audit
from routing.read.commitments import register
from routing.runtime import Runtime
from store import AuditEvent
from store.commitments import Commitment
from store.schedule_models import EffectFailure, Outbox
from tests.conftest import PINNED_NOW, InProcessCli, edited_config

AT = ("--now", "2024-02-05T09:00")
AFTER = ("--now", "2024-02-20T13:00")


def at(rt: Runtime, moment: str) -> None:
    rt.clock = FixedClock(parse_moment(moment, rt.config.timezone))


def _item(rt: Runtime, title: str = "Initiatief LLO-hub") -> int:
    item = engine.create_item(rt, engine.ItemSpec(title=title, flow="initiatief"))
    assert item.id is not None
    return item.id


def _events(rt: Runtime, item_id: int) -> list[AuditEvent]:
    with rt.session(read=True) as db:
        query = select(AuditEvent).where(AuditEvent.item_id == item_id)
        return list(db.exec(query.order_by(col(AuditEvent.id))).all())


# --- the engine, on SQLite and PostgreSQL ---------------------------------------------------


def test_a_commitment_is_recorded_and_closed_with_an_audited_note(rt: Runtime) -> None:
    item_id = _item(rt)
    made = commitments.add_commitment(
        rt, item_id, " Notitie aanpassen ", "anna de vries", dt.date(2024, 3, 1),
        MeetingRef("regieteam", dt.date(2024, 2, 20)),
    )  # fmt: skip
    assert (made.text, made.owner, made.owner_email) == (
        "Notitie aanpassen", "Anna de Vries", "a.devries@hilversum.example",
    )  # fmt: skip
    assert made.body == "regieteam" and made.meeting_at is not None
    assert made.meeting_at.astimezone(rt.config.timezone).date() == dt.date(2024, 2, 20)
    assert made.status == "open" and made.actor == "secretaris"
    later = commitments.add_commitment(rt, item_id, "Cijfers", "s.bakker@regiogv.example",
                                       dt.date(2024, 2, 1))  # fmt: skip
    assert later.body is None and later.meeting_at is None

    at(rt, "2024-02-06T10:00")
    closed = commitments.close_commitment(rt, made.id or 0, "Aangepast en rondgestuurd")
    assert (closed.status, closed.closed_by, closed.close_note) == (
        "done", "secretaris", "Aangepast en rondgestuurd",
    )  # fmt: skip
    with pytest.raises(RefusedByRules, match="al afgerond"):
        commitments.close_commitment(rt, made.id or 0, "nog eens")
    with pytest.raises(NotFound):
        commitments.close_commitment(rt, 999, "weg")

    triggers = [(e.trigger, e.note) for e in _events(rt, item_id)][1:]
    assert triggers[0][0] == "toezegging" and "Notitie aanpassen" in (triggers[0][1] or "")
    assert triggers[1][0] == "toezegging"
    assert triggers[2] == (
        "toezegging-afgerond",
        f"Toezegging {made.id} afgerond (Notitie aanpassen): Aangepast en rondgestuurd",
    )
    assert audit.verify(rt).report.intact

    rows = register(rt)
    assert [r["id"] for r in rows] == [later.id, made.id]  # by date
    assert rows[0]["overdue"] and not rows[1]["overdue"]  # open past its date; closed
    assert [r["id"] for r in register(rt, open_only=True)] == [later.id]
    assert [r["id"] for r in register(rt, owner="Anna de Vries")] == [made.id]


def test_bad_input_to_the_engine_writes_nothing(rt: Runtime) -> None:
    item_id = _item(rt)
    day = dt.date(2024, 3, 1)
    cases = [
        (BadInput, lambda: commitments.add_commitment(rt, item_id, "  ", "Anna de Vries", day)),
        (BadInput, lambda: commitments.add_commitment(rt, item_id, "x", "Piet", day)),
        (NotFound, lambda: commitments.add_commitment(rt, 99, "x", "Anna de Vries", day)),
        (BadInput, lambda: commitments.add_commitment(
            rt, item_id, "x", "Anna de Vries", day, MeetingRef("regieteam", dt.date(2024, 2, 21))
        )),
    ]  # fmt: skip
    for error, call in cases:
        with pytest.raises(error):
            call()
    with rt.session(read=True) as db:
        assert db.exec(select(Commitment)).all() == []
    assert len(_events(rt, item_id)) == 1


# --- the daemon ------------------------------------------------------------------------------


@pytest.fixture
def sqlite_rt(config_path: Path, migrated_store: Path) -> Iterator[Runtime]:
    runtime = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    store.migrate(runtime.raw_engine())
    yield runtime
    runtime.close()


def _messages(rt: Runtime) -> list[Outbox]:
    with rt.session(read=True) as db:
        query = select(Outbox).where(col(Outbox.key).startswith("toezegging:"))
        return list(db.exec(query.order_by(col(Outbox.id))).all())


def test_the_owner_is_reminded_and_an_overdue_one_reported_exactly_once(
    sqlite_rt: Runtime,
) -> None:
    from routing.effects.sweep import record_installation, sweep

    rt = sqlite_rt
    at(rt, "2024-02-01T00:00")
    record_installation(rt)
    item_id = _item(rt)
    # Thursday 15 February: three working days before is Monday 12 February
    kept = commitments.add_commitment(
        rt, item_id, "Notitie aanpassen", "Anna de Vries", dt.date(2024, 2, 15),
        MeetingRef("regieteam", dt.date(2024, 2, 6)),
    )  # fmt: skip
    closed = commitments.add_commitment(
        rt, item_id, "Cijfers leveren", "Sander Bakker", dt.date(2024, 2, 15)
    )
    commitments.close_commitment(rt, closed.id or 0, "Geleverd")
    settings = rt.config.daemon
    assert settings.commitment_reminder_days == 3

    at(rt, "2024-02-09T16:00")  # Friday: a working day too early
    sweep(rt, settings)
    assert _messages(rt) == []

    at(rt, "2024-02-12T08:00")
    report = sweep(rt, settings)
    assert report.counts.get("commitment") == 1
    reminder = _messages(rt)
    assert [m.key.split(">")[0] for m in reminder] == [f"toezegging:{kept.id}:herinnering"]
    assert reminder[0].recipients == ["a.devries@hilversum.example"]
    assert "Notitie aanpassen" in reminder[0].body
    assert "vergadering van Regieteam Werk & Participatie op 6 februari 2024" in reminder[0].body
    assert "donderdag 15 februari 2024" in reminder[0].body
    at(rt, "2024-02-12T08:05")
    sweep(rt, settings)
    assert len(_messages(rt)) == len(reminder)  # a second sweep adds nothing

    at(rt, "2024-02-16T08:00")  # the day after: overdue, to the secretariat
    report = sweep(rt, settings)
    overdue = [m for m in _messages(rt) if m.key.split(">")[0].endswith(":verlopen")]
    assert [m.key.split(">")[0] for m in overdue] == [f"toezegging:{kept.id}:verlopen"]
    assert overdue[0].recipients == list(rt.config.secretariat_email)
    assert "Anna de Vries" in overdue[0].subject
    at(rt, "2024-02-19T08:00")
    sweep(rt, settings)
    assert len(_messages(rt)) == len(reminder) + len(overdue)
    with rt.session(read=True) as db:
        assert db.exec(select(EffectFailure)).all() == []
        overviews = db.exec(select(Outbox).where(Outbox.kind == "daily")).all()
    # the reminder went out in Anna's daily overview, like other messages
    (anna,) = [m for m in overviews if m.recipients == ["a.devries@hilversum.example"]]
    assert "- Toezegging: Anna de Vries, u hebt in de vergadering van" in anna.body
    assert "Notitie aanpassen" in anna.body
    for message in _messages(rt):
        assert "routing " not in message.body and "None" not in message.body
        assert "{" not in message.body and "()" not in message.body


def test_the_reminder_lead_is_configured() -> None:
    config = edited_config(("# commitment_reminder_days = 3", "commitment_reminder_days = 1"))
    assert config.daemon.commitment_reminder_days == 1


# --- the commands, in process ----------------------------------------------------------------


def _dump(database: Path) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        return list(db.iterdump())


@pytest.fixture
def item(cmd: InProcessCli) -> str:
    made = cmd("new", "Initiatief LLO-hub", "--flow", "initiatief", *AT).stdout.strip()
    cmd("move", made, "agenderen", *AT)
    return made


def test_commands_record_list_and_close(cmd: InProcessCli, item: str) -> None:
    added = cmd("toezegging", item, "Notitie aanpassen", "--owner", "anna de vries",
                "--by", "2024-02-01", "--meeting", "regieteam=2024-02-20", *AFTER)  # fmt: skip
    assert added.stdout.strip() == (
        f"Toezegging 1 vastgelegd op item {item}: Anna de Vries, vóór 1 februari 2024."
    )
    table = cmd("toezeggingen", *AFTER).stdout
    assert "Notitie aanpassen" in table and "verlopen" in table and "Regieteam" in table
    rows = json.loads(cmd("toezeggingen", "--open", "--json", *AFTER).stdout)
    assert [(r["id"], r["owner"], r["overdue"]) for r in rows] == [(1, "Anna de Vries", True)]
    assert (
        json.loads(cmd("toezeggingen", "--owner", "Sander Bakker", "--json", *AFTER).stdout) == []
    )
    done = cmd("toezegging-af", "1", "--note", "Rondgestuurd", *AFTER)
    assert done.stdout.strip() == f"Toezegging 1 afgerond (item {item})."
    assert json.loads(cmd("toezeggingen", "--open", "--json", *AFTER).stdout) == []
    assert "Geen toezeggingen." in cmd("toezeggingen", "--open", *AFTER).stdout
    history = cmd("show", item, *AFTER).stdout
    assert "toezegging-afgerond" in history and "Rondgestuurd" in history
    assert "Audittrail intact" in cmd("audit", "verify").stdout


def test_bad_input_is_one_dutch_line_and_changes_nothing(
    cmd: InProcessCli, item: str, migrated_store: Path
) -> None:
    cmd("toezegging", item, "Notitie", "--owner", "Anna de Vries", "--by", "2024-03-01", *AFTER)
    cmd("toezegging-af", "1", "--note", "Klaar", *AFTER)
    before = _dump(migrated_store)
    add = ("toezegging", item, "Notitie", "--owner", "Anna de Vries", "--by", "2024-03-01")
    cases = [
        (("toezegging", "99", "Notitie", "--owner", "Anna de Vries", "--by", "2024-03-01"), 2,
         "Item 99 bestaat niet"),
        (("toezegging", item, "Notitie", "--owner", "Piet", "--by", "2024-03-01"), 2,
         "Onbekende persoon 'Piet'"),
        (("toezegging", item, "Notitie", "--owner", "Anna de Vries", "--by", "2024-13-01"), 2,
         "'2024-13-01' is geen datum"),
        (("toezegging", item, "  ", "--owner", "Anna de Vries", "--by", "2024-03-01"), 2,
         "Een toezegging zonder tekst kan niet"),
        ((*add, "--meeting", "regieteam"), 2, "geen ORGAAN=DATUM"),
        ((*add, "--meeting", "regieteam=2024-02-21"), 2, "vergadert niet op 21 februari 2024"),
        ((*add, "--meeting", "nergens=2024-02-20"), 2, "nergens"),
        (("toezegging-af", "1", "--note", "Nog eens"), 1, "Toezegging 1 is al afgerond"),
        (("toezegging-af", "7", "--note", "Weg"), 2, "Toezegging 7 bestaat niet"),
        (("toezegging-af", "1", "--note", " "), 2, "Zeg met --note"),
        (("toezeggingen", "--owner", "Piet"), 2, "Onbekende persoon 'Piet'"),
    ]  # fmt: skip
    for args, code, words in cases:
        result = cmd(*args, *AFTER, check=False)
        assert result.returncode == code, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert _dump(migrated_store) == before, args


# --- the besluitenlijst ----------------------------------------------------------------------


def test_the_besluitenlijst_prints_the_commitments_made_at_the_meeting(
    cmd: InProcessCli, item: str
) -> None:
    cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{item}=voorleggen", *AFTER)
    cmd("toezegging", item, "Notitie aanpassen", "--owner", "Anna de Vries", "--by",
        "2024-03-01", "--meeting", "regieteam=2024-02-20", *AFTER)  # fmt: skip
    cmd("toezegging", item, "Elders beloofd", "--owner", "Sander Bakker", "--by",
        "2024-03-01", *AFTER)  # fmt: skip
    text = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", *AFTER).stdout
    lines = text.splitlines()
    assert "## Toezeggingen" in lines
    assert f"- Anna de Vries: Notitie aanpassen (vóór 1 maart 2024; item {item})" in lines
    assert "Elders beloofd" not in text
    data = json.loads(cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f",
                          "json", *AFTER).stdout)  # fmt: skip
    assert [(c["owner"], c["text"], c["due"]) for c in data["commitments"]] == [
        ("Anna de Vries", "Notitie aanpassen", "2024-03-01")
    ]
    html = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f", "html",
               *AFTER).stdout  # fmt: skip
    assert 'class="commitments"' in html and "Notitie aanpassen" in html


def test_commitments_made_at_the_close_are_written_with_it(
    cmd: InProcessCli, item: str, migrated_store: Path
) -> None:
    cmd("meetings", *AFTER)  # the day's calendar sync, before the dump
    before = _dump(migrated_store)
    close = ("meeting", "close", "regieteam", "2024-02-20", "-o", f"{item}=voorleggen")
    refused = [
        (f"{item}=Piet|2024-03-01|Notitie", 2, "Onbekende persoon 'Piet'"),
        (f"{item}=Anna de Vries|2024-03-01", 2, "geen ID=NAAM|DATUM|TEKST"),
        (f"{item}=Anna de Vries|maart|Notitie", 2, "'maart' is geen datum"),
        (f"{item}=Anna de Vries|2024-03-01| ", 2, "zonder tekst"),
        ("99=Anna de Vries|2024-03-01|Notitie", 2, "Item 99 bestaat niet"),
    ]
    for pledge, code, words in refused:
        result = cmd(*close, "--toezegging", pledge, *AFTER, check=False)
        assert (result.returncode, words in result.stderr) == (code, True), result.stderr
        assert _dump(migrated_store) == before, pledge  # the close is not written either
    done = cmd(*close, "--toezegging", f"{item}=anna de vries|2024-03-01|Notitie aanpassen",
               "--toezegging", f"{item}=Sander Bakker|2024-03-08|Cijfers leveren",
               *AFTER)  # fmt: skip
    assert "2 toezeggingen vastgelegd" in done.stdout
    rows = json.loads(cmd("toezeggingen", "--json", *AFTER).stdout)
    assert [(r["owner"], r["text"], r["due"], r["body"]) for r in rows] == [
        ("Anna de Vries", "Notitie aanpassen", "2024-03-01", "regieteam"),
        ("Sander Bakker", "Cijfers leveren", "2024-03-08", "regieteam"),
    ]
    text = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", *AFTER).stdout
    assert f"- Sander Bakker: Cijfers leveren (vóór 8 maart 2024; item {item})" in text
    assert "Audittrail intact" in cmd("audit", "verify").stdout
