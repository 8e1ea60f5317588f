"""The filters of `routing list`, `routing todo` and `routing status`: what a user typed after
`--search`, `--owner`, `--topic`, `--late` and `--target`, checked and turned into conditions
the database applies (`store.finding`).

- `--search TEXT`: TEXT occurs in the title or the kenmerk; case and accents do not matter.
- `--owner NAME`: the owner is that person of `[people]` (the name in any case, or her address)
  or that e-mail address.
- `--topic T`: the item carries topic T (an unknown topic is bad input).
- `--late`: the item is late by `routing.engine.lateness` (its papers or hand-over deadline
  missed, or its meeting held without an outcome).
- `--target DATE`: the item's target meeting is on that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from routing.config.people import is_address, resolve_owner
from routing.engine import lateness
from routing.errors import BadInput, NotFound
from routing.i18n import t
from routing.runtime import Runtime
from store import finding

__all__ = ["ItemFilter", "check_topic", "conditions"]

TOPICS_NAMED = 20  # in the hint of an unknown topic


@dataclass(frozen=True)
class ItemFilter:
    search: str | None = None
    owner: str | None = None
    topic: str | None = None
    late: bool = False
    target: dt.date | None = None

    @property
    def topic_key(self) -> str | None:
        return None if self.topic is None else self.topic.strip().lower()


def conditions(rt: Runtime, wanted: ItemFilter, now: dt.datetime) -> list[ColumnElement[bool]]:
    """The filter as conditions on the item table; bad input (an empty search, an unknown
    person, an empty topic) raises before anything is read."""
    found: list[ColumnElement[bool]] = []
    if wanted.search is not None:
        if not wanted.search.strip():
            raise BadInput(t("err.search_empty"))
        found.append(finding.text_matches(wanted.search.strip()))
    if wanted.owner is not None:
        found.append(_owner(rt, wanted.owner))
    if wanted.topic is not None:
        topic = wanted.topic_key
        if not topic:
            raise BadInput(t("err.topic_empty"))
        check_topic(rt, wanted)
        found.append(finding.has_topic(topic))
    if wanted.late:
        found.append(lateness.late_condition(now))
    if wanted.target is not None:
        tz = rt.config.timezone
        start = dt.datetime.combine(wanted.target, dt.time(), tz)
        end = dt.datetime.combine(wanted.target + dt.timedelta(days=1), dt.time(), tz)
        found.append(finding.targets_between(start.astimezone(dt.UTC), end.astimezone(dt.UTC)))
    return found


def _owner(rt: Runtime, typed: str) -> ColumnElement[bool]:
    """A person of [people] under her name or her address, or any address."""
    if not typed.strip():
        raise BadInput(t("err.owner_empty"))
    owner = resolve_owner(rt.config, typed)  # an unknown name: bad input, the names listed
    assert owner is not None
    people = rt.config.people
    if is_address(owner):
        names = [name for name, address in people.items() if address.lower() == owner.lower()]
        return finding.owned_by(names, [owner])
    return finding.owned_by([owner], [people[owner]] if owner in people else [])


def check_topic(rt: Runtime, wanted: ItemFilter) -> None:
    """A topic no item carries (open or closed) and [ei] topics does not name is a typing
    error, not an empty answer: bad input naming the known ones. Asked before the command reads
    or syncs anything."""
    topic = wanted.topic_key
    if not topic or topic in rt.config.ei_topics:
        return
    with rt.session(read=True) as db:
        if finding.topic_exists(db, topic):
            return
        known = finding.known_topics(db) | set(rt.config.ei_topics)
    named = ", ".join(sorted(known)[:TOPICS_NAMED]) or t("label.none")
    raise NotFound(t("what.topic"), f"'{topic}'", t("hint.known_topics", topics=named))
