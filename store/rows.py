"""Read-only queries that return plain rows, not ORM objects, for views over many items.

`routing list` and `routing status` read every open item and its open deadlines: building an ORM
object (identity map, attribute instrumentation) per row cost more than the query. These return
named tuples with the same attribute names as the models (`row.title`, `row.due_at`), the column
types applied (JSON lists, UTC datetimes), so a read model can use either; named tuples rather
than SQLAlchemy's `Row`, whose attribute access costs ten times a tuple's.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Result, Table, and_, false, or_, select
from sqlmodel import Session

from store.models import FlowVersion, Item
from store.schedule_models import Deadline

__all__ = ["flow_version_ids", "item_rows", "open_deadline_rows"]

_ITEM: Table = Item.__table__  # type: ignore[attr-defined]
_DEADLINE: Table = Deadline.__table__  # type: ignore[attr-defined]


def item_rows(
    db: Session,
    *,
    states: Collection[str] | None = None,
    flow: str | None = None,
    closed: Mapping[int, Collection[str]] | None = None,
    columns: Sequence[str] | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[Any]:
    """Items in id order, every column or only `columns`. `closed` maps each flow version id to
    the states that end it: those items are left out (an item of a version not in it is kept).
    `where`: more conditions, all to hold (`store.finding`'s filters)."""
    c = _ITEM.c
    query = (select(*(c[name] for name in columns)) if columns else select(_ITEM)).order_by(c.id)
    if states is not None:
        query = query.where(c.state.in_(list(states)))
    if flow is not None:
        query = query.where(c.flow_name == flow)
    for condition in where:
        query = query.where(condition)
    if closed is not None:
        query = query.where(
            or_(
                c.flow_version_id.not_in(list(closed)),
                *(
                    and_(c.flow_version_id == version, c.state.not_in(list(finals)))
                    if finals
                    else c.flow_version_id == version
                    for version, finals in closed.items()
                ),
                false(),
            )
        )
    return _tuples(db.execute(query), "ItemRow")


def open_deadline_rows(db: Session, statuses: Collection[str]) -> dict[int, list[Any]]:
    """The deadlines with one of `statuses`, by item, earliest first."""
    c = _DEADLINE.c
    query = (
        select(c.item_id, c.kind, c.body, c.meeting_at, c.due_at, c.status)
        .where(c.status.in_(list(statuses)))
        .order_by(c.due_at, c.id)
    )
    found: dict[int, list[Any]] = {}
    for row in _tuples(db.execute(query), "DeadlineRow"):
        found.setdefault(row.item_id, []).append(row)
    return found


def _tuples(result: Result[Any], name: str) -> list[Any]:
    """The result's rows as named tuples with the result's column names."""
    shape = namedtuple(name, list(result.keys()))  # type: ignore[misc]
    return [shape._make(row) for row in result.all()]  # fetchall, not a fetchone per row


def flow_version_ids(db: Session) -> list[int]:
    """Every stored flow version (a handful: one per flow file edit)."""
    table: Table = FlowVersion.__table__  # type: ignore[attr-defined]
    return list(db.execute(select(table.c.id).order_by(table.c.id)).scalars())
