"""Correcting a mistake: `routing undo` takes an item's last step back.

Like every command it only parses, calls one function below it and renders.
"""

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

__all__ = ["undo"]


def undo(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    reason: Annotated[
        str, typer.Option("--reason", metavar="help.mv.text", help="help.opt.undo_reason")
    ],
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", metavar="help.mv.version", help="help.opt.if_version"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Undo an item's last step while nothing depends on it yet; kept in its history.

    Example: routing undo 3 --reason "Per ongeluk naar het PFHO gezet"
    """
    from routing.engine import undo as engine

    rt = open_runtime(config, now, actor)
    done = engine.undo(rt, item_id, reason, expected_version=if_version)
    if as_json:
        emit_json(
            {
                "id": item_id,
                "undone": done.step,
                "undone_at": done.step_at.isoformat(),
                "from": done.from_state,
                "to": done.to_state,
                "version": done.item.version,
                "effects": done.effects,
            }
        )
        return
    console = make_console()
    console.print(
        i18n.t(
            "cli.undone",
            id=item_id,
            step=done.step,
            from_state=done.from_state,
            to_state=done.to_state,
        )
    )
    for effect in done.effects:
        console.print(f"  {effect}")
