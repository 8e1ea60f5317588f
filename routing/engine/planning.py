"""What entering a state means in time, and the backward plan to a target meeting (rule 6).

Entering a body's state plans the item on that body's next feasible meeting (the first whose
papers deadline has not passed) and writes its deadlines: a reminder before the papers deadline,
the papers deadline (for a person: the hand-over deadline), and the meeting itself. Deferring
(`aanhouden`) or a meeting that passed without an outcome plans it on the body's next meeting
after the one it was on. Every re-plan supersedes the open deadlines of the previous one, so at
any moment an item has at most one set of open deadlines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from flows import REFLEXIVE, FlowDefinition
from routing import calendar
from routing.config.file import Config
from routing.engine import late_policy
from routing.engine.lateness import missed
from routing.engine.notify import local
from routing.engine.stored_calendars import Calendars
from routing.errors import BadInput
from routing.i18n import t
from store import Item
from store.deadlines import OPEN_STATUSES, insert_deadlines, supersede_open

__all__ = [
    "DEADLINE_KINDS",
    "OPEN_STATUSES",
    "Placement",
    "TargetStatus",
    "bodies_by_depth",
    "choose",
    "deadline_moments",
    "missed",
    "place",
    "route_bodies",
    "submits_papers",
    "supersede_open",
    "target_meeting",
    "target_status",
    "visited_bodies",
    "write_deadlines",
]

DEADLINE_KINDS = ("reminder", "papers", "handover", "meeting")


@dataclass(frozen=True)
class Placement:
    body: str | None
    meeting: calendar.Meeting | None
    plan: int
    deadlines: tuple[tuple[str, dt.datetime], ...] = ()  # kind and due moment of each written
    papers: bool = True
    next_year: int | None = None  # with no meeting ahead: the year whose dates are missing
    late: bool = False  # joined its meeting after the papers deadline (routing.engine.late_policy)
    skipped: calendar.Meeting | None = None  # the meeting it came too late for
    exception_due: dt.datetime | None = None  # the chair's deadline to let it join `skipped`

    def item_values(self) -> dict[str, Any]:
        return {
            "planned_body": self.body if self.meeting else None,
            "planned_meeting_id": self.meeting.meeting_id if self.meeting else None,
            "planned_meeting_at": self.meeting.start if self.meeting else None,
            "plan": self.plan,
        }

    def describe(self, config: Config, *, in_mail: bool = False) -> str | None:
        """Where the item went; `in_mail`: for a message to people other than the secretariat,
        without the command that fills a calendar in."""
        if self.body is None:
            return None
        name = config.bodies[self.body].name
        if self.meeting is None:
            if in_mail:
                return t("mail.no_meeting", body=name, year=self.next_year or "")
            return t("plan.no_meeting", body=name, key=self.body, year=self.next_year or "")
        person = config.bodies[self.body].is_person
        key = "plan.handover" if person else "plan.placed" if self.papers else "plan.no_papers"
        key = "plan.placed_late" if self.late else key
        placed = t(
            key,
            body=name,
            meeting=local(self.meeting.start, config),
            due=local(self.meeting.papers_due, config),
        )
        if self.skipped is None:
            return placed
        skipped = t(
            "plan.too_late_for",
            meeting=local(self.skipped.start, config),
            due=local(self.skipped.papers_due, config),
        )
        return f"{skipped} {placed}"


def place(
    db: Session,
    config: Config,
    calendars: Calendars,
    item: Item,
    body: str | None,
    now: dt.datetime,
    *,
    after: dt.datetime | None = None,
    needs_papers: bool = True,
    late: str | None = None,
) -> Placement:
    """Plan `item` at `body` (None: a state without a body) and write the new deadlines;
    `late` (a step's: `routing.engine.late_policy`) lets the body's late policy decide."""
    assert item.id is not None
    supersede_open(db, item.id, now)
    placement = choose(
        config, calendars, body, now, plan=item.plan + 1, after=after, needs_papers=needs_papers,
        late=late,
    )  # fmt: skip
    if placement.body is None or placement.meeting is None:
        return placement
    rows = write_deadlines(
        db, item.id, placement.plan, placement.body, placement.meeting, now,
        papers=placement.papers, carried={"papers": "escalated"} if placement.late else None,
    )  # fmt: skip
    return dataclasses.replace(placement, deadlines=tuple(rows))


def choose(
    config: Config,
    calendars: Calendars,
    body: str | None,
    now: dt.datetime,
    *,
    plan: int,
    after: dt.datetime | None = None,
    needs_papers: bool = True,
    late: str | None = None,
) -> Placement:
    """Where entering `body` at `now` plans an item in planning round `plan`; writes nothing
    (`place` writes the deadlines; `routing import` writes them for many items at once).

    A step that needs no papers (oral feedback) takes the body's next meeting whatever its papers
    deadline. A person (the wethouder) has received the point by entering her state: she takes it
    to the first meeting of the body she hands over to whose own papers are not yet out, and
    there is nothing for the region to submit to her. A step (`late` given) into a body whose
    next meeting's papers deadline passed: that body's late policy decides
    (`routing.engine.late_policy`).
    """
    cal = calendars.for_body(body) if body is not None else None
    if body is None or cal is None:
        return Placement(body=body, meeting=None, plan=plan)
    person = config.bodies[body].is_person
    meeting = _choose_meeting(config, calendars, cal, body, now, after, needs_papers)
    if late is not None and after is None and needs_papers and not person:
        chosen = late_policy.choose(config, cal, body, now, meeting, late)
        if chosen.meeting is not None:
            return Placement(
                body=body, meeting=chosen.meeting, plan=plan, late=chosen.late,
                skipped=chosen.skipped, exception_due=chosen.exception_due,
            )  # fmt: skip
    if meeting is None:
        last = cal.last_start
        year = last.year + 1 if last is not None and last > now else now.year
        key = config.bodies[body].handover_to if person else body
        return Placement(body=key, meeting=None, plan=plan, next_year=year)
    papers = submits_papers(config, body, needs_papers)
    return Placement(body=body, meeting=meeting, plan=plan, papers=papers)


def submits_papers(config: Config, body: str, state_needs_papers: bool) -> bool:
    """Whether an item at `body` has papers to hand in: its state asks for them, and it is not
    at a person (entering her state is the hand-over itself)."""
    return state_needs_papers and not config.bodies[body].is_person


def _choose_meeting(
    config: Config,
    calendars: Calendars,
    cal: calendar.BodyCalendar,
    body: str,
    now: dt.datetime,
    after: dt.datetime | None,
    needs_papers: bool,
) -> calendar.Meeting | None:
    target = config.bodies[body].handover_to if config.bodies[body].is_person else None
    if target is not None:
        target_cal = calendars.for_body(target)
        if target_cal is None:
            return None
        chosen = (
            calendar.next_feasible(target_cal, now)
            if after is None
            else calendar.next_after(target_cal, after, now)
        )
        if chosen is None or chosen.meeting_id is None:
            return chosen
        return calendars.by_id(body, chosen.meeting_id) or chosen
    if after is None:
        return calendar.next_feasible(cal, now, needs_papers=needs_papers)
    return calendar.next_after(cal, after, now, needs_papers=needs_papers)


def write_deadlines(
    db: Session,
    item_id: int,
    plan: int,
    body: str,
    meeting: calendar.Meeting,
    now: dt.datetime,
    *,
    papers: bool,
    carried: dict[str, str] | None = None,
) -> list[tuple[str, dt.datetime]]:
    """The deadlines of one planning round: reminder and papers deadline (when the step needs
    papers) and the meeting. `carried` keeps what was already true of the same meeting before
    it moved: papers that are in stay in, a reminder sent is not sent again, a deadline already
    escalated is not escalated twice."""
    rows: list[dict[str, Any]] = [
        {
            "item_id": item_id, "plan": plan, "kind": kind, "body": body,
            "meeting_id": meeting.meeting_id, "meeting_at": meeting.start, "due_at": due,
            "status": status, "handled_at": now if status != "open" else None,
        }
        for kind, due, status in deadline_moments(meeting, now, papers=papers, carried=carried)
    ]  # fmt: skip
    insert_deadlines(db, rows)
    return [(row["kind"], row["due_at"]) for row in rows]


def deadline_moments(
    meeting: calendar.Meeting,
    now: dt.datetime,
    *,
    papers: bool,
    carried: dict[str, str] | None = None,
) -> list[tuple[str, dt.datetime, str]]:
    """(kind, due, status) of each deadline of one planning round (see `write_deadlines`); a
    status other than open is handled at `now`."""
    carried = carried or {}
    moments: list[tuple[str, dt.datetime]] = []
    if papers:
        moments += [("reminder", meeting.remind_at), ("papers", meeting.papers_due)]
    moments.append(("meeting", meeting.start))
    found = []
    for kind, due in moments:
        status = carried.get(kind, "open")
        if kind == "reminder" and status == "open" and due <= now:
            continue  # planned inside the reminder window: the reminder would come too late
        if status == "escalated" and due > now:
            status = "open"  # the deadline moved out: no longer missed
        found.append((kind, due, status))
    return found


def bodies_by_depth(flow: FlowDefinition) -> list[str]:
    """The flow's bodies, the one first reached furthest from the initial state first."""
    depth: dict[str, int] = {flow.initial: 0}
    queue = deque([flow.initial])
    while queue:
        state = queue.popleft()
        for trigger in flow.triggers_from(state):
            dest = trigger.dest
            if dest in (REFLEXIVE, state) or dest in depth or flow.state(dest).final:
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
            if dest in (REFLEXIVE, state) or dest in previous or flow.state(dest).final:
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


@dataclass(frozen=True)
class TargetStatus:
    """Where an item stands towards its target meeting (rule 6).

    `status`: "on-track" (it can still make the target from where it is now), "lost" (it can
    not; `earliest` names the first target meeting it can still make), "reached" (it is planned
    on the target, or passed the target body already), "left-route" (withdrawn, or its flow no
    longer leads to the target body), "no-meeting" (the target meeting no longer exists).
    """

    status: str
    target: calendar.Meeting | None
    plan: calendar.Plan | None = None
    earliest: calendar.Plan | None = None


def visited_bodies(flow: FlowDefinition, states: Iterable[str]) -> set[str]:
    """The bodies an item has been at, from the states its history reached (for "target
    reached")."""
    bodies = (flow.state(name).body for name in states if name in flow.state_names)
    return {body for body in bodies if body is not None}


def target_meeting(
    calendars: Calendars, body: str, meeting_id: int | None, at: dt.datetime | None
) -> calendar.Meeting | None:
    if meeting_id is not None:
        found = calendars.by_id(body, meeting_id)
        if found is not None:
            return found
    if at is None:
        return None
    cal = calendars.for_body(body)
    if cal is None:
        return None
    same = calendar.meetings_between(cal, at, at + dt.timedelta(microseconds=1))
    return same[0] if same else None


def target_status(
    config: Config,
    calendars: Calendars,
    flow: FlowDefinition,
    item: Item,
    target_body: str,
    target: calendar.Meeting | None,
    visited: set[str],
    now: dt.datetime,
) -> TargetStatus:
    """Can `item`, from its state and the meeting it is planned on now, still make `target`?

    The step the item is at counts as on time when the meeting it is planned on is no later
    than the latest meeting the plan allows (papers in or not: the sweep escalates papers on its
    own); only the steps still ahead must have their deadlines in the future. So an item on its
    planned meeting is never reported as slipping, and a step behind it never counts.
    """
    if target is None:
        return TargetStatus("no-meeting", None)
    state = flow.state(item.state)
    if state.final:
        return TargetStatus("reached" if target_body in visited else "left-route", target)
    if state.body == target_body:
        planned = item.planned_meeting_at
        if planned is not None and planned <= target.start:
            return TargetStatus("reached" if target.start <= now else "on-track", target)
    try:
        bodies = route_bodies(flow, item.state, target_body)
    except BadInput:
        return TargetStatus("reached" if target_body in visited else "left-route", target)
    route = [
        calendar.RouteStep(body=b, title=config.bodies[b].name, calendar=calendars.require(b))
        for b in bodies
    ]
    plan = calendar.backward_plan(route, target, now)
    if _on_track(config, item, state.body, plan, target, now):
        return TargetStatus("on-track", target, plan)
    earliest = None
    for later in calendar.meetings_between(
        route[-1].calendar, target.start + dt.timedelta(microseconds=1), now + calendar.HORIZON
    ):
        candidate = calendar.backward_plan(route, later, now)
        if _on_track(config, item, state.body, candidate, later, now):
            earliest = candidate
            break
    return TargetStatus("lost", target, plan, earliest)


def _on_track(
    config: Config,
    item: Item,
    body: str | None,
    plan: calendar.Plan,
    target: calendar.Meeting,
    now: dt.datetime,
) -> bool:
    first, rest = plan.steps[0], plan.steps[1:]
    if body != first.body:  # not at a body of the route yet: every step is still ahead
        return plan.feasible
    planned = item.planned_meeting_at
    if planned is None:
        return False
    person = config.bodies[body].is_person
    # a person takes the point to the target body's meeting she is planned on
    latest = target.start if person else first.meeting.start
    # its meeting took place but the outcome is not recorded yet: it moved on at that meeting
    reference = min(now, planned)
    return planned <= latest and all(step.meeting.papers_due > reference for step in rest)
