"""The documents a meeting needs: its agenda before, its decision list (besluitenlijst) after.

This module composes the content as plain data (the `--json` shape); `routing.render.documents`
turns it into Markdown or a printable HTML page. Confidentiality is decided here, once: in a
document marked openbaar a confidential item keeps only its reference (kenmerk, else its number),
so no renderer and no JSON consumer can leak its title, owner or papers; and an openbaar agenda
carries no internal process state at all (owner, sender, route, state of the papers, their
deadline), only what a citizen may read. A besluitenlijst carries
the audit chain's head as it was when composed, so a later change to the trail is provable
against a circulated copy (`routing audit verify`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from flows import REFLEXIVE
from routing import calendar
from routing.engine import confidentiality, meetings, planning
from routing.engine.confidentiality import Audience
from routing.engine.meeting_sync import reading
from routing.engine.stored_calendars import Calendars
from routing.errors import BadInput, RefusedByRules
from routing.i18n import format_date, t
from routing.read import agenda_parts
from routing.read import commitments as commitment_rows
from routing.read import late_exceptions as late_rows
from routing.read import papers as paper_rows
from routing.read.decisions import decision_phrase
from routing.runtime import Runtime
from store import Item, audit_chain, queries
from store import deadlines as deadline_queries
from store.papers import Paper
from store.schedule_models import MeetingClose, MeetingOutcome

__all__ = ["agenda", "besluitenlijst"]

# The order a chair takes the points in: decisions first, information last.
_ASKED_ORDER = {"besluitvorming": 0, "bespreking": 1, "informatie": 2}
_SEARCH = dt.timedelta(days=400)
_ALL_STATUSES = ("open", "escalated", "done", "superseded", "failed")


def agenda(
    rt: Runtime, body: str, day: dt.date | None, *, openbaar: bool, links_from: Path | None = None
) -> dict[str, Any]:
    """The agenda of a body's meeting on `day`, or of its next meeting from now: the body's
    fixed parts (`routing.read.agenda_parts`) around the items, numbered on in one sequence;
    links to copied papers relative to `links_from`, the folder it is written to (when known)."""
    rt.config.body(body)
    with reading(rt) as (db, calendars):
        meeting = _find_meeting(rt, calendars, body, day)
        earlier = calendars.meetings_between(meeting.start - _SEARCH, meeting.start, [body])
        previous = max((m.start for m in earlier if m.start < meeting.start), default=None)
        before, after = agenda_parts.parts(rt.config.bodies[body], previous and previous.date())
        items = meetings.items_on_meeting(db, rt, body, meeting)
        items.sort(key=lambda i: (_ASKED_ORDER.get(i.asked, 9), i.id or 0))
        ids = [i.id for i in items if i.id]
        papers = _papers_status(db, body, meeting.start, ids, rt.clock.now())
        attached = paper_rows.by_item(db, ids)
        first = len(before) + 1
        points = [
            _agenda_point(rt, db, number, item, papers.get(item.id or 0), openbaar=openbaar)
            for number, item in enumerate(items, start=first)
        ]
        for point, item in zip(points, items, strict=True):
            point["paper_links"] = _paper_links(
                rt, item, attached.get(item.id or 0, []), links_from, openbaar=openbaar
            )
        admitted = late_rows.admitted(db, body, meeting.start)
        for point, item in zip(points, items, strict=True):  # let in late by the chair
            point["admitted_late"] = admitted.get(item.id or 0)
        asked = [] if openbaar else late_rows.pending(db, body, meeting.start)
    for number, part in enumerate(before, start=1):
        part["number"] = number
    for number, part in enumerate(after, start=first + len(points)):
        part["number"] = number
    return {
        **_header(rt, body, meeting.start, openbaar=openbaar, location=meeting.location),
        "kind": "agenda",
        # when the papers are due is the secretariat's business, not the public's
        "papers_due": None if openbaar else meeting.papers_due.isoformat(),
        "previous_meeting": previous.isoformat() if previous else None,
        "parts_before": before,
        "items": points,
        "parts_after": after,
        "exceptions_asked": asked,  # late items waiting for the chair (the secretariat's only)
    }


def besluitenlijst(rt: Runtime, body: str, day: dt.date, *, openbaar: bool) -> dict[str, Any]:
    """The decision list of a closed meeting: who attended, each item's decision in decision
    wording (the besluit as minuted, else worded from the step), its note and what follows
    (where it goes next and when), in agenda order."""
    rt.config.body(body)
    with reading(rt) as (db, calendars):
        meeting = _find_meeting(rt, calendars, body, day)
        at = meeting.start.astimezone(dt.UTC)
        close = db.exec(
            select(MeetingClose)
            .where(MeetingClose.body == body)
            .where(col(MeetingClose.meeting_at) == at)
        ).first()
        if close is None:
            raise RefusedByRules(_not_closed(rt, body, day))
        rows = db.exec(
            select(MeetingOutcome)
            .where(MeetingOutcome.body == body)
            .where(col(MeetingOutcome.meeting_at) == at)
            .order_by(col(MeetingOutcome.id))
        ).all()
        items = {i.id: i for i in queries.list_items(db, ids={r.item_id for r in rows})}
        points: list[tuple[Item, MeetingOutcome | None]] = [(items[r.item_id], r) for r in rows]
        # on the meeting without an outcome: not dealt with, it moves on (the daemon's roll-over)
        points += [
            (item, None)
            for item in meetings.items_on_meeting(db, rt, body, meeting)
            if item.id not in items
        ]
        points.sort(key=lambda p: (_ASKED_ORDER.get(p[0].asked, 9), p[1] is None,
                                   p[1].id if p[1] else p[0].id))  # fmt: skip
        decisions = [
            _decision(rt, db, number, item, row, meeting.start, openbaar=openbaar)
            for number, (item, row) in enumerate(points, start=1)
        ]
        promised = commitment_rows.at_meeting(rt, db, body, at, openbaar=openbaar)
        chain = audit_chain.head(db)
    return {**_header(rt, body, meeting.start, openbaar=openbaar, location=meeting.location),
            "kind": "besluitenlijst", "commitments": promised,
            "attendees": list(close.attendees), "absent": list(close.absent),
            "closed_at": close.closed_at.isoformat(), "closed_by": close.actor,
            "items": decisions,
            "audit_head": {"last_id": chain.last_id if chain else None,
                           "hash": chain.hash if chain else None}}  # fmt: skip


def _decision(
    rt: Runtime,
    db: Session,
    number: int,
    item: Item,
    row: MeetingOutcome | None,
    meeting_at: dt.datetime,
    *,
    openbaar: bool,
) -> dict[str, Any]:
    """One point of a besluitenlijst. A confidential item in an openbaar list keeps only its
    reference and the decision as worded from the step: the minuted text may tell more. An
    item without an outcome (`row` None) was not dealt with."""
    flow = rt.catalog.pinned(db, item.flow_version_id)
    trigger = next((t for t in flow.triggers if row and t.name == row.trigger), None)
    to_state = flow.state(row.to_state if row else item.state)
    known = rt.config.bodies.get(to_state.body) if to_state.body else None
    to_body = known.name if known else None
    if row is None:
        worded = t("besluitenlijst.not_dealt_with")
    else:
        worded = decision_phrase(
            row.trigger,
            stays=trigger is not None and trigger.dest == REFLEXIVE,
            to_body=None if to_state.final else to_body,
            to_state=to_state.title,
        )
    entry = _reference(number, item, openbaar=openbaar)
    given = None if entry["redacted"] or row is None else row.decision
    entry.update(
        {
            "outcome": row.trigger if row else None,
            "outcome_title": ((trigger.title if trigger else "") or row.trigger) if row else None,
            "to_state": to_state.name,
            "to_state_title": to_state.title,
            "decision": given or worded,
            "decision_minuted": given is not None,
            "note": None if entry["redacted"] or row is None else row.note,
            "follow_up": _follow_up(rt, db, item, to_state.name, to_state.final, meeting_at,
                                    to_state.body),
            "actor": row.actor if row else None,
            "at": row.at.isoformat() if row else None,
        }
    )  # fmt: skip
    return entry


def _follow_up(
    rt: Runtime,
    db: Session,
    item: Item,
    to_state: str,
    final: bool,
    meeting_at: dt.datetime,
    state_body: str | None,
) -> dict[str, Any]:
    """Where the item goes after this meeting and when: its plan while it is still in the state
    the outcome put it in, else the first meeting it was planned on after this one; else the
    body of that state, not yet on a meeting."""
    if final:
        return {"done": True, "body": None, "body_name": None, "meeting": None}
    body, when = state_body, None
    planned = item.planned_meeting_at
    if item.state == to_state and planned is not None and planned > meeting_at:
        body, when = item.planned_body, planned
    else:
        later = [
            row
            for row in deadline_queries.of_item(
                db, item.id or 0, statuses=_ALL_STATUSES, kinds=("meeting",)
            )
            if row.meeting_at > meeting_at
        ]
        if later:
            first = min(later, key=lambda row: row.meeting_at)
            body, when = first.body, first.meeting_at
    known = rt.config.bodies.get(body) if body else None
    return {
        "done": False,
        "body": body,
        "body_name": known.name if known else body,
        "meeting": when.astimezone(rt.config.timezone).isoformat() if when else None,
    }


def _header(
    rt: Runtime, body: str, start: dt.datetime, *, openbaar: bool, location: str | None = None
) -> dict[str, Any]:
    config = rt.config.bodies[body]
    return {
        "body": body,
        "body_name": config.name,
        "meeting": start.isoformat(),
        "location": location or config.location,
        "chair": config.chair,
        "openbaar": openbaar,
        "composed_at": rt.clock.now().isoformat(),
    }


def _find_meeting(
    rt: Runtime, calendars: Calendars, body: str, day: dt.date | None
) -> calendar.Meeting:
    if day is not None:
        return meetings.meeting_on_day(rt, calendars, body, day)
    now = rt.clock.now()
    upcoming = calendars.meetings_between(now, now + _SEARCH, [body])
    if not upcoming:
        raise BadInput(t("err.no_next_meeting", body=rt.config.bodies[body].name, key=body))
    return upcoming[0]


def _not_closed(rt: Runtime, body: str, day: dt.date) -> str:
    return t(
        "err.meeting_not_closed",
        body=rt.config.bodies[body].name,
        date=format_date(day),
        key=body,
        iso=day.isoformat(),
    )


def _reference(number: int, item: Item, *, openbaar: bool) -> dict[str, Any]:
    audience = Audience.OPENBAAR if openbaar else Audience.SECRETARIAT
    redacted = confidentiality.redacted(item.openbaar, audience)
    return {
        "number": number,
        "id": item.id,
        "kenmerk": item.kenmerk,
        "vertrouwelijk": not item.openbaar,
        "redacted": redacted,
        "title": None if redacted else item.title,
        "asked": item.asked,
    }


def _agenda_point(
    rt: Runtime, db: Session, number: int, item: Item, papers: str | None, *, openbaar: bool
) -> dict[str, Any]:
    entry = _reference(number, item, openbaar=openbaar)
    flow = rt.catalog.pinned(db, item.flow_version_id)
    # a public agenda has what a citizen may read: title, kenmerk, what is asked (and the
    # papers); who works on it, the route and the state of the papers are internal
    visible = not entry["redacted"] and not openbaar
    sender = item.sender if visible else None
    entry.update(
        {
            "owner": item.owner if visible else None,
            "topics": list(item.topics) if visible else [],
            "sender": sender,
            "sender_name": _body_name(rt, sender),
            "document_date": (
                item.document_date.isoformat() if visible and item.document_date else None
            ),
            "flow_title": flow.title if not openbaar else None,
            "state_title": flow.state(item.state).title if not openbaar else None,
            # in: papers handed in; open: not yet, deadline ahead; missed: deadline passed
            "papers": papers if not openbaar else None,
        }
    )
    return entry


def _paper_links(
    rt: Runtime, item: Item, found: list[Paper], links_from: Path | None, *, openbaar: bool
) -> list[dict[str, str]]:
    """The papers an agenda point links to: none of a confidential or not-to-be-distributed
    item in an openbaar agenda."""
    audience = Audience.OPENBAAR if openbaar else Audience.SECRETARIAT
    if not confidentiality.papers_shown(item.openbaar, item.verspreiden, audience):
        return []
    return [paper_rows.link_of(p, rt.config.papers_folder, links_from) for p in found]


def _body_name(rt: Runtime, key: str | None) -> str | None:
    """A body's name; a key no longer in routing.toml as it is."""
    body = rt.config.bodies.get(key) if key is not None else None
    return body.name if body is not None else key


def _papers_status(
    db: Session, body: str, meeting_at: dt.datetime, item_ids: list[int], now: dt.datetime
) -> dict[int, str]:
    rows = deadline_queries.papers_on_meeting(db, body, meeting_at, item_ids)
    found: dict[int, str] = {}
    for row in rows:
        if row.status == "done":
            found[row.item_id] = "in"
        else:
            found[row.item_id] = "missed" if planning.missed(row, now) else "open"
    return found
