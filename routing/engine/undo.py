"""Undoing an item's last step (`routing undo`): a new audited step that puts it back.

The step undone is the item's last step: a step in its flow (a move, `aanhouden`, an outcome
recorded at a close) or papers recorded in (`stukken`: its deadlines are to be met again);
edits of its details (`wijzigen`) depend on no step and do not stand in the way. It can be
undone only while nothing depends on it yet:

- no later step: a roll-over or a meeting that moved or was cancelled after it is named and the
  undo is refused;
- no message about the item written since the step that was sent already (a reminder, the E&I
  notification): a message still waiting in the outbox (or failed) is withdrawn instead, and the
  undo says so;
- no ratification it asked for still standing: a child item (`routing.engine.ratification`)
  not yet withdrawn names the children and the undo is refused;
- the registration (the item's first event) is never undone: an item is withdrawn with its
  flow's own step for that.

What the undo writes, in one transaction through `writer.write_item`: the state before the step,
the plan before it (the same body and meeting, its deadlines written again by the planning code
with what was already true carried: papers in stay in, a missed deadline stays missed; planning
rounds only grow, so the plan number is a new one) and, when that meeting no longer exists, a
fresh plan at that body; the deadlines the step created are superseded. Side effects of the step
are reversed: the E&I decision it took is removed (refused when it replaced an earlier decision
that cannot be brought back), the outcome it recorded at a meeting's close is struck from the
decision list (the meeting stays closed; the item is back on it, to be moved again or rolled
over). Undoing an undo is not a redo: a second undo undoes the step before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from flows import FlowDefinition
from routing import text
from routing.config.access import require_body
from routing.engine import planning, ratification
from routing.engine.edits import EDIT_TRIGGER
from routing.engine.items import loaded_version
from routing.engine.meeting_sync import current_calendars
from routing.engine.notify import local
from routing.engine.writer import claim, write_item
from routing.errors import BadInput, RefusedByRules
from routing.i18n import t
from routing.runtime import Runtime
from store import AuditEvent, Item, deadlines, queries
from store import outbox as outbox_queries
from store.schedule_models import Deadline, EiDecision, MeetingOutcome, Outbox

__all__ = ["UNDO_TRIGGER", "Undone", "undo"]

UNDO_TRIGGER = "ongedaan-maken"
PAPERS_TRIGGER = "stukken"  # the step `meetings.papers_in` writes


@dataclass(frozen=True)
class Undone:
    item: Item
    step: str  # the trigger undone
    step_at: dt.datetime
    from_state: str  # where the item was (the step's destination)
    to_state: str  # where it is again
    effects: list[str] = field(default_factory=list)


def undo(rt: Runtime, item_id: int, reason: str, *, expected_version: int | None = None) -> Undone:
    """Undo item `item_id`'s last step, giving `reason` (kept as the history's note)."""
    reason = text.checked_block("reason", reason).strip()
    if not reason:
        raise BadInput(t("err.undo_reason_empty"))
    now = rt.clock.now()
    loaded = loaded_version(rt, item_id, expected_version)
    with rt.session() as db:
        item = claim(db, item_id, loaded)
        return _undo_in(db, rt, item, reason, now)


def _undo_in(db: Session, rt: Runtime, item: Item, reason: str, now: dt.datetime) -> Undone:
    assert item.id is not None
    flow = rt.catalog.pinned(db, item.flow_version_id)
    # in the order they were written (the chain's), whatever moments `--now` gave them
    events = sorted(queries.audit_trail(db, item.id), key=lambda event: event.id or 0)
    steps, rounds = _replay(events)
    step = _last_step(flow, item, steps, rt)
    assert step.from_state is not None and step.id is not None
    asked = ratification.blocking_undo(db, step.id)
    if asked:  # answers would be lost: the children are withdrawn first, by their own step
        raise RefusedByRules(
            t("undo.ratification_open", ids=", ".join(str(i) for i in asked), trigger=step.trigger)
        )
    body = flow.state(step.from_state).body
    if body is not None and step.trigger != PAPERS_TRIGGER:  # who may take it may take it back
        known = rt.config.bodies.get(body)
        require_body(rt.config.access, rt.identity, body, known.name if known else body, "record")
    when = local(step.at, rt.config)
    messages = _messages_since(rt, db, item, step)
    decision = _decision_of(db, flow, item, step, steps)
    outcomes = [
        row
        for row in db.exec(select(MeetingOutcome).where(MeetingOutcome.item_id == item.id)).all()
        if row.at == step.at and row.trigger == step.trigger
    ]
    effects: list[str] = []
    if step.trigger == PAPERS_TRIGGER:
        values: dict[str, object] = {}
        effects.extend(_papers_out(db, rt, item, step))
    else:
        values, placed = _previous_plan(db, rt, flow, item, step, rounds, now)
        effects.extend([placed] if placed else [])
    if messages:
        outbox_queries.withdraw(
            db, [m.id for m in messages if m.id is not None], now,
            t("undo.withdrawn_reason", step=step.trigger, when=when),
        )  # fmt: skip
        effects.extend(t("undo.withdrawn", id=m.id, subject=m.subject) for m in messages)
    if decision is not None:
        db.delete(decision)
        effects.append(t("undo.ei_removed", body=rt.config.body(decision.body).name))
    for outcome in outcomes:
        db.delete(outcome)
        meeting = local(outcome.meeting_at, rt.config)
        effects.append(
            t("undo.outcome_removed", body=rt.config.body(outcome.body).name, meeting=meeting)
        )
    note = t("undo.note", step=step.trigger, when=when, reason=reason)
    current = item.state
    write_item(
        db, item, {"state": step.from_state, **values}, trigger=UNDO_TRIGGER, actor=rt.actor,
        now=now, note=note, from_state=current, to_state=step.from_state,
    )  # fmt: skip
    db.flush()
    return Undone(item, step.trigger, step.at, current, step.from_state, effects)


def _replay(events: Sequence[AuditEvent]) -> tuple[list[AuditEvent], dict[int | None, int]]:
    """The item's steps that still stand, oldest first (every event but edits, each undo taking
    away the step it undid: always the last standing one), and the planning round each event
    left the item in, by event id (None: the last). Every step plans anew, one round more (a
    move, a roll-over, a meeting moved or cancelled, the registration, the undo of such a step);
    an edit, papers in and the undo of papers in keep the round."""
    standing: list[AuditEvent] = []
    rounds: dict[int | None, int] = {}
    current = 0
    for event in events:
        if event.trigger == UNDO_TRIGGER:
            undone = standing.pop() if standing else None
            current += 0 if undone is None or undone.trigger == PAPERS_TRIGGER else 1
        elif event.trigger != EDIT_TRIGGER:
            standing.append(event)
            current += 0 if event.trigger == PAPERS_TRIGGER else 1
        if event.id is not None:
            rounds[event.id] = current
    rounds[None] = current
    return standing, rounds


def _last_step(
    flow: FlowDefinition, item: Item, steps: list[AuditEvent], rt: Runtime
) -> AuditEvent:
    assert item.id is not None
    triggers = {trigger.name for trigger in flow.triggers} | {PAPERS_TRIGGER}
    index = next(
        (
            i
            for i in range(len(steps) - 1, 0, -1)  # never the first: the registration
            if steps[i].trigger in triggers and steps[i].from_state is not None
        ),
        None,
    )
    if index is None:
        withdraw = [
            trigger.name
            for trigger in flow.triggers_from(item.state)
            if trigger.dest in flow.state_names and flow.state(trigger.dest).final
        ]
        raise RefusedByRules(
            t("err.undo_registration", id=item.id, steps=" | ".join(withdraw) or "—")
        )
    step = steps[index]
    if index < len(steps) - 1:
        later = steps[index + 1]
        raise RefusedByRules(
            t(
                "err.undo_later_step",
                id=item.id,
                step=step.trigger,
                when=local(step.at, rt.config),
                later=later.trigger,
                later_when=local(later.at, rt.config),
            )
        )
    return step


def _messages_since(rt: Runtime, db: Session, item: Item, step: AuditEvent) -> list[Outbox]:
    """The messages about the item written since the step, to be withdrawn; refused when one
    of them was sent already (a sent message cannot be recalled, nor one bundled into a daily
    overview: the overview is composed). One held for an overview is not sent yet."""
    assert item.id is not None
    found = [row for row in outbox_queries.by_item(db, item.id) if row.created_at >= step.at]
    for row in found:
        if row.status in ("sent", "bundled"):
            raise RefusedByRules(
                t(
                    "err.undo_sent",
                    subject=row.subject,
                    id=item.id,
                    sent=local(row.sent_at or row.created_at, rt.config),
                    step=step.trigger,
                    when=local(step.at, rt.config),
                )
            )
    return [row for row in found if row.status in ("pending", "failed", "held")]


def _decision_of(
    db: Session, flow: FlowDefinition, item: Item, step: AuditEvent, steps: list[AuditEvent]
) -> EiDecision | None:
    """The E&I decision the step took, to be removed; refused when the step replaced an earlier
    decision (the item passed that step before), which cannot be brought back."""
    rule = flow.inform_ei
    if rule is None or step.trigger != rule.trigger:
        return None
    decision = db.exec(
        select(EiDecision).where(EiDecision.item_id == item.id, EiDecision.body == rule.body)
    ).first()
    if decision is None or decision.at != step.at:
        return None
    if any(earlier.trigger == step.trigger for earlier in steps if earlier is not step):
        raise RefusedByRules(t("err.undo_ei_replaced", id=item.id, step=step.trigger))
    return decision


def _previous_plan(
    db: Session,
    rt: Runtime,
    flow: FlowDefinition,
    item: Item,
    step: AuditEvent,
    rounds: dict[int | None, int],
    now: dt.datetime,
) -> tuple[dict[str, object], str | None]:
    """The plan the item had before the step, written again: its values and, in words, where it
    is planned. The step's own deadlines are superseded."""
    assert item.id is not None and step.from_state is not None
    state = flow.state(step.from_state)
    calendars = current_calendars(rt, db)
    if rounds.get(step.id) is None or rounds[None] != item.plan:  # numbered otherwise: afresh
        placement = planning.place(
            db, rt.config, calendars, item, state.body, now, needs_papers=state.papers
        )
        return dict(placement.item_values()), placement.describe(rt.config)
    plan = rounds[step.id] - 1  # the round the step superseded
    rows = deadlines.of_item(db, item.id, statuses=("superseded", "done", "escalated", "open"))
    before = [row for row in rows if row.plan == plan]
    if not before:  # no plan before the step (a state without a body or without a meeting)
        planning.supersede_open(db, item.id, now)
        empty = {"planned_body": None, "planned_meeting_id": None, "planned_meeting_at": None}
        return {**empty, "plan": item.plan + 1}, None
    body, meeting_id = before[0].body, before[0].meeting_id
    meeting = calendars.by_id(body, meeting_id) if meeting_id is not None else None
    if meeting is None or body not in rt.config.bodies:  # gone: planned afresh at that body
        placement = planning.place(
            db, rt.config, calendars, item, state.body, now, needs_papers=state.papers
        )
        return dict(placement.item_values()), placement.describe(rt.config)
    carried = {row.kind: _was(db, row, step) for row in before if row.status != "open"}
    planning.supersede_open(db, item.id, now)
    new_plan = item.plan + 1
    papers = planning.submits_papers(rt.config, body, state.papers)
    planning.write_deadlines(
        db, item.id, new_plan, body, meeting, now, papers=papers, carried=carried
    )
    placement = planning.Placement(body=body, meeting=meeting, plan=new_plan, papers=papers)
    return dict(placement.item_values()), placement.describe(rt.config)


def _papers_out(db: Session, rt: Runtime, item: Item, step: AuditEvent) -> list[str]:
    """Papers recorded in by mistake: the deadlines that step met are to be met again (missed,
    when they had passed by then)."""
    assert item.id is not None
    met = [
        row
        for row in deadlines.of_item(db, item.id, statuses=("done",))
        if row.handled_at == step.at and row.plan == item.plan
    ]
    for row in met:
        row.status = "escalated" if _missed(db, row, step) else "open"
        row.handled_at = step.at if row.status == "escalated" else None
        db.add(row)
    papers = [row for row in met if row.kind in ("papers", "handover")]
    if not papers:
        return []
    return [t("undo.papers_open", due=local(papers[0].due_at, rt.config))]


def _missed(db: Session, row: Deadline, step: AuditEvent) -> bool:
    return row.kind in ("papers", "handover") and (
        row.due_at <= step.at or outbox_queries.exists(db, f"escalation:{row.id}")
    )


def _was(db: Session, row: Deadline, step: AuditEvent) -> str:
    """What a deadline was before a step superseded it: missed when its escalation was written
    or it had passed already (papers joined late), else open; a deadline met stays met."""
    if row.status != "superseded":
        return row.status
    return "escalated" if _missed(db, row, step) else "open"
