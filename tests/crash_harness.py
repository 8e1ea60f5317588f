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

The same seed gives the same plan of kills (delays, aims at the send window); where a kill
lands in the work also depends on the machine's speed at that moment. The clock is driven
with `--now`; a message a killed daemon had claimed is retried ten minutes
later, so after such a kill the next daemons run 11 minutes later (the window chosen has no new
due moments in it). Run by hand for the figures:

    .venv/bin/python -m tests.crash_harness --backend sqlite --kills 60 --seed 1
    .venv/bin/python -m tests.crash_harness --backend postgres --kills 60 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col

import store
from store import audit_chain
from store.schedule_models import Outbox
from tests import postgres
from tests.crash_store import differences, dump, make_stores, seed, write_config
from tests.smtp import HoldingInbox, smtp_server

ROUTING = shutil.which("routing", path=str(Path(sys.executable).parent)) or "routing"
# a Sunday: every backlog effect is due, and nothing new falls due for more than a day after
BASE_NOW = dt.datetime(2024, 4, 14, 0, 5, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(dt.UTC)
RETRY_STEP = dt.timedelta(minutes=11)  # delivery pushes a claimed message 10 minutes ahead
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
    lost_keys: list[str] = field(default_factory=list)
    runs: int = 0
    seconds: float = 0.0
    store_identical: bool = False
    audit_chain_intact: bool = False  # no kill left the hash chain broken
    same_message_id: bool = False
    unexplained_duplicates: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    exit_codes: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)  # PostgreSQL databases it made
    unattributed: int = 0  # arrivals whose sender was not found (the harness could not tell)

    def line(self) -> str:
        return (
            f"{self.backend}: kills {self.kills}, kills inside the send window "
            f"{self.window_kills}, messages expected {self.expected}, arrived {self.arrived}, "
            f"duplicates {self.duplicates}, lost {self.lost}, runs {self.runs}, "
            f"seconds {self.seconds:.1f}; store identical to the reference: "
            f"{self.store_identical}; audit chain intact: {self.audit_chain_intact}; "
            f"duplicates with the same Message-ID: {self.same_message_id}"
        )


# --- real daemons, killed ------------------------------------------------------------------


class Daemons:
    """`routing daemon --once` processes on one store; kills them and tells whose kill fell
    inside a send window (a message of that process arrived, its row not marked sent)."""

    def __init__(
        self, config: Path, engine: sa.Engine, inbox: HoldingInbox, port: int, work: Path
    ) -> None:
        self.config, self.engine, self.inbox, self.work = config, engine, inbox, work
        self.port = port
        self.window_kills: Counter[str] = Counter()  # key -> kills inside its send window
        self.kills = 0
        self.runs = 0
        self.exit_codes: Counter[int] = Counter()
        self.idle = False  # the last round did nothing at all
        self.completed: list[float] = []  # how long the last round's unkilled runs took
        self.failures: list[str] = []  # what a run said that ended other than done or killed

    def spawn(self, now: dt.datetime) -> tuple[subprocess.Popen[bytes], Path]:
        self.runs += 1
        out = self.work / f"run-{self.runs}.json"
        err = out.with_suffix(".err")
        env = {**os.environ, "ROUTING_CONFIG": str(self.config), "ROUTING_LANG": "nl"}
        env.pop("ROUTING_DATABASE_URL", None)
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen(
                [ROUTING, "daemon", "--once", "--json", "--now", now.isoformat(timespec="seconds")],
                stdout=stdout, stderr=stderr, env=env, cwd=self.config.parent,
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
        self.inbox.settle(self.port, proc.pid)  # what it sent is recorded at the server
        mine = {a.key for a in list(self.inbox.arrivals) if a.pid == proc.pid}
        if mine:
            with store.reader(self.engine).connect() as db:
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
        windows = [p for p, plan in zip(procs, plans, strict=True) if plan == "window"]
        if windows:
            self.inbox.hold_next(windows[0].pid)  # one hold at a time: the first one
        begin = time.monotonic()
        delays = {p: plan for p, plan in zip(procs, plans, strict=True) if isinstance(plan, float)}
        ended: dict[subprocess.Popen[bytes], float] = {}
        while len(ended) < len(procs):
            if time.monotonic() - begin > ROUND_LIMIT_S:
                for proc in procs:
                    proc.kill()
                    proc.wait(timeout=30)
                raise RuntimeError("a daemon run did not end within the round limit")
            self._kill_held(procs)
            for proc, delay in list(delays.items()):
                if time.monotonic() - begin >= delay:
                    self.kill(proc)
                    del delays[proc]
            for proc in procs:
                if proc not in ended and proc.poll() is not None:
                    ended[proc] = time.monotonic()
            time.sleep(0.002)
        self.inbox.release()
        self._collect(started, {p: t - begin for p, t in ended.items()})

    def _kill_held(self, procs: list[subprocess.Popen[bytes]]) -> None:
        if self.inbox.held.is_set() and self.inbox.held_pid is not None:
            held = next((p for p in procs if p.pid == self.inbox.held_pid), None)
            self.inbox.held.clear()
            if held is not None:
                self.kill(held)
            self.inbox.release()

    def _collect(
        self,
        started: list[tuple[subprocess.Popen[bytes], Path]],
        took: dict[subprocess.Popen[bytes], float],
    ) -> None:
        idle = True
        self.completed = []
        for proc, out in started:
            self.inbox.watched.discard(proc.pid)
            self.exit_codes[proc.returncode] += 1
            if proc.returncode != 0:
                idle = False
                if proc.returncode != -signal.SIGKILL:
                    said = out.with_suffix(".err").read_text(errors="replace").strip()
                    self.failures.append(f"exit {proc.returncode}: {said[-500:]}")
                continue
            self.completed.append(took[proc])
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
        with store.reader(self.engine).connect() as db:
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


def kill_repeatedly(
    daemons: Daemons,
    rng: random.Random,
    kills: int,
    count: int,
    idle: float,
    with_work: float,
    expected: int,
) -> dt.datetime:
    """Rounds of `count` daemons, killed, until `kills` kills; returns the clock reached.

    Kill moments run from late in the start-up over the work, so that the kills are spread over
    the whole backlog; a third are aimed at the send window while mail is still due."""
    now = BASE_NOW
    work_s = max(with_work - idle, 0.2)
    for _ in range(kills * 4 + 50):
        if daemons.kills >= kills:
            break
        mail_due = len({a.key for a in daemons.inbox.arrivals}) < expected
        plans: list[float | str | None] = []
        for n in range(count):
            window = n == 0 and mail_due and rng.random() < 0.3
            delay = rng.uniform(0.8, 1.0) * idle + rng.uniform(0, 2.5 * work_s / kills)
            plans.append("window" if window else delay)
        daemons.round(now, plans)
        if not mail_due:  # an idle run's length follows the machine's load
            for seconds in daemons.completed:
                idle = 0.7 * idle + 0.3 * seconds
        if daemons.claimed_ahead(now):
            now += RETRY_STEP
    return now


def timed_run(daemons: Daemons, now: dt.datetime) -> float:
    begin = time.monotonic()
    daemons.round(now, [None])
    return time.monotonic() - begin


# --- the whole measurement -------------------------------------------------------------------


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
        if backend == "postgres":
            figures.databases = [url.rsplit("/", 1)[1] for url in (*stores.urls, stores.seed_url)]
        try:
            reference = Daemons(stores.reference, engines[1], inbox, port, work / "reference")
            with_work = timed_run(reference, BASE_NOW)
            catch_up(reference, 1, BASE_NOW)
            idle = min(reference.completed)  # the last round had nothing to do
            expected = {a.key: a.message_id for a in inbox.arrivals}
            assert len(expected) == len(inbox.arrivals), "the reference run sent a message twice"
            want = dump(engines[1])
            inbox.reset()

            daemons = Daemons(stores.run, engines[0], inbox, port, work / "run")
            now = kill_repeatedly(daemons, rng, kills, count, idle, with_work, len(expected))
            catch_up(daemons, count, now)
            got = dump(engines[0])
            with store.session(engines[0], write=False) as db:
                figures.audit_chain_intact = audit_chain.verify(db).intact
        finally:
            for engine in engines:
                engine.dispose()
    arrivals = list(inbox.arrivals)
    per_key = Counter(a.key for a in arrivals)
    figures.kills, figures.runs = daemons.kills, daemons.runs
    figures.window_kills = sum(daemons.window_kills.values())
    figures.expected, figures.arrived = len(expected), len(arrivals)
    figures.duplicates = sum(n - 1 for n in per_key.values())
    figures.lost_keys = sorted(set(expected) - set(per_key))
    figures.lost = len(figures.lost_keys)
    figures.unexpected = sorted(set(per_key) - set(expected))
    figures.unexplained_duplicates = sorted(
        key for key, n in per_key.items() if n - 1 > daemons.window_kills[key]
    )
    figures.same_message_id = all(a.message_id == expected.get(a.key) for a in arrivals)
    figures.differences = differences(got, want)
    figures.store_identical = not figures.differences
    figures.exit_codes = daemons.exit_codes
    figures.failures = daemons.failures
    figures.unattributed = sum(1 for a in arrivals if a.pid is None)
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
                catch_up(Daemons(config, engine, inbox, port, config.parent), 1, BASE_NOW)
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
    print(f"exit codes of the daemon runs: {dict(figures.exit_codes)}, "
          f"arrivals without a known sender: {figures.unattributed}")  # fmt: skip
    for line in figures.differences[:20]:
        print("  differs:", line)
    for failure in figures.failures:
        print("  a daemon run failed:", failure)
    for key in figures.lost_keys:
        print("  lost:", key)
    for key in figures.unexplained_duplicates:
        print("  duplicate without a kill in its send window:", key)
    ok = (
        figures.lost == 0 and figures.store_identical and figures.audit_chain_intact
        and figures.same_message_id
        and not figures.unexplained_duplicates and not figures.unexpected and not figures.failures
    )  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
