"""Rich renderings of the shapes in `routing.read.items`: tables and panels for the terminal.

Views only lay out facts they are given; they decide nothing. Dates are shown in the region's
zone, in Dutch form by default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from routing.i18n import format_date, t
from routing.render.schedule import plan_view
from routing.render.terminal import user_text

__all__ = ["flow_view", "flows_table", "item_view", "items_table"]


def _local(iso: str | None, tz: ZoneInfo, *, short: bool = False) -> str:
    if not iso:
        return t("label.none")
    moment = dt.datetime.fromisoformat(iso).astimezone(tz)
    return format_date(moment, with_time=True, short=short)


def _flags(item: Mapping[str, Any]) -> Text:
    text = Text()
    if not item["openbaar"]:
        text.append(t("label.confidential"), style="bold magenta")
    elif not item["verspreiden"]:
        text.append(t("label.not_distributed"), style="yellow")
    else:
        text.append(t("label.public"), style="dim")
    return text


MIN_TITLE = 32


@user_text
def items_table(
    items: Sequence[Mapping[str, Any]], bodies: Mapping[str, str], width: int | None = None
) -> Table:
    """One line per item. Given the console width, the title gets what the other columns leave
    (cut with …); when that would be under MIN_TITLE the body and flow columns give way to it
    (the state names the body already: regieteam, pfho-wp, …)."""
    table = Table(box=box.SIMPLE_HEAD, expand=False)
    cells = [
        (
            str(item["id"]),
            item["state"],
            item["kenmerk"] or t("label.none"),
            bodies.get(item["body"] or "", t("label.none")),
            item["flow"],
        )
        for item in items
    ]
    labels = ("label.id", "label.state", "label.kenmerk", "label.body", "label.flow")
    caps = (8, 22, 14, 28, 28)
    widths = [
        min(cap, max([len(t(label)), *(len(row[n]) for row in cells)]))
        for n, (label, cap) in enumerate(zip(labels, caps, strict=True))
    ]

    def room(shown: int) -> int:  # per column: a space of padding either side and a separator
        return (width or 0) - sum(widths[:shown]) - 3 * (shown + 1) - 2

    shown = 5 if width is None or room(5) >= MIN_TITLE else 3
    title_width = None if width is None else max(10, room(shown))
    table.add_column(t("label.id"), justify="right", style="bold", no_wrap=True)
    table.add_column(t("label.title"), no_wrap=True, overflow="ellipsis", max_width=title_width)
    for n in range(1, shown):
        table.add_column(t(labels[n]), no_wrap=True, overflow="ellipsis", max_width=widths[n])
    for item, row in zip(items, cells, strict=True):
        title = Text(item["title"])
        if not item["openbaar"]:
            title.append(" ●", style="magenta")
        state = Text(row[1], style="green" if item["final"] else "")
        table.add_row(row[0], title, state, *row[2:shown])
    return table


@user_text
def _ratification(summary: Mapping[str, Any]) -> Text:
    """ "3 van 7 colleges akkoord", then each body asked: its item, its answer, when it is due."""
    text = Text(summary["line"], style="bold")
    for row in summary["bodies"]:
        text.append(f"\n#{row['item']} {row['name']}: {row['state']} ({row['due']})", style="")
    return text


def item_view(
    detail: Mapping[str, Any],
    bodies: Mapping[str, str],
    tz: ZoneInfo,
    width: int | None = None,
) -> RenderableType:
    header = Table.grid(padding=(0, 2))
    header.add_column(style="bold")
    header.add_column()
    version = detail["flow_version"]
    if not detail["flow_version_current"]:
        version += " *"
    rows: list[tuple[str, RenderableType]] = [
        (t("label.state"), Text(f"{detail['state']} ({detail['state_title']})", style="bold")),
        (t("label.body"), bodies.get(detail["body"] or "", t("label.none"))),
        (t("label.flow"), f"{detail['flow']} ({t('label.version').lower()} {version})"),
        (t("label.kenmerk"), detail["kenmerk"] or t("label.none")),
        (t("label.owner"), detail["owner"] or t("label.none")),
        (t("label.topics"), ", ".join(detail["topics"]) or t("label.none")),
        (t("label.asked"), t(f"asked.{detail['asked']}")),
        (t("label.flags"), _flags(detail)),
        (t("label.created"), _local(detail["created_at"], tz)),
    ]
    if detail.get("ratification"):
        rows.append((t("label.ratification"), _ratification(detail["ratification"])))
    if detail.get("ratifies"):
        rows.append((t("label.ratifies"), f"#{detail['ratifies']}"))
    for label, value in rows:
        header.add_row(label, value)

    possible = Table(box=None, show_header=False, padding=(0, 1))
    for option in detail["possible"]:
        mark = Text("✓", style="green") if option["allowed"] else Text("✗", style="red")
        why = option["refusal"] or option["title"]
        possible.add_row(mark, Text(option["trigger"], style="bold"), f"→ {option['dest']}", why)

    history = _history(detail["history"], tz, width)
    parts: list[RenderableType] = [header, *_papers(detail.get("papers", []), tz)]
    parts += [Text(""), Text(t("label.possible"), style="bold")]
    parts.append(possible if detail["possible"] else Text(t("err.nothing_possible"), style="dim"))
    parts.append(history)
    parts.extend(_time_sections(detail, bodies, tz))
    return Panel(
        Group(*parts), title=Text(f"#{detail['id']} {detail['title']}"), title_align="left"
    )


def _papers(papers: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> list[RenderableType]:
    """The item's papers: number, title, link or the copy's path, checksum, added when by whom."""
    if not papers:
        return []
    table = Table(box=box.SIMPLE_HEAD, title=t("label.papers"), title_justify="left", expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column(t("label.paper"), ratio=1, overflow="fold")
    table.add_column("sha256", no_wrap=True)
    table.add_column(t("label.added"), no_wrap=True)
    for paper in papers:
        where = Text(paper["title"], style="bold")
        where.append(f"\n{paper['url'] or paper['path']}", style="dim")
        added = f"{_local(paper['added_at'], tz, short=True)} · {paper['actor']}"
        table.add_row(str(paper["id"]), where, (paper["sha256"] or "")[:12], added)
    return [Text(""), table]


NARROW = 110  # below this a timeline row puts its note under the step instead of beside it


def _history(events: Sequence[Mapping[str, Any]], tz: ZoneInfo, width: int | None) -> Table:
    if width is not None and width < NARROW:
        timeline = Table(
            box=box.SIMPLE_HEAD, title=t("label.history"), title_justify="left", expand=True
        )
        timeline.add_column(t("label.when"), no_wrap=True)
        timeline.add_column(f"{t('label.step')} → {t('label.to')} · {t('label.actor')}", ratio=1)
        for event in events:
            line = Text(event["trigger"], style="bold")
            line.append(f" → {event['to']}")
            line.append(f" · {event['actor']}", style="dim")
            if event["note"]:
                line.append(f"\n{event['note']}", style="italic")
            timeline.add_row(_local(event["at"], tz, short=True), line)
        return timeline
    history = Table(
        box=box.SIMPLE_HEAD, title=t("label.history"), title_justify="left", expand=True
    )
    history.add_column(t("label.when"), no_wrap=True)
    history.add_column(t("label.step"), style="bold", no_wrap=True)
    history.add_column(t("label.to"), no_wrap=True, overflow="ellipsis", max_width=24)
    history.add_column(t("label.actor"), no_wrap=True, overflow="ellipsis", max_width=16)
    history.add_column(t("label.note"), ratio=1, min_width=16)
    for event in events:
        history.add_row(
            _local(event["at"], tz, short=True),
            event["trigger"],
            event["to"],
            event["actor"],
            event["note"] or "",
        )
    return history


def _time_sections(
    detail: Mapping[str, Any], bodies: Mapping[str, str], tz: ZoneInfo
) -> list[RenderableType]:
    """Deadlines ahead, the E&I decision, notifications and the backward plan, when known."""
    parts: list[RenderableType] = []
    if detail.get("deadlines"):
        table = Table(box=box.SIMPLE_HEAD, title=t("label.deadlines"), title_justify="left")
        table.add_column(t("label.kind"), no_wrap=True)
        table.add_column(t("label.body"), no_wrap=True, overflow="ellipsis", max_width=32)
        table.add_column(t("label.when"), no_wrap=True)
        table.add_column("", no_wrap=True)
        for row in detail["deadlines"]:
            missed = Text(t("label.missed"), style="bold red") if row.get("missed") else Text("")
            table.add_row(t(f"deadline.{row['kind']}"), bodies.get(row["body"], row["body"]),
                          _local(row["due"], tz, short=True), missed)  # fmt: skip
        parts.append(table)
    for decision in detail.get("ei", []):
        key = "ei.effect_yes" if decision["inform"] else "ei.effect_no"
        body = bodies.get(decision["body"], decision["body"])
        verdict = t(key, body=body, reason=decision["reason"])
        parts.append(Text(f"{t('label.inform_ei')}: {verdict} — {decision['decided_by']}, "
                          f"{_local(decision['at'], tz)}"))  # fmt: skip
    if detail.get("notifications"):
        table = Table(
            box=box.SIMPLE_HEAD, title=t("label.notifications"), title_justify="left", expand=True
        )
        table.add_column(t("label.kind"), no_wrap=True)
        table.add_column(t("label.subject"), no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column(t("label.status"), no_wrap=True)
        for message in detail["notifications"]:
            status = t(f"outbox.{message['status']}")
            if message["sent_at"]:
                status += f" {_local(message['sent_at'], tz, short=True)}"
            table.add_row(t(f"mail.{message['kind']}"), message["subject"], status)
        parts.append(table)
    if detail.get("plan"):
        parts.append(plan_view(detail["plan"], tz))
    return parts


@user_text
def flows_table(flows: Sequence[Mapping[str, Any]]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column(t("label.name"), style="bold")
    table.add_column(t("label.title"))
    table.add_column(t("label.kind"))
    table.add_column(t("label.version"), style="dim")
    table.add_column(t("label.inform_ei"))
    for flow in flows:
        ei = flow["inform_ei"]
        table.add_row(
            flow["name"],
            flow["title"],
            flow["kind"],
            flow["version"],
            f"{ei['body']} ({ei['mode']})" if ei else t("label.none"),
        )
    return table


@user_text
def flow_view(flow: Mapping[str, Any], bodies: Mapping[str, str]) -> RenderableType:
    states = Table(box=box.SIMPLE_HEAD, title=t("label.states"), title_justify="left")
    states.add_column(t("label.state"), style="bold")
    states.add_column(t("label.title"))
    states.add_column(t("label.body"))
    for state in flow["states"]:
        name = Text(state["name"])
        if state["name"] == flow["initial"]:
            name.append(" ▶", style="cyan")
        if state["final"]:
            name.append(f" ({t('label.final')})", style="green")
        states.add_row(name, state["title"], bodies.get(state["body"] or "", t("label.none")))
    triggers = Table(box=box.SIMPLE_HEAD, title=t("label.triggers"), title_justify="left")
    triggers.add_column(t("label.step"), style="bold")
    triggers.add_column(t("label.from"))
    triggers.add_column(t("label.to"))
    triggers.add_column(t("label.guard"))
    for trigger in flow["triggers"]:
        triggers.add_row(
            trigger["name"],
            ", ".join(trigger["sources"]),
            trigger["dest"],
            trigger["guard"] or "",
        )
    ei = flow["inform_ei"]
    footer = Text(
        f"{t('label.inform_ei')}: "
        + (f"{ei['body']} @ {ei['trigger']} ({ei['mode']})" if ei else t("label.none"))
    )
    return Panel(
        Group(states, triggers, footer),
        title=Text(f"{flow['name']} — {flow['title']} ({flow['version']})"),
        title_align="left",
    )
