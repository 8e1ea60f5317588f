"""Meeting invitations as iTIP mail (RFC 5546): the members' own calendars follow the meeting.

A meeting that is added or moved is sent as METHOD:REQUEST, one that is cancelled as
METHOD:CANCEL, to the body's members: its `email` addresses and its `attendees` that have an
address in [people]. The one VEVENT carries the meeting's stable UID (the same as the .ics export,
`meeting_uid`) and the meeting row's SEQUENCE, which every change raises, so a calendar client
updates or removes the event it has instead of adding another. The message goes at once (a change
to a meeting cannot wait for the daily overview) with a readable text part; its natural key
`uitnodiging:MEETING:SEQUENCE:BODY` makes a second attempt write nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlmodel import Session

from routing.config.file import Config
from routing.config.people import owner_address
from routing.engine import notify
from routing.i18n import t
from routing.text import one_line
from store.schedule_models import MeetingRow, Outbox

__all__ = [
    "MEETING_LENGTH",
    "UID_DOMAIN",
    "invitation_key",
    "invite",
    "itip_calendar",
    "meeting_uid",
    "members",
]

UID_DOMAIN = "routing.gooi-vechtstreek"
# the calendars in routing.toml give a start only; two hours is what these bodies usually take
MEETING_LENGTH = dt.timedelta(hours=2)
KIND = "uitnodiging"


def meeting_uid(meeting_id: int) -> str:
    """A stored meeting's identity in every calendar: the .ics export and the invitations."""
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def invitation_key(row: MeetingRow) -> str:
    return f"{KIND}:{row.id}:{row.sequence}:{row.body}"


def members(config: Config, body: str) -> list[tuple[str, str | None]]:
    """(address, name) of the body's members: its addresses, then its attendees with an address
    in [people]; each address once."""
    found: dict[str, str | None] = {}
    entry = config.bodies.get(body)
    if entry is None:
        return []
    for address in entry.email:
        found.setdefault(address, None)
    for name in entry.attendees:
        personal = owner_address(config, name)
        if personal is not None and found.get(personal) is None:
            found[personal] = name
    return list(found.items())


def _organizer(config: Config) -> str | None:
    return config.secretariat_email[0] if config.secretariat_email else None


def _location(config: Config, row: MeetingRow) -> str | None:
    return row.location or config.bodies[row.body].location


def itip_calendar(
    config: Config,
    row: MeetingRow,
    attendees: Sequence[tuple[str, str | None]],
    now: dt.datetime,
) -> str:
    """The iCalendar object of one meeting: REQUEST while it stands, CANCEL once cancelled."""
    # icalendar only where an invitation is made: every command that may change a meeting
    # imports this module, and the read commands must start without it (test_read_paths)
    from icalendar import Calendar, Event, vCalAddress, vText  # noqa: PLC0415

    assert row.id is not None
    cancelled = row.status == "cancelled"
    cal = Calendar()
    cal.add("prodid", "-//Regio Gooi en Vechtstreek//routing//NL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    start = row.start_at.astimezone(config.timezone)
    event.add("uid", meeting_uid(row.id))
    event.add("sequence", row.sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + MEETING_LENGTH)
    event.add("summary", one_line(config.bodies[row.body].name))
    location = _location(config, row)
    if location:
        event.add("location", one_line(location))
    organizer = _organizer(config)
    if organizer is not None:
        who = vCalAddress(f"mailto:{organizer}")
        who.params["cn"] = vText(one_line(config.secretariat_name))
        event.add("organizer", who)
    for address, name in attendees:
        attendee = vCalAddress(f"mailto:{address}")
        if name:
            attendee.params["cn"] = vText(one_line(name))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=False)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    cal.add_missing_timezones(first_date=dt.date(2020, 1, 1))
    return bytes(cal.to_ical()).decode("utf-8")


def invite(db: Session, config: Config, row: MeetingRow, now: dt.datetime) -> Outbox | None:
    """Queue the meeting's current invitation (or cancellation) for the body's members, once per
    SEQUENCE; None when the body has no members or this one was written before."""
    attendees = members(config, row.body)
    if not attendees:
        return None
    name = config.bodies[row.body].name
    when = notify.local(row.start_at, config)
    cancelled = row.status == "cancelled"
    kind = "cancel" if cancelled else "request"
    location = _location(config, row)
    body = t(
        f"mail.invitation_{kind}_body",
        body=name,
        when=when,
        location=t("mail.invitation_location", location=one_line(location)) + "\n"
        if location
        else "",
    )
    return notify.enqueue(
        db, config, key=invitation_key(row), kind=KIND,
        recipients=[address for address, _ in attendees],
        subject=t(f"mail.invitation_{kind}_subject", body=name, when=when),
        body=body, now=now, due_at=row.start_at, may_wait=False,
        calendar=itip_calendar(config, row, attendees, now),
    )  # fmt: skip
