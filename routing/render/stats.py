"""`routing stats` in the terminal: per body a table of its steps and a bar chart of items passed.

Drawn with rich only (a bar is a row of block characters scaled to the busiest step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from routing.i18n import t
from routing.render.terminal import user_text

__all__ = ["stats_view"]

_BAR = 30


def _days(value: float | None) -> str:
    return t("label.none") if value is None else f"{value:.1f}".replace(".", t("stats.decimal"))


def _share(body: Mapping[str, Any]) -> str:
    if not body["targets"]:
        return t("label.none")
    percent = round(100 * body["targets_reached"] / body["targets"])
    return t("stats.share", reached=body["targets_reached"], total=body["targets"],
             percent=percent)  # fmt: skip


def _body_table(body: Mapping[str, Any]) -> RenderableType:
    caption = t("stats.caption", late=body["papers_late"], targets=_share(body))
    if not body["steps"]:  # papers late or targets only: no steps to lay out
        return Group(Text(body["name"], style="italic"), Text(caption), Text(""))
    table = Table(title=body["name"], title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(t("stats.col.step"), overflow="fold")
    for key in ("passed", "deferred", "rolled_over", "median"):
        table.add_column(t(f"stats.col.{key}"), justify="right", no_wrap=True)
    for step in body["steps"]:
        table.add_row(step["title"], str(step["passed"]), str(step["deferred"]),
                      str(step["rolled_over"]), _days(step["median_days"]))  # fmt: skip
    table.caption = caption
    table.caption_justify = "left"
    return table


def _chart(bodies: list[Mapping[str, Any]]) -> Table:
    most = max((s["passed"] for b in bodies for s in b["steps"]), default=0) or 1
    chart = Table(title=t("stats.chart"), title_justify="left", box=None, show_header=False,
                  pad_edge=False)  # fmt: skip
    chart.add_column(overflow="fold")
    chart.add_column(no_wrap=True)
    for body in bodies:
        for step in body["steps"]:
            width = round(_BAR * step["passed"] / most)
            bar = Text("█" * width, style="cyan")
            bar.append(f" {step['passed']}")
            chart.add_row(f"{body['name']}: {step['title']}", bar)
    return chart


@user_text
def stats_view(data: Mapping[str, Any]) -> RenderableType:
    bodies = list(data["bodies"])
    if not bodies:
        return Text(t("stats.empty"))
    parts: list[RenderableType] = [_body_table(body) for body in bodies]
    parts.append(_chart(bodies))
    return Group(*parts)
