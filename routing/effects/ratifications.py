"""Ratifications in the sweep: an answer not given by its day is reported to the secretariat.

A ratification item still `aangevraagd` after its due day (`routing.engine.ratification`) is
reported once, through the outbox with the natural key `bekrachtiging:ID:verlopen` (ID: the
ratification row), so a second sweep, a second daemon or a restart sends nothing twice. An
answer given, or the item withdrawn, before the report stops it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from routing.effects.failures import Found, Isolated
from routing.engine import notify
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import outbox as outbox_queries
from store import queries
from store.ratifications import Ratification, overdue

__all__ = ["check_ratifications", "overdue_key"]

WAITING = "aangevraagd"


def overdue_key(ratification_id: int) -> str:
    return f"bekrachtiging:{ratification_id}:verlopen"


def check_ratifications(rt: Runtime, now: dt.datetime, effects: Isolated) -> None:
    """Report each answer whose day passed (the region's day), once."""
    today = now.astimezone(rt.config.timezone).date()
    with rt.session(read=True) as db:
        todo = [
            row.id
            for row, _ in overdue(db, today, WAITING)
            if row.id is not None and not outbox_queries.written(db, overdue_key(row.id))
        ]
    for row_id in todo:
        effects.run(overdue_key(row_id), "ratification", _work(rt, now, row_id))


def _work(rt: Runtime, now: dt.datetime, row_id: int) -> Callable[[Session], Found]:
    def work(db: Session) -> Found:
        row = db.get(Ratification, row_id)
        child = queries.get_item(db, row.child_id) if row is not None else None
        parent = queries.get_item(db, row.parent_id) if row is not None else None
        if row is None or child is None or parent is None or child.state != WAITING:
            return []  # answered or withdrawn meanwhile
        config = rt.config
        due = format_date(row.due, weekday=True)
        subject = t("ratify.overdue_subject", body=row.body_name, due=due)
        body = t(
            "mail.ratify_overdue", body=row.body_name, due=due, child=child.id,
            label=notify.item_label(parent, to_other_body=False),
            secretariat=config.secretariat_name,
        )  # fmt: skip
        queued = notify.enqueue(
            db, config, key=overdue_key(row_id), kind="ratification",
            recipients=list(config.secretariat_email), subject=subject, body=body, now=now,
            item_id=child.id,
        )  # fmt: skip
        if queued is None:
            return []
        return [("ratification", subject)]

    return work
