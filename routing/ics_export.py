"""The meetings and open deadlines as an RFC 5545 calendar for Outlook and Google Calendar.

UIDs are derived from what an event *is* (a body's meeting at a moment, an item's papers deadline
for a meeting), never from when the file was written, so importing a newer export updates the
events already in the calendar instead of adding copies. SEQUENCE and LAST-MODIFIED come from the
data, so a client can tell a changed event from an unchanged one.

Calendars get shared and synchronised to phones: a confidential item appears in them only by its
reference (kenmerk, else its number), as in a document marked openbaar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlalchemy import func
from sqlmodel import col, select

from routing.i18n import format_date, t
from routing.planning import OPEN_STATUSES
from routing.runtime import Runtime
from store import Item, queries
from store.schedule_models import Deadline

__all__ = ["MEETING_LENGTH", "UID_DOMAIN", "meetings_calendar"]

UID_DOMAIN = "routing.gooi-vechtstreek"
# the calendars in routing.toml give a start only; two hours is what these bodies usually take
MEETING_LENGTH = dt.timedelta(hours=2)
DEADLINE_LENGTH = dt.timedelta(minutes=30)
_DEADLINE_KINDS = ("reminder", "papers", "handover")
_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def meetings_calendar(rt: Runtime, meetings: Sequence[Mapping[str, Any]]) -> bytes:
    """An iCalendar file of `meetings` (rows of `meetings.list_meetings`) and open deadlines."""
    now = rt.clock.now().astimezone(dt.UTC)
    tz = rt.config.timezone
    cal = Calendar()
    cal.add("prodid", "-//Regio Gooi en Vechtstreek//routing//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("ics.calendar_name"))
    cal.add("x-wr-timezone", str(tz))
    with rt.session() as db:
        deadlines = db.exec(
            select(Deadline)
            .where(col(Deadline.status).in_(OPEN_STATUSES))
            .order_by(col(Deadline.due_at), col(Deadline.id))
        ).all()
        items = {i.id: i for i in queries.list_items(db, ids={d.item_id for d in deadlines})}
        open_items = {
            item_id
            for item_id, item in items.items()
            if not rt.catalog.pinned(db, item.flow_version_id).state(item.state).final
        }
        # what changes an event: an item written, a deadline met, superseded or escalated
        changes = [
            db.exec(select(func.max(Item.updated_at))).one(),
            db.exec(select(func.max(Deadline.handled_at))).one(),
        ]
    revision = _revision(max((c for c in changes if c is not None), default=None))
    planned: dict[tuple[str, dt.datetime], list[Item]] = {}
    for deadline in deadlines:
        if deadline.kind == "meeting" and deadline.item_id in open_items:
            key = (deadline.body, deadline.meeting_at.astimezone(dt.UTC))
            planned.setdefault(key, []).append(items[deadline.item_id])
    for row in meetings:
        start = dt.datetime.fromisoformat(row["start"]).astimezone(tz)
        on_it = planned.get((row["body"], start.astimezone(dt.UTC)), [])
        cal.add_component(_meeting_event(row, start, on_it, now, revision))
    names = {key: body.name for key, body in rt.config.bodies.items()}
    for deadline in deadlines:
        if deadline.kind in _DEADLINE_KINDS and deadline.item_id in open_items:
            item = items[deadline.item_id]
            cal.add_component(_deadline_event(deadline, item, names, tz, now, revision))
    cal.add_missing_timezones(first_date=dt.date(2020, 1, 1))
    return bytes(cal.to_ical())


def _meeting_event(
    row: Mapping[str, Any],
    start: dt.datetime,
    on_it: Sequence[Item],
    now: dt.datetime,
    revision: int,
) -> Event:
    event = Event()
    event.add("uid", f"meeting-{row['body']}-{start.astimezone(dt.UTC):%Y%m%dT%H%MZ}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("summary", row["body_name"])
    papers_due = dt.datetime.fromisoformat(row["papers_due"]).astimezone(start.tzinfo)
    lines = [t("doc.papers_due", date=format_date(papers_due, with_time=True, weekday=True))]
    if on_it:
        lines.append(t("ics.planned", count=len(on_it)))
        lines.extend(f"- {_label(item)}" for item in sorted(on_it, key=lambda i: i.id or 0))
    if row.get("no_regional_preparation"):
        lines.append(t("meetings.no_preparation") + " " + t("ics.rule6"))
    event.add("description", "\n".join(lines))
    event.add("categories", [t("ics.category_meeting")])
    event.add("transp", "OPAQUE")
    event.add("sequence", revision)
    return event


def _deadline_event(
    deadline: Deadline,
    item: Item,
    names: Mapping[str, str],
    tz: dt.tzinfo,
    now: dt.datetime,
    revision: int,
) -> Event:
    due = deadline.due_at.astimezone(tz)
    meeting = deadline.meeting_at.astimezone(tz)
    # the plan round is left out on purpose: a re-plan to the same meeting is the same deadline
    stamp = f"{deadline.meeting_at.astimezone(dt.UTC):%Y%m%dT%H%MZ}"
    event = Event()
    event.add("uid", f"deadline-{item.id}-{deadline.kind}-{deadline.body}-{stamp}@{UID_DOMAIN}")
    event.add("dtstamp", now)
    event.add("dtstart", due)
    event.add("dtend", due + DEADLINE_LENGTH)
    summary = t(f"ics.deadline_{deadline.kind}", label=_label(item), body=names[deadline.body])
    if deadline.status == "escalated":
        summary = f"{t('ics.missed')}: {summary}"
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
    event.add("sequence", revision)
    event.add("last-modified", item.updated_at.astimezone(dt.UTC))
    if deadline.kind == "papers" and deadline.status == "open":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        alarm.add("trigger", -dt.timedelta(days=1))
        event.add_component(alarm)
    return event


def _revision(latest: dt.datetime | None) -> int:
    if latest is None:
        return 0
    return max(0, int((latest.astimezone(dt.UTC) - _EPOCH).total_seconds() // 60))


def _label(item: Item) -> str:
    if not item.openbaar:
        return f"{t('doc.confidential_point')} {item.kenmerk or t('doc.item_number', id=item.id)}"
    return f"{item.title} ({item.kenmerk})" if item.kenmerk else item.title
