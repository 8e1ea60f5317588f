"""`routing stats`: per body and per step, what passed in a period, as JSON-ready data.

A step is a state of a flow at a body. Per step: how many items left it ("passed"), how often
it was deferred (`aanhouden`) or rolled over by the daemon (`ROLL_OVER_TRIGGER`), and the median
days an item stayed in it before leaving (from entering it to leaving it, from the audit trail).
Per body: how many papers deadlines due in the period were missed (`lateness.PAPERS_KINDS`), and
for the items whose target meeting at that body took place in the period, the share that had
reached the body by then (rule 6: `planning.visited_bodies` of the states reached by the target
meeting). The database aggregates (`store.stats`); this module only names and groups.
The period defaults to the twelve months up to now.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from flows import FlowDefinition
from routing.engine import planning
from routing.engine.items import ROLL_OVER_TRIGGER
from routing.engine.lateness import PAPERS_KINDS
from routing.errors import BadInput
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import stats as figures

__all__ = ["DEFER_TRIGGER", "default_start", "stats"]

DEFER_TRIGGER = "aanhouden"


def default_start(end: dt.datetime) -> dt.datetime:
    """Twelve months before `end` (the same day and time a year earlier)."""
    try:
        return end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        return end.replace(year=end.year - 1, day=28)


def _step_body(flows: dict[str, FlowDefinition], flow: str, state: str) -> str | None:
    definition = flows.get(flow)
    if definition is None or state not in definition.state_names:
        return None
    return definition.state(state).body


def _steps(db: Session, start: dt.datetime, end: dt.datetime) -> dict[tuple[str, str], Any]:
    """Per (flow, state) something passed, was deferred or rolled over: its figures."""
    steps: dict[tuple[str, str], dict[str, Any]] = {}
    for flow, state, passed, deferred, rolled in figures.step_counts(
        db, start, end, DEFER_TRIGGER, ROLL_OVER_TRIGGER
    ):
        if passed or deferred or rolled:  # not papers in or an edit alone
            steps[(flow, state)] = {"flow": flow, "state": state, "passed": passed,
                                    "deferred": deferred, "rolled_over": rolled,
                                    "median_days": None}  # fmt: skip
    for flow, state, days in figures.step_medians(db, start, end):
        if (flow, state) in steps:
            steps[(flow, state)]["median_days"] = round(days, 1)
    return steps


def _targets(
    db: Session, rt: Runtime, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> dict[str, tuple[int, int]]:
    """Per target body: (items whose target meeting fell in the period, of them reached)."""
    reached_states: dict[int, tuple[int, str, set[str]]] = {}
    for item_id, version, target_body, state in figures.target_states(db, start, end, now):
        found = reached_states.setdefault(item_id, (version, target_body, set()))
        if state is not None:
            found[2].add(state)
    targets: dict[str, tuple[int, int]] = {}
    for version, target_body, states in reached_states.values():
        reached = target_body in planning.visited_bodies(rt.catalog.pinned(db, version), states)
        total, hits = targets.get(target_body, (0, 0))
        targets[target_body] = (total + 1, hits + int(reached))
    return targets


def stats(
    rt: Runtime, start: dt.datetime | None, end: dt.datetime | None, body: str | None = None
) -> dict[str, Any]:
    now = rt.clock.now()
    end = end or now
    start = start or default_start(end)
    if start >= end:
        tz = rt.config.timezone
        raise BadInput(t("err.period_order", start=format_date(start.astimezone(tz)),
                         end=format_date(end.astimezone(tz))))  # fmt: skip
    if body is not None:
        rt.config.body(body)
    flows = dict(rt.catalog.current)
    with rt.session() as db:
        steps = _steps(db, start, end)
        late = figures.late_papers(db, start, end, now, PAPERS_KINDS)
        targets = _targets(db, rt, start, end, now)
    by_body: dict[str, dict[str, Any]] = {}

    def entry(key: str) -> dict[str, Any]:
        name = rt.config.bodies[key].name if key in rt.config.bodies else key
        return by_body.setdefault(key, {"body": key, "name": name, "steps": [], "passed": 0,
                                         "deferred": 0, "rolled_over": 0, "papers_late": 0,
                                         "targets": 0, "targets_reached": 0,
                                         "targets_share": None})  # fmt: skip

    for (flow, state), step in sorted(steps.items()):
        key = _step_body(flows, flow, state)
        if key is None:
            continue  # a step at no body (a concept): nothing to report per body
        step["title"] = flows[flow].state(state).title
        row = entry(key)
        row["steps"].append(step)
        for name in ("passed", "deferred", "rolled_over"):
            row[name] += step[name]
    for key, count in late.items():
        entry(key)["papers_late"] = count
    for key, (total, reached) in targets.items():
        row = entry(key)
        row["targets"], row["targets_reached"] = total, reached
        row["targets_share"] = round(reached / total, 3) if total else None
    order = {key: n for n, key in enumerate(rt.config.bodies)}
    bodies = sorted(by_body.values(), key=lambda b: order.get(b["body"], len(order)))
    if body is not None:
        bodies = [b for b in bodies if b["body"] == body]
    return {"from": start.isoformat(), "to": end.isoformat(), "bodies": bodies}
