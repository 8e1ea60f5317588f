"""What happened to items in a period, aggregated by the database: one row per item.

For reports over a period (the periodic digest): the database reads the period's audit events
through `ix_audit_event_at` and hands back, per item that had any, where it stood at the end
of the period and a few facts about the period, so a caller never holds the events themselves.
No rules: which trigger registers an item and which are bookkeeping are the caller's to say.
`period_sql` is the statement as it runs, for measuring it bare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from store.models import AuditEvent
from store.types import UTCDateTime

__all__ = ["PeriodRow", "period_params", "period_rows", "period_sql", "states_reached"]


@dataclass(frozen=True)
class PeriodRow:
    item_id: int
    flow_version_id: int
    end_state: str  # the state after the item's last event in the period
    registered_at: dt.datetime | None  # its registration, when that fell in the period
    arrived: bool  # an event in the period brought it into end_state
    decisions: int  # events in the period other than the caller's bookkeeping triggers
    origin: str | None
    sender: str | None
    openbaar: bool


def period_sql(quiet: int) -> str:
    """The statement: events in [:start, :end), each with its item's last state of the period
    (by time, then id), folded to one row per item, in item order; `quiet` bookkeeping
    triggers (:q0, :q1, ...) are not counted as decisions."""
    names = ", ".join(f":q{n}" for n in range(quiet)) or "NULL"
    return f"""
SELECT e.item_id, i.flow_version_id, e.end_state,
       MIN(CASE WHEN e."trigger" = :created THEN e.at END) AS registered_at,
       MAX(CASE WHEN e.to_state = e.end_state
                 AND (e.from_state IS NULL OR e.from_state <> e.end_state) THEN 1 ELSE 0 END),
       SUM(CASE WHEN e."trigger" IN ({names}) THEN 0 ELSE 1 END),
       i.origin, i.sender, i.openbaar
FROM (SELECT item_id, at, "trigger", from_state, to_state,
             FIRST_VALUE(to_state) OVER (
                 PARTITION BY item_id ORDER BY at DESC, id DESC) AS end_state
      FROM audit_event WHERE at >= :start AND at < :end) AS e
JOIN item AS i ON i.id = e.item_id
GROUP BY e.item_id, e.end_state, i.flow_version_id, i.origin, i.sender, i.openbaar
ORDER BY e.item_id
"""


def period_params(
    start: dt.datetime, end: dt.datetime, created: str, quiet: Collection[str]
) -> dict[str, Any]:
    return {"start": start, "end": end, "created": created,
            **{f"q{n}": name for n, name in enumerate(quiet)}}  # fmt: skip


def period_rows(
    db: Session, start: dt.datetime, end: dt.datetime, created: str, quiet: Collection[str]
) -> Iterator[PeriodRow]:
    """One row per item with an event in [start, end), streamed from the cursor."""
    statement = (
        text(period_sql(len(quiet)))
        .bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))
        .columns(registered_at=UTCDateTime())
    )
    result = db.connection().execute(statement, period_params(start, end, created, quiet))
    for row in result:
        yield PeriodRow(
            item_id=row[0], flow_version_id=row[1], end_state=row[2], registered_at=row[3],
            arrived=bool(row[4]), decisions=int(row[5] or 0), origin=row[6], sender=row[7],
            openbaar=bool(row[8]),
        )  # fmt: skip


def states_reached(db: Session, item_id: int) -> list[str]:
    """The states an item has been in, from its audit trail (names only, each once)."""
    return list(
        db.exec(select(AuditEvent.to_state).where(AuditEvent.item_id == item_id).distinct()).all()
    )
