"""Commitments (toezeggingen): what someone promised, on an item, by when, made in which meeting.

A row is open until it is closed (`done`) with a note. Who may be named, how dates are read and
what the daemon sends are routing's rules (`routing.engine.commitments`,
`routing.effects.commitments`); this module only stores and reads the rows. The sweep reads
open rows by (status, due), so its cost follows the commitments due, not the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, Session, SQLModel, col, select

from store.types import UTCDateTime

__all__ = ["Commitment", "commitments", "due_open", "made_at_meeting"]


def _moment(*, nullable: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable),
    )


class Commitment(SQLModel, table=True):
    __tablename__ = "commitment"
    __table_args__ = (Index("ix_commitment_status_due", "status", "due"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    text: str
    owner: str
    owner_email: str | None = None
    due: dt.date
    body: str | None = None  # the meeting it was made in, when made in one
    meeting_at: dt.datetime | None = _moment(nullable=True)
    made_at: dt.datetime = _moment()
    actor: str
    status: str = "open"  # open | done
    closed_at: dt.datetime | None = _moment(nullable=True)
    closed_by: str | None = None
    close_note: str | None = None


def commitments(
    db: Session, *, open_only: bool = False, owner: str | None = None
) -> list[Commitment]:
    """The commitments, by due date (then number); only open ones, or one owner's."""
    query = select(Commitment)
    if open_only:
        query = query.where(Commitment.status == "open")
    if owner is not None:
        query = query.where(Commitment.owner == owner)
    return list(db.exec(query.order_by(col(Commitment.due), col(Commitment.id))).all())


def due_open(db: Session, until: dt.date) -> list[Commitment]:
    """The open commitments due on or before `until` (the index on status and due)."""
    query = (
        select(Commitment)
        .where(Commitment.status == "open")
        .where(col(Commitment.due) <= until)
        .order_by(col(Commitment.due), col(Commitment.id))
    )
    return list(db.exec(query).all())


def made_at_meeting(db: Session, body: str, meeting_at: dt.datetime) -> Sequence[Commitment]:
    """The commitments made at one meeting, in the order they were recorded."""
    query = (
        select(Commitment)
        .where(Commitment.body == body)
        .where(col(Commitment.meeting_at) == meeting_at)
        .order_by(col(Commitment.id))
    )
    return db.exec(query).all()
