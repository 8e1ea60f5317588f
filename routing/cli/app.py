"""The secretariat's command line: parse, call one engine function, render.

No rule lives here. Heavy libraries (SQLAlchemy/SQLModel, Alembic, APScheduler) are imported only
inside the commands that need them, so `routing --help` and `routing check` start quickly.
Errors of the `RoutingError` family become one line on stderr (a configuration's problems: one
line each) and exit code 1 (refused by the rules) or 2 (bad input); a user's mistake never shows
a traceback.
"""

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from routing import i18n
from routing.cli import audit, corrections, items, meetings, setup
from routing.cli import bulk as cli_bulk
from routing.cli import commitments as cli_commitments
from routing.cli import documents as cli_documents
from routing.cli import exceptions as cli_exceptions
from routing.cli import outbox as cli_outbox
from routing.cli import stats as cli_stats
from routing.cli import todo as cli_todo
from routing.cli.common import (
    close_runtimes,
    defer_collection,
    env_language,
    make_console,
    settings,
    unreachable_database,
)
from routing.cli.help import lang_from_args, localize
from routing.cli.usage import click_exceptions, usage_line
from routing.config.location import configured_language
from routing.errors import BadInput, RoutingError, fault_summary

if TYPE_CHECKING:
    pass

__all__ = ["app", "main", "prepare"]

T = TypeVar("T")

app = typer.Typer(
    name="routing",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    ctx: typer.Context,
    lang: Annotated[
        str | None, typer.Option("--lang", metavar="help.mv.lang", help="help.opt.lang")
    ] = None,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="help.opt.debug"),
    ] = False,
) -> None:
    """Routing of agenda points and initiatives through the bodies of the UTA note.

    Example: routing new "Regionaal Werkcentrum" --flow agendapunt-stuurgroep
    """
    if debug:
        settings["debug"] = "1"
    ctx.call_on_close(close_runtimes)
    if lang is not None:
        if lang not in i18n.LANGUAGES:
            raise BadInput(
                i18n.t("err.option_choice", option="--lang", value=lang,
                       choices=", ".join(i18n.LANGUAGES))
            )  # fmt: skip
        settings["lang"] = lang
        i18n.set_language(lang)


# the order of registration is the order of `routing --help`
app.command()(setup.init)
app.command()(setup.check)
app.command("flows")(items.flows_command)
app.command()(items.new)
app.command("import")(cli_bulk.import_command)
app.command()(items.move)
app.command("list")(items.list_command)
app.command()(cli_todo.todo)
app.command()(items.show)
app.command()(corrections.edit)
app.command()(corrections.undo)
app.command()(setup.status)
app.command()(cli_stats.stats)
app.command()(items.plan)
app.command()(items.stukken)
app.command()(setup.daemon)
app.command()(cli_documents.agenda)
app.command()(cli_documents.besluitenlijst)
app.add_typer(meetings.meetings_app, name="meetings")
app.add_typer(meetings.meeting_app, name="meeting")
app.add_typer(cli_outbox.outbox_app, name="outbox")
app.add_typer(audit.audit_app, name="audit")
app.command("toezegging")(cli_commitments.toezegging)
app.command("toezegging-af")(cli_commitments.toezegging_af)
app.command("toezeggingen")(cli_commitments.toezeggingen)
app.command("uitzondering")(cli_exceptions.uitzondering)


def _fail(message: str, code: int) -> None:
    from routing.config.secrets import mask

    message = mask(message)  # whatever a message quotes, the secrets in force never show
    make_console(stderr=True, soft_wrap=True).print(f"routing: {message}")
    raise SystemExit(code)


def run(entry: Callable[[], T]) -> T | None:
    """Call `entry`, turning our errors into one line and an exit code."""
    try:
        return entry()
    except RoutingError as error:
        _fail(str(error), error.exit_code)
    except click_exceptions.NoArgsIsHelpError as error:
        # `routing` or `routing meeting` alone: the help itself, as click shows it (exit 2)
        make_console(stderr=True, soft_wrap=True).print(error.message)
        raise SystemExit(EXIT_USAGE) from None
    except click_exceptions.UsageError as error:
        _fail(usage_line(error), EXIT_USAGE)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # a bug: say so in one line, the traceback only on request
        gone = unreachable_database(error)  # not a bug: the database went away meanwhile
        if gone is not None:
            _fail(str(gone), gone.exit_code)
        if settings.get("debug") or os.environ.get("ROUTING_DEBUG"):
            raise
        _fail(i18n.t("err.unexpected", error=fault_summary(error)), EXIT_FAULT)
    return None


EXIT_FAULT = 3


EXIT_USAGE = 2


def config_from_args(args: Sequence[str]) -> str | None:
    """The `--config`/`-c` the command was given, for reading its language early."""
    tokens = list(args)
    for index, token in enumerate(tokens):
        if token in ("--config", "-c") and index + 1 < len(tokens):
            return tokens[index + 1]
        if token.startswith("--config="):
            return token.partition("=")[2]
    return None


def prepare(args: Sequence[str]) -> None:
    """Choose the language before click parses anything and put the help of every command in
    it: typer writes the help texts into the command tree when it builds it, before `_root`
    runs, and click's usage errors come before any command. `--lang` among the root options,
    else ROUTING_LANG (checked), else `language` of the routing.toml the command will use,
    else Dutch."""
    configured = configured_language(config_from_args(args))
    i18n.set_language(lang_from_args(args) or env_language() or configured or "nl")
    localize(app)


def main() -> None:
    defer_collection()

    def entry() -> object:
        prepare(sys.argv[1:])
        # standalone_mode=False: click raises usage errors instead of printing them in English
        return app(standalone_mode=False)

    run(entry)
