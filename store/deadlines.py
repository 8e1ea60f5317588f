"""Queries on deadlines, in plain terms the engine, the sweep and the read models compose.

No rules: what a deadline means and when it is met is decided in `routing`. The statuses are the
schema's own vocabulary: open (to be met), escalated (missed, still awaited), done, superseded,
failed (its effect failed too often; `requeue_failed` opens it again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, inspect, update
from sqlmodel import Session, col, select

from store.schedule_models import Deadline, MeetingRow

__all__ = [
    "OPEN_STATUSES",
    "claim",
    "due_ids",
    "due_of_round",
    "failed",
    "insert_deadlines",
    "item_ids_on_meeting",
    "of_item",
    "open_by_item",
    "papers_on_meeting",
    "planned_counts",
    "requeue_failed",
    "round_statuses",
    "since",
    "stranded_item_ids",
    "supersede_open",
    "without_meeting",
]

# still to be met: open, or escalated (missed, and the papers are still awaited)
OPEN_STATUSES = ("open", "escalated")


_TABLE = Deadline.__table__  # type: ignore[attr-defined]
# built once: a statement of every transition
_SUPERSEDE = (
    update(_TABLE)
    .where(_TABLE.c.item_id == bindparam("of_item"))
    .where(_TABLE.c.status.in_(OPEN_STATUSES))
    .values(status="superseded", handled_at=bindparam("handled"))
)
_INSERT = _TABLE.insert()


def supersede_open(db: Session, item_id: int, now: dt.datetime) -> None:
    """A new planning round: every deadline still to be met of the item gives way.

    A Core statement on the session's connection, the session's pending rows written first;
    a `Deadline` of the item the session holds reads its status again on next use."""
    db.flush()
    db.connection().execute(_SUPERSEDE, {"of_item": item_id, "handled": now})
    for held in list(db.identity_map.values()):  # rows the session holds: read them again
        if isinstance(held, Deadline) and inspect(held).dict.get("item_id") == item_id:
            db.expire(held, ["status", "handled_at"])


def insert_deadlines(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write new deadlines (each a dict of Deadline's columns; the rest take their defaults) in
    one statement on the session's connection."""
    if rows:
        db.flush()
        db.connection().execute(_INSERT, [{**_DEFAULTS, **row} for row in rows])


# the columns a new deadline row starts with unless given (one shape for the executemany)
_DEFAULTS: dict[str, Any] = {
    "meeting_id": None, "status": "open", "handled_at": None, "attempts": 0,
    "next_attempt_at": None, "last_error": None,
}  # fmt: skip


def of_item(
    db: Session,
    item_id: int,
    *,
    statuses: Collection[str] = OPEN_STATUSES,
    kinds: Collection[str] | None = None,
) -> Sequence[Deadline]:
    """The item's deadlines with these statuses (and kinds), earliest first."""
    query = (
        select(Deadline)
        .where(Deadline.item_id == item_id)
        .where(col(Deadline.status).in_(list(statuses)))
        .order_by(col(Deadline.due_at), col(Deadline.id))
    )
    if kinds is not None:
        query = query.where(col(Deadline.kind).in_(list(kinds)))
    return db.exec(query).all()


def open_by_item(db: Session) -> dict[int, list[Deadline]]:
    """Every deadline still to be met, by item, earliest first."""
    found: dict[int, list[Deadline]] = {}
    for row in db.exec(
        select(Deadline)
        .where(col(Deadline.status).in_(OPEN_STATUSES))
        .order_by(col(Deadline.due_at), col(Deadline.id))
    ).all():
        found.setdefault(row.item_id, []).append(row)
    return found


def due_ids(db: Session, now: dt.datetime, meetings_before: dt.datetime) -> Sequence[int]:
    """Open deadlines due by `now`; a meeting counts once it is older than `meetings_before`.
    One whose effect failed waits for its next attempt (ix_deadline_open_due still selects)."""
    return [
        deadline_id
        for deadline_id in db.exec(
            select(Deadline.id)
            .where(Deadline.status == "open")
            .where(
                ((col(Deadline.kind) != "meeting") & (col(Deadline.due_at) <= now))
                | ((col(Deadline.kind) == "meeting") & (col(Deadline.due_at) <= meetings_before))
            )
            .where(col(Deadline.next_attempt_at).is_(None) | (col(Deadline.next_attempt_at) <= now))
            .order_by(col(Deadline.due_at), col(Deadline.id))
        ).all()
        if deadline_id is not None
    ]


def failed(db: Session) -> Sequence[Deadline]:
    """Deadlines whose effect was given up, oldest first."""
    return db.exec(
        select(Deadline).where(Deadline.status == "failed").order_by(col(Deadline.id))
    ).all()


def requeue_failed(db: Session, deadline_ids: Collection[int] | None = None) -> list[int]:
    """Open the failed deadlines (these, or all) again for the next sweep; returns their ids."""
    query = select(Deadline).where(Deadline.status == "failed")
    if deadline_ids is not None:
        query = query.where(col(Deadline.id).in_(list(deadline_ids)))
    found = []
    for row in db.exec(query.with_for_update()).all():
        row.status, row.handled_at, row.attempts, row.next_attempt_at = "open", None, 0, None
        db.add(row)
        assert row.id is not None
        found.append(row.id)
    return found


def claim(db: Session, deadline_id: int) -> Deadline | None:
    """The deadline, locked for this transaction (skipped when another daemon holds it)."""
    return db.exec(
        select(Deadline).where(Deadline.id == deadline_id).with_for_update(skip_locked=True)
    ).first()


def round_statuses(db: Session, item_id: int, plan: int) -> dict[str, str]:
    """Status by kind in one planning round of an item."""
    rows = db.exec(
        select(Deadline.kind, Deadline.status).where(
            Deadline.item_id == item_id, Deadline.plan == plan
        )
    ).all()
    return dict(rows)


def due_of_round(
    db: Session, item_id: int, plan: int, kinds: Collection[str]
) -> dt.datetime | None:
    """When the first deadline of these kinds in one planning round of an item is due."""
    return db.exec(
        select(Deadline.due_at)
        .where(Deadline.item_id == item_id, Deadline.plan == plan)
        .where(col(Deadline.kind).in_(list(kinds)))
        .order_by(col(Deadline.due_at))
    ).first()


def item_ids_on_meeting(
    db: Session, meeting_id: int, *, body: str | None = None, superseded_too: bool = False
) -> set[int]:
    """Items planned on a meeting (with `superseded_too`, also those rolled on from it)."""
    query = select(Deadline.item_id).where(
        Deadline.meeting_id == meeting_id, Deadline.kind == "meeting"
    )
    if body is not None:
        query = query.where(Deadline.body == body)
    if not superseded_too:
        query = query.where(col(Deadline.status).in_(OPEN_STATUSES))
    return set(db.exec(query).all())


def without_meeting(db: Session) -> Sequence[Deadline]:
    """Deadlines still to be met that point at no meeting row (written before meetings had
    ids)."""
    return db.exec(
        select(Deadline).where(
            col(Deadline.meeting_id).is_(None), col(Deadline.status).in_(OPEN_STATUSES)
        )
    ).all()


def stranded_item_ids(db: Session) -> list[int]:
    """Items planned on a meeting that does not exist or was cancelled."""
    return [
        item_id
        for item_id in db.exec(
            select(Deadline.item_id)
            .join(MeetingRow, col(MeetingRow.id) == col(Deadline.meeting_id), isouter=True)
            .where(col(Deadline.status).in_(OPEN_STATUSES), Deadline.kind == "meeting")
            .where(col(MeetingRow.id).is_(None) | (MeetingRow.status == "cancelled"))
            .distinct()
        ).all()
    ]


def since(db: Session, meetings_from: dt.datetime, kinds: Collection[str]) -> Sequence[Deadline]:
    """Deadlines of these kinds for meetings from `meetings_from` on, in the order written."""
    return db.exec(
        select(Deadline)
        .where(col(Deadline.kind).in_(list(kinds)))
        .where(col(Deadline.meeting_at) >= meetings_from)
        .order_by(col(Deadline.id))
    ).all()


def papers_on_meeting(
    db: Session, body: str, meeting_at: dt.datetime, item_ids: Collection[int]
) -> Sequence[Deadline]:
    """The papers (or hand-over) deadlines of these items for one meeting, not superseded."""
    return db.exec(
        select(Deadline)
        .where(col(Deadline.item_id).in_(list(item_ids)), Deadline.body == body)
        .where(col(Deadline.kind).in_(["papers", "handover"]))
        .where(col(Deadline.meeting_at) == meeting_at.astimezone(dt.UTC))
        .where(col(Deadline.status) != "superseded")
    ).all()


def planned_counts(db: Session) -> dict[int, int]:
    """How many items are planned on each meeting (by meeting id)."""
    counts: dict[int, int] = {}
    for meeting_id in db.exec(
        select(Deadline.meeting_id).where(Deadline.kind == "meeting", Deadline.status == "open")
    ).all():
        if meeting_id is not None:
            counts[meeting_id] = counts.get(meeting_id, 0) + 1
    return counts
