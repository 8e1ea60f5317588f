"""Meeting calendars, lead times and backward planning: pure functions of the dates given.

No clock, no database: "now" is always a parameter, so every rule here is tested on its own with
hand-computed dates. Meetings are computed from a body's calendar (explicit dates, RFC 5545
recurrence rules with exception dates, recesses, and meetings imported from .ics), expanded in
local time so a 10:00 meeting stays at 10:00 across daylight-saving changes.

Working days skip weekends and the Dutch public holidays of the `holidays` library, which counts
Goede Vrijdag and, in lustrum years (2025, 2030), Bevrijdingsdag; a calendar can close extra days.
Rule-generated meetings that fall on a public holiday are dropped unless `skip_holidays = false`.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrule, rrulestr

from routing.errors import CalendarError
from routing.i18n import format_date, t

__all__ = [
    "CALENDAR_KEYS",
    "BodyCalendar",
    "Lead",
    "Meeting",
    "Plan",
    "PlannedStep",
    "Recess",
    "RouteStep",
    "Rule",
    "Slot",
    "WorkingDays",
    "backward_plan",
    "earliest_reachable",
    "handover_calendar",
    "handover_deadline",
    "latest_by",
    "meetings_between",
    "next_after",
    "next_feasible",
    "parse_calendar",
    "parse_closed",
]

HORIZON = dt.timedelta(days=3 * 366)
_LEAD = re.compile(
    r"^\s*(\d+)\s*(werkdagen|werkdag|working days|working day|wd|dagen|dag|days|day|d)\s*$"
)
_WORKING_UNITS = {"werkdagen", "werkdag", "working days", "working day", "wd"}


class WorkingDays:
    """Weekends, Dutch public holidays and the region's closed days are not working days.

    The `holidays` library (checked in 0.109, `holidays/countries/netherlands.py`:
    `if self._year % 5 == 0`) counts Bevrijdingsdag, 5 May, as a public holiday only in lustrum
    years (2020, 2025, 2030, ...). `every_year` closes a (month, day) in every year: (5, 5) is
    `bevrijdingsdag = "elk-jaar"` in routing.toml. `extra_closed` are single closed days.
    """

    def __init__(
        self,
        country: str = "NL",
        extra_closed: Iterable[dt.date] = (),
        every_year: Iterable[tuple[int, int]] = (),
    ) -> None:
        self._holidays = holidays.country_holidays(country, language="nl")
        self._closed = frozenset(extra_closed)
        self._every_year = frozenset(every_year)

    def closing(self, days: Iterable[dt.date]) -> WorkingDays:
        """These working days with `days` closed as well (a body's own closed days)."""
        more = copy.copy(self)
        more._closed = self._closed | frozenset(days)
        return more

    @property
    def closed(self) -> frozenset[dt.date]:
        return self._closed

    def holiday_name(self, day: dt.date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday or a closed day: no working day, and no rule-generated meeting."""
        every_year = (day.month, day.day) in self._every_year
        return day in self._holidays or day in self._closed or every_year

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def subtract(self, day: dt.date, n: int) -> dt.date:
        """`n` working days before `day` (the day itself not counted)."""
        while n > 0:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def add(self, day: dt.date, n: int) -> dt.date:
        while n > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


@dataclass(frozen=True)
class Lead:
    amount: int
    working_days: bool

    @classmethod
    def parse(cls, text: str) -> Lead:
        match = _LEAD.match(text.lower())
        if match is None:
            raise CalendarError(t("err.lead_time", text=text))
        return cls(int(match.group(1)), match.group(2) in _WORKING_UNITS)

    def before(self, moment: dt.datetime, workdays: WorkingDays, at: dt.time | None) -> dt.datetime:
        """The moment `amount` (working) days before `moment`, at local time `at`."""
        tz = moment.tzinfo
        day = moment.date()
        day = (
            workdays.subtract(day, self.amount)
            if self.working_days
            else day - dt.timedelta(days=self.amount)
        )
        clock = at if at is not None else moment.timetz().replace(tzinfo=None)
        return dt.datetime.combine(day, clock, tzinfo=tz)

    def describe(self) -> str:
        unit = (
            ("werkdag" if self.amount == 1 else "werkdagen")
            if self.working_days
            else ("dag" if self.amount == 1 else "dagen")
        )
        return f"{self.amount} {unit}"


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


def meetings_between(cal: BodyCalendar, start: dt.datetime, end: dt.datetime) -> list[Meeting]:
    """Meetings with `start <= meeting.start < end`, in order, each instant once."""
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


# --- backward planning (rule 6) ---------------------------------------------------------------


@dataclass(frozen=True)
class RouteStep:
    body: str
    title: str
    calendar: BodyCalendar


@dataclass(frozen=True)
class PlannedStep:
    body: str
    title: str
    meeting: Meeting
    feasible: bool


@dataclass(frozen=True)
class Plan:
    target: Meeting
    steps: tuple[PlannedStep, ...]

    @property
    def feasible(self) -> bool:
        return all(step.feasible for step in self.steps)

    @property
    def first_missed(self) -> PlannedStep | None:
        return next((step for step in self.steps if not step.feasible), None)


def _step_meetings(route: Sequence[RouteStep], target: Meeting) -> list[Meeting]:
    """Each step's latest meeting, walking back from `target`."""
    meetings: list[Meeting] = [
        _meeting(route[-1].calendar, target.start, target.meeting_id, target.location)
    ]
    for step, following in zip(reversed(route[:-1]), reversed(route[1:]), strict=True):
        next_meeting = meetings[0]
        if step.calendar.handover_of == following.body:
            due, via = handover_deadline(step.calendar, next_meeting.start)
            # the hand-over happens at the meeting where the person receives the point
            start = via.start if via is not None else due
            chosen: Meeting | None = Meeting(
                start=start, body=step.body, papers_due=due, remind_at=due,
                meeting_id=via.meeting_id if via else None, location=via.location if via else None,
            )  # fmt: skip
        elif following.calendar.handover_of is not None:
            # a meeting on the hand-over day is in time, whatever its hour
            day_end = dt.datetime.combine(
                next_meeting.papers_due.astimezone(step.calendar.tz).date(),
                dt.time(23, 59, 59),
                tzinfo=step.calendar.tz,
            )
            chosen = latest_by(step.calendar, day_end)
        else:
            chosen = latest_by(step.calendar, next_meeting.papers_due)
        if chosen is None:  # no meeting early enough: show the need-by moment, infeasible
            need = next_meeting.papers_due
            chosen = Meeting(start=need, body=step.body, papers_due=need, remind_at=need)
        meetings.insert(0, chosen)
    return meetings


def backward_plan(route: Sequence[RouteStep], target: Meeting, now: dt.datetime) -> Plan:
    """Walk back from `target`: each step's latest meeting before the next step's deadline."""
    meetings = _step_meetings(route, target)
    steps = tuple(
        PlannedStep(step.body, step.title, meeting, meeting.papers_due > now)
        for step, meeting in zip(route, meetings, strict=True)
    )
    return Plan(target=meetings[-1], steps=steps)


def earliest_reachable(
    route: Sequence[RouteStep], now: dt.datetime, after: dt.datetime | None = None
) -> Plan | None:
    start = after or now
    for target in meetings_between(route[-1].calendar, start, start + HORIZON):
        plan = backward_plan(route, target, now)
        if plan.feasible:
            return plan
    return None


# --- the [bodies.X.calendar] table of routing.toml ---------------------------------------------

CALENDAR_KEYS = frozenset(
    {
        "dates", "rrule", "start", "exdates", "rules", "recess", "skip_holidays",
        "papers_lead", "papers_time", "reminder_lead", "closed",
    }
)  # fmt: skip
_RULE_KEYS = frozenset({"rrule", "start", "exdates"})
_RECESS_KEYS = frozenset({"name", "start", "end"})
_RULE_EXAMPLE = "{rrule = ..., start = ...}"
_RECESS_EXAMPLE = "{name = ..., start = ..., end = ...}"


def parse_calendar(
    body: str, table: Mapping[str, Any], tz: ZoneInfo, workdays: WorkingDays
) -> tuple[BodyCalendar | None, list[str]]:
    where = f"bodies.{body}.calendar"
    problems = [
        t(
            "config.unknown_key_named",
            where=where,
            key=key,
            allowed=", ".join(sorted(CALENDAR_KEYS)),
        )
        for key in table
        if key not in CALENDAR_KEYS
    ]
    parse = _Parse(where, tz, problems)
    dates = tuple(parse.moment(value, "dates") for value in parse.listed(table, "dates"))
    rules: list[Rule] = []
    if "rrule" in table or "start" in table:
        rules.append(parse.rule(table, where))
    for n, raw in enumerate(parse.listed(table, "rules")):
        if isinstance(raw, dict):
            rules.append(parse.rule(raw, f"{where}.rules[{n}]", _RULE_KEYS))
        else:
            problems.append(
                t("config.rule_table", where=f"{where}.rules[{n}]", example=_RULE_EXAMPLE)
            )
    recesses = []
    for n, raw in enumerate(parse.listed(table, "recess")):
        recesses.append(parse.recess(raw, f"{where}.recess[{n}]"))
    skip = table.get("skip_holidays", True)
    if not isinstance(skip, bool):
        problems.append(t("config.must_be_bool", where=f"{where}.skip_holidays"))
    papers_lead = parse.lead(table, "papers_lead", Lead(5, True))
    reminder_lead = parse.lead(table, "reminder_lead", Lead(3, True))
    papers_time = parse.clock(table.get("papers_time", "12:00"))
    closed = parse.closed(table)
    if problems:
        return None, problems
    calendar = BodyCalendar(
        body=body, tz=tz, dates=tuple(d for d in dates if d is not None),
        rules=tuple(rules), recesses=tuple(r for r in recesses if r is not None),
        skip_holidays=bool(skip), papers_lead=papers_lead, papers_time=papers_time,
        reminder_lead=reminder_lead, workdays=workdays.closing(closed) if closed else workdays,
    )  # fmt: skip
    return calendar, []


def parse_closed(
    table: Mapping[str, Any], where: str, tz: ZoneInfo, problems: list[str]
) -> tuple[dt.date, ...]:
    """The days of `closed = [...]` in a table, each bad one named `where.closed[n]`."""
    return _Parse(where, tz, problems).closed(table)


@dataclass
class _Parse:
    where: str
    tz: ZoneInfo
    problems: list[str]

    def listed(self, table: Mapping[str, Any], key: str) -> list[Any]:
        value = table.get(key, [])
        if not isinstance(value, list):
            self.problems.append(t("config.must_be_list", where=f"{self.where}.{key}"))
            return []
        return value

    def moment(self, value: Any, key: str) -> dt.datetime | None:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.problems.append(t("config.datetime", where=f"{self.where}.{key}", value=value))
            return None
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    def day(self, value: Any, key: str) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problems.append(t("config.date", where=f"{self.where}.{key}", value=value))
            return None

    def closed(self, table: Mapping[str, Any]) -> tuple[dt.date, ...]:
        days = (self.day(v, f"closed[{n}]") for n, v in enumerate(self.listed(table, "closed")))
        return tuple(d for d in days if d is not None)

    def rule(
        self, table: Mapping[str, Any], where: str, allowed: frozenset[str] | None = None
    ) -> Rule:
        if allowed is not None:
            self.problems.extend(
                t(
                    "config.unknown_key_named",
                    where=where,
                    key=k,
                    allowed=", ".join(sorted(allowed)),
                )
                for k in table
                if k not in allowed
            )
        text = str(table.get("rrule", ""))
        start = self.moment(
            table.get("start", ""), f"{where.rsplit('.', maxsplit=1)[-1]}.start".lstrip(".")
        )
        if not text:
            self.problems.append(t("config.rrule_missing", where=where))
        elif start is not None:
            try:
                produced: rrule = rrulestr(text, dtstart=start.replace(tzinfo=None), ignoretz=True)  # type: ignore[assignment]
                del produced
            except (ValueError, TypeError) as exc:
                self.problems.append(
                    t("config.rrule_invalid", where=f"{where}.rrule", text=text, detail=exc)
                )
        exdates = tuple(
            d for d in (self.day(v, "exdates") for v in self.listed(table, "exdates")) if d
        )
        return Rule(text, start or dt.datetime(2000, 1, 1, tzinfo=self.tz), exdates)

    def recess(self, raw: Any, where: str) -> Recess | None:
        if not isinstance(raw, dict):
            self.problems.append(t("config.recess_table", where=where, example=_RECESS_EXAMPLE))
            return None
        self.problems.extend(
            t(
                "config.unknown_key_named",
                where=where,
                key=k,
                allowed=", ".join(sorted(_RECESS_KEYS)),
            )
            for k in raw
            if k not in _RECESS_KEYS
        )
        start, end = (
            self.day(raw.get("start"), "recess.start"),
            self.day(raw.get("end"), "recess.end"),
        )
        if start is None or end is None:
            return None
        if end < start:
            self.problems.append(
                t(
                    "config.recess_order",
                    where=where,
                    end=format_date(end),
                    start=format_date(start),
                )
            )
            return None
        return Recess(str(raw.get("name", "reces")), start, end)

    def lead(self, table: Mapping[str, Any], key: str, default: Lead) -> Lead:
        if key not in table:
            return default
        try:
            return Lead.parse(str(table[key]))
        except CalendarError as exc:
            self.problems.append(f"{self.where}.{key}: {exc}")
            return default

    def clock(self, value: Any) -> dt.time | None:
        if value == "meeting":
            return None
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            self.problems.append(t("config.time", where=f"{self.where}.papers_time", value=value))
            return dt.time(12, 0)
