"""Writing bench/data.py's simulated year into a store: every table in one transaction.

Through the driver itself (sqlite3 with an in-memory journal, or psycopg's COPY), the audit
events linked into the store's hash chain on from its head (`store.audit_chain`'s canonical form,
so `routing audit verify` accepts them), ids given in the order the rows were written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from bench._world import _World


class _Writer:
    """Bulk inserts through the driver (sqlite3 or psycopg), one transaction.

    SQLite: the store's own connections are closed first, and this one writes with a rollback
    journal in memory and no syncs (a failed build is thrown away, never used), then the file
    goes back to WAL mode as the store keeps it."""

    def __init__(self, rt: Any) -> None:
        engine = rt.engine
        self.sqlite = engine.dialect.name == "sqlite"
        if self.sqlite:
            from bench.common import sqlite_path

            rt.close()
            self.raw = sqlite3.connect(sqlite_path(rt.config.path), isolation_level=None)
            self.cursor = self.raw.cursor()
            for pragma in ("journal_mode=MEMORY", "synchronous=OFF", "cache_size=-400000",
                           "foreign_keys=OFF"):  # fmt: skip
                self.cursor.execute(f"PRAGMA {pragma}")
            self.cursor.execute("BEGIN IMMEDIATE")
        else:
            self.raw = engine.raw_connection()
            self.cursor = self.raw.cursor()

    def moment(self, value: dt.datetime | None) -> Any:
        if value is None:
            return None
        utc = value.astimezone(dt.UTC).replace(tzinfo=None)
        # SQLAlchemy's SQLite DATETIME text (isoformat is several times faster than strftime)
        return utc.isoformat(" ", "microseconds") if self.sqlite else utc

    def json(self, value: Any) -> Any:
        text = json.dumps(value)
        if self.sqlite:
            return text
        from psycopg.types.json import Json

        return Json(value)

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if not self.sqlite:  # PostgreSQL: COPY, the server's own bulk path
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        chunk = 50_000
        for start in range(0, len(rows), chunk):
            self.cursor.executemany(sql, rows[start : start + chunk])

    def execute(self, sql: str, values: Sequence[Any] = ()) -> None:
        self.cursor.execute(sql if self.sqlite else sql.replace("?", "%s"), tuple(values))

    def commit(self) -> None:
        if self.sqlite:
            self.cursor.execute("COMMIT")
            self.cursor.execute("PRAGMA journal_mode=WAL")
        else:
            self.raw.commit()
        self.raw.close()


def _day(value: dt.date | None, sqlite: bool) -> Any:
    return value.isoformat() if value is not None and sqlite else value


def _chain(events: list[tuple[Any, ...]], first_id: int, prev: str) -> tuple[list[Any], str]:
    """The events in time order as rows with ids and their hash chain."""
    from store.audit_chain import _utc

    rows = []
    sha = hashlib.sha256
    dumps = json.dumps
    for offset, (at, item, from_state, to_state, trigger, actor, note) in enumerate(events):
        event_id = first_id + offset
        canonical = dumps(
            [event_id, item, from_state, to_state, trigger, actor, _utc(at), note, prev],
            ensure_ascii=False, separators=(",", ":"),
        )  # fmt: skip
        own = sha(canonical.encode("utf-8")).hexdigest()
        rows.append((event_id, item, from_state, to_state, trigger, actor, at, note, prev, own))
        prev = own
    return rows, prev


def _write(rt: Any, world: _World, versions: dict[str, Any], installation: str) -> dict[str, int]:
    """Every simulated row into the store, the audit chain linked on from its head."""
    from store.audit_chain import GENESIS

    writer = _Writer(rt)
    moment = writer.moment
    counts: dict[str, int] = {}
    # states as the items end up: a person's round names her own body
    item_rows = []
    for row, body, meeting in world.items:
        events_of = 0
        target = row["target_meeting"]
        item_rows.append((
            row["id"], row["title"], row["flow_name"], versions[row["flow_name"]], row["state"],
            row["kenmerk"], _day(row["document_date"], writer.sqlite), row["sender"],
            writer.json(row["topics"]), row["owner"],
            row["asked"], row["openbaar"], row["verspreiden"], moment(row["created_at"]),
            moment(row["created_at"]), 1 + events_of, body if meeting else None,
            meeting.meeting_id if meeting else None, moment(meeting.start) if meeting else None,
            row["plan"], row["target_body"], target.meeting_id if target else None,
            moment(target.start) if target else None, row["origin"],
        ))  # fmt: skip
    # versions and updated_at from the history
    world.events.sort(key=lambda event: event[0])
    version: dict[int, int] = {}
    updated: dict[int, dt.datetime] = {}
    for at, item, *_ in world.events:
        version[item] = version.get(item, 0) + 1
        updated[item] = at
    item_rows = [(*r[:14], moment(updated[r[0]]), version[r[0]], *r[16:]) for r in item_rows]
    writer.insert("item", (
        "id", "title", "flow_name", "flow_version_id", "state", "kenmerk", "document_date",
        "sender", "topics", "owner", "asked", "openbaar", "verspreiden", "created_at",
        "updated_at", "version", "planned_body", "planned_meeting_id", "planned_meeting_at",
        "plan", "target_body", "target_meeting_id", "target_meeting_at", "origin",
    ), item_rows)  # fmt: skip
    counts["item"] = len(item_rows)
    # the audit chain, on from the current head
    writer.execute("SELECT last_id, hash FROM audit_head WHERE id = 1")
    head = writer.cursor.fetchone()
    first = (head[0] or 0) + 1 if head else 1
    events, last_hash = _chain(world.events, first, head[1] if head else GENESIS)
    writer.insert(
        "audit_event",
        ("id", "item_id", "from_state", "to_state", "trigger", "actor", "at", "note",
         "prev_hash", "hash"),
        [(*e[:6], moment(e[6]), *e[7:]) for e in events],
    )  # fmt: skip
    if events:
        writer.execute(
            "UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1", (events[-1][0], last_hash)
        )
    counts["audit_event"] = len(events)
    # deadlines in the order they were written, then the mails the sweep sent for them
    world.deadlines.sort(key=lambda d: d.created)
    for number, deadline in enumerate(world.deadlines, start=1):
        deadline.id = number
    writer.insert(
        "deadline",
        ("id", "item_id", "plan", "kind", "body", "meeting_id", "meeting_at", "due_at", "status",
         "handled_at", "attempts", "next_attempt_at", "last_error"),
        [(d.id, d.item, d.plan, d.kind, d.body, d.meeting.meeting_id, moment(d.meeting.start),
          moment(d.due), d.status, moment(d.handled), 0, None, None) for d in world.deadlines],
    )  # fmt: skip
    counts["deadline"] = len(world.deadlines)
    counts["outbox"], outbox_ids = _write_mails(rt, world, writer, installation)
    _write_rest(world, writer, outbox_ids)
    if not writer.sqlite:
        for table in ("item", "audit_event", "deadline", "outbox"):
            writer.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    writer.commit()
    return counts


def _write_mails(
    rt: Any, world: _World, writer: _Writer, installation: str
) -> tuple[int, dict[str, int]]:
    """The outbox: every mail the year sent, by its natural key."""
    from routing.engine.notify import message_id_for, recipients_for

    config = rt.config
    moment = writer.moment
    owners = {row["id"]: row for row, _, _ in world.items}
    mails = list(world.mails)
    for d in world.deadlines:
        if d.mail is not None:
            item = owners[d.item]
            mails.append((f"{d.mail}:{d.id}", d.mail, d.item, d.mail_at,
                          f"{d.mail.capitalize()}: {item['title']} ({d.body})", []))  # fmt: skip
    mails.sort(key=lambda mail: mail[3])
    region = config.region
    secretariat = list(config.secretariat_email)
    outbox_rows = []
    outbox_ids: dict[str, int] = {}
    writer.execute("SELECT coalesce(max(id), 0) FROM outbox")
    first_mail = writer.cursor.fetchone()[0] + 1
    for number, (key, kind, item_id, at, subject, bodies) in enumerate(mails, start=first_mail):
        recipients = recipients_for(config, bodies) if bodies else secretariat
        sent = at + dt.timedelta(seconds=world.random.randint(1, 300))
        outbox_rows.append((
            number, key, message_id_for(key, region, installation), kind, item_id,
            writer.json(recipients), subject, subject, moment(at), "sent", 1, moment(at), None,
            moment(sent), "file",
        ))  # fmt: skip
        outbox_ids[key] = number
    writer.insert("outbox", (
        "id", "key", "message_id", "kind", "item_id", "recipients", "subject", "body",
        "created_at", "status", "attempts", "next_attempt_at", "last_error", "sent_at", "channel",
    ), outbox_rows)  # fmt: skip
    return len(outbox_rows), outbox_ids


def _write_rest(world: _World, writer: _Writer, outbox_ids: dict[str, int]) -> None:
    moment = writer.moment
    writer.insert(
        "ei_decision",
        ("item_id", "body", "inform", "decided_by", "reason", "at", "outbox_id"),
        list({
            (item, body): (item, body, inform, by, reason, moment(at),
                           outbox_ids.get(key) if key else None)
            for item, body, inform, by, reason, at, key in world.decisions
        }.values()),
    )  # fmt: skip
    writer.insert(
        "meeting_outcome",
        ("body", "meeting_at", "item_id", "trigger", "to_state", "note", "actor", "at"),
        list({
            (o[0], o[1], o[2]): (o[0], moment(o[1]), *o[2:7], moment(o[7]))
            for o in world.outcomes
        }.values()),
    )  # fmt: skip
    writer.insert(
        "effect", ("key", "kind", "at", "item_id", "detail"),
        [(key, kind, moment(at), item, detail) for key, kind, at, item, detail in world.effects],
    )  # fmt: skip
