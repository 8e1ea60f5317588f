"""The one source of "now".

Nothing else in the project asks the system for the time: commands take a `Clock`, and every
command that depends on time accepts `--now`, so the secretary can ask what is due next Monday and
tests run on a fixed date. Datetimes are timezone-aware; they are stored in UTC and shown in the
region's zone (Europe/Amsterdam).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from routing.errors import BadInput
from routing.i18n import t

__all__ = ["AMSTERDAM", "Clock", "FixedClock", "SystemClock", "parse_moment"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# The moments a user may type: wide enough for any meeting or deadline, narrow enough that the
# calendar's arithmetic (three-year horizons, lead times back from a meeting) stays in range.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)  # noqa: TID251 - the one place that reads the system time


@dataclass(frozen=True)
class FixedClock:
    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)


def parse_moment(text: str, tz: ZoneInfo = AMSTERDAM, *, end_of_day: bool = False) -> dt.datetime:
    """Read an ISO date or date-time typed by a user; a naive value is local time in `tz`.

    A bare date means the start of that day, or its last second with `end_of_day`.
    """
    try:
        if len(text.strip()) == 10:
            day = dt.date.fromisoformat(text.strip())
            clock = dt.time(23, 59, 59) if end_of_day else dt.time(0, 0)
            moment = dt.datetime.combine(day, clock)
        else:
            moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(t("err.not_a_date", text=text)) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadInput(t("err.date_range", text=text, first=FIRST_YEAR, last=LAST_YEAR))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(dt.UTC)
