"""Engine and session set-up, and schema migrations.

SQLite (the embedded default) runs in WAL mode with a busy timeout and enforced foreign keys, so a
daemon and a secretary's command can work on one file at once, with synchronous=NORMAL (or FULL,
when routing.toml asks for it; `_sqlite_pragmas` says what each survives). Any other SQLAlchemy
URL (PostgreSQL through psycopg) is used as given. The schema is only ever created by Alembic
migrations, never by `create_all`, so a database made today upgrades cleanly tomorrow.

Sessions come in two kinds. A write session (`session(engine)`) takes SQLite's write lock at once
(`BEGIN IMMEDIATE`): writers queue on the busy timeout instead of failing with SQLITE_BUSY when a
read turns into a write halfway. A read session (`session(engine, write=False)`) begins a deferred
transaction (`BEGIN`): it reads one consistent snapshot of the WAL, takes no lock a writer waits
for, and is read-only (`PRAGMA query_only` on SQLite, a READ ONLY transaction on PostgreSQL), so a
read path that writes by mistake fails loudly instead of racing for the lock.

SQLite connections are pooled (`QueuePool`): one connection serves a process's consecutive
transactions, the pragmas are applied once per connection, and closing a transaction no longer
closes the file (each close checkpointed the WAL and synced). A connection is used by one thread
at a time (the pool hands it out exclusively); `Engine.dispose()` closes them all.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Executable, Row, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from store.fold import FOLD_FUNCTION, fold
from store.revisions import code_head, database_revision, known_revisions

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "SchemaNewerThanCode",
    "SchemaOutOfDate",
    "concurrency_conflict",
    "is_sqlite",
    "make_engine",
    "migrate",
    "read_one",
    "read_one_bare",
    "reader",
    "reads_before_locks",
    "require_current_schema",
    "schema_state",
    "session",
]

SQLITE_BUSY_TIMEOUT_MS = 10_000
# the durability settings a SQLite store may run with (PRAGMA synchronous); the first is the default
SYNCHRONOUS = ("normal", "full")
# after a write transaction on SQLite: a pause longer than a waiting writer's polling interval
WRITER_GAP_SECONDS = 0.003
# A CLI command uses one connection at a time, the daemon one per running job (its jobs are
# serialised); the overflow covers a session opened inside another and tests with threads.
SQLITE_POOL_SIZE = 4
SQLITE_POOL_OVERFLOW = 8
# the execution option that marks a connection's transactions as reads
READ_ONLY = "routing_read_only"
_READER = "_routing_reader"  # the attribute of an engine that keeps its reader (`reader`)


class SchemaOutOfDate(RuntimeError):
    """The database's schema is not the newest; `migrate` brings it up to date."""


class SchemaNewerThanCode(SchemaOutOfDate):
    """The database was migrated by a newer version of the code; this code cannot use it."""

    def __init__(self, revision: str) -> None:
        self.revision = revision
        super().__init__(f"schema is at {revision}, which this code does not know")


# PostgreSQL SQLSTATEs of a lost race: a unique key another transaction wrote first, and the
# waits the server gave up on (lock timeout, deadlock, serialisation failure)
_PG_UNIQUE = "23505"
_PG_BUSY = frozenset({"55P03", "40P01", "40001"})
_SQLITE_UNIQUE = frozenset({"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"})


def concurrency_conflict(error: BaseException) -> str | None:
    """What `error` says of a concurrent writer: "unique" for a unique key another writer took
    first, "busy" for a database that stayed locked by another writer past the busy timeout (or
    a wait PostgreSQL gave up), None for anything else. Every unique key is checked before it is
    written, so a violation means a concurrent writer got there between the check and the write."""
    if not isinstance(error, DBAPIError):
        return None
    orig = error.orig
    state = getattr(orig, "sqlstate", None)  # psycopg
    if isinstance(error, IntegrityError):
        name = getattr(orig, "sqlite_errorname", None)
        return "unique" if state == _PG_UNIQUE or name in _SQLITE_UNIQUE else None
    if isinstance(error, OperationalError):
        if state in _PG_BUSY:
            return "busy"
        name = getattr(orig, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_BUSY") or "database is locked" in str(orig):
            return "busy"
    return None


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, synchronous: str = "normal") -> Engine:
    """The engine for `url`; `synchronous` is SQLite's durability ("normal" or "full", see
    `_sqlite_pragmas`), ignored for PostgreSQL (its own `synchronous_commit` holds)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # QueuePool hands a connection to one thread at a time; check_same_thread=False (the
        # dialect's default for a file) lets the next checkout come from another thread.
        # LIFO: a single thread keeps getting the same, warm connection back.
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_OVERFLOW,
            pool_timeout=SQLITE_BUSY_TIMEOUT_MS / 1000,
            pool_use_lifo=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {SYNCHRONOUS}, not {synchronous!r}")
        event.listen(engine, "connect", functools.partial(_sqlite_pragmas, synchronous=synchronous))
        # pysqlite's own transaction handling defers BEGIN; take it over so that a transaction
        # really starts when SQLAlchemy begins one (the documented SQLAlchemy recipe), and
        # choose its kind: a write takes the lock at once, a read takes none.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a host that does not answer at all (a firewall dropping packets) would otherwise block a
    # command, or a daemon's tick, until the operating system's TCP timeout (minutes); the URL
    # may set its own `?connect_timeout=`
    connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, *, synchronous: str = "normal") -> None:
    """Once per new connection: the pool keeps it, and the pragmas stay in force with it.

    WAL with synchronous=NORMAL (the default) syncs the WAL only at checkpoints: a commit
    survives a crash of the process, but a power loss or an operating-system crash may take
    the last transactions with it. FULL syncs the WAL at every commit: nothing committed is
    lost, and every transaction waits for the disk."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
    cursor.close()
    # the search's fold (`store.finding`): PostgreSQL has it in SQL, SQLite gets it from Python
    dbapi_connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def _sqlite_begin(connection: Connection) -> None:
    """Every transaction's start on SQLite. The pragmas and the first `BEGIN` go to the driver
    directly: they are run once or twice per transaction, and SQLAlchemy's statement machinery
    costs ten times the statement itself; a failure is run again through SQLAlchemy, so it is
    raised as SQLAlchemy's error like every other."""
    read = bool(connection.get_execution_options().get(READ_ONLY, False))
    info = connection.connection.info  # lives as long as the DBAPI connection
    driver = connection.connection.driver_connection
    assert driver is not None
    if info.get(READ_ONLY, False) != read:  # set only when the kind changes
        driver.execute(f"PRAGMA query_only={int(read)}")
        info[READ_ONLY] = read
    if read:
        try:
            driver.execute("BEGIN")
        except sqlite3.Error:
            connection.exec_driver_sql("BEGIN")
    else:
        _take_write_lock(connection, driver)


def _take_write_lock(connection: Connection, driver: Any) -> None:
    """`BEGIN IMMEDIATE`, retried every few milliseconds for up to the busy timeout.

    SQLite's own busy handler backs off to 100 ms sleeps, so a writer waiting on a run of short
    transactions (the daemon's, one per effect) keeps waking inside the next one and can wait
    for seconds; polling often, it gets in at the first gap (`WRITER_GAP_SECONDS`)."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    driver.execute("PRAGMA busy_timeout=0")
    try:
        try:
            driver.execute("BEGIN IMMEDIATE")  # nearly always: the lock is free
            return
        except sqlite3.Error:
            pass  # busy, or worse: the loop below waits, or raises SQLAlchemy's error
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if concurrency_conflict(error) != "busy" or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.0005, 0.002))  # bounded by the deadline above
    finally:
        driver.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def reader(engine: Engine) -> Engine:
    """The engine whose transactions are reads: no write lock on SQLite, READ ONLY on PostgreSQL.

    It shares `engine`'s pool; the options travel with each checked-out connection and are reset
    when it is returned. Made once per engine (making one costs more than a short read)."""
    made: Engine | None = getattr(engine, _READER, None)
    if made is None:
        options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        made = engine.execution_options(**options)
        setattr(engine, _READER, made)
    return made


@contextmanager
def session(engine: Engine, *, write: bool = True, yield_lock: bool = False) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any exception.

    `write=False` is a read session: it never blocks a writer nor waits for one (on SQLite it
    reads the snapshot of its first statement), and any write in it fails. `yield_lock` is for a
    process that writes many short transactions in a row (the daemon): after each it leaves
    SQLite's write lock free for a moment, so a command waiting for it gets in."""
    bind = engine if write else reader(engine)
    try:
        with Session(bind, expire_on_commit=False) as db, db.begin():
            yield db
    finally:
        if write and yield_lock and bind.dialect.name == "sqlite":
            # leave the write lock free a moment: a writer waiting for it gets its turn before
            # this process (the daemon, one transaction per effect) takes it again
            time.sleep(WRITER_GAP_SECONDS)


def reads_before_locks(engine: Engine) -> bool:
    """Whether a write session's first statements read what is committed without waiting for
    any writer: on PostgreSQL a transaction locks rows only as its statements ask for them, and
    each statement sees what was committed when it began (READ COMMITTED); on SQLite a write
    session holds the write lock from its start (`BEGIN IMMEDIATE`)."""
    return engine.dialect.name == "postgresql"


def read_one(engine: Engine, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
    """The first row of one read, in a transaction of its own that sees what is committed now:
    on PostgreSQL the statement alone in autocommit (one round trip instead of BEGIN, the
    statement and COMMIT), on SQLite a read session (no lock, nothing to wait for)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return connection.execute(statement, params).first()
    with reader(engine).connect() as connection:
        return connection.execute(statement, params).first()


def read_one_bare(
    engine: Engine, statement: Executable, sql: str, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    """`read_one` for a read whose values need no conversion, with its SQLite text `sql` (named
    parameters, the same as the statement's): on
    SQLite the text runs on a pooled driver connection outside any transaction (it reads what
    is committed and waits for nobody, as a read session does), a quarter of the cost of
    SQLAlchemy's statement machinery around a read this short. Any driver error, and every
    other database, takes the `read_one` path, so a failure is raised as SQLAlchemy's."""
    if engine.dialect.name == "sqlite":
        connection = engine.raw_connection()
        try:
            driver = connection.driver_connection
            assert driver is not None
            if not driver.in_transaction:  # autocommit: the select is a transaction of its own
                found: tuple[Any, ...] | None = driver.execute(sql, params).fetchone()
                return found
        except sqlite3.Error:
            pass  # read again below, to be raised (or answered) as SQLAlchemy would
        finally:
            connection.close()
    row = read_one(engine, statement, params)
    return None if row is None else tuple(row)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - only to migrate; a read never needs it

    config = Config()
    location = resources.files("store") / "migrations"
    config.set_main_option("script_location", str(location))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Upgrade the schema to the newest revision; returns (revision before, revision after)."""
    before, head = schema_state(engine)
    if before is not None and before not in known_revisions():
        raise SchemaNewerThanCode(before)
    if before != head:
        from alembic import command  # noqa: PLC0415 - Alembic and Mako: only to migrate

        config = _alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    return before, head


def schema_state(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the newest revision the code knows), read without Alembic
    (`store.revisions`): every command checks it, and importing Alembic cost more than a read."""
    head = code_head()
    with reader(engine).connect() as connection:
        current = database_revision(connection)
    return current, head


def require_current_schema(engine: Engine) -> None:
    current, head = schema_state(engine)
    if current is not None and current not in known_revisions():
        raise SchemaNewerThanCode(current)
    if current != head:
        raise SchemaOutOfDate(f"schema is at {current or 'nothing'}, the code needs {head}")
