"""`routing todo` in the terminal: one row per open item, soonest first: when, who, what, item.

Late rows are red, rows due within a week amber; the words say it too ("3 dagen te laat").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from rich import box
from rich.table import Table
from rich.text import Text

from routing.i18n import format_date, t
from routing.render.board import when
from routing.render.terminal import user_text

__all__ = ["todo_table"]

_SOON = 7


@user_text
def todo_table(lines: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(t("todo.col.due"), no_wrap=True)
    table.add_column(t("todo.col.who"), overflow="fold")
    table.add_column(t("todo.col.what"), overflow="fold")
    table.add_column(t("todo.col.item"), overflow="fold")
    for line in lines:
        style = ""
        if line["late"]:
            style = "bold red"
        elif line["days"] is not None and line["days"] <= _SOON:
            style = "yellow"
        due = Text(t("label.none"), style="dim")
        if line["due"] is not None:
            moment = dt.datetime.fromisoformat(line["due"]).astimezone(tz)
            shown = format_date(moment, with_time=True, short=True)
            due = Text(f"{shown}\n{when(line)}", style=style)
        item = Text()
        if not line["openbaar"]:
            item.append("● ", style="bold magenta")
        item.append(f"#{line['id']} ", style="bold")
        item.append(line["title"])
        table.add_row(due, line["who"], Text(line["what"], style=style), item)
    return table
