"""Crash safety, measured from outside: SIGKILL `routing daemon --once` mid catch-up, many times.

A store gets a realistic backlog (items over the shipped flows whose reminders, papers deadlines
and meetings passed, UTA meetings whose feedback items are due, the quarterly E&I digest due),
as if the daemon had been down since January. Real `routing daemon --once --now ...` processes
catch up on it and are killed with SIGKILL at seeded random moments, one daemon on SQLite, two
at the same time on PostgreSQL, until the backlog is caught up. Mail goes over SMTP to a real
server on loopback. Some kills are aimed at the send window: the server records the message when
DATA ends and holds its "250 OK" until the harness has killed the sender, so the message arrived
but its row is not marked sent. Counted at the server and in the store:

- lost: messages of an uninterrupted reference run (on a copy of the store) that never arrived;
- the store's effects (items, states, audit events, deadlines, effects, outbox keys and texts,
  without ids and moments) against the reference run's;
- duplicates: each must come from a kill inside that message's send window, with the same
  Message-ID every time.

The clock is driven with `--now`; a message a killed daemon had claimed is retried ten minutes
later, so after such a kill the next daemons run 11 minutes later (the window chosen has no new
due moments in it). Run by hand for the figures:

    .venv/bin/python -m tests.crash_harness --backend sqlite --kills 60 --seed 1
    .venv/bin/python -m tests.crash_harness --backend postgres --kills 60 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

import store
from store.schedule_models import Outbox
from tests import postgres
from tests.smtp import HoldingInbox, smtp_server

ROUTING = shutil.which("routing", path=str(Path(sys.executable).parent)) or "routing"
INSTALLED = "2024-01-02T08:00"
# a Sunday: every backlog effect is due, and nothing new falls due for more than a day after
BASE_NOW = dt.datetime(2024, 4, 14, 0, 5, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(dt.UTC)
RETRY_STEP = dt.timedelta(minutes=11)  # delivery pushes a claimed message 10 minutes ahead
FLOWS = ("agendapunt-stuurgroep", "agendapunt-supportteam", "initiatief")
ROUND_LIMIT_S = 120.0


@dataclass
class Figures:
    backend: str
    seed: int
    kills: int = 0
    window_kills: int = 0
    expected: int = 0
    arrived: int = 0
    duplicates: int = 0
    lost: int = 0
    runs: int = 0
    seconds: float = 0.0
    store_identical: bool = False
    same_message_id: bool = False
    unexplained_duplicates: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    exit_codes: Counter[int] = field(default_factory=Counter)

    def line(self) -> str:
        return (
            f"{self.backend}: kills {self.kills}, kills inside the send window "
            f"{self.window_kills}, messages expected {self.expected}, arrived {self.arrived}, "
            f"duplicates {self.duplicates}, lost {self.lost}, runs {self.runs}, "
            f"seconds {self.seconds:.1f}; store identical to the reference: "
            f"{self.store_identical}; duplicates with the same Message-ID: {self.same_message_id}"
        )


# --- the store and its backlog ------------------------------------------------------------


def write_config(folder: Path, smtp_port: int, url: str | None) -> Path:
    """The shipped routing.toml, delivering over SMTP to loopback, on `url` (None: SQLite)."""
    text = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
    edits = {
        'channel = "file"': 'channel = "smtp"',
        'smtp_host = "localhost"': 'smtp_host = "127.0.0.1"',
        "smtp_port = 25": f"smtp_port = {smtp_port}",
        "# timeout_s = 30": "timeout_s = 30",
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
                return _ID_IN_TEXT.sub(lambda m: m[1] + str(items.get(int(m[2]), m[2])), value)
            return value

        tables: dict[str, list[str]] = {}
        for name, table in sorted(meta.tables.items()):
            if name in _SKIP_TABLES:
                continue
            kept = [c.name for c in table.columns if _compared(name, c.name)]
            rows = db.execute(sa.select(*[table.c[c] for c in kept])).all()
            tables[name] = sorted(
                json.dumps([plain(c, v) for c, v in zip(kept, row, strict=True)], default=str)
                for row in rows
            )
        return tables


def _compared(table: str, column: str) -> bool:
    """Not the moments a thing was done, nor generated ids (named instead), nor a chained hash
    (it covers moments and ids)."""
    return column not in _WHEN and column != "id" and "hash" not in column


def differences(got: dict[str, list[str]], want: dict[str, list[str]]) -> list[str]:
    found = []
    for name in sorted(set(got) | set(want)):
        extra = Counter(got.get(name, [])) - Counter(want.get(name, []))
        missing = Counter(want.get(name, [])) - Counter(got.get(name, []))
        found += [f"{name}: extra {row}" for row in extra]
        found += [f"{name}: missing {row}" for row in missing]
    return found


# --- real daemons, killed ------------------------------------------------------------------


class Daemons:
    """`routing daemon --once` processes on one store; kills them and tells whose kill fell
    inside a send window (a message of that process arrived, its row not marked sent)."""

    def __init__(self, config: Path, engine: sa.Engine, inbox: HoldingInbox, work: Path) -> None:
        self.config, self.engine, self.inbox, self.work = config, engine, inbox, work
        self.window_kills: Counter[str] = Counter()  # key -> kills inside its send window
        self.kills = 0
        self.runs = 0
        self.exit_codes: Counter[int] = Counter()
        self.idle = False  # the last round did nothing at all

    def spawn(self, now: dt.datetime) -> tuple[subprocess.Popen[bytes], Path]:
        self.runs += 1
        out = self.work / f"run-{self.runs}.json"
        env = {**os.environ, "ROUTING_CONFIG": str(self.config), "ROUTING_LANG": "nl"}
        env.pop("ROUTING_DATABASE_URL", None)
        with out.open("wb") as stdout:
            proc = subprocess.Popen(
                [ROUTING, "daemon", "--once", "--json", "--now", now.isoformat(timespec="seconds")],
                stdout=stdout, stderr=subprocess.STDOUT, env=env, cwd=self.config.parent,
            )  # fmt: skip
        self.inbox.watched.add(proc.pid)
        return proc, out

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Freeze it, note which of its messages arrived without being marked sent, end it."""
        try:
            os.kill(proc.pid, signal.SIGSTOP)
        except ProcessLookupError:
            return
        if proc.poll() is not None:
            return  # it finished just before
        mine = {a.key for a in list(self.inbox.arrivals) if a.pid == proc.pid}
        if mine:
            with self.engine.connect() as db:
                sent = set(db.execute(
                    sa.text("SELECT key FROM outbox WHERE status = 'sent'")).scalars())  # fmt: skip
            for key in mine - sent:
                self.window_kills[key] += 1
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        self.kills += 1

    def round(self, now: dt.datetime, plans: list[float | str | None]) -> None:
        """One daemon per plan, started together: killed after a delay (seconds), killed when
        its next message is held at the server ("window"), or left to finish (None)."""
        started = [self.spawn(now) for _ in plans]
        procs = [p for p, _ in started]
        begin = time.monotonic()
        for proc, plan in zip(procs, plans, strict=True):
            if plan == "window":
                self.inbox.hold_next(proc.pid)  # one hold at a time: the first window plan wins
                break
        pending = dict(zip(procs, plans, strict=True))
        while any(p.poll() is None for p in procs):
            if time.monotonic() - begin > ROUND_LIMIT_S:
                for proc in procs:
                    proc.kill()
                    proc.wait(timeout=30)
                raise RuntimeError("a daemon run did not end within the round limit")
            if self.inbox.held.is_set() and self.inbox.held_pid is not None:
                held = next((p for p in procs if p.pid == self.inbox.held_pid), None)
                self.inbox.held.clear()
                if held is not None:
                    self.kill(held)
                    pending.pop(held, None)
                self.inbox.release()
            elapsed = time.monotonic() - begin
            for proc, plan in list(pending.items()):
                if isinstance(plan, float) and elapsed >= plan and proc.poll() is None:
                    self.kill(proc)
                    pending.pop(proc)
            time.sleep(0.002)
        self.inbox.release()
        idle = True
        for proc, (_, out) in zip(procs, started, strict=True):
            self.inbox.watched.discard(proc.pid)
            self.exit_codes[proc.returncode] += 1
            if proc.returncode != 0:
                idle = False
                continue
            report = json.loads(out.read_text())
            idle = idle and not report["counts"] and report["delivery"]["sent"] == 0
        self.idle = idle

    def claimed_ahead(self, now: dt.datetime) -> bool:
        """A killed daemon left a claimed message that waits until a later moment."""
        return self._pending(col(Outbox.next_attempt_at) > now) > 0

    def pending(self) -> int:
        return self._pending(sa.true())

    def _pending(self, condition: Any) -> int:
        query = sa.select(sa.func.count()).select_from(Outbox)
        with self.engine.connect() as db:
            return int(
                db.execute(query.where(col(Outbox.status) == "pending", condition)).scalar_one()
            )


def catch_up(daemons: Daemons, count: int, now: dt.datetime, limit: int = 20) -> dt.datetime:
    """Uninterrupted rounds until one does nothing and nothing waits."""
    for _ in range(limit):
        daemons.round(now, [None] * count)
        if daemons.claimed_ahead(now):
            now += RETRY_STEP
        elif daemons.idle and daemons.pending() == 0:
            return now
    raise RuntimeError("the backlog was not caught up")


def timed_run(daemons: Daemons, now: dt.datetime) -> float:
    begin = time.monotonic()
    daemons.round(now, [None])
    return time.monotonic() - begin


# --- the whole measurement -------------------------------------------------------------------

_names = iter(range(1, 1_000_000))


@dataclass
class Stores:
    """The seeded store and its copy for the reference run: configs and engines."""

    run: Path
    reference: Path
    urls: tuple[str, str]


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
    return Stores(run, reference, (run_url, reference_url))


def measure(
    backend: str,
    kills: int,
    seed_value: int,
    work: Path,
    pg_prefix: str | None = None,
    items: int = 48,
) -> Figures:
    """Seed, run the reference, run the killed daemons, count; see the module's docstring."""
    began = time.monotonic()
    figures = Figures(backend=backend, seed=seed_value)
    rng = random.Random(seed_value)
    count = 2 if backend == "postgres" else 1
    inbox = HoldingInbox()
    with smtp_server(inbox=inbox) as (_, port):
        stores = make_stores(work, port, items, pg_prefix if backend == "postgres" else None)
        engines = [store.make_engine(url) for url in stores.urls]
        try:
            reference = Daemons(stores.reference, engines[1], inbox, work / "reference")
            with_work = timed_run(reference, BASE_NOW)
            catch_up(reference, 1, BASE_NOW)
            idle = timed_run(reference, BASE_NOW)
            expected = {a.key: a.message_id for a in inbox.arrivals}
            assert len(expected) == len(inbox.arrivals), "the reference run sent a message twice"
            want = dump(engines[1])
            inbox.reset()

            daemons = Daemons(stores.run, engines[0], inbox, work / "run")
            now = BASE_NOW
            spread = 0.35 * idle + 3 * max(with_work - idle, 0.1) / max(kills, 1)
            for _ in range(kills * 4 + 50):
                if daemons.kills >= kills:
                    break
                plans: list[float | str | None] = []
                for n in range(count):
                    window = n == 0 and rng.random() < 0.3
                    plans.append("window" if window else 0.75 * idle + rng.uniform(0, spread))
                daemons.round(now, plans)
                if daemons.claimed_ahead(now):
                    now += RETRY_STEP
            catch_up(daemons, count, now)
            got = dump(engines[0])
        finally:
            for engine in engines:
                engine.dispose()
    arrivals = list(inbox.arrivals)
    per_key = Counter(a.key for a in arrivals)
    figures.kills, figures.runs = daemons.kills, daemons.runs
    figures.window_kills = sum(daemons.window_kills.values())
    figures.expected, figures.arrived = len(expected), len(arrivals)
    figures.duplicates = sum(n - 1 for n in per_key.values())
    figures.lost = len(set(expected) - set(per_key))
    figures.unexpected = sorted(set(per_key) - set(expected))
    figures.unexplained_duplicates = sorted(
        key for key, n in per_key.items() if n - 1 > daemons.window_kills[key]
    )
    figures.same_message_id = all(a.message_id == expected.get(a.key) for a in arrivals)
    figures.differences = differences(got, want)
    figures.store_identical = not figures.differences
    figures.exit_codes = daemons.exit_codes
    figures.seconds = time.monotonic() - began
    return figures


def installation_message_ids(work: Path) -> tuple[dict[str, str], dict[str, str]] | None:
    """The Message-IDs two separate installations give the same effects (same keys), or None
    when the store keeps no installation id yet."""
    inbox = HoldingInbox()
    found: list[dict[str, str]] = []
    with smtp_server(inbox=inbox) as (_, port):
        for name in ("one", "two"):
            config = write_config(work / name, port, None)
            seed(config, 6)
            engine = store.make_engine(f"sqlite:///{config.parent / 'routing.db'}")
            try:
                with engine.connect() as db:
                    has_id = db.execute(
                        sa.text("SELECT count(*) FROM setting WHERE name = 'installation_id'")
                    ).scalar_one()
                if not has_id:
                    return None
                inbox.reset()
                catch_up(Daemons(config, engine, inbox, config.parent), 1, BASE_NOW)
            finally:
                engine.dispose()
            found.append({a.key: a.message_id for a in inbox.arrivals})
    return found[0], found[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--kills", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--items", type=int, default=48)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="routing-crash-"))
    try:
        with contextlib.ExitStack() as stack:
            prefix = None
            if args.backend == "postgres":
                prefix = stack.enter_context(postgres.running_server())
            figures = measure(args.backend, args.kills, args.seed, work, prefix, args.items)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(figures.line())
    print(f"exit codes of the daemon runs: {dict(figures.exit_codes)}")
    for line in figures.differences[:20]:
        print("  differs:", line)
    for key in figures.unexplained_duplicates:
        print("  duplicate without a kill in its send window:", key)
    ok = (
        figures.lost == 0 and figures.store_identical and figures.same_message_id
        and not figures.unexplained_duplicates and not figures.unexpected
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
