"""Sessions that fit SQLite: pooled connections, read sessions that take no write lock.

Real SQLite files (and PostgreSQL where the `rt` fixture runs the contract suite). Every wait is
bounded by an Event, a Barrier or a join with a timeout; nothing sleeps to wait for something.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

import store
from routing.engine import items as engine_items
from routing.engine import meeting_sync
from routing.read.board import board
from routing.read.items import item_detail, list_items
from routing.runtime import Runtime
from store.schedule_models import Setting
from tests.conftest import Cli

WAIT = 10.0  # seconds; far longer than anything here takes, far shorter than a hung test


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "sessions.db"


@pytest.fixture
def engine(db_file: Path) -> Iterator[Engine]:
    made = store.make_engine(f"sqlite:///{db_file}")
    store.migrate(made)
    yield made
    made.dispose()


def _put(db: Session, name: str, value: str) -> None:
    row = db.get(Setting, name) or Setting(name=name, value=value)
    row.value = value
    db.add(row)


def _get(db: Session, name: str) -> str | None:
    row = db.get(Setting, name)
    return row.value if row is not None else None


def _dbapi(db: Session) -> Any:
    return db.connection().connection.dbapi_connection


class Worker(threading.Thread):
    """A thread that keeps the exception it died of, so the test can fail with it."""

    def __init__(self, target: Any) -> None:
        super().__init__(daemon=True)
        self._work = target
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._work()
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        self.join(timeout=WAIT)
        assert not self.is_alive(), "worker did not finish in time"
        if self.error is not None:
            raise self.error


# --- locks: a read takes none, a write takes SQLite's write lock at once ----------------------


def test_a_held_read_session_does_not_block_a_writer(rt: Runtime, backend: str) -> None:
    with rt.session() as db:
        _put(db, "probe", "before")
    reading, written, release = threading.Event(), threading.Event(), threading.Event()
    seen: list[str | None] = []

    def reader() -> None:
        with rt.session(read=True) as db:
            seen.append(_get(db, "probe"))
            reading.set()
            assert release.wait(WAIT)
            db.expire_all()
            seen.append(_get(db, "probe"))

    def writer() -> None:
        with rt.session() as db:
            _put(db, "probe", "after")
        written.set()

    read_thread = Worker(reader)
    read_thread.start()
    assert reading.wait(WAIT)
    write_thread = Worker(writer)
    write_thread.start()
    committed = written.wait(WAIT)  # the busy timeout is 10 s: a blocked writer would miss it
    release.set()
    read_thread.finish()
    write_thread.finish()
    assert committed, "the writer waited for the read session"
    if backend == "sqlite":  # a read session reads one snapshot of the WAL
        assert seen == ["before", "before"]
    with rt.session(read=True) as db:
        assert _get(db, "probe") == "after"


def test_two_read_sessions_run_at_once_on_their_own_connections(engine: Engine) -> None:
    both_inside = threading.Barrier(2, timeout=WAIT)
    connections: list[int] = []

    def reader() -> None:
        with store.session(engine, write=False) as db:
            _get(db, "installed_at")
            connections.append(id(_dbapi(db)))
            both_inside.wait()  # broken (and raising) if one waits for the other's lock

    threads = [Worker(reader), Worker(reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.finish()
    assert len(set(connections)) == 2, "two threads at once never share a connection"


def _probe_write_lock(db_file: Path) -> bool:
    """Whether a writer outside the pool gets the write lock now (it does not wait)."""
    probe = sqlite3.connect(db_file, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        probe.close()


def test_a_write_session_holds_the_write_lock_from_its_start(engine: Engine, db_file: Path) -> None:
    with store.session(engine) as db:
        db.connection()  # the transaction begins at first use: nothing read or written yet
        assert not _probe_write_lock(db_file)
    with store.session(engine, write=False) as db:
        _get(db, "installed_at")
        assert _probe_write_lock(db_file)
    assert _probe_write_lock(db_file)


def test_write_sessions_still_take_turns(engine: Engine) -> None:
    holding, second_started, release = threading.Event(), threading.Event(), threading.Event()
    first_done = threading.Event()  # set inside the first session, before its commit

    def first() -> None:
        with store.session(engine) as db:
            _put(db, "counter", "1")
            holding.set()
            assert release.wait(WAIT)
            first_done.set()

    def second() -> None:
        second_started.set()
        with store.session(engine) as db:
            db.connection()  # BEGIN IMMEDIATE: waits until the first session committed
            assert first_done.is_set()
            assert _get(db, "counter") == "1"
            _put(db, "counter", "2")

    one = Worker(first)
    one.start()
    assert holding.wait(WAIT)
    two = Worker(second)
    two.start()
    assert second_started.wait(WAIT)
    release.set()
    one.finish()
    two.finish()
    with store.session(engine, write=False) as db:
        assert _get(db, "counter") == "2"


def test_a_read_session_refuses_to_write(rt: Runtime) -> None:
    with pytest.raises(DBAPIError), rt.session(read=True) as db:
        _put(db, "sneaky", "write")
    with rt.session(read=True) as db:
        assert _get(db, "sneaky") is None
    with rt.session() as db:  # the same pooled connection writes again in a write session
        _put(db, "honest", "write")
    with rt.session(read=True) as db:
        assert _get(db, "honest") == "write"


# --- the pool: one connection per thread's consecutive transactions, pragmas kept ------------


def test_consecutive_transactions_reuse_one_connection(db_file: Path) -> None:
    made = store.make_engine(f"sqlite:///{db_file}")
    opened: list[object] = []
    event.listen(made, "connect", lambda dbapi, _record: opened.append(dbapi))
    try:
        store.migrate(made)
        seen = set()
        for n in range(5):
            with store.session(made) as db:
                _put(db, "n", str(n))
                seen.add(id(_dbapi(db)))
            with store.session(made, write=False) as db:
                assert _get(db, "n") == str(n)
                seen.add(id(_dbapi(db)))
        assert len(opened) == 1
        assert seen == {id(opened[0])}
    finally:
        made.dispose()


def test_the_pragmas_are_in_force_on_pooled_connections(engine: Engine) -> None:
    def pragmas(db: Session) -> dict[str, object]:
        names = ("journal_mode", "busy_timeout", "foreign_keys", "synchronous", "query_only")
        return {name: db.exec(text(f"PRAGMA {name}")).one()[0] for name in names}  # type: ignore[call-overload]

    expected = {
        "journal_mode": "wal",
        "busy_timeout": store.db.SQLITE_BUSY_TIMEOUT_MS,
        "foreign_keys": 1,
        "synchronous": 1,  # NORMAL
    }
    for _ in range(3):  # read after write after read on one connection: each kind is reset
        with store.session(engine, write=False) as db:
            assert pragmas(db) == {**expected, "query_only": 1}
        with store.session(engine) as db:
            assert pragmas(db) == {**expected, "query_only": 0}


def test_closing_the_runtime_closes_every_connection(rt: Runtime, backend: str) -> None:
    used: set[int] = set()
    closed: set[int] = set()
    event.listen(rt.raw_engine(), "checkout", lambda dbapi, _r, _p: used.add(id(dbapi)))
    event.listen(rt.raw_engine(), "close", lambda dbapi, _r: closed.add(id(dbapi)))
    both_inside = threading.Barrier(2, timeout=WAIT)

    def reader() -> None:
        with rt.session(read=True) as db:
            _get(db, "installed_at")
            both_inside.wait()

    threads = [Worker(reader), Worker(reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.finish()
    with rt.session() as db:
        _put(db, "last", "write")
    assert len(used) == 2  # the two readers at once
    rt.close()
    assert used <= closed
    if backend == "sqlite":  # the last connection closed checkpoints and removes the WAL
        database = Path(rt.raw_engine().url.database or "")
        assert database.exists()
        assert not Path(f"{database}-wal").exists()


def test_a_command_leaves_no_connection_open(cli: Cli, config_path: Path) -> None:
    cli("new", "Regionaal Werkcentrum", "--flow", "initiatief")
    cli("list")
    database = config_path.parent / "routing.db"
    assert database.exists()
    assert not Path(f"{database}-wal").exists()


# --- read paths: the calendars synced first, in a write session of their own ----------------


def _count_write_sessions(rt: Runtime) -> list[bool]:
    begun: list[bool] = []

    def on_begin(connection: Any) -> None:
        begun.append(not connection.get_execution_options().get(store.db.READ_ONLY, False))

    event.listen(rt.raw_engine(), "begin", on_begin)
    return begun


def test_reading_syncs_in_a_write_session_only_when_due(rt: Runtime) -> None:
    begun = _count_write_sessions(rt)
    with meeting_sync.reading(rt) as (db, calendars):  # a new store: never synced
        assert not meeting_sync.needs_sync(rt, db)
        assert calendars.for_body("pfho-wp") is not None
    assert begun.count(True) == 1  # the sync
    begun.clear()
    with meeting_sync.reading(rt) as (_db, calendars):
        assert calendars.meetings_between(rt.clock.now(), rt.clock.now() + dt.timedelta(days=30))
    assert begun == [False]  # one read session, nothing written


def test_read_models_take_no_write_lock(rt: Runtime) -> None:
    item = engine_items.create_item(
        rt, engine_items.ItemSpec(title="Werkcentrum", flow="agendapunt-stuurgroep")
    )
    assert item.id is not None
    begun = _count_write_sessions(rt)
    assert [row["id"] for row in list_items(rt)] == [item.id]
    assert item_detail(rt, item.id)["title"] == "Werkcentrum"
    shaped = board(rt)
    assert shaped["outbox"]["pending"] >= 0
    assert begun and not any(begun), "a read model opened a write session"
