"""`routing outbox`: the messages (and the failed sweep effects), and re-queueing what failed.

Without a subcommand it lists; `routing outbox retry ID` re-queues one failed message and
`routing outbox retry --failed` every failed message and every failed sweep effect. Like every
command they only parse, call one function below them and render.
"""

from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import (
    ActorOpt,
    ConfigOpt,
    ExportFormatOpt,
    ExportOutputOpt,
    JsonOpt,
    NowOpt,
    choose_format,
    emit_json,
    export_rows,
    make_console,
    open_runtime,
)
from routing.errors import BadInput

__all__ = ["outbox_app"]

outbox_app = typer.Typer(no_args_is_help=False)


@outbox_app.callback(invoke_without_command=True)
def outbox(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", metavar="help.mv.outbox_status", help="help.opt.outbox_status"),
    ] = None,
    fmt: ExportFormatOpt = None,
    output: ExportOutputOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the messages in the outbox: pending, sent and failed; and the failed sweep effects.

    Example: routing outbox --status mislukt
    """
    if ctx.invoked_subcommand is not None:
        return
    from routing.effects import delivery
    from routing.read import failures
    from routing.render import schedule as views

    stored = delivery.parse_status(status)
    exporting = choose_format(fmt, output)
    rt = open_runtime(config)
    rows = delivery.outbox_rows(rt.engine, stored)
    if exporting is not None:
        export_rows("outbox", rows, exporting, output)
        return
    if as_json:
        emit_json(rows)
        return
    console = make_console()
    if not rows:
        console.print(i18n.t("outbox.empty"))
    else:
        console.print(views.outbox_table(rows, rt.config.timezone))
    if stored in (None, "failed"):
        effects = failures.failed_effects(rt)
        if effects:
            console.print(views.failed_effects_table(effects, rt.config.timezone))


@outbox_app.command("retry")
def retry(
    outbox_id: Annotated[
        int | None, typer.Argument(metavar="help.mv.id", help="help.arg.outbox_id")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="help.opt.retry_failed")] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send a failed message again, or (--failed) every failed message and sweep effect.

    Example: routing outbox retry --failed
    """
    from routing.effects import failures

    if (outbox_id is None) == (not failed):
        raise BadInput(i18n.t("retry.id_or_failed"))
    rt = open_runtime(config, now, actor)
    done = failures.retry_failed(rt) if failed else failures.retry_message(rt, outbox_id or 0)
    if as_json:
        emit_json(done.as_dict())
        return
    make_console().print(
        i18n.t(
            "retry.done",
            messages=len(done.messages),
            effects=len(done.deadlines) + len(done.effects),
        )
    )
