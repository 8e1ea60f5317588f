"""Working days and lead times.

Working days skip weekends, the Dutch public holidays of the `holidays` library (which counts
Goede Vrijdag and, in lustrum years (2025, 2030), Bevrijdingsdag) and the region's closed days.
A lead time is "N days" or "N working days" before a moment.

Both are asked tens of times per transition (every meeting's papers deadline and reminder), so
a `WorkingDays` remembers its answers: the holidays and closed days of an instance never change
(`closing` makes a new instance, with a memory of its own).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from routing.errors import CalendarError
from routing.i18n import t

__all__ = ["Lead", "WorkingDays"]

_LEAD = re.compile(
    r"^\s*(\d+)\s*(werkdagen|werkdag|working days|working day|wd|dagen|dag|days|day|d)\s*$"
)
# answers a WorkingDays remembers (a few years of days, times the lead times in use)
_MEMO_LIMIT = 50_000
_WORKING_UNITS = {"werkdagen", "werkdag", "working days", "working day", "wd"}


@functools.cache
def _public_holidays(country: str) -> Mapping[dt.date, str]:
    """A country's public holidays, made on first use and shared by every calendar: importing
    the `holidays` library and building the table costs a command tens of milliseconds, and
    many commands (status, list) never ask."""
    import holidays  # noqa: PLC0415 - see above

    return holidays.country_holidays(country, language="nl")


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
        self._country = country
        self._closed = frozenset(extra_closed)
        self._every_year = frozenset(every_year)
        self._memo: dict[tuple[dt.date, int], dt.date] = {}

    def closing(self, days: Iterable[dt.date]) -> WorkingDays:
        """These working days with `days` closed as well (a body's own closed days)."""
        more = copy.copy(self)
        more._closed = self._closed | frozenset(days)
        more._memo = {}
        return more

    @property
    def closed(self) -> frozenset[dt.date]:
        return self._closed

    @property
    def _holidays(self) -> Mapping[dt.date, str]:
        return _public_holidays(self._country)

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
        return self._shift(day, n, -1)

    def add(self, day: dt.date, n: int) -> dt.date:
        return self._shift(day, n, 1)

    def _shift(self, day: dt.date, n: int, direction: int) -> dt.date:
        if n <= 0:
            return day
        key = (day, n * direction)
        found = self._memo.get(key)
        if found is not None:
            return found
        step = dt.timedelta(days=direction)
        left, moved = n, day
        while left > 0:
            moved += step
            if self.is_working_day(moved):
                left -= 1
        if len(self._memo) >= _MEMO_LIMIT:  # bounded: a daemon runs for months
            self._memo.clear()
        self._memo[key] = moved
        return moved


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

    def after(self, day: dt.date, workdays: WorkingDays) -> dt.date:
        """The day `amount` (working) days after `day` (a due date counted from a decision)."""
        if self.working_days:
            return workdays.add(day, self.amount)
        return day + dt.timedelta(days=self.amount)

    def describe(self) -> str:
        unit = (
            ("werkdag" if self.amount == 1 else "werkdagen")
            if self.working_days
            else ("dag" if self.amount == 1 else "dagen")
        )
        return f"{self.amount} {unit}"
