"""Where the calendars end, and meeting changes told in words.

A rule-based calendar in routing.toml has an UNTIL, an imported one ends where the export ended:
an item that enters a body after its last meeting has nowhere to go. `routing check`, `routing
status` and the daemon ask `calendar_ends` which bodies on a route run out within the warning
period, so the secretariat adds next year's dates in time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from routing.engine import notify
from routing.engine.meeting_changes import ChangeResult
from routing.engine.stored_calendars import Calendars
from routing.i18n import format_date, t, tn
from routing.runtime import Runtime

__all__ = ["CalendarEnd", "calendar_ends", "change_lines", "no_meeting_advice", "routed_bodies"]


@dataclass(frozen=True)
class CalendarEnd:
    body: str
    name: str
    last: dt.datetime | None  # None: no meeting at all ahead

    def advice(self) -> str:
        year = self.last.year + 1 if self.last else None
        if self.last is None:
            return t("calendar.empty", body=self.name, key=self.body)
        return t(
            "calendar.ends",
            body=self.name,
            key=self.body,
            last=format_date(self.last),
            year=year,
        )


def routed_bodies(rt: Runtime) -> list[str]:
    """The bodies items are planned at: every body of a flow state (a person: the body she
    hands over to) and every body whose meetings create feedback items."""
    found: dict[str, None] = {}
    for flow in rt.catalog.current.values():
        for state in flow.states:
            if state.body is None or state.body not in rt.config.bodies:
                continue
            body = rt.config.bodies[state.body]
            key = body.handover_to if body.is_person else state.body
            if key is not None:
                found[key] = None
    for key in rt.config.daemon.feedback:
        found[key] = None
    return list(found)


def calendar_ends(
    rt: Runtime, calendars: Calendars, now: dt.datetime, warning: dt.timedelta
) -> list[CalendarEnd]:
    ends = []
    for key in routed_bodies(rt):
        cal = calendars.for_body(key)
        last = cal.last_start if cal is not None else None
        if last is None or last <= now:
            ends.append(CalendarEnd(key, rt.config.bodies[key].name, None))
        elif last < now + warning:
            ends.append(CalendarEnd(key, rt.config.bodies[key].name, last))
    return ends


def no_meeting_advice(rt_config_name: str, key: str, year: int) -> str:
    """What to do when an item has no meeting ahead at `key`."""
    return t("calendar.no_meeting_ahead", body=rt_config_name, key=key, year=year)


def change_lines(rt: Runtime, change: ChangeResult) -> list[str]:
    """A meeting change as the secretariat reads it in `routing check` and the daemon's log."""
    if change.kind == "replanned":
        return [t("calendar.replanned", line=line) for line in change.lines]
    name = rt.config.bodies[change.body].name
    when = notify.local(change.from_at or change.to_at or dt.datetime.min, rt.config)
    new = notify.local(change.to_at, rt.config) if change.to_at else ""
    count = len(change.items)
    if change.kind == "added":
        head = t("calendar.change_added", body=name, when=when, new=new)
    else:
        head = tn(f"calendar.change_{change.kind}", count, body=name, when=when, new=new, n=count)
    return [head, *(f"  {line}" for line in change.lines)]
