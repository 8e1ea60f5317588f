"""`routing todo`: who must act next, on what, by when.

Like every command it only parses, calls one function below it and renders.
"""

from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import ConfigOpt, JsonOpt, NowOpt, emit_json, make_console, open_runtime

__all__ = ["todo"]


def todo(
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="help.mv.name", help="help.opt.todo_owner")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Who must act next, on what, by when: per open item its next action, soonest first.

    Example: routing todo --owner "Anouk Pols"
    """
    from routing.read.todo import todo as todo_lines

    rt = open_runtime(config, now)
    lines = todo_lines(rt, owner=owner)
    if as_json:
        emit_json(lines)
    elif not lines:
        make_console().print(i18n.t("todo.empty"))
    else:
        from routing.render.todo import todo_table

        make_console().print(todo_table(lines, rt.config.timezone))
