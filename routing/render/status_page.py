"""`routing status --format html`: the board as a printable page (A4) for the PFHO.

Per body its open items with their next action and its moment, late ones marked (in words
too, so a black-and-white print shows it), then the meetings and deadlines of the coming two
weeks. Rendered with the document templates (`status.html.j2` extends the shipped
`page.html.j2`, a house style folder applies as to the agenda); autoescaped, every printed
value cleaned of control characters (`routing.render.documents`); no external resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from routing import i18n
from routing.engine import confidentiality
from routing.read.actions import describe
from routing.render import document_env
from routing.render.board import when
from routing.render.documents import _printable, css_text

__all__ = ["SUFFIXES", "status_page"]

# the formats `routing status` writes besides the terminal board
SUFFIXES = {".html": "html", ".htm": "html"}


def _card(card: Mapping[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    action = card.get("action") or {}
    at = action.get("at")
    local = dt.datetime.fromisoformat(at).astimezone(tz) if at else None
    return {
        "reference": confidentiality.reference(card["kenmerk"], card["id"]),
        "title": card["title"],
        "openbaar": card["openbaar"],
        "late": card["status"] == "late",
        "soon": card["status"] == "soon",
        "action": describe(action, short=False) if action else "",
        "due": i18n.format_date(local, with_time=True) if local else "",
        "when": when(action) if at else "",
    }


def status_page(shaped: Mapping[str, Any], tz: ZoneInfo, templates: Path | None) -> str:
    """The board (`routing.read.board`) as one HTML page."""
    now = dt.datetime.fromisoformat(shaped["now"]).astimezone(tz)
    columns = [
        {"name": column["name"], "cards": [_card(card, tz) for card in column["cards"]]}
        for column in shaped["columns"]
    ]
    upcoming = [
        {
            "at": i18n.format_date(dt.datetime.fromisoformat(entry["at"]).astimezone(tz),
                                   with_time=True, weekday=True),
            "what": i18n.t("deadline." + entry["kind"]),
            "body": entry["body_name"],
            "item": entry.get("item"),
        }
        for entry in shaped["upcoming"]
    ]  # fmt: skip
    env = document_env.environment(templates, _printable)
    env.globals["t"] = i18n.t
    heading = i18n.t("status_page.heading")
    return document_env.rendered(
        env, "status.html.j2", templates,
        doc={"body_name": ""}, lang=i18n.current_language(), heading=heading,
        meeting_date=i18n.format_date(now, with_time=True),
        meeting_day=i18n.format_date(now, with_time=True),
        composed=i18n.format_date(now), css_text=css_text,
        house=document_env.house_style(templates), columns=columns, upcoming=upcoming,
        late=sum(card["late"] for column in columns for card in column["cards"]),
    )  # fmt: skip
