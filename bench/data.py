"""A store the size of a national roll-out, built fast and the same every time (fixed seed).

`build_store(folder, items=N, audit_events=M)` writes `folder/routing.toml` (the starter
configuration; the UTA supportteam's and stuurgroep's meetings come from .ics files imported with
the real import) and a store holding: items over every flow and state, created over the year
before `NOW`, each with the history a year of real use leaves (registration, moves at meetings,
papers received, deferrals, the daemon's roll-overs, edits: `audit_events` events in all, one hash
chain that `routing audit verify` accepts), every planning round's deadlines with the status the
sweep would have left, the E&I decisions, meeting outcomes, feedback items after every UTA meeting
and the outbox of everything sent.

How. The skeleton goes through the real code (migrations, installation, .ics import, flow
versions, the stored calendars); the bulk is simulated in Python against those calendars (the
same meeting choice as `routing.engine.planning`: the next meeting whose papers deadline is
ahead, the next after it on a deferral or roll-over) and written with `executemany` (COPY on
PostgreSQL) in one transaction. Then one real sweep at `NOW` settles what the simulation does
not model (rule-6 slip warnings, the calendar sync of the day), its mail is marked sent, so a
tick at `NOW` has nothing to do. With `due=K`, K open items get a reminder due at `NOW` (K
effects for the next tick, each one mail).

The result is cached under bench/.cache by its parameters (and the generator's source): a second
call copies the file, then applies `due`. PostgreSQL stores (`database_url=`) are built each
time (bulk rows through COPY).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import random
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._world import ICS_BODIES, NOW, SEED, START, _meetings_by_body, _simulate, _World
from bench.common import CACHE, ROOT

__all__ = ["NOW", "START", "build_store", "starter_config"]

GENERATOR = "4"  # raise when the shape of the data changes (with the sources' hash: the cache key)

# --- the configuration --------------------------------------------------------------------------

# routing.toml's meetings of the two UTA bodies; they come from .ics files instead
_UTA_LINES = (
    'rrule = "FREQ=MONTHLY;BYDAY=3WE;BYMONTH=1,2,3,4,5,6,9,10,11,12;UNTIL=20261231T235959"\n'
    'start = "2024-01-17T13:30"\n',
)
_STUURGROEP_DATES = [
    "2024-03-21T15:00", "2024-06-20T15:00", "2024-10-03T15:00", "2024-12-12T15:00",
    "2025-03-20T15:00", "2025-06-19T15:00", "2025-10-02T15:00", "2025-12-11T15:00",
    "2026-03-19T15:00", "2026-06-18T15:00", "2026-10-01T15:00", "2026-12-10T15:00",
]  # fmt: skip


def starter_config(database_url: str = "") -> str:
    """The starter routing.toml with `database_url`, the UTA bodies' meetings left to .ics."""
    from importlib import resources

    text = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
    for line in _UTA_LINES:
        if line not in text:
            raise RuntimeError("starter.toml changed: bench/data.py cannot find the UTA rrule")
        text = text.replace(line, "")
    start = text.index("dates = [\n", text.index("[bodies.uta-stuurgroep.calendar]"))
    end = text.index("]\n", start) + 2
    text = text[:start] + text[end:]
    return text.replace('url = ""', f"url = {json.dumps(database_url)}", 1)


def _ics(body: str, starts: Sequence[dt.datetime], minutes: int) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//routing//NL"]
    for start in starts:
        utc = start.astimezone(dt.UTC)
        end = utc + dt.timedelta(minutes=minutes)
        lines += [
            "BEGIN:VEVENT", f"UID:{body}-{utc:%Y%m%dT%H%M}@utrechttalentalliantie.example",
            f"DTSTAMP:{START:%Y%m%dT%H%M%SZ}", f"DTSTART:{utc:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}", f"SUMMARY:Vergadering {body}",
            "LOCATION:Stadskantoor Utrecht", "END:VEVENT",
        ]  # fmt: skip
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _uta_starts(body: str) -> list[dt.datetime]:
    from zoneinfo import ZoneInfo

    from dateutil.rrule import rrulestr

    tz = ZoneInfo("Europe/Amsterdam")
    if body == "uta-stuurgroep":
        return [dt.datetime.fromisoformat(d).replace(tzinfo=tz) for d in _STUURGROEP_DATES]
    rule: Any = rrulestr(
        "FREQ=MONTHLY;BYDAY=3WE;BYMONTH=1,2,3,4,5,6,9,10,11,12;UNTIL=20261231T235959",
        dtstart=dt.datetime(2024, 1, 17, 13, 30),
    )
    return [moment.replace(tzinfo=tz) for moment in rule]


# --- writing the rows ---------------------------------------------------------------------------


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


# --- the build ----------------------------------------------------------------------------------


def _cache_key(items: int, audit_events: int, seed: int) -> str:
    here = Path(__file__).resolve().parent
    sources = b"".join((here / name).read_bytes() for name in ("data.py", "_world.py"))
    source = hashlib.sha256(sources).hexdigest()[:12]
    migrations = sorted(p.name for p in (ROOT / "store" / "migrations" / "versions").glob("0*.py"))
    parts = f"{GENERATOR}-{source}-{migrations[-1]}-{items}-{audit_events}-{seed}"
    return hashlib.sha256(parts.encode()).hexdigest()[:16]


def build_store(
    folder: Path | str,
    items: int = 1000,
    audit_events: int | None = None,
    seed: int = SEED,
    database_url: str | None = None,
    *,
    due: int = 0,
    quiet: bool = True,
) -> Path:
    """A store of `items` items and `audit_events` audit events (default 10 per item) in
    `folder`; returns the path of its routing.toml. `due`: open items with a reminder due at
    NOW (the next tick's work). `database_url`: a PostgreSQL database (empty, or migrated)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    audit_events = 10 * items if audit_events is None else audit_events
    if database_url:
        config = _build(folder, items, audit_events, seed, database_url, quiet)
        _make_due(config, due)
        return config
    cached = CACHE / f"store-{_cache_key(items, audit_events, seed)}"
    if not (cached / "routing.db").exists():
        work = CACHE / f"building-{uuid.uuid4().hex[:8]}"
        try:
            _build(work, items, audit_events, seed, None, quiet)
            if cached.exists():
                shutil.rmtree(work)  # another process built it meanwhile
            else:
                work.rename(cached)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for name in ("routing.toml", "routing.db", *(p.name for p in cached.glob("*.ics"))):
        shutil.copyfile(cached / name, folder / name)
    _make_due(folder / "routing.toml", due)
    return folder / "routing.toml"


def _build(folder: Path, items: int, audit_events: int, seed: int, database_url: str | None,
           quiet: bool) -> Path:  # fmt: skip
    from routing.engine import meeting_sync
    from routing.engine.stored_calendars import load_calendars
    from routing.runtime import Runtime

    began = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "routing.toml"
    config.write_text(starter_config(database_url or ""), encoding="utf-8")
    rt = Runtime.open(str(config), START.isoformat())
    rt.migrate()
    from routing.effects.sweep import record_installation

    record_installation(rt)
    for body in ICS_BODIES:
        path = folder / f"{body}.ics"
        minutes = 120 if body == "uta-supportteam" else 90
        path.write_text(_ics(body, _uta_starts(body), minutes), encoding="utf-8")
        with rt.session() as db:
            meeting_sync.import_ics(rt, db, body, path, START)
    with rt.session() as db:
        for name in sorted(rt.catalog.current):
            rt.catalog.pin(db, name, START)
        versions = {
            name: rt.catalog.pin(db, name, START)[0].id for name in sorted(rt.catalog.current)
        }
        calendars = load_calendars(rt.config, db)
        from routing.engine import notify

        installation = notify.installation_id(db)
    meetings = _meetings_by_body(rt, calendars)
    world = _simulate(rt, meetings, calendars, items, audit_events, seed)
    simulated = time.perf_counter()
    counts = _write(rt, world, versions, installation)
    written = time.perf_counter()
    settled = _settle(rt, folder)
    rt.close()
    if rt.config.database_url.startswith("sqlite"):
        from bench.common import bare_sqlite, sqlite_path

        with contextlib.closing(bare_sqlite(sqlite_path(config))) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if not quiet:
        print(
            f"built {items} items, {counts['audit_event']} audit events, "
            f"{counts['deadline']} deadlines, {counts['outbox']} mails in "
            f"{time.perf_counter() - began:.1f} s (simulated {simulated - began:.1f} s, "
            f"written {written - simulated:.1f} s); settling sweep: {settled}",
            file=sys.stderr,
        )
    return config


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


def _settle(rt: Any, folder: Path) -> str:
    """One real sweep at NOW (what the simulation does not model: rule-6 slip warnings, the
    day's calendar sync), its mails marked sent: a tick at NOW then finds nothing to do."""
    from routing.clock import FixedClock
    from routing.effects.sweep import sweep

    rt.clock = FixedClock(NOW)
    report = sweep(rt, rt.config.daemon)
    with rt.session() as db:
        from sqlalchemy import text

        db.execute(
            text(
                "UPDATE outbox SET status = 'sent', attempts = 1, sent_at = next_attempt_at, "
                "channel = 'file' WHERE status = 'pending'"
            )
        )
    return report.summary()


def _make_due(config: Path, due: int) -> None:
    """`due` open items get their reminder due at NOW: the next tick sends `due` mails. Items
    planned on a meeting ahead whose papers deadline (if any) is ahead too, so each reminder is
    a mail; a round without a reminder (no papers, a person) gets one."""
    if not due:
        return
    from routing.runtime import Runtime

    rt = Runtime.open(str(config), NOW.isoformat())
    from sqlalchemy import bindparam
    from sqlalchemy import text as sql

    from store.types import UTCDateTime

    def text(statement: str) -> Any:
        names = [n for n in ("now", "due") if f":{n}" in statement]
        return sql(statement).bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))

    with rt.session(read=True) as db:
        candidates = (
            db.execute(
                text(
                    "SELECT d.id FROM deadline d JOIN item i ON i.id = d.item_id "
                    "WHERE d.status = 'open' AND d.kind = 'meeting' AND d.plan = i.plan "
                    "AND d.due_at > :now AND NOT EXISTS (SELECT 1 FROM deadline p "
                    "WHERE p.item_id = d.item_id AND p.plan = d.plan "
                    "AND p.kind IN ('papers', 'handover') AND p.due_at <= :now) ORDER BY d.id"
                ),
                {"now": NOW},
            )
            .scalars()
            .all()
        )
    if len(candidates) < due:
        raise ValueError(
            f"due={due} but only {len(candidates)} items are planned on a meeting ahead; "
            "build with more items"
        )
    chosen = sorted(random.Random(due).sample(list(candidates), due))
    with rt.session() as db:
        for deadline_id in chosen:
            db.execute(
                text(
                    "INSERT INTO deadline (item_id, plan, kind, body, meeting_id, meeting_at, "
                    "due_at, status, attempts) SELECT item_id, plan, 'reminder', body, "
                    "meeting_id, meeting_at, :due, 'open', 0 FROM deadline WHERE id = :id "
                    "AND NOT EXISTS (SELECT 1 FROM deadline r WHERE r.item_id = deadline.item_id "
                    "AND r.plan = deadline.plan AND r.kind = 'reminder')"
                ),
                {"due": NOW - dt.timedelta(minutes=10), "id": deadline_id},
            )
            db.execute(
                text(
                    "UPDATE deadline SET status = 'open', handled_at = NULL, due_at = :due "
                    "WHERE kind = 'reminder' AND (item_id, plan) = "
                    "(SELECT item_id, plan FROM deadline WHERE id = :id)"
                ),
                {"due": NOW - dt.timedelta(minutes=10), "id": deadline_id},
            )
            db.execute(
                text(
                    "DELETE FROM outbox WHERE key IN (SELECT 'reminder:' || id FROM deadline "
                    "WHERE kind = 'reminder' AND (item_id, plan) = "
                    "(SELECT item_id, plan FROM deadline WHERE id = :id))"
                ),
                {"id": deadline_id},
            )
    rt.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build (or reuse) a bench store")
    parser.add_argument("folder")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--audit-events", type=int, default=None)
    parser.add_argument("--due", type=int, default=0)
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    began = time.perf_counter()
    path = build_store(
        arguments.folder, arguments.items, arguments.audit_events,
        database_url=arguments.database_url, due=arguments.due, quiet=False,
    )  # fmt: skip
    print(f"{path} ({time.perf_counter() - began:.1f} s)")
