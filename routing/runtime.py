"""What every command works with: the config, the clock, the acting person, the database.

Built once per command from `--config`, `--now` and `--as`; the database engine and the flow
catalogue are opened on first use, so `routing check` never touches the database and a missing
schema is reported as "run 'routing init'" rather than as an SQL error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session

import store
from routing.clock import Clock, FixedClock, SystemClock, parse_moment
from routing.config.access import Identity, identify
from routing.config.file import Config, load_config
from routing.config.flows import FlowCatalog
from routing.config.secrets import mask
from routing.errors import BadInput, ConcurrentWrite, StoreBusy
from routing.i18n import t

__all__ = ["DatabaseNotReady", "DatabaseUnreachable", "Runtime", "database_unreachable"]


class DatabaseNotReady(BadInput):
    """The database answers, but its schema is missing or older than the code."""

    def __init__(self, url: str, detail: str) -> None:
        # the driver's text may quote the connection string: mask what the environment holds
        self.url, self.detail = url, mask(detail)
        super().__init__(t("err.db_not_ready", url=url, detail=self.detail))


class DatabaseUnreachable(BadInput):
    """The database server does not answer (down, wrong address, no network): nothing was
    changed, and running the command again once it is back is all it takes. Exit code 2, as
    for every problem of the installation that the user, not the software, must solve."""

    def __init__(self, url: str, detail: str) -> None:
        self.url, self.detail = url, mask(detail)
        super().__init__(t("err.db_unreachable", url=url, detail=self.detail))


# SQLite's answers that mean "busy", not "gone": a writer holds the lock a moment longer
_BUSY = ("database is locked", "database table is locked", "database is busy")


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (rather than a fault of ours)."""
    if isinstance(error, DatabaseUnreachable):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, OperationalError | InterfaceError):
        return not any(busy in str(error.orig) for busy in _BUSY)
    return False


def _detail(error: DBAPIError) -> str:
    """The driver's first line (psycopg adds a hint on a second): one line in a log or a
    terminal, never the SQL statement SQLAlchemy appends."""
    text = str(error.orig).strip()
    return text.splitlines()[0].strip() if text else type(error.orig).__name__


@dataclass
class Runtime:
    config: Config
    clock: Clock
    actor: str  # the name the audit trail records (routing.config.access)
    # the daemon writes one short transaction per effect; it lets a waiting command in between
    daemon: bool = False
    _identity: Identity | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    # the schema is checked on first use; the daemon asks again before every sweep
    _schema_checked: bool = field(default=False, repr=False)
    _catalog: FlowCatalog | None = field(default=None, repr=False)
    # what the engine keeps between this runtime's transactions, each entry with the stamp that
    # says when it is stale (the stored calendars: routing.engine.stored_calendars)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def open(
        cls,
        config_path: str | None = None,
        now: str | None = None,
        actor: str | None = None,
        *,
        daemon: bool = False,
    ) -> Runtime:
        """`actor` is `--as`; who may use it (or ROUTING_ACTOR) is routing.config.access's rule,
        and `daemon` says the daemon runs (as the service account)."""
        config = load_config(config_path)
        clock: Clock = FixedClock(parse_moment(now, config.timezone)) if now else SystemClock()
        identity = identify(config.access, config.people, actor, daemon=daemon)
        return cls(
            config=config, clock=clock, actor=identity.name, _identity=identity, daemon=daemon
        )

    @property
    def identity(self) -> Identity:
        """Who runs the command; a runtime built by hand acts as the login."""
        if self._identity is None:
            self._identity = identify(self.config.access, self.config.people)
        return self._identity

    @property
    def catalog(self) -> FlowCatalog:
        if self._catalog is None:
            self._catalog = FlowCatalog(self.config)
        return self._catalog

    def raw_engine(self) -> Engine:
        """The database engine without a schema check (for `init`)."""
        if self._engine is None:
            self._engine = store.make_engine(
                self.config.database_url, synchronous=self.config.database_synchronous
            )
        return self._engine

    @property
    def engine(self) -> Engine:
        engine = self.raw_engine()
        if self._schema_checked:
            return engine
        try:
            store.require_current_schema(engine)
        except store.SchemaNewerThanCode as exc:
            raise BadInput(t("err.db_newer", url=self.display_url, revision=exc.revision)) from None
        except store.SchemaOutOfDate as exc:
            raise DatabaseNotReady(self.display_url, str(exc)) from None
        except OperationalError as exc:
            if store.concurrency_conflict(exc) == "busy":
                raise StoreBusy() from None
            raise DatabaseUnreachable(self.display_url, _detail(exc)) from None
        self._schema_checked = True
        return engine

    def recheck_schema(self) -> None:
        """Check the schema again at the next use (a newer version may have migrated it)."""
        self._schema_checked = False

    def migrate(self) -> tuple[str | None, str]:
        """Create or upgrade the schema; a database from a newer `routing` is refused."""
        try:
            return store.migrate(self.raw_engine())
        except store.SchemaNewerThanCode as exc:
            raise BadInput(t("err.db_newer", url=self.display_url, revision=exc.revision)) from None
        except OperationalError as exc:
            if not database_unreachable(exc):
                raise
            raise DatabaseUnreachable(self.display_url, _detail(exc)) from None

    @property
    def display_url(self) -> str:
        return self.raw_engine().url.render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, read: bool = False) -> Iterator[Session]:
        """A write session (SQLite's write lock from the start), or with `read=True` a read
        session that neither waits for a writer nor blocks one, and refuses to write. A read
        path that needs the calendars uses `routing.engine.meeting_sync.reading` instead."""
        with (
            self.conflicts(),
            store.session(self.engine, write=not read, yield_lock=self.daemon) as db,
        ):
            yield db

    @contextmanager
    def conflicts(self) -> Iterator[None]:
        """Database work whose lost race is the rules refusing (with nothing written), never a
        fault: a unique key taken by a concurrent writer, a lock held past the busy timeout."""
        try:
            yield
        except DBAPIError as error:
            conflict = store.concurrency_conflict(error)
            if conflict == "unique":
                raise ConcurrentWrite() from None
            if conflict == "busy":
                raise StoreBusy() from None
            raise

    def unreachable(self, error: BaseException) -> DatabaseUnreachable | None:
        """`error` as the one-line "database not reachable" when that is what it says: the
        database may go away in the middle of a command, after the check at its start."""
        if isinstance(error, DatabaseUnreachable):
            return error
        if not isinstance(error, OperationalError | InterfaceError):
            return None
        if not database_unreachable(error):
            return None
        return DatabaseUnreachable(self.display_url, _detail(error))

    def close(self) -> None:
        """Close the database's pooled connections (the engine opens new ones if used again)."""
        if self._engine is not None:
            self._engine.dispose()
