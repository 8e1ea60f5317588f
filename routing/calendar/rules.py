"""Whether a recurrence rule can be expanded in bounded time, wherever it comes from
(routing.toml or an imported .ics): judged before anything expands it.

dateutil walks a rule occurrence by occurrence from its start; a rule that repeats within a day
(FREQ=SECONDLY without an end) yields millions of meetings, and a rule that can never match
(FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) makes every search walk day by day to the year 9999. Both
are refused with the reason; a rule whose first meeting is within `FIRST_WITHIN` is sound.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from dateutil.rrule import rrulestr

__all__ = ["FIRST_WITHIN", "SUB_DAILY", "rule_problem"]

SUB_DAILY: Final = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
# A rule's first occurrence must come within this span of its start: a meeting series with a
# gap of ten years is a mistake, and looking that far takes a few thousand steps at most.
FIRST_WITHIN: Final = dt.timedelta(days=3653)

Problem = Literal["too_frequent", "never"]


def _parts(text: str) -> dict[str, str]:
    body = text.strip().upper().removeprefix("RRULE:")
    return dict(part.partition("=")[::2] for part in body.split(";") if part)


def rule_problem(text: str, start: dt.datetime) -> Problem | None:
    """Why `text` (an RRULE, valid for dateutil) from `start` cannot be expanded in bounded
    time: it repeats within a day, or it yields no occurrence within `FIRST_WITHIN`."""
    parts = _parts(text)
    per_day = 1
    for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        per_day *= max(1, len([v for v in parts.get(name, "").split(",") if v]))
    if parts.get("FREQ") in SUB_DAILY or per_day > 1:
        return "too_frequent"
    naive = start.replace(tzinfo=None)
    first = _probe(parts, text, naive).after(naive, inc=True)
    if first is None or first - naive > FIRST_WITHIN:
        return "never"
    return None


def _probe(parts: dict[str, str], text: str, start: dt.datetime) -> Any:
    """A rule with the same first occurrence that finds out in a few thousand steps at most.

    dateutil walks a rule period by period up to the year 9999 when nothing matches, whatever
    its UNTIL; for a daily or weekly rule (whose BYDAY has no ordinals) the same day filters
    read per year give the same days, in 8,000 steps instead of 3,000,000.
    """
    if parts.get("FREQ") in ("DAILY", "WEEKLY") and _DAY_FILTERS & parts.keys():
        kept = {k: v for k, v in parts.items() if k not in _PER_PERIOD}
        if parts["FREQ"] == "WEEKLY" and "BYDAY" not in kept:  # the start's weekday, implied
            kept["BYDAY"] = _WEEKDAYS[start.weekday()]
        text = ";".join(f"{k}={v}" for k, v in {**kept, "FREQ": "YEARLY"}.items())
    return rrulestr(text, dtstart=start, ignoretz=True)


# what belongs to the period of the rule, not to the days it may fall on
_PER_PERIOD: Final = frozenset({"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYSETPOS", "WKST"})
# without one of these, a daily or weekly rule falls on a day of every week of its months
_DAY_FILTERS: Final = frozenset({"BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYDAY"})
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
