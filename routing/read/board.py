"""The board: what sits where, what is late, what comes next, as one JSON-ready shape.

One column per body in route order (the order of routing.toml), each open item a card with its
planned meeting and its next deadline; under it the meetings and deadlines of the coming two
weeks, the outbox's pending and failed messages, the sweep effects given up, and the daemon's
heartbeat. `routing status`
renders it; `--json` prints it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from flows.schema import StateDef
from routing.engine import planning
from routing.engine.calendar_ends import calendar_ends
from routing.engine.meeting_sync import reading
from routing.i18n import t
from routing.read import failures, reports
from routing.read.items import PinnedFlows
from routing.runtime import Runtime
from store import deadlines as deadline_queries
from store import outbox as outbox_queries
from store import rows

if TYPE_CHECKING:
    from store.schedule_models import Deadline

__all__ = ["DUE_SOON", "UNPLACED", "UPCOMING", "board"]

UNPLACED = ""

DUE_SOON = dt.timedelta(days=7)
UPCOMING = dt.timedelta(days=14)


def board(rt: Runtime, *, body: str | None = None, topic: str | None = None) -> dict[str, Any]:
    if body is not None:
        rt.config.body(body)
    now = rt.clock.now()
    with reading(rt) as (db, calendars):
        # plain rows, closed items left out in SQL: the board of 10,000 items is read in one go
        deadlines = rows.open_deadline_rows(db, deadline_queries.OPEN_STATUSES)
        pinned = PinnedFlows(rt, db)
        cards: dict[str, list[dict[str, Any]]] = {}
        wanted = [*_CARD_COLUMNS, "topics"] if topic else list(_CARD_COLUMNS)
        states: dict[tuple[int, str], StateDef] = {}
        for item in rows.item_rows(db, closed=pinned.final_states(), columns=wanted):
            key = (item.flow_version_id, item.state)
            state = states.get(key)
            if state is None:
                state = states[key] = pinned.get(key[0])[0].state(key[1])
            if state.final:
                continue
            if (body and state.body != body) or (topic and topic not in item.topics):
                continue
            cards.setdefault(state.body or UNPLACED, []).append(
                _card(item, deadlines.get(item.id, []), now)
            )
        ends = calendar_ends(rt, calendars, now, rt.config.daemon.calendar_warning)
        outbox = outbox_queries.rows(db, ["pending", "failed"])
    on_route = {s.body for f in rt.catalog.current.values() for s in f.states if s.body}
    columns: list[dict[str, Any]] = [
        {"body": key, "name": b.name, "cards": sorted(cards.get(key, []), key=_urgency)}
        for key, b in rt.config.bodies.items()
        if key in cards or key == body or (body is None and key in on_route)
    ]
    if UNPLACED in cards:  # registered, not yet at any body: the secretary's first to-do
        columns.insert(0, {"body": None, "name": t("board.unplaced"), "cards": cards[UNPLACED]})
    upcoming: list[dict[str, Any]] = [
        {
            "kind": "meeting",
            "body": m.body,
            "body_name": rt.config.bodies[m.body].name,
            "at": m.start.isoformat(),
        }
        for m in calendars.meetings_between(now, now + UPCOMING)
        if body is None or m.body == body
    ]
    for item_rows in deadlines.values():
        for row in item_rows:
            if now <= row.due_at < now + UPCOMING and row.kind != "meeting":
                upcoming.append(
                    {
                        "kind": row.kind,
                        "body": row.body,
                        "body_name": rt.config.bodies[row.body].name,
                        "at": row.due_at.isoformat(),
                        "item": row.item_id,
                    }
                )
    upcoming.sort(key=lambda entry: str(entry["at"]))
    return {
        "now": now.isoformat(),
        "columns": columns,
        "upcoming": upcoming,
        "outbox": {
            "pending": sum(1 for m in outbox if m.status == "pending"),
            "failed": [
                {"id": m.id, "subject": m.subject, "error": m.last_error}
                for m in outbox
                if m.status == "failed"
            ],
        },
        "failed_effects": failures.failed_effects(rt),
        "heartbeat": reports.heartbeat(rt),
        "calendar_ends": [
            {
                "body": e.body,
                "last": e.last.isoformat() if e.last else None,
                "advice": e.advice(),
            }
            for e in ends
        ],
    }


# what a card shows (the topics only read to filter by one)
_CARD_COLUMNS = ("id", "title", "kenmerk", "openbaar", "state", "flow_version_id")


def _card(item: Any, deadlines: list[Any], now: dt.datetime) -> dict[str, Any]:
    """One card of a `store.rows` item; `deadlines` are its open ones, earliest first."""
    meeting = ahead = None
    late = False
    for deadline in deadlines:
        if deadline.kind == "meeting":
            meeting = meeting or deadline
        else:
            ahead = ahead or deadline
        # a row has the attributes `missed` reads (status, due_at)
        late = late or planning.missed(cast("Deadline", deadline), now)
    upcoming = ahead or meeting
    days_left = None
    if upcoming is not None:
        days_left = (upcoming.due_at.date() - now.date()).days
    soon = not late and upcoming is not None and upcoming.due_at - now <= DUE_SOON
    return {
        "id": item.id,
        "title": item.title,
        "kenmerk": item.kenmerk,
        "openbaar": item.openbaar,
        "state": item.state,
        "meeting": meeting.meeting_at.isoformat() if meeting else None,
        "next_deadline": (
            {"kind": upcoming.kind, "at": upcoming.due_at.isoformat()} if upcoming else None
        ),
        "days_left": days_left,
        "status": "late" if late else "soon" if soon else "ok",
    }


def _urgency(card: dict[str, Any]) -> tuple[int, int]:
    order = {"late": 0, "soon": 1, "ok": 2}[card["status"]]
    return order, card["days_left"] if card["days_left"] is not None else 10_000
