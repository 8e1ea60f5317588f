"""Late-item exceptions: an item too late for a meeting asks its body's chair to let it join.

One row per request (`routing.engine.late_exceptions` writes it when a body's late policy is
"exception"): the item, the body and the meeting it asks to join (start), the planning round it
was asked in, when it was asked and by when the chair must decide (`due`), and the answer:
`asked` until decided, then `granted`, `refused` or `expired` (the deadline passed without a
decision: the daemon treats it as refused), with who decided, when and a note. The sweep reads
undecided rows by (status, due); the agenda reads a meeting's rows by (body, meeting_at).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, Session, SQLModel, col, select

from store.types import UTCDateTime

__all__ = ["ASKED", "LateException", "asked_due", "next_due", "of_meeting", "open_of_item"]

ASKED = "asked"  # asked | granted | refused | expired


def _moment(*, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class LateException(SQLModel, table=True):
    __tablename__ = "late_exception"
    __table_args__ = (
        Index("ix_late_exception_status_due", "status", "due"),
        Index("ix_late_exception_meeting", "body", "meeting_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    body: str
    meeting_id: int | None = None
    meeting_at: dt.datetime = _moment()
    plan: int  # the planning round it was asked in: a later step makes it void
    asked_at: dt.datetime = _moment()
    asked_by: str
    due: dt.datetime = _moment()  # by when the chair decides
    status: str = ASKED
    decided_at: dt.datetime | None = _moment(nullable=True)
    decided_by: str | None = None
    note: str | None = None


def open_of_item(db: Session, item_id: int) -> LateException | None:
    """The item's undecided request, the latest one."""
    query = (
        select(LateException)
        .where(LateException.item_id == item_id, LateException.status == ASKED)
        .order_by(col(LateException.id).desc())
    )
    return db.exec(query).first()


def asked_due(db: Session, now: dt.datetime) -> Sequence[LateException]:
    """Undecided requests whose deadline has passed, oldest first."""
    query = (
        select(LateException)
        .where(LateException.status == ASKED, col(LateException.due) <= now)
        .order_by(col(LateException.due), col(LateException.id))
    )
    return db.exec(query).all()


def of_meeting(db: Session, body: str, meeting_at: dt.datetime) -> Sequence[LateException]:
    """The requests to join one meeting, whatever their answer, by number."""
    query = (
        select(LateException)
        .where(LateException.body == body, LateException.meeting_at == meeting_at)
        .order_by(col(LateException.id))
    )
    return db.exec(query).all()


def next_due(db: Session, now: dt.datetime) -> dt.datetime | None:
    """The deadline of the first undecided request still ahead (the daemon wakes for it)."""
    query = (
        select(LateException.due)
        .where(LateException.status == ASKED, col(LateException.due) > now)
        .order_by(col(LateException.due))
        .limit(1)
    )
    return db.exec(query).first()
