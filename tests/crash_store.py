"""The crash harness's store: a routing.toml delivering over SMTP to loopback, a seeded backlog,
and the store dumped without ids and moments so two runs can be compared (tests/crash_harness.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests import postgres

INSTALLED = "2024-01-02T08:00"
FLOWS = ("agendapunt-stuurgroep", "agendapunt-supportteam", "initiatief")


# --- the store and its backlog ------------------------------------------------------------


def write_config(folder: Path, smtp_port: int, url: str | None) -> Path:
    """The shipped routing.toml, delivering over SMTP to loopback, on `url` (None: SQLite)."""
    text = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
    edits = {
        'channel = "file"': 'channel = "smtp"',
        'smtp_host = "localhost"': 'smtp_host = "127.0.0.1"',
        "smtp_port = 25": f"smtp_port = {smtp_port}",
        "# timeout_s = 30": "timeout_s = 30",
        # the secretariat takes each message at once, so the kills meet deliveries; the others
        # keep the daily overview, so the kills meet messages held for it too (the overview
        # itself, across restarts and two daemons: tests/test_daily_mail.py)
        '# mail = "direct"\n\n[people]': 'mail = "direct"\n\n[people]',
    }
    if url is not None:
        edits['url = ""'] = f'url = "{url}"'
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "routing.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _routing(*args: str) -> None:
    """A secretary's command, in this process (seeding is not what is measured)."""
    from routing.cli import app as cli

    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        try:
            cli.run(lambda: cli.app(list(args), prog_name="routing", standalone_mode=False))
        except SystemExit as stop:
            if stop.code:
                raise RuntimeError(f"routing {' '.join(args)}: {said.getvalue()}") from None


def seed(config: Path, items: int) -> None:
    """Registered from January to March, put on the agenda, some papers handed in; the daemon
    never ran since `init`."""
    with _env(ROUTING_CONFIG=str(config), ROUTING_DATABASE_URL="", ROUTING_LANG="nl"):
        os.environ.pop("ROUTING_DATABASE_URL")
        _routing("init", "--now", INSTALLED)
        for n in range(1, items + 1):
            day = dt.datetime(2024, 1, 3, 9, 0) + dt.timedelta(days=(n * 83 // items))
            flow = FLOWS[n % len(FLOWS)]
            topic = ("llo", "werkcentrum", "arbeid")[n % 3]
            at = day.isoformat(timespec="minutes")
            later = (day + dt.timedelta(hours=1)).isoformat(timespec="minutes")
            _routing("new", f"Punt {n:03d} over {topic}", "--flow", flow, "--owner",
                     "Anna de Vries", "--topic", topic, "--now", at)  # fmt: skip
            _routing("move", str(n), "agenderen", "--now", later)
            if n % 4 == 0:
                _routing("stukken", str(n), "--now", later)


# --- the store compared without ids and moments -----------------------------------------------

# moments that say when something was done (they follow --now and differ between runs); the
# others (due_at, meeting_at, ...) are compared
_WHEN = {"at", "created_at", "updated_at", "handled_at", "sent_at", "next_attempt_at",
         "first_used_at"}  # fmt: skip
_SKIP_TABLES = {"heartbeat", "alembic_version"}
_TOKEN = re.compile(r"[0-9a-f]{32}")
_ID_IN_TEXT = re.compile(r"((?:Item|item|nr\.|routing [a-z]+) )(\d+)")


def dump(engine: sa.Engine) -> dict[str, list[str]]:
    """Every table as sorted lines: ids of items and outbox rows replaced by their natural
    names (PostgreSQL never gives back a sequence number a killed transaction took)."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as db:
        items = {r.id: r.title for r in db.execute(sa.text("SELECT id, title FROM item"))}
        keys = {r.id: r.key for r in db.execute(sa.text("SELECT id, key FROM outbox"))}
        audit = {
            r.id: r.item_id for r in db.execute(sa.text("SELECT id, item_id FROM audit_event"))
        }
        meetings = {
            r.id: f"{r.body}/{r.source_key}"
            for r in db.execute(sa.text("SELECT id, body, source_key FROM meeting"))
        }

        named: dict[str, dict[Any, Any]] = {
            "item_id": items, "origin_item_id": items, "outbox_id": keys,
            "meeting_id": meetings, "planned_meeting_id": meetings, "target_meeting_id": meetings,
            "event_id": {e: items.get(i) for e, i in audit.items()},
        }  # fmt: skip

        def plain(column: str, value: Any) -> Any:
            if value is None:
                return None
            if column in named:
                return named[column].get(value, value)
            if isinstance(value, str):
                return _plain_text(value, items)
            return value

        tables: dict[str, list[str]] = {}
        for name, table in sorted(meta.tables.items()):
            if name in _SKIP_TABLES:
                continue
            kept = [c.name for c in table.columns if _compared(name, c.name)]
            if not kept:  # nothing comparable but that the rows are there (the chain's head)
                count = db.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                tables[name] = [f"{count} row(s)"]
                continue
            rows = db.execute(sa.select(*[table.c[c] for c in kept])).all()
            tables[name] = sorted(
                json.dumps([plain(c, v) for c, v in zip(kept, row, strict=True)], default=str)
                for row in rows
            )
        return tables


def _plain_text(value: str, items: dict[Any, Any]) -> Any:
    """A text column's value without what differs between runs for no fault of theirs."""
    if value.startswith("{") and '"until"' in value:
        # the calendar sync's note of when it last ran (a cache that follows --now)
        return {k: v for k, v in json.loads(value).items() if k not in ("day", "until")}
    if value.startswith("{") and '"calendars"' in value:
        # the slip watch's bookmark: the last audit event id and a fingerprint over meeting
        # rows with their ids, both of which a killed transaction can shift
        return "slip watch bookmark"
    if _TOKEN.fullmatch(value):
        return "token"  # the calendar stamp: drawn anew at random by every change
    return _ID_IN_TEXT.sub(lambda m: m[1] + str(items.get(int(m[2]), m[2])), value)


def _compared(table: str, column: str) -> bool:
    """Not the moments a thing was done, nor generated ids (named instead), nor a chained hash
    (it covers moments and ids), nor the chain head's pointer to the newest event (an id, and
    which event is newest depends on the order the interrupted daemons did their work in)."""
    if (table, column) == ("audit_head", "last_id"):
        return False
    return column not in _WHEN and column != "id" and "hash" not in column


def differences(got: dict[str, list[str]], want: dict[str, list[str]]) -> list[str]:
    found = []
    for name in sorted(set(got) | set(want)):
        extra = Counter(got.get(name, [])) - Counter(want.get(name, []))
        missing = Counter(want.get(name, [])) - Counter(got.get(name, []))
        found += [f"{name}: extra {row}" for row in extra]
        found += [f"{name}: missing {row}" for row in missing]
    return found


_names = iter(range(1, 1_000_000))


@dataclass
class Stores:
    """The seeded store's two copies: one for the killed daemons, one for the reference run."""

    run: Path
    reference: Path
    urls: tuple[str, str]
    seed_url: str = ""


def make_stores(work: Path, port: int, items: int, pg_prefix: str | None) -> Stores:
    if pg_prefix is None:
        seeded = write_config(work / "seed", port, None)
        seed(seeded, items)
        configs = []
        for name in ("run", "reference"):
            config = write_config(work / name, port, None)
            for part in seeded.parent.glob("routing.db*"):
                shutil.copyfile(part, config.parent / part.name)
            configs.append(config)
        urls = tuple(f"sqlite:///{c.parent / 'routing.db'}" for c in configs)
        return Stores(configs[0], configs[1], (urls[0], urls[1]))
    tag = f"crash_{os.getpid()}_{next(_names)}"
    seed_url = postgres.create_database(pg_prefix, f"{tag}_seed")
    seed(write_config(work / "seed", port, seed_url), items)
    run_url, reference_url = (
        postgres.create_database(pg_prefix, f"{tag}_{n}", f"{tag}_seed") for n in ("run", "ref")
    )
    run = write_config(work / "run", port, run_url)
    reference = write_config(work / "reference", port, reference_url)
    return Stores(run, reference, (run_url, reference_url), seed_url)
