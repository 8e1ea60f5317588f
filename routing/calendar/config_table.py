"""The `[bodies.X.calendar]` table of routing.toml, validated into a `BodyCalendar`.

Problems are collected, not raised, so the config reports every problem of the file at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from routing.calendar.meetings import BodyCalendar, Recess, Rule
from routing.calendar.working_days import Lead, WorkingDays
from routing.errors import CalendarError
from routing.i18n import format_date, t

__all__ = ["CALENDAR_KEYS", "parse_calendar", "parse_closed"]

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
