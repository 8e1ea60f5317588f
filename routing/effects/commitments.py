"""Commitments in the sweep: a reminder to the owner before the date, a report to the secretariat
after it.

The owner of an open commitment is reminded `[daemon] commitment_reminder_days` working days
before its date (on the date itself at the latest); an open commitment whose date has passed is
reported to the secretariat. Both are messages through the outbox, with the natural keys
`toezegging:ID:herinnering` and `toezegging:ID:verlopen`, so a second sweep, a second daemon or
a restart sends nothing twice; both may wait for the daily overview like other messages. A
commitment closed before its moment gets neither. The open commitments due are read by the
index on (status, due); one reported before is skipped without a write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session

from routing.config.daemon import DaemonSettings
from routing.effects.failures import Found, Isolated
from routing.engine import notify
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import outbox as outbox_queries
from store import queries
from store.commitments import Commitment, due_open

__all__ = ["check_commitments", "overdue_key", "reminder_key"]


def reminder_key(commitment_id: int) -> str:
    return f"toezegging:{commitment_id}:herinnering"


def overdue_key(commitment_id: int) -> str:
    return f"toezegging:{commitment_id}:verlopen"


def check_commitments(
    rt: Runtime, settings: DaemonSettings, now: dt.datetime, effects: Isolated
) -> None:
    """Remind and report what is due today (the region's day)."""
    workdays = rt.config.workdays
    days = settings.commitment_reminder_days
    today = now.astimezone(rt.config.timezone).date()
    todo: list[tuple[str, str, int]] = []
    with rt.session(read=True) as db:
        for row in due_open(db, workdays.add(today, days)):
            assert row.id is not None
            if row.due < today:
                key, kind = overdue_key(row.id), "commitment-overdue"
            elif workdays.subtract(row.due, days) <= today:
                key, kind = reminder_key(row.id), "commitment-reminder"
            else:
                continue
            if not outbox_queries.written(db, key):
                todo.append((key, kind, row.id))
    for key, kind, commitment_id in todo:
        effects.run(key, kind, _work(rt, now, key, commitment_id))


def _work(
    rt: Runtime, now: dt.datetime, key: str, commitment_id: int
) -> Callable[[Session], Found]:
    def work(db: Session) -> Found:
        row = db.get(Commitment, commitment_id)
        if row is None or row.status != "open":
            return []  # closed meanwhile
        item = queries.get_item(db, row.item_id)
        assert item is not None
        config = rt.config
        fields = {
            "owner": row.owner,
            "text": row.text,
            "due": format_date(row.due, weekday=True),
            "label": notify.item_label(item, to_other_body=False),
            "made": _made(rt, row),
            "secretariat": config.secretariat_name,
        }
        overdue = key.endswith(":verlopen")
        if overdue:
            subject = t("commitment.overdue_subject", owner=row.owner, due=fields["due"])
            body = t("mail.commitment_overdue", **fields)
            recipients = list(config.secretariat_email)
        else:
            subject = t("commitment.reminder_subject", due=fields["due"])
            body = t("mail.commitment_reminder", **fields)
            recipients = [row.owner_email] if row.owner_email else list(config.secretariat_email)
        # the message is about the end of the date: a reminder waits for the overview before it
        end = dt.datetime.combine(row.due + dt.timedelta(days=1), dt.time(), config.timezone)
        if notify.enqueue(
            db, config, key=key, kind="commitment", recipients=recipients, subject=subject,
            body=body, now=now, item_id=item.id, due_at=None if overdue else end,
        ) is None:  # fmt: skip
            return []
        return [("commitment", subject)]

    return work


def _made(rt: Runtime, row: Commitment) -> str:
    """Where the commitment was made: a meeting, else the day it was recorded."""
    config = rt.config
    if row.body is not None and row.meeting_at is not None:
        body = config.bodies.get(row.body)
        return t(
            "mail.commitment_made_in",
            body=body.name if body is not None else row.body,
            date=format_date(row.meeting_at.astimezone(config.timezone).date()),
        )
    return t(
        "mail.commitment_recorded_on",
        date=format_date(row.made_at.astimezone(config.timezone).date()),
    )
