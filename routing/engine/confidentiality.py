"""How an item is named for each audience: the one place that decides what a confidential
(not openbaar) item reveals.

The secretariat and the item's owner always see number, title and kenmerk. Everyone else (a
message to another body, a document marked openbaar, a calendar that gets shared and synced to
phones) sees a confidential item only as "Vertrouwelijk punt" with its reference: its kenmerk,
else its number. Public items are named by title everywhere. The links to an item's papers go
only to the secretariat, and elsewhere only for a public item whose papers may be distributed.
"""

from __future__ import annotations

import enum

from routing.i18n import t
from store import Item

__all__ = ["Audience", "label", "papers_shown", "redacted", "reference"]


class Audience(enum.Enum):
    SECRETARIAT = "secretariat"  # the secretariat and the owner: everything
    OTHER_BODY = "other-body"  # a message to another body
    CALENDAR = "calendar"  # an .ics file: shared, synced, always treated as public
    OPENBAAR = "openbaar"  # a document marked openbaar


def reference(kenmerk: str | None, item_id: int | None) -> str:
    """What a confidential item is known by: its kenmerk, else its number."""
    return kenmerk or t("doc.item_number", id=item_id)


def redacted(openbaar: bool, audience: Audience) -> bool:
    """Whether this audience sees only the reference of an item with this `openbaar` flag."""
    return not openbaar and audience is not Audience.SECRETARIAT


def papers_shown(openbaar: bool, verspreiden: bool, audience: Audience) -> bool:
    """Whether this audience gets the links to the papers of an item with these flags."""
    return audience is Audience.SECRETARIAT or (openbaar and verspreiden)


def label(item: Item, audience: Audience) -> str:
    """The item's name in a message, calendar or document for `audience`."""
    if redacted(item.openbaar, audience):
        return f"{t('doc.confidential_point')} {reference(item.kenmerk, item.id)}"
    titled = f"{item.title} ({item.kenmerk})" if item.kenmerk else item.title
    return titled if audience is Audience.CALENDAR else f"#{item.id} {titled}"
