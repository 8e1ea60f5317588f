"""Late-item exceptions in the sweep: a request nobody decided by its deadline counts as refused.

A request (`routing.engine.late_exceptions`) still undecided when its deadline has passed is
marked expired, recorded in the item's history (trigger `uitzondering-verlopen`, by the daemon)
and reported to the secretariat: the item stays on the next meeting, where it was planned when
it asked. The row's status is the guard and the message has the natural key
`uitzondering:ID:verlopen`, so a second sweep, a second daemon or a restart does it once. A
request whose item took another step meanwhile expires without a message: nobody waits for it.
The undecided requests due are read by the index on (status, due).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from routing.effects.failures import Found, Isolated
from routing.engine import notify, writer
from routing.engine.late_exceptions import EXPIRED
from routing.i18n import t
from routing.runtime import Runtime
from store.late_exceptions import ASKED, LateException, asked_due

__all__ = ["expire_requests", "expired_key"]


def expired_key(request_id: int) -> str:
    return f"uitzondering:{request_id}:verlopen"


def expire_requests(rt: Runtime, now: dt.datetime, effects: Isolated) -> None:
    """Expire the undecided requests whose deadline has passed."""
    with rt.session(read=True) as db:
        due = [row.id for row in asked_due(db, now) if row.id is not None]
    for request_id in due:
        effects.run(expired_key(request_id), "late-exception", _work(rt, now, request_id))


def _work(rt: Runtime, now: dt.datetime, request_id: int) -> Callable[[Session], Found]:
    def work(db: Session) -> Found:
        first = db.get(LateException, request_id)
        if first is None or first.status != ASKED:
            return []
        item = writer.claim(db, first.item_id)  # the lock order: audit head, then the item
        row = db.get(LateException, request_id, populate_existing=True, with_for_update=True)
        if row is None or row.status != ASKED:
            return []  # decided meanwhile
        row.status, row.decided_at, row.decided_by = "expired", now, rt.actor
        db.add(row)
        if item.plan != row.plan or item.planned_body != row.body:
            return []  # the item moved on: nobody waits for this answer
        config = rt.config
        fields = {
            "body": config.bodies[row.body].name if row.body in config.bodies else row.body,
            "meeting": notify.local(row.meeting_at, config),
            "due": notify.local(row.due, config),
            "label": notify.item_label(item, to_other_body=False),
            "next": notify.local(item.planned_meeting_at, config)
            if item.planned_meeting_at is not None
            else "-",
            "secretariat": config.secretariat_name,
        }
        note = t("note.exception_expired", **fields)
        writer.write_item(db, item, {}, trigger=EXPIRED, actor=rt.actor, now=now, note=note)
        subject = t("exception.expired_subject", **fields)
        if notify.enqueue(
            db, config, key=expired_key(request_id), kind="late-exception",
            recipients=list(config.secretariat_email), subject=subject,
            body=t("mail.exception_expired", **fields), now=now, item_id=item.id,
        ) is None:  # fmt: skip
            return []
        return [("late-exception", subject)]

    return work
