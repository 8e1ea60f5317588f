"""A meeting moves, is cancelled or is added, and every item on it follows.

One change is one transaction with the caller's commit: the meeting row, its audit record
(`meeting_change`: who, when, why, through what), every item planned on it re-planned with its own
audit event, one message to the secretariat, the body and the owners of those items, and the
meeting's iTIP invitation to the body's members (`routing.engine.invitations`). The
commands (`routing meeting move|cancel|add`), a changed routing.toml and a re-imported .ics all
change meetings through these three functions, so they cannot disagree.

A moved meeting keeps its items: their reminder, papers deadline and meeting deadline are
recomputed from the new date; what was already true stays true (papers in, reminder sent), and a
papers deadline that has already passed at the new date shows the item late instead of rolling it
on. A cancelled meeting's items go to the body's next feasible meeting.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from routing.engine import invitations, notify, planning
from routing.engine.stored_calendars import Calendars, load_calendars
from routing.engine.writer import claim_item, write_item
from routing.i18n import t
from routing.runtime import Runtime
from store import Item, deadlines, queries
from store.schedule_models import MeetingChange, MeetingRow

__all__ = ["ChangeResult", "add_meeting", "cancel_meeting", "move_meeting", "replan_stranded"]

SYNC_ACTOR = "routing.toml"
MOVED_TRIGGER = "vergadering-verplaatst"
CANCELLED_TRIGGER = "vergadering-vervallen"


@dataclass(frozen=True)
class ChangeResult:
    meeting_id: int
    body: str
    kind: str  # added | moved | cancelled
    origin: str  # command | config | import
    from_at: dt.datetime | None
    to_at: dt.datetime | None
    items: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what happened to each item, in words


def _record(
    db: Session,
    row: MeetingRow,
    kind: str,
    origin: str,
    *,
    from_at: dt.datetime | None,
    to_at: dt.datetime | None,
    actor: str,
    now: dt.datetime,
    reason: str | None,
    items: int,
) -> MeetingChange:
    assert row.id is not None
    change = MeetingChange(
        meeting_id=row.id, kind=kind, origin=origin, from_at=from_at, to_at=to_at, actor=actor,
        at=now, reason=reason, items=items,
    )  # fmt: skip
    db.add(change)
    db.flush()
    return change


def _items_on(db: Session, meeting_id: int) -> list[Item]:
    return list(queries.list_items(db, ids=deadlines.item_ids_on_meeting(db, meeting_id)))


def _current_round(db: Session, item: Item) -> dict[str, str]:
    """What was already true of the item's current planning round, by deadline kind."""
    assert item.id is not None
    statuses = deadlines.round_statuses(db, item.id, item.plan)
    return {kind: status for kind, status in statuses.items() if status in ("done", "escalated")}


def _needs_papers(db: Session, rt: Runtime, item: Item) -> bool:
    return rt.catalog.pinned(db, item.flow_version_id).state(item.state).papers


def move_meeting(
    db: Session,
    rt: Runtime,
    row: MeetingRow,
    new_start: dt.datetime,
    *,
    now: dt.datetime,
    actor: str,
    reason: str | None,
    origin: str,
    location: str | None = None,
) -> ChangeResult:
    assert row.id is not None
    old_start = row.start_at
    row.start_at = new_start
    row.sequence += 1
    row.updated_at = now
    if location is not None:
        row.location = location
    db.add(row)
    db.flush()
    calendars = load_calendars(rt.config, db)
    config = rt.config
    lines: list[str] = []
    affected = _items_on(db, row.id)
    for item in affected:
        assert item.id is not None and item.planned_body is not None
        claim_item(db, item)
        meeting = calendars.by_id(item.planned_body, row.id)
        if meeting is None:  # the item's body no longer sees this meeting: plan it afresh
            lines.append(_replan(db, rt, calendars, item, now, actor, reason, MOVED_TRIGGER))
            continue
        carried = _current_round(db, item)
        deadlines.supersede_open(db, item.id, now)
        plan = item.plan + 1
        planning.write_deadlines(
            db, item.id, plan, item.planned_body, meeting, now,
            papers=planning.submits_papers(config, item.planned_body, _needs_papers(db, rt, item)),
            carried=carried,
        )  # fmt: skip
        note = t(
            "meeting.moved_note" if reason else "note.meeting_moved_plain",
            body=config.bodies[row.body].name,
            old=notify.local(old_start, config),
            new=notify.local(new_start, config),
            reason=reason,
        )
        write_item(
            db, item,
            {"planned_meeting_at": meeting.start, "planned_meeting_id": row.id, "plan": plan},
            trigger=MOVED_TRIGGER, actor=actor, now=now, note=note,
        )  # fmt: skip
        lines.append(f"{notify.item_label(item, to_other_body=True)}: {note}")
    _follow_targets(db, row.id, new_start)
    result = ChangeResult(row.id, row.body, "moved", origin, old_start, new_start,
                          [i.id for i in affected if i.id is not None], lines)  # fmt: skip
    return _finish(db, rt, row, result, affected, actor, reason, now)


def cancel_meeting(
    db: Session,
    rt: Runtime,
    row: MeetingRow,
    *,
    now: dt.datetime,
    actor: str,
    reason: str | None,
    origin: str,
) -> ChangeResult:
    assert row.id is not None
    row.status = "cancelled"
    row.sequence += 1
    row.updated_at = now
    db.add(row)
    db.flush()
    calendars = load_calendars(rt.config, db)
    affected = _items_on(db, row.id)
    lines = [
        _replan(db, rt, calendars, item, now, actor, reason, CANCELLED_TRIGGER) for item in affected
    ]
    # a target meeting that is cancelled: the target becomes the body's next meeting
    cal = calendars.for_body(row.body)
    following = [m for m in (cal.slots if cal else ()) if m.start > row.start_at]
    replacement = following[0] if following else None
    targeting = db.exec(select(Item).where(Item.target_meeting_id == row.id)).all()
    for item in targeting:
        item.target_meeting_id = replacement.meeting_id if replacement else None
        item.target_meeting_at = replacement.start if replacement else item.target_meeting_at
        db.add(item)
    result = ChangeResult(row.id, row.body, "cancelled", origin, row.start_at, None,
                          [i.id for i in affected if i.id is not None], lines)  # fmt: skip
    return _finish(db, rt, row, result, affected, actor, reason, now)


def add_meeting(
    db: Session,
    rt: Runtime,
    body: str,
    start: dt.datetime,
    *,
    now: dt.datetime,
    actor: str,
    reason: str | None,
    origin: str,
    source: str = "manual",
    source_key: str | None = None,
    location: str | None = None,
    summary: str = "",
    announce: bool = True,
) -> ChangeResult:
    row = MeetingRow(
        body=body, source=source, source_key=source_key or f"added-{uuid.uuid4().hex}",
        original_at=start, start_at=start, location=location, summary=summary,
        created_at=now, updated_at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    assert row.id is not None
    result = ChangeResult(row.id, body, "added", origin, None, start)
    if announce:
        _finish(db, rt, row, result, [], actor, reason, now)
    return result


def _finish(
    db: Session,
    rt: Runtime,
    row: MeetingRow,
    result: ChangeResult,
    affected: list[Item],
    actor: str,
    reason: str | None,
    now: dt.datetime,
) -> ChangeResult:
    """Audit the change and announce it: the same for every kind of change."""
    _record(
        db, row, result.kind, result.origin, from_at=result.from_at, to_at=result.to_at,
        actor=actor, now=now, reason=reason, items=len(affected),
    )  # fmt: skip
    _announce(db, rt, row, result, affected, reason, now)
    invitations.invite(db, rt.config, row, now)  # the members' own calendars follow
    return result


def _replan(
    db: Session,
    rt: Runtime,
    calendars: Calendars,
    item: Item,
    now: dt.datetime,
    actor: str,
    reason: str | None,
    trigger: str,
) -> str:
    """Plan an item whose meeting is gone on its body's next feasible meeting."""
    assert item.id is not None
    claim_item(db, item)
    config = rt.config
    flow = rt.catalog.pinned(db, item.flow_version_id)
    body = flow.state(item.state).body
    placement = planning.place(
        db, config, calendars, item, body, now, needs_papers=flow.state(item.state).papers
    )
    where = placement.describe(config) or ""
    if reason:
        note = t("meeting.replanned_note", where=where, reason=reason)
    else:
        note = t("note.meeting_replanned_plain", where=where)
    write_item(db, item, placement.item_values(), trigger=trigger, actor=actor, now=now, note=note)
    # the line goes in a mail to the body: where it went, without the secretariat's commands
    told = placement.describe(config, in_mail=True) or ""
    return f"{notify.item_label(item, to_other_body=True)}: {told}"


def replan_stranded(
    db: Session, rt: Runtime, calendars: Calendars, item_id: int, now: dt.datetime
) -> str:
    """An item planned on a meeting that no longer exists (e.g. a date removed from routing.toml
    before meetings had an identity) goes to its body's next feasible meeting."""
    item = queries.get_item(db, item_id)
    assert item is not None
    return _replan(db, rt, calendars, item, now, SYNC_ACTOR, None, CANCELLED_TRIGGER)


def _follow_targets(db: Session, meeting_id: int, new_start: dt.datetime) -> None:
    for item in db.exec(select(Item).where(Item.target_meeting_id == meeting_id)).all():
        item.target_meeting_at = new_start
        db.add(item)


def _announce(
    db: Session,
    rt: Runtime,
    row: MeetingRow,
    result: ChangeResult,
    items: list[Item],
    reason: str | None,
    now: dt.datetime,
) -> None:
    """One message per change: to the secretariat, the body and the owners of its items."""
    config = rt.config
    name = config.bodies[row.body].name
    when = notify.local(result.from_at or result.to_at or row.start_at, config)
    subject = t(
        f"meeting.{result.kind}_subject",
        body=name,
        when=when,
        new=notify.local(result.to_at, config) if result.to_at else "",
    )
    lines = result.lines or ([] if result.kind == "added" else [t("meeting.no_items")])
    text = t(
        f"mail.meeting-{result.kind}_body",
        body=name,
        when=when,
        new=notify.local(result.to_at, config) if result.to_at else "",
        # no reason given: no "Reden: geen" line
        reason=t("mail.meeting_reason", reason=reason) if reason else "",
        items="\n".join(f"- {line}" for line in lines),
    )
    recipients = notify.recipients_for(config, [row.body])
    for item in items:
        recipients.extend(notify.recipients_for(config, item=item))
    change = db.exec(
        select(MeetingChange.id)
        .where(MeetingChange.meeting_id == row.id)
        .order_by(col(MeetingChange.id).desc())
    ).first()
    notify.enqueue(
        db, config, key=f"meeting-{result.kind}:{row.id}:{change or row.sequence}",
        kind=f"meeting-{result.kind}", recipients=list(dict.fromkeys(recipients)),
        subject=subject, body=text, now=now, may_wait=False,  # people plan their day by it
    )  # fmt: skip
