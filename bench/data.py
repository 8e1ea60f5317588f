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
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._rows import _write
from bench._world import ICS_BODIES, NOW, SEED, START, _meetings_by_body, _simulate
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


# --- the build ----------------------------------------------------------------------------------


def _cache_key(items: int, audit_events: int, seed: int) -> str:
    here = Path(__file__).resolve().parent
    sources = b"".join((here / name).read_bytes() for name in ("data.py", "_world.py", "_rows.py"))
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
