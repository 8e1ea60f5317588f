"""The sweep at fixed moments on the shipped calendar, checked against dates worked out by hand.

Shipped calendar, 2024 (see routing/starter.toml): Regieteam every other Tuesday 10:00 from
9 January, papers 5 working days before at 12:00, reminder 3 working days before that; PFHO W&P
the 2nd Thursday 14:00 (not July/August, not on a holiday: 9 May is Hemelvaart), papers 7 working
days; UTA supportteam the 3rd Wednesday 13:30 (not July/August); UTA stuurgroep 21 March,
20 June, 3 October and 12 December at 15:00; wethouder hand-over 10 working days before the
stuurgroep at 12:00.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from routing.clock import FixedClock, parse_moment
from routing.effects.sweep import SweepReport, _handle_deadline, record_installation, sweep
from routing.engine import items as engine
from routing.engine import meeting_changes
from routing.read.items import item_detail
from routing.read.reports import item_time
from routing.runtime import Runtime
from store import Item
from store.schedule_models import Deadline, Effect, MeetingRow, Outbox

AMS = dt.timezone(dt.timedelta(hours=1))  # CET, for literals in winter
CEST = dt.timezone(dt.timedelta(hours=2))


def at(rt: Runtime, moment: str) -> None:
    rt.clock = FixedClock(parse_moment(moment, rt.config.timezone))


def run(rt: Runtime, moment: str) -> SweepReport:
    at(rt, moment)
    return sweep(rt, rt.config.daemon)


@pytest.fixture
def year(rt: Runtime) -> Iterator[Runtime]:
    """The store as it was on 1 January 2024."""
    at(rt, "2024-01-01T00:00")
    record_installation(rt)
    yield rt


def _outbox(rt: Runtime, kind: str | None = None) -> list[Outbox]:
    with rt.session() as db:
        query = select(Outbox).order_by(col(Outbox.id))
        if kind:
            query = query.where(Outbox.kind == kind)
        return list(db.exec(query).all())


def _items(rt: Runtime, flow: str) -> list[Item]:
    with rt.session() as db:
        return list(db.exec(select(Item).where(Item.flow_name == flow).order_by(col(Item.id))))


def _point(rt: Runtime, moment: str, **extra: object) -> int:
    at(rt, moment)
    spec = engine.ItemSpec(title="LLO-verkenning", flow="agendapunt-supportteam", **extra)  # type: ignore[arg-type]
    item = engine.create_item(rt, spec)
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    return item.id


def test_entering_the_regieteam_plans_the_next_feasible_meeting(year: Runtime) -> None:
    item_id = _point(year, "2024-02-05T09:00")
    time = item_time(year, item_id)
    # 6 February is too close (papers were due 30 January): 20 February it is
    assert time["planned"] == {"body": "regieteam", "meeting": "2024-02-20T09:00:00+00:00"}
    assert [(d["kind"], d["due"]) for d in time["deadlines"]] == [
        ("reminder", "2024-02-08T11:00:00+00:00"),
        ("papers", "2024-02-13T11:00:00+00:00"),
        ("meeting", "2024-02-20T09:00:00+00:00"),
    ]


def test_reminder_escalation_and_roll_over_each_once(year: Runtime) -> None:
    item_id = _point(year, "2024-02-05T09:00", owner="a.keates@regiogv.example")
    seen: set[int] = set()

    def effects(moment: str) -> dict[str, int]:
        """The messages this sweep wrote about our item (feedback items have deadlines too)."""
        run(year, moment)
        new = [row for row in _outbox(year) if row.item_id == item_id and row.id not in seen]
        seen.update(row.id for row in new if row.id is not None)
        # one message may be several rows: one per address held for the daily overview
        counts: dict[str, int] = {}
        for effect in {(row.kind, row.key.partition(">")[0]) for row in new}:
            counts[effect[0]] = counts.get(effect[0], 0) + 1
        return counts

    assert effects("2024-02-08T11:59") == {}
    assert effects("2024-02-08T12:00") == {"reminder": 1}
    assert effects("2024-02-08T12:05") == {}
    assert effects("2024-02-13T12:00") == {"escalation": 1}
    # the meeting of 20 February passes; after the two days' grace the item rolls over
    assert effects("2024-02-22T09:59") == {}
    assert effects("2024-02-22T10:00") == {"rollover": 1}
    assert effects("2024-02-22T10:00") == {}
    time = item_time(year, item_id)
    assert time["planned"] == {"body": "regieteam", "meeting": "2024-03-05T09:00:00+00:00"}
    assert ("papers", "2024-02-27T11:00:00+00:00") in [
        (d["kind"], d["due"]) for d in time["deadlines"]
    ]
    history = item_detail(year, item_id)["history"]
    assert history[-1]["trigger"] == "doorschuiven"
    assert history[-1]["actor"] == "routing-daemon"
    escalation = [row for row in _outbox(year, "escalation") if row.item_id == item_id]
    assert len(escalation) == 1
    assert "a.keates@regiogv.example" in escalation[0].recipients
    assert "secretariaat.wp@regiogv.example" in escalation[0].recipients


def test_papers_in_means_no_reminder_and_no_escalation(year: Runtime) -> None:
    from routing.engine.meetings import papers_in

    item_id = _point(year, "2024-02-05T09:00")
    at(year, "2024-02-07T10:00")
    assert papers_in(year, item_id, "Notitie ontvangen") == 2
    counts = run(year, "2024-02-14T08:00").counts
    assert "reminder" not in counts
    assert "escalation" not in counts


def test_feedback_item_after_each_uta_meeting_once(year: Runtime) -> None:
    report = run(year, "2024-01-17T16:00")  # supportteam met at 13:30
    assert report.counts == {"feedback": 1}
    assert run(year, "2024-01-17T16:05").counts == {}
    (item,) = _items(year, "terugkoppeling-supportteam")
    assert item.title == "Terugkoppeling UTA supportteam van 17 januari 2024"
    assert item.state == "regieteam"
    assert item.owner == "Gemeente Hilversum"
    # 23 January's papers were due 16 January: the first feasible Regieteam is 6 February
    assert item.planned_meeting_at == dt.datetime(2024, 2, 6, 10, 0, tzinfo=AMS)

    run(year, "2024-03-22T08:00")  # stuurgroep met on 21 March
    (feedback,) = _items(year, "terugkoppeling-stuurgroep")
    assert feedback.state == "pfho-wp"
    assert feedback.planned_meeting_at == dt.datetime(2024, 4, 11, 14, 0, tzinfo=CEST)


def test_a_year_of_weekly_sweeps_creates_every_feedback_item_once(year: Runtime) -> None:
    moment = dt.datetime(2024, 1, 1, 8, 0)
    for _ in range(53):
        run(year, moment.isoformat())
        moment += dt.timedelta(days=7)
    run(year, "2024-12-31T23:00")
    run(year, "2024-12-31T23:00")  # a second sweep at the same moment adds nothing
    support = [i.title for i in _items(year, "terugkoppeling-supportteam")]
    stuur = [i.title for i in _items(year, "terugkoppeling-stuurgroep")]
    assert len(support) == 10, support
    assert stuur == [
        "Terugkoppeling UTA stuurgroep van 21 maart 2024",
        "Terugkoppeling UTA stuurgroep van 20 juni 2024",
        "Terugkoppeling UTA stuurgroep van 3 oktober 2024",
        "Terugkoppeling UTA stuurgroep van 12 december 2024",
    ]
    with year.session() as db:
        assert len(db.exec(select(Effect).where(Effect.kind == "feedback")).all()) == 14
    digests = [row.subject for row in _outbox(year, "digest")]
    assert digests == [
        "Voortgang Werk & Participatie / UTA, 2024-K1, voor PFHO Economie & Innovatie",
        "Voortgang Werk & Participatie / UTA, 2024-K2, voor PFHO Economie & Innovatie",
        "Voortgang Werk & Participatie / UTA, 2024-K3, voor PFHO Economie & Innovatie",
    ]


def test_a_daemon_down_for_weeks_catches_up_once_per_effect(year: Runtime) -> None:
    _point(year, "2024-02-05T09:00")
    first = run(year, "2024-03-01T08:00")
    # the reminder came too late to matter: only the escalation; the 20 Feb meeting passed: a
    # roll-over (to 19 March: 5 March's papers were due 27 February); the supportteam met on
    # 17 January and 21 February: two feedback items
    assert first.counts == {"escalation": 1, "rollover": 1, "feedback": 2}
    assert run(year, "2024-03-01T08:00").counts == {}


def test_ei_is_informed_by_topic_and_the_decision_is_recorded(year: Runtime) -> None:
    item_id = _point(year, "2024-02-05T09:00", topics=["llo"], kenmerk="DOC-24003697")
    for trigger in ("inbrengen", "besproken"):
        engine.move(year, item_id, trigger)
    moved = engine.move(year, item_id, "terugkoppelen", note="Supportteam positief over LLO")
    assert any("ei-ambtelijk" in effect for effect in moved.effects)
    time = item_time(year, item_id)
    assert [(d["body"], d["inform"], d["decided_by"]) for d in time["ei"]] == [
        ("ei-ambtelijk", True, "auto")
    ]
    # held for the daily overview of each address (the default), the same text for both
    mails = _outbox(year, "ei")
    assert [(m.status, m.recipients) for m in mails] == [
        ("held", ["secretariaat.wp@regiogv.example"]),
        ("held", ["ei.ambtelijk@regiogv.example"]),
    ]
    for mail in mails:
        assert "LLO-verkenning" in mail.subject
        assert "Supportteam positief over LLO" in mail.body


def test_the_secretary_can_overrule_and_confidential_items_keep_their_content(
    year: Runtime,
) -> None:
    item_id = _point(
        year, "2024-02-05T09:00", topics=["zorg"], kenmerk="DOC-24009999", vertrouwelijk=True
    )
    for trigger in ("inbrengen", "besproken"):
        engine.move(year, item_id, trigger)
    engine.move(year, item_id, "terugkoppelen", note="Geheime details", inform_ei=True)
    mail = _outbox(year, "ei")[-1]
    assert mail.recipients == ["ei.ambtelijk@regiogv.example"]
    assert "LLO-verkenning" not in mail.subject + mail.body
    assert "Geheime details" not in mail.body
    assert "DOC-24009999" in mail.subject
    decision = item_time(year, item_id)["ei"][0]
    assert (decision["inform"], decision["decided_by"]) == (True, "secretaris")


def test_a_slipping_plan_warns_once_and_names_the_earliest_reachable(year: Runtime) -> None:
    at(year, "2024-02-05T09:00")
    item = engine.create_item(
        year,
        engine.ItemSpec(
            title="Regionaal Talentfonds",
            flow="agendapunt-stuurgroep",
            target_day=dt.date(2024, 6, 20),
        ),
    )
    assert item.target_body == "uta-stuurgroep"
    assert "slip" not in run(year, "2024-03-01T08:00").counts
    assert run(year, "2024-04-03T08:00").counts.get("slip") == 1
    assert "slip" not in run(year, "2024-04-04T08:00").counts
    (warning,) = _outbox(year, "slip")
    assert "20 juni 2024" in warning.subject
    assert "3 oktober 2024" in warning.body


def test_daemon_runs_from_the_cli_with_json(year: Runtime, config_path: Path) -> None:
    from tests.conftest import Cli

    cli = Cli(config_path)
    result = cli("daemon", "--once", "--now", "2024-01-17T16:00", "--json")
    assert json.loads(result.stdout)["counts"] == {"feedback": 1}
    status = json.loads(cli("daemon", "--status", "--now", "2024-01-17T16:03", "--json").stdout)
    assert status["sweeps"] == 1 and status["silent"] is False


def test_a_plan_cut_by_a_cancelled_meeting_warns_at_the_next_sweep(year: Runtime) -> None:
    """The slip check runs for an item when its plan's next deadline passes, when it changes,
    and when the calendars change: on 1 March the point is on its way to the stuurgroep of
    20 June through the PFHO W&P of 11 April (papers 2 April); with that meeting cancelled the
    road goes through 14 March, whose Regieteam deadline has passed."""
    at(year, "2024-02-05T09:00")
    spec = engine.ItemSpec(title="Talentfonds", flow="agendapunt-stuurgroep",
                           target_day=dt.date(2024, 6, 20))  # fmt: skip
    engine.create_item(year, spec)
    assert "slip" not in run(year, "2024-03-01T08:00").counts
    assert "slip" not in run(year, "2024-03-01T08:30").counts
    at(year, "2024-03-01T09:00")
    with year.session() as db:
        (row,) = db.exec(
            select(MeetingRow)
            .where(MeetingRow.body == "pfho-wp")
            .where(col(MeetingRow.start_at) == dt.datetime(2024, 4, 11, 12, 0, tzinfo=dt.UTC))
        ).all()
        meeting_changes.cancel_meeting(
            db, year, row, now=year.clock.now(), actor="secretaris", reason="reces",
            origin="command",
        )  # fmt: skip
    assert run(year, "2024-03-01T10:00").counts.get("slip") == 1
    assert "slip" not in run(year, "2024-03-01T11:00").counts
    (warning,) = _outbox(year, "slip")
    assert "20 juni 2024" in warning.subject


def test_a_meeting_deadline_waits_for_its_rounds_escalation(year: Runtime) -> None:
    """A second daemon (or a killed first one) can leave the papers deadline unhandled while
    the meeting's deadline is taken: the roll-over must wait, or it supersedes the escalation
    unsent. (Found by the crash harness: two daemons on PostgreSQL, one killed holding it.)"""
    item_id = _point(year, "2024-02-05T09:00")
    at(year, "2024-03-01T08:00")
    with year.session() as db:
        rows = {d.kind: d.id for d in db.exec(select(Deadline).where(Deadline.item_id == item_id))}
    with year.session() as db:
        assert _handle_deadline(db, year, rows["meeting"], year.clock.now()) == []
    with year.session() as db:
        statuses = {d.kind: d.status for d in db.exec(select(Deadline))}
    assert statuses["meeting"] == "open" and statuses["papers"] == "open"
    assert _outbox(year, "escalation") == []
    # the next sweep handles them in due order: the escalation, then the roll-over
    counts = run(year, "2024-03-01T08:00").counts
    assert counts["escalation"] == 1 and counts["rollover"] == 1
