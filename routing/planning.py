"""What entering a state means in time, and the backward plan to a target meeting (rule 6).

Entering a body's state plans the item on that body's next feasible meeting (the first whose
papers deadline has not passed) and writes its deadlines: a reminder before the papers deadline,
the papers deadline (for a person: the hand-over deadline), and the meeting itself. Deferring
(`aanhouden`) or a meeting that passed without an outcome plans it on the body's next meeting
after the one it was on. Every re-plan supersedes the open deadlines of the previous one, so at
any moment an item has at most one set of open deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select, update

from flows import FlowDefinition
from routing import calendar
from routing.calendars import Calendars
from routing.config import Config
from routing.errors import BadInput
from routing.i18n import format_date, t
from routing.notify import local
from store import Item
from store.schedule_models import Deadline

__all__ = [
    "DEADLINE_KINDS",
    "OPEN_STATUSES",
    "Placement",
    "bodies_by_depth",
    "missed",
    "place",
    "plan_to_target",
    "route_bodies",
    "supersede_open",
]

DEADLINE_KINDS = ("reminder", "papers", "handover", "meeting")
# still to be met: open, or escalated (missed, and the papers are still awaited)
OPEN_STATUSES = ("open", "escalated")


def missed(deadline: Deadline, now: dt.datetime) -> bool:
    """Passed without being met: escalated by the sweep, or due before the sweep noticed."""
    return deadline.status == "escalated" or (deadline.status == "open" and deadline.due_at <= now)


@dataclass(frozen=True)
class Placement:
    body: str | None
    meeting: calendar.Meeting | None
    plan: int
    deadlines: tuple[Deadline, ...] = ()

    def item_values(self) -> dict[str, Any]:
        return {
            "planned_body": self.body if self.meeting else None,
            "planned_meeting_at": self.meeting.start if self.meeting else None,
            "plan": self.plan,
        }

    def describe(self, config: Config) -> str | None:
        if self.body is None:
            return None
        name = config.bodies[self.body].name
        if self.meeting is None:
            return t("plan.no_meeting", body=name)
        person = config.bodies[self.body].kind == "persoon"
        return t(
            "plan.handover" if person else "plan.placed",
            body=name,
            meeting=local(self.meeting.start, config),
            due=local(self.meeting.papers_due, config),
        )


def supersede_open(db: Session, item_id: int, now: dt.datetime) -> None:
    db.execute(
        update(Deadline)
        .where(col(Deadline.item_id) == item_id)
        .where(col(Deadline.status).in_(OPEN_STATUSES))
        .values(status="superseded", handled_at=now)
    )


def place(
    db: Session,
    config: Config,
    calendars: Calendars,
    item: Item,
    body: str | None,
    now: dt.datetime,
    *,
    after: dt.datetime | None = None,
) -> Placement:
    """Plan `item` at `body` (None: a state without a body) and write the new deadlines."""
    assert item.id is not None
    supersede_open(db, item.id, now)
    plan = item.plan + 1
    cal = calendars.for_body(body) if body is not None else None
    if body is None or cal is None:
        return Placement(body=body, meeting=None, plan=plan)
    if after is None:
        meeting = calendar.next_feasible(cal, now)
    else:
        meeting = calendar.next_after(cal, after, now)
    if meeting is None:
        return Placement(body=body, meeting=None, plan=plan)
    person = config.bodies[body].kind == "persoon"
    moments = [
        ("reminder", meeting.remind_at),
        ("handover" if person else "papers", meeting.papers_due),
        ("meeting", meeting.start),
    ]
    rows = []
    for kind, due in moments:
        if kind == "reminder" and due <= now:
            continue  # planned inside the reminder window: the reminder would come too late
        row = Deadline(
            item_id=item.id,
            plan=plan,
            kind=kind,
            body=body,
            meeting_at=meeting.start,
            due_at=due,
        )
        db.add(row)
        rows.append(row)
    return Placement(body=body, meeting=meeting, plan=plan, deadlines=tuple(rows))


def open_deadlines(db: Session, item_id: int) -> list[Deadline]:
    return list(
        db.exec(
            select(Deadline)
            .where(Deadline.item_id == item_id, Deadline.status == "open")
            .order_by(col(Deadline.due_at))
        ).all()
    )


def bodies_by_depth(flow: FlowDefinition) -> list[str]:
    """The flow's bodies, the one first reached furthest from the initial state first."""
    depth: dict[str, int] = {flow.initial: 0}
    queue = deque([flow.initial])
    while queue:
        state = queue.popleft()
        for trigger in flow.triggers_from(state):
            dest = trigger.dest
            if dest in ("=", state) or dest in depth or flow.state(dest).final:
                continue
            depth[dest] = depth[state] + 1
            queue.append(dest)
    first_reached: dict[str, int] = {}
    for state, distance in sorted(depth.items(), key=lambda pair: pair[1]):
        body = flow.state(state).body
        if body is not None:
            first_reached.setdefault(body, distance)
    return sorted(first_reached, key=lambda body: -first_reached[body])


def route_bodies(flow: FlowDefinition, from_state: str, target_body: str) -> list[str]:
    """The bodies an item passes from `from_state` to the first state at `target_body`.

    The shortest route through the flow's forward triggers (withdrawing and deferring are not
    steps forward); the current state's body, if any, is the first step.
    """
    start_body = flow.state(from_state).body
    if start_body == target_body:
        return [target_body]
    previous: dict[str, str | None] = {from_state: None}
    queue = deque([from_state])
    found: str | None = None
    while queue and found is None:
        state = queue.popleft()
        for trigger in flow.triggers_from(state):
            dest = trigger.dest
            if dest in ("=", state) or dest in previous or flow.state(dest).final:
                continue
            previous[dest] = state
            if flow.state(dest).body == target_body:
                found = dest
                break
            queue.append(dest)
    if found is None:
        raise BadInput(
            t("err.route_not_leading", state=from_state, flow=flow.name, body=target_body)
        )
    states: list[str] = []
    cursor: str | None = found
    while cursor is not None:
        states.append(cursor)
        cursor = previous[cursor]
    bodies: list[str] = []
    for state in reversed(states):
        body = flow.state(state).body
        if body is not None and (not bodies or bodies[-1] != body):
            bodies.append(body)
    return bodies


def plan_to_target(
    config: Config,
    calendars: Calendars,
    flow: FlowDefinition,
    state: str,
    target_body: str,
    now: dt.datetime,
    target_day: dt.date | None = None,
) -> tuple[calendar.Plan | None, calendar.Plan | None]:
    """(the plan to the chosen target meeting, the earliest reachable plan).

    Without `target_day` the chosen target is the target body's next meeting.
    """
    bodies = route_bodies(flow, state, target_body)
    route = [
        calendar.RouteStep(body=b, title=config.bodies[b].name, calendar=calendars.require(b))
        for b in bodies
    ]
    target_cal = route[-1].calendar
    if target_day is not None:
        target = calendars.meeting_on(target_body, target_day)
        if target is None:
            raise BadInput(
                t(
                    "err.no_meeting_on",
                    body=config.bodies[target_body].name,
                    date=format_date(target_day),
                    key=target_body,
                )
            )
    else:
        upcoming = calendar.meetings_between(target_cal, now, now + dt.timedelta(days=400))
        target = upcoming[0] if upcoming else None
    chosen = calendar.backward_plan(route, target, now) if target is not None else None
    earliest = chosen if chosen is not None and chosen.feasible else None
    if earliest is None:
        earliest = calendar.earliest_reachable(route, now)
    return chosen, earliest
