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
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from routing.errors import ItemChanged
from store import AuditEvent, Item, queries

__all__ = ["claim_item", "write_item"]


def claim_item(db: Session, item: Item, loaded_version: int | None = None) -> None:
    """Lock `item`'s row for this transaction and refuse if it changed since it was loaded.

    Call it before writing anything else for the item; `loaded_version` is the version the
    caller (or its user) saw, `item.version` when not given."""
    assert item.id is not None
    version = item.version if loaded_version is None else loaded_version
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
) -> None:
    """Update `item` with `values` (and `updated_at`) and record the step in its history.

    `from_state`/`to_state` default to the item's state (a change without a move);
    `loaded_version` is the version the caller read, when it read the item earlier.
    """
    assert item.id is not None
    version = item.version if loaded_version is None else loaded_version
    if not queries.update_item_if_unchanged(db, item.id, version, {**values, "updated_at": now}):
        raise ItemChanged(item.id, version)
    db.add(
        AuditEvent(
            item_id=item.id, from_state=from_state or item.state, to_state=to_state or item.state,
            trigger=trigger, actor=actor, at=now, note=note,
        )
    )  # fmt: skip
