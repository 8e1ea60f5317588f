"""`routing todo`: who must act next, on what, by when; one line per open item, soonest first.

Each line is the item's next action (`routing.read.actions`: papers to deliver, a meeting, a
person's hand-over, an outcome to record, ...), who acts (the owner, else the body or the
secretariat) and the moment. Sorted by that moment (the most overdue first), items without one
(not yet on the route, no meeting planned) last, each in id order.
"""

from __future__ import annotations

from typing import Any

from routing.engine.meeting_sync import reading
from routing.read import actions
from routing.read.finding import ItemFilter, conditions
from routing.runtime import Runtime

__all__ = ["todo"]


def todo(rt: Runtime, *, owner: str | None = None) -> list[dict[str, Any]]:
    now = rt.clock.now()
    where = conditions(rt, ItemFilter(owner=owner), now)
    with reading(rt) as (db, calendars):
        deadlines = actions.open_deadlines(db)
        lines = [
            {
                "id": item.id,
                "title": item.title,
                "kenmerk": item.kenmerk,
                "openbaar": item.openbaar,
                "state": item.state,
                "body": state.body,
                "action": action["kind"],
                "what": actions.describe(action, short=False),
                "who": action["who"],
                "who_kind": action["who_kind"],
                "due": action["at"],
                "days": action["days"],
                "passed": action["passed"],
                "late": action["late"],
                "meeting": action["meeting"],
                "meeting_body": action["body"],
            }
            for item, state, action in actions.of_open_items(rt, db, calendars, where, deadlines)
        ]
    lines.sort(key=lambda line: (line["due"] is None, line["due"] or "", line["id"]))
    return lines
