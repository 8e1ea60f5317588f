"""Queries on deadlines, in plain terms the engine, the sweep and the read models compose.

No rules: what a deadline means and when it is met is decided in `routing`. The statuses are the
schema's own vocabulary: open (to be met), escalated (missed, still awaited), done, superseded,
failed (its effect failed too often; `requeue_failed` opens it again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, inspect, literal, or_, update
from sqlmodel import Session, col, select

from store import driver
from store.models import AuditEvent, Item
from store.schedule_models import Deadline, MeetingRow, SlipWatch

__all__ = [
    "OPEN_STATUSES",
    "claim",
    "due_ids",
    "due_of_round",
    "failed",
    "insert_deadlines",
    "item_ids_on_meeting",
    "last_event_id",
    "latest_target",
    "next_open",
    "of_item",
    "open_by_item",
    "papers_on_meeting",
    "planned_counts",
    "requeue_failed",
    "round_statuses",
    "since",
    "slip_watch_due",
    "slip_watch_mark",
    "slip_watch_set",
    "stranded_item_ids",
    "supersede_open",
    "unhandled_before_meeting",
    "without_meeting",
]

# still to be met: open, or escalated (missed, and the papers are still awaited)
OPEN_STATUSES = ("open", "escalated")


_TABLE = Deadline.__table__  # type: ignore[attr-defined]
# built once: a statement of every transition
_SUPERSEDE = (
    update(_TABLE)
    .where(_TABLE.c.item_id == bindparam("of_item"))
    .where(or_(*(_TABLE.c.status == status for status in OPEN_STATUSES)))  # not an expanding IN
    .values(status="superseded", handled_at=bindparam("handled"))
)
_INSERT = _TABLE.insert()


def supersede_open(db: Session, item_id: int, now: dt.datetime) -> None:
    """A new planning round: every deadline still to be met of the item gives way.

    A Core statement on the session's connection, the session's pending rows written first;
    a `Deadline` of the item the session holds reads its status again on next use."""
    db.flush()
    driver.execute(db, _SUPERSEDE, {"of_item": item_id, "handled": now})
    for held in list(db.identity_map.values()):  # rows the session holds: read them again
        if isinstance(held, Deadline) and inspect(held).dict.get("item_id") == item_id:
            db.expire(held, ["status", "handled_at"])


def insert_deadlines(db: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Write new deadlines (each a dict of Deadline's columns; the rest take their defaults) in
    one statement on the session's connection."""
    if rows:
        db.flush()
        driver.execute(db, _INSERT, [{**_DEFAULTS, **row} for row in rows])


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
    One whose effect failed waits for its next attempt. `due_at <= now` on its own (the kinds
    narrow it after) is what lets ix_deadline_open_due select: an OR of two ranges would read
    every open deadline."""
    return [
        deadline_id
        for deadline_id in db.exec(
            select(Deadline.id)
            .where(Deadline.status == "open", col(Deadline.due_at) <= now)
            .where((col(Deadline.kind) != "meeting") | (col(Deadline.due_at) <= meetings_before))
            .where(col(Deadline.next_attempt_at).is_(None) | (col(Deadline.next_attempt_at) <= now))
            .order_by(col(Deadline.due_at), col(Deadline.id))
        ).all()
        if deadline_id is not None
    ]


def next_open(db: Session, now: dt.datetime) -> dt.datetime | None:
    """The first moment after `now` an open deadline falls due, or a failing one is tried
    again (each the first row of an index, ix_deadline_open_due and ix_deadline_retry)."""
    due = db.exec(
        select(Deadline.due_at)
        .where(Deadline.status == "open", col(Deadline.due_at) > now)
        .where(col(Deadline.next_attempt_at).is_(None))
        .order_by(col(Deadline.due_at))
        .limit(1)
    ).first()
    retry = db.exec(
        select(Deadline.next_attempt_at)
        .where(Deadline.status == "open", col(Deadline.next_attempt_at) > now)
        .order_by(col(Deadline.next_attempt_at))
        .limit(1)
    ).first()
    found = [moment for moment in (due, retry) if moment is not None]
    return min(found) if found else None


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


def unhandled_before_meeting(db: Session, item_id: int, plan: int, now: dt.datetime) -> bool:
    """Whether a reminder or papers / hand-over deadline of this planning round is due and not
    yet handled (nor waiting for a retry): its reminder or escalation comes before the round's
    roll-over, which would supersede it unsent. One sweep handles them in due order; a second
    daemon can meet the meeting's deadline while the first (or a killed one) holds the other."""
    return (
        db.exec(
            select(Deadline.id)
            .where(Deadline.item_id == item_id, Deadline.plan == plan)
            .where(Deadline.status == "open", Deadline.kind != "meeting")
            .where(col(Deadline.due_at) <= now, Deadline.attempts == 0)
            .limit(1)
        ).first()
        is not None
    )


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
    """Items planned on a meeting that does not exist or was cancelled: found meeting by
    meeting from the cancelled ones (and the deadlines without one), through
    ix_deadline_meeting_id, never by reading every open deadline. No other way to point
    nowhere: meeting rows are never deleted, and the key is a foreign key."""
    planned = select(Deadline.item_id).where(
        Deadline.kind == "meeting", col(Deadline.status).in_(OPEN_STATUSES)
    )
    found = set(db.exec(planned.where(col(Deadline.meeting_id).is_(None))).all())
    for meeting_id in db.exec(select(MeetingRow.id).where(MeetingRow.status == "cancelled")):
        found |= set(db.exec(planned.where(Deadline.meeting_id == meeting_id)).all())
    return sorted(found)


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


# --- the slip watch (rule 6): when each item with a target is checked again ------------------


def last_event_id(db: Session) -> int:
    """The newest audit event's id (0: none). The chain is appended one event at a time, so
    every event committed after this read has a higher id."""
    return db.exec(select(func.max(AuditEvent.id))).one() or 0


def latest_target(db: Session) -> dt.datetime | None:
    """The latest target meeting any item has (the last row of ix_item_target_meeting_at)."""
    return db.exec(
        select(Item.target_meeting_at)
        .where(col(Item.target_meeting_at).is_not(None))
        .order_by(col(Item.target_meeting_at).desc())
        .limit(1)
    ).first()


def slip_watch_mark(
    db: Session, now: dt.datetime, *, after_event: int | None, upto_event: int
) -> None:
    """Make the items with a target ahead due for a check at `now`: those with an audit event
    in (after_event, upto_event], or every one when `after_event` is None. Items no longer
    targeted lose their row."""
    table = SlipWatch.__table__  # type: ignore[attr-defined]
    targeted = select(Item.id, literal(now, table.c.check_at.type)).where(
        col(Item.target_meeting_at) > now, col(Item.target_body).is_not(None)
    )
    if after_event is None:
        db.execute(delete(SlipWatch))
    else:
        changed = (
            select(AuditEvent.item_id)
            .where(col(AuditEvent.id) > after_event, col(AuditEvent.id) <= upto_event)
            .distinct()
        )
        db.execute(delete(SlipWatch).where(col(SlipWatch.item_id).in_(changed)))
        targeted = targeted.where(col(Item.id).in_(changed))
    db.execute(insert(table).from_select(["item_id", "check_at"], targeted))


def slip_watch_set(db: Session, moments: dict[int, dt.datetime | None], now: dt.datetime) -> None:
    """The next check of these items (None: none until a change), each only while its check is
    still due: a row another daemon moved on meanwhile stays as that one left it."""
    table = SlipWatch.__table__  # type: ignore[attr-defined]
    due = (col(SlipWatch.item_id) == bindparam("item"), col(SlipWatch.check_at) <= now)
    later = [{"item": item, "at": at} for item, at in moments.items() if at is not None]
    never = [{"item": item} for item, at in moments.items() if at is None]
    if later:
        db.connection().execute(table.update().where(*due).values(check_at=bindparam("at")), later)
    if never:
        db.connection().execute(table.delete().where(*due), never)


def slip_watch_due(db: Session, now: dt.datetime) -> list[int]:
    """The items whose check is due, by ix_slip_watch_check_at."""
    return list(
        db.exec(
            select(SlipWatch.item_id)
            .where(col(SlipWatch.check_at) <= now)
            .order_by(col(SlipWatch.check_at), col(SlipWatch.item_id))
        ).all()
    )
