"""The one way an item changes: the optimistic update and its audit event, together.

Every change to an item (a move, an edit, papers in, a roll-over, a meeting that moved or was
cancelled) is written here, inside the caller's transaction: the row is updated only if its
version is still the one that was loaded (and the version is raised), and the audit event says
who, when, from which state to which, by what step, and why. A change that finds the item
changed meanwhile raises `ItemChanged` and writes nothing.

A change writes more than the item row: deadlines, an E&I decision, messages. Those are written
before the row (they decide its new values), so every write path first calls `claim_item`: it
locks the item's row and checks the version it loaded is still the committed one. Two writers
of one item are thereby put in line before either writes an effect; the second finds the
version raised and gets `ItemChanged`, never a unique-constraint error on an effect row.

Every audit event, the creation of an item's included, is written by `record` (or, for many
at once, `record_many`), which links it
into the store's hash chain (`store.audit_chain`). Locks are always taken in one order, the
chain's head before any item's row (PostgreSQL), so writers of several items queue on the
head instead of each holding an item the other one needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from routing.errors import ItemChanged, NotFound
from routing.i18n import t
from store import AuditEvent, Item, audit_chain, queries

__all__ = ["claim", "claim_item", "record", "record_many", "write_item"]


def claim(db: Session, item_id: int, loaded_version: int | None = None) -> Item:
    """Load item `item_id` with its row locked for this transaction (the chain's head first),
    and refuse if its version is not `loaded_version` (when given): `claim_item` for a writer
    that has not loaded the item yet, in one statement instead of two."""
    audit_chain.lock_head(db)  # the lock order: head first, then items
    item = queries.lock_item(db, item_id)
    if item is None:
        raise NotFound(t("what.item"), item_id, t("hint.see_items"))
    if loaded_version is not None and item.version != loaded_version:
        raise ItemChanged(item_id, loaded_version)
    return item


def claim_item(db: Session, item: Item, loaded_version: int | None = None) -> None:
    """Lock `item`'s row for this transaction and refuse if it changed since it was loaded.

    Call it before writing anything else for the item; `loaded_version` is the version the
    caller (or its user) saw, `item.version` when not given."""
    assert item.id is not None
    version = item.version if loaded_version is None else loaded_version
    audit_chain.lock_head(db)  # the lock order: head first, then items
    if queries.lock_item_version(db, item.id) != version:
        raise ItemChanged(item.id, version)


def write_item(
    db: Session,
    item: Item,
    values: dict[str, Any],
    *,
    trigger: str,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    loaded_version: int | None = None,
) -> AuditEvent:
    """Update `item` with `values` (and `updated_at`) and record the step in its history
    (the event recorded is returned).

    `from_state`/`to_state` default to the item's state (a change without a move);
    `loaded_version` is the version the caller read, when it read the item earlier.
    """
    assert item.id is not None
    version = item.version if loaded_version is None else loaded_version
    audit_chain.lock_head(db)  # the lock order: head first, then items (see the docstring)
    written = {**values, "updated_at": now}
    if not queries.update_item_if_unchanged(db, item.id, version, written):
        raise ItemChanged(item.id, version)
    before, after = from_state or item.state, to_state or item.state
    # the object now says what the row says (moments in UTC, as the store gives them back),
    # without a read and without a change to flush
    for key, value in {**written, "version": version + 1}.items():
        stored = value.astimezone(dt.UTC) if isinstance(value, dt.datetime) else value
        set_committed_value(item, key, stored)
    return record(
        db,
        AuditEvent(
            item_id=item.id, from_state=before, to_state=after, trigger=trigger, actor=actor,
            at=now, note=note,
        ),
    )  # fmt: skip


def record(db: Session, event: AuditEvent) -> AuditEvent:
    """Write `event` as the newest link of the audit chain (the one way an event is written)."""
    return audit_chain.append(db, event)


def record_many(db: Session, events: list[dict[str, Any]]) -> list[int]:
    """Write `events` (the columns of AuditEvent but id and hashes) as the chain's next links,
    in their order, in one insert; returns their ids. For many new items at once
    (`routing import`); nothing else may write an audit event."""
    return audit_chain.append_many(db, events)
