"""The few statements of every transition, run on the database driver directly.

A Core statement costs about ten times as much to send through SQLAlchemy's execution
machinery (an execution context, parameter processing, a result object) as SQLite takes to run
it; a move runs about ten of them. `execute` compiles a built statement once per set of
parameter names, keeps the SQL text, its parameters and their bind processors (`UTCDateTime`
and the like, so every value is stored exactly as SQLAlchemy would store it), and runs it on
the session connection's driver connection (`sqlite3`, psycopg), inside the same transaction.
A driver error is raised as SQLAlchemy's error of the same kind, so the conflict handling
(`store.db.concurrency_conflict`) sees what it always saw.

It falls back to SQLAlchemy's own execution, so nothing changes but the cost, whenever the
shortcut would not do the same: when a statement has column defaults computed in Python or a
parameter rendered per execution (an expanding IN), and when the engine has statement
listeners (a test that captures the statements a sweep sends sees every one). A row read so is
the driver's tuple, without result processing: only for columns whose values need none
(integers, text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

__all__ = ["all_rows", "execute", "first"]

# (statement, database, parameter names) -> (SQL text, names in order, their bind processors,
# the values of the parameters written into the statement, positional or named); None: not one
# to run bare. Keyed by the statement object: pass only statements built once (module level, or
# cached), never one built per call.
_Compiled = tuple[
    str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...], dict[str, Any], bool
]
_CACHE: dict[tuple[int, str, tuple[str, ...]], tuple[Executable, _Compiled | None]] = {}


def _compiled(connection: Connection, statement: Executable, names: tuple[str, ...]) -> Any:
    key = (id(statement), connection.dialect.name, names)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is statement:
        return cached[1]
    built: Any = statement  # a Core statement: ClauseElement, which Executable does not say
    compiled: Any = built.compile(dialect=connection.dialect, column_keys=list(names))
    made: _Compiled | None = None
    prefetch = getattr(compiled, "insert_prefetch", ()) or getattr(compiled, "update_prefetch", ())
    plain = "POSTCOMPILE" not in compiled.string  # an expanding IN is rendered per execution
    positional = compiled.positional  # SQLite: qmark; psycopg: named, %(name)s
    order = (
        compiled.positiontup if positional else tuple(dict.fromkeys(compiled.bind_names.values()))
    )
    if plain and not prefetch and order is not None:
        # a value written into the statement (`id = 1`, `status = 'superseded'`) is a bound
        # parameter the caller does not give: its value is fixed, kept with the statement
        fixed = {}
        for name in set(order) - set(names):
            bound = compiled.binds[name]
            if bound.required or bound.callable is not None:
                break
            fixed[name] = bound.value
        else:
            processors = compiled._bind_processors  # the ones SQLAlchemy applies
            made = (compiled.string, tuple(order), tuple(processors.get(name) for name in order),
                    fixed, positional)  # fmt: skip
    _CACHE[key] = (statement, made)  # the statement is kept, so its id is never reused
    return made


def _bare(db: Session, statement: Executable, names: tuple[str, ...]) -> Any:
    """(the driver connection, the compiled statement), or None: run it through SQLAlchemy."""
    connection = db.connection()
    if connection.dispatch.before_cursor_execute:
        return None
    made = _compiled(connection, statement, names)
    if made is None:
        return None
    return connection.connection.driver_connection, made, connection.dialect


def _values(made: _Compiled, params: dict[str, Any]) -> Any:
    """The parameters as the driver takes them: a tuple (SQLite) or a dict (psycopg)."""
    _sql, order, processors, fixed, positional = made
    if fixed:
        params = {**fixed, **params}
    values = (
        params[name] if process is None else process(params[name])
        for name, process in zip(order, processors, strict=True)
    )
    return tuple(values) if positional else dict(zip(order, values, strict=True))


def _run(found: Any, values: list[Any]) -> Any:
    """The driver's cursor after running the statement with `values` (more than one: an
    executemany); a driver error raised as SQLAlchemy's."""
    driver, made, dialect = found
    error_type = dialect.loaded_dbapi.Error
    try:
        if len(values) == 1:
            return driver.execute(made[0], values[0])
        cursor = driver.cursor()
        cursor.executemany(made[0], values)
        return cursor
    except error_type as error:
        raise DBAPIError.instance(made[0], values, error, error_type, dialect=dialect) from error


def execute(
    db: Session, statement: Executable, params: dict[str, Any] | Sequence[dict[str, Any]]
) -> int:
    """Run `statement` (a write) with `params` (a list: executemany) in the session's
    transaction; returns the number of rows it wrote. The session's pending rows are the
    caller's to flush first."""
    rows = [params] if isinstance(params, dict) else list(params)
    if not rows:
        return 0
    found = _bare(db, statement, tuple(sorted(rows[0])))
    if found is None:
        result: Any = db.connection().execute(statement, params)
        return int(result.rowcount)
    made = found[1] if len(rows) == 1 else _remembering(found[1])
    return int(_run(found, [_values(made, row) for row in rows]).rowcount)


def _remembering(made: _Compiled) -> _Compiled:
    """`made` with bind processors that convert a value repeated across the rows of one
    executemany once (an import's moment, a plan's meeting: most rows share them)."""
    sql, order, processors, fixed, positional = made
    return sql, order, tuple(_remember(p) for p in processors), fixed, positional


def _remember(process: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
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


def first(db: Session, statement: Executable, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row of `statement` (a read of integers and text) in the session's
    transaction, as a plain tuple."""
    found = _bare(db, statement, tuple(sorted(params)))
    if found is None:
        row = db.connection().execute(statement, params).first()
        return None if row is None else tuple(row)
    row = _run(found, [_values(found[1], params)]).fetchone()
    return None if row is None else tuple(row)


def all_rows(db: Session, statement: Executable, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every row of `statement` (a read of integers and text) in the session's transaction, as
    plain tuples."""
    found = _bare(db, statement, tuple(sorted(params)))
    if found is None:
        return [tuple(row) for row in db.connection().execute(statement, params)]
    return [tuple(row) for row in _run(found, [_values(found[1], params)]).fetchall()]
