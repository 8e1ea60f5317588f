"""Rendering the board for the terminal, readable from 80 to 200 columns.

Wide terminals get the bodies side by side as columns of cards; narrow ones get the bodies one
under the other, one line per card, cut with an ellipsis rather than wrapped. Colour carries the
urgency (late red, due within a week amber), and the words say it too for those who cannot see it.

A board is read at a glance: each body shows its most urgent cards (late first, then by days
left), at most `CARDS_SHOWN` unless `routing status --all`, and says how many more there are, how
many of those are late, and the command that shows them all; the coming two weeks list one line
per moment, body and kind of deadline, with the items it concerns (how many, the first few).
With 10,000 open items the board stays a screen or two; `--json` still holds every card.
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

from routing.i18n import format_date, t, tn
from routing.read.actions import describe
from routing.render.schedule import heartbeat_line
from routing.render.terminal import user_text

__all__ = ["CARDS_SHOWN", "board_view", "when"]

CARDS_SHOWN = 12  # per body, unless --all
ITEMS_NAMED = 3  # per line of the coming two weeks

_STYLE = {"late": "bold red", "soon": "yellow", "ok": ""}


def _short(iso: str | None, tz: ZoneInfo) -> str:
    if not iso:
        return t("label.none")
    moment = dt.datetime.fromisoformat(iso).astimezone(tz)
    return format_date(moment.date()).rsplit(" ", 1)[0]  # "14 maart": the year is plain here


def when(action: Mapping[str, Any]) -> str:
    """How far away an action's moment is: "over 2 d", "vandaag", "vandaag verlopen",
    "1 dag te laat", "3 dagen te laat" (calendar days in the region's time zone)."""
    days = action["days"]
    if action["passed"]:
        return t("board.expired_today") if days >= 0 else tn("board.late_by", -days, n=-days)
    return t("board.today") if days <= 0 else t("board.in_days", n=days)


def _card_lines(card: Mapping[str, Any], tz: ZoneInfo) -> list[Text]:
    title = Text()
    if not card["openbaar"]:  # first, so a cut title never hides it; the legend explains it
        title.append("● ", style="bold magenta")
    title.append(f"#{card['id']} ", style="bold")
    title.append(card["title"])
    lines = [title]
    action = card.get("action") or {}
    kind = action.get("kind")
    style = _STYLE[card["status"]]
    if kind == "handover":  # a person holds no meeting: the one she brings the point to
        meeting = f"{action['body_name']} {_short(action['meeting'], tz)}"
        lines.append(Text(meeting, style="dim"))
    elif kind == "papers" and card["meeting"]:
        lines.append(
            Text(f"{t('label.meeting').lower()} {_short(card['meeting'], tz)}", style="dim")
        )
    if kind in ("papers", "handover", "meeting"):
        label = f"{describe(action, short=True)} {when(action)} · {_short(action['at'], tz)}"
        lines.append(Text(label, style=style))
    elif kind == "outcome":
        lines.append(Text(f"{t('board.meeting_passed')} · {_short(action['at'], tz)}", style=style))
    elif kind == "no_meeting":
        lines.append(Text(t("board.no_meeting"), style="dim"))
    for line in lines:
        line.no_wrap, line.overflow = True, "ellipsis"
    return lines


def _trimmed(shaped: Mapping[str, Any], limit: int | None) -> dict[str, Any]:
    """What the view shows of the board: per column the first `limit` cards (they come most
    urgent first) with the counts of all and of those left out; the coming deadlines grouped
    by moment, kind and body. Only this passes `user_text`, not 10,000 cards nobody sees."""
    columns = []
    for column in shaped["columns"]:
        cards = list(column["cards"])
        kept = cards if limit is None else cards[:limit]
        hidden = cards[len(kept) :]
        late = sum(1 for card in hidden if card["status"] == "late")
        columns.append(
            {**column, "cards": kept, "count": len(cards), "hidden": len(hidden), "late": late}
        )
    lines: dict[tuple[str, str, str], list[Any]] = {}
    for entry in shaped["upcoming"]:
        items = lines.setdefault((entry["at"], entry["kind"], entry["body_name"]), [])
        if "item" in entry:
            items.append(entry["item"])
    upcoming = [
        {"at": at, "kind": kind, "body_name": name, "items": items[:ITEMS_NAMED], "n": len(items)}
        for (at, kind, name), items in lines.items()
    ]
    return {**shaped, "columns": columns, "upcoming": upcoming}


def _more(column: Mapping[str, Any]) -> Text | None:
    """The line that says what a column leaves out (None: nothing)."""
    if not column["hidden"]:
        return None
    command = "routing status --all"
    if column["body"] is not None:
        command = f"routing status --body {column['body']} --all"
    if column["late"]:
        text = t("board.more_late", n=column["hidden"], late=column["late"], command=command)
        return Text(text, style=_STYLE["late"], no_wrap=True, overflow="ellipsis")
    text = t("board.more", n=column["hidden"], command=command)
    return Text(text, style="dim", no_wrap=True, overflow="ellipsis")


def _wide(columns: list[Mapping[str, Any]], tz: ZoneInfo, width: int) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, pad_edge=False)
    room = max(12, width // max(len(columns), 1) - 8)
    for column in columns:
        name = Text(column["name"], no_wrap=True)
        name.truncate(room, overflow="ellipsis")
        header = name.append(f" ({column['count']})")
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
    more = [_more(column) for column in columns]
    if any(line is not None for line in more):
        table.add_row(*[line or Text("") for line in more])
    return table


def _narrow(columns: list[Mapping[str, Any]], tz: ZoneInfo) -> RenderableType:
    parts: list[RenderableType] = []
    for column in columns:
        parts.append(Text(f"{column['name']} ({column['count']})", style="bold underline"))
        for card in column["cards"]:
            first, *rest = _card_lines(card, tz)
            parts.append(Text("  ", no_wrap=True, overflow="ellipsis").append_text(first))
            if rest:
                detail = Text("    ", no_wrap=True, overflow="ellipsis")
                detail.append_text(Text(" · ").join(rest))
                parts.append(detail)
        more = _more(column)
        if more is not None:
            parts.append(Text("  ").append_text(more))
        if not column["cards"]:
            parts.append(Text("  —", style="dim"))
    return Group(*parts)


def _upcoming(lines: list[Mapping[str, Any]], tz: ZoneInfo) -> Table:
    """One line per moment, kind and body; a deadline's items by number, how many first when
    there are more than a few (a narrow terminal cuts the end of the line)."""
    rows = []
    for line in lines:
        moment = dt.datetime.fromisoformat(line["at"]).astimezone(tz)
        what = t("deadline." + line["kind"])
        named = ", ".join(f"#{item}" for item in line["items"])
        if line["n"] > len(line["items"]):
            what += f" ({line['n']}) {named}, …"
        elif named:
            what += f" {named}"
        rows.append((f"{_short(line['at'], tz)} {moment:%H:%M}", what, line["body_name"]))
    upcoming = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    # the moment is never cut; the rest is, with an ellipsis
    upcoming.add_column(no_wrap=True, min_width=max(len(row[0]) for row in rows))
    upcoming.add_column(overflow="ellipsis", no_wrap=True)
    upcoming.add_column(overflow="ellipsis", no_wrap=True)
    for row in rows:
        upcoming.add_row(*row)
    return upcoming


def board_view(
    shaped: Mapping[str, Any], tz: ZoneInfo, width: int, limit: int | None = CARDS_SHOWN
) -> RenderableType:
    """The board; `limit` cards per body at most (None: every card)."""
    return _board_view(_trimmed(shaped, limit), tz, width)


@user_text
def _board_view(shaped: Mapping[str, Any], tz: ZoneInfo, width: int) -> RenderableType:
    columns = list(shaped["columns"])
    wide = width >= 24 * max(len(columns), 1) and width >= 120
    main = _wide(columns, tz, width) if wide else _narrow(columns, tz)
    parts: list[RenderableType] = [
        main,
        Text(t("board.upcoming"), style="bold"),
        _upcoming(shaped["upcoming"], tz) if shaped["upcoming"] else Text("  —", style="dim"),
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
    return Panel(Group(*parts), title=Text(t("board.title", now=format_date(now, with_time=True))),
                 title_align="left")  # fmt: skip
