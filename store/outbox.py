"""Queries on the outbox and on effects done, for the engine, the sweep, delivery and read models.

No rules: what a message says and when it is sent is decided in `routing`. An outbox row is
pending, sent, failed or withdrawn (its step undone); an effect row records that a scheduled
effect happened, by its key; an effect failure row that one is failing (or failed) and when it
is tried again; the heartbeat says when the sweep last ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.schedule_models import Effect, EffectFailure, Heartbeat, Outbox

__all__ = [
    "DAEMON_HEARTBEAT",
    "beat",
    "by_item",
    "claim",
    "due_ids",
    "effect_done",
    "effect_failures",
    "effect_keys",
    "exists",
    "failure",
    "failure_cleared",
    "held_due",
    "held_lines",
    "next_held",
    "record_effect_once",
    "requeue_failed_effects",
    "requeue_message",
    "rows",
    "waiting_effects",
    "withdraw",
    "written",
]


def exists(db: Session, key: str) -> bool:
    """Whether a message with this natural key was written (by anyone, any time)."""
    return db.exec(select(Outbox.id).where(Outbox.key == key)).first() is not None


def written(db: Session, key: str) -> bool:
    """Whether the effect with this natural key wrote its message: the row `key`, or a row
    `key>address` held for (or bundled in) an address's daily overview. A range on the unique
    index, not a LIKE: '>' sorts just before '?'."""
    return (
        db.exec(
            select(Outbox.id)
            .where(
                (col(Outbox.key) == key)
                | ((col(Outbox.key) > f"{key}>") & (col(Outbox.key) < f"{key}?"))
            )
            .limit(1)
        ).first()
        is not None
    )


def held_due(db: Session, now: dt.datetime) -> dict[str, list[int]]:
    """The held lines whose overview is due, by recipient address (a held row has one)."""
    found: dict[str, list[int]] = {}
    for outbox_id, recipients in db.exec(
        select(Outbox.id, Outbox.recipients)
        .where(Outbox.status == "held", col(Outbox.next_attempt_at) <= now)
        .order_by(col(Outbox.id))
    ).all():
        if outbox_id is not None and recipients:
            found.setdefault(recipients[0], []).append(outbox_id)
    return found


def held_lines(db: Session, ids: Collection[int]) -> Sequence[Outbox]:
    """These lines, locked for this transaction, that are still held (a second daemon that
    bundled them first has made them `bundled`)."""
    return db.exec(
        select(Outbox)
        .where(col(Outbox.id).in_(list(ids)), Outbox.status == "held")
        .order_by(col(Outbox.id))
        .with_for_update()
    ).all()


def next_held(db: Session, now: dt.datetime) -> dt.datetime | None:
    """The next moment a daily overview is due, after `now`."""
    return db.exec(
        select(Outbox.next_attempt_at)
        .where(Outbox.status == "held", col(Outbox.next_attempt_at) > now)
        .order_by(col(Outbox.next_attempt_at))
        .limit(1)
    ).first()


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


def failure(db: Session, key: str) -> EffectFailure | None:
    """The failure record of an effect by its natural key, locked for this transaction."""
    return db.exec(select(EffectFailure).where(EffectFailure.key == key).with_for_update()).first()


def failure_cleared(db: Session, key: str) -> None:
    """The effect succeeded: forget that it failed before."""
    db.execute(delete(EffectFailure).where(col(EffectFailure.key) == key))


def waiting_effects(db: Session, now: dt.datetime) -> set[str]:
    """Keys of the effects not to try now: given up, or waiting for their next attempt."""
    return set(
        db.exec(
            select(EffectFailure.key).where(
                col(EffectFailure.failed_at).is_not(None)
                | (col(EffectFailure.next_attempt_at) > now)
            )
        ).all()
    )


def effect_failures(db: Session, *, failed_only: bool = True) -> Sequence[EffectFailure]:
    """The failing effects (only those given up), oldest first."""
    query = select(EffectFailure).order_by(col(EffectFailure.first_at), col(EffectFailure.key))
    if failed_only:
        query = query.where(col(EffectFailure.failed_at).is_not(None))
    return db.exec(query).all()


def requeue_failed_effects(db: Session) -> list[str]:
    """Forget every given-up effect, so the next sweep tries it anew; returns their keys."""
    keys = [row.key for row in effect_failures(db)]
    db.execute(delete(EffectFailure).where(col(EffectFailure.key).in_(keys)))
    return keys


def requeue_message(db: Session, outbox_id: int, now: dt.datetime) -> int:
    """A failed message pending again from `now`, its attempts counted anew; returns how many
    rows changed (0: no such failed message)."""
    result = db.execute(
        update(Outbox)
        .where(col(Outbox.id) == outbox_id, col(Outbox.status) == "failed")
        .values(status="pending", attempts=0, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# the heartbeat row the daemon writes on every sweep (`routing daemon --status` reads it)
DAEMON_HEARTBEAT = "daemon"


def beat(db: Session, name: str, at: dt.datetime, pid: int, host: str, summary: str) -> None:
    """Record a sweep in the heartbeat row, created by the first: one atomic upsert, so two
    daemons starting together on a fresh store never collide on the primary key."""
    table = Heartbeat.__table__  # type: ignore[attr-defined]
    values = {"name": name, "at": at, "pid": pid, "host": host, "sweeps": 1, "summary": summary}
    dialect = db.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
        db.execute(
            insert.values(**values).on_conflict_do_update(
                index_elements=["name"],
                set_={
                    "at": insert.excluded.at, "pid": insert.excluded.pid,
                    "host": insert.excluded.host, "summary": insert.excluded.summary,
                    "sweeps": table.c.sweeps + 1,
                },
            )
        )  # fmt: skip
        return
    try:  # another database: insert in a savepoint, and update when someone was first
        with db.begin_nested():
            db.execute(table.insert().values(**values))
    except IntegrityError:
        db.execute(
            table.update()
            .where(table.c.name == name)
            .values(at=at, pid=pid, host=host, summary=summary, sweeps=table.c.sweeps + 1)
        )


def record_effect_once(db: Session, effect: Effect) -> Effect | None:
    """Write `effect` unless an effect with its key exists; returns that one, or None when this
    one was written. On PostgreSQL a concurrent writer of the same key makes this wait until it
    commits (the primary key), and then its row is returned: exactly one of them writes it."""
    existing = db.get(Effect, effect.key)
    if existing is not None:
        return existing
    try:
        with db.begin_nested():
            db.add(effect)
            db.flush()
    except IntegrityError:
        return db.exec(select(Effect).where(Effect.key == effect.key)).one()
    return None


def withdraw(db: Session, outbox_ids: Collection[int], now: dt.datetime, reason: str) -> None:
    """Messages not sent that will never be: status withdrawn, with why (the undo of the step
    that wrote them). Delivery sends only pending messages, a retry only failed ones."""
    if outbox_ids:
        db.flush()
        db.execute(
            update(Outbox)
            .where(col(Outbox.id).in_(list(outbox_ids)), col(Outbox.status) != "sent")
            .values(status="withdrawn", last_error=reason, next_attempt_at=now)
        )
