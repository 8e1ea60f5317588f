"""The meetings of a body's calendar, and the next one an item can still make.

Meetings are computed from a calendar (explicit dates and RFC 5545 recurrence rules with
exception dates and recesses, as routing.toml gives them) or are the stored meetings (`Slot`s,
as the store holds them after moves, cancellations and imports), expanded in local time so a
10:00 meeting stays at 10:00 across daylight-saving changes. Rule-generated meetings on a public
holiday or closed day are dropped unless `skip_holidays = false`. A person's "calendar" is the
one of the body she hands over to, with the hand-over as its deadline.

A calendar read from the store (only `slots`) works its meetings out once: the first question
computes every slot's papers deadline and reminder, and later questions pick from that list by
bisection. Calendars are frozen, so what one computed stays true for it; a changed meeting makes
a new calendar (`routing.engine.stored_calendars` decides when).
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from routing.calendar.working_days import Lead, WorkingDays

__all__ = [
    "HORIZON",
    "BodyCalendar",
    "Meeting",
    "Recess",
    "Rule",
    "Slot",
    "handover_calendar",
    "handover_deadline",
    "latest_by",
    "meetings_between",
    "next_after",
    "next_feasible",
]

HORIZON = dt.timedelta(days=3 * 366)


@dataclass(frozen=True)
class Recess:
    name: str
    start: dt.date
    end: dt.date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Rule:
    rrule: str
    start: dt.datetime  # DTSTART, aware, local
    exdates: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A stored meeting: its current start and its identity in the store."""

    start: dt.datetime
    meeting_id: int | None = None
    location: str | None = None


@dataclass(frozen=True)
class BodyCalendar:
    body: str
    tz: ZoneInfo
    dates: tuple[dt.datetime, ...] = ()
    rules: tuple[Rule, ...] = ()
    recesses: tuple[Recess, ...] = ()
    skip_holidays: bool = True
    papers_lead: Lead = Lead(5, True)
    papers_time: dt.time | None = dt.time(12, 0)
    reminder_lead: Lead = Lead(3, True)
    workdays: WorkingDays = field(default_factory=WorkingDays, compare=False, repr=False)
    # the meetings as stored (moved, cancelled and added ones applied); when a calendar is read
    # from the store, these are its meetings and `dates`/`rules` are left empty
    slots: tuple[Slot, ...] = ()
    location: str | None = None
    handover_of: str | None = None  # set on a person's calendar: the body it hands over to
    # the body at whose meeting the person receives points (rule 6: the PFHO W&P)
    handover_via: BodyCalendar | None = field(default=None, compare=False, repr=False)
    # the meetings of `slots`, worked out on first use (see the module's docstring)
    _expanded: list[tuple[tuple[dt.datetime, ...], tuple[Meeting, ...]]] = field(
        default_factory=list, init=False, compare=False, repr=False
    )

    def with_slots(self, slots: Iterable[Slot]) -> BodyCalendar:
        """This calendar's lead times and closed days with the stored meetings as its meetings."""
        ordered = tuple(sorted(slots, key=lambda slot: slot.start))
        return dataclasses.replace(self, dates=(), rules=(), slots=ordered)

    @property
    def last_start(self) -> dt.datetime | None:
        """The last meeting this calendar knows (rules are expanded over the horizon)."""
        if self.slots:
            return self.slots[-1].start
        known = [*self.dates]
        for rule in self.rules:
            naive_start = rule.start.astimezone(self.tz).replace(tzinfo=None)
            expanded: Any = rrulestr(rule.rrule, dtstart=naive_start, ignoretz=True)
            last = expanded.before(naive_start + HORIZON * 3, inc=True)
            if last is not None:
                known.append(last.replace(tzinfo=self.tz))
        return max(known) if known else None


@dataclass(frozen=True, order=True)
class Meeting:
    start: dt.datetime
    body: str
    papers_due: dt.datetime
    remind_at: dt.datetime
    meeting_id: int | None = field(default=None, compare=False)
    location: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.body}@{self.start.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"


_END_OF_DAY = dt.time(23, 59)


def _meeting(
    cal: BodyCalendar,
    start: dt.datetime,
    meeting_id: int | None = None,
    location: str | None = None,
) -> Meeting:
    if cal.handover_of is not None:
        papers_due = handover_deadline(cal, start)[0]
    else:
        papers_due = cal.papers_lead.before(start, cal.workdays, cal.papers_time)
    remind_at = cal.reminder_lead.before(papers_due, cal.workdays, None)
    return Meeting(
        start=start, body=cal.body, papers_due=papers_due, remind_at=remind_at,
        meeting_id=meeting_id, location=location or cal.location,
    )  # fmt: skip


def handover_deadline(
    cal: BodyCalendar, target_start: dt.datetime
) -> tuple[dt.datetime, Meeting | None]:
    """When a point must be with the person for the meeting at `target_start`, and where.

    The hand-over lead counts back from the target meeting to a hand-over day. When the person
    receives points at another body's meetings (`handover_via`: the PFHO W&P, to which the note
    invites the wethouder structurally), the hand-over is that body's last meeting on or before
    that day. Either way the whole day counts: a meeting at 14:00 on the hand-over day is in time.
    """
    day = cal.papers_lead.before(target_start, cal.workdays, None).date()
    via: Meeting | None = None
    if cal.handover_via is not None:
        end_of_day = dt.datetime.combine(day, _END_OF_DAY, tzinfo=cal.tz)
        found = meetings_between(cal.handover_via, end_of_day - dt.timedelta(days=92), end_of_day)
        if found:
            via = found[-1]
            day = via.start.astimezone(cal.tz).date()
    clock = cal.papers_time or _END_OF_DAY
    return dt.datetime.combine(day, clock, tzinfo=cal.tz), via


def _rule_starts(cal: BodyCalendar, low: dt.datetime, high: dt.datetime) -> list[dt.datetime]:
    """Rule occurrences between two naive local moments, localised to the calendar's zone."""
    found = []
    for rule in cal.rules:
        naive_start = rule.start.astimezone(cal.tz).replace(tzinfo=None)
        expanded: Any = rrulestr(rule.rrule, dtstart=naive_start, ignoretz=True)
        for occurrence in expanded.between(low, high, inc=True):
            day = occurrence.date()
            if day in rule.exdates or any(day in recess for recess in cal.recesses):
                continue
            if cal.skip_holidays and cal.workdays.is_holiday(day):
                continue
            found.append(occurrence.replace(tzinfo=cal.tz))
    return found


def _slot_meetings(cal: BodyCalendar) -> tuple[tuple[dt.datetime, ...], tuple[Meeting, ...]]:
    """Every meeting of a calendar of stored slots, in order, each instant once; remembered."""
    if cal._expanded:
        return cal._expanded[0]
    seen: set[dt.datetime] = set()
    meetings = []
    for slot in sorted(cal.slots, key=lambda s: s.start):
        instant = slot.start.astimezone(dt.UTC)
        if instant in seen:
            continue
        seen.add(instant)
        meetings.append(
            _meeting(cal, slot.start.astimezone(cal.tz), slot.meeting_id, slot.location)
        )
    expanded = (tuple(m.start for m in meetings), tuple(meetings))
    cal._expanded.append(expanded)
    return expanded


def meetings_between(cal: BodyCalendar, start: dt.datetime, end: dt.datetime) -> list[Meeting]:
    """Meetings with `start <= meeting.start < end`, in order, each instant once."""
    if not cal.rules and not cal.dates:
        starts, known = _slot_meetings(cal)
        return list(known[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)])
    margin = dt.timedelta(days=1)
    low = start.astimezone(cal.tz).replace(tzinfo=None) - margin
    high = end.astimezone(cal.tz).replace(tzinfo=None) + margin
    candidates: list[Slot] = [
        *(Slot(moment) for moment in [*_rule_starts(cal, low, high), *cal.dates]),
        *(slot for slot in cal.slots if start <= slot.start < end),
    ]
    seen: set[dt.datetime] = set()
    meetings = []
    for slot in sorted(candidates, key=lambda s: s.start):
        instant = slot.start.astimezone(dt.UTC)
        if instant in seen or not (start <= slot.start < end):
            continue
        seen.add(instant)
        meetings.append(
            _meeting(cal, slot.start.astimezone(cal.tz), slot.meeting_id, slot.location)
        )
    return meetings


def next_feasible(
    cal: BodyCalendar, now: dt.datetime, *, needs_papers: bool = True
) -> Meeting | None:
    """The first meeting whose papers deadline is still ahead (a deadline at `now` has passed).

    A step that needs no papers (oral feedback) takes the first meeting that has not begun.
    """
    for meeting in meetings_between(cal, now, now + HORIZON):
        if (meeting.papers_due if needs_papers else meeting.start) > now:
            return meeting
    return None


def next_after(
    cal: BodyCalendar, after: dt.datetime, now: dt.datetime, *, needs_papers: bool = True
) -> Meeting | None:
    """The first feasible meeting that starts strictly after `after`."""
    start = max(after + dt.timedelta(microseconds=1), now)
    for meeting in meetings_between(cal, start, start + HORIZON):
        if meeting.start > after and (meeting.papers_due if needs_papers else meeting.start) > now:
            return meeting
    return None


def latest_by(cal: BodyCalendar, by: dt.datetime) -> Meeting | None:
    found = meetings_between(cal, by - HORIZON, by + dt.timedelta(microseconds=1))
    return found[-1] if found else None


def handover_calendar(
    person: str,
    target: BodyCalendar,
    lead: Lead,
    *,
    at: dt.time | None = None,
    via: BodyCalendar | None = None,
) -> BodyCalendar:
    """A person's "meetings" are the target body's, with the hand-over deadline as papers due."""
    return dataclasses.replace(
        target, body=person, papers_lead=lead, papers_time=at, handover_of=target.body,
        handover_via=via,
    )  # fmt: skip
