"""The board: what sits where, what is late, what comes next, as one JSON-ready shape.

One column per body in route order (the order of routing.toml), each open item a card with its
planned meeting and its next action (`routing.read.actions`: what the days count to, e.g. the
papers deadline, the meeting, a person's hand-over), red when the item is late
(`routing.engine.lateness`), amber when the moment is within a week; under it the meetings and
deadlines of the coming two weeks (of the cards shown), the outbox's pending and failed
messages, the sweep effects given up, and the daemon's heartbeat. `routing status` renders it;
`--json` prints it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from routing.engine.calendar_ends import calendar_ends
from routing.engine.meeting_sync import reading
from routing.i18n import t
from routing.read import actions, failures, reports
from routing.read.finding import ItemFilter, conditions
from routing.runtime import Runtime
from store import outbox as outbox_queries

__all__ = ["DUE_SOON", "UNPLACED", "UPCOMING", "board"]

UNPLACED = ""

DUE_SOON = dt.timedelta(days=7)
UPCOMING = dt.timedelta(days=14)


def board(
    rt: Runtime,
    *,
    body: str | None = None,
    topic: str | None = None,
    owner: str | None = None,
) -> dict[str, Any]:
    """The board; `body`, `topic` and `owner` (`routing.read.finding`) choose the cards, and the
    coming two weeks follow them: the deadlines of the cards shown, and the meetings of the
    body (with a topic or an owner: only the meetings those cards are planned on)."""
    if body is not None:
        rt.config.body(body)
    now = rt.clock.now()
    wanted = ItemFilter(topic=topic, owner=owner)
    where = conditions(rt, wanted, now)
    with reading(rt) as (db, calendars):
        # plain rows, closed items left out in SQL: the board of 10,000 items is read in one go
        deadlines = actions.open_deadlines(db)
        cards: dict[str, list[dict[str, Any]]] = {}
        for item, state, action in actions.of_open_items(rt, db, calendars, where, deadlines):
            if body and state.body != body:
                continue
            cards.setdefault(state.body or UNPLACED, []).append(_card(item, action))
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
    shown = {card["id"] for column in columns for card in column["cards"]}
    upcoming = _upcoming(rt, calendars, deadlines, shown, now, body, topic or owner)
    upcoming += _handovers(columns, now)
    # meetings are written in local time, deadlines in UTC: ordered as moments, not as text
    upcoming.sort(key=lambda entry: (dt.datetime.fromisoformat(entry["at"]), entry.get("item", 0)))
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


def _upcoming(
    rt: Runtime,
    calendars: Any,
    deadlines: dict[int, list[Any]],
    shown: set[int],
    now: dt.datetime,
    body: str | None,
    by_item: str | None,
) -> list[dict[str, Any]]:
    """The coming two weeks: the meetings (of `body`; with a filter on items, `by_item`, only
    those the cards shown are planned on) and the deadlines of the cards shown."""
    planned: set[dt.datetime] = set()
    if by_item:
        planned = {
            row.meeting_at
            for item_id in shown
            for row in deadlines.get(item_id, [])
            if row.kind == "meeting"
        }
    upcoming: list[dict[str, Any]] = [
        {
            "kind": "meeting",
            "body": m.body,
            "body_name": rt.config.bodies[m.body].name,
            "at": m.start.isoformat(),
        }
        for m in calendars.meetings_between(now, now + UPCOMING)
        if (body is None or m.body == body) and (not by_item or m.start in planned)
    ]
    end = now + UPCOMING
    for item_id, rows in deadlines.items():  # earliest first: the window is a run of each
        for row in rows:
            if row.due_at >= end:
                break
            if now <= row.due_at and row.kind != "meeting" and item_id in shown:
                upcoming.append(
                    {
                        "kind": row.kind,
                        "body": row.body,
                        "body_name": rt.config.bodies[row.body].name,
                        "at": row.due_at.isoformat(),
                        "item": row.item_id,
                    }
                )
    return upcoming


def _handovers(columns: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    """The wethouder's hand-over moments of the coming two weeks (no deadline row holds them:
    `routing.read.actions` finds them in the calendar of the body she brings the point into)."""
    found = []
    end = (now + UPCOMING).isoformat()
    for column in columns:
        for card in column["cards"]:
            action = card["action"]
            if action["kind"] == "handover" and now.isoformat() <= action["at"] < end:
                found.append(
                    {"kind": "handover", "body": column["body"], "body_name": column["name"],
                     "at": action["at"], "item": card["id"]}
                )  # fmt: skip
    return found


def _card(item: Any, action: dict[str, Any]) -> dict[str, Any]:
    """One card of a `store.rows` item with its next action (`routing.read.actions`)."""
    late, at, days = action["late"], action["at"], action["days"]
    soon = not late and days is not None and days <= DUE_SOON.days
    counted = _COUNTED.get(action["kind"])
    return {
        "id": item.id,
        "title": item.title,
        "kenmerk": item.kenmerk,
        "openbaar": item.openbaar,
        "state": item.state,
        "meeting": action["meeting"],
        # what the days count to: the papers (or a person's hand-over) moment, or the meeting
        "next_deadline": {"kind": counted, "at": at} if counted and at else None,
        "days_left": action["days"],
        "status": "late" if late else "soon" if soon else "ok",
        "action": action,
    }


_COUNTED = {"papers": "papers", "handover": "handover", "meeting": "meeting", "outcome": "meeting"}


def _urgency(card: dict[str, Any]) -> tuple[int, int]:
    order = {"late": 0, "soon": 1, "ok": 2}[card["status"]]
    return order, card["days_left"] if card["days_left"] is not None else 10_000
