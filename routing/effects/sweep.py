"""The sweep: everything that is due at or before "now", each effect in its own transaction.

The daemon calls it on every tick and `routing daemon --once` calls it by hand; both ask the
store what is due, so a daemon that was down for weeks catches up on its first sweep. Every
effect has a natural key (deadline id + kind, meeting + "feedback", body + period, item + target
step), written with a unique constraint: a second sweep, a second daemon or a restart does
nothing twice. Effects, in order:

1. reminders before a papers deadline (skipped when the deadline itself has passed meanwhile);
2. escalation of a passed papers / hand-over deadline to the owner and the secretariat;
3. roll-over of an item whose meeting passed without an outcome, to the body's next meeting;
4. after every supportteam / stuurgroep meeting, its feedback item (rules 1 and 3);
5. the periodic progress digest to the PFHO E&I (rule 5);
6. a warning when an item's backward plan to its target meeting slips (rule 6; which items are
   checked on a tick is `routing.effects.slips`'s);
7. reminders and overdue reports of commitments (`routing.effects.commitments`), overdue
   answers of ratifications (`routing.effects.ratifications`), and late-item exceptions nobody
   decided in time (`routing.effects.late_exceptions`);
8. the daily overviews whose moment has come (`routing.effects.daily`);
9. the heartbeat, then delivery of the outbox.

What is due is collected in read sessions, which never hold up a secretary's command; each effect
is then written in a short write session of its own, and isolated: when it fails, its transaction
is rolled back, the failure recorded with the reason and retried with back-off up to a limit
(`routing.effects.failures`), and the other effects go on in the same run.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from routing import calendar
from routing.config.daemon import DaemonSettings
from routing.effects import (
    commitments,
    daily,
    digest,
    failures,
    late_exceptions,
    ratifications,
    slips,
)
from routing.effects.failures import RACES, Found, Isolated
from routing.engine import items as engine
from routing.engine import meeting_sync, notify
from routing.engine.calendar_ends import CalendarEnd, calendar_ends, change_lines
from routing.engine.meeting_sync import reading
from routing.errors import fault_summary
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import Item, deadlines, queries
from store import late_exceptions as late_exception_rows
from store import outbox as outbox_queries
from store.schedule_models import Effect, EffectFailure, Setting

__all__ = ["SweepReport", "installed_at", "next_due", "record_installation", "sweep"]

DAEMON_ACTOR = "routing-daemon"
HEARTBEAT = outbox_queries.DAEMON_HEARTBEAT
log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    now: dt.datetime
    counts: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # "key: reason", this run's failures

    def add(self, kind: str, line: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.lines.append(line)

    def failure(self, key: str, reason: str, gave_up: bool) -> None:
        kind = "failed" if gave_up else "retry"
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.failures.append(f"{key}: {reason}")
        self.lines.append(f"⚠ {key}: {reason}")

    def summary(self) -> str:
        if not self.counts:
            return t("sweep.nothing")
        return ", ".join(f"{t('sweep.kind.' + k)}: {n}" for k, n in sorted(self.counts.items()))


Progress = Callable[[str, int, int], None]


def installed_at(db: Session) -> dt.datetime | None:
    row = db.get(Setting, "installed_at")
    return dt.datetime.fromisoformat(row.value) if row is not None else None


def record_installation(rt: Runtime) -> dt.datetime:
    """Remember when this store began (first `routing init`), from when effects start, and give
    it its installation id (part of every Message-ID) unless it has one."""
    with rt.session() as db:
        row = db.get(Setting, "installed_at")
        if row is None:
            row = Setting(name="installed_at", value=rt.clock.now().isoformat())
            db.add(row)
        notify.installation_id(db)
        return dt.datetime.fromisoformat(row.value)


def sweep(rt: Runtime, settings: DaemonSettings, progress: Progress | None = None) -> SweepReport:
    now = rt.clock.now()
    report = SweepReport(now=now)
    effects = Isolated(rt, settings, now, report)
    _calendars(rt, settings, now, report, effects)
    _deadlines(rt, settings, now, report, progress)
    _feedback_items(rt, settings, now, effects)
    _digest(rt, settings, now, effects)
    slips.check_slips(rt, now, effects)
    commitments.check_commitments(rt, settings, now, effects)
    ratifications.check_ratifications(rt, now, effects)
    late_exceptions.expire_requests(rt, now, effects)
    daily.bundle_due(rt, now, effects)
    _heartbeat(rt, now, report)
    return report


# --- deadlines: remind, escalate, roll over -------------------------------------------------


def _deadlines(
    rt: Runtime,
    settings: DaemonSettings,
    now: dt.datetime,
    report: SweepReport,
    progress: Progress | None,
) -> None:
    rollover_before = now - settings.rollover_grace
    with rt.session(read=True) as db:
        due = deadlines.due_ids(db, now, rollover_before)
    for n, deadline_id in enumerate(due, 1):
        if progress is not None:
            progress("deadlines", n, len(due))
        assert deadline_id is not None
        try:
            with rt.session() as db:
                found = _handle_deadline(db, rt, deadline_id, now)
        except RACES:
            continue
        except Exception as error:
            failures.record(report, f"deadline:{deadline_id}", error, partial(
                failures.deadline_failed, rt, settings, deadline_id, "deadline", now=now
            ))  # fmt: skip
            continue
        for kind, line in found:
            report.add(kind, line)


def _handle_deadline(db: Session, rt: Runtime, deadline_id: int, now: dt.datetime) -> Found:
    deadline = deadlines.claim(db, deadline_id)
    if deadline is None or deadline.status != "open":
        return []
    item = queries.get_item(db, deadline.item_id)
    assert item is not None and item.id is not None
    if deadline.body not in rt.config.bodies:
        raise failures.PermanentFault(
            t("fault.body_gone", body=deadline.body, id=deadline.id, item=item.id)
        )
    if deadline.kind == "meeting" and deadlines.unhandled_before_meeting(
        db, item.id, deadline.plan, now
    ):
        return []  # its reminder or escalation first (the next sweep rolls it over)
    # an escalated deadline stays missed (the board shows it late) until the papers are in
    escalates = deadline.kind in ("papers", "handover")
    deadline.status, deadline.handled_at = ("escalated" if escalates else "done"), now
    db.add(deadline)
    config = rt.config
    label = notify.item_label(item, to_other_body=False)
    body_name = config.bodies[deadline.body].name
    meeting = notify.local(deadline.meeting_at, config)
    if deadline.kind == "reminder":
        papers_due = deadlines.due_of_round(db, item.id, deadline.plan, ("papers", "handover"))
        if papers_due is not None and papers_due <= now:
            return []  # caught up after the deadline itself: the escalation says it all
        subject = t("sweep.reminder_subject", label=label, body=body_name)
        # no command in it: the owner gets it too (the secretariat knows the item by its number)
        text = t("mail.reminder_body", label=label, body=body_name, meeting=meeting,
                 due=notify.local(papers_due or deadline.due_at, config),
                 secretariat=config.secretariat_name)  # fmt: skip
        _mail(db, rt, f"reminder:{deadline.id}", "reminder", item, subject, text, now,
              due_at=papers_due or deadline.due_at)  # fmt: skip
        return [("reminder", subject)]
    if deadline.kind in ("papers", "handover"):
        subject = t(f"sweep.{deadline.kind}_late_subject", label=label, body=body_name)
        text = t(f"mail.{deadline.kind}_late_body", label=label, body=body_name, meeting=meeting,
                 due=notify.local(deadline.due_at, config),
                 secretariat=config.secretariat_name)  # fmt: skip
        # a deadline that passed cannot wait for tomorrow's overview
        _mail(db, rt, f"escalation:{deadline.id}", "escalation", item, subject, text, now,
              due_at=deadline.due_at, may_wait=False)  # fmt: skip
        return [("escalation", subject)]
    subject, where = engine.roll_over(db, rt, item, deadline, now, actor=DAEMON_ACTOR)
    return [("rollover", f"{subject}: {where}")]


def _mail(
    db: Session,
    rt: Runtime,
    key: str,
    kind: str,
    item: Item,
    subject: str,
    text: str,
    now: dt.datetime,
    *,
    due_at: dt.datetime | None = None,
    may_wait: bool = True,
) -> None:
    notify.enqueue(
        db, rt.config, key=key, kind=kind, recipients=notify.recipients_for(rt.config, item=item),
        subject=subject, body=text, now=now, item_id=item.id, due_at=due_at, may_wait=may_wait,
    )  # fmt: skip


# --- rules 1 and 3: a feedback item after every UTA meeting -------------------------------


def _feedback_items(
    rt: Runtime, settings: DaemonSettings, now: dt.datetime, effects: Isolated
) -> None:
    with reading(rt) as (db, calendars):
        since = installed_at(db)
        done = outbox_queries.effect_keys(db, "feedback")
    if since is None:
        return
    for body, flow_name in settings.feedback.items():
        cal = calendars.for_body(body)
        if cal is None:
            continue
        for meeting in calendar.meetings_between(cal, since, now + dt.timedelta(seconds=1)):
            key = f"feedback:{meeting.key}"
            if key in done or meeting.start > now:
                continue
            effects.run(
                key, "feedback", _feedback_work(rt, settings, body, flow_name, meeting, now)
            )


def _feedback_work(
    rt: Runtime,
    settings: DaemonSettings,
    body: str,
    flow_name: str,
    meeting: calendar.Meeting,
    now: dt.datetime,
) -> Callable[[Session], Found]:
    def work(db: Session) -> Found:
        item = _create_feedback(db, rt, settings, body, flow_name, meeting, now)
        db.add(Effect(key=f"feedback:{meeting.key}", kind="feedback", at=now, item_id=item.id))
        db.flush()  # a second sweep that created it first: IntegrityError, no failure
        return [("feedback", t("sweep.feedback_created", id=item.id, title=item.title))]

    return work


def _create_feedback(
    db: Session,
    rt: Runtime,
    settings: DaemonSettings,
    body: str,
    flow_name: str,
    meeting: calendar.Meeting,
    now: dt.datetime,
) -> Item:
    config = rt.config
    day = format_date(meeting.start.astimezone(config.timezone))
    spec = engine.ItemSpec(
        title=t("sweep.feedback_title", body=config.bodies[body].name, day=day),
        flow=flow_name,
        owner=settings.feedback_owner,
        asked="informatie",
        sender=body,
        origin=f"feedback:{meeting.key}",
        note=t("sweep.feedback_note", body=config.bodies[body].name, day=day),
    )
    item = engine.create_item_in(db, rt, spec, [], "informatie", now, actor=DAEMON_ACTOR)
    assert item.id is not None
    where = _placement_text(rt, item)
    subject = t("sweep.feedback_subject", title=item.title)
    text = t("sweep.feedback_body", title=item.title, id=item.id, where=where)
    _mail(db, rt, f"feedback-mail:{meeting.key}", "feedback", item, subject, text, now,
          due_at=item.planned_meeting_at)  # fmt: skip
    return item


def _placement_text(rt: Runtime, item: Item) -> str:
    if item.planned_body is None or item.planned_meeting_at is None:
        flow = rt.catalog.current.get(item.flow_name)
        body = flow.state(item.state).body if flow is not None else None
        if body is None or body not in rt.config.bodies:
            return ""  # nowhere to plan it: the title says what it is, no empty field
        year = rt.clock.now().astimezone(rt.config.timezone).year
        return t("mail.no_meeting", body=rt.config.bodies[body].name, year=year)
    return t(
        "sweep.planned_on",
        body=rt.config.bodies[item.planned_body].name,
        meeting=notify.local(item.planned_meeting_at, rt.config),
    )


# --- rule 5: periodic progress to the PFHO E&I ----------------------------------------------


def _digest(rt: Runtime, settings: DaemonSettings, now: dt.datetime, effects: Isolated) -> None:
    if settings.digest_body is None:
        return
    with rt.session(read=True) as db:
        since = installed_at(db)
    if since is None:
        return
    local_now = now.astimezone(rt.config.timezone)
    period = digest.digest_period(settings, local_now, since)
    if period is None:
        return  # installed after the last whole period ended: its first digest comes next period
    start, end, label = period
    # cut to the installation: the text then says "sinds de ingebruikname op ..."
    partial = start > settings.digest_period_before(local_now)[0]
    key = f"digest:{settings.digest_body}:{label}"
    to = settings.digest_body

    def work(db: Session) -> Found:
        if outbox_queries.effect_done(db, key):
            return []
        subject, text = digest.compose_digest(
            db, rt, start, end, label, since_installation=partial, to=to
        )
        try:
            with db.begin_nested():
                db.add(Effect(key=key, kind="digest", at=now))
                db.flush()
        except IntegrityError:
            return []
        notify.enqueue(
            db, rt.config, key=key, kind="digest", subject=subject, body=text, now=now,
            recipients=notify.recipients_for(rt.config, [to]), may_wait=False,
        )  # fmt: skip
        return [("digest", subject)]

    effects.run(key, "digest", work)


# --- the calendars: routing.toml followed, and their end visible ------------------------------


def _calendars(
    rt: Runtime,
    settings: DaemonSettings,
    now: dt.datetime,
    report: SweepReport,
    effects: Isolated,
) -> None:
    """Apply routing.toml's changed meetings (as the commands would) and warn, once per body and
    horizon, when a body's calendar runs out within `settings.calendar_warning`."""
    details: list[str] = []

    def sync(db: Session) -> Found:
        found: Found = []
        for change in meeting_sync.sync_if_needed(rt, db):
            head, *more = change_lines(rt, change)
            found.append(("meeting", head))
            details.extend(more)
        return found

    effects.run("meeting-sync", "meeting-sync", sync)
    report.lines.extend(details)
    with reading(rt) as (_, calendars):
        ends = calendar_ends(rt, calendars, now, settings.calendar_warning)
    for ending in ends:
        key = f"calendar-end:{ending.body}:{ending.last.date() if ending.last else 'none'}"

        def warn(db: Session, key: str = key, ending: CalendarEnd = ending) -> Found:
            subject = t("calendar.end_subject", body=ending.name)
            if notify.enqueue(
                db, rt.config, key=key, kind="calendar-end",
                recipients=list(rt.config.secretariat_email), subject=subject,
                body=ending.advice(), now=now,
            ) is None:  # fmt: skip
                return []
            return [("calendar", ending.advice())]

        effects.run(key, "calendar-end", warn)


# --- heartbeat and the next moment to wake up -----------------------------------------------


def _heartbeat(rt: Runtime, now: dt.datetime, report: SweepReport) -> None:
    """One atomic upsert: two daemons starting together on a fresh store both get their beat."""
    try:
        with rt.session() as db:
            outbox_queries.beat(db, HEARTBEAT, now, os.getpid(), socket.gethostname(),
                                report.summary())  # fmt: skip
    except Exception as error:
        log.error("effect heartbeat failed: %s", fault_summary(error))
        report.failure("heartbeat", fault_summary(error), gave_up=False)


def next_due(rt: Runtime, settings: DaemonSettings) -> dt.datetime | None:
    """The next moment a sweep has work: the earliest open deadline (or its next attempt, after
    a failure), the next attempt of a failing effect, the next daily overview, the next late-item
    exception's deadline, or the next UTA meeting."""
    now = rt.clock.now()
    with reading(rt) as (db, calendars):
        deadline = deadlines.next_open(db, now)
        retry = db.exec(
            select(EffectFailure.next_attempt_at)
            .where(col(EffectFailure.next_attempt_at) > now)
            .order_by(col(EffectFailure.next_attempt_at))
            .limit(1)
        ).first()
        overview = outbox_queries.next_held(db, now)
        exception = late_exception_rows.next_due(db, now)
    moments = (deadline, retry, overview, exception)
    candidates = [moment for moment in moments if moment is not None]
    for body in settings.feedback:
        cal = calendars.for_body(body)
        if cal is not None:
            upcoming = calendar.meetings_between(cal, now, now + dt.timedelta(days=400))
            candidates.extend(m.start for m in upcoming[:1])
    future = [moment for moment in candidates if moment > now]
    return min(future) if future else None
