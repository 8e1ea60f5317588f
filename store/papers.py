"""The papers of an item: links, and files copied into the papers folder, with their checksum.

A row says what was recorded: a link (`url`) or a file (`file`, its path relative to the papers
folder, with `sha256` and `size` of the copy). Where the folder is, how a copy is named and
written, and who may see a paper are routing's rules (`routing.engine.papers`); this module only
stores and reads the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, Session, SQLModel, col, select

from store.types import UTCDateTime

__all__ = ["Paper", "get_paper", "papers_of"]


def _moment() -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


class Paper(SQLModel, table=True):
    __tablename__ = "paper"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    title: str
    url: str | None = None
    file: str | None = None  # relative to the papers folder, "/" between the parts
    sha256: str | None = None
    size: int | None = Field(default=None, sa_column=Column(BigInteger(), nullable=True))
    added_at: dt.datetime = _moment()
    actor: str


def papers_of(db: Session, item_ids: Sequence[int]) -> list[Paper]:
    """The papers of these items, oldest first."""
    if not item_ids:
        return []
    query = select(Paper).where(col(Paper.item_id).in_(list(item_ids))).order_by(col(Paper.id))
    return list(db.exec(query).all())


def get_paper(db: Session, paper_id: int) -> Paper | None:
    return db.get(Paper, paper_id)
