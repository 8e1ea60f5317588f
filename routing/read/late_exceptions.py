"""Late-item exceptions on a meeting's agenda: who was let in after the papers deadline, and
which requests still wait for the chair.

A granted request puts a line on its item's point ("admitted by the chair, name, date"), on
every agenda; a request still undecided is listed on the secretariat's agenda only (the openbaar
one carries no process state); a refused or expired one is not on it: the item is on the next
meeting's agenda instead. A confidential item's title stays out of an openbaar agenda as
everywhere (`routing.engine.confidentiality`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from routing.engine import confidentiality
from routing.engine.confidentiality import Audience
from store import queries
from store.late_exceptions import ASKED, of_meeting

__all__ = ["admitted", "pending"]


def admitted(db: Session, body: str, meeting_at: dt.datetime) -> dict[int, dict[str, Any]]:
    """Item id -> who let it in and when, for the granted requests to join this meeting."""
    return {
        row.item_id: {
            "by": row.decided_by,
            "at": row.decided_at.isoformat() if row.decided_at else None,
            "note": row.note,
        }
        for row in of_meeting(db, body, meeting_at)
        if row.status == "granted"
    }


def pending(db: Session, body: str, meeting_at: dt.datetime) -> list[dict[str, Any]]:
    """The undecided requests to join this meeting (the secretariat's agenda only)."""
    found = []
    for row in of_meeting(db, body, meeting_at):
        if row.status != ASKED:
            continue
        item = queries.get_item(db, row.item_id)
        if item is None:
            continue
        hidden = confidentiality.redacted(item.openbaar, Audience.SECRETARIAT)
        found.append({
            "id": item.id, "kenmerk": item.kenmerk, "title": None if hidden else item.title,
            "asked_at": row.asked_at.isoformat(), "due": row.due.isoformat(),
        })  # fmt: skip
    return found
