"""Engine and session set-up, and schema migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout and enforced foreign keys, so a
daemon and a secretary's command can work on one file at once. Any other SQLAlchemy URL
(PostgreSQL through psycopg) is used as given. The schema is only ever created by Alembic
migrations, never by `create_all`, so a database made today upgrades cleanly tomorrow.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

__all__ = [
    "SchemaOutOfDate",
    "is_sqlite",
    "make_engine",
    "migrate",
    "require_current_schema",
    "schema_state",
    "session",
]

SQLITE_BUSY_TIMEOUT_MS = 10_000


class SchemaOutOfDate(RuntimeError):
    """The database's schema is not the newest; `migrate` brings it up to date."""


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # NullPool: a CLI command opens one connection; a daemon thread gets its own. Pooled
        # SQLite connections shared across threads are a source of "database is locked".
        engine = create_engine(
            url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take it over so that a transaction
        # really starts when SQLAlchemy begins one (the documented SQLAlchemy recipe).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as db, db.begin():
        yield db


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    location = resources.files("store") / "migrations"
    config.set_main_option("script_location", str(location))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the schema to the newest revision; returns (revision before, revision after)."""
    config = _alembic_config(engine)
    before, head = schema_state(engine)
    if before != head:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return before, head


@functools.cache
def code_head() -> str:
    """The newest revision the code knows; reading it compiles every migration, so once."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("store") / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None, "store/migrations has no revisions"
    return head


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the newest revision the code knows)."""
    head = code_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def require_current_schema(engine: Engine) -> None:
    current, head = schema_state(engine)
    if current != head:
        raise SchemaOutOfDate(f"schema is at {current or 'nothing'}, the code needs {head}")
