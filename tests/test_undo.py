"""`routing undo`: a mistaken step taken back as a new audited step, or refused with the reason.

The issue's own case first: an initiative moved to the PFHO by mistake goes back to the Regieteam
with its plan and deadlines. Then what the undo reverses (an E&I decision, a waiting message, a
meeting's outcome) and what makes it refuse (a later step, a message sent, the registration)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

import store
from routing.clock import FixedClock, parse_moment
from routing.effects.delivery import deliver_due
from routing.effects.sweep import sweep
from routing.engine import items as engine
from routing.engine import meetings
from routing.engine.edits import edit_item
from routing.engine.meeting_close import Answer, close_meeting
from routing.engine.undo import UNDO_TRIGGER, undo
from routing.errors import BadInput, ItemChanged, RefusedByRules
from routing.read import audit
from routing.runtime import Runtime
from store import AuditEvent, Item, queries
from store.schedule_models import Deadline, EiDecision, MeetingOutcome, Outbox
from tests.conftest import PINNED_NOW, InProcessCli
from tests.fuzzing import dump


@pytest.fixture
def srt(config_path: Path, migrated_store: Path) -> Iterator[Runtime]:
    """A runtime on the SQLite file next to the config; every message goes at once (one row
    each), except where a test asks for the daily overview (`daily`)."""
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace('mail = "dagelijks"', 'mail = "direct"'), "utf-8")
    runtime = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    yield runtime
    runtime.close()


def _at(rt: Runtime, moment: str) -> None:
    rt.clock = FixedClock(parse_moment(moment, rt.config.timezone))


def _initiative(rt: Runtime, topics: tuple[str, ...] = ()) -> int:
    item = engine.create_item(
        rt, engine.ItemSpec(title="Initiatief Talentpunt", flow="initiatief", topics=topics)
    )
    assert item.id is not None
    return item.id


def _item(rt: Runtime, item_id: int) -> Item:
    with rt.session(read=True) as db:
        found = queries.get_item(db, item_id)
        assert found is not None
        db.expunge(found)
        return found


def _open_deadlines(rt: Runtime, item_id: int) -> list[tuple[str, str, dt.datetime, str]]:
    with rt.session(read=True) as db:
        rows = db.exec(select(Deadline).where(Deadline.item_id == item_id)).all()
        return sorted(
            (row.kind, row.body, row.due_at, row.status)
            for row in rows
            if row.status in ("open", "escalated", "done") and row.plan == _item(rt, item_id).plan
        )


def _trail(rt: Runtime, item_id: int) -> list[AuditEvent]:
    with rt.session(read=True) as db:
        events = list(queries.audit_trail(db, item_id))
        for event in events:
            db.expunge(event)
        return events


def _plan_of(item: Item) -> tuple[str | None, int | None, dt.datetime | None]:
    return item.planned_body, item.planned_meeting_id, item.planned_meeting_at


def test_an_initiative_moved_to_the_pfho_by_mistake_goes_back_to_the_regieteam(
    srt: Runtime,
) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    at_regieteam = _item(srt, item_id)
    regieteam_deadlines = _open_deadlines(srt, item_id)
    assert {kind for kind, *_ in regieteam_deadlines} == {"reminder", "papers", "meeting"}
    _at(srt, "2024-02-06T09:00")
    engine.move(srt, item_id, "voorleggen")
    assert _item(srt, item_id).planned_body == "pfho-wp"

    _at(srt, "2024-02-06T10:00")
    done = undo(srt, item_id, "Per ongeluk naar het PFHO gezet")

    back = _item(srt, item_id)
    assert (done.step, done.from_state, done.to_state) == ("voorleggen", "pfho-wp", "regieteam")
    assert back.state == "regieteam"
    assert _plan_of(back) == _plan_of(at_regieteam)
    assert _open_deadlines(srt, item_id) == regieteam_deadlines
    with srt.session(read=True) as db:  # nothing of the PFHO plan is still to be met
        pfho = db.exec(select(Deadline).where(Deadline.body == "pfho-wp")).all()
        assert pfho and {row.status for row in pfho} == {"superseded"}
    trail = _trail(srt, item_id)
    assert [e.trigger for e in trail] == ["registreren", "agenderen", "voorleggen", UNDO_TRIGGER]
    assert (trail[-1].from_state, trail[-1].to_state) == ("pfho-wp", "regieteam")
    assert trail[-1].note is not None and "Per ongeluk naar het PFHO gezet" in trail[-1].note
    assert audit.verify(srt).report.intact
    # the step can be taken again, now on purpose: a new planning round, no clash with the old
    _at(srt, "2024-02-07T09:00")
    again = engine.move(srt, item_id, "voorleggen")
    assert again.item.planned_meeting_id == _item(srt, item_id).planned_meeting_id


def test_papers_in_before_the_step_stay_in_after_the_undo(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    meetings.papers_in(srt, item_id, "notitie ontvangen")
    before = _open_deadlines(srt, item_id)
    assert ("papers", "regieteam") in {(k, b) for k, b, _, s in before if s == "done"}
    _at(srt, "2024-02-06T09:00")
    engine.move(srt, item_id, "voorleggen")
    undo(srt, item_id, "verkeerd orgaan")
    assert [(k, b, d) for k, b, d, s in _open_deadlines(srt, item_id)] == [
        (k, b, d) for k, b, d, _ in before
    ]
    assert {k: s for k, _, _, s in _open_deadlines(srt, item_id)}["papers"] == "done"


def test_a_second_undo_undoes_the_step_before(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    engine.move(srt, item_id, "voorleggen")
    undo(srt, item_id, "mis")
    undone = undo(srt, item_id, "nog niet agenderen")
    assert undone.step == "agenderen"
    back = _item(srt, item_id)
    assert back.state == "ontvangen"
    assert _plan_of(back) == (None, None, None)
    assert _open_deadlines(srt, item_id) == []
    with pytest.raises(RefusedByRules, match="registratie"):
        undo(srt, item_id, "en nog een")


def test_the_registration_is_not_undone_the_flow_step_to_withdraw_is_named(srt: Runtime) -> None:
    item_id = _initiative(srt)
    with pytest.raises(RefusedByRules) as refused:
        undo(srt, item_id, "verkeerd geregistreerd")
    assert f"routing move {item_id}" in str(refused.value)
    assert "intrekken" in str(refused.value)


def test_a_later_step_refuses_and_names_it(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    _at(srt, "2024-02-06T09:00")
    tz = srt.config.timezone
    meetings.move_meeting(
        srt, "regieteam", dt.datetime(2024, 2, 20, 10, tzinfo=tz), True,
        dt.datetime(2024, 2, 21, 10, tzinfo=tz), True, "zaal bezet",
    )  # fmt: skip
    version = _item(srt, item_id).version
    with pytest.raises(RefusedByRules) as refused:
        undo(srt, item_id, "mis")
    message = str(refused.value)
    assert f"item {item_id} heeft na stap 'agenderen'" in message
    assert "'vergadering-verplaatst'" in message
    assert _item(srt, item_id).version == version


def test_papers_in_by_mistake_are_open_again_and_then_the_move_can_be_undone(
    srt: Runtime,
) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    planned = _open_deadlines(srt, item_id)
    plan = _item(srt, item_id).plan
    _at(srt, "2024-02-06T09:00")
    meetings.papers_in(srt, item_id, "verkeerd item")
    assert {k: s for k, _, _, s in _open_deadlines(srt, item_id)}["papers"] == "done"
    _at(srt, "2024-02-06T10:00")
    done = undo(srt, item_id, "stukken hoorden bij item 2")
    assert done.step == "stukken" and done.from_state == done.to_state == "regieteam"
    assert _open_deadlines(srt, item_id) == planned  # to be met again, the same round
    assert _item(srt, item_id).plan == plan
    assert undo(srt, item_id, "en nog niet agenderen").step == "agenderen"
    assert _item(srt, item_id).state == "ontvangen"
    assert audit.verify(srt).report.intact


def test_papers_in_after_their_deadline_are_missed_again_after_the_undo(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    _at(srt, "2024-02-14T09:00")  # the papers were due on 13 February
    meetings.papers_in(srt, item_id)
    undo(srt, item_id, "mis")
    statuses = {k: s for k, _, _, s in _open_deadlines(srt, item_id)}
    assert statuses["papers"] == "escalated"
    assert statuses["meeting"] == "open"


def test_an_edit_after_the_step_does_not_stand_in_the_way(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    edit_item(srt, item_id, title="Initiatief Talentpunt Gooi")
    undo(srt, item_id, "te vroeg geagendeerd")
    item = _item(srt, item_id)
    assert (item.state, item.title) == ("ontvangen", "Initiatief Talentpunt Gooi")


def test_the_e_and_i_decision_and_its_waiting_mail_are_withdrawn(srt: Runtime) -> None:
    item_id = _initiative(srt, topics=("llo",))
    for trigger in ("agenderen", "reageren"):
        engine.move(srt, item_id, trigger)
    _at(srt, "2024-02-06T09:00")
    moved = engine.move(srt, item_id, "afronden")
    assert moved.to_state == "afgerond"
    with srt.session(read=True) as db:
        assert db.exec(select(EiDecision)).one().inform
        mail = db.exec(select(Outbox).where(Outbox.kind == "ei")).one()
        assert mail.status == "pending"
    done = undo(srt, item_id, "nog niet afgerond")
    assert _item(srt, item_id).state == "uta-supportteam"
    assert any(f"#{mail.id}" in effect for effect in done.effects)
    with srt.session(read=True) as db:
        assert db.exec(select(EiDecision)).first() is None
        withdrawn = db.get(Outbox, mail.id)
        assert withdrawn is not None and withdrawn.status == "withdrawn"
    # the daemon never sends it now
    report = deliver_due(srt.engine, srt.config.notify, srt.clock.now() + dt.timedelta(days=1))
    assert report.sent == 0


def test_mail_held_for_the_daily_overview_is_withdrawn_and_a_bundled_one_is_not(
    config_path: Path, migrated_store: Path
) -> None:
    """As shipped, the E&I mail waits for each address's daily overview: until the overview is
    composed it can be withdrawn; once its lines are in an overview, the step stands."""
    rt = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    try:
        first, second = _initiative(rt, topics=("llo",)), _initiative(rt, topics=("llo",))
        for item_id in (first, second):
            for trigger in ("agenderen", "reageren", "afronden"):
                engine.move(rt, item_id, trigger)
        with rt.session(read=True) as db:
            held = db.exec(select(Outbox).where(Outbox.item_id == first)).all()
        assert held and {row.status for row in held} == {"held"}
        undo(rt, first, "nog niet afgerond")
        with rt.session(read=True) as db:
            statuses = {db.get(Outbox, row.id).status for row in held}  # type: ignore[union-attr]
        assert statuses == {"withdrawn"}
        _at(rt, "2024-02-06T07:31")  # the next morning's overview takes the second's lines
        sweep(rt, rt.config.daemon)
        with rt.session(read=True) as db:
            lines = db.exec(select(Outbox).where(Outbox.item_id == second)).all()
        assert lines and {row.status for row in lines} == {"bundled"}
        with pytest.raises(RefusedByRules, match="al verstuurd"):
            undo(rt, second, "nog niet afgerond")
        assert _item(rt, second).state == "afgerond"
    finally:
        rt.close()


def test_a_mail_already_sent_cannot_be_recalled(srt: Runtime) -> None:
    item_id = _initiative(srt, topics=("llo",))
    for trigger in ("agenderen", "reageren", "afronden"):
        engine.move(srt, item_id, trigger)
    later = srt.clock.now() + dt.timedelta(hours=1)
    assert deliver_due(srt.engine, srt.config.notify, later).sent == 1
    _at(srt, "2024-02-05T11:00")
    with pytest.raises(RefusedByRules) as refused:
        undo(srt, item_id, "nog niet afgerond")
    assert "is al verstuurd op" in str(refused.value)
    assert "'afronden'" in str(refused.value)
    assert _item(srt, item_id).state == "afgerond"


def test_an_outcome_recorded_at_a_meeting_close_leaves_the_decision_list(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    meeting_at = _item(srt, item_id).planned_meeting_at
    assert meeting_at is not None
    _at(srt, "2024-02-20T12:00")
    close_meeting(srt, "regieteam", dt.date(2024, 2, 20), {item_id: Answer("voorleggen")})
    with srt.session(read=True) as db:
        assert len(db.exec(select(MeetingOutcome)).all()) == 1
    done = undo(srt, item_id, "verkeerde uitkomst genoteerd")
    assert any("besluitenlijst" in effect for effect in done.effects)
    with srt.session(read=True) as db:
        assert db.exec(select(MeetingOutcome)).all() == []
    item = _item(srt, item_id)
    assert (item.state, item.planned_meeting_at) == ("regieteam", meeting_at)
    # back on the meeting, which stays closed: a second close is still refused
    with pytest.raises(RefusedByRules, match="gesloten"):
        close_meeting(srt, "regieteam", dt.date(2024, 2, 20), {item_id: Answer("reageren")})


def test_a_stale_version_is_refused(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    stale = _item(srt, item_id).version - 1
    with pytest.raises(ItemChanged):
        undo(srt, item_id, "mis", expected_version=stale)


def test_an_empty_reason_is_bad_input(srt: Runtime) -> None:
    item_id = _initiative(srt)
    engine.move(srt, item_id, "agenderen")
    with pytest.raises(BadInput, match="--reason"):
        undo(srt, item_id, "   ")


# --- the command, as the secretary types it -----------------------------------------------


def test_the_issue_case_on_the_command_line(cmd: InProcessCli) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-05T09:00")
    cmd("move", "1", "agenderen", "--now", "2024-02-05T09:00")
    cmd("move", "1", "voorleggen", "--now", "2024-02-06T09:00")
    refused = cmd("move", "1", "terug", "--now", "2024-02-06T09:30", check=False)
    assert refused.returncode == 2 and "routing undo 1 --reason" in refused.stderr
    result = cmd("undo", "1", "--reason", "per ongeluk", "--now", "2024-02-06T10:00")
    assert "Item 1: stap 'voorleggen' ongedaan gemaakt: pfho-wp → regieteam." in result.stdout
    assert "Regieteam Werk & Participatie" in result.stdout
    assert cmd("audit", "verify").returncode == 0
    refused = cmd("undo", "1", "--reason", "en nog eens", "--if-version", "1", check=False)
    assert refused.returncode == 1 and len(refused.stderr.splitlines()) == 1


def test_undo_json(cmd: InProcessCli) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-05T09:00")
    cmd("move", "1", "agenderen", "--now", "2024-02-05T09:00")
    result = cmd("undo", "1", "--reason", "mis", "--json", "--now", "2024-02-05T10:00")
    assert '"undone": "agenderen"' in result.stdout.replace("\n", " ").replace("  ", " ") or (
        '"undone":"agenderen"' in result.stdout
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("undo", "1"), "--reason"),
        (("undo", "1", "--reason", ""), "--reason is leeg"),
        (("undo", "99", "--reason", "mis"), "99"),
        (("undo", "een", "--reason", "mis"), "een"),
        (("undo", "1", "--reason", "mis", "--if-version", "x"), "--if-version"),
    ],
)
def test_bad_input_changes_nothing(
    cmd: InProcessCli, migrated_store: Path, args: tuple[str, ...], words: str
) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-05T09:00")
    cmd("move", "1", "agenderen", "--now", "2024-02-05T09:00")
    before = dump(migrated_store)
    result = cmd(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before


def test_a_refusal_changes_nothing(cmd: InProcessCli, migrated_store: Path) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-05T09:00")
    before = dump(migrated_store)
    result = cmd("undo", "1", "--reason", "mis", check=False)
    assert result.returncode == 1
    assert "intrekken" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_undo_on_postgresql(
    config_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_DATABASE_URL", postgres_url)
    rt = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    try:
        store.migrate(rt.raw_engine())
        item_id = _initiative(rt, topics=("llo",))
        engine.move(rt, item_id, "agenderen")
        at_regieteam = _item(rt, item_id)
        _at(rt, "2024-02-06T09:00")
        engine.move(rt, item_id, "voorleggen")
        undo(rt, item_id, "per ongeluk")
        back = _item(rt, item_id)
        assert back.state == "regieteam"
        assert _plan_of(back) == _plan_of(at_regieteam)
        assert [e.trigger for e in _trail(rt, item_id)][-1] == UNDO_TRIGGER
        assert audit.verify(rt).report.intact
    finally:
        rt.close()
