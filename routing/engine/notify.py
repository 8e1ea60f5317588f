"""Composing notifications and putting them in the outbox.

A notification is written in the transaction of the effect that causes it and sent later by
`routing.effects.delivery`; its natural key makes a second attempt a no-op. How an item is named
for another body is decided in `routing.engine.confidentiality`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
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
from store.schedule_models import Outbox

__all__ = ["enqueue", "item_label", "local", "message_id_for", "recipients_for"]


def message_id_for(key: str, region: str) -> str:
    """Stable per effect: a re-send of the same effect carries the same Message-ID."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    domain = re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-") or "routing"
    return f"<{digest}@{domain}.routing>"


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
        message_id=message_id_for(key, config.region),
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
