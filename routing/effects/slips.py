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

from sqlmodel import Session, col, select

from flows import FlowDefinition
from routing.effects.failures import RACES, Found, Isolated
from routing.engine import notify, planning
from routing.engine.meeting_sync import reading
from routing.engine.stored_calendars import Calendars
from routing.i18n import t
from routing.runtime import Runtime
from store import Item, deadlines, queries
from store.schedule_models import MeetingRow, Setting, SlipWatch

__all__ = ["SETTING", "check_slips"]

SETTING = "slip_watch"


def check_slips(rt: Runtime, now: dt.datetime, effects: Isolated) -> None:
    _mark(rt, now)
    with reading(rt) as (db, calendars):
        due = deadlines.slip_watch_due(db, now)
    for item_id in due:
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
        item = queries.get_item(db, item_id)
        found: Found = []
        next_at = None
        if item is not None and item.target_body is not None and item.target_meeting_at:
            flow = rt.catalog.pinned(db, item.flow_version_id)
            if not flow.state(item.state).final and item.target_meeting_at > now:
                found, next_at = _check(db, rt, calendars, flow, item, now)
        if next_at is None:
            db.delete(watch)
        else:
            watch.check_at = next_at
            db.add(watch)
        return found

    return work


def _check(
    db: Session,
    rt: Runtime,
    calendars: Calendars,
    flow: FlowDefinition,
    item: Item,
    now: dt.datetime,
) -> tuple[Found, dt.datetime | None]:
    """Warn once when the item can no longer make its target from where it is now; and when
    to look again (None: only a change of the item or the calendars can alter the answer)."""
    assert item.target_meeting_at is not None and item.target_body is not None
    target = planning.target_meeting(
        calendars, item.target_body, item.target_meeting_id, item.target_meeting_at
    )
    visited = planning.visited_bodies(flow, queries.audit_trail(db, item.id or 0))
    status = planning.target_status(
        rt.config, calendars, flow, item, item.target_body, target, visited, now
    )
    if status.status == "on-track" and status.target is not None:
        # the answer changes with time only when a deadline of the plan, or the target, passes
        moments = [status.target.start]
        if status.plan is not None:
            moments.extend(step.meeting.papers_due for step in status.plan.steps)
        return [], min((m for m in moments if m > now), default=None)
    if status.status != "lost" or status.plan is None or status.target is None:
        return [], None
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
        "slip.body", label=label, target=when, step=rt.config.bodies[missed.body].name,
        due=notify.local(missed.meeting.papers_due, rt.config), alternative=alternative, id=item.id,
    )  # fmt: skip
    if notify.enqueue(
        db, rt.config, key=key, kind="slip", recipients=notify.recipients_for(rt.config, item=item),
        subject=subject, body=text, now=now, item_id=item.id,
    ) is not None:  # fmt: skip
        return [("slip", subject)], None
    return [], None
