"""What every command of the CLI shares: its options, opening the runtime, printing.

Kept apart from `routing.cli.app` so command groups can live in modules of their own
(`routing.cli.documents`) without importing the app that registers them.
"""

import datetime as dt
import gc
import os
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from routing import i18n
from routing.errors import BadInput, RoutingError

if TYPE_CHECKING:
    from rich.console import Console

    from routing.runtime import Runtime

__all__ = [
    "ActorOpt",
    "ConfigOpt",
    "ExportFormatOpt",
    "ExportOutputOpt",
    "JsonOpt",
    "NowOpt",
    "body_names",
    "choose_format",
    "close_runtimes",
    "defer_collection",
    "emit_json",
    "env_language",
    "export_rows",
    "make_console",
    "open_runtime",
    "parse_day",
    "settings",
    "unreachable_database",
]

ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", "-c", metavar="help.mv.file", help="help.opt.config"),
]
NowOpt = Annotated[
    str | None,
    typer.Option("--now", metavar="help.mv.moment", help="help.opt.now"),
]
ActorOpt = Annotated[str | None, typer.Option("--as", metavar="help.mv.name", help="help.opt.as")]
JsonOpt = Annotated[bool, typer.Option("--json", help="help.opt.json")]

settings: dict[str, str | None] = {"lang": None, "debug": None}
# the runtimes a command opened, closed when it ends (their pooled database connections)
_opened: "list[Runtime]" = []
_closed: "list[Runtime]" = []


def make_console(*, stderr: bool = False, soft_wrap: bool = False) -> "Console":
    """Every console of the CLI: user text shown as text (`routing.render.terminal`)."""
    from routing.render import terminal

    return terminal.console(stderr=stderr, soft_wrap=soft_wrap)


# set by `defer_collection` (a real `routing` process): the collector waits for the runtime
_collection = {"deferred": False}


def defer_collection() -> None:
    """Called first by `routing.cli.app.main`: no garbage collection while the command imports
    its libraries (they only add long-lived objects; the collector walked them again and again,
    about 70 ms of `routing status`). `open_runtime` resumes it."""
    gc.disable()
    _collection["deferred"] = True


def _resume_collection() -> None:
    """Collection back on, with what exists now (the modules, the configuration, the flows:
    it lives as long as the process) frozen out of its sight, so that a read of 10,000 items
    no longer pays for full collections walking every imported object. Only in a process that
    deferred it (`main`), once: a test's in-process commands leave the collector alone."""
    if _collection["deferred"]:
        _collection["deferred"] = False
        gc.freeze()
        gc.enable()


def open_runtime(
    config: str | None, now: str | None = None, actor: str | None = None, *, daemon: bool = False
) -> "Runtime":
    from routing.runtime import Runtime

    rt = Runtime.open(config, now=now, actor=actor, daemon=daemon)
    _resume_collection()
    # --lang, else ROUTING_LANG, else the language of routing.toml
    i18n.set_language(settings["lang"] or env_language() or rt.config.language)
    _opened.append(rt)
    return rt


def env_language() -> str | None:
    """ROUTING_LANG, checked: a typing error there is bad input, not a silent Dutch default."""
    value = os.environ.get("ROUTING_LANG", "").strip()
    if not value:
        return None
    if value not in i18n.LANGUAGES:
        raise BadInput(i18n.t("err.lang_env", value=value, choices=", ".join(i18n.LANGUAGES)))
    return value


def unreachable_database(error: BaseException) -> RoutingError | None:
    """A database that went away during the command, as its one clear line (exit 2)."""
    for rt in [*_opened, *_closed]:
        found = rt.unreachable(error)
        if found is not None:
            return found
    return None


def close_runtimes() -> None:
    """Close what the command opened: the pool keeps SQLite connections open between
    transactions, and closing the last one checkpoints the WAL into the database file."""
    _closed[:] = _opened  # an error is judged after the command's context closed them
    while _opened:
        _opened.pop().close()


def emit_json(data: Any) -> None:
    """`--json` output: indented for a person at a terminal, compact for a program reading a
    pipe (several times faster to write for a list of thousands of items; `jq .` indents it)."""
    from routing.text import json_text

    sys.stdout.write(json_text(data, indent=sys.stdout.isatty()) + "\n")


def parse_day(text: str, rt: "Runtime") -> dt.date:
    from routing.clock import parse_moment

    return parse_moment(text, rt.config.timezone).astimezone(rt.config.timezone).date()


def body_names(rt: "Runtime") -> dict[str, str]:
    return {key: body.name for key, body in rt.config.bodies.items()}


# `routing list`, `meetings`, `outbox`: a spreadsheet or JSON file (`routing.render.export`)
ExportFormatOpt = Annotated[
    str | None,
    typer.Option("--format", metavar="help.mv.export_format", help="help.opt.export_format"),
]
ExportOutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="help.mv.file", help="help.opt.export_output"),
]


def export_rows(view: str, rows: list[dict[str, Any]], fmt: str, output: str | None) -> None:
    """Write `rows` as `fmt` to `output` (or stdout), saying in one line what was written."""
    from routing.render import export

    text = export.write(view, rows, fmt, output)
    if output is None:
        sys.stdout.write(text)
        return
    make_console().print(i18n.tn("cli.exported", len(rows), count=len(rows), path=output))


def choose_format(fmt: str | None, output: str | None) -> str | None:
    """`--format`, else the extension of `-o`; None: the terminal view (checked before the
    database is opened: a typing error changes nothing)."""
    from routing.render import export

    return export.choose_format(fmt, output)
