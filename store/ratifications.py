"""Ratifications (bekrachtiging): which item asks which body to ratify a parent's decision.

One row per ratifying body per decision: the parent item, the step (audit event) that took the
decision, the body asked, its group (`[ratification.GROUP]` of routing.toml), the child item
that follows the answer in its own flow, and the date the answer is due. The natural key
(parent, body, event) makes the creation exactly once. What ratification means, and who is
asked, is routing's rule (`routing.engine.ratification`); this module only stores and reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from store.models import Item

__all__ = ["Ratification", "children", "of_event", "overdue", "parent_of"]


class Ratification(SQLModel, table=True):
    __tablename__ = "ratification"
    __table_args__ = (UniqueConstraint("parent_id", "body", "event_id", name="uq_ratification"),)

    id: int | None = Field(default=None, primary_key=True)
    parent_id: int = Field(foreign_key="item.id", index=True)
    child_id: int = Field(foreign_key="item.id", index=True)
    event_id: int  # the parent's step that took the decision
    grp: str  # the [ratification.GROUP] asked
    body: str  # the body's key within that group
    body_name: str
    due: dt.date


def children(db: Session, parent_id: int) -> list[tuple[Ratification, Item]]:
    """The ratifications asked for `parent_id`, with their child items, oldest first."""
    query = (
        select(Ratification, Item)
        .where(Ratification.parent_id == parent_id)
        .where(col(Item.id) == col(Ratification.child_id))
        .order_by(col(Ratification.id))
    )
    return [(row, item) for row, item in db.exec(query).all()]


def of_event(db: Session, event_id: int) -> Sequence[Ratification]:
    """The ratifications a step (audit event) asked for."""
    query = select(Ratification).where(Ratification.event_id == event_id)
    return db.exec(query.order_by(col(Ratification.id))).all()


def parent_of(db: Session, child_id: int) -> Ratification | None:
    return db.exec(select(Ratification).where(Ratification.child_id == child_id)).first()


def overdue(db: Session, today: dt.date, waiting: str) -> list[tuple[Ratification, Item]]:
    """The ratifications still `waiting` (the child's state) whose day has passed."""
    query = (
        select(Ratification, Item)
        .where(col(Item.id) == col(Ratification.child_id))
        .where(Item.state == waiting)
        .where(col(Ratification.due) < today)
        .order_by(col(Ratification.id))
    )
    return [(row, item) for row, item in db.exec(query).all()]
