"""Rule 6 in the sweep: warn once when an item's road to its target meeting is cut.

Whether an item can still make its target depends on the item (its state, the meeting it is
planned on, its history), on the calendars and routing.toml, and on the time: a plan slips when
one of its deadlines passes. So an item is not checked on every tick but when one of those
changed: `slip_watch` holds, per item with a target ahead, when to check it next (the next
deadline of its backward plan, or never until a change). Each sweep first marks as due the items
with an audit event since the last sweep (every change of an item writes one) and, when the
calendars or routing.toml changed, every item with a target ahead; then it checks the due ones,
each in a transaction of its own that also writes the item's next check. The warning's natural
key (item, target, state) keeps it to one, whoever checks how often.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from routing import calendar
from routing.effects.failures import RACES, Found, Isolated
from routing.engine import notify, planning
from routing.engine.meeting_sync import reading
from routing.engine.stored_calendars import Calendars
from routing.i18n import t
from routing.runtime import Runtime
from store import Item, activity, deadlines, queries
from store.schedule_models import MeetingRow, Setting, SlipWatch

__all__ = ["SETTING", "check_slips"]

SETTING = "slip_watch"


def check_slips(rt: Runtime, now: dt.datetime, effects: Isolated) -> None:
    _mark(rt, now)
    quiet: dict[int, dt.datetime | None] = {}  # item: its next check, nothing to warn about
    with reading(rt) as (db, calendars):
        due = deadlines.slip_watch_due(db, now)
        for item_id in due:
            key = f"slip:{item_id}"
            if key in effects.waiting or key in effects.failing:
                continue  # its own transaction decides, and records or clears the failure
            try:
                status, next_at = _assess(db, rt, calendars, item_id, now)
            except Exception:
                continue  # its own transaction below meets the fault again and records it
            if status is None or status.status != "lost":
                quiet[item_id] = next_at
            db.expunge_all()  # one item at a time in memory, however many are due
    # the checks that found nothing to say: their next moments in one short transaction
    try:
        with rt.session() as db:
            deadlines.slip_watch_set(db, quiet, now)
    except RACES:
        quiet = {}  # another daemon checked them meanwhile; the rows say what is still due
    for item_id in due:
        if item_id not in quiet:
            effects.run(f"slip:{item_id}", "slip", _work(rt, calendars, item_id, now), item_id)


def _fingerprint(rt: Runtime, db: Session) -> str:
    """routing.toml and the stored meetings up to the latest target: a meeting beyond every
    target (the horizon moving on) changes no backward plan."""
    latest = deadlines.latest_target(db)
    digest = hashlib.sha256(json.dumps(rt.config.raw, sort_keys=True, default=str).encode())
    if latest is not None:
        for row in db.exec(
            select(MeetingRow.id, MeetingRow.start_at, MeetingRow.status, MeetingRow.location)
            .where(col(MeetingRow.start_at) <= latest)
            .order_by(col(MeetingRow.id))
        ).all():
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:32]


def _mark(rt: Runtime, now: dt.datetime) -> None:
    """Mark the items whose plan may have changed since the last sweep as due now."""
    with rt.session(read=True) as db:
        fingerprint = _fingerprint(rt, db)
        state = db.get(Setting, SETTING)
        upto = deadlines.last_event_id(db)
    known = json.loads(state.value) if state is not None else {}
    if known.get("calendars") == fingerprint and known.get("event") == upto:
        return  # nothing changed: nothing to write, no write lock taken
    try:
        with rt.session() as db:
            # again, locked: another daemon may be marking (PostgreSQL; SQLite's write lock
            # already orders them)
            state = db.get(Setting, SETTING, with_for_update=True, populate_existing=True)
            known = json.loads(state.value) if state is not None else {}
            upto = deadlines.last_event_id(db)
            if known.get("calendars") == fingerprint and known.get("event") == upto:
                return
            after = known.get("event") if known.get("calendars") == fingerprint else None
            deadlines.slip_watch_mark(db, now, after_event=after, upto_event=upto)
            value = json.dumps({"calendars": fingerprint, "event": upto})
            if state is None:
                db.add(Setting(name=SETTING, value=value))
            else:
                state.value = value
                db.add(state)
    except RACES:
        return  # another daemon marked the same items at the same moment: its marks stand


def _work(
    rt: Runtime, calendars: Calendars, item_id: int, now: dt.datetime
) -> Callable[[Session], Found]:
    def work(db: Session) -> Found:
        watch = db.get(SlipWatch, item_id, with_for_update=True)
        if watch is None or watch.check_at is None or watch.check_at > now:
            return []  # checked meanwhile (another daemon)
        status, next_at = _assess(db, rt, calendars, item_id, now)
        found = _warn(db, rt, status, now) if status is not None else []
        if next_at is None:
            db.delete(watch)
        else:
            watch.check_at = next_at
            db.add(watch)
        return found

    return work


@dataclass(frozen=True)
class _Status:
    item: Item
    status: str
    target: calendar.Meeting | None
    plan: calendar.Plan | None
    earliest: calendar.Plan | None


def _assess(
    db: Session, rt: Runtime, calendars: Calendars, item_id: int, now: dt.datetime
) -> tuple[_Status | None, dt.datetime | None]:
    """Where the item stands towards its target (None: no target ahead any more), and when
    to look again (None: only a change of the item or the calendars can alter the answer)."""
    item = queries.get_item(db, item_id)
    if item is None or item.target_body is None or item.target_meeting_at is None:
        return None, None
    flow = rt.catalog.pinned(db, item.flow_version_id)
    if flow.state(item.state).final or item.target_meeting_at <= now:
        return None, None
    target = planning.target_meeting(
        calendars, item.target_body, item.target_meeting_id, item.target_meeting_at
    )
    visited = planning.visited_bodies(flow, activity.states_reached(db, item_id))
    found = planning.target_status(
        rt.config, calendars, flow, item, item.target_body, target, visited, now
    )
    status = _Status(item, found.status, found.target, found.plan, found.earliest)
    if found.status != "on-track" or found.target is None:
        return status, None  # lost (warned once), reached, off the route: time changes nothing
    # the answer changes with time only when a deadline of the plan, or the target, passes
    moments = [found.target.start]
    if found.plan is not None:
        moments.extend(step.meeting.papers_due for step in found.plan.steps)
    return status, min((m for m in moments if m > now), default=None)


def _warn(db: Session, rt: Runtime, status: _Status, now: dt.datetime) -> Found:
    """Warn once when the item can no longer make its target from where it is now."""
    item = status.item
    if status.status != "lost" or status.plan is None or status.target is None:
        return []
    plan, earliest = status.plan, status.earliest
    missed = next(
        (s for s in plan.steps if s.meeting.papers_due <= now or s.body == plan.steps[0].body),
        plan.steps[0],
    )
    target_key = status.target.meeting_id or status.target.key
    key = f"slip:{item.id}:{target_key}:{item.state}"
    label = notify.item_label(item, to_other_body=False)
    when = notify.local(status.target.start, rt.config)
    alternative = (
        notify.local(earliest.target.start, rt.config) if earliest else t("plan.none_reachable")
    )
    subject = t("slip.subject", label=label, target=when)
    text = t(
        "mail.slip_body", label=label, target=when, step=rt.config.bodies[missed.body].name,
        due=notify.local(missed.meeting.papers_due, rt.config), alternative=alternative,
    )  # fmt: skip
    if notify.enqueue(
        db, rt.config, key=key, kind="slip", recipients=notify.recipients_for(rt.config, item=item),
        subject=subject, body=text, now=now, item_id=item.id, due_at=status.target.start,
    ) is not None:  # fmt: skip
        return [("slip", subject)]
    return []
