"""The conditions of `routing list`'s and `routing todo`'s filters, asked of the database.

Each function returns a condition on the item table for `store.rows.item_rows`, so a filter
leaves rows out in SQL instead of in Python after reading them all:

- `text_matches`: a piece of text in the title or kenmerk, case- and accent-insensitive (both
  sides folded by `store.fold.fold`: on SQLite a function `store.db` registers on every
  connection, on PostgreSQL `translate(lower(...))` over the accented Latin letters). A scan
  of the items, as any search inside a text is: a few tens of milliseconds at 10,000 items.
- `owned_by`: the owner is one of the names, or one of the addresses (any case).
- `has_topic`: the item carries the topic (topics are `[a-z0-9-]`: the JSON text holds it quoted).
- `missed_deadline`: the item has a deadline of one of the kinds that was missed at `now`:
  escalated, or open and due (`ix_deadline_open_due` finds them). The rule of which kinds make
  an item late is routing's (`routing.engine.lateness`); this is only its question in SQL.
- `targets_between`: the item's target meeting starts in [start, end) (`ix_item_target_meeting_at`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, String, Table, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from store.fold import FOLD_FUNCTION, fold
from store.models import Item
from store.schedule_models import Deadline

__all__ = [
    "has_topic",
    "known_topics",
    "missed_deadline",
    "owned_by",
    "targets_between",
    "text_matches",
    "topic_exists",
]

_ITEM: Table = Item.__table__  # type: ignore[attr-defined]
_DEADLINE: Table = Deadline.__table__  # type: ignore[attr-defined]

# PostgreSQL's side of the fold: the accented Latin letters a Dutch text meets, both cases
_ACCENTED = "àáâãäåèéêëìíîïòóôõöùúûüýÿñçÀÁÂÃÄÅÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜÝŸÑÇ"
_PLAIN = "".join(fold(ch) or "" for ch in _ACCENTED)
assert len(_PLAIN) == len(_ACCENTED)


class _Folded(FunctionElement[str]):
    """`fold(column)` in SQL (see the module's docstring)."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(_Folded, "sqlite")
def _fold_sqlite(element: _Folded, compiler: Any, **kw: Any) -> str:
    return f"{FOLD_FUNCTION}({compiler.process(element.clauses, **kw)})"


@compiles(_Folded)
def _fold_other(element: _Folded, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"translate(lower({column}), '{_ACCENTED}', '{_PLAIN}')"


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_matches(text: str) -> ColumnElement[bool]:
    pattern = _like_pattern(fold(text) or "")
    c = _ITEM.c
    return or_(
        _Folded(c.title).like(pattern, escape="\\"),
        _Folded(c.kenmerk).like(pattern, escape="\\"),
    )


def owned_by(names: Collection[str], addresses: Collection[str]) -> ColumnElement[bool]:
    c = _ITEM.c
    return or_(
        c.owner.in_(list(names)),
        func.lower(c.owner).in_([address.lower() for address in addresses]),
    )


def has_topic(topic: str) -> ColumnElement[bool]:
    """`topic` is one of the item's (topics are `[a-z0-9-]`: quoted, it is one element)."""
    return cast(_ITEM.c.topics, String).like(_like_pattern(f'"{topic}"'), escape="\\")


def topic_exists(db: Session, topic: str) -> bool:
    """Whether any item, open or closed, carries `topic`."""
    return db.execute(select(_ITEM.c.id).where(has_topic(topic)).limit(1)).first() is not None


def known_topics(db: Session) -> set[str]:
    """Every topic of every item, open or closed (for the message naming an unknown topic: it
    reads the topics of all items)."""
    found: set[str] = set()
    for (topics,) in db.execute(select(_ITEM.c.topics)):
        found.update(topics or ())
    return found


def missed_deadline(kinds: Collection[str], now: dt.datetime) -> ColumnElement[bool]:
    d = _DEADLINE.c
    missed = or_(d.status == "escalated", (d.status == "open") & (d.due_at <= now))
    return _ITEM.c.id.in_(select(d.item_id).where(missed, d.kind.in_(list(kinds))))


def targets_between(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    c = _ITEM.c
    return (c.target_meeting_at >= start) & (c.target_meeting_at < end)
