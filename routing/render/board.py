"""Rendering the board for the terminal, readable from 80 to 200 columns.

Wide terminals get the bodies side by side as columns of cards; narrow ones get the bodies one
under the other, one line per card, cut with an ellipsis rather than wrapped. Colour carries the
urgency (late red, due within a week amber), and the words say it too for those who cannot see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from routing.i18n import format_date, t
from routing.render.schedule import heartbeat_line

__all__ = ["board_view"]

_STYLE = {"late": "bold red", "soon": "yellow", "ok": ""}


def _short(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return t("label.none")
    moment = dt.datetime.fromisoformat(iso).astimezone(tz)
    return format_date(moment.date()).rsplit(" ", 1)[0]  # "14 maart": the year is plain here


def _card_lines(card: Mapping[str, Any], tz: ZoneInfo) -> list[Text]:
    title = Text()
    if not card["openbaar"]:  # first, so a cut title never hides it; the legend explains it
        title.append("● ", style="bold magenta")
    title.append(f"#{card['id']} ", style="bold")
    title.append(card["title"])
    lines = [title]
    if card["meeting"]:
        lines.append(
            Text(f"{t('label.meeting').lower()} {_short(card['meeting'], tz)}", style="dim")
        )
    deadline = card["next_deadline"]
    if deadline is not None and card["days_left"] is not None and deadline["kind"] != "meeting":
        days = card["days_left"]
        when = t("board.days_late", n=-days) if days < 0 else t("board.days_left", n=days)
        label = f"{when} · {t('deadline.' + deadline['kind'])} {_short(deadline['at'], tz)}"
        lines.append(Text(label, style=_STYLE[card["status"]]))
    elif card["status"] == "late":
        lines.append(Text(t("board.meeting_passed"), style=_STYLE["late"]))
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
    return lines


def _wide(columns: list[Mapping[str, Any]], tz: ZoneInfo, width: int) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False)
    room = max(12, width // max(len(columns), 1) - 8)
    for column in columns:
        name = Text(column["name"], no_wrap=True)
        name.truncate(room, overflow="ellipsis")
        header = name.append(f" ({len(column['cards'])})")
        table.add_column(header, no_wrap=True, overflow="ellipsis", ratio=1, min_width=16)
    depth = max((len(c["cards"]) for c in columns), default=0)
    for row in range(depth):
        cells: list[RenderableType] = []
        for column in columns:
            if row < len(column["cards"]):
                cells.append(Group(*_card_lines(column["cards"][row], tz), Text("")))
            else:
                cells.append(Text(""))
        table.add_row(*cells)
    return table


def _narrow(columns: list[Mapping[str, Any]], tz: ZoneInfo) -> RenderableType:
    parts: list[RenderableType] = []
    for column in columns:
        parts.append(Text(f"{column['name']} ({len(column['cards'])})", style="bold underline"))
        for card in column["cards"]:
            first, *rest = _card_lines(card, tz)
            parts.append(Text("  ", no_wrap=True, overflow="ellipsis").append_text(first))
            if rest:
                detail = Text("    ", no_wrap=True, overflow="ellipsis")
                detail.append_text(Text(" · ").join(rest))
                parts.append(detail)
        if not column["cards"]:
            parts.append(Text("  —", style="dim"))
    return Group(*parts)


def board_view(shaped: Mapping[str, Any], tz: ZoneInfo, width: int) -> RenderableType:
    columns = list(shaped["columns"])
    wide = width >= 24 * max(len(columns), 1) and width >= 120
    main = _wide(columns, tz, width) if wide else _narrow(columns, tz)
    upcoming = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    upcoming.add_column(no_wrap=True)
    upcoming.add_column(no_wrap=True)
    upcoming.add_column(overflow="ellipsis", no_wrap=True)
    for entry in shaped["upcoming"]:
        moment = dt.datetime.fromisoformat(entry["at"]).astimezone(tz)
        what = t("deadline." + entry["kind"])
        if "item" in entry:
            what += f" #{entry['item']}"
        upcoming.add_row(f"{_short(entry['at'], tz)} {moment:%H:%M}", what, entry["body_name"])
    parts: list[RenderableType] = [
        main,
        Text(t("board.upcoming"), style="bold"),
        upcoming if shaped["upcoming"] else Text("  —", style="dim"),
    ]
    if any(not card["openbaar"] for column in columns for card in column["cards"]):
        parts.insert(1, Text(f"● = {t('label.confidential')}", style="magenta"))
    outbox = shaped["outbox"]
    line = Text(t("board.outbox", pending=outbox["pending"], failed=len(outbox["failed"])))
    if outbox["failed"]:
        line.stylize("bold red")
    parts.append(line)
    for failed in outbox["failed"]:
        parts.append(Text(f"  #{failed['id']} {failed['subject']}: {failed['error']}", style="red",
                          no_wrap=True, overflow="ellipsis"))  # fmt: skip
    effects = shaped.get("failed_effects", [])
    if effects:
        parts.append(Text(t("board.failed_effects", n=len(effects)), style="bold red"))
    for effect in effects:
        parts.append(Text(f"  {effect['key']}: {effect['error']}", style="red", no_wrap=True,
                          overflow="ellipsis"))  # fmt: skip
    parts.append(heartbeat_line(shaped["heartbeat"]))
    for ending in shaped.get("calendar_ends", []):
        parts.append(Text(f"⚠ {ending['advice']}", style="yellow"))
    now = dt.datetime.fromisoformat(shaped["now"]).astimezone(tz)
    return Panel(Group(*parts), title=t("board.title", now=format_date(now, with_time=True)),
                 title_align="left")  # fmt: skip
