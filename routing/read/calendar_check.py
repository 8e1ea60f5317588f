"""What `routing check` says about the calendars, beyond the files being valid.

With a database it applies routing.toml's changed meetings exactly as the daemon would (so the
secretary sees at once what an edit did) and names the calendars that run out soon. Without one
(`routing init` not run yet) it says so and checks nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from routing.engine import meeting_sync
from routing.engine.calendar_ends import calendar_ends, change_lines
from routing.errors import BadInput
from routing.i18n import t
from routing.runtime import Runtime

__all__ = ["CalendarCheck", "check_calendars"]


@dataclass
class CalendarCheck:
    database: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    ends: list[dict[str, Any]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def check_calendars(rt: Runtime) -> CalendarCheck:
    try:
        rt.engine  # noqa: B018 - opening it checks that the schema is there and current
    except BadInput as exc:
        return CalendarCheck(False, lines=[t("check.no_database", detail=exc)])
    now = rt.clock.now()
    result = CalendarCheck(True)
    with rt.session() as db:
        changes = meeting_sync.sync_config(rt, db, now)
        calendars = meeting_sync.current_calendars(rt, db)
        ends = calendar_ends(rt, calendars, now, rt.config.daemon.calendar_warning)
    for change in changes:
        result.lines.extend(change_lines(rt, change))
        result.changes.append(
            {
                "meeting": change.meeting_id or None,
                "body": change.body or None,
                "change": change.kind,
                "from": change.from_at.isoformat() if change.from_at else None,
                "to": change.to_at.isoformat() if change.to_at else None,
                "items": change.items,
            }
        )
    for ending in ends:
        result.lines.append(ending.advice())
        result.ends.append(
            {"body": ending.body, "last": ending.last.isoformat() if ending.last else None}
        )
    if not changes and not ends:
        result.lines.append(t("check.calendars_ok"))
    return result
