"""Registering items and moving them: the one place where an item changes state.

A transition is one transaction: the new state, the audit event and every effect of entering
the new state are written together, or not at all. Optimistic locking: the write only lands if
the item's version is still the one that was loaded (and, when the caller says which version it
showed the user, that one), so a concurrent change is refused, never overwritten.
The CLI, the meeting close and the daemon all move items through `move`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

import store
from flows import FlowDefinition
from routing import calendar, text
from routing.config.access import require_body
from routing.config.people import resolve_owner
from routing.engine import ei, late_exceptions, late_policy, machines, notify, planning
from routing.engine.meeting_sync import current_calendars
from routing.engine.stored_calendars import Calendars
from routing.engine.writer import claim, claim_item, record, write_item
from routing.errors import BadInput, NotFound, TriggerNotPossible, UnknownTrigger
from routing.i18n import format_date, t, tn
from routing.runtime import Runtime
from store import AuditEvent, Item, queries
from store.schedule_models import Deadline

__all__ = [
    "ASKED",
    "CREATE_TRIGGER",
    "ROLL_OVER_TRIGGER",
    "ItemSpec",
    "Moved",
    "check_asked",
    "check_sender",
    "clean_topics",
    "confidentiality",
    "create_item",
    "move",
    "new_item_values",
    "roll_over",
    "target_of",
]

ASKED = ("besluitvorming", "bespreking", "informatie")
CREATE_TRIGGER = "registreren"
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# what a secretary types for a step back, when the flow has no such step: `routing undo`
_BACK = ("terug", "back", "undo", "ongedaan", "ongedaan-maken", "terugzetten")


@dataclass(frozen=True)
class ItemSpec:
    title: str
    flow: str
    topics: Sequence[str] = ()
    kenmerk: str | None = None
    owner: str | None = None
    asked: str = "bespreking"
    vertrouwelijk: bool = False
    verspreiden: bool = True
    document_date: dt.date | None = None
    sender: str | None = None
    note: str | None = None
    target_body: str | None = None
    target_day: dt.date | None = None
    origin: str | None = None


@dataclass(frozen=True)
class Moved:
    item: Item
    from_state: str
    to_state: str
    trigger: str
    effects: list[str] = field(default_factory=list)


def clean_topics(topics: Sequence[str]) -> list[str]:
    cleaned = [topic.strip().lower() for topic in topics if topic.strip()]
    bad = [topic for topic in cleaned if not _TOPIC.match(topic)]
    if bad:
        raise BadInput(tn("err.topics_unusable", len(bad), topics=", ".join(map(repr, bad))))
    return list(dict.fromkeys(cleaned))


def check_asked(asked: str) -> str:
    if asked not in ASKED:
        raise BadInput(t("err.asked_unknown", asked=asked, choices=", ".join(ASKED)))
    return asked


def _checked_spec(spec: ItemSpec) -> ItemSpec:
    """The user's text of a new item, checked by the rules of `routing.text`."""
    return dataclasses.replace(
        spec,
        title=text.checked_line("title", spec.title),
        kenmerk=None if spec.kenmerk is None else text.checked_line("kenmerk", spec.kenmerk),
        owner=None if spec.owner is None else text.checked_line("owner", spec.owner),
        topics=[text.checked_line("topic", topic) for topic in spec.topics],
        note=_checked_note(spec.note),
    )


def _checked_note(note: str | None) -> str | None:
    return None if note is None else text.checked_block("note", note)


def create_item(rt: Runtime, spec: ItemSpec) -> Item:
    spec = _checked_spec(spec)
    if not spec.title.strip():
        raise BadInput(t("err.title_missing"))
    topics = clean_topics(spec.topics)
    asked = check_asked(spec.asked)
    check_sender(rt, spec.sender)
    rt.catalog.get(spec.flow)  # fail on an unknown flow before opening a transaction
    spec = dataclasses.replace(spec, owner=resolve_owner(rt.config, spec.owner))
    now = rt.clock.now()
    with rt.session() as db:
        return create_item_in(db, rt, spec, topics, asked, now)


def check_sender(rt: Runtime, sender: str | None) -> None:
    if sender is not None and sender not in rt.config.bodies:
        raise NotFound(
            t("what.body"),
            f"'{sender}'",
            t("hint.known_bodies", bodies=", ".join(rt.config.bodies)),
        )


def create_item_in(
    db: Session,
    rt: Runtime,
    spec: ItemSpec,
    topics: list[str],
    asked: str,
    now: dt.datetime,
    *,
    actor: str | None = None,
) -> Item:
    """Register an item inside the caller's transaction (the sweep creates feedback items so)."""
    version, flow = rt.catalog.pin(db, spec.flow, now)
    assert version.id is not None
    calendars = current_calendars(rt, db)
    target_body, target = target_of(rt, calendars, flow, spec.target_body, spec.target_day)
    item = Item(**new_item_values(spec, topics, asked, flow, version.id, target_body, target, now))
    db.add(item)
    db.flush()
    assert item.id is not None
    initial = flow.state(flow.initial)
    placement = planning.place(
        db, rt.config, calendars, item, initial.body, now, needs_papers=initial.papers
    )
    for key, value in placement.item_values().items():
        setattr(item, key, value)
    record(
        db,
        AuditEvent(
            item_id=item.id,
            from_state=None,
            to_state=flow.initial,
            trigger=CREATE_TRIGGER,
            actor=actor or rt.actor,
            at=now,
            note=spec.note,
        ),
    )
    db.flush()
    return item


def new_item_values(
    spec: ItemSpec,
    topics: list[str],
    asked: str,
    flow: FlowDefinition,
    version_id: int,
    target_body: str | None,
    target: calendar.Meeting | None,
    now: dt.datetime,
) -> dict[str, Any]:
    """The columns of a new item before it is planned, from its checked spec: one rule for
    `routing new` (through `create_item_in`) and `routing import`."""
    return {
        "title": spec.title.strip(),
        "flow_name": flow.name,
        "flow_version_id": version_id,
        "state": flow.initial,
        "kenmerk": (spec.kenmerk or "").strip() or None,
        "document_date": spec.document_date,
        "sender": spec.sender,
        "topics": topics,
        "owner": (spec.owner or "").strip() or None,
        "asked": asked,
        **confidentiality(spec.vertrouwelijk, spec.verspreiden),
        "created_at": now,
        "updated_at": now,
        "target_body": target_body,
        "target_meeting_id": target.meeting_id if target else None,
        "target_meeting_at": target.start if target else None,
        "origin": spec.origin,
    }


def target_of(
    rt: Runtime,
    calendars: Calendars,
    flow: FlowDefinition,
    target_body: str | None,
    target_day: dt.date | None,
) -> tuple[str | None, calendar.Meeting | None]:
    """The target meeting of `--target-meeting DATE`: the body on the route meeting that day.

    When several bodies of the route meet that day, the one first reached furthest along the
    route is meant (the stuurgroep, not the PFHO W&P that hears the feedback afterwards), unless
    `--target BODY` says which.
    """
    if target_day is None:
        if target_body is not None:
            raise BadInput(t("err.target_needs_meeting"))
        return None, None
    if target_body is not None:
        rt.config.body(target_body)
    candidates = [target_body] if target_body else planning.bodies_by_depth(flow)
    for body in dict.fromkeys(candidates):
        if body is None or rt.config.bodies[body].is_person:
            continue
        if calendars.for_body(body) is None:
            continue
        meeting = calendars.meeting_on(body, target_day)
        if meeting is not None:
            return body, meeting
    raise BadInput(t("err.no_route_meeting_on", flow=flow.name, date=format_date(target_day)))


def load_item(db: Session, item_id: int) -> Item:
    item = queries.get_item(db, item_id)
    if item is None:
        raise NotFound(t("what.item"), item_id, t("hint.see_items"))
    return item


def move(
    rt: Runtime,
    item_id: int,
    trigger: str,
    *,
    note: str | None = None,
    expected_version: int | None = None,
    inform_ei: bool | None = None,
    late: bool = False,
) -> Moved:
    """`routing move`; `late` asks for a meeting whose papers deadline passed (--late)."""
    note = _checked_note(note)
    now = rt.clock.now()
    # on PostgreSQL the version it acts on is the transaction's first read, before any lock:
    # the same as a read of its own (`loaded_version`), without a second connection
    inside = expected_version is None and store.reads_before_locks(rt.engine)
    loaded = None if inside else loaded_version(rt, item_id, expected_version)
    with rt.session() as db:
        if loaded is None:
            loaded = queries.item_version(db, item_id)
            if loaded is None:
                raise NotFound(t("what.item"), item_id, t("hint.see_items"))
        return move_in(
            db, rt, item_id, trigger, now=now, note=note, expected=loaded, inform_ei=inform_ei,
            late=late_policy.ASKED if late else late_policy.MOVE,
        )  # fmt: skip


def loaded_version(rt: Runtime, item_id: int, expected: int | None) -> int:
    """The version a command acts on: the one its user saw (`--if-version`), else the one it
    reads as it starts, before it waits for the write lock. Two commands on one item at the same
    instant both read the same version; the one that writes second is refused (`ItemChanged`)
    instead of acting on a state its user never saw."""
    if expected is not None:
        return expected
    with rt.conflicts():
        version = queries.committed_version(rt.engine, item_id)
    if version is None:
        raise NotFound(t("what.item"), item_id, t("hint.see_items"))
    return version


def move_in(
    db: Session,
    rt: Runtime,
    item_id: int,
    trigger: str,
    *,
    now: dt.datetime,
    note: str | None = None,
    expected: int | None = None,
    inform_ei: bool | None = None,
    actor: str | None = None,
    late: str = late_policy.STEP,
) -> Moved:
    """Fire `trigger` on item `item_id` inside the caller's transaction.

    Writes the new state, the audit event, the new plan and deadlines, and the E&I decision with
    its notification: all or nothing, with the caller's commit. `late` says who asks, for the
    late policy of the body it enters (`routing.engine.late_policy`).
    """
    # locked before any effect is written: a concurrent writer waits, then finds it changed
    item = claim(db, item_id, expected)
    flow = rt.catalog.pinned(db, item.flow_version_id)
    _check_trigger(flow, item, trigger)
    body = flow.state(item.state).body
    if body is not None:  # a step out of a body's state records that body's outcome
        known = rt.config.bodies.get(body)
        require_body(rt.config.access, rt.identity, body, known.name if known else body, "record")
    attempt = machines.fire(flow, item, trigger)
    if not attempt.fired:
        raise TriggerNotPossible(
            item_id,
            item.state,
            trigger,
            (),
            machines.allowed_triggers(flow, item),
            reason=t("err.trigger_refused", trigger=trigger, reasons="; ".join(attempt.refusals)),
        )
    who = actor or rt.actor
    decision = ei.decide(
        db, rt.config, flow, item, trigger, actor=who, now=now, explicit=inform_ei, note=note
    )
    reflexive = attempt.to_state == attempt.from_state
    placement = planning.place(
        db,
        rt.config,
        current_calendars(rt, db),
        item,
        flow.state(attempt.to_state).body,
        now,
        after=item.planned_meeting_at if reflexive else None,
        needs_papers=flow.state(attempt.to_state).papers,
        late=late,
    )
    if placement.late:  # the history says it joined late, and whether it was asked to
        asked = t("plan.late_note_asked" if late == late_policy.ASKED else "plan.late_note_policy")
        note = f"{note} · {asked}" if note else asked
    exception = None
    if placement.exception_due is not None:  # the chair is asked (routing.engine.late_exceptions)
        exception = late_exceptions.ask(db, rt, item, placement, now)
        note = f"{note} · {exception}" if note else exception
    event = write_item(
        db, item, {"state": attempt.to_state, **placement.item_values()}, trigger=trigger,
        actor=who, now=now, note=note, from_state=attempt.from_state, to_state=attempt.to_state,
    )  # fmt: skip
    db.flush()
    effects = [text for text in [placement.describe(rt.config), exception] if text]
    ratify = flow.state(attempt.from_state).ratification
    # the decision is taken: ask the bodies that ratify it
    if ratify is not None and not reflexive and ratify.asked_by(trigger):
        from routing.engine import ratification  # noqa: PLC0415 - it creates items: a cycle

        effects += ratification.ask(db, rt, item, ratify, event, now=now, actor=who)
    if late == late_policy.ASKED and not placement.late:
        effects.append(t("plan.late_not_needed"))
    if decision is not None:
        key = "ei.effect_yes" if decision.inform else "ei.effect_no"
        effects.append(t(key, body=decision.body, reason=decision.reason))
    return Moved(
        item=item,
        from_state=attempt.from_state,
        to_state=attempt.to_state,
        trigger=trigger,
        effects=effects,
    )


def _check_trigger(flow: FlowDefinition, item: Item, trigger: str) -> None:
    assert item.id is not None
    possible = machines.possible_triggers(flow, item.state)
    if trigger in possible:
        return
    sources = {s for t in flow.triggers if t.name == trigger for s in t.sources}
    if not sources and trigger.strip().lower() in _BACK:  # a step back is an undo
        raise BadInput(t("err.move_back", id=item.id, trigger=trigger))
    if not sources:
        known = [t.name for t in flow.triggers]
        raise UnknownTrigger(item.id, flow.name, trigger, known, possible)
    raise TriggerNotPossible(item.id, item.state, trigger, sources, possible)


def confidentiality(vertrouwelijk: bool, verspreiden: bool) -> dict[str, bool]:
    """The columns of an item's openness: a confidential item is never distributed (one rule
    for `routing new`, `routing import` and `routing edit`)."""
    return {"openbaar": not vertrouwelijk, "verspreiden": verspreiden and not vertrouwelijk}


# the trigger of a roll-over in the audit trail (a meeting passed without an outcome)
ROLL_OVER_TRIGGER = "doorschuiven"


def roll_over(
    db: Session, rt: Runtime, item: Item, deadline: Deadline, now: dt.datetime, *, actor: str
) -> tuple[str, str]:
    """An item whose meeting passed without an outcome goes to the body's next meeting after
    it; the history and one message say so. Returns (subject, where it went)."""
    assert item.id is not None
    claim_item(db, item)
    config = rt.config
    state = rt.catalog.pinned(db, item.flow_version_id).state(item.state)
    placement = planning.place(
        db, config, current_calendars(rt, db), item, deadline.body, now,
        after=deadline.meeting_at, needs_papers=state.papers,
    )  # fmt: skip
    where = placement.describe(config) or ""
    note = t("sweep.rollover_note", meeting=notify.local(deadline.meeting_at, config), where=where)
    write_item(db, item, placement.item_values(), trigger=ROLL_OVER_TRIGGER, actor=actor, now=now,
               note=note)  # fmt: skip
    label = notify.item_label(item, to_other_body=False)
    subject = t("sweep.rollover_subject", label=label, body=config.bodies[deadline.body].name)
    text = t("sweep.rollover_note", meeting=notify.local(deadline.meeting_at, config),
             where=placement.describe(config, in_mail=True) or "")  # fmt: skip
    notify.enqueue(
        db, config, key=f"rollover:{deadline.id}", kind="rollover",
        recipients=notify.recipients_for(config, item=item), subject=subject, body=text, now=now,
        item_id=item.id, due_at=item.planned_meeting_at,
    )  # fmt: skip
    return subject, where
