"""Composing notifications and putting them in the outbox.

A notification is written in the transaction of the effect that causes it and sent later by
`routing.effects.delivery`; its natural key makes a second attempt a no-op. How an item is named
for another body is decided in `routing.engine.confidentiality`.
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
) -> Outbox | None:
    """Add a message unless one with this key exists; returns the new row or None."""
    if outbox_queries.exists(db, key):
        return None
    row = Outbox(
        key=key,
        message_id=message_id_for(key, config.region, installation_id(db)),
        kind=kind,
        item_id=item_id,
        recipients=list(recipients),
        subject=subject,
        body=body,
        created_at=now,
        next_attempt_at=now,
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        return None  # another process wrote the same effect first
    return row
