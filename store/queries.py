"""Reads and guarded writes on the tables, in plain terms the engine can compose.

Every function takes an open session and leaves committing to the caller, so one transition stays
one transaction however many of these it calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Engine, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store import driver
from store.db import read_one_bare
from store.models import AuditEvent, FlowVersion, Item

__all__ = [
    "KEYS",
    "audit_trail",
    "committed_version",
    "flow_version_by_id",
    "get_item",
    "item_states",
    "item_version",
    "list_items",
    "lock_item",
    "lock_item_version",
    "store_flow_version",
    "update_item_if_unchanged",
]


def store_flow_version(
    db: Session, name: str, content_hash: str, definition: dict[str, Any], now: dt.datetime
) -> FlowVersion:
    """The stored row for this exact definition, written the first time it is used."""
    existing = db.exec(
        select(FlowVersion).where(
            FlowVersion.name == name, FlowVersion.content_hash == content_hash
        )
    ).first()
    if existing is not None:
        return existing
    row = FlowVersion(
        name=name, content_hash=content_hash, definition=definition, first_used_at=now
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        # Another process stored the same version between our read and our insert.
        return db.exec(
            select(FlowVersion).where(
                FlowVersion.name == name, FlowVersion.content_hash == content_hash
            )
        ).one()
    return row


# Keys are 64-bit integers in SQLite and PostgreSQL: an id outside this range names no row (and
# SQLite would raise OverflowError binding it), so a lookup by a typed id answers "none".
KEYS = range(-(2**63), 2**63)


def flow_version_by_id(db: Session, version_id: int) -> FlowVersion | None:
    return db.get(FlowVersion, version_id) if version_id in KEYS else None


def get_item(db: Session, item_id: int) -> Item | None:
    return db.get(Item, item_id) if item_id in KEYS else None


def list_items(
    db: Session,
    *,
    states: Collection[str] | None = None,
    flow: str | None = None,
    ids: Collection[int] | None = None,
) -> Sequence[Item]:
    query = select(Item).order_by(col(Item.id))
    if states is not None:
        query = query.where(col(Item.state).in_(list(states)))
    if flow is not None:
        query = query.where(Item.flow_name == flow)
    if ids is not None:
        query = query.where(col(Item.id).in_(list(ids)))
    return db.exec(query).all()


def lock_item_version(db: Session, item_id: int) -> int | None:
    """The item's committed version, its row locked for this transaction (None: no such item).

    PostgreSQL: `SELECT ... FOR UPDATE`; a concurrent writer of the same item waits here, before
    it writes anything, and then reads the version the first one committed. SQLite ignores the
    clause: a write session already holds the database's write lock (`BEGIN IMMEDIATE`)."""
    return db.exec(
        select(Item.version).where(col(Item.id) == item_id).with_for_update()
    ).one_or_none()


# statements of every transition, built once (building one costs more than running it)
_ITEMS = Item.__table__  # type: ignore[attr-defined]
_VERSION = select(_ITEMS.c.version).where(_ITEMS.c.id == bindparam("id"))
_VERSION_SQL = "SELECT version FROM item WHERE id = :id"  # the same, for the driver (SQLite)
_LOCKED_ITEM = (
    select(Item)
    .where(col(Item.id) == bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_UPDATES: dict[tuple[str, ...], Any] = {}  # the guarded update, by the columns it sets


def committed_version(engine: Engine, item_id: int) -> int | None:
    """The item's version as committed now (None: no such item): one read of its own, outside
    any session (`store.db.read_one_bare`), for a command that reads before it waits for the
    lock."""
    if item_id not in KEYS:
        return None
    found = read_one_bare(engine, _VERSION, _VERSION_SQL, {"id": item_id})
    return None if found is None else int(found[0])


def item_version(db: Session, item_id: int) -> int | None:
    """The item's version as this transaction sees it (None: no such item), in one Core read."""
    if item_id not in KEYS:
        return None
    found = driver.first(db, _VERSION, {"id": item_id})
    return None if found is None else int(found[0])


def lock_item(db: Session, item_id: int) -> Item | None:
    """The item as committed, its row locked for this transaction (see `lock_item_version`);
    an object the session already holds is brought up to date."""
    if item_id not in KEYS:
        return None
    return db.execute(_LOCKED_ITEM, {"id": item_id}).scalars().first()


def item_states(db: Session) -> set[str]:
    """The states items are in, whatever their flow version."""
    return set(db.exec(select(Item.state).distinct()).all())


def update_item_if_unchanged(
    db: Session, item_id: int, loaded_version: int, values: dict[str, Any]
) -> bool:
    """Write `values` and bump the version only if nobody wrote the item since it was loaded.

    A Core statement on the session's connection (the session's pending rows written first);
    an `Item` the session holds is not changed: the caller sets what it wrote."""
    db.flush()
    columns = tuple(sorted(values))
    statement = _UPDATES.get(columns)
    if statement is None:
        statement = (
            update(_ITEMS)
            .where(_ITEMS.c.id == bindparam("item_id"), _ITEMS.c.version == bindparam("loaded"))
            .values({name: bindparam(f"new_{name}") for name in (*columns, "version")})
        )
        _UPDATES[columns] = statement
    params = {f"new_{name}": value for name, value in values.items()}
    params.update(new_version=loaded_version + 1, item_id=item_id, loaded=loaded_version)
    return driver.execute(db, statement, params) == 1


def audit_trail(db: Session, item_id: int) -> Sequence[AuditEvent]:
    return db.exec(
        select(AuditEvent)
        .where(AuditEvent.item_id == item_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
