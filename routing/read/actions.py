"""What must happen next for an open item, who does it and by when: the moment the board's card
counts to, and a line of `routing todo`.

From the item's state and its open deadlines (the current planning round), the first that holds:

- `place`: the state has no body (a concept): put it on the route. Who: the owner, else the
  secretariat. No moment.
- `handover`: the item is with a person (the wethouder): she brings it into the body she hands
  over to (`handover_to`), at the meeting it is planned on: by that body's papers moment while it
  is ahead (after it, the point is no longer in the papers), else by the meeting itself. Who:
  the owner, else the person.
- `outcome`: the planned meeting was held and no outcome is recorded: record it (`routing
  meeting close`). Who: the secretariat.
- `papers`: a papers deadline not met (open, or escalated: still to do): the papers to the body
  by that moment; for a feedback item (flow kind "terugkoppeling") the feedback to write. Who:
  the owner, else the secretariat.
- `meeting`: the planned meeting is ahead: the item is discussed there (a feedback item without
  papers: the oral feedback). Who: the owner, else the body.
- `no_meeting`: at a body, nothing planned (its calendar has no meeting ahead). Who: the
  secretariat. No moment.

A reminder is the system's own mail, never an action. `days` counts calendar days in the
region's time zone from today to the moment (negative: passed); `passed` says whether the moment
itself is past, so a deadline of this morning is "expired today", not "0 days left". Whether the
item is late is `routing.engine.lateness`'s rule, not the moment's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session

from flows.schema import StateDef
from routing.config.file import Config
from routing.engine import lateness
from routing.engine.stored_calendars import Calendars
from routing.i18n import t
from routing.read.items import PinnedFlows
from routing.runtime import Runtime
from store import rows
from store.deadlines import OPEN_STATUSES

__all__ = [
    "ACTION_KINDS",
    "ITEM_COLUMNS",
    "describe",
    "next_action",
    "of_open_items",
    "open_deadlines",
    "whole_days",
]

ACTION_KINDS = ("place", "handover", "papers", "meeting", "outcome", "no_meeting")
_FEEDBACK_FLOW = "terugkoppeling"

# who acts when the item has no owner, per action
_DEFAULT_WHO = {
    "place": "secretariat",
    "handover": "body",
    "papers": "secretariat",
    "meeting": "body",
    "outcome": "secretariat",
    "no_meeting": "secretariat",
}


def whole_days(moment: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> int:
    """Calendar days from today to `moment`'s day, in the region's time zone."""
    return (_local_day(moment, tz) - _local_day(now, tz)).days


_UTC = dt.UTC


# a board of 10,000 cards meets the same few hundred moments (its meetings, their deadlines)
# again and again: each is written and placed in its day once
@functools.lru_cache(maxsize=4096)
def _local_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


def _utc_text(moment: dt.datetime) -> str:
    # the store's moments are UTC already; a calendar's (a person's hand-over) is local
    return (moment if moment.tzinfo is _UTC else moment.astimezone(_UTC)).isoformat()


def next_action(
    config: Config,
    body: str | None,
    flow_kind: str,
    owner: str | None,
    deadlines: Sequence[Any],
    now: dt.datetime,
    handover_due: Callable[[str, dt.datetime], dt.datetime | None],
) -> dict[str, Any]:
    """The next action of an open item at `body` (None: no body); `deadlines` are its open ones
    (rows with `kind`, `body`, `meeting_at`, `due_at`, `status`), earliest first;
    `handover_due(body, meeting_at)`: the papers moment of that body's meeting at that start."""
    kind, at, meeting, at_body = _choose(config, body, deadlines, now, handover_due)
    feedback = flow_kind == _FEEDBACK_FLOW
    who_kind = "owner" if owner else _DEFAULT_WHO[kind]
    who = owner or (
        config.bodies[body].name
        if who_kind == "body" and body is not None
        else config.secretariat_name
    )
    return {
        "kind": kind,
        "feedback": feedback,
        "body": at_body,
        "body_name": _name(config, at_body),
        "at": _utc(at),
        "meeting": _utc(meeting),
        "who": who,
        "who_kind": who_kind,
        "days": whole_days(at, now, config.timezone) if at is not None else None,
        "passed": at is not None and at <= now,
        "late": any(lateness.is_late(deadline, now) for deadline in deadlines),
    }


def _name(config: Config, body: str | None) -> str | None:
    known = config.bodies.get(body) if body is not None else None
    return known.name if known is not None else body


def _utc(moment: dt.datetime | None) -> str | None:
    return _utc_text(moment) if moment is not None else None


def open_deadlines(db: Session) -> dict[int, list[Any]]:
    """The open deadlines of every item, earliest first (what `of_open_items` takes)."""
    return rows.open_deadline_rows(db, OPEN_STATUSES)


def of_open_items(
    rt: Runtime,
    db: Session,
    calendars: Calendars,
    where: Sequence[ColumnElement[bool]],
    deadlines: dict[int, list[Any]],
) -> Iterator[tuple[Any, StateDef, dict[str, Any]]]:
    """Every open item the conditions `where` let through, in id order, with its state and its
    next action: (a `store.rows` row of `ITEM_COLUMNS`, state, action); `deadlines`: the open
    ones of every item (`open_deadlines`). Items alike share one action object: read it, never
    change it."""
    now = rt.clock.now()
    pinned = PinnedFlows(rt, db)
    states: dict[tuple[int, str], tuple[StateDef, str]] = {}
    moments = _HandoverMoments(calendars)
    actions: dict[tuple[Any, ...], dict[str, Any]] = {}
    found = rows.item_rows(db, closed=pinned.final_states(), columns=ITEM_COLUMNS, where=where)
    for item in found:
        key = (item.flow_version_id, item.state)
        known = states.get(key)
        if known is None:
            flow = pinned.get(key[0])[0]
            known = states[key] = (flow.state(key[1]), flow.kind)
        state, flow_kind = known
        if state.final:
            continue
        mine = deadlines.get(item.id, ())
        # items planned on the same meeting have the same action: worked out once, shared
        same = (state.body, flow_kind, item.owner,
                *((d.kind, d.body, d.meeting_at, d.due_at, d.status) for d in mine))  # fmt: skip
        action = actions.get(same)
        if action is None:
            action = actions[same] = next_action(
                rt.config, state.body, flow_kind, item.owner, mine, now, moments.papers_due
            )
        yield item, state, action


# what a card or a line of `todo` shows of an item
ITEM_COLUMNS = ("id", "title", "kenmerk", "openbaar", "state", "flow_version_id", "owner")


class _HandoverMoments:
    """The papers moment of a body's meeting at a start, once per meeting."""

    def __init__(self, calendars: Calendars) -> None:
        self._calendars = calendars
        self._known: dict[tuple[str, dt.datetime], dt.datetime | None] = {}

    def papers_due(self, body: str, start: dt.datetime) -> dt.datetime | None:
        key = (body, start)
        if key not in self._known:
            found = self._calendars.meetings_between(
                start, start + dt.timedelta(microseconds=1), [body]
            )
            self._known[key] = found[0].papers_due if found else None
        return self._known[key]


_Choice = tuple[str, dt.datetime | None, dt.datetime | None, str | None]


def _choose(
    config: Config,
    body: str | None,
    deadlines: Sequence[Any],
    now: dt.datetime,
    handover_due: Callable[[str, dt.datetime], dt.datetime | None],
) -> _Choice:
    """(kind, moment, meeting, the body it concerns)."""
    if body is None:
        return "place", None, None, None
    meeting_row = next((d for d in deadlines if d.kind == "meeting"), None)
    if meeting_row is None:
        return "no_meeting", None, None, body
    meeting: dt.datetime = meeting_row.meeting_at
    person = config.bodies[body]
    if person.is_person and person.handover_to is not None:
        return _handover(person.handover_to, meeting, now, handover_due)
    if meeting <= now:
        return "outcome", meeting, meeting, meeting_row.body  # papers no longer matter
    papers = next((d for d in deadlines if d.kind in ("papers", "handover")), None)
    if papers is not None:
        return "papers", papers.due_at, meeting, papers.body
    return "meeting", meeting, meeting, meeting_row.body


def _handover(
    target: str,
    meeting: dt.datetime,
    now: dt.datetime,
    handover_due: Callable[[str, dt.datetime], dt.datetime | None],
) -> _Choice:
    """A person's: into `target`'s meeting, by its papers moment while that is ahead."""
    if meeting <= now:
        return "outcome", meeting, meeting, target
    due = handover_due(target, meeting)
    return "handover", due if due is not None and due > now else meeting, meeting, target


def describe(action: dict[str, Any], *, short: bool) -> str:
    """The action in words: short for a card ("stukken", "inbrengen bij UTA stuurgroep"), or
    a line of `routing todo` ("stukken aanleveren bij Regieteam W&P")."""
    kind = action["kind"]
    if action["feedback"] and kind in ("papers", "meeting"):
        kind = f"feedback_{kind}"
    key = f"action.{'short' if short else 'long'}.{kind}"
    return t(key, body=action["body_name"] or "")
