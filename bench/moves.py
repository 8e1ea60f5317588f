"""Durable transitions (issue 11, point 2): `routing move`'s engine call against the database's
own limit, with the same durability settings.

A move is one transaction: the item's new state, its audit event (hash-chained), the superseded
and the new deadlines, and (when the step informs E&I) a message in the outbox. Figures, each
measured in the same run, interleaved over the repetitions (the order alternates):

- project: `routing.engine.items.move` on fresh items ("agenderen": a new state at a body,
  planned on its next meeting, three deadlines), moves per second, one transaction each;
- floor (a): the bare driver writing one row per transaction (`sqlite3` / psycopg), the same
  pragmas (WAL, the same `synchronous`), rows per second;
- floor (b): the SQL statements a move runs, written bare with the driver on the same schema
  and data, moves per second.

SQLite is measured with synchronous=NORMAL (the default: a commit is not synced, a crash of the
process loses nothing but a power loss may) and FULL (every commit synced); and, when the server
binaries are installed (unless `--no-postgres`), PostgreSQL on a throwaway server of its own with
fsync and synchronous_commit on (the test suite's servers run with fsync off). The issue's
target: at least half the rate of floor (a), printed as the ratio floor/project ≤ 2.

Usage: .venv/bin/python bench/moves.py [--tiny] [--items N] [--repetitions N] [--no-postgres]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from bench.common import ROOT, Table, interleaved, options
from tests.postgres import Server, create_database

import store
from routing.effects.sweep import record_installation
from routing.engine import items as engine
from routing.runtime import Runtime

NOW = "2024-02-05T09:00"
TRIGGER = "agenderen"  # initiatief: ontvangen -> regieteam, planned on the next meeting


# --- the project's figure --------------------------------------------------------------------


class Store:
    """A store made by `routing` itself (starter routing.toml, migrated, installed), and the
    runtime a command would have; fresh items for every timed batch."""

    def __init__(self, folder: Path, *, synchronous: str = "normal", url: str = "") -> None:
        folder.mkdir(parents=True)
        text = (ROOT / "routing" / "starter.toml").read_text(encoding="utf-8")
        text = text.replace('url = ""', f'url = "{url}"\nsynchronous = "{synchronous}"', 1)
        (folder / "routing.toml").write_text(text, encoding="utf-8")
        self.rt = Runtime.open(str(folder / "routing.toml"), now=NOW, actor="bench")
        store.migrate(self.rt.raw_engine())
        record_installation(self.rt)

    def fresh_items(self, count: int) -> list[int]:
        ids = []
        for n in range(count):
            spec = engine.ItemSpec(title=f"Bench {n}", flow="initiatief")
            item = engine.create_item(self.rt, spec)
            assert item.id is not None
            ids.append(item.id)
        return ids

    def moves_per_second(self, count: int) -> float:
        ids = self.fresh_items(count)  # not timed
        start = time.perf_counter()
        for item_id in ids:
            engine.move(self.rt, item_id, TRIGGER)
        return count / (time.perf_counter() - start)


# --- floor (a): one row per transaction ----------------------------------------------------


def sqlite_rows_per_second(path: Path, synchronous: str, count: int) -> float:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous.upper()}")
        connection.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
        start = time.perf_counter()
        for n in range(count):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO t (v) VALUES (?)", (f"row {n}",))
            connection.execute("COMMIT")
        return count / (time.perf_counter() - start)
    finally:
        connection.close()


def postgres_rows_per_second(dsn: str, count: int) -> float:
    with psycopg.connect(dsn) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, v text)")
        connection.commit()
        start = time.perf_counter()
        for n in range(count):
            connection.execute("INSERT INTO t (v) VALUES (%s)", (f"row {n}",))
            connection.commit()
        return count / (time.perf_counter() - start)


# --- floor (b): the SQL of a move, bare ------------------------------------------------------

# What `engine.move` sends for one item: the version it acts on, read before the write lock
# (SQLite: before BEGIN IMMEDIATE; PostgreSQL: the transaction's first statement); then the
# chain's head locked and read with the next event id (PostgreSQL: first, the lock order; SQLite:
# when the event is written), the item locked and loaded, the calendars' stamp, the old
# deadlines superseded and three new ones, the item updated on its version, the event inserted
# and the head moved on (PostgreSQL: one statement).
_ITEM_COLUMNS = (
    "id, title, flow_name, flow_version_id, state, kenmerk, document_date, sender, topics, owner, "
    "asked, openbaar, verspreiden, created_at, updated_at, version, planned_body, "
    "planned_meeting_id, planned_meeting_at, plan, target_body, target_meeting_id, "
    "target_meeting_at, origin"
)


def _move_sql(postgres: bool) -> dict[str, str]:
    lock = " FOR UPDATE" if postgres else ""
    next_id = (
        "nextval(pg_get_serial_sequence('audit_event', 'id'))"
        if postgres
        else "(SELECT coalesce(max(id), 0) + 1 FROM audit_event)"
    )
    sql = {
        "version": "SELECT version FROM item WHERE id = ?",
        "item": f"SELECT {_ITEM_COLUMNS} FROM item WHERE id = ?{lock}",
        "stamp": "SELECT name, value FROM setting WHERE name IN (?, ?)",
        "supersede": "UPDATE deadline SET status = ?, handled_at = ? "
        "WHERE item_id = ? AND status IN (?, ?)",
        "deadline": 'INSERT INTO deadline (item_id, "plan", kind, body, meeting_id, meeting_at, '
        "due_at, status, handled_at, attempts, next_attempt_at, last_error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "update": "UPDATE item SET state = ?, updated_at = ?, version = ?, planned_body = ?, "
        'planned_meeting_id = ?, planned_meeting_at = ?, "plan" = ? WHERE id = ? AND version = ?',
        "head": f"SELECT last_id, hash, {next_id} FROM audit_head WHERE id = 1{lock}",
        "event": 'INSERT INTO audit_event (id, item_id, from_state, to_state, "trigger", actor, '
        "at, note, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "head_update": "UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1",
        "event_and_head": "WITH moved AS (UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1)"
        ' INSERT INTO audit_event (id, item_id, from_state, to_state, "trigger", actor, at, note,'
        " prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    }
    if postgres:
        sql = {key: value.replace("?", "%s") for key, value in sql.items()}
    return sql


def _bare_move(cursor: Any, sql: dict[str, str], item_id: int, postgres: bool) -> None:
    """One move of `item_id`, the statements of `engine.move` with plain values (the version
    read already done); the caller commits."""
    now = "2024-02-05 08:00:00.000000"
    meeting = "2024-02-20 09:00:00.000000"
    if postgres:
        cursor.execute(sql["head"])
        head = cursor.fetchone()
    cursor.execute(sql["item"], (item_id,))
    version = cursor.fetchone()[15]
    cursor.execute(sql["stamp"], ("meetings_version", "calendar_sync"))
    cursor.fetchall()
    cursor.execute(sql["supersede"], ("superseded", now, item_id, "open", "escalated"))
    cursor.executemany(
        sql["deadline"],
        [
            (item_id, 2, kind, "regieteam", None, meeting, due, "open", None, 0, None, None)
            for kind, due in (("reminder", "2024-02-08 11:00:00.000000"),
                              ("papers", "2024-02-13 11:00:00.000000"), ("meeting", meeting))
        ],
    )  # fmt: skip
    values = ("regieteam", now, version + 1, "regieteam", None, meeting, 2, item_id, version)
    cursor.execute(sql["update"], values)
    if not postgres:
        cursor.execute(sql["head"])
        head = cursor.fetchone()
    _last, previous, next_id = head
    own = hashlib.sha256(f"{next_id}{item_id}{previous}".encode()).hexdigest()
    event = (next_id, item_id, "ontvangen", "regieteam", TRIGGER, "bench", now, None, previous, own)
    if postgres:
        cursor.execute(sql["event_and_head"], (next_id, own, *event))
    else:
        cursor.execute(sql["event"], event)
        cursor.execute(sql["head_update"], (next_id, own))


def bare_sqlite_moves(bench_store: Store, synchronous: str, count: int) -> float:
    ids = bench_store.fresh_items(count)  # made by routing, not timed
    path = bench_store.rt.config.database_url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous.upper()}")
        connection.execute("PRAGMA foreign_keys=ON")
        sql = _move_sql(postgres=False)
        cursor = connection.cursor()
        start = time.perf_counter()
        for item_id in ids:
            cursor.execute(sql["version"], (item_id,)).fetchone()
            cursor.execute("BEGIN IMMEDIATE")
            _bare_move(cursor, sql, item_id, postgres=False)
            cursor.execute("COMMIT")
        return count / (time.perf_counter() - start)
    finally:
        connection.close()


def bare_postgres_moves(bench_store: Store, dsn: str, count: int) -> float:
    ids = bench_store.fresh_items(count)  # not timed
    sql = _move_sql(postgres=True)
    with psycopg.connect(dsn) as connection:
        cursor = connection.cursor()
        start = time.perf_counter()
        for item_id in ids:
            cursor.execute(sql["version"], (item_id,))  # the first read, before any lock
            cursor.fetchone()
            _bare_move(cursor, sql, item_id, postgres=True)
            connection.commit()
        return count / (time.perf_counter() - start)


# --- running it ------------------------------------------------------------------------------


def sqlite_cases(folder: Path, synchronous: str, count: int) -> dict[str, Callable[[], float]]:
    project = Store(folder / f"project-{synchronous}", synchronous=synchronous)
    bare = Store(folder / f"bare-{synchronous}", synchronous=synchronous)
    floor = folder / f"floor-{synchronous}.db"
    return {
        "project": lambda: project.moves_per_second(count),
        "floor": lambda: sqlite_rows_per_second(floor, synchronous, count),
        "same SQL": lambda: bare_sqlite_moves(bare, synchronous, count),
    }


@contextmanager
def durable_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL server with fsync on (the tests' servers turn it off); yields
    the URL prefix."""

    class Durable(Server):
        def start(self) -> None:
            self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-t", "60",
                "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=on "
                "-c synchronous_commit=on", "start",
            )  # fmt: skip

    server = Durable()
    try:
        server.start()
        yield server.prefix
    finally:
        server.remove()


def postgres_cases(folder: Path, prefix: str, count: int) -> dict[str, Callable[[], float]]:
    project = Store(folder / "project-pg", url=create_database(prefix, "project"))
    bare_url = create_database(prefix, "bare")
    bare = Store(folder / "bare-pg", url=bare_url)
    floor_url = create_database(prefix, "floor")

    def dsn(url: str) -> str:
        return url.replace("postgresql+psycopg://", "postgresql://")

    return {
        "project": lambda: project.moves_per_second(count),
        "floor": lambda: postgres_rows_per_second(dsn(floor_url), count),
        "same SQL": lambda: bare_postgres_moves(bare, dsn(bare_url), count),
    }


def report(table: Table, label: str, found: dict[str, list[float]]) -> None:
    # a rate: "at least 50 % of the floor's rate" is the bound 2 on floor/project
    table.row(f"durable move, {label} vs one row per commit", found["project"], found["floor"],
              "per s", 2.0, True)  # fmt: skip
    table.row(f"durable move, {label} vs its SQL bare", found["project"], found["same SQL"],
              "per s", None, True)  # fmt: skip
    table.row(f"its SQL bare, {label} vs one row per commit", found["same SQL"], found["floor"],
              "per s", None, True)  # fmt: skip


def main() -> None:
    args = options(__doc__.splitlines()[0], items=300, tiny_items=20, postgres=True)
    count, repetitions = args.items, args.repetitions
    folder = Path(tempfile.mkdtemp(prefix="bench-transitions-"))
    table = Table(f"Durable transitions: {count} moves per repetition, {repetitions} repetitions")
    for synchronous in ("normal", "full"):
        found = interleaved(sqlite_cases(folder, synchronous, count), repetitions)
        report(table, f"SQLite synchronous={synchronous.upper()}", found)
    if args.postgres:
        with durable_postgres() as prefix:
            found = interleaved(postgres_cases(folder, prefix, count), repetitions)
            report(table, "PostgreSQL synchronous_commit=on", found)
    table.print()
    print(f"(moves of '{TRIGGER}' on fresh items; {dt.date.today():%Y-%m-%d})")


if __name__ == "__main__":
    main()
