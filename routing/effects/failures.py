"""When a sweep effect fails: recorded with the reason, retried with back-off, then failed.

Every effect of the sweep runs in its own transaction; when it raises, that transaction is rolled
back and this module records the failure in a new, short one: on the deadline row for a reminder,
an escalation or a roll-over, in `effect_failure` (by the effect's natural key) for the others.
The reason is one line without SQL or parameters (`routing.errors.fault_summary`). The effect is
tried again after `[daemon] retry_backoff_minutes`, doubling each time, and marked failed after
`retry_max_attempts` attempts; a `PermanentFault` (a fault no retry can mend, such as a deadline
of a body no longer in routing.toml) is failed at once with a reason that says what to fix.

`routing outbox retry` re-queues by hand: one failed message, or every failed message and every
failed sweep effect (`--failed`); who did it is logged. Only administrators may, once
routing.toml names them (`routing.config.access`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from routing.config.access import require_administrator
from routing.config.daemon import DaemonSettings
from routing.errors import (
    ConcurrentWrite,
    ItemChanged,
    NotFound,
    RefusedByRules,
    RoutingError,
    StoreBusy,
    fault_summary,
)
from routing.i18n import t
from routing.runtime import Runtime
from store import deadlines as deadline_queries
from store import outbox as outbox_queries
from store.schedule_models import Deadline, EffectFailure, Outbox

__all__ = [
    "RACES",
    "Found",
    "Isolated",
    "PermanentFault",
    "Requeued",
    "deadline_failed",
    "effect_failed",
    "permanent",
    "reason_of",
    "record",
    "retry_failed",
    "retry_message",
]

log = logging.getLogger(__name__)
# another daemon did it first, the item moved meanwhile, or the store stayed locked past the busy
# timeout (a write session turns the first and the last into ConcurrentWrite and StoreBusy): the
# next sweep decides, no failure
RACES = (IntegrityError, ItemChanged, ConcurrentWrite, StoreBusy)
Found = list[tuple[str, str]]  # what an effect did, for the sweep's report: (kind, line)


class PermanentFault(Exception):
    """An effect that cannot succeed until someone changes something: failed at once, and the
    reason says what to change."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def permanent(error: BaseException) -> bool:
    """No retry mends it: our own fault, or an error of the rules or the configuration (its
    message says what to change)."""
    return isinstance(error, PermanentFault | RoutingError)


def reason_of(error: BaseException) -> str:
    """One line: what went wrong (and, for a permanent fault, what to change); no SQL."""
    if isinstance(error, PermanentFault):
        return error.reason
    if isinstance(error, RoutingError):
        return " ".join(str(error).split())
    return fault_summary(error)


class Report(Protocol):
    def add(self, kind: str, line: str) -> None: ...

    def failure(self, key: str, reason: str, gave_up: bool) -> None: ...


class Isolated:
    """Runs each effect without a row of its own in a transaction of its own, by its key: one
    waiting for its next attempt or given up is skipped, a failure is recorded and the sweep
    goes on, a success clears an earlier failure."""

    def __init__(
        self, rt: Runtime, settings: DaemonSettings, now: dt.datetime, report: Report
    ) -> None:
        self.rt, self.settings, self.now, self.report = rt, settings, now, report
        with rt.session(read=True) as db:
            self.waiting = outbox_queries.waiting_effects(db, now)
            failing = outbox_queries.effect_failures(db, failed_only=False)
            self.failing = {row.key for row in failing}

    def run(
        self, key: str, kind: str, work: Callable[[Session], Found], item_id: int | None = None
    ) -> None:
        if key in self.waiting:
            return
        try:
            with self.rt.session() as db:
                found = work(db)
                if key in self.failing:
                    outbox_queries.failure_cleared(db, key)
        except RACES:
            return
        except Exception as error:
            record(self.report, key, error, lambda fault: effect_failed(
                self.rt, self.settings, key, kind, fault, self.now, item_id
            ))  # fmt: skip
            return
        for what, line in found:
            self.report.add(what, line)


def record(report: Report, key: str, error: Exception, write: Callable[[Exception], bool]) -> None:
    """Record a failure with `write`; when even that fails (the database is gone), say so and
    go on."""
    try:
        gave_up = write(error)
    except Exception as second:
        log.error("effect %s failed (%s); recording the failure failed too: %s",
                  key, fault_summary(error), fault_summary(second))  # fmt: skip
        gave_up = False
    report.failure(key, reason_of(error), gave_up)


def deadline_failed(
    rt: Runtime,
    settings: DaemonSettings,
    deadline_id: int,
    kind: str,
    error: BaseException,
    now: dt.datetime,
) -> bool:
    """Record a failed attempt on the deadline row; True when it is given up (failed)."""
    reason = reason_of(error)
    with rt.session() as db:
        row = db.get(Deadline, deadline_id, with_for_update=True)
        if row is None or row.status != "open":
            return False  # gone or handled meanwhile (another daemon): nothing to record
        row.attempts += 1
        row.last_error = reason
        gave_up = permanent(error) or row.attempts >= settings.retry_max_attempts
        if gave_up:
            row.status, row.handled_at, row.next_attempt_at = "failed", now, None
        else:
            row.next_attempt_at = now + settings.backoff(row.attempts)
        db.add(row)
        attempts, retry_at, item_id = row.attempts, row.next_attempt_at, row.item_id
    _log(f"{kind}:{deadline_id}", attempts, settings, retry_at, reason, item_id=item_id)
    return gave_up


def effect_failed(
    rt: Runtime,
    settings: DaemonSettings,
    key: str,
    kind: str,
    error: BaseException,
    now: dt.datetime,
    item_id: int | None = None,
) -> bool:
    """Record a failed attempt of an effect without a row of its own, by its natural key; True
    when it is given up (failed)."""
    reason = reason_of(error)
    try:
        with rt.session() as db:
            row = outbox_queries.failure(db, key)
            if row is None:
                row = EffectFailure(key=key, kind=kind, item_id=item_id, first_at=now,
                                    last_error=reason)  # fmt: skip
            row.attempts += 1
            row.last_error = reason
            gave_up = permanent(error) or row.attempts >= settings.retry_max_attempts
            if gave_up:
                row.failed_at, row.next_attempt_at = now, None
            else:
                row.next_attempt_at = now + settings.backoff(row.attempts)
            db.add(row)
            db.flush()
            attempts, retry_at = row.attempts, row.next_attempt_at
    except IntegrityError:
        return False  # another daemon recorded the same failure at this instant
    _log(key, attempts, settings, retry_at, reason, item_id=item_id)
    return gave_up


def _log(
    key: str,
    attempts: int,
    settings: DaemonSettings,
    retry_at: dt.datetime | None,
    reason: str,
    *,
    item_id: int | None,
) -> None:
    about = f" (item #{item_id})" if item_id is not None else ""
    fields = {"key": key, "item_id": item_id, "attempts": attempts, "error": reason}
    if retry_at is None:
        log.error("effect %s%s failed after %d attempt(s), given up: %s",
                  key, about, attempts, reason, extra=fields)  # fmt: skip
    else:
        log.warning(
            "effect %s%s failed (attempt %d of %d), next attempt at %s: %s", key, about,
            attempts, settings.retry_max_attempts, retry_at.isoformat(), reason, extra=fields,
        )  # fmt: skip


@dataclass
class Requeued:
    messages: list[int] = field(default_factory=list)
    deadlines: list[int] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int] | list[str]]:
        return {"messages": self.messages, "deadlines": self.deadlines, "effects": self.effects}


def retry_message(rt: Runtime, outbox_id: int) -> Requeued:
    """One failed message pending again from now (refused when it is not failed)."""
    require_administrator(rt.config.access, rt.identity, "routing outbox retry")
    now = rt.clock.now()
    if not 0 < outbox_id < 2**63:  # no row has it, and the database cannot even look it up
        raise NotFound(t("what.message"), outbox_id, t("hint.outbox"))
    with rt.session() as db:
        row = db.get(Outbox, outbox_id)
        if row is None:
            raise NotFound(t("what.message"), outbox_id, t("hint.outbox"))
        if row.status != "failed":
            raise RefusedByRules(
                t("retry.not_failed", id=outbox_id, status=t(f"outbox.{row.status}"))
            )
        outbox_queries.requeue_message(db, outbox_id, now)
        key, message_id = row.key, row.message_id
    log.warning("outbox #%d %s %s re-queued by %s", outbox_id, key, message_id, rt.actor)
    return Requeued(messages=[outbox_id])


def retry_failed(rt: Runtime) -> Requeued:
    """Every failed message pending again, every failed sweep effect tried at the next sweep."""
    require_administrator(rt.config.access, rt.identity, "routing outbox retry")
    now = rt.clock.now()
    done = Requeued()
    with rt.session() as db:
        for row in outbox_queries.rows(db, ["failed"]):
            assert row.id is not None
            done.messages.append(row.id)
            outbox_queries.requeue_message(db, row.id, now)
        done.deadlines = deadline_queries.requeue_failed(db)
        done.effects = outbox_queries.requeue_failed_effects(db)
    for outbox_id in done.messages:
        log.warning("outbox #%d re-queued by %s", outbox_id, rt.actor)
    for deadline_id in done.deadlines:
        log.warning("effect of deadline #%d re-queued by %s", deadline_id, rt.actor)
    for key in done.effects:
        log.warning("effect %s re-queued by %s", key, rt.actor)
    return done
