"""Rule 6: plan backwards from a target meeting, and find the earliest one still reachable.

Each step's latest meeting is the last one before the next step's deadline; the hand-over to a
person happens at the meeting where she receives points (a meeting on the hand-over day is in
time, whatever its hour).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from routing.calendar.meetings import (
    HORIZON,
    BodyCalendar,
    Meeting,
    _meeting,
    handover_deadline,
    latest_by,
    meetings_between,
)

__all__ = ["Plan", "PlannedStep", "RouteStep", "backward_plan", "earliest_reachable"]


@dataclass(frozen=True)
class RouteStep:
    body: str
    title: str
    calendar: BodyCalendar


@dataclass(frozen=True)
class PlannedStep:
    body: str
    title: str
    meeting: Meeting
    feasible: bool


@dataclass(frozen=True)
class Plan:
    target: Meeting
    steps: tuple[PlannedStep, ...]

    @property
    def feasible(self) -> bool:
        return all(step.feasible for step in self.steps)

    @property
    def first_missed(self) -> PlannedStep | None:
        return next((step for step in self.steps if not step.feasible), None)


def _step_meetings(route: Sequence[RouteStep], target: Meeting) -> list[Meeting]:
    """Each step's latest meeting, walking back from `target`."""
    meetings: list[Meeting] = [
        _meeting(route[-1].calendar, target.start, target.meeting_id, target.location)
    ]
    for step, following in zip(reversed(route[:-1]), reversed(route[1:]), strict=True):
        next_meeting = meetings[0]
        if step.calendar.handover_of == following.body:
            due, via = handover_deadline(step.calendar, next_meeting.start)
            # the hand-over happens at the meeting where the person receives the point
            start = via.start if via is not None else due
            chosen: Meeting | None = Meeting(
                start=start, body=step.body, papers_due=due, remind_at=due,
                meeting_id=via.meeting_id if via else None, location=via.location if via else None,
            )  # fmt: skip
        elif following.calendar.handover_of is not None:
            # a meeting on the hand-over day is in time, whatever its hour
            day_end = dt.datetime.combine(
                next_meeting.papers_due.astimezone(step.calendar.tz).date(),
                dt.time(23, 59, 59),
                tzinfo=step.calendar.tz,
            )
            chosen = latest_by(step.calendar, day_end)
        else:
            chosen = latest_by(step.calendar, next_meeting.papers_due)
        if chosen is None:  # no meeting early enough: show the need-by moment, infeasible
            need = next_meeting.papers_due
            chosen = Meeting(start=need, body=step.body, papers_due=need, remind_at=need)
        meetings.insert(0, chosen)
    return meetings


def backward_plan(route: Sequence[RouteStep], target: Meeting, now: dt.datetime) -> Plan:
    """Walk back from `target`: each step's latest meeting before the next step's deadline."""
    meetings = _step_meetings(route, target)
    steps = tuple(
        PlannedStep(step.body, step.title, meeting, meeting.papers_due > now)
        for step, meeting in zip(route, meetings, strict=True)
    )
    return Plan(target=meetings[-1], steps=steps)


def earliest_reachable(
    route: Sequence[RouteStep], now: dt.datetime, after: dt.datetime | None = None
) -> Plan | None:
    start = after or now
    for target in meetings_between(route[-1].calendar, start, start + HORIZON):
        plan = backward_plan(route, target, now)
        if plan.feasible:
            return plan
    return None
