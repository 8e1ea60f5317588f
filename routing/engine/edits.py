"""Changing an item's details (`routing edit`): every field given at registration.

Title, kenmerk, owner, purpose, topics, target meeting, confidentiality (openbaar or
vertrouwelijk), distribution, document date and sender; each value checked as `routing new`
checks it (the same functions of `routing.engine.items`). One change is one step in the
item's history (`wijzigen`), state unchanged, its note naming each field with its old and new
value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from routing import text
from routing.config.people import resolve_owner
from routing.engine.items import (
    check_asked,
    check_sender,
    clean_topics,
    confidentiality,
    load_item,
    loaded_version,
    target_of,
)
from routing.engine.meeting_sync import current_calendars
from routing.engine.writer import claim_item, write_item
from routing.errors import BadInput, ItemChanged
from routing.i18n import t
from routing.runtime import Runtime
from store import Item

__all__ = ["EDIT_TRIGGER", "edit_item"]

EDIT_TRIGGER = "wijzigen"


@dataclass(frozen=True)
class Edits:
    """What `routing edit` changes; None (or empty, or False) leaves a field as it is."""

    title: str | None
    kenmerk: str | None
    owner: str | None
    asked: str | None
    add_topics: Sequence[str]
    remove_topics: Sequence[str]
    target_day: dt.date | None
    target_body: str | None
    clear_target: bool
    vertrouwelijk: bool | None
    verspreiden: bool | None
    document_date: dt.date | None
    clear_document_date: bool
    sender: str | None
    clear_sender: bool


def edit_item(
    rt: Runtime,
    item_id: int,
    *,
    title: str | None = None,
    kenmerk: str | None = None,
    owner: str | None = None,
    asked: str | None = None,
    add_topics: Sequence[str] = (),
    remove_topics: Sequence[str] = (),
    expected_version: int | None = None,
    target_day: dt.date | None = None,
    target_body: str | None = None,
    clear_target: bool = False,
    vertrouwelijk: bool | None = None,
    verspreiden: bool | None = None,
    document_date: dt.date | None = None,
    clear_document_date: bool = False,
    sender: str | None = None,
    clear_sender: bool = False,
) -> Item:
    """Change any detail given at registration; recorded in its history like a transition,
    state unchanged, the note naming each field with its old and new value. The values are
    checked as `routing new` checks them.

    `target_day` (with `target_body` when several bodies meet that day) sets the target meeting,
    `clear_target` drops it.
    """
    edits = Edits(
        title, kenmerk, owner, asked, add_topics, remove_topics, target_day, target_body,
        clear_target, vertrouwelijk, verspreiden, document_date, clear_document_date, sender,
        clear_sender,
    )  # fmt: skip
    changes = _checked(rt, edits)
    adding = clean_topics([text.checked_line("topic", topic) for topic in add_topics])
    removing = set(clean_topics([text.checked_line("topic", topic) for topic in remove_topics]))
    now = rt.clock.now()
    loaded = loaded_version(rt, item_id, expected_version)
    with rt.session() as db:
        item = load_item(db, item_id)
        if item.version != loaded:
            raise ItemChanged(item_id, loaded)
        claim_item(db, item, loaded)
        if adding or removing:
            topics = [t for t in item.topics if t not in removing]
            changes["topics"] = list(dict.fromkeys([*topics, *adding]))
        changes.update(_openness(item, edits))
        changes.update(_target(db, rt, item, edits))
        if not changes:
            raise BadInput(t("err.nothing_to_change"))
        described = "; ".join(
            f"{key}: {_shown(getattr(item, key))} → {_shown(value)}"
            for key, value in changes.items()
            if key != "target_meeting_id"
        )
        write_item(db, item, changes, trigger=EDIT_TRIGGER, actor=rt.actor, now=now,
                   note=described)  # fmt: skip
        db.flush()
        db.refresh(item)
    return item


def _checked(rt: Runtime, edits: Edits) -> dict[str, object]:
    """The new values that do not depend on the item, checked as `routing new` checks them."""
    changes: dict[str, object] = {}
    if edits.title is not None:
        title = text.checked_line("title", edits.title)
        if not title.strip():
            raise BadInput(t("err.title_empty"))
        changes["title"] = title.strip()
    if edits.kenmerk is not None:
        changes["kenmerk"] = text.checked_line("kenmerk", edits.kenmerk) or None
    if edits.owner is not None:
        changes["owner"] = resolve_owner(rt.config, text.checked_line("owner", edits.owner))
    if edits.asked is not None:
        changes["asked"] = check_asked(edits.asked)
    if edits.sender is not None:
        check_sender(rt, edits.sender)
        changes["sender"] = edits.sender
    elif edits.clear_sender:
        changes["sender"] = None
    if edits.document_date is not None or edits.clear_document_date:
        changes["document_date"] = edits.document_date
    if edits.vertrouwelijk and edits.verspreiden:
        raise BadInput(t("err.confidential_distributed"))
    return changes


def _openness(item: Item, edits: Edits) -> dict[str, bool]:
    """openbaar and verspreiden after the edit, by the rule of `routing new`."""
    if edits.vertrouwelijk is None and edits.verspreiden is None:
        return {}
    vertrouwelijk = not item.openbaar if edits.vertrouwelijk is None else edits.vertrouwelijk
    if edits.verspreiden and vertrouwelijk:
        raise BadInput(t("err.confidential_distributed"))
    verspreiden = item.verspreiden if edits.verspreiden is None else edits.verspreiden
    return confidentiality(vertrouwelijk, verspreiden)


def _target(db: Session, rt: Runtime, item: Item, edits: Edits) -> dict[str, object]:
    if edits.clear_target:
        return {"target_body": None, "target_meeting_id": None, "target_meeting_at": None}
    if edits.target_day is None and edits.target_body is None:
        return {}
    flow = rt.catalog.pinned(db, item.flow_version_id)
    calendars = current_calendars(rt, db)
    body, meeting = target_of(rt, calendars, flow, edits.target_body, edits.target_day)
    assert meeting is not None
    return {
        "target_body": body,
        "target_meeting_id": meeting.meeting_id,
        "target_meeting_at": meeting.start,
    }


def _shown(value: object) -> str:
    """A field's value in an edit's history note."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return t("word.yes") if value else t("word.no")
    if isinstance(value, dt.date):  # a moment too
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
