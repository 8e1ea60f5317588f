"""JSON-ready shapes of time: an item's backward plan, the daemon's heartbeat, a sweep's result.

Like `routing.read.items`, these are the documented `--json` output and what the views render.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from routing import calendar
from routing.engine import planning
from routing.engine.items import load_item
from routing.engine.meeting_sync import reading
from routing.engine.stored_calendars import Calendars
from routing.errors import BadInput
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import Item, activity
from store import deadlines as deadline_queries
from store import outbox as outbox_queries
from store.schedule_models import EiDecision, Heartbeat

if TYPE_CHECKING:
    from routing.effects.delivery import DeliveryReport
    from routing.effects.sweep import SweepReport

__all__ = [
    "heartbeat",
    "item_plan",
    "item_time",
    "silent_after",
    "sweep_dict",
    "target_warning",
]


def _meeting(meeting: calendar.Meeting) -> dict[str, Any]:
    return {
        "body": meeting.body,
        "start": meeting.start.isoformat(),
        "papers_due": meeting.papers_due.isoformat(),
        "key": meeting.key,
    }


def _plan(plan: calendar.Plan | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "target": _meeting(plan.target),
        "feasible": plan.feasible,
        "steps": [
            {
                "body": step.body,
                "title": step.title,
                "meeting": _meeting(step.meeting),
                "deadline": step.meeting.papers_due.isoformat(),
                "feasible": step.feasible,
            }
            for step in plan.steps
        ],
    }


def item_plan(rt: Runtime, item_id: int, target: str | None, day: dt.date | None) -> dict[str, Any]:
    """The backward plan of an item to its target (or to `target`/`day`), at any point of its
    life: a target already reached says so instead of failing."""
    now = rt.clock.now()
    with reading(rt) as (db, calendars):
        item = load_item(db, item_id)
        flow = rt.catalog.pinned(db, item.flow_version_id)
        target_body = target or item.target_body
        if target_body is None:
            raise BadInput(t("err.no_target", id=item_id))
        rt.config.body(target_body)
        meeting = _chosen_target(rt, calendars, item, target, target_body, day, now)
        visited = planning.visited_bodies(flow, activity.states_reached(db, item_id))
        status = planning.target_status(
            rt.config, calendars, flow, item, target_body, meeting, visited, now
        )
    return {
        "item": item_id,
        "title": item.title,
        "state": item.state,
        "target_body": target_body,
        "now": now.isoformat(),
        "status": status.status,
        "target": _meeting(status.target) if status.target else None,
        "plan": _plan(status.plan),
        "earliest": _plan(status.earliest),
    }


def target_warning(rt: Runtime, item_id: int) -> str | None:
    """The warning `routing new`/`edit` print at once when the target is already out of reach."""
    shaped = item_plan(rt, item_id, None, None)
    if shaped["status"] != "lost" or shaped["target"] is None:
        return None
    tz = rt.config.timezone
    target = format_date(
        dt.datetime.fromisoformat(shaped["target"]["start"]).astimezone(tz), with_time=True
    )
    earliest = shaped["earliest"]
    if earliest is None:
        return t("plan.warn_lost_none", target=target)
    later = format_date(
        dt.datetime.fromisoformat(earliest["target"]["start"]).astimezone(tz), with_time=True
    )
    return t("plan.warn_lost", target=target, earliest=later)


def _chosen_target(
    rt: Runtime,
    calendars: Calendars,
    item: Item,
    target: str | None,
    target_body: str,
    day: dt.date | None,
    now: dt.datetime,
) -> calendar.Meeting | None:
    if day is not None:
        found = calendars.meeting_on(target_body, day)
        if found is None:
            raise BadInput(
                t(
                    "err.no_meeting_on",
                    body=rt.config.bodies[target_body].name,
                    date=format_date(day),
                    key=target_body,
                )
            )
        return found
    if (target is None or target == item.target_body) and item.target_meeting_at is not None:
        return planning.target_meeting(
            calendars, target_body, item.target_meeting_id, item.target_meeting_at
        )
    upcoming = calendars.meetings_between(now, now + dt.timedelta(days=400), [target_body])
    return upcoming[0] if upcoming else None


def item_time(rt: Runtime, item_id: int) -> dict[str, Any]:
    """Deadlines ahead, E&I decisions and notifications of one item (for `routing show`)."""
    now = rt.clock.now()
    with rt.session(read=True) as db:
        item = load_item(db, item_id)
        ahead = deadline_queries.of_item(db, item_id)
        decisions = db.exec(select(EiDecision).where(EiDecision.item_id == item_id)).all()
        messages = outbox_queries.by_item(db, item_id)
        return {
            "planned": (
                {"body": item.planned_body, "meeting": item.planned_meeting_at.isoformat()}
                if item.planned_body and item.planned_meeting_at
                else None
            ),
            "target": (
                {"body": item.target_body, "meeting": item.target_meeting_at.isoformat()}
                if item.target_body and item.target_meeting_at
                else None
            ),
            "deadlines": [
                {
                    "kind": d.kind,
                    "missed": planning.missed(d, now),
                    "body": d.body,
                    "due": d.due_at.isoformat(),
                    "meeting": d.meeting_at.isoformat(),
                }
                for d in ahead
            ],
            "ei": [
                {
                    "body": d.body,
                    "inform": d.inform,
                    "decided_by": d.decided_by,
                    "reason": d.reason,
                    "at": d.at.isoformat(),
                }
                for d in decisions
            ],
            "notifications": [
                {
                    "id": m.id,
                    "kind": m.kind,
                    "subject": m.subject,
                    "recipients": list(m.recipients),
                    "status": m.status,
                    "attempts": m.attempts,
                    "sent_at": m.sent_at.isoformat() if m.sent_at else None,
                    "last_error": m.last_error,
                }
                for m in messages
            ],
        }


def silent_after(rt: Runtime) -> dt.timedelta:
    """How old the last heartbeat may be before the daemon counts as silent: three missed
    sweeps and a minute's grace (a sweep of a large catch-up takes a while)."""
    return 3 * rt.config.daemon.sweep_every + dt.timedelta(seconds=60)


def heartbeat(rt: Runtime) -> dict[str, Any]:
    """The last sweep's trace; `alive` is false when there is none or it is older than
    `silent_after` (`routing daemon --status` exits 1 then)."""
    now = rt.clock.now()
    limit = round(silent_after(rt).total_seconds())
    with rt.session(read=True) as db:
        row = db.get(Heartbeat, outbox_queries.DAEMON_HEARTBEAT)
        if row is None:
            return {"at": None, "age_seconds": None, "silent": True, "alive": False,
                    "silent_after_seconds": limit, "sweeps": 0, "summary": ""}  # fmt: skip
        age = (now - row.at).total_seconds()
        silent = age > limit
        return {
            "at": row.at.isoformat(),
            "age_seconds": round(age),
            "silent": silent,
            "alive": not silent,
            "silent_after_seconds": limit,
            "pid": row.pid,
            "host": row.host,
            "sweeps": row.sweeps,
            "summary": row.summary,
        }


def sweep_dict(report: SweepReport, sent: DeliveryReport) -> dict[str, Any]:
    return {
        "now": report.now.isoformat(),
        "counts": dict(report.counts),
        "lines": list(report.lines),
        "failures": list(report.failures),
        "delivery": {
            "sent": sent.sent,
            "retried": sent.retried,
            "failed": sent.failed,
            "errors": list(sent.errors),
        },
    }
