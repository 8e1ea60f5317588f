"""Many rows in few statements: ids reserved ahead, then one executemany per table.

Rows that point at each other (an item, its deadlines, its audit event) get their ids before
they are written, so no row needs an update after its insert and every table takes one
executemany. Ids are reserved inside the caller's write transaction: on SQLite it holds the
database's write lock from its start, so the next ids are the largest one plus one onwards,
which SQLite would give them itself (no table uses AUTOINCREMENT); on PostgreSQL they come from
the column's own sequence, which concurrent writers share safely.

The insert is SQLAlchemy's own statement for the table, run by `store.driver`: compiled once,
each value through its column type's own bind processor (`UTCDateTime`, JSON, dates), as an ORM
flush would send it, without the per-row machinery around them. No business rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Insert, Table, func, select, text
from sqlmodel import Session

from store import driver

__all__ = ["insert_rows", "reserve_ids"]


def reserve_ids(db: Session, table: Table, count: int) -> list[int]:
    """`count` unused ids of `table`'s `id` column, ascending, for rows this transaction writes."""
    if count <= 0:
        return []
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        sequence = "nextval(pg_get_serial_sequence(:table, 'id'))"
        found = connection.execute(
            text(f"SELECT {sequence} FROM generate_series(1, :n)"),
            {"table": table.name, "n": count},
        )
        return sorted(int(value) for (value,) in found)
    largest = connection.execute(select(func.max(table.c.id))).scalar_one_or_none() or 0
    return list(range(largest + 1, largest + 1 + count))


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts of column values, every row the same keys) with one executemany,
    through the driver shortcut every transition's writes take (`store.driver`)."""
    statement = _INSERTS.setdefault(table.name, table.insert())  # built once: driver's cache key
    driver.execute(db, statement, rows)


_INSERTS: dict[str, Insert] = {}
