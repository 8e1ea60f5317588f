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

from routing import calendar
from routing.engine import confidentiality, meetings, planning
from routing.engine.confidentiality import Audience
from routing.engine.meeting_sync import reading
from routing.engine.stored_calendars import Calendars
from routing.errors import BadInput, RefusedByRules
from routing.i18n import format_date, t
from routing.read import agenda_parts
from routing.read import papers as paper_rows
from routing.runtime import Runtime
from store import Item, audit_chain, queries
from store import deadlines as deadline_queries
from store.papers import Paper
from store.schedule_models import MeetingOutcome

__all__ = ["agenda", "besluitenlijst"]

# The order a chair takes the points in: decisions first, information last.
_ASKED_ORDER = {"besluitvorming": 0, "bespreking": 1, "informatie": 2}
_SEARCH = dt.timedelta(days=400)


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
    }


def besluitenlijst(rt: Runtime, body: str, day: dt.date, *, openbaar: bool) -> dict[str, Any]:
    """The decision list of a closed meeting: each item's outcome and note, in agenda order."""
    rt.config.body(body)
    with reading(rt) as (db, calendars):
        meeting = _find_meeting(rt, calendars, body, day)
        rows = db.exec(
            select(MeetingOutcome)
            .where(MeetingOutcome.body == body)
            .where(col(MeetingOutcome.meeting_at) == meeting.start.astimezone(dt.UTC))
            .order_by(col(MeetingOutcome.id))
        ).all()
        if not rows:
            raise RefusedByRules(_not_closed(rt, body, day))
        items = {i.id: i for i in queries.list_items(db, ids={r.item_id for r in rows})}
        ordered = sorted(rows, key=lambda r: (_ASKED_ORDER.get(items[r.item_id].asked, 9), r.id))
        decisions = []
        for number, row in enumerate(ordered, start=1):
            item = items[row.item_id]
            flow = rt.catalog.pinned(db, item.flow_version_id)
            trigger = next((t for t in flow.triggers if t.name == row.trigger), None)
            entry = _reference(number, item, openbaar=openbaar)
            entry.update(
                {
                    "outcome": row.trigger,
                    "outcome_title": (trigger.title if trigger else "") or row.trigger,
                    "to_state": row.to_state,
                    "to_state_title": flow.state(row.to_state).title,
                    "note": None if entry["redacted"] else row.note,
                    "actor": row.actor,
                    "at": row.at.isoformat(),
                }
            )
            decisions.append(entry)
        chain = audit_chain.head(db)
    return {**_header(rt, body, meeting.start, openbaar=openbaar, location=meeting.location),
            "kind": "besluitenlijst",
            "items": decisions,
            "audit_head": {"last_id": chain.last_id if chain else None,
                           "hash": chain.hash if chain else None}}  # fmt: skip


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
