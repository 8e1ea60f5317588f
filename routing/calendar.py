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

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import icalendar
from dateutil.rrule import rrule, rrulestr

from routing.errors import CalendarError
from routing.i18n import format_date, t

__all__ = [
    "CALENDAR_KEYS",
    "BodyCalendar",
    "ImportedMeeting",
    "Lead",
    "Meeting",
    "Plan",
    "PlannedStep",
    "Recess",
    "RouteStep",
    "Rule",
    "WorkingDays",
    "backward_plan",
    "earliest_reachable",
    "handover_calendar",
    "latest_by",
    "meetings_between",
    "next_after",
    "next_feasible",
    "parse_calendar",
    "read_ics",
]

HORIZON = dt.timedelta(days=3 * 366)
_LEAD = re.compile(
    r"^\s*(\d+)\s*(werkdagen|werkdag|working days|working day|wd|dagen|dag|days|day|d)\s*$"
)
_WORKING_UNITS = {"werkdagen", "werkdag", "working days", "working day", "wd"}


class WorkingDays:
    """Weekends and Dutch public holidays are not working days."""

    def __init__(self, country: str = "NL", extra_closed: Iterable[dt.date] = ()) -> None:
        self._holidays = holidays.country_holidays(country, language="nl")
        self._closed = frozenset(extra_closed)

    def holiday_name(self, day: dt.date) -> str | None:
        name = self._holidays.get(day)
        return str(name) if name else None

    def is_holiday(self, day: dt.date) -> bool:
        return day in self._holidays or day in self._closed

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
    imported: tuple[dt.datetime, ...] = ()
    handover_of: str | None = None  # set on a person's calendar: the body it hands over to

    def with_imported(self, starts: Iterable[dt.datetime]) -> BodyCalendar:
        return dataclasses.replace(self, imported=tuple(sorted({*self.imported, *starts})))


@dataclass(frozen=True, order=True)
class Meeting:
    start: dt.datetime
    body: str
    papers_due: dt.datetime
    remind_at: dt.datetime

    @property
    def key(self) -> str:
        return f"{self.body}@{self.start.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"


def _meeting(cal: BodyCalendar, start: dt.datetime) -> Meeting:
    papers_due = cal.papers_lead.before(start, cal.workdays, cal.papers_time)
    remind_at = cal.reminder_lead.before(papers_due, cal.workdays, None)
    return Meeting(start=start, body=cal.body, papers_due=papers_due, remind_at=remind_at)


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
    candidates = [*_rule_starts(cal, low, high), *cal.dates, *cal.imported]
    seen: set[dt.datetime] = set()
    meetings = []
    for moment in sorted(candidates):
        instant = moment.astimezone(dt.UTC)
        if instant in seen or not (start <= moment < end):
            continue
        seen.add(instant)
        meetings.append(_meeting(cal, moment.astimezone(cal.tz)))
    return meetings


def next_feasible(cal: BodyCalendar, now: dt.datetime) -> Meeting | None:
    """The first meeting whose papers deadline is still ahead (a deadline at `now` has passed)."""
    for meeting in meetings_between(cal, now, now + HORIZON):
        if meeting.papers_due > now:
            return meeting
    return None


def next_after(cal: BodyCalendar, after: dt.datetime, now: dt.datetime) -> Meeting | None:
    """The first feasible meeting that starts strictly after `after`."""
    start = max(after + dt.timedelta(microseconds=1), now)
    for meeting in meetings_between(cal, start, start + HORIZON):
        if meeting.start > after and meeting.papers_due > now:
            return meeting
    return None


def latest_by(cal: BodyCalendar, by: dt.datetime) -> Meeting | None:
    found = meetings_between(cal, by - HORIZON, by + dt.timedelta(microseconds=1))
    return found[-1] if found else None


def handover_calendar(person: str, target: BodyCalendar, lead: Lead) -> BodyCalendar:
    """A person's "meetings" are the target body's, with the hand-over deadline as papers due."""
    return dataclasses.replace(
        target, body=person, papers_lead=lead, papers_time=dt.time(12, 0), handover_of=target.body
    )


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


def backward_plan(route: Sequence[RouteStep], target: Meeting, now: dt.datetime) -> Plan:
    """Walk back from `target`: each step's latest meeting before the next step's deadline."""
    meetings: list[Meeting] = [_meeting(route[-1].calendar, target.start)]
    for step, following in zip(reversed(route[:-1]), reversed(route[1:]), strict=True):
        next_meeting = meetings[0]
        if step.calendar.handover_of == following.body:
            chosen: Meeting | None = _meeting(step.calendar, next_meeting.start)
        else:
            chosen = latest_by(step.calendar, next_meeting.papers_due)
        if chosen is None:  # no meeting early enough: show the need-by moment, infeasible
            need = next_meeting.papers_due
            chosen = Meeting(start=need, body=step.body, papers_due=need, remind_at=need)
        meetings.insert(0, chosen)
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
        "papers_lead", "papers_time", "reminder_lead",
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
    if problems:
        return None, problems
    calendar = BodyCalendar(
        body=body, tz=tz, dates=tuple(d for d in dates if d is not None),
        rules=tuple(rules), recesses=tuple(r for r in recesses if r is not None),
        skip_holidays=bool(skip), papers_lead=papers_lead, papers_time=papers_time,
        reminder_lead=reminder_lead, workdays=workdays,
    )  # fmt: skip
    return calendar, []


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


# --- .ics import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedMeeting:
    uid: str
    start: dt.datetime
    summary: str


def read_ics(
    data: bytes, tz: ZoneInfo, horizon_start: dt.datetime, horizon_end: dt.datetime
) -> list[ImportedMeeting]:
    """Every meeting of an iCalendar file within the horizon, recurrences expanded."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise CalendarError(t("err.not_ics", detail=exc)) from None
    found: dict[str, ImportedMeeting] = {}
    for event in calendar.walk("VEVENT"):
        if str(event.get("STATUS", "")).upper() == "CANCELLED" or "DTSTART" not in event:
            continue
        uid = str(event.get("UID") or f"{event.decoded('DTSTART')}-{event.get('SUMMARY', '')}")
        summary = str(event.get("SUMMARY", ""))
        start = _local(event.decoded("DTSTART"), tz)
        for occurrence in _occurrences(event, start, tz, horizon_start, horizon_end):
            key = (
                uid
                if occurrence == start
                else f"{uid}/{occurrence.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
            )
            if horizon_start <= occurrence < horizon_end:
                found[key] = ImportedMeeting(key, occurrence, summary)
    return sorted(found.values(), key=lambda m: m.start)


def _local(value: dt.date | dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(9, 0), tzinfo=tz)  # all-day: 09:00 local
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)  # floating time: the region's clock
    return value.astimezone(tz)


def _occurrences(
    event: Any, start: dt.datetime, tz: ZoneInfo, low: dt.datetime, high: dt.datetime
) -> list[dt.datetime]:
    if "RRULE" not in event:
        return [start]
    text = event["RRULE"].to_ical().decode()
    naive = start.replace(tzinfo=None)
    rule: Any = rrulestr(text, dtstart=naive, ignoretz=True)
    excluded: set[dt.datetime] = set()
    raw = event.get("EXDATE")
    for group in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        for item in group.dts:
            excluded.add(_local(item.dt, tz))
    window = (low.astimezone(tz).replace(tzinfo=None), high.astimezone(tz).replace(tzinfo=None))
    moments = [o.replace(tzinfo=tz) for o in rule.between(*window, inc=True)]
    return [m for m in moments if m not in excluded]
