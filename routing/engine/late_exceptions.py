"""Late-item exceptions: the chair lets a late item join her meeting, or not.

Where a body's late policy is "exception" (`routing.engine.late_policy`), an item too late for a
meeting goes to the next one and asks the body's chair to let it join the late one: a request
(`store.late_exceptions`) with its own deadline, `[bodies.X] late_exception_lead` before that
meeting, and a mail to the chair (her [people] address; without one, the secretariat). The item
is planned on the next meeting meanwhile, so nothing is lost when nobody answers.

The chair (or an administrator) decides with `routing uitzondering ID --toestaan | --weigeren`:
granted, the item moves to the late meeting with its papers marked late (as policy "allow");
refused, it stays on the next meeting (as policy "next"). The deadline passing without a
decision counts as refused: the daemon records that and tells the secretariat, once
(`routing.effects.late_exceptions`). A request whose item took another step meanwhile can no
longer be granted. Asking, deciding and expiring are changes to the item: each goes through
`routing.engine.writer`, so the history shows who decided and when.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from routing import calendar, text
from routing.config.access import NotAllowed
from routing.config.people import owner_address
from routing.engine import notify, planning, writer
from routing.engine.meeting_sync import current_calendars
from routing.errors import RefusedByRules
from routing.i18n import t
from routing.runtime import Runtime
from store import Item
from store.deadlines import supersede_open
from store.late_exceptions import LateException, open_of_item

__all__ = ["ASKED_TRIGGER", "EXPIRED", "GRANTED", "REFUSED", "Decided", "ask", "decide"]

ASKED_TRIGGER = "uitzondering-gevraagd"  # the audit triggers of the request and its answers
GRANTED = "uitzondering-toegestaan"
REFUSED = "uitzondering-geweigerd"
EXPIRED = "uitzondering-verlopen"


@dataclass(frozen=True)
class Decided:
    request: LateException
    granted: bool
    meeting: str  # the late meeting, as the region writes it


def chair_recipients(rt: Runtime, body: str) -> list[str]:
    """Where a request goes: the chair's [people] address, else the secretariat."""
    address = owner_address(rt.config, rt.config.bodies[body].chair)
    return [address] if address else list(rt.config.secretariat_email)


def ask(
    db: Session, rt: Runtime, item: Item, placement: planning.Placement, now: dt.datetime
) -> str:
    """Record the request a placement carries (`exception_due` set) and mail the chair, in the
    caller's transaction; returns the line for the step's history and output."""
    assert placement.skipped is not None and placement.exception_due is not None
    assert item.id is not None and placement.body is not None
    config = rt.config
    meeting = placement.skipped
    row = LateException(
        item_id=item.id, body=placement.body, meeting_id=meeting.meeting_id,
        meeting_at=meeting.start, plan=placement.plan, asked_at=now, asked_by=rt.actor,
        due=placement.exception_due,
    )  # fmt: skip
    db.add(row)
    db.flush()
    body = config.bodies[placement.body]
    fields = {
        "chair": body.chair or config.secretariat_name,
        "body": body.name,
        "meeting": notify.local(meeting.start, config),
        "due": notify.local(placement.exception_due, config),
        "label": notify.item_label(item, to_other_body=True),
        "secretariat": config.secretariat_name,
    }
    notify.enqueue(
        db, config, key=f"uitzondering:{row.id}:verzoek", kind="late-exception",
        recipients=chair_recipients(rt, placement.body),
        subject=t("exception.ask_subject", **fields), body=t("mail.exception_ask", **fields),
        now=now, item_id=item.id, due_at=placement.exception_due,
    )  # fmt: skip
    return t("exception.asked", **fields)


def may_decide(rt: Runtime, body: str) -> None:
    """Only the body's chair or an administrator decides (the daemon, for an expired one)."""
    identity = rt.identity
    chair = rt.config.bodies[body].chair
    if identity.administrator or identity.service:
        return
    if chair and identity.person and identity.person.casefold() == chair.casefold():
        return
    names = [n for n in [chair, *rt.config.access.administrators] if n]
    raise NotAllowed(
        t("err.exception_access", who=identity.who, body=rt.config.bodies[body].name,
          names=", ".join(names) or t("access.nobody"))
    )  # fmt: skip


def decide(rt: Runtime, item_id: int, grant: bool, note: str | None) -> Decided:
    """Grant or refuse the item's open request. `NotFound` for an unknown item,
    `RefusedByRules` without an open request, when the item moved on since it was asked or the
    meeting has begun (granting), `NotAllowed` for anyone but the chair or an administrator."""
    if note is not None:
        note = text.checked_block("note", note).strip() or None
    now = rt.clock.now()
    with rt.session() as db:
        item = writer.claim(db, item_id)
        row = open_of_item(db, item_id)
        if row is None:
            raise RefusedByRules(t("err.exception_none", id=item_id))
        may_decide(rt, row.body)
        meeting_text = notify.local(row.meeting_at, rt.config)
        if item.plan != row.plan or item.planned_body != row.body:
            raise RefusedByRules(t("err.exception_moved", id=item_id, meeting=meeting_text))
        values: dict[str, object] = {}
        if grant:
            values = _join(db, rt, item, row, now)
        fields = {"meeting": meeting_text, "who": rt.actor,
                  "at": notify.local(now, rt.config), "note": note or ""}  # fmt: skip
        audit = t("note.exception_granted" if grant else "note.exception_refused", **fields)
        audit = f"{audit} · {note}" if note else audit
        writer.write_item(
            db, item, values, trigger=GRANTED if grant else REFUSED, actor=rt.actor, now=now,
            note=audit,
        )  # fmt: skip
        row.status = "granted" if grant else "refused"
        row.decided_at, row.decided_by, row.note = now, rt.actor, note
        db.add(row)
        db.flush()
        db.refresh(row)
        db.expunge(row)
    return Decided(row, grant, meeting_text)


def _join(
    db: Session, rt: Runtime, item: Item, row: LateException, now: dt.datetime
) -> dict[str, object]:
    """Plan the item on the late meeting, its papers marked late (as policy "allow")."""
    assert item.id is not None
    cal = current_calendars(rt, db).for_body(row.body)
    meeting = calendar.next_feasible(cal, now, needs_papers=False) if cal is not None else None
    if meeting is None or meeting.start != row.meeting_at:
        raise RefusedByRules(
            t("err.exception_begun", meeting=notify.local(row.meeting_at, rt.config))
        )
    supersede_open(db, item.id, now)
    planning.write_deadlines(
        db, item.id, item.plan + 1, row.body, meeting, now,
        papers=planning.submits_papers(rt.config, row.body, True),
        carried={"papers": "escalated"},
    )  # fmt: skip
    return {
        "planned_body": row.body, "planned_meeting_id": meeting.meeting_id,
        "planned_meeting_at": meeting.start, "plan": item.plan + 1,
    }  # fmt: skip
