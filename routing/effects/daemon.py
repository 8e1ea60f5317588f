"""`routing daemon`: APScheduler in the foreground as an alarm clock for the sweep.

The store's rows are the truth and APScheduler only wakes us: an interval job sweeps every few
minutes, a date job wakes at the next known due moment, and cron lines from routing.toml add
sweeps at fixed times. Its jobs live in memory only (APScheduler 3's job stores must never be
shared between processes, and a date job that misses its grace time while the process is down
is deleted), so nothing is lost when the process stops: the next sweep asks the store what is
due. SIGTERM or SIGINT ends the current sweep and stops cleanly.

Nothing stops the daemon but a signal. A database that cannot be reached is logged once, in
one line, then at most once a minute while it stays away, and once when it is back; the next
tick simply sweeps again. A delivery that fails is logged (the row keeps the reason and its
retry; `routing.effects.delivery` writes that line). The log's set-up and its language are
`routing.effects.logs`'s.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from routing import i18n
from routing.clock import FixedClock
from routing.effects import delivery
from routing.effects.sweep import Progress, SweepReport, next_due, sweep
from routing.errors import RoutingError
from routing.runtime import (
    DatabaseNotReady,
    DatabaseUnreachable,
    Runtime,
    database_unreachable,
)

__all__ = ["Outage", "Tick", "channel_text", "log_start", "run_forever", "run_once"]

log = logging.getLogger(__name__)

# while the database stays away, at most one line per this many seconds
OUTAGE_LOG_EVERY = 60.0


class Outage:
    """Whether the last tick could reach a working database, and what has been said about it:
    one line when it goes, at most one a minute while it stays away, one when it is back."""

    def __init__(
        self, every: float = OUTAGE_LOG_EVERY, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self.monotonic = monotonic
        self.since: float | None = None
        self._said_at = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, message: str, retry_seconds: float) -> None:
        now = self.monotonic()
        if self.since is None:
            self.since = self._said_at = now
            log.error("%s; the daemon keeps running and tries again every %ds", message,
                      round(retry_seconds), extra={"error": message})  # fmt: skip
        elif now - self._said_at >= self.every:
            self._said_at = now
            down = round(now - self.since)
            log.warning("still %s (for %ds)", message, down,
                        extra={"error": message, "down_seconds": down})  # fmt: skip

    def recovered(self) -> None:
        if self.since is None:
            return
        down = round(self.monotonic() - self.since)
        self.since = None
        log.info("database reachable again after %ds; sweeping resumes", down,
                 extra={"down_seconds": down})  # fmt: skip


def _trouble(error: BaseException, rt: Runtime) -> str | None:
    """The one line for a database that cannot be used (None: not that kind of error)."""
    if isinstance(error, DatabaseUnreachable | DatabaseNotReady):
        what = "not reachable" if isinstance(error, DatabaseUnreachable) else "not ready"
        advice = "" if isinstance(error, DatabaseUnreachable) else " (run 'routing init')"
        return f"database {what}: {error.url}: {error.detail}{advice}"
    if database_unreachable(error):
        orig = getattr(error, "orig", None) or error
        detail = " ".join(str(orig).split()) or type(orig).__name__
        return f"database not reachable: {rt.display_url}: {detail[:300]}"
    if isinstance(error, RoutingError):  # e.g. a schema newer than the code: the admin acts
        return f"database not usable: {' '.join(str(error).split())}"
    return None


class Tick:
    """One sweep and one delivery round; never lets an error kill the daemon."""

    def __init__(
        self,
        rt: Runtime,
        progress: Progress | None = None,
        outage: Outage | None = None,
        retry_seconds: float | None = None,
    ) -> None:
        self.rt = rt
        self.progress = progress
        self.outage = outage or Outage()
        self.retry_seconds = retry_seconds or rt.config.daemon.sweep_every.total_seconds()
        self._lock = threading.Lock()  # interval, date and cron jobs may fire together

    def __call__(self) -> tuple[SweepReport, delivery.DeliveryReport] | None:
        if not self._lock.acquire(blocking=False):
            return None
        try:
            report, sent = run_once(self.rt, self.progress)
        except Exception as error:  # the daemon runs for months: log, and try again next tick
            trouble = _trouble(error, self.rt)
            if trouble is None:
                log.exception("sweep failed; trying again at the next tick")
            else:
                self.outage.failed(trouble, self.retry_seconds)
            return None
        finally:
            self._lock.release()
        self.outage.recovered()
        _log_sweep(report, sent)
        return report, sent


def _log_sweep(report: SweepReport, sent: delivery.DeliveryReport) -> None:
    counts = dict(sorted(report.counts.items()))
    done = ", ".join(f"{kind} {n}" for kind, n in counts.items()) or "nothing due"
    log.info("sweep: %s; sent %d, retry %d, failed %d", done, sent.sent, sent.retried,
             sent.failed, extra={"counts": counts, "sent": sent.sent, "retried": sent.retried,
                                 "failed": sent.failed})  # fmt: skip


def channel_text(rt: Runtime) -> str:
    notify = rt.config.notify
    if notify.channel == "smtp":
        return f"smtp {notify.smtp_host}:{notify.smtp_port}"
    return f"file {notify.folder}"


def log_start(rt: Runtime, every: dt.timedelta) -> None:
    """The one line that says what this daemon works with (the password masked)."""
    seconds = round(every.total_seconds())
    log.info(
        "routing daemon started: config %s, database %s, channel %s, sweep every %ds, pid %d",
        rt.config.path, rt.display_url, channel_text(rt), seconds, os.getpid(),
        extra={"config": str(rt.config.path), "database": rt.display_url,
               "channel": channel_text(rt), "interval_seconds": seconds, "pid": os.getpid()},
    )  # fmt: skip


def run_once(
    rt: Runtime, progress: Progress | None = None
) -> tuple[SweepReport, delivery.DeliveryReport]:
    rt.recheck_schema()
    report = sweep(rt, rt.config.daemon, progress)
    sent = delivery.deliver_due(rt.engine, rt.config.notify, rt.clock.now())
    return report, sent


def run_forever(
    rt: Runtime,
    on_start: Callable[[], None] | None = None,
    every: dt.timedelta | None = None,
) -> None:
    """Sweep every `every` (else `[daemon] sweep_every_minutes`) until SIGTERM or SIGINT."""
    settings = rt.config.daemon
    every = every or settings.sweep_every
    tz = rt.config.timezone
    scheduler = BlockingScheduler(timezone=tz)
    tick = Tick(rt, retry_seconds=every.total_seconds())
    busy = threading.Lock()  # held for a whole job, so a stop waits for the sweep in flight
    stopping = threading.Event()
    # the language is per context; APScheduler runs jobs in its own threads, which start with
    # the default: give them the language the command chose
    language = i18n.current_language()

    def job() -> None:
        with busy:
            if stopping.is_set():
                return
            i18n.set_language(language)
            tick()
            if not stopping.is_set() and not tick.outage.down:
                _arm_wake_up(scheduler, rt, job)

    job_defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    # The interval counts in the scheduler's own (real) time from the start, and a date job
    # without a date sweeps at once. Never a first run at the command's clock: a --now in the
    # past would make APScheduler count every missed interval since then before it runs.
    scheduler.add_job(
        job, IntervalTrigger(seconds=every.total_seconds(), timezone=tz), id="sweep",
        **job_defaults,
    )  # fmt: skip
    scheduler.add_job(job, DateTrigger(timezone=tz), id="first", **job_defaults)
    for n, line in enumerate(settings.cron):
        trigger = CronTrigger.from_crontab(line, timezone=tz)
        scheduler.add_job(job, trigger, id=f"cron-{n}", **job_defaults)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping after the current sweep", signal.Signals(signum).name)
        stopping.set()
        # not in the handler itself: it interrupts the scheduler's loop in this very thread,
        # which may be halfway through its jobs; another thread waits for the loop's lock
        threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, name="stop").start()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    log_start(rt, every)
    try:
        if on_start is not None:
            on_start()
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    with busy:  # wait for a sweep still running in a worker thread
        pass
    log.info("stopped")


def _arm_wake_up(scheduler: BlockingScheduler, rt: Runtime, job: Callable[[], None]) -> None:
    if isinstance(rt.clock, FixedClock):
        return  # a pinned --now: its time never passes, so nothing falls due between sweeps
    try:
        moment = next_due(rt, rt.config.daemon)
    except Exception as error:
        if _trouble(error, rt) is None:
            log.exception("could not compute the next due moment; the interval sweep goes on")
        return  # the database went away just now: the next tick says so
    if moment is None:
        return
    # One second late on purpose: the sweep compares "due <= now". A wake-up that is already
    # in the past (the system clock was set back) is dropped after a second, not repeated.
    scheduler.add_job(
        job, DateTrigger(run_date=moment + dt.timedelta(seconds=1)), id="wake",
        replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=1,
    )  # fmt: skip
