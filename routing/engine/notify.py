"""Composing notifications and putting them in the outbox.

A notification is written in the transaction of the effect that causes it and sent later by
`routing.effects.delivery`; its natural key makes a second attempt a no-op. How an item is named
for another body is decided in `routing.engine.confidentiality`.

Every address gets its mail directly or in a daily overview (`routing.config.notify`). The
recipients who want it directly share one row, keyed by the effect's key as before; for each
address that gets the overview a row `KEY>ADDRESS` is held until the next overview moment
(`next_overview`), which `routing.effects.daily` bundles. A message that cannot wait is sent to
everyone at once: the caller says so (`may_wait=False`: escalations of a passed deadline, changes
to a meeting, the periodic report to E&I), and so is one about a moment that comes before the
next overview (a reminder of papers due at 07:00 when the overview goes at 07:30).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from routing.config.file import Config
from routing.config.notify import DIRECT, mail_mode
from routing.config.people import owner_address
from routing.engine import confidentiality
from routing.engine.confidentiality import Audience
from routing.i18n import format_date
from store import Item
from store import outbox as outbox_queries
from store.schedule_models import Outbox, Setting

__all__ = [
    "enqueue",
    "installation_id",
    "item_label",
    "local",
    "message_id_for",
    "next_overview",
    "recipients_for",
]

INSTALLATION_ID = "installation_id"


def installation_id(db: Session) -> str:
    """This store's own id (a uuid4, written by `routing init` or the migration that brought
    it); made here if it is missing, the first writer winning."""
    row = db.get(Setting, INSTALLATION_ID)
    if row is not None:
        return row.value
    try:
        with db.begin_nested():
            db.add(Setting(name=INSTALLATION_ID, value=uuid.uuid4().hex))
            db.flush()
    except IntegrityError:
        pass  # another process wrote it first: theirs holds
    row = db.get(Setting, INSTALLATION_ID, populate_existing=True)
    assert row is not None
    return row.value


def message_id_for(key: str, region: str, installation: str) -> str:
    """Stable per effect and unique per installation: a re-send of the same effect carries the
    same Message-ID, and two installations never share one (a mail system that drops duplicate
    Message-IDs would otherwise swallow a real message)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-") or "routing"
    own = re.sub(r"[^a-z0-9]+", "", installation.lower())[:32] or "0"
    return f"<{digest}.{own}@{domain}.routing>"


def local(moment: dt.datetime, config: Config, *, with_time: bool = True) -> str:
    return format_date(moment.astimezone(config.timezone), with_time=with_time, weekday=True)


def item_label(item: Item, *, to_other_body: bool) -> str:
    """How an item is named in a message (see `routing.engine.confidentiality`)."""
    audience = Audience.OTHER_BODY if to_other_body else Audience.SECRETARIAT
    return confidentiality.label(item, audience)


def recipients_for(
    config: Config, bodies: Iterable[str] = (), item: Item | None = None
) -> list[str]:
    """The secretariat, the given bodies' addresses, and the owner's address (an address, or a
    name from [people])."""
    addresses = list(config.secretariat_email)
    for key in bodies:
        body = config.bodies.get(key)
        if body is not None:
            addresses.extend(body.email)
    owner = owner_address(config, item.owner) if item is not None else None
    if owner is not None:
        addresses.append(owner)
    return list(dict.fromkeys(addresses))


def next_overview(config: Config, now: dt.datetime) -> dt.datetime:
    """The first daily-overview moment after `now`: `[notify] digest_time` (local) on a
    working day of the region."""
    local = now.astimezone(config.timezone)
    day = local.date()
    for _ in range(366):  # a year without a working day is no calendar
        moment = dt.datetime.combine(day, config.notify.digest_time, tzinfo=config.timezone)
        if moment > local and config.workdays.is_working_day(day):
            return moment.astimezone(dt.UTC)
        day += dt.timedelta(days=1)
    return (local + dt.timedelta(days=1)).astimezone(dt.UTC)


def enqueue(
    db: Session,
    config: Config,
    *,
    key: str,
    kind: str,
    recipients: Sequence[str],
    subject: str,
    body: str,
    now: dt.datetime,
    item_id: int | None = None,
    due_at: dt.datetime | None = None,
    may_wait: bool = True,
    calendar: str | None = None,
) -> Outbox | None:
    """Add a message unless one with this key exists: one row for the recipients who get it
    directly, one held row per recipient of the daily overview. `due_at` is the moment the
    message is about (the overview sorts by it; one before the next overview is not held).
    Returns the first row written, or None when the message was written before. `calendar`: an
    iTIP object sent with the text (`routing.engine.invitations`)."""
    if outbox_queries.written(db, key):
        return None
    overview = next_overview(config, now) if may_wait else None
    if overview is not None and due_at is not None and due_at <= overview:
        overview = None  # the overview would come too late for it
    direct = [a for a in recipients if overview is None or mail_mode(config.notify, a) == DIRECT]
    held = [a for a in recipients if a not in direct]
    installation = installation_id(db)
    first: Outbox | None = None
    if direct or not held:
        first = _add(db, Outbox(
            key=key, message_id=message_id_for(key, config.region, installation), kind=kind,
            item_id=item_id, recipients=list(direct), subject=subject, body=body,
            created_at=now, next_attempt_at=now, due_at=due_at, calendar=calendar,
        ))  # fmt: skip
        if first is None:
            return None
    for address in held:
        assert overview is not None  # only held when there is an overview to wait for
        line_key = f"{key}>{address}"
        row = _add(db, Outbox(
            key=line_key, message_id=message_id_for(line_key, config.region, installation),
            kind=kind, item_id=item_id, recipients=[address], subject=subject, body=body,
            created_at=now, next_attempt_at=overview, due_at=due_at, status="held",
            calendar=calendar,
        ))  # fmt: skip
        if row is None:
            return first  # another process wrote this effect first
        first = first or row
    return first


def _add(db: Session, row: Outbox) -> Outbox | None:
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        return None  # another process wrote the same effect first
    return row
