"""Closing a meeting: each item's outcome (the step fired, the besluit, a note), who attended,
and the close itself, in one transaction; and an outcome added to a closed meeting later.

A close first reads what is on the meeting and which steps the rules allow on each item now
(`machines.allowed_triggers`: the flow's guards, asked through the machine itself), then takes
the answers (given as options, or asked by an `Interview`, without holding the database), then
writes everything at once. One refused outcome and nothing of the meeting is written; an
interview keeps every other answer, asks again about the refused item only (another step, or
none) and writes again. A meeting is closed once: its `meeting_close` row, unique per body and
meeting, is what "closed" means, so a second close, also one racing the first from another
process, is refused with one line naming the fix (`routing meeting outcome`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from flows import REFLEXIVE, FlowDefinition
from routing import text
from routing.config.access import require_body
from routing.config.people import known_name
from routing.engine import commitments, machines
from routing.engine import items as engine
from routing.engine.meeting_sync import current_calendars, reading
from routing.engine.meetings import items_on_meeting, meeting_on_day
from routing.errors import BadInput, RefusedByRules, RoutingError
from routing.i18n import format_date, t, tn
from routing.runtime import Runtime
from store import Item
from store.schedule_models import MeetingClose, MeetingOutcome

__all__ = [
    "Agenda",
    "Answer",
    "Attendance",
    "CloseReport",
    "Closed",
    "Interview",
    "Point",
    "Step",
    "close_meeting",
    "record_outcome",
]

_MAX_ROUNDS = 100  # a person fixing refused items one by one; bounded all the same


@dataclass(frozen=True)
class Step:
    """A step the rules allow on an item now, as the secretary chooses it."""

    trigger: str
    title: str
    to_title: str  # the state it leads to
    to_body: str | None  # that state's body, by name; None for an end state
    stays: bool  # held over: the item stays with this body
    asks_ei: str | None = None  # the E&I body the secretary decides about informing, if any


@dataclass(frozen=True)
class Point:
    """An item on the meeting, with the steps possible now."""

    item_id: int
    title: str
    state_title: str
    body_name: str
    steps: tuple[Step, ...]

    def step(self, trigger: str | None) -> Step | None:
        return next((s for s in self.steps if s.trigger == trigger), None)


@dataclass(frozen=True)
class Answer:
    trigger: str | None = None  # None: no outcome, the item stays (the daemon rolls it over)
    decision: str | None = None  # the besluit as minuted
    note: str | None = None
    inform_ei: bool | None = None


@dataclass(frozen=True)
class Attendance:
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Agenda:
    """What a close asks about: the meeting, its points, the attendance proposed."""

    body: str
    body_name: str
    start: dt.datetime
    points: tuple[Point, ...]
    attendance: Attendance
    chair: str | None = None


@dataclass(frozen=True)
class Closed:
    item_id: int
    title: str
    trigger: str | None
    from_state: str
    to_state: str
    decision: str | None = None
    to_title: str = ""  # the title of the state it is in now


@dataclass(frozen=True)
class CloseReport:
    closed: list[Closed]
    attendance: Attendance
    skipped: list[int] = field(default_factory=list)  # items whose refused outcome was dropped


class Interview(Protocol):
    """The questions of an interactive close; the engine asks them in this order."""

    def attendance(self, agenda: Agenda) -> Attendance: ...

    def answer(self, point: Point, given: Answer | None, refusal: str | None) -> Answer: ...

    def confirm(
        self, agenda: Agenda, answers: Mapping[int, Answer], attendance: Attendance
    ) -> bool | int:
        """True: write; False: stop, nothing written; an item id: ask about that item again."""
        ...


class _Refused(Exception):
    """One item's outcome was refused while writing (the transaction is rolled back)."""

    def __init__(self, item_id: int, error: RoutingError) -> None:
        super().__init__(str(error))
        self.item_id, self.error = item_id, error


class _TakenMeanwhile(Exception):
    """Another close of the same meeting committed first."""


def close_meeting(
    rt: Runtime,
    body: str,
    day: dt.date,
    answers: Mapping[int, Answer],
    *,
    present: Sequence[str] = (),
    absent: Sequence[str] = (),
    interview: Interview | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    pledges: Sequence[commitments.Pledge] = (),
) -> CloseReport:
    """Record the outcome of every item on a meeting and fire the transitions, in one go.

    `answers` by item id (the options); `present`/`absent` edit the body's configured
    attendees; an `interview` asks instead of the options, and is asked again about an item
    whose outcome is refused while writing. `pledges`: commitments made at the meeting,
    written in the same transaction."""
    require_body(rt.config.access, rt.identity, body, rt.config.body(body).name, "close")
    answers = {item_id: _checked(answer) for item_id, answer in answers.items()}
    loose = sorted(i for i, a in answers.items() if a.trigger is None)
    if loose:
        raise BadInput(t("err.answer_without_outcome", ids=", ".join(map(str, loose))))
    agenda = _agenda(rt, body, day, _attendance(rt, body, present, absent))
    _only_on_meeting(rt, agenda, day, set(answers))
    attendance = agenda.attendance
    if interview is not None:
        attendance = _checked_attendance(rt, interview.attendance(agenda))
        for point in agenda.points:
            answers[point.item_id] = _asked(interview, point, None, None)
        _confirmed(agenda, answers, attendance, interview)
    skipped: list[int] = []
    for _ in range(_MAX_ROUNDS):
        try:
            closed = _write(rt, agenda, answers, attendance, progress, pledges)
        except _Refused as refused:
            if interview is None:
                raise refused.error from None
            point = _refreshed(rt, agenda, refused.item_id)
            agenda = replace(
                agenda, points=tuple(point if p.item_id == point.item_id else p
                                     for p in agenda.points),
            )  # fmt: skip
            fixed = _asked(interview, point, answers[point.item_id], str(refused.error))
            if fixed.trigger is None:
                skipped.append(point.item_id)
            answers[point.item_id] = fixed
            continue
        except _TakenMeanwhile:
            raise RefusedByRules(_already_closed(rt, agenda.body, agenda.start)) from None
        return CloseReport(closed, attendance, skipped)
    raise RefusedByRules(t("close.gave_up"))


def _confirmed(
    agenda: Agenda, answers: dict[int, Answer], attendance: Attendance, interview: Interview
) -> None:
    for _ in range(_MAX_ROUNDS):
        choice = interview.confirm(agenda, answers, attendance)
        if choice is True:
            return
        if choice is False:
            raise RefusedByRules(t("close.stopped"))
        point = next((p for p in agenda.points if p.item_id == choice), None)
        if point is not None:
            answers[point.item_id] = _asked(interview, point, answers[point.item_id], None)
    raise RefusedByRules(t("close.gave_up"))


def _asked(interview: Interview, point: Point, given: Answer | None, refusal: str | None) -> Answer:
    """One item's answer; a text that cannot be kept (a control character typed or pasted) is
    asked again with the reason, the answers to the other items kept."""
    for _ in range(_MAX_ROUNDS):
        answer = interview.answer(point, given, refusal)
        try:
            return _checked(answer)
        except BadInput as error:
            given, refusal = replace(answer, decision=None, note=None), str(error)
    raise RefusedByRules(t("close.gave_up"))


def _checked(answer: Answer) -> Answer:
    decision = text.checked_block("decision", answer.decision).strip() if answer.decision else None
    note = text.checked_block("note", answer.note).strip() if answer.note else None
    return replace(answer, decision=decision or None, note=note or None)


def _agenda(rt: Runtime, body: str, day: dt.date, attendance: Attendance) -> Agenda:
    with reading(rt) as (db, calendars):
        meeting = meeting_on_day(rt, calendars, body, day)
        points = tuple(_point(rt, db, item) for item in items_on_meeting(db, rt, body, meeting))
        # asked last: a close another process commits meanwhile may have moved the items read
        # above (PostgreSQL reads each statement's own snapshot); then it is found here
        _not_closed_yet(db, rt, body, meeting.start)
    config = rt.config.bodies[body]
    return Agenda(body, config.name, meeting.start, points, attendance, config.chair)


def _point(rt: Runtime, db: Session, item: Item) -> Point:
    assert item.id is not None
    flow = rt.catalog.pinned(db, item.flow_version_id)
    state = flow.state(item.state)
    steps = tuple(_step(rt, flow, item, name) for name in machines.allowed_triggers(flow, item))
    body_name = rt.config.bodies[state.body].name if state.body else ""
    return Point(item.id, item.title, state.title, body_name, steps)


def _refreshed(rt: Runtime, agenda: Agenda, item_id: int) -> Point:
    """The point as it is now (a refused step may follow a change made meanwhile): the steps
    allowed on the item now; none when it has left the meeting's body."""
    with rt.session(read=True) as db:
        item = db.get(Item, item_id)
        assert item is not None
        point = _point(rt, db, item)
        body = rt.catalog.pinned(db, item.flow_version_id).state(item.state).body
    return point if body == agenda.body else replace(point, steps=())


def _step(rt: Runtime, flow: FlowDefinition, item: Item, name: str) -> Step:
    trigger = next(t for t in flow.triggers_from(item.state) if t.name == name)
    dest = trigger.target_from(item.state)
    to_state = flow.state(dest)
    to_body = rt.config.bodies[to_state.body].name if to_state.body else None
    stays = trigger.dest == REFLEXIVE
    rule = flow.inform_ei
    asks_ei = None  # the flow leaves informing E&I on this step to the secretary: asked
    if rule is not None and rule.trigger == name and rule.mode == "secretary":
        known = rt.config.bodies.get(rule.body)
        asks_ei = known.name if known else rule.body
    return Step(name, trigger.title or name, to_state.title, to_body, stays, asks_ei)


def _only_on_meeting(rt: Runtime, agenda: Agenda, day: dt.date, asked: set[int]) -> None:
    known = {p.item_id for p in agenda.points}
    strangers = sorted(asked - known)
    if strangers:
        raise BadInput(
            tn(
                "err.not_on_meeting",
                len(strangers),
                ids=", ".join(map(str, strangers)),
                body=agenda.body_name,
                date=format_date(day),
                on_it=", ".join(str(i) for i in sorted(known)) or t("word.none"),
            )
        )


def _attendance(
    rt: Runtime, body: str, present: Sequence[str], absent: Sequence[str]
) -> Attendance:
    """The body's configured attendees, minus those sent apologies, plus those added."""
    gone = [_person(rt, name) for name in absent]
    added = [_person(rt, name) for name in present]
    folded = {name.casefold() for name in gone}
    there = [n for n in rt.config.bodies[body].attendees if n.casefold() not in folded]
    there += [n for n in added if n.casefold() not in {x.casefold() for x in there}]
    return Attendance(tuple(there), tuple(dict.fromkeys(gone)))


def _checked_attendance(rt: Runtime, attendance: Attendance) -> Attendance:
    """The names as [people] spells them; someone absent is not present as well."""
    absent = tuple(dict.fromkeys(_person(rt, n) for n in attendance.absent))
    gone = {name.casefold() for name in absent}
    present = (_person(rt, n) for n in attendance.present)
    return Attendance(tuple(dict.fromkeys(n for n in present if n.casefold() not in gone)), absent)


def _person(rt: Runtime, name: str) -> str:
    """A name from [people] as the configuration spells it, or the name as typed."""
    name = text.checked_line("name", name)
    if not name:
        raise BadInput(t("err.empty_name"))
    return known_name(rt.config, name) or name


def _not_closed_yet(db: Session, rt: Runtime, body: str, start: dt.datetime) -> None:
    if _close_row(db, body, start) is not None:
        raise RefusedByRules(_already_closed(rt, body, start, db))


def _close_row(db: Session, body: str, start: dt.datetime) -> MeetingClose | None:
    return db.exec(
        select(MeetingClose)
        .where(MeetingClose.body == body)
        .where(col(MeetingClose.meeting_at) == start.astimezone(dt.UTC))
    ).first()


def _already_closed(rt: Runtime, body: str, start: dt.datetime, db: Session | None = None) -> str:
    if db is None:
        with rt.session(read=True) as fresh:
            return _already_closed(rt, body, start, fresh)
    row = _close_row(db, body, start)
    tz = rt.config.timezone
    day = start.astimezone(tz).date()
    return t(
        "err.meeting_closed_once",
        body=rt.config.bodies[body].name,
        date=format_date(day),
        at=format_date(row.closed_at.astimezone(tz), with_time=True) if row else "?",
        by=row.actor if row else "?",
        key=body,
        iso=day.isoformat(),
    )


def _write(
    rt: Runtime,
    agenda: Agenda,
    answers: Mapping[int, Answer],
    attendance: Attendance,
    progress: Callable[[str, int, int], None] | None,
    pledges: Sequence[commitments.Pledge] = (),
) -> list[Closed]:
    now = rt.clock.now()
    results: list[Closed] = []
    with rt.session() as db:
        _claim_close(db, rt, agenda, attendance, now)
        for done, point in enumerate(agenda.points, start=1):
            if progress is not None:
                progress("close", done, len(agenda.points))
            answer = answers.get(point.item_id) or Answer()
            item = db.get(Item, point.item_id)
            assert item is not None
            if answer.trigger is None:
                results.append(
                    Closed(point.item_id, item.title, None, item.state, item.state,
                           to_title=point.state_title)
                )  # fmt: skip
                continue
            try:
                closed = _fire(db, rt, agenda.body, agenda.start, item, answer, now)
            except RoutingError as error:
                raise _Refused(point.item_id, error) from None
            results.append(closed)
        for pledge in pledges:
            commitments.record(db, rt, pledge, now, (agenda.body, agenda.start))
    return results


def _claim_close(
    db: Session, rt: Runtime, agenda: Agenda, attendance: Attendance, now: dt.datetime
) -> None:
    """The close's own row, first in its transaction. SQLite: a second writer waits for the
    lock and then finds the row; PostgreSQL: it waits on the unique key and fails there."""
    if _close_row(db, agenda.body, agenda.start) is not None:
        raise _TakenMeanwhile()
    row = MeetingClose(
        body=agenda.body, meeting_at=agenda.start, closed_at=now, actor=rt.actor,
        attendees=list(attendance.present), absent=list(attendance.absent),
    )  # fmt: skip
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise _TakenMeanwhile() from None


def _fire(
    db: Session,
    rt: Runtime,
    body: str,
    start: dt.datetime,
    item: Item,
    answer: Answer,
    now: dt.datetime,
) -> Closed:
    """One outcome: the step through the engine's one path, and its row for the besluitenlijst."""
    assert item.id is not None and answer.trigger is not None
    moved = engine.move_in(
        db, rt, item.id, answer.trigger, now=now, note=answer.note, inform_ei=answer.inform_ei
    )
    db.add(
        MeetingOutcome(
            body=body, meeting_at=start, item_id=item.id, trigger=answer.trigger,
            to_state=moved.to_state, note=answer.note, decision=answer.decision, actor=rt.actor,
            at=now,
        )
    )  # fmt: skip
    to_title = rt.catalog.pinned(db, item.flow_version_id).state(moved.to_state).title
    return Closed(
        item.id, item.title, answer.trigger, moved.from_state, moved.to_state, answer.decision,
        to_title,
    )  # fmt: skip


def record_outcome(rt: Runtime, body: str, day: dt.date, item_id: int, answer: Answer) -> Closed:
    """`routing meeting outcome`: an outcome added to a meeting closed before, fired through
    the same path as a close; refused when the meeting is not closed yet or the item has an
    outcome at it already."""
    require_body(rt.config.access, rt.identity, body, rt.config.body(body).name, "close")
    answer = _checked(answer)
    now = rt.clock.now()
    with rt.session() as db:
        meeting = meeting_on_day(rt, current_calendars(rt, db), body, day)
        name = rt.config.bodies[body].name
        iso = day.isoformat()
        if _close_row(db, body, meeting.start) is None:
            raise RefusedByRules(
                t("err.outcome_not_closed", body=name, date=format_date(day), key=body, iso=iso)
            )
        earlier = db.exec(
            select(MeetingOutcome)
            .where(MeetingOutcome.body == body, MeetingOutcome.item_id == item_id)
            .where(col(MeetingOutcome.meeting_at) == meeting.start.astimezone(dt.UTC))
        ).first()
        if earlier is not None:
            raise RefusedByRules(
                t("err.outcome_exists", id=item_id, body=name, date=format_date(day),
                  trigger=earlier.trigger)
            )  # fmt: skip
        on_it = {i.id: i for i in items_on_meeting(db, rt, body, meeting)}
        item = on_it.get(item_id)
        if item is None:
            raise BadInput(
                tn("err.not_on_meeting", 1, ids=str(item_id), body=name, date=format_date(day),
                   on_it=", ".join(str(i) for i in sorted(i for i in on_it if i)) or t("word.none"))
            )  # fmt: skip
        return _fire(db, rt, body, meeting.start, item, answer, now)
