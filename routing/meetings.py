"""Meetings as the secretariat handles them: what is on a meeting, papers in, closing a meeting.

Closing a meeting records the outcome of every item on it and fires the transitions in one
transaction: one refused outcome and nothing of the meeting is written, so it can be corrected
and given again. Items left without an outcome stay where they are; the daemon rolls them over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from routing import calendar, engine, machines, planning
from routing.calendars import load_calendars
from routing.errors import BadInput, RefusedByRules
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import AuditEvent, Item, queries
from store.schedule_models import Deadline, MeetingOutcome

__all__ = [
    "Closed",
    "close_meeting",
    "items_on_meeting",
    "list_meetings",
    "meeting_on_day",
    "papers_in",
]

_HORIZON = dt.timedelta(days=400)


def list_meetings(
    rt: Runtime, body: str | None, start: dt.datetime, end: dt.datetime | None
) -> list[dict[str, Any]]:
    """Meetings with their papers deadline and how many open items are planned on each.

    A stuurgroep-like meeting (the target of a person's hand-over) is flagged when no meeting of
    a body that prepares for it falls between the papers' arrival and the meeting (rule 6).
    """
    if body is not None:
        rt.config.body(body)
    end = end or start + dt.timedelta(days=92)
    with rt.session() as db:
        calendars = load_calendars(rt.config, db)
        meetings = calendars.meetings_between(start, end, [body] if body else None)
        planned = _planned_counts(db)
    preparing = _preparing_bodies(rt)
    rows = []
    for meeting in meetings:
        row = {
            "body": meeting.body,
            "body_name": rt.config.bodies[meeting.body].name,
            "start": meeting.start.isoformat(),
            "papers_due": meeting.papers_due.isoformat(),
            "key": meeting.key,
            "items": planned.get((meeting.body, meeting.start.astimezone(dt.UTC)), 0),
            "no_regional_preparation": None,
        }
        if meeting.body in preparing:
            between = calendars.meetings_between(
                meeting.papers_due, meeting.start, sorted(preparing[meeting.body])
            )
            row["no_regional_preparation"] = not between
        rows.append(row)
    return rows


def _preparing_bodies(rt: Runtime) -> dict[str, set[str]]:
    """For each body a person hands over to: the bodies whose states lead to that person.

    With the shipped flows: the UTA stuurgroep is prepared by the PFHO W&P (pfho-wp →
    wethouder-hilversum → uta-stuurgroep).
    """
    found: dict[str, set[str]] = {}
    for flow in rt.catalog.current.values():
        for trigger in flow.triggers:
            if trigger.dest == "=":
                continue
            person = flow.state(trigger.dest).body
            if person is None or rt.config.bodies[person].kind != "persoon":
                continue
            target = rt.config.bodies[person].handover_to
            for source in trigger.sources:
                body = flow.state(source).body
                if body is not None and target is not None and body != person:
                    found.setdefault(target, set()).add(body)
    return found


def _planned_counts(db: Session) -> dict[tuple[str, dt.datetime], int]:
    counts: dict[tuple[str, dt.datetime], int] = {}
    rows = db.exec(
        select(Deadline.body, Deadline.meeting_at).where(
            Deadline.kind == "meeting", Deadline.status == "open"
        )
    ).all()
    for body, at in rows:
        counts[(body, at)] = counts.get((body, at), 0) + 1
    return counts


def meeting_on_day(rt: Runtime, db: Session, body: str, day: dt.date) -> calendar.Meeting:
    """The body's meeting on `day`; a day without one is the user's mistake."""
    found = load_calendars(rt.config, db).meeting_on(body, day)
    if found is None:
        raise BadInput(
            t("err.no_meeting_on", body=rt.config.body(body).name, date=format_date(day), key=body)
        )
    return found


def items_on_meeting(db: Session, rt: Runtime, body: str, meeting: calendar.Meeting) -> list[Item]:
    """Open items planned on this meeting, also when a roll-over moved them on meanwhile."""
    ids = db.exec(
        select(Deadline.item_id)
        .where(Deadline.kind == "meeting", Deadline.body == body)
        .where(col(Deadline.meeting_at) == meeting.start.astimezone(dt.UTC))
        .where(col(Deadline.status) != "superseded")
    ).all()
    rolled = db.exec(
        select(Deadline.item_id)
        .where(Deadline.kind == "meeting", Deadline.body == body, Deadline.status == "superseded")
        .where(col(Deadline.meeting_at) == meeting.start.astimezone(dt.UTC))
    ).all()
    items = []
    for item in queries.list_items(db, ids=set(ids) | set(rolled)):
        flow = rt.catalog.pinned(db, item.flow_version_id)
        if flow.state(item.state).body == body and not flow.state(item.state).final:
            items.append(item)
    return items


@dataclass(frozen=True)
class Closed:
    item_id: int
    title: str
    trigger: str | None
    from_state: str
    to_state: str


Chooser = Callable[[Item, list[str]], tuple[str | None, str | None]]


def close_meeting(
    rt: Runtime,
    body: str,
    day: dt.date,
    outcomes: Mapping[int, str],
    notes: Mapping[int, str] | None = None,
    choose: Chooser | None = None,
    inform_ei: Mapping[int, bool] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Closed]:
    """Fire each item's outcome; `choose` asks per item when `outcomes` is empty."""
    rt.config.body(body)
    now = rt.clock.now()
    notes = notes or {}
    results: list[Closed] = []
    with rt.session() as db:
        meeting = meeting_on_day(rt, db, body, day)
        on_meeting = items_on_meeting(db, rt, body, meeting)
        known = {item.id for item in on_meeting}
        strangers = sorted(set(outcomes) - known)
        if strangers:
            on_it = ", ".join(str(i) for i in sorted(i for i in known if i is not None))
            raise BadInput(
                t(
                    "err.not_on_meeting",
                    ids=", ".join(map(str, strangers)),
                    body=rt.config.bodies[body].name,
                    date=format_date(day),
                    on_it=on_it or t("word.none"),
                )
            )
        for done, item in enumerate(on_meeting, start=1):
            assert item.id is not None
            if progress is not None and choose is None:  # no bar over an interactive question
                progress("close", done, len(on_meeting))
            flow = rt.catalog.pinned(db, item.flow_version_id)
            trigger, note = outcomes.get(item.id), notes.get(item.id)
            if trigger is None and choose is not None and not outcomes:
                trigger, note = choose(item, machines.possible_triggers(flow, item.state))
            if trigger is None:
                results.append(Closed(item.id, item.title, None, item.state, item.state))
                continue
            moved = engine.move_in(
                db, rt, item.id, trigger, now=now, note=note, expected=item.version,
                inform_ei=(inform_ei or {}).get(item.id),
            )  # fmt: skip
            db.add(
                MeetingOutcome(
                    body=body, meeting_at=meeting.start, item_id=item.id, trigger=trigger,
                    to_state=moved.to_state, note=note, actor=rt.actor, at=now,
                )
            )  # fmt: skip
            results.append(Closed(item.id, item.title, trigger, moved.from_state, moved.to_state))
    return results


def papers_in(rt: Runtime, item_id: int, note: str | None = None) -> int:
    """Record that an item's papers are in: its reminder and papers deadline are met."""
    now = rt.clock.now()
    with rt.session() as db:
        item = engine.load_item(db, item_id)
        open_rows = db.exec(
            select(Deadline).where(
                Deadline.item_id == item_id,
                col(Deadline.status).in_(planning.OPEN_STATUSES),
                col(Deadline.kind).in_(["reminder", "papers", "handover"]),
            )
        ).all()
        if not open_rows:
            raise RefusedByRules(t("err.no_open_papers", id=item_id, state=item.state))
        for row in open_rows:
            row.status, row.handled_at = "done", now
            db.add(row)
        db.add(
            AuditEvent(
                item_id=item_id, from_state=item.state, to_state=item.state, trigger="stukken",
                actor=rt.actor, at=now, note=note,
            )
        )  # fmt: skip
    return len(open_rows)
