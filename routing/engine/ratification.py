"""Ratification (bekrachtiging): a decision that the bodies of a configured group must ratify.

When an item leaves a flow state that says `ratification = { by = GROUP, lead = L }` (the
decision is taken), every body of `[ratification.GROUP]` is asked: one child item per body in
the shipped `bekrachtiging` flow (aangevraagd → akkoord | niet-akkoord | ingetrokken), its
answer due L after the decision (days or working days, as other leads), linked to the parent
in the `ratification` table. All in the parent's step's transaction, each child's creation
audited by the writer; (parent, body, step event) is the natural key, so a step asks once.

The answers are the children's own steps (`routing move CHILD akkoord`); `summary` counts them
for the parent ("3 van 7 colleges akkoord"). Undoing the parent's step is refused while a
child it asked is still open or answered: withdraw those first (`intrekken`), so no answer is
ever silently lost (`routing.engine.undo`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from flows.schema import Ratify
from routing.calendar.working_days import Lead
from routing.i18n import t
from routing.runtime import Runtime
from store import AuditEvent, Item
from store.ratifications import Ratification, children, of_event

__all__ = ["FLOW", "WITHDRAWN", "ask", "blocking_undo", "due_after", "summary"]

FLOW = "bekrachtiging"
AGREED, REFUSED, WITHDRAWN = "akkoord", "niet-akkoord", "ingetrokken"


def due_after(rt: Runtime, lead: str, now: dt.datetime) -> dt.date:
    """The day an answer is due: `lead` after the decision's (local) day."""
    day = now.astimezone(rt.config.timezone).date()
    return Lead.parse(lead).after(day, rt.config.workdays)


def ask(
    db: Session,
    rt: Runtime,
    parent: Item,
    asked: Ratify,
    event: AuditEvent,
    *,
    now: dt.datetime,
    actor: str,
) -> list[str]:
    """Ask every body of `asked.by` to ratify `parent`'s decision taken by `event`; returns the
    effect lines. Does nothing for a step that already asked (exactly once)."""
    # items calls ask: imported here, not at the top, to keep the modules out of a cycle
    from routing.engine.items import ItemSpec, create_item_in  # noqa: PLC0415

    assert parent.id is not None and event.id is not None
    group = rt.config.ratification[asked.by]
    if of_event(db, event.id):
        return []
    due = due_after(rt, asked.lead, now)
    for body, name in group.bodies.items():
        spec = ItemSpec(
            title=t("ratify.child_title", title=parent.title, body=name),
            flow=FLOW,
            kenmerk=parent.kenmerk,
            note=t("ratify.child_note", id=parent.id),
        )
        child = create_item_in(db, rt, spec, [], spec.asked, now, actor=actor)
        assert child.id is not None
        db.add(
            Ratification(
                parent_id=parent.id, child_id=child.id, event_id=event.id, grp=group.key,
                body=body, body_name=name, due=due,
            )
        )  # fmt: skip
    db.flush()
    return [t("ratify.effect", n=len(group.bodies), group=group.title, due=due.isoformat())]


def summary(rt: Runtime, db: Session, parent_id: int) -> dict[str, Any] | None:
    """The answers so far: asked, agreed, refused, open (withdrawn ones are not counted),
    the line "3 van 7 colleges akkoord", and one row per body; None when none was asked."""
    rows = [(r, c) for r, c in children(db, parent_id) if c.state != WITHDRAWN]
    if not rows:
        return None
    agreed = sum(1 for _, c in rows if c.state == AGREED)
    refused = sum(1 for _, c in rows if c.state == REFUSED)
    group = rows[-1][0].grp
    title = rt.config.ratification[group].title if group in rt.config.ratification else group
    return {
        "asked": len(rows),
        "agreed": agreed,
        "refused": refused,
        "open": len(rows) - agreed - refused,
        "line": t("ratify.line", agreed=agreed, asked=len(rows), group=title),
        "bodies": [
            {
                "body": r.body,
                "name": r.body_name,
                "item": c.id,
                "state": c.state,
                "due": r.due.isoformat(),
            }
            for r, c in rows
        ],
    }


def blocking_undo(db: Session, event_id: int) -> list[int]:
    """The children a step asked that are not withdrawn: they stand in the way of its undo."""
    found = []
    for row in of_event(db, event_id):
        child = db.get(Item, row.child_id)
        if child is not None and child.state != WITHDRAWN:
            found.append(row.child_id)
    return found
