"""Queries on the outbox and on effects done, for the engine, the sweep, delivery and read models.

No rules: what a message says and when it is sent is decided in `routing`. An outbox row is
pending, sent or failed; an effect row records that a scheduled effect happened, by its key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlmodel import Session, col, select

from store.schedule_models import Effect, Outbox

__all__ = [
    "by_item",
    "claim",
    "due_ids",
    "effect_done",
    "effect_keys",
    "exists",
    "rows",
]


def exists(db: Session, key: str) -> bool:
    """Whether a message with this natural key was written (by anyone, any time)."""
    return db.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None


def due_ids(db: Session, now: dt.datetime, limit: int) -> list[int]:
    """Pending messages whose next attempt is due, oldest first."""
    return [
        outbox_id
        for outbox_id in db.exec(
            select(Outbox.id)
            .where(Outbox.status == "pending", col(Outbox.next_attempt_at) <= now)
            .order_by(col(Outbox.next_attempt_at), col(Outbox.id))
            .limit(limit)
        ).all()
        if outbox_id is not None
    ]


def claim(db: Session, outbox_id: int) -> Outbox | None:
    """The message, locked for this transaction (skipped when another daemon holds it)."""
    return db.exec(
        select(Outbox).where(Outbox.id == outbox_id).with_for_update(skip_locked=True)
    ).first()


def rows(db: Session, statuses: Collection[str] | None = None) -> Sequence[Outbox]:
    """Messages (with these statuses), in the order they were written."""
    query = select(Outbox).order_by(col(Outbox.id))
    if statuses is not None:
        query = query.where(col(Outbox.status).in_(list(statuses)))
    return db.exec(query).all()


def by_item(db: Session, item_id: int) -> Sequence[Outbox]:
    return db.exec(select(Outbox).where(Outbox.item_id == item_id).order_by(col(Outbox.id))).all()


def effect_keys(db: Session, kind: str) -> set[str]:
    """The keys of the effects of one kind that happened."""
    return set(db.exec(select(Effect.key).where(Effect.kind == kind)).all())


def effect_done(db: Session, key: str) -> bool:
    return db.get(Effect, key) is not None
