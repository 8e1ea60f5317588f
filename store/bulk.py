"""Many rows in few statements: ids reserved ahead, then one executemany per table.

Rows that point at each other (an item, its deadlines, its audit event) get their ids before
they are written, so no row needs an update after its insert and every table takes one
executemany. Ids are reserved inside the caller's write transaction: on SQLite it holds the
database's write lock from its start, so the next ids are the largest one plus one onwards,
which SQLite would give them itself (no table uses AUTOINCREMENT); on PostgreSQL they come from
the column's own sequence, which concurrent writers share safely.

The insert is SQLAlchemy's own statement for the table, compiled once, and each value goes
through its column type's own bind processor (`UTCDateTime`, JSON, dates), as an ORM flush
would send it; only the per-row machinery around them is left out, and a value that repeats
(the moment of an import, a plan's meeting) is converted once. No business rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine
from sqlmodel import Session

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
    """Insert `rows` (dicts of column values, every row the same keys) with one executemany."""
    if not rows:
        return
    connection = db.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    keys = list(compiled.positiontup or []) if dialect.positional else names
    pick = itemgetter(*keys)
    converted = [
        (index, convert)
        for index, convert in enumerate(_converter(table.c[key].type, dialect) for key in keys)
        if convert is not None
    ]
    params: list[Any] = []
    for row in rows:
        values = list(pick(row)) if len(keys) > 1 else [pick(row)]
        for index, convert in converted:
            values[index] = convert(values[index])
        params.append(tuple(values) if dialect.positional else dict(zip(keys, values, strict=True)))
    connection.exec_driver_sql(compiled.string, params)


def _converter(kind: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind processor, remembering what it made of each value it saw."""
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    made: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        key = ("list", *value) if isinstance(value, list) else value
        try:
            return made[key]
        except KeyError:
            made[key] = converted = process(value)
            return converted
        except TypeError:  # unhashable: converted every time
            return process(value)

    return convert
