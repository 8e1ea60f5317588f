"""Commitments (toezeggingen): recorded on an item and closed with a note, each in one transaction.

A commitment says what someone promised (`text`), who (`owner`: a name from `[people]` or an
address, resolved as `new --owner` does), by when (`due`, a date) and, when it was made in a
meeting, which one (a body and a day on which that body meets). Recording it and closing it are
changes to the item: both go through `routing.engine.writer` (an audit event with trigger
`toezegging` / `toezegging-afgerond` and a note), so the item's history shows them and the
audit chain holds them. Reminders and overdue reports are the daemon's
(`routing.effects.commitments`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from routing import text
from routing.config.people import owner_address, resolve_owner
from routing.engine import writer
from routing.engine.meeting_sync import current_calendars
from routing.engine.meetings import meeting_on_day
from routing.errors import BadInput, NotFound, RefusedByRules
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store.commitments import Commitment

__all__ = [
    "ADDED",
    "CLOSED",
    "MeetingRef",
    "Pledge",
    "add_commitment",
    "checked",
    "close_commitment",
    "record",
]

ADDED = "toezegging"
CLOSED = "toezegging-afgerond"


@dataclass(frozen=True)
class MeetingRef:
    """The meeting a commitment was made in, as the user named it: a body and a day."""

    body: str
    day: dt.date


@dataclass(frozen=True)
class Pledge:
    """A commitment as checked, before it is written: its owner as [people] spells it."""

    item_id: int
    text: str
    owner: str
    due: dt.date


def checked(rt: Runtime, item_id: int, what: str, owner: str, due: dt.date) -> Pledge:
    """`BadInput` for an empty text, no owner or an unknown person; nothing is read."""
    what = text.checked_line("commitment", what)
    if not what:
        raise BadInput(t("err.commitment_empty"))
    if not owner.strip():
        raise BadInput(t("err.commitment_no_owner"))
    who = resolve_owner(rt.config, owner)
    assert who is not None
    return Pledge(item_id, what, who, due)


def record(
    db: Session,
    rt: Runtime,
    pledge: Pledge,
    now: dt.datetime,
    meeting: tuple[str, dt.datetime] | None = None,
) -> Commitment:
    """Write a checked commitment and its audit event in the caller's transaction; `meeting`
    is (body, start) of the meeting it was made in. `NotFound` for an unknown item."""
    item = writer.claim(db, pledge.item_id)
    body, meeting_at = meeting if meeting is not None else (None, None)
    row = Commitment(
        item_id=pledge.item_id, text=pledge.text, owner=pledge.owner,
        owner_email=owner_address(rt.config, pledge.owner), due=pledge.due, body=body,
        meeting_at=meeting_at, made_at=now, actor=rt.actor,
    )  # fmt: skip
    db.add(row)
    db.flush()
    note = t("note.commitment_added", number=row.id, owner=pledge.owner,
             due=format_date(pledge.due), text=pledge.text)  # fmt: skip
    writer.write_item(db, item, {}, trigger=ADDED, actor=rt.actor, now=now, note=note)
    return row


def add_commitment(
    rt: Runtime,
    item_id: int,
    what: str,
    owner: str,
    due: dt.date,
    meeting: MeetingRef | None = None,
) -> Commitment:
    """Record a commitment on item `item_id`; `BadInput` (nothing written) for an empty text,
    an unknown person, body or meeting day, `NotFound` for an unknown item."""
    pledge = checked(rt, item_id, what, owner, due)
    now = rt.clock.now()
    with rt.session() as db:
        made_in = None
        if meeting is not None:
            rt.config.body(meeting.body)
            found = meeting_on_day(rt, current_calendars(rt, db), meeting.body, meeting.day)
            made_in = (meeting.body, found.start.astimezone(dt.UTC))
        row = record(db, rt, pledge, now, made_in)
        db.refresh(row)
        db.expunge(row)
    return row


def close_commitment(rt: Runtime, commitment_id: int, note: str) -> Commitment:
    """Close an open commitment with a note; `NotFound` for an unknown number, `BadInput` for
    an empty note, `RefusedByRules` for one closed before."""
    note = text.checked_block("note", note).strip()
    if not note:
        raise BadInput(t("err.commitment_no_note"))
    now = rt.clock.now()
    with rt.session() as db:
        found = db.get(Commitment, commitment_id)
        if found is None:
            raise NotFound(t("what.commitment"), commitment_id, t("hint.see_commitments"))
        item = writer.claim(db, found.item_id)
        row = db.get(Commitment, commitment_id, populate_existing=True, with_for_update=True)
        assert row is not None
        if row.status != "open":
            assert row.closed_at is not None
            closed = format_date(row.closed_at.astimezone(rt.config.timezone))
            raise RefusedByRules(
                t("err.commitment_closed", number=row.id, by=row.closed_by, at=closed)
            )
        row.status, row.closed_at, row.closed_by, row.close_note = "done", now, rt.actor, note
        db.add(row)
        audit = t("note.commitment_closed", number=row.id, text=row.text, note=note)
        writer.write_item(db, item, {}, trigger=CLOSED, actor=rt.actor, now=now, note=audit)
        db.flush()
        db.refresh(row)
        db.expunge(row)
    return row
