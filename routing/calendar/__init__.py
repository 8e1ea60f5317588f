"""Pure time: working days and closed days, lead times, the meetings of a calendar, the backward
plan of rule 6, the `[bodies.X.calendar]` table, and reading .ics files.

No clock, no database: "now" is always a parameter. Imports only `routing.errors` and
`routing.i18n` of this project (and no store), so every rule here is tested on its own with
dates worked out by hand.
"""

from __future__ import annotations

from routing.calendar.backward_plan import (
    Plan,
    PlannedStep,
    RouteStep,
    backward_plan,
    earliest_reachable,
)
from routing.calendar.config_table import CALENDAR_KEYS, parse_calendar, parse_closed
from routing.calendar.meetings import (
    HORIZON,
    BodyCalendar,
    Meeting,
    Recess,
    Rule,
    Slot,
    handover_calendar,
    handover_deadline,
    latest_by,
    meetings_between,
    next_after,
    next_feasible,
)
from routing.calendar.working_days import Lead, WorkingDays

__all__ = [
    "CALENDAR_KEYS",
    "HORIZON",
    "BodyCalendar",
    "Lead",
    "Meeting",
    "Plan",
    "PlannedStep",
    "Recess",
    "RouteStep",
    "Rule",
    "Slot",
    "WorkingDays",
    "backward_plan",
    "earliest_reachable",
    "handover_calendar",
    "handover_deadline",
    "latest_by",
    "meetings_between",
    "next_after",
    "next_feasible",
    "parse_calendar",
    "parse_closed",
]
