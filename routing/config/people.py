"""Owners: a name from `[people]` in routing.toml, or an e-mail address.

`resolve_owner` turns what a user typed after `--owner` into what is stored on the item: an
address stays as it is, a known name becomes the name as the configuration spells it (matched
case-insensitively), anything else is refused with the known names listed. `owner_address` is
where messages to an owner go.
"""

from __future__ import annotations

import re

from routing.config.file import Config
from routing.errors import BadInput
from routing.i18n import t

__all__ = ["is_address", "known_name", "owner_address", "resolve_owner"]

# no space and no control character: an address goes into a mail header as it is
_EMAIL = re.compile(
    r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
)


def is_address(text: str) -> bool:
    return _EMAIL.match(text) is not None


def known_name(config: Config, name: str) -> str | None:
    """The name as spelled in [people], matched case-insensitively."""
    wanted = name.casefold()
    return next((known for known in config.people if known.casefold() == wanted), None)


def resolve_owner(config: Config, text: str | None) -> str | None:
    """None for no owner, an address as it is, a known name as [people] spells it."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if is_address(text):
        return text
    known = known_name(config, text)
    if known is not None:
        return known
    if not config.people:
        raise BadInput(t("err.unknown_person_no_people", name=text))
    names = ", ".join(sorted(config.people, key=str.casefold))
    raise BadInput(t("err.unknown_person", name=text, names=names))


def owner_address(config: Config, owner: str | None) -> str | None:
    """The e-mail address of an owner: its [people] address, or the owner when it is one."""
    if owner is None or not owner.strip():
        return None
    owner = owner.strip()
    if is_address(owner):
        return owner
    known = known_name(config, owner)
    return config.people[known] if known is not None else None
