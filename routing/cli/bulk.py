"""`routing import FILE.csv`: many items at once, all or nothing (`routing.engine.bulk`).

Like every command it only parses, calls one function and renders: a progress bar while it
works in a terminal (nothing extra in a pipe), then the count (a terminal) or the new ids one a
line (a pipe, as `routing new` prints its id), and the warnings `routing new` would give.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import (
    ActorOpt,
    ConfigOpt,
    JsonOpt,
    NowOpt,
    emit_json,
    make_console,
    open_runtime,
)

__all__ = ["import_command"]


def import_command(
    file: Annotated[str, typer.Argument(metavar="help.mv.file", help="help.arg.items_file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="help.opt.dry_run")] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register many items from a CSV file: all rows or, on one bad row, none.

    The help users read is `help.cmd.import` in the catalogue (it lists the columns).

    Example: routing import agendapunten.csv --dry-run
    """
    from pathlib import Path

    from routing.engine import bulk
    from routing.render import schedule as views

    rt = open_runtime(config, now, actor)
    console = make_console()
    with views.progress_bar(console) as progress:
        done = bulk.import_items(rt, Path(file), progress=progress, dry_run=dry_run)
    if as_json:
        emit_json({"ids": done.ids, "dry_run": done.dry_run, "warnings": done.warnings})
        return
    count = done.rows
    if dry_run:
        console.print(i18n.tn("cli.import_checked", count, count=count))
    elif sys.stdout.isatty():
        if done.ids:
            console.print(i18n.tn("cli.imported", count, count=count, first=done.ids[0],
                                  last=done.ids[-1]))  # fmt: skip
        else:
            console.print(i18n.t("cli.import_nothing"))
    else:
        sys.stdout.write("".join(f"{item_id}\n" for item_id in done.ids))
    warn = make_console(stderr=True)
    for warning in done.warnings:
        warn.print(warning, style="yellow")
