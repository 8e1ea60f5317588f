"""The `[bodies.X.calendar]` table of routing.toml, read into a `BodyCalendar`.

The keys of the table and the types of their values are checked by the one checker of
routing.toml (`routing.config.schema`, a layer above this one) before this module sees the
table; here the values are converted and judged: dates, date-times, RRULEs, lead times, the
papers time, recesses. Problems are collected, not raised, so the config reports every problem
of the file at once; `at` gives each the line of its key when the config knows the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from routing.calendar.meetings import BodyCalendar, Recess, Rule
from routing.calendar.rules import rule_problem
from routing.calendar.working_days import Lead, WorkingDays
from routing.clock import FIRST_YEAR, LAST_YEAR
from routing.errors import CalendarError
from routing.i18n import format_date, t

__all__ = ["CALENDAR_KEYS", "Locate", "parse_calendar", "parse_closed"]

# the keys parse_calendar reads; routing.config.schema's CALENDAR table declares the same (tested)
CALENDAR_KEYS = frozenset(
    {
        "dates", "rrule", "start", "exdates", "rules", "recess", "skip_holidays",
        "papers_lead", "papers_time", "reminder_lead", "closed",
    }
)  # fmt: skip

Path = tuple[str | int, ...]
# the line of the key at a path, as " (regel 12)", or ""
Locate = Callable[[Path], str]


def _nowhere(path: Path) -> str:
    return ""


def parse_calendar(
    body: str,
    table: Mapping[str, Any],
    tz: ZoneInfo,
    workdays: WorkingDays,
    *,
    at: Locate = _nowhere,
) -> tuple[BodyCalendar | None, list[str]]:
    """A body's calendar from its checked table, or None and the problems found."""
    parse = _Parse(("bodies", body, "calendar"), tz, [], at)
    dates = tuple(parse.moment(v, ("dates", n)) for n, v in enumerate(_list(table, "dates")))
    rules: list[Rule] = []
    if "rrule" in table or "start" in table:
        if "rrule" in table and "start" in table:
            rules.append(parse.rule(table, ()))
        else:
            parse.problem((), "config.rrule_missing")
    for n, raw in enumerate(_list(table, "rules")):
        if "rrule" in raw and "start" in raw:  # a missing one is reported by the schema
            rules.append(parse.rule(raw, ("rules", n)))
    recesses = [parse.recess(raw, ("recess", n)) for n, raw in enumerate(_list(table, "recess"))]
    papers_lead = parse.lead(table, "papers_lead", Lead(5, True))
    reminder_lead = parse.lead(table, "reminder_lead", Lead(3, True))
    papers_time = parse.clock(table.get("papers_time", "12:00"))
    closed = parse.closed(table)
    if parse.problems:
        return None, parse.problems
    calendar = BodyCalendar(
        body=body, tz=tz, dates=tuple(d for d in dates if d is not None),
        rules=tuple(rules), recesses=tuple(r for r in recesses if r is not None),
        skip_holidays=bool(table.get("skip_holidays", True)), papers_lead=papers_lead,
        papers_time=papers_time, reminder_lead=reminder_lead,
        workdays=workdays.closing(closed) if closed else workdays,
    )  # fmt: skip
    return calendar, []


def parse_closed(
    table: Mapping[str, Any],
    where: str,
    tz: ZoneInfo,
    problems: list[str],
    *,
    at: Locate = _nowhere,
) -> tuple[dt.date, ...]:
    """The days of `closed = [...]` in a table, each bad one named `where.closed[n]`."""
    return _Parse(tuple(where.split(".")), tz, problems, at).closed(table)


def _list(table: Mapping[str, Any], key: str) -> list[Any]:
    value = table.get(key, [])
    return value if isinstance(value, list) else []


def _dotted(path: Path) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


@dataclass
class _Parse:
    base: Path  # the path of the table: ("bodies", "regieteam", "calendar"), ("region",)
    tz: ZoneInfo
    problems: list[str]
    at: Locate

    def problem(self, path: Path, message: str, **values: Any) -> None:
        full = (*self.base, *path)
        self.problems.append(t(message, where=_dotted(full), line=self.at(full), **values))

    def moment(self, value: Any, path: Path) -> dt.datetime | None:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            self.problem(path, "config.datetime", value=value)
            return None
        if not self.in_range(moment, path):
            return None
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    def day(self, value: Any, path: Path) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value if self.in_range(value, path) else None
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(path, "config.date", value=value)
            return None
        return day if self.in_range(day, path) else None

    def in_range(self, value: dt.date, path: Path) -> bool:
        """The years a user may type anywhere (`routing.clock`): the calendar's arithmetic
        (lead times back from a meeting, horizons of years) stays within the datetime range."""
        if FIRST_YEAR <= value.year <= LAST_YEAR:
            return True
        self.problem(path, "config.year_range", value=value, first=FIRST_YEAR, last=LAST_YEAR)
        return False

    def closed(self, table: Mapping[str, Any]) -> tuple[dt.date, ...]:
        days = (self.day(v, ("closed", n)) for n, v in enumerate(_list(table, "closed")))
        return tuple(d for d in days if d is not None)

    def rule(self, table: Mapping[str, Any], path: Path) -> Rule:
        text = str(table["rrule"])
        start = self.moment(table["start"], (*path, "start"))
        if start is not None:
            try:
                produced: rrule = rrulestr(text, dtstart=start.replace(tzinfo=None), ignoretz=True)  # type: ignore[assignment]
                del produced
            except (ValueError, TypeError) as exc:
                self.problem((*path, "rrule"), "config.rrule_invalid", text=text, detail=exc)
            else:
                unbounded = rule_problem(text, start)
                if unbounded is not None:
                    self.problem((*path, "rrule"), f"config.rrule_{unbounded}", text=text)
        exdates = (
            self.day(v, (*path, "exdates", n)) for n, v in enumerate(_list(table, "exdates"))
        )
        days = tuple(d for d in exdates if d is not None)
        return Rule(text, start or dt.datetime(2000, 1, 1, tzinfo=self.tz), days)

    def recess(self, raw: Mapping[str, Any], path: Path) -> Recess | None:
        if "start" not in raw or "end" not in raw:  # reported by the schema
            return None
        start, end = self.day(raw["start"], (*path, "start")), self.day(raw["end"], (*path, "end"))
        if start is None or end is None:
            return None
        if end < start:
            self.problem(
                path, "config.recess_order", end=format_date(end), start=format_date(start)
            )
            return None
        return Recess(str(raw.get("name", "reces")), start, end)

    def lead(self, table: Mapping[str, Any], key: str, default: Lead) -> Lead:
        if key not in table:
            return default
        try:
            return Lead.parse(str(table[key]))
        except CalendarError as exc:
            self.problem((key,), "config.lead", problem=exc)
            return default

    def clock(self, value: Any) -> dt.time | None:
        if value == "meeting":
            return None
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            self.problem(("papers_time",), "config.time", value=value)
            return dt.time(12, 0)
