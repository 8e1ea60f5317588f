"""Meetings as the secretariat handles them: what is on a meeting, papers in, moving,
cancelling and adding a meeting. Closing one is `routing.engine.meeting_close`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from flows import REFLEXIVE
from routing import calendar, text
from routing.config.access import require_body
from routing.engine import invitations, meeting_changes
from routing.engine import items as engine
from routing.engine.meeting_sync import current_calendars, reading
from routing.engine.stored_calendars import Calendars
from routing.engine.writer import claim_item, write_item
from routing.errors import BadInput, RefusedByRules
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import Item, deadlines, queries
from store.schedule_models import MeetingChange, MeetingRow

__all__ = [
    "add_meeting",
    "cancel_meeting",
    "invite_members",
    "items_on_meeting",
    "list_meetings",
    "mark_papers_in",
    "meeting_on_day",
    "move_meeting",
    "papers_in",
]

_HORIZON = dt.timedelta(days=400)


def list_meetings(
    rt: Runtime, body: str | None, start: dt.datetime, end: dt.datetime | None
) -> list[dict[str, Any]]:
    """Meetings with their papers deadline and how many open items are planned on each.

    Cancelled meetings are listed too, marked; moved and added ones say so, with who changed
    them, when and why. A stuurgroep-like meeting (the target of a person's hand-over) is flagged
    when no meeting of a body that prepares for it falls between the papers' arrival and the
    meeting (rule 6).
    """
    if body is not None:
        rt.config.body(body)
    end = end or start + dt.timedelta(days=92)
    with reading(rt) as (db, calendars):
        meetings = calendars.meetings_between(start, end, [body] if body else None)
        planned = deadlines.planned_counts(db)
        rows_by_id = _rows(db, body, start, end)
        changes = _last_changes(db, set(rows_by_id))
    preparing = _preparing_bodies(rt)
    listed: list[tuple[dt.datetime, dict[str, Any]]] = []
    for meeting in meetings:
        stored = rows_by_id.get(meeting.meeting_id or -1)
        row = _shape(rt, meeting.body, meeting.start, stored, changes)
        row.update(
            papers_due=meeting.papers_due.isoformat(),
            key=meeting.key,
            items=planned.get(meeting.meeting_id or -1, 0),
        )
        if meeting.body in preparing:
            between = calendars.meetings_between(
                meeting.papers_due, meeting.start, sorted(preparing[meeting.body])
            )
            row["no_regional_preparation"] = not between
        listed.append((meeting.start, row))
    for stored in rows_by_id.values():
        if stored.status == "cancelled" and stored.body in rt.config.bodies:
            start_at = stored.start_at.astimezone(rt.config.timezone)
            listed.append((start_at, _shape(rt, stored.body, start_at, stored, changes)))
    listed.sort(key=lambda pair: (pair[0], pair[1]["body"]))
    return [row for _, row in listed]


def _shape(
    rt: Runtime,
    body: str,
    start: dt.datetime,
    stored: MeetingRow | None,
    changes: Mapping[int, MeetingChange],
) -> dict[str, Any]:
    change = changes.get(stored.id or -1) if stored is not None else None
    moved = stored is not None and stored.start_at != stored.original_at
    return {
        "id": stored.id if stored else None,
        "body": body,
        "body_name": rt.config.bodies[body].name,
        "start": start.isoformat(),
        "papers_due": None,
        "key": None,
        "items": 0,
        "status": stored.status if stored else "scheduled",
        "moved": moved,
        "original_start": (
            stored.original_at.astimezone(rt.config.timezone).isoformat()
            if stored is not None and moved
            else None
        ),
        "added": stored is not None and stored.source == "manual",
        "source": stored.source if stored else None,
        "location": (stored.location if stored else None) or rt.config.bodies[body].location,
        "change": (
            {
                "kind": change.kind,
                "origin": change.origin,
                "by": change.actor,
                "at": change.at.isoformat(),
                "reason": change.reason,
            }
            if change is not None
            else None
        ),
        "no_regional_preparation": None,
    }


def _rows(
    db: Session, body: str | None, start: dt.datetime, end: dt.datetime
) -> dict[int, MeetingRow]:
    query = select(MeetingRow).where(
        col(MeetingRow.start_at) >= start, col(MeetingRow.start_at) < end
    )
    if body is not None:
        query = query.where(MeetingRow.body == body)
    return {row.id: row for row in db.exec(query).all() if row.id is not None}


def _last_changes(db: Session, ids: set[int]) -> dict[int, MeetingChange]:
    if not ids:
        return {}
    found: dict[int, MeetingChange] = {}
    for change in db.exec(
        select(MeetingChange)
        .where(col(MeetingChange.meeting_id).in_(ids))
        .order_by(col(MeetingChange.id))
    ).all():
        found[change.meeting_id] = change
    return found


def _preparing_bodies(rt: Runtime) -> dict[str, set[str]]:
    """For each body a person hands over to: the bodies whose states lead to that person.

    With the shipped flows: the UTA stuurgroep is prepared by the PFHO W&P (pfho-wp →
    wethouder-hilversum → uta-stuurgroep).
    """
    found: dict[str, set[str]] = {}
    for flow in rt.catalog.current.values():
        for trigger in flow.triggers:
            if trigger.dest == REFLEXIVE:
                continue
            person = flow.state(trigger.dest).body
            if person is None or not rt.config.bodies[person].is_person:
                continue
            target = rt.config.bodies[person].handover_to
            for source in trigger.sources:
                body = flow.state(source).body
                if body is not None and target is not None and body != person:
                    found.setdefault(target, set()).add(body)
    return found


def meeting_on_day(rt: Runtime, calendars: Calendars, body: str, day: dt.date) -> calendar.Meeting:
    """The body's meeting on `day`; a day without one is the user's mistake."""
    found = calendars.meeting_on(body, day)
    if found is None:
        raise BadInput(
            t("err.no_meeting_on", body=rt.config.body(body).name, date=format_date(day), key=body)
        )
    return found


def items_on_meeting(db: Session, rt: Runtime, body: str, meeting: calendar.Meeting) -> list[Item]:
    """Open items planned on this meeting, also when a roll-over moved them on meanwhile."""
    if meeting.meeting_id is None:
        return []
    # superseded too: an item rolled over meanwhile was still on this meeting
    ids = deadlines.item_ids_on_meeting(db, meeting.meeting_id, body=body, superseded_too=True)
    items = []
    for item in queries.list_items(db, ids=ids):
        flow = rt.catalog.pinned(db, item.flow_version_id)
        if flow.state(item.state).body == body and not flow.state(item.state).final:
            items.append(item)
    return items


# --- moving, cancelling and adding meetings (the secretariat's commands) ----------------------


def _changeable(rt: Runtime, body: str) -> None:
    if rt.config.body(body).is_person:
        raise BadInput(
            t("err.person_meetings", body=body, target=rt.config.bodies[body].handover_to)
        )
    require_body(rt.config.access, rt.identity, body, rt.config.bodies[body].name, "meetings")


def _find(db: Session, rt: Runtime, body: str, when: dt.datetime, has_time: bool) -> MeetingRow:
    """The scheduled meeting of `body` on that day (or at that moment, when a time is given)."""
    tz = rt.config.timezone
    day = when.astimezone(tz).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    rows = [
        row
        for row in db.exec(
            select(MeetingRow)
            .where(MeetingRow.body == body, MeetingRow.status == "scheduled")
            .where(col(MeetingRow.start_at) >= start)
            .where(col(MeetingRow.start_at) < start + dt.timedelta(days=1))
            .order_by(col(MeetingRow.start_at))
        ).all()
        if not has_time or row.start_at == when
    ]
    if not rows:
        raise BadInput(
            t(
                "err.no_meeting_on",
                body=rt.config.bodies[body].name,
                date=format_date(day),
                key=body,
            )
        )
    if len(rows) > 1:
        times = ", ".join(f"{r.start_at.astimezone(tz):%H:%M}" for r in rows)
        raise BadInput(t("err.meetings_same_day", date=format_date(day), times=times))
    return rows[0]


def _clash(db: Session, rt: Runtime, body: str, start: dt.datetime, own: int | None) -> None:
    tz = rt.config.timezone
    day = dt.datetime.combine(start.astimezone(tz).date(), dt.time(0), tzinfo=tz)
    other = db.exec(
        select(MeetingRow)
        .where(MeetingRow.body == body, MeetingRow.status == "scheduled")
        .where(col(MeetingRow.start_at) >= day)
        .where(col(MeetingRow.start_at) < day + dt.timedelta(days=1))
        .where(col(MeetingRow.id) != (own or -1))
    ).first()
    if other is not None:
        raise BadInput(
            t(
                "err.meeting_exists",
                body=rt.config.bodies[body].name,
                when=format_date(other.start_at.astimezone(tz), with_time=True),
            )
        )


def _checked_reason(reason: str | None) -> str | None:
    return None if reason is None else text.checked_block("reason", reason)


def _checked_note(note: str | None) -> str | None:
    return None if note is None else text.checked_block("note", note)


def _future(rt: Runtime, moment: dt.datetime, now: dt.datetime, what: str) -> None:
    if moment <= now:
        raise BadInput(
            t("err.meeting_past", what=what, when=format_date(moment.astimezone(rt.config.timezone),
                                                               with_time=True))
        )  # fmt: skip


def move_meeting(
    rt: Runtime,
    body: str,
    when: dt.datetime,
    has_time: bool,
    new_start: dt.datetime,
    new_has_time: bool,
    reason: str | None,
) -> meeting_changes.ChangeResult:
    """`routing meeting move`: the meeting keeps its identity and its items.

    A new date without a time keeps the meeting's hour.
    """
    reason = _checked_reason(reason)
    _changeable(rt, body)
    now = rt.clock.now()
    tz = rt.config.timezone
    with rt.session() as db:
        current_calendars(rt, db)
        row = _find(db, rt, body, when, has_time)
        if not new_has_time:
            clock = row.start_at.astimezone(tz).time()
            new_start = dt.datetime.combine(new_start.astimezone(tz).date(), clock, tzinfo=tz)
        _future(rt, row.start_at, now, t("word.meeting_to_move"))
        _future(rt, new_start, now, t("word.new_moment"))
        if new_start == row.start_at:
            raise BadInput(t("err.meeting_same_moment"))
        _clash(db, rt, body, new_start, row.id)
        return meeting_changes.move_meeting(
            db, rt, row, new_start, now=now, actor=rt.actor, reason=reason, origin="command"
        )


def cancel_meeting(
    rt: Runtime, body: str, when: dt.datetime, has_time: bool, reason: str | None
) -> meeting_changes.ChangeResult:
    """`routing meeting cancel`: its items go to the body's next feasible meeting."""
    reason = _checked_reason(reason)
    _changeable(rt, body)
    now = rt.clock.now()
    with rt.session() as db:
        current_calendars(rt, db)
        row = _find(db, rt, body, when, has_time)
        _future(rt, row.start_at, now, t("word.meeting_to_cancel"))
        return meeting_changes.cancel_meeting(
            db, rt, row, now=now, actor=rt.actor, reason=reason, origin="command"
        )


def add_meeting(
    rt: Runtime, body: str, start: dt.datetime, reason: str | None, location: str | None = None
) -> meeting_changes.ChangeResult:
    """`routing meeting add`: an extra meeting; items are planned on it from now on."""
    reason = _checked_reason(reason)
    if location is not None:
        location = text.checked_line("location", location) or None
    _changeable(rt, body)
    now = rt.clock.now()
    with rt.session() as db:
        current_calendars(rt, db)
        _future(rt, start, now, t("word.new_meeting"))
        _clash(db, rt, body, start, None)
        return meeting_changes.add_meeting(
            db, rt, body, start, now=now, actor=rt.actor, reason=reason, origin="command",
            location=location,
        )  # fmt: skip


def invite_members(rt: Runtime, body: str, since: dt.datetime | None) -> tuple[int, int]:
    """`routing meetings invite`: the current invitation of every coming meeting of `body` (from
    `since`) to its members, once per SEQUENCE; returns (queued now, queued before)."""
    _changeable(rt, body)
    if not invitations.members(rt.config, body):
        raise RefusedByRules(t("err.invite_no_members", body=rt.config.bodies[body].name))
    now = rt.clock.now()
    start = max(since, now) if since is not None else now
    with rt.session() as db:
        current_calendars(rt, db)
        rows = db.exec(
            select(MeetingRow)
            .where(
                MeetingRow.body == body,
                MeetingRow.status == "scheduled",
                col(MeetingRow.start_at) >= start,
            )
            .order_by(col(MeetingRow.start_at))
        ).all()
        queued = sum(invitations.invite(db, rt.config, row, now) is not None for row in rows)
    return queued, len(rows) - queued


def papers_in(rt: Runtime, item_id: int, note: str | None = None) -> int:
    """Record that an item's papers are in: its reminder and papers deadline are met."""
    note = _checked_note(note)
    now = rt.clock.now()
    with rt.session() as db:
        item = engine.load_item(db, item_id)
        claim_item(db, item)
        met = mark_papers_in(db, item_id, now)
        if not met:
            raise RefusedByRules(t("err.no_open_papers", id=item_id, state=item.state))
        write_item(db, item, {}, trigger="stukken", actor=rt.actor, now=now, note=note)
    return met


def mark_papers_in(db: Session, item_id: int, now: dt.datetime) -> int:
    """Mark the item's open reminder, papers and hand-over deadlines met, inside the caller's
    transaction (the item claimed); returns how many there were."""
    open_rows = deadlines.of_item(db, item_id, kinds=("reminder", "papers", "handover"))
    for row in open_rows:
        row.status, row.handled_at = "done", now
        db.add(row)
    return len(open_rows)
