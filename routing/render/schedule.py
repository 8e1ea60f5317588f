"""Rich renderings of time: backward plans, meetings, sweeps, the outbox, the heartbeat.

Like `routing.render.items`, these lay out facts they are given and decide nothing.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from routing.i18n import format_ago, format_date, t
from routing.render.terminal import user_text

if TYPE_CHECKING:
    from routing.effects.delivery import DeliveryReport
    from routing.effects.sweep import SweepReport
    from routing.engine.meeting_sync import ImportReport

__all__ = [
    "failed_effects_table",
    "heartbeat_line",
    "import_dict",
    "import_view",
    "meetings_table",
    "outbox_table",
    "plan_view",
    "progress_bar",
    "sweep_view",
]


def _when(iso: str | None, tz: ZoneInfo, *, with_time: bool = True, short: bool = False) -> str:
    if not iso:
        return t("label.none")
    return format_date(
        dt.datetime.fromisoformat(iso).astimezone(tz),
        with_time=with_time,
        weekday=True,
        short=short,
    )


def _plan_table(plan: Mapping[str, Any], tz: ZoneInfo, title: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left")
    table.add_column(t("label.step"), style="bold")
    table.add_column(t("label.meeting"))
    table.add_column(t("label.latest"))
    table.add_column("")
    for step in plan["steps"]:
        ok = Text("✓", style="green") if step["feasible"] else Text(t("plan.missed"), style="red")
        table.add_row(
            step["title"], _when(step["meeting"]["start"], tz), _when(step["deadline"], tz), ok
        )
    return table


@user_text
def plan_view(shaped: Mapping[str, Any], tz: ZoneInfo) -> RenderableType:
    parts: list[RenderableType] = []
    status, chosen, earliest = shaped["status"], shaped["plan"], shaped["earliest"]
    target = _when(shaped["target"]["start"], tz) if shaped["target"] else ""
    if status == "no-meeting":
        parts.append(Text(t("plan.no_target_meeting"), style="red"))
    elif status in ("reached", "left-route"):
        style = "green" if status == "reached" else "yellow"
        parts.append(Text(t(f"plan.status_{status.replace('-', '_')}", target=target), style=style))
    elif status == "on-track" and chosen is None:  # planned on the target meeting itself
        parts.append(Text(t("plan.on_target", target=target), style="green"))
    elif chosen is not None:
        parts.append(_plan_table(chosen, tz, t("plan.to_target", target=target)))
        if status == "on-track":
            parts.append(Text(t("plan.reachable", target=target), style="green"))
        else:
            parts.append(Text(t("plan.unreachable", target=target), style="bold red"))
    if status == "lost":
        if earliest is not None:
            later = _when(earliest["target"]["start"], tz)
            parts.append(_plan_table(earliest, tz, t("plan.earliest", target=later)))
        else:
            parts.append(Text(t("plan.none_reachable"), style="red"))
    title = Text(f"#{shaped['item']} {shaped['title']} → {shaped['target_body']}")
    return Panel(Group(*parts), title=title, title_align="left")  # Text: a str title is markup


@user_text
def meetings_table(
    rows: Sequence[Mapping[str, Any]], tz: ZoneInfo, width: int | None = None
) -> Table:
    # short dates and a one-character rule-6 mark keep a row on one line at 80 columns
    table = Table(box=box.SIMPLE_HEAD, caption_justify="left", show_edge=False)
    shaped = [
        (_when(r["start"], tz, short=True), _when(r["papers_due"], tz, short=True)) for r in rows
    ]
    date_width = max((len(text) for pair in shaped for text in pair), default=10)
    table.add_column(t("label.meeting"), no_wrap=True, min_width=date_width)
    items_width = len(t("label.items"))
    # what the other columns and their padding leave; Rich would not shrink a no-wrap column
    # two one-character mark columns (change, rule 6) with their padding
    body_width = None if width is None else max(10, width - 2 * date_width - items_width - 19)
    table.add_column(
        t("label.body"), no_wrap=True, overflow="ellipsis", max_width=body_width, min_width=10
    )
    table.add_column(t("label.papers_due"), no_wrap=True, min_width=date_width)
    table.add_column(t("label.items"), justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, width=1)
    table.add_column("", no_wrap=True, width=1)
    flagged = False
    marks_used: dict[str, None] = {}
    for row, (start, papers_due) in zip(rows, shaped, strict=True):
        warning = Text("")
        if row["no_regional_preparation"]:
            warning, flagged = Text("⚠", style="bold yellow"), True
        mark = _change_mark(row)
        if mark:
            marks_used[mark] = None
        cancelled = row.get("status") == "cancelled"
        table.add_row(
            start, row["body_name"], papers_due if not cancelled else "",
            str(row["items"]) if row["items"] else "", Text(mark, style="bold"), warning,
            style="dim strike" if cancelled else None,
        )  # fmt: skip
    if not rows:
        table.caption = t("meetings.none")
    else:
        legend = [t(f"meetings.mark_{_MARKS[m]}", mark=m) for m in marks_used]
        if flagged:
            legend.append(t("meetings.rule6_legend"))
        if legend:
            table.caption = Text("  ".join(legend), style="yellow")
    return table


_MARKS = {"↷": "moved", "✗": "cancelled", "+": "added"}


def _change_mark(row: Mapping[str, Any]) -> str:
    if row.get("status") == "cancelled":
        return "✗"
    if row.get("moved"):
        return "↷"
    if row.get("added"):
        return "+"
    return ""


@user_text
def heartbeat_line(beat: Mapping[str, Any]) -> Text:
    if beat["at"] is None:
        return Text(t("daemon.never"), style="yellow")
    ago = format_ago(dt.timedelta(seconds=int(beat["age_seconds"])))
    style = "bold red" if beat["silent"] else "green"
    text = Text(t("daemon.last_sweep", ago=ago, sweeps=beat["sweeps"]), style=style)
    if beat["silent"]:
        text.append(" " + t("daemon.silent"), style="bold red")
    if beat.get("summary"):
        text.append(f" ({beat['summary']})", style="dim")
    return text


@user_text
def sweep_view(report: SweepReport, sent: DeliveryReport) -> RenderableType:
    lines: list[RenderableType] = [Text(report.summary(), style="bold")]
    lines.extend(Text(f"  {line}") for line in report.lines)
    lines.append(
        Text(t("daemon.delivery", sent=sent.sent, retried=sent.retried, failed=sent.failed))
    )
    lines.extend(Text(f"  {error}", style="red") for error in sent.errors)
    return Group(*lines)


@user_text
def outbox_table(rows: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> Table:
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    table.add_column(t("label.id"), justify="right", no_wrap=True)
    table.add_column(t("label.kind"), no_wrap=True)
    table.add_column(t("label.subject"), no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column(t("label.status"), no_wrap=True)
    table.add_column(t("label.when"), no_wrap=True)
    reasons = any(row["last_error"] and row["status"] != "sent" for row in rows)
    if reasons:
        table.add_column(t("label.reason"), overflow="fold", ratio=1)
    colours = {"sent": "green", "pending": "yellow", "failed": "bold red"}
    for row in rows:
        when = row["sent_at"] or row["next_attempt_at"]
        status = Text(t(f"outbox.{row['status']}"), style=colours.get(row["status"], ""))
        if row["attempts"] and row["status"] != "sent":
            status.append(f" ({row['attempts']}×)")
        cells: list[RenderableType] = [
            str(row["id"]), t(f"mail.{row['kind']}"), row["subject"], status,
            _when(when, tz, short=True),
        ]  # fmt: skip
        if reasons:
            error = row["last_error"] if row["status"] != "sent" else None
            cells.append(Text(error or "", style="red"))
        table.add_row(*cells)
    if not rows:
        table.caption = t("outbox.empty")
    return table


@user_text
def failed_effects_table(rows: Sequence[Mapping[str, Any]], tz: ZoneInfo) -> Table:
    """The sweep effects given up, with their reason (`routing outbox retry --failed`)."""
    table = Table(box=box.SIMPLE_HEAD, expand=True, title=t("failures.title"), title_justify="left")
    table.add_column(t("label.effect"), no_wrap=True)
    table.add_column(t("label.id"), justify="right", no_wrap=True)
    table.add_column(t("label.when"), no_wrap=True)
    table.add_column(t("label.reason"), overflow="fold", ratio=1)
    for row in rows:
        table.add_row(
            Text(row["key"]), f"#{row['item_id']}" if row["item_id"] is not None else "",
            _when(row["failed_at"], tz, short=True),
            Text(f"{row['error']} ({row['attempts']}×)", style="red"),
        )  # fmt: skip
    table.caption = t("failures.hint")
    return table


@contextmanager
def progress_bar(console: Console) -> Iterator[Any]:
    """A progress callback for long work: a bar in a terminal, silence in a pipe."""
    if not (console.is_terminal and sys.stdout.isatty()):
        yield None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(t(f"progress.{stage}"), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def import_dict(report: ImportReport) -> dict[str, Any]:
    """The documented `--json` of `routing meetings import`."""
    return {
        "body": report.body,
        "dry_run": report.dry_run,
        "added": [moment.isoformat() for moment in report.added],
        "moved": [{"from": old.isoformat(), "to": new.isoformat()} for old, new in report.moved],
        "cancelled": [moment.isoformat() for moment in report.cancelled],
        "unchanged": report.unchanged,
        "skipped": [
            {"key": s.key, "summary": s.summary, "day": s.day.isoformat(), "reason": s.reason}
            for s in report.skipped
        ],
        "items_replanned": sorted({i for change in report.changes for i in change.items}),
    }


@user_text
def import_view(report: ImportReport, tz: ZoneInfo) -> RenderableType:
    def when(moment: dt.datetime) -> str:
        return format_date(moment.astimezone(tz), with_time=True, weekday=True, short=True)

    lines: list[RenderableType] = [
        Text(
            t(
                "import.dry_run_summary" if report.dry_run else "import.summary",
                body=report.body,
                added=len(report.added),
                moved=len(report.moved),
                cancelled=len(report.cancelled),
                unchanged=report.unchanged,
                skipped=len(report.skipped),
            ),
            style="bold",
        )
    ]
    lines += [Text(f"  + {when(m)}", style="green") for m in report.added]
    lines += [Text(f"  ~ {when(old)} → {when(new)}", style="yellow") for old, new in report.moved]
    lines += [Text(f"  - {when(m)}", style="red") for m in report.cancelled]
    for skipped in report.skipped:
        reason = t(f"import.skip.{skipped.reason}")
        summary = skipped.summary or skipped.key
        lines.append(Text(f"  · {format_date(skipped.day)} {summary}: {reason}", style="dim"))
    replanned = sorted({i for change in report.changes for i in change.items})
    if replanned:
        lines.append(Text(t("import.replanned", ids=", ".join(f"#{i}" for i in replanned))))
    return Group(*lines)
