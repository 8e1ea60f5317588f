"""`routing toezeggingen` in the terminal: one row per commitment, by its date: number, item,
what, who, by when, made in, status. An open one past its date is red, and says so in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from routing.i18n import format_date, t
from routing.render.terminal import user_text

__all__ = ["commitments_table"]


@user_text
def commitments_table(
    rows: Sequence[Mapping[str, Any]], bodies: Mapping[str, str], tz: dt.tzinfo
) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(t("commitments.col.number"), justify="right", no_wrap=True)
    table.add_column(t("commitments.col.item"), overflow="fold")
    table.add_column(t("commitments.col.what"), overflow="fold")
    table.add_column(t("commitments.col.who"), overflow="fold")
    table.add_column(t("commitments.col.due"), no_wrap=True)
    table.add_column(t("commitments.col.made_in"), overflow="fold")
    table.add_column(t("commitments.col.status"), overflow="fold")
    for row in rows:
        style = "bold red" if row["overdue"] else ""
        due = format_date(dt.date.fromisoformat(row["due"]), short=True)
        if row["status"] == "done":
            status = Text(t("commitments.status.done"), style="green")
        elif row["overdue"]:
            status = Text(t("commitments.status.overdue"), style=style)
        else:
            status = Text(t("commitments.status.open"))
        item = Text(f"#{row['item_id']} ", style="bold")
        item.append(row["item_title"] or "")
        table.add_row(
            str(row["id"]), item, Text(row["text"], style=style), row["owner"],
            Text(due, style=style), _made_in(row, bodies, tz), status,
        )  # fmt: skip
    return table


def _made_in(row: Mapping[str, Any], bodies: Mapping[str, str], tz: dt.tzinfo) -> Text:
    if row["body"] is None or row["meeting_at"] is None:
        return Text(t("commitments.outside_meeting"), style="dim")
    day = dt.datetime.fromisoformat(row["meeting_at"]).astimezone(tz)
    name = bodies.get(row["body"], row["body"])
    return Text(f"{name}, {format_date(day.date(), short=True)}")
