"""Tables of time and effects: meetings and their changes, deadlines, the outbox, E&I decisions,
effects done, meeting outcomes and the daemon's heartbeat.

A meeting's identity is its row, not its start time: a meeting that moves keeps its id, and every
deadline and item planned on it points at that id. Where a meeting comes from is kept as
(source, source_key): `config` meetings by their start as routing.toml first gave it, `ics`
meetings by their UID (and RECURRENCE-ID), `manual` meetings by a key made when they were added.

Exactly-once is held by the schema: every scheduled effect has a natural key with a unique
constraint (`Effect.key`, `Outbox.key`, one open deadline per item/kind/meeting), so a second
attempt by another daemon, a restart or a sweep run by hand inserts nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

__all__ = [
    "Deadline",
    "Effect",
    "EffectFailure",
    "EiDecision",
    "Heartbeat",
    "MeetingChange",
    "MeetingClose",
    "MeetingOutcome",
    "MeetingRow",
    "Outbox",
    "Setting",
    "SlipWatch",
]


def _moment(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class MeetingRow(SQLModel, table=True):
    """One meeting of one body, as the calendar holds it now."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("body", "source", "source_key", name="uq_meeting_source"),
        Index("ix_meeting_body_start", "body", "start_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body: str
    source: str  # config | ics | manual
    source_key: str
    original_at: dt.datetime = _moment()  # the start it had when it became known
    start_at: dt.datetime = _moment()
    status: str = "scheduled"  # scheduled | cancelled
    location: str | None = None
    summary: str = ""
    sequence: int = 0  # raised by every change (iCalendar SEQUENCE)
    created_at: dt.datetime = _moment()
    updated_at: dt.datetime = _moment()


class MeetingChange(SQLModel, table=True):
    """Who moved, cancelled or added a meeting, when, why, and through what."""

    __tablename__ = "meeting_change"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str  # added | moved | cancelled
    origin: str  # command | config | import
    from_at: dt.datetime | None = _moment(nullable=True)
    to_at: dt.datetime | None = _moment(nullable=True)
    actor: str
    at: dt.datetime = _moment()
    reason: str | None = None
    items: int = 0  # how many items were re-planned by it


class Deadline(SQLModel, table=True):
    """A moment an item must meet at a body: reminder, papers deadline, the meeting itself."""

    __tablename__ = "deadline"
    __table_args__ = (
        Index("ix_deadline_open_due", "status", "due_at"),
        Index("ix_deadline_retry", "status", "next_attempt_at"),
        UniqueConstraint("item_id", "kind", "body", "meeting_at", "plan", name="uq_deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    plan: int  # the item's planning round; a re-plan supersedes earlier rounds
    kind: str  # reminder | papers | handover | meeting
    body: str
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    meeting_at: dt.datetime = _moment()
    due_at: dt.datetime = _moment()
    status: str = "open"  # open | escalated | done | superseded | failed
    handled_at: dt.datetime | None = _moment(nullable=True)
    # a failing effect of this deadline: retried from next_attempt_at, `failed` after the limit
    attempts: int = 0
    next_attempt_at: dt.datetime | None = _moment(nullable=True)
    last_error: str | None = None


class Outbox(SQLModel, table=True):
    """A message to send; written in the transaction of the effect that causes it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True)  # natural key of the effect that wrote it
    message_id: str = Field(unique=True)  # stable RFC 5322 Message-ID: a resend is recognisable
    kind: str  # reminder | escalation | rollover | feedback | ei | digest | slip
    item_id: int | None = Field(default=None, foreign_key="item.id", index=True)
    recipients: list[str] = Field(sa_column=Column(JSON, nullable=False))
    subject: str
    body: str
    created_at: dt.datetime = _moment()
    # pending | sent | failed; withdrawn: its step undone; held: waiting for the recipient's
    # daily overview (due at next_attempt_at); bundled: in the overview `bundle_id`
    status: str = "pending"
    attempts: int = 0
    next_attempt_at: dt.datetime = _moment()
    last_error: str | None = None
    sent_at: dt.datetime | None = _moment(nullable=True)
    channel: str | None = None
    due_at: dt.datetime | None = _moment(nullable=True)  # what the message is about, for sorting
    bundle_id: int | None = Field(default=None, index=True)  # the overview that carried it
    # an iCalendar object (iTIP, its METHOD inside) sent as a text/calendar part with the body
    calendar: str | None = None


class EiDecision(SQLModel, table=True):
    """Whether E&I is informed about an item, who decided, and why."""

    __tablename__ = "ei_decision"
    __table_args__ = (UniqueConstraint("item_id", "body", name="uq_ei_decision"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    body: str
    inform: bool
    decided_by: str  # "auto" or the secretary's name
    reason: str
    at: dt.datetime = _moment()
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")


class Effect(SQLModel, table=True):
    """An effect of the sweep that happened, by its natural key (feedback:<meeting>, ...)."""

    __tablename__ = "effect"

    key: str = Field(primary_key=True)
    kind: str
    at: dt.datetime = _moment()
    item_id: int | None = Field(default=None, foreign_key="item.id")
    detail: str | None = None


class EffectFailure(SQLModel, table=True):
    """A failing sweep effect without a row of its own (feedback item, digest, slip warning,
    calendar-end warning, meeting sync), by its natural key: retried from `next_attempt_at`,
    given up at `failed_at`. The row goes when the effect succeeds or is re-queued."""

    __tablename__ = "effect_failure"

    key: str = Field(primary_key=True)
    kind: str
    item_id: int | None = None
    attempts: int = 0
    first_at: dt.datetime = _moment()
    next_attempt_at: dt.datetime | None = _moment(nullable=True)
    last_error: str
    failed_at: dt.datetime | None = _moment(nullable=True)


class MeetingOutcome(SQLModel, table=True):
    """What a meeting decided about an item (for the decision list)."""

    __tablename__ = "meeting_outcome"
    __table_args__ = (UniqueConstraint("body", "meeting_at", "item_id", name="uq_outcome"),)

    id: int | None = Field(default=None, primary_key=True)
    body: str
    meeting_at: dt.datetime = _moment()
    item_id: int = Field(foreign_key="item.id", index=True)
    trigger: str
    to_state: str
    note: str | None = None
    actor: str
    at: dt.datetime = _moment()
    decision: str | None = None  # the besluit as minuted; None: derived from the step


class MeetingClose(SQLModel, table=True):
    """A meeting that was closed: by whom, when, who attended and who sent apologies. Its row
    is what "closed" means; the unique (body, meeting_at) makes a second close, also one racing
    the first from another process, a refusal."""

    __tablename__ = "meeting_close"
    __table_args__ = (UniqueConstraint("body", "meeting_at", name="uq_meeting_close"),)

    id: int | None = Field(default=None, primary_key=True)
    body: str
    meeting_at: dt.datetime = _moment()
    closed_at: dt.datetime = _moment()
    actor: str
    attendees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    absent: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Heartbeat(SQLModel, table=True):
    __tablename__ = "heartbeat"

    name: str = Field(primary_key=True)
    at: dt.datetime = _moment()
    pid: int
    host: str
    sweeps: int = 0
    summary: str = ""


class Setting(SQLModel, table=True):
    """Facts about this store, such as when it was created (`installed_at`) and its
    `installation_id` (part of every Message-ID)."""

    __tablename__ = "setting"

    name: str = Field(primary_key=True)
    value: str


class SlipWatch(SQLModel, table=True):
    """When an item's road to its target meeting must be checked again (rule 6): the next
    deadline of its backward plan; now, when the item or the calendars changed; None, when
    nothing but a change can make it slip. The sweep checks only the rows that are due."""

    __tablename__ = "slip_watch"

    item_id: int = Field(primary_key=True)
    check_at: dt.datetime | None = _moment(nullable=True, index=True)
