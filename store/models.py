"""The tables. Rows are the truth: an item's state, its history and its flow version live here.

No business rules: which transitions exist, what a deadline means, when E&I is informed, all of
that lives in `routing`. Invariants held by the schema itself: one stored flow version per
(name, content hash); an item points at the flow version it started with; `Item.version` counts
writes for optimistic locking; audit events form one hash chain whose head is `AuditHead`
(see `store.audit_chain`, the only writer of both).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

__all__ = ["AuditEvent", "AuditHead", "FlowVersion", "Item"]


def _moment(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class FlowVersion(SQLModel, table=True):
    __tablename__ = "flow_version"
    __table_args__ = (UniqueConstraint("name", "content_hash", name="uq_flow_version_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    content_hash: str
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    first_used_at: dt.datetime = _moment()


class Item(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (Index("ix_item_flow_state", "flow_name", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str
    flow_name: str
    flow_version_id: int = Field(foreign_key="flow_version.id")
    state: str = Field(index=True)
    kenmerk: str | None = None
    document_date: dt.date | None = None
    sender: str | None = None
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    owner: str | None = None
    asked: str = "bespreking"
    openbaar: bool = True
    verspreiden: bool = True
    created_at: dt.datetime = _moment()
    updated_at: dt.datetime = _moment()
    version: int = 1
    # planning (filled by routing's planning when the item enters a body's state)
    planned_body: str | None = None
    planned_meeting_id: int | None = None  # meeting.id; no FK: store/models precedes meetings
    planned_meeting_at: dt.datetime | None = _moment(nullable=True)
    plan: int = 0
    target_body: str | None = None
    target_meeting_id: int | None = Field(default=None, index=True)
    target_meeting_at: dt.datetime | None = _moment(nullable=True, index=True)
    origin: str | None = None  # natural key of what created the item, e.g. feedback:<meeting>


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    from_state: str | None
    to_state: str
    trigger: str
    actor: str
    at: dt.datetime = _moment(index=True)  # a period's events (the digest)
    note: str | None = None
    # the chain (store.audit_chain): the hash of the event before, and this event's own
    prev_hash: str = ""
    hash: str = ""


class AuditHead(SQLModel, table=True):
    """The chain's newest link (one row, id 1): a removed last event shows against it."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True)
    last_id: int | None = None
    hash: str
