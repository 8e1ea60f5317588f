"""Meetings read from an iCalendar (.ics) file as Outlook and Google export it.

Pure: no database and no clock; the period to read is a parameter. `recurring_ical_events` expands
the series (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) after `x_wr_timezone` has put Google's
UTC times into the calendar's own zone, so a 10:00 meeting stays at 10:00 across daylight-saving
changes. A time without a zone ("floating") is read on the region's clock.

Every occurrence has a key that survives the next import of the same file: the UID of a single
event, and for an occurrence of a series the UID plus the slot it was planned in (its
RECURRENCE-ID, in UTC), so a moved meeting keeps its identity and is found once, at its new time.
Cancelled and all-day occurrences are reported in `skipped`, never returned as meetings.

A file that cannot be used raises `CalendarError` with one line naming the event and what to do.
Expansion is bounded: rules that repeat within a day are refused, a series is expanded lazily in
growing spans, and reading stops as soon as more than `limit` occurrences turn up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone import tzp

from routing.calendar.rules import SUB_DAILY, rule_problem
from routing.errors import CalendarError
from routing.i18n import format_date, t
from routing.text import LIMITS, one_line

__all__ = ["MAX_BYTES", "SKIP_REASONS", "IcsMeeting", "IcsReading", "IcsSkipped", "read_ics"]

# A year of a body's meetings exported by Outlook is some tens of kilobytes; reading 2 MiB of
# events takes a few seconds, so a larger file is refused before it is parsed.
MAX_BYTES: Final = 2 * 1024 * 1024
# "duplicate" is given by the import (already in the calendar), never by the reader
SKIP_REASONS: Final = ("all-day", "cancelled", "no-start", "duplicate")

# What icalendar, dateutil, x_wr_timezone and recurring_ical_events raise on bad data (their own
# exception classes derive from ValueError; zoneinfo raises OSError for a TZID too long to be a
# file name); none of it may reach the user as a traceback.
_LIBRARY_ERRORS: Final = (
    OSError,
    ValueError,
    TypeError,
    LookupError,
    AttributeError,
    ArithmeticError,
    AssertionError,
    RuntimeError,
)
# icalendar keeps an event whose property does not parse and lists the damage in `errors`; only
# damage to these properties can move or hide a meeting, the rest (DESCRIPTION, X-...) is harmless.
_TIME_PROPERTIES: Final = frozenset({"DTSTART", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"})
# Properties that must appear once, with a date or date-time value.
_SINGLE_PROPERTIES: Final = ("DTSTART", "RECURRENCE-ID")
_ZONED_PROPERTIES: Final = ("DTSTART", "RDATE", "EXDATE", "RECURRENCE-ID")
# Only the start of a meeting matters here. recurring_ical_events also returns occurrences that
# merely overlap the period, and widens its search by the duration; a damaged end (a 50-year
# "meeting") would make it return every occurrence since the series began, for every span.
_END_PROPERTIES: Final = ("DTEND", "DURATION")
_PERIOD_DAYS: Final = {"DAILY": 1.0, "WEEKLY": 7.0, "MONTHLY": 30.44, "YEARLY": 365.25}
# dateutil walks every rule from its DTSTART, also through the years before the period asked
# for; 100,000 steps (a daily rule of 270 years) take a fraction of a second.
_MAX_STEPS_BEFORE: Final = 100_000
# A series is expanded span by span; a span that yields little doubles the next one, so a sparse
# rule over decades costs a handful of spans while a dense one reaches `limit` within a few.
_FIRST_SPAN: Final = dt.timedelta(days=31)
_SPARSE: Final = 32
# Outlook UIDs are over 100 characters; the start is enough to tell events apart in a message.
_UID_SHOWN: Final = 24
_DETAIL_SHOWN: Final = 160


@dataclass(frozen=True)
class IcsMeeting:
    key: str  # the same on every import of the file, also after the meeting was moved
    start: dt.datetime  # on the clock of the region's time zone
    summary: str
    location: str | None


@dataclass(frozen=True)
class IcsSkipped:
    key: str
    summary: str
    # the local day it falls on; for an event without a start, the first day of the period
    day: dt.date
    reason: str  # one of SKIP_REASONS; an all-day item is "all-day" even when cancelled


@dataclass(frozen=True)
class IcsReading:
    meetings: tuple[IcsMeeting, ...]  # sorted by start
    skipped: tuple[IcsSkipped, ...]  # sorted by day


def read_ics(
    data: bytes, tz: ZoneInfo, start: dt.datetime, end: dt.datetime, *, limit: int = 2000
) -> IcsReading:
    """The meetings of an iCalendar file with `start <= meeting.start < end`, on the clock of `tz`.

    `skipped` lists what looks like a meeting but is not: all-day items and cancelled occurrences
    in the period (one entry per occurrence), and events without a start. A naive `start` or `end`
    is read on the clock of `tz`. Raises `CalendarError` for a file that cannot be used, and as
    soon as the period holds more than `limit` meetings (or more than `limit` skipped entries).
    """
    low, high = _on_clock(start, tz), _on_clock(end, tz)
    if len(data) > MAX_BYTES:
        raise CalendarError(t("err.ics_too_large", size=len(data), limit=MAX_BYTES))
    calendar = _parse(data)
    unstarted = _prepare(calendar)
    for event in [*unstarted, *calendar.walk("VEVENT")]:
        _check(event, low)
    calendar = _standard(calendar)
    reader = _Reader(tz, low, high, limit)
    for event in unstarted:
        reader.unstarted(event)
    groups: dict[str, list[icalendar.Component]] = {}
    for event in calendar.walk("VEVENT"):
        groups.setdefault(_text(event, "UID"), []).append(event)
    if low < high:
        for group in groups.values():
            reader.expand(group)
    return reader.reading()


# --- reading the file ------------------------------------------------------------------------


def _parse(data: bytes) -> icalendar.Calendar:
    text = _utf8(data)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except _LIBRARY_ERRORS as exc:
        # A download or copy that broke off; icalendar's own words would quote raw bytes.
        cut_off = b"BEGIN:VCALENDAR" in text.upper() and b"END:VCALENDAR" not in text.upper()
        detail = t("ics.incomplete") if cut_off else _one_line(exc)
        raise CalendarError(t("err.not_ics", detail=detail)) from None
    if calendar.name != "VCALENDAR":
        raise CalendarError(t("err.not_ics", detail=t("ics.no_vcalendar")))
    scale = str(calendar.get("CALSCALE", "GREGORIAN")).upper()
    if scale != "GREGORIAN":
        raise CalendarError(t("err.not_ics", detail=f"CALSCALE:{scale}"))
    return calendar


def _utf8(data: bytes) -> bytes:
    # Older Outlook versions export in Windows-1252; icalendar would turn every é into U+FFFD.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data


def _prepare(calendar: icalendar.Calendar) -> list[icalendar.Component]:
    """Give every event a UID and drop its end; take out the events without a start."""
    for event in calendar.walk("VEVENT"):
        if not _text(event, "UID"):
            event["UID"] = _derived_uid(event)
        if "DTSTART" in event:
            for name in _END_PROPERTIES:
                event.pop(name, None)
    unstarted: list[icalendar.Component] = []
    kept: list[icalendar.Component] = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT" and "DTSTART" not in component:
            unstarted.append(component)
        else:
            kept.append(component)
    calendar.subcomponents[:] = kept
    return unstarted


def _derived_uid(event: icalendar.Component) -> str:
    # Stable across imports of the same file, so the meeting keeps its key.
    when = ",".join(
        f"{prop.params.get('TZID', '')}:{_raw(prop)}" for prop in _as_list(_prop(event, "DTSTART"))
    )
    digest = hashlib.sha256(f"{when}|{_text(event, 'SUMMARY')}".encode()).hexdigest()
    return f"no-uid-{digest[:16]}"


def _check(event: icalendar.Component, low: dt.datetime) -> None:
    """Refuse an event whose times are damaged, unknown or cannot be expanded in bounded time."""
    label = _label(event)
    for name, problem in event.errors:
        if name is None:
            raise CalendarError(t("err.ics_bad_line", event=label, detail=_one_line(problem)))
        if name in _TIME_PROPERTIES:
            raise CalendarError(
                t("err.ics_bad_value", name=name, event=label, detail=_one_line(problem))
            )
    for name in _SINGLE_PROPERTIES:
        prop = _prop(event, name)
        if prop is not None and not isinstance(_moment(prop), dt.date):
            raw = ", ".join(_raw(item) for item in _as_list(prop))
            raise CalendarError(t("err.ics_bad_value", name=name, event=label, detail=raw))
    for name in _ZONED_PROPERTIES:
        for prop in _as_list(_prop(event, name)):
            tzid = prop.params.get("TZID")
            # icalendar leaves the time naive when it cannot resolve the TZID: it would silently
            # become the region's clock.
            if tzid and any(_naive(value) for value in _values(prop)):
                raise CalendarError(t("err.ics_unknown_tz", event=label, tzid=tzid))
    if "DTSTART" in event:
        for rule in _as_list(_prop(event, "RRULE")):
            _check_rule(event, rule, label, low)


def _check_rule(event: icalendar.Component, rule: Any, label: str, low: dt.datetime) -> None:
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    per_day = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        per_day *= max(1, len(rule.get(part) or ()))
    text = rule.to_ical().decode()
    if frequency in SUB_DAILY or per_day > 1:
        raise CalendarError(t("err.ics_too_frequent", event=label, rule=text))
    if frequency not in _PERIOD_DAYS:
        raise CalendarError(
            t("err.ics_bad_value", name="RRULE", event=label, detail=f"FREQ={frequency}")
        )
    first = _day(_prop(event, "DTSTART").dt)
    try:
        never = rule_problem(text, dt.datetime.combine(first, dt.time())) == "never"
    except _LIBRARY_ERRORS as exc:
        raise CalendarError(
            t("err.ics_bad_value", name="RRULE", event=label, detail=_one_line(exc))
        ) from None
    if never:
        raise CalendarError(t("err.ics_rule_never", event=label, rule=text))
    horizon = low.date()
    until = (rule.get("UNTIL") or [None])[0]
    if isinstance(until, dt.date):
        horizon = min(horizon, _day(until))
    interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
    steps = (horizon - first).days / (_PERIOD_DAYS[frequency] * interval)
    count = rule.get("COUNT")
    if count:
        steps = min(steps, int(count[0]))
    if steps > _MAX_STEPS_BEFORE:
        raise CalendarError(t("err.ics_too_early", event=label, date=format_date(first)))


def _standard(calendar: icalendar.Calendar) -> icalendar.Calendar:
    """Google writes UTC times meant on the calendar's clock (X-WR-TIMEZONE); make that explicit."""
    name = calendar.get("X-WR-TIMEZONE")
    if name is None:
        return calendar
    tzid = _one_line(name)
    try:
        # icalendar's lookup also knows Windows names such as "W. Europe Standard Time".
        zone = tzp.timezone(tzid) if tzid else None
        if zone is None:
            raise CalendarError(t("err.ics_calendar_tz", tzid=tzid))
        standard: icalendar.Calendar = x_wr_timezone.to_standard(calendar, timezone=zone)
    except _LIBRARY_ERRORS:
        raise CalendarError(t("err.ics_calendar_tz", tzid=tzid)) from None
    return standard


# --- expanding -------------------------------------------------------------------------------


class _Reader:
    """Collects meetings and skipped occurrences, one per key, and enforces the limit."""

    def __init__(self, tz: ZoneInfo, low: dt.datetime, high: dt.datetime, limit: int) -> None:
        self.tz = tz
        self.low = low
        self.high = high
        self.limit = limit
        self.meetings: dict[str, IcsMeeting] = {}
        self.skipped: dict[str, IcsSkipped] = {}
        self.per_event: Counter[str] = Counter()
        self.labels: dict[str, str] = {}

    def reading(self) -> IcsReading:
        meetings = sorted(self.meetings.values(), key=lambda m: (m.start, m.key))
        skipped = sorted(self.skipped.values(), key=lambda s: (s.day, s.key))
        return IcsReading(tuple(meetings), tuple(skipped))

    def unstarted(self, event: icalendar.Component) -> None:
        day = self.low.date()
        for name in ("RECURRENCE-ID", "DTEND", "DUE"):
            value = _moment(_prop(event, name))
            if isinstance(value, dt.date):
                day = _day(self._on_clock(value)) if isinstance(value, dt.datetime) else value
                break
        key = _text(event, "UID")
        self.skipped[key] = IcsSkipped(key, _summary(event), day, "no-start")

    def expand(self, group: list[icalendar.Component]) -> None:
        master = next((e for e in group if "RECURRENCE-ID" not in e), group[0])
        uid, title = _text(master, "UID"), _summary(master)
        self.labels[uid] = _label(master)
        recurring = any(name in e for e in group for name in ("RRULE", "RDATE", "RECURRENCE-ID"))
        shifts = self._shifts(group)
        try:
            series = recurring_ical_events.Series(
                [recurring_ical_events.EventAdapter(event) for event in group]
            )
            for component in self._occurrences(series, recurring):
                self._take(component, uid, title, recurring, shifts)
        except _LIBRARY_ERRORS as exc:
            raise CalendarError(
                t("err.ics_unusable", event=self.labels[uid], detail=_one_line(exc))
            ) from None

    def _occurrences(self, series: Any, recurring: bool) -> Iterator[icalendar.Component]:
        span = _FIRST_SPAN if recurring else self.high - self.low
        low = self.low
        while low < self.high:
            high = self.high if self.high - low <= span else low + span
            found = 0
            for occurrence in series.between(low, high):
                found += 1
                yield occurrence.as_component(False)
            if found < _SPARSE:
                span = min(span * 2, self.high - self.low)
            low = high

    def _take(
        self,
        component: icalendar.Component,
        uid: str,
        title: str,
        recurring: bool,
        shifts: dict[str, dt.timedelta],
    ) -> None:
        begin = _prop(component, "DTSTART").dt
        key = uid
        if recurring:
            key = f"{uid}/{self._slot(component, begin, shifts)}"
        if key in self.meetings or key in self.skipped:
            return  # an all-day item overlaps two spans
        summary = _summary(component) or title
        if _all_day(component, begin):
            self._skip(IcsSkipped(key, summary, _day(self._on_clock(begin)), "all-day"), uid)
            return
        moment = self._on_clock(begin)
        if not self.low <= moment < self.high:
            return
        if _text(component, "STATUS").upper() == "CANCELLED":
            self._skip(IcsSkipped(key, summary, moment.date(), "cancelled"), uid)
            return
        location = _text(component, "LOCATION") or None
        self.meetings[key] = IcsMeeting(key, moment, summary, location)
        self._count(uid, len(self.meetings))

    def _skip(self, entry: IcsSkipped, uid: str) -> None:
        self.skipped[entry.key] = entry
        self._count(uid, len(self.skipped))

    def _count(self, uid: str, total: int) -> None:
        self.per_event[uid] += 1
        if total > self.limit:
            # The series with most occurrences so far is the one to give an end date.
            culprit = self.per_event.most_common(1)[0][0]
            raise CalendarError(
                t(
                    "err.ics_too_many",
                    event=self.labels[culprit],
                    limit=self.limit,
                    start=format_date(self.low),
                    end=format_date(self.high),
                )
            )

    def _slot(
        self, component: icalendar.Component, begin: Any, shifts: dict[str, dt.timedelta]
    ) -> str:
        """The planned start of an occurrence, in UTC: the same before and after it was moved."""
        recurrence = _prop(component, "RECURRENCE-ID")
        if recurrence is None:
            return self._utc_text(begin)
        slot = recurrence.dt
        if str(recurrence.params.get("RANGE", "")).upper() == "THISANDFUTURE":
            # Later occurrences carry the override's RECURRENCE-ID but were moved by its shift.
            slot = begin - shifts.get(self._utc_text(slot), dt.timedelta())
        return self._utc_text(slot)

    def _shifts(self, group: list[icalendar.Component]) -> dict[str, dt.timedelta]:
        """How far each RANGE=THISANDFUTURE override moves the rest of its series."""
        shifts: dict[str, dt.timedelta] = {}
        for event in group:
            recurrence = _prop(event, "RECURRENCE-ID")
            if recurrence is None:
                continue
            if str(recurrence.params.get("RANGE", "")).upper() != "THISANDFUTURE":
                continue
            begin, slot = _prop(event, "DTSTART").dt, recurrence.dt
            if isinstance(begin, dt.datetime) and isinstance(slot, dt.datetime):
                shifts[self._utc_text(slot)] = begin - slot
        return shifts

    def _utc_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            return f"{self._on_clock(value).astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
        return f"{value:%Y%m%d}"

    def _on_clock(self, value: dt.date) -> dt.datetime:
        if not isinstance(value, dt.datetime):
            return dt.datetime.combine(value, dt.time(), tzinfo=self.tz)
        return _on_clock(value, self.tz)


# --- small helpers ---------------------------------------------------------------------------


def _prop(component: icalendar.Component, name: str) -> Any:
    """A property as icalendar parsed it: its type follows the data (a broken value is vBroken)."""
    return component.get(name)


def _moment(prop: Any) -> Any:
    """The date or date-time of a property; None when it is absent, repeated or broken."""
    try:
        return getattr(prop, "dt", None)
    except _LIBRARY_ERRORS:  # vBroken raises its parse error on access
        return None


def _on_clock(value: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)  # floating time: the region's clock
    return value.astimezone(tz)


def _all_day(component: icalendar.Component, begin: Any) -> bool:
    # Older Outlook versions write an all-day item as midnight to midnight with this flag.
    flag = _text(component, "X-MICROSOFT-CDO-ALLDAYEVENT").upper() == "TRUE"
    return flag or not isinstance(begin, dt.datetime)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _naive(value: Any) -> bool:
    if isinstance(value, tuple):  # an RDATE period: (start, end or duration)
        value = value[0]
    return isinstance(value, dt.datetime) and value.tzinfo is None


def _values(prop: Any) -> list[Any]:
    if hasattr(prop, "dts"):
        return [item.dt for item in prop.dts]
    return [prop.dt]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(component: icalendar.Component, name: str) -> str:
    """A text property on one line without control characters (data from a file is made safe,
    not refused), cut to the limit of a name; of a property given twice, the first."""
    values = _as_list(_prop(component, name))
    return one_line(" ".join(str(values[0]).split()), LIMITS["name"]) if values else ""


def _summary(event: icalendar.Component) -> str:
    return _text(event, "SUMMARY")


def _label(event: icalendar.Component) -> str:
    uid = _text(event, "UID")
    if len(uid) > _UID_SHOWN:
        uid = uid[:_UID_SHOWN] + "…"
    summary = _summary(event)
    if summary:
        return t("ics.event", summary=summary, uid=uid)
    return t("ics.event_untitled", uid=uid)


def _raw(prop: Any) -> str:
    try:
        value = prop.to_ical()
    except _LIBRARY_ERRORS:
        return type(prop).__name__
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _one_line(problem: object) -> str:
    text = " ".join(str(problem).split())
    return text if len(text) <= _DETAIL_SHOWN else text[: _DETAIL_SHOWN - 1] + "…"
