"""The command on late-item exceptions: the chair grants or refuses a late item's request.

Like every command it only parses, calls one function below it and renders.
"""

from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import ActorOpt, ConfigOpt, NowOpt, make_console, open_runtime
from routing.errors import BadInput

__all__ = ["uitzondering"]


def uitzondering(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    grant: Annotated[bool, typer.Option("--toestaan", help="help.opt.exception_grant")] = False,
    refuse: Annotated[bool, typer.Option("--weigeren", help="help.opt.exception_refuse")] = False,
    note: Annotated[
        str | None, typer.Option("--note", metavar="help.mv.text", help="help.opt.exception_note")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Grant or refuse a late item's request to join the meeting it was too late for.

    Example: routing uitzondering 12 --toestaan --note "Spoed: subsidietermijn"
    """
    from routing.engine import late_exceptions

    if grant == refuse:
        raise BadInput(i18n.t("err.exception_choice"))
    rt = open_runtime(config, now, actor)
    decided = late_exceptions.decide(rt, item_id, grant, note)
    key = "cli.exception_granted" if decided.granted else "cli.exception_refused"
    make_console().print(i18n.t(key, id=item_id, meeting=decided.meeting))
