"""The audit trail as one hash chain: every event carries its predecessor's hash and its own.

An event's hash is SHA-256 over a canonical serialisation of (id, item_id, from_state, to_state,
trigger, actor, at in UTC, note, prev_hash); the first event's predecessor is `GENESIS`. The
chain head (`audit_head`, one row) holds the last event's id and hash, so removing the last
event is as visible as removing any other. Changing, removing, inserting or reordering a row
with a database tool breaks a link that `verify` finds; a document that printed the head hash
proves the trail as it was then.

Invariants: every event is written by `append` (or `append_many`, the same links for many
events in one insert), which serialises writers on the head row (on
PostgreSQL `SELECT ... FOR UPDATE`; a SQLite writer already holds the database's write lock),
so the chain never forks. This module is a storage invariant: it knows no business rules.

An append is three statements: the head read (locked) together with the id the new event will
get, the event inserted with that id and its hash, and the head moved on. On PostgreSQL, where
each is a round trip to the server, the first is the lock a writer takes anyway (`lock_head`,
the lock order), and the other two are one statement. The id comes first
because the hash covers it: on PostgreSQL from the table's own sequence (`nextval`), on SQLite
the next rowid (the largest id plus one, exactly what SQLite would assign; no other writer can
insert meanwhile, this one holds the write lock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlmodel import Session, col

from store import bulk, driver
from store.models import AuditEvent, AuditHead
from store.types import UTCDateTime

__all__ = [
    "GENESIS",
    "HEAD_ID",
    "Finding",
    "Report",
    "append",
    "append_many",
    "canonical",
    "event_hash",
    "export_rows",
    "head",
    "lock_head",
    "verify",
    "verify_rows",
]

GENESIS = "0" * 64
HEAD_ID = 1
# the columns of an exported event, in the order of the canonical serialisation
FIELDS = ("id", "item_id", "from_state", "to_state", "trigger", "actor", "at", "note")


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r} in the audit trail; give it a time zone")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: dict[str, Any], prev_hash: str) -> bytes:
    """The bytes an event's hash is taken over: a JSON array, fixed order, no whitespace.

    `row` holds the FIELDS; `at` is a datetime or its UTC text as `export_rows` writes it."""
    at = row["at"]
    values = [
        row["id"], row["item_id"], row["from_state"], row["to_state"], row["trigger"],
        row["actor"], _utc(at) if isinstance(at, dt.datetime) else at, row["note"], prev_hash,
    ]  # fmt: skip
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_hash(row: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(row, prev_hash)).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in FIELDS}


def head(db: Session, *, lock: bool = False) -> AuditHead | None:
    query = select(AuditHead).where(col(AuditHead.id) == HEAD_ID)
    if lock:
        query = query.with_for_update()  # PostgreSQL; SQLite renders nothing and needs nothing
    return db.execute(query).scalars().first()


_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
_HEAD = AuditHead.__table__  # type: ignore[attr-defined]
# the statements of an append, built once: the head with the next event id (see the docstring)
_HEAD_AND_NEXT_ID = select(
    _HEAD.c.last_id,
    _HEAD.c.hash,
    select(func.coalesce(func.max(_EVENTS.c.id), 0) + 1).scalar_subquery(),
).where(_HEAD.c.id == HEAD_ID)
_HEAD_AND_NEXT_ID_PG = (
    select(
        _HEAD.c.last_id,
        _HEAD.c.hash,
        func.nextval(func.pg_get_serial_sequence("audit_event", "id")),
    )
    .where(_HEAD.c.id == HEAD_ID)
    .with_for_update()
)
_INSERT = _EVENTS.insert()
_MOVE_HEAD = _HEAD.update().where(_HEAD.c.id == HEAD_ID)
# PostgreSQL: the event and the head's move in one statement (one round trip instead of two)
_INSERT_AND_MOVE_HEAD_PG = text(
    "WITH moved_head AS (UPDATE audit_head SET last_id = :head_last_id, hash = :head_hash"
    f" WHERE id = {HEAD_ID}) INSERT INTO audit_event"
    ' (id, item_id, from_state, to_state, "trigger", actor, at, note, prev_hash, hash)'
    " VALUES (:id, :item_id, :from_state, :to_state, :trigger, :actor, :at, :note, :prev_hash,"
    " :hash)"
).bindparams(bindparam("at", type_=UTCDateTime()))
_KNOWN = "audit_head_known"  # db.info on PostgreSQL: (transaction, last id, hash, next id)


def _postgresql(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _transaction(db: Session) -> object:
    """The innermost transaction: a lock taken in a savepoint goes with its rollback."""
    return db.get_nested_transaction() or db.get_transaction()


def _known(db: Session) -> tuple[Any, ...] | None:
    """PostgreSQL: the head as this transaction locked and last moved it (None: not known in
    this transaction, or since a savepoint began or ended: read it again). One entry only, so
    whatever a savepoint appended is never shadowed by an older entry of the outer
    transaction."""
    known = db.info.get(_KNOWN)
    return known if known is not None and known[0] is _transaction(db) else None


def _lock_and_read(db: Session) -> tuple[Any, ...]:
    db.flush()  # what the session holds is written before any row is locked
    current = db.connection().execute(_HEAD_AND_NEXT_ID_PG).first()
    if current is None:
        raise RuntimeError("audit_head is missing; the schema is not at revision 0005 or newer")
    known = (_transaction(db), current[0], current[1], int(current[2]))
    db.info[_KNOWN] = known
    return known


def lock_head(db: Session) -> None:
    """Take the head row's lock now (PostgreSQL), for a writer that locks other rows first.

    Once per transaction: the head and the next event id are read with the lock and kept for
    `append`. On SQLite nothing to do: a write session holds the database's write lock."""
    if _postgresql(db) and _known(db) is None:
        _lock_and_read(db)


def append(db: Session, event: AuditEvent) -> AuditEvent:
    """Write `event` as the chain's newest link, inside the caller's transaction.

    The event is written by a statement of its own, not added to the session; it comes back
    with its id and hashes."""
    db.flush()  # the session's pending rows first (an item the event names, say)
    connection = db.connection()
    if _postgresql(db):
        known = _known(db)
        if known is None or known[3] is None:
            known = _lock_and_read(db)
        _, _, previous, next_id = known
    else:
        current = driver.first(db, _HEAD_AND_NEXT_ID, {})
        if current is None:
            raise RuntimeError("audit_head is missing; the schema is not at revision 0005 or newer")
        _, previous, next_id = current
    event.id = int(next_id)
    event.prev_hash = previous
    event.hash = event_hash(_fields(event), event.prev_hash)
    row = {**_fields(event), "prev_hash": event.prev_hash, "hash": event.hash}
    if _postgresql(db):
        connection.execute(
            _INSERT_AND_MOVE_HEAD_PG, {**row, "head_last_id": event.id, "head_hash": event.hash}
        )
        db.info[_KNOWN] = (_transaction(db), event.id, event.hash, None)  # the next id: unknown
    else:
        driver.execute(db, _INSERT, row)
        driver.execute(db, _MOVE_HEAD, {"last_id": event.id, "hash": event.hash})
    return event


def append_many(db: Session, events: Sequence[dict[str, Any]]) -> list[int]:
    """Write `events` (dicts of the FIELDS but `id`) as the chain's next links, in their order,
    inside the caller's transaction: the same links `append` makes one by one, in one insert.
    Returns their ids."""
    if not events:
        return []
    current = head(db, lock=True)
    if current is None:
        raise RuntimeError("audit_head is missing; the schema is not at revision 0005 or newer")
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    ids = bulk.reserve_ids(db, table, len(events))
    previous = current.hash
    linked = []
    for event_id, event in zip(ids, events, strict=True):
        row = {**event, "id": event_id, "prev_hash": previous}
        row["hash"] = previous = event_hash(row, row["prev_hash"])
        linked.append(row)
    bulk.insert_rows(db, table, linked)
    current.last_id = ids[-1]
    current.hash = previous
    db.add(current)
    db.flush()
    return ids


@dataclass(frozen=True)
class Finding:
    """One break in the chain. kind: altered | removed | inserted | after_head | head_*.

    `event_id` is the event the break is found at; `other_id` the neighbour it concerns (the
    event before a removal, the head's last id)."""

    kind: str
    event_id: int | None
    other_id: int | None = None


@dataclass(frozen=True)
class Report:
    events: int
    head_id: int | None
    head_hash: str
    findings: tuple[Finding, ...]

    @property
    def intact(self) -> bool:
        return not self.findings


def verify_rows(
    rows: Iterable[dict[str, Any]], head_id: int | None, head_hash: str | None
) -> Report:
    """Recompute the chain over `rows` (in id order, each with FIELDS, prev_hash and hash).

    Each link is checked against the stored hash of the row before it, so one changed row is
    reported once, not with everything after it. `head_hash` None: the head row is missing."""
    findings: list[Finding] = []
    expected, before_previous = GENESIS, None
    previous_id: int | None = None
    count = 0
    for row in rows:
        count += 1
        if event_hash(row, row["prev_hash"]) != row["hash"]:
            findings.append(Finding("altered", row["id"]))
        elif row["prev_hash"] != expected:
            if previous_id is not None and row["prev_hash"] == before_previous:
                # this row links past its predecessor: the predecessor was slipped in
                findings.append(Finding("inserted", previous_id))
            else:
                findings.append(Finding("removed", row["id"], previous_id))
        before_previous, expected, previous_id = expected, row["hash"], row["id"]
    if head_hash is None:
        findings.append(Finding("head_missing", None))
    elif previous_id != head_id or expected != head_hash:
        if head_id is not None and (previous_id is None or previous_id < head_id):
            findings.append(Finding("head_removed", head_id, previous_id))
        elif previous_id is not None and (head_id is None or previous_id > head_id):
            findings.append(Finding("after_head", previous_id, head_id))
        else:
            findings.append(Finding("head_mismatch", previous_id, head_id))
    return Report(count, head_id, head_hash or "", tuple(findings))


def _stored(db: Session) -> Iterator[dict[str, Any]]:
    query = select(AuditEvent).order_by(col(AuditEvent.id)).execution_options(yield_per=1000)
    for event in db.execute(query).scalars():
        yield {**_fields(event), "prev_hash": event.prev_hash, "hash": event.hash}


def verify(db: Session) -> Report:
    """The chain as one snapshot sees it; `db` must be a transaction that has not read yet.

    PostgreSQL reads each statement at its own moment by default (READ COMMITTED): an event
    committed between reading the head and the events would look slipped in after the head."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    current = head(db)
    if current is None:
        return verify_rows(_stored(db), None, None)
    return verify_rows(_stored(db), current.last_id, current.hash)


def export_rows(db: Session) -> Iterator[dict[str, Any]]:
    """Every event with its hashes, in chain order, as plain JSON values (`at` in UTC)."""
    for row in _stored(db):
        yield {**row, "at": _utc(row["at"])}
