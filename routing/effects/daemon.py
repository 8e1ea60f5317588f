"""`routing daemon`: APScheduler in the foreground as an alarm clock for the sweep.

The store's rows are the truth and APScheduler only wakes us: an interval job sweeps every few
minutes, a date job wakes at the next known due moment, and cron lines from routing.toml add
sweeps at fixed times. Its jobs live in memory only (APScheduler 3's job stores must never be
shared between processes, and a date job that misses its grace time while the process is down
is deleted), so nothing is lost when the process stops: the next sweep asks the store what is
due. SIGTERM or SIGINT ends the current sweep and stops cleanly.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from routing import i18n
from routing.effects import delivery
from routing.effects.sweep import Progress, SweepReport, next_due, sweep
from routing.runtime import Runtime

__all__ = ["Tick", "run_forever", "run_once"]

log = logging.getLogger("routing.effects.daemon")


class Tick:
    """One sweep and one delivery round; never lets an error kill the daemon."""

    def __init__(self, rt: Runtime, progress: Progress | None = None) -> None:
        self.rt = rt
        self.progress = progress
        self._lock = threading.Lock()  # interval, date and cron jobs may fire together

    def __call__(self) -> tuple[SweepReport, delivery.DeliveryReport] | None:
        if not self._lock.acquire(blocking=False):
            return None
        try:
            report, sent = run_once(self.rt, self.progress)
            log.info("sweep: %s; sent %d, retry %d, failed %d", report.summary(), sent.sent,
                     sent.retried, sent.failed)  # fmt: skip
            return report, sent
        except Exception:  # the daemon runs for months: log, and try again next tick
            log.exception("sweep failed; trying again at the next tick")
            return None
        finally:
            self._lock.release()


def run_once(
    rt: Runtime, progress: Progress | None = None
) -> tuple[SweepReport, delivery.DeliveryReport]:
    rt.recheck_schema()
    report = sweep(rt, rt.config.daemon, progress)
    sent = delivery.deliver_due(rt.engine, rt.config.notify, rt.clock.now())
    return report, sent


def run_forever(rt: Runtime, on_start: Callable[[], None] | None = None) -> None:
    settings = rt.config.daemon
    tz = rt.config.timezone
    scheduler = BlockingScheduler(timezone=tz)
    tick = Tick(rt)
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
            if not stopping.is_set():
                _arm_wake_up(scheduler, rt, job)

    job_defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        job,
        IntervalTrigger(seconds=settings.sweep_every.total_seconds(), timezone=tz),
        id="sweep",
        next_run_time=rt.clock.now(),
        **job_defaults,
    )
    for n, line in enumerate(settings.cron):
        trigger = CronTrigger.from_crontab(line, timezone=tz)
        scheduler.add_job(job, trigger, id=f"cron-{n}", **job_defaults)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping after the current sweep", signal.Signals(signum).name)
        stopping.set()
        scheduler.shutdown(wait=False)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
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
    try:
        moment = next_due(rt, rt.config.daemon)
    except Exception:
        log.exception("could not compute the next due moment; the interval sweep goes on")
        return
    if moment is None:
        return
    # One second late on purpose: the sweep compares "due <= now". A wake-up that is already
    # in the past (a clock pinned with --now) is dropped after a second rather than repeated.
    scheduler.add_job(
        job, DateTrigger(run_date=moment + dt.timedelta(seconds=1)), id="wake",
        replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=1,
    )  # fmt: skip
