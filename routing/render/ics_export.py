"""The meetings and open deadlines as an RFC 5545 calendar for Outlook and Google Calendar.

UIDs are derived from what an event *is* (a body's meeting at a moment, an item's papers deadline
for a meeting), never from when the file was written, so importing a newer export updates the
events already in the calendar instead of adding copies. SEQUENCE and LAST-MODIFIED come from the
data, so a client can tell a changed event from an unchanged one.

Calendars get shared and synchronised to phones: a confidential item appears in them only by its
reference (kenmerk, else its number), as in a document marked openbaar. Every text value loses
its control characters first (`routing.text`); icalendar escapes the rest (`,` `;` `\\` newline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlmodel import col, select

from routing.engine import confidentiality
from routing.engine.confidentiality import Audience
from routing.engine.invitations import MEETING_LENGTH, UID_DOMAIN, meeting_uid
from routing.engine.planning import OPEN_STATUSES
from routing.i18n import format_date, t
from routing.runtime import Runtime
from routing.text import clean, one_line
from store import Item, queries
from store import deadlines as deadline_queries
from store.schedule_models import Deadline, MeetingRow

__all__ = ["MEETING_LENGTH", "UID_DOMAIN", "meetings_calendar"]

DEADLINE_LENGTH = dt.timedelta(minutes=30)
_DEADLINE_KINDS = ("reminder", "papers", "handover")


def meetings_calendar(rt: Runtime, meetings: Sequence[Mapping[str, Any]]) -> bytes:
    """An iCalendar file of `meetings` (rows of `meetings.list_meetings`) and the deadlines.

    A meeting's UID is its identity in the store, so a moved meeting updates the event a
    calendar already has (same UID, higher SEQUENCE) and a cancelled one is sent as
    STATUS:CANCELLED. A deadline's UID is the item, the kind and the meeting: moved with its
    meeting it is updated; met, superseded or left behind by a re-plan it is sent once more as
    cancelled, without its alarm, so no calendar keeps ringing for it.
    """
    now = rt.clock.now().astimezone(dt.UTC)
    tz = rt.config.timezone
    cal = Calendar()
    cal.add("prodid", "-//Regio Gooi en Vechtstreek//routing//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("ics.calendar_name"))
    cal.add("x-wr-timezone", str(tz))
    with rt.session(read=True) as db:
        deadlines = deadline_queries.since(db, now - _KEEP_CANCELLED, (*_DEADLINE_KINDS, "meeting"))
        items = {i.id: i for i in queries.list_items(db, ids={d.item_id for d in deadlines})}
        open_items = {
            item_id
            for item_id, item in items.items()
            if not rt.catalog.pinned(db, item.flow_version_id).state(item.state).final
        }
        stored = {
            row.id: row
            for row in db.exec(
                select(MeetingRow).where(
                    col(MeetingRow.id).in_([r["id"] for r in meetings if r.get("id")])
                )
            ).all()
        }
    planned: dict[int, list[Item]] = {}
    for deadline in deadlines:
        if (
            deadline.kind == "meeting"
            and deadline.status in OPEN_STATUSES
            and deadline.item_id in open_items
            and deadline.meeting_id is not None
        ):
            planned.setdefault(deadline.meeting_id, []).append(items[deadline.item_id])
    for row in meetings:
        start = dt.datetime.fromisoformat(row["start"]).astimezone(tz)
        meeting_row = stored.get(row.get("id") or -1)
        on_it = planned.get(row.get("id") or -1, [])
        cal.add_component(_meeting_event(row, meeting_row, start, on_it, now))
    names = {key: body.name for key, body in rt.config.bodies.items()}
    for group in _deadline_groups(deadlines):
        latest = group[-1]
        if latest.kind == "meeting" or latest.item_id not in items:
            continue
        item = items[latest.item_id]
        alive = latest.status in OPEN_STATUSES and latest.item_id in open_items
        cal.add_component(_deadline_event(latest, item, names, tz, now, len(group), alive))
    cal.add_missing_timezones(first_date=dt.date(2020, 1, 1))
    return bytes(cal.to_ical())


# a deadline met, superseded or cancelled is still sent (as cancelled) for this long, so a
# calendar that imported it before drops it; older history stays out of the file
_KEEP_CANCELLED = dt.timedelta(days=92)


def _deadline_groups(deadlines: Sequence[Deadline]) -> list[list[Deadline]]:
    """Deadlines by their calendar identity (item, kind, meeting), each group oldest first."""
    groups: dict[tuple[int, str, str], list[Deadline]] = {}
    for deadline in deadlines:
        groups.setdefault(_identity(deadline), []).append(deadline)
    return list(groups.values())


def _identity(deadline: Deadline) -> tuple[int, str, str]:
    meeting = (
        str(deadline.meeting_id)
        if deadline.meeting_id is not None
        else f"{deadline.meeting_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"
    )
    return deadline.item_id, deadline.kind, meeting


def _meeting_event(
    row: Mapping[str, Any],
    stored: MeetingRow | None,
    start: dt.datetime,
    on_it: Sequence[Item],
    now: dt.datetime,
) -> Event:
    event = Event()
    # a stored meeting's UID is the one its invitations carry (`routing.engine.invitations`)
    uid = (
        meeting_uid(row["id"])
        if row.get("id")
        else f"meeting-{row['body']}-{start.astimezone(dt.UTC):%Y%m%dT%H%MZ}@{UID_DOMAIN}"
    )
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("summary", one_line(row["body_name"]))
    if row.get("location"):
        event.add("location", one_line(row["location"]))
    lines = []
    if row.get("papers_due"):
        papers_due = dt.datetime.fromisoformat(row["papers_due"]).astimezone(start.tzinfo)
        lines.append(
            t("doc.papers_due", date=format_date(papers_due, with_time=True, weekday=True))
        )
    if on_it:
        lines.append(t("ics.planned", count=len(on_it)))
        lines.extend(f"- {_label(item)}" for item in sorted(on_it, key=lambda i: i.id or 0))
    if row.get("no_regional_preparation"):
        lines.append(t("meetings.no_preparation") + " " + t("ics.rule6"))
    if row.get("status") == "cancelled":
        event.add("status", "CANCELLED")
        lines.insert(0, t("ics.cancelled"))
    event.add("description", clean("\n".join(lines), keep="\n"))
    event.add("categories", [t("ics.category_meeting")])
    event.add("transp", "OPAQUE")
    event.add("sequence", stored.sequence if stored is not None else 0)
    if stored is not None:
        event.add("last-modified", stored.updated_at.astimezone(dt.UTC))
    return event


def _deadline_event(
    deadline: Deadline,
    item: Item,
    names: Mapping[str, str],
    tz: dt.tzinfo,
    now: dt.datetime,
    revisions: int,
    alive: bool,
) -> Event:
    due = deadline.due_at.astimezone(tz)
    meeting = deadline.meeting_at.astimezone(tz)
    item_id, kind, meeting_key = _identity(deadline)
    event = Event()
    event.add("uid", f"deadline-{item_id}-{kind}-{meeting_key}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", due)
    event.add("dtend", due + DEADLINE_LENGTH)
    summary = t(f"ics.deadline_{deadline.kind}", label=_label(item), body=names[deadline.body])
    if deadline.status == "escalated":
        summary = f"{t('ics.missed')}: {summary}"
    summary = one_line(summary)
    event.add("summary", summary)
    event.add(
        "description",
        t(
            "ics.deadline_for",
            body=names[deadline.body],
            date=format_date(meeting, with_time=True, weekday=True),
            id=item.id,
        ),
    )
    event.add("categories", [t("ics.category_deadline")])
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    # every re-plan of the same deadline is a revision; dropping it is one more
    event.add("sequence", revisions - 1 + (0 if alive else 1))
    event.add("last-modified", (deadline.handled_at or item.updated_at).astimezone(dt.UTC))
    if not alive:
        event.add("status", "CANCELLED")
    elif deadline.kind == "papers" and deadline.status == "open":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -dt.timedelta(days=1))
        event.add_component(alarm)
    return event


def _label(item: Item) -> str:
    return confidentiality.label(item, Audience.CALENDAR)
