"""Registering items and moving them: the one place where an item changes state.

A transition is one transaction: the new state, the audit event and every effect of entering
the new state are written together, or not at all. Optimistic locking: the write only lands if
the item's version is still the one that was loaded (and, when the caller says which version it
showed the user, that one), so a concurrent change is refused, never overwritten.
The CLI, the meeting close and the daemon all move items through `move`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from flows import FlowDefinition
from routing import machines
from routing.errors import BadInput, ItemChanged, NotFound, TriggerNotPossible
from routing.i18n import t
from routing.runtime import Runtime
from store import AuditEvent, Item, queries

__all__ = ["ASKED", "CREATE_TRIGGER", "ItemSpec", "Moved", "create_item", "edit_item", "move"]

ASKED = ("besluitvorming", "bespreking", "informatie")
CREATE_TRIGGER = "registreren"
_TOPIC = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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


@dataclass(frozen=True)
class Moved:
    item: Item
    from_state: str
    to_state: str
    trigger: str
    effects: list[str] = field(default_factory=list)


def _clean_topics(topics: Sequence[str]) -> list[str]:
    cleaned = [t.strip().lower() for t in topics if t.strip()]
    bad = [t for t in cleaned if not _TOPIC.match(t)]
    if bad:
        raise BadInput(
            f"Topic(s) {', '.join(repr(t) for t in bad)} not usable; a topic is lowercase "
            "letters, digits and '-', e.g. 'llo' or 'regionaal-werkcentrum'."
        )
    return list(dict.fromkeys(cleaned))


def _check_asked(asked: str) -> str:
    if asked not in ASKED:
        raise BadInput(f"'--voor {asked}' is not possible; use one of: {', '.join(ASKED)}.")
    return asked


def create_item(rt: Runtime, spec: ItemSpec) -> Item:
    title = spec.title.strip()
    if not title:
        raise BadInput("An item needs a title; give it as the first argument, in quotes.")
    topics = _clean_topics(spec.topics)
    asked = _check_asked(spec.asked)
    if spec.sender is not None and spec.sender not in rt.config.bodies:
        raise NotFound("Body", f"'{spec.sender}'", f"Known bodies: {', '.join(rt.config.bodies)}.")
    rt.catalog.get(spec.flow)  # fail on an unknown flow before opening a transaction
    now = rt.clock.now()
    with rt.session() as db:
        version, flow = rt.catalog.pin(db, spec.flow, now)
        assert version.id is not None
        item = Item(
            title=title,
            flow_name=flow.name,
            flow_version_id=version.id,
            state=flow.initial,
            kenmerk=(spec.kenmerk or "").strip() or None,
            document_date=spec.document_date,
            sender=spec.sender,
            topics=topics,
            owner=(spec.owner or "").strip() or None,
            asked=asked,
            openbaar=not spec.vertrouwelijk,
            verspreiden=spec.verspreiden and not spec.vertrouwelijk,
            created_at=now,
            updated_at=now,
        )
        db.add(item)
        db.flush()
        assert item.id is not None
        db.add(
            AuditEvent(
                item_id=item.id,
                from_state=None,
                to_state=flow.initial,
                trigger=CREATE_TRIGGER,
                actor=rt.actor,
                at=now,
                note=spec.note,
            )
        )
    return item


def load_item(db: Session, item_id: int) -> Item:
    item = queries.get_item(db, item_id)
    if item is None:
        raise NotFound("Item", item_id, "See the items with 'routing list'.")
    return item


def move(
    rt: Runtime,
    item_id: int,
    trigger: str,
    *,
    note: str | None = None,
    expected_version: int | None = None,
) -> Moved:
    now = rt.clock.now()
    with rt.session() as db:
        return move_in(db, rt, item_id, trigger, now=now, note=note, expected=expected_version)


def move_in(
    db: Session,
    rt: Runtime,
    item_id: int,
    trigger: str,
    *,
    now: dt.datetime,
    note: str | None = None,
    expected: int | None = None,
) -> Moved:
    """Fire `trigger` on item `item_id` inside the caller's transaction."""
    item = load_item(db, item_id)
    if expected is not None and item.version != expected:
        raise ItemChanged(item_id, expected)
    flow = rt.catalog.pinned(db, item.flow_version_id)
    _check_trigger(flow, item, trigger)
    attempt = machines.fire(flow, item, trigger)
    if not attempt.fired:
        raise TriggerNotPossible(
            item_id,
            item.state,
            trigger,
            (),
            machines.possible_triggers(flow, item.state),
            reason=t("err.trigger_refused", trigger=trigger, reasons="; ".join(attempt.refusals)),
        )
    loaded_version = item.version
    if not queries.update_item_if_unchanged(
        db, item_id, loaded_version, {"state": attempt.to_state, "updated_at": now}
    ):
        raise ItemChanged(item_id, loaded_version)
    db.add(
        AuditEvent(
            item_id=item_id,
            from_state=attempt.from_state,
            to_state=attempt.to_state,
            trigger=trigger,
            actor=rt.actor,
            at=now,
            note=note,
        )
    )
    db.flush()
    db.refresh(item)
    return Moved(
        item=item, from_state=attempt.from_state, to_state=attempt.to_state, trigger=trigger
    )


def _check_trigger(flow: FlowDefinition, item: Item, trigger: str) -> None:
    assert item.id is not None
    possible = machines.possible_triggers(flow, item.state)
    if trigger in possible:
        return
    sources = {s for t in flow.triggers if t.name == trigger for s in t.sources}
    raise TriggerNotPossible(item.id, item.state, trigger, sources, possible)


def edit_item(
    rt: Runtime,
    item_id: int,
    *,
    title: str | None = None,
    kenmerk: str | None = None,
    owner: str | None = None,
    asked: str | None = None,
    add_topics: Sequence[str] = (),
    remove_topics: Sequence[str] = (),
    expected_version: int | None = None,
) -> Item:
    """Change an item's details; recorded in its history like a transition, state unchanged."""
    changes: dict[str, object] = {}
    if title is not None:
        if not title.strip():
            raise BadInput("A title cannot be empty.")
        changes["title"] = title.strip()
    if kenmerk is not None:
        changes["kenmerk"] = kenmerk.strip() or None
    if owner is not None:
        changes["owner"] = owner.strip() or None
    if asked is not None:
        changes["asked"] = _check_asked(asked)
    adding = _clean_topics(add_topics)
    removing = set(_clean_topics(remove_topics))
    now = rt.clock.now()
    with rt.session() as db:
        item = load_item(db, item_id)
        if expected_version is not None and item.version != expected_version:
            raise ItemChanged(item_id, expected_version)
        if adding or removing:
            topics = [t for t in item.topics if t not in removing]
            changes["topics"] = list(dict.fromkeys([*topics, *adding]))
        if not changes:
            raise BadInput(
                "Nothing to change; give at least one option, see 'routing edit --help'."
            )
        described = ", ".join(f"{key}={value}" for key, value in changes.items())
        loaded = item.version
        if not queries.update_item_if_unchanged(
            db, item_id, loaded, {**changes, "updated_at": now}
        ):
            raise ItemChanged(item_id, loaded)
        db.add(
            AuditEvent(
                item_id=item_id,
                from_state=item.state,
                to_state=item.state,
                trigger="wijzigen",
                actor=rt.actor,
                at=now,
                note=described,
            )
        )
        db.flush()
        db.refresh(item)
    return item
