"""Commitments (toezeggingen) as plain data: the register (`routing toezeggingen`) and the ones
made at a meeting (the besluitenlijst).

A commitment is overdue when it is open and its date has passed (the region's today). On an
openbaar besluitenlijst a commitment on a confidential item is left out, as the item's point
keeps only its number there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from routing.config.people import resolve_owner
from routing.engine import confidentiality
from routing.engine.confidentiality import Audience
from routing.runtime import Runtime
from store import Item, queries
from store.commitments import Commitment, commitments, made_at_meeting

__all__ = ["at_meeting", "commitment_dict", "register"]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def commitment_dict(row: Commitment, item: Item | None, today: dt.date) -> dict[str, Any]:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "item_title": item.title if item is not None else None,
        "text": row.text,
        "owner": row.owner,
        "due": row.due.isoformat(),
        "body": row.body,
        "meeting_at": _iso(row.meeting_at),
        "made_at": _iso(row.made_at),
        "made_by": row.actor,
        "status": row.status,
        "overdue": row.status == "open" and row.due < today,
        "closed_at": _iso(row.closed_at),
        "closed_by": row.closed_by,
        "close_note": row.close_note,
    }


def register(
    rt: Runtime, *, open_only: bool = False, owner: str | None = None
) -> list[dict[str, Any]]:
    """The commitments by due date: all, only the open ones, or one person's (a name from
    [people] or an address, as `--owner` takes it)."""
    who = resolve_owner(rt.config, owner) if owner is not None else None
    today = rt.clock.now().astimezone(rt.config.timezone).date()
    with rt.session(read=True) as db:
        rows = commitments(db, open_only=open_only, owner=who)
        items = _items(db, rows)
        return [commitment_dict(row, items.get(row.item_id), today) for row in rows]


def at_meeting(
    rt: Runtime, db: Session, body: str, meeting_at: dt.datetime, *, openbaar: bool
) -> list[dict[str, Any]]:
    """The commitments made at one meeting, for its besluitenlijst."""
    rows = made_at_meeting(db, body, meeting_at)
    items = _items(db, rows)
    today = rt.clock.now().astimezone(rt.config.timezone).date()
    audience = Audience.OPENBAAR if openbaar else Audience.SECRETARIAT
    found = []
    for row in rows:
        item = items.get(row.item_id)
        if item is None or (openbaar and confidentiality.redacted(item.openbaar, audience)):
            continue
        found.append(commitment_dict(row, item, today))
    return found


def _items(db: Session, rows: Sequence[Commitment]) -> dict[int, Item]:
    found = queries.list_items(db, ids={row.item_id for row in rows})
    return {item.id: item for item in found if item.id is not None}
