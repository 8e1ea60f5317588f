"""Correcting a mistake: `routing edit` changes what was given at registration, `routing undo`
takes an item's last step back.

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
    parse_day,
)
from routing.cli.items import target_warning

__all__ = ["edit", "undo"]


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


def edit(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    title: Annotated[
        str | None, typer.Option(metavar="help.mv.title", help="help.opt.new_title")
    ] = None,
    kenmerk: Annotated[
        str | None, typer.Option(metavar="help.mv.kenmerk", help="help.opt.edit_kenmerk")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(metavar="help.mv.name", help="help.opt.edit_owner")
    ] = None,
    voor: Annotated[
        str | None, typer.Option("--voor", metavar="help.mv.purpose", help="help.opt.voor")
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", metavar="help.mv.topic", help="help.opt.add_topic"),
    ] = None,
    remove_topic: Annotated[
        list[str] | None,
        typer.Option("--remove-topic", metavar="help.mv.topic", help="help.opt.remove_topic"),
    ] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", metavar="help.mv.version", help="help.opt.if_version"),
    ] = None,
    target_meeting: Annotated[
        str | None,
        typer.Option(
            "--target-meeting", metavar="help.mv.date_or_none", help="help.opt.edit_target_meeting"
        ),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", metavar="help.mv.body", help="help.opt.target")
    ] = None,
    vertrouwelijk: Annotated[
        bool | None,
        typer.Option("--vertrouwelijk/--openbaar", help="help.opt.edit_vertrouwelijk"),
    ] = None,
    verspreiden: Annotated[
        bool | None,
        typer.Option("--verspreiden/--niet-verspreiden", help="help.opt.edit_verspreiden"),
    ] = None,
    datum: Annotated[
        str | None,
        typer.Option("--datum", metavar="help.mv.date_or_none", help="help.opt.edit_datum"),
    ] = None,
    van: Annotated[
        str | None,
        typer.Option("--van", metavar="help.mv.body_or_none", help="help.opt.edit_van"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Change an item's details (every field given at registration, and its target meeting);
    kept in its history.

    Example: routing edit 12 --kenmerk DOC-24003697 --topic llo --target-meeting 2024-12-12
    """
    from routing.engine import edits as engine

    rt = open_runtime(config, now, actor)
    clear = _none(target_meeting)
    target_day = parse_day(target_meeting, rt) if target_meeting and not clear else None
    item = engine.edit_item(
        rt,
        item_id,
        title=title,
        kenmerk=kenmerk,
        owner=owner,
        asked=voor,
        add_topics=topic or [],
        remove_topics=remove_topic or [],
        expected_version=if_version,
        target_day=target_day,
        target_body=target,
        clear_target=clear,
        vertrouwelijk=vertrouwelijk,
        verspreiden=verspreiden,
        document_date=parse_day(datum, rt) if datum is not None and not _none(datum) else None,
        clear_document_date=_none(datum),
        sender=van if van is not None and not _none(van) else None,
        clear_sender=_none(van),
    )
    make_console().print(i18n.t("cli.edited", id=item_id))
    warning = target_warning(rt, item.id) if item.target_meeting_at else None
    if warning:
        make_console(stderr=True).print(warning, style="yellow")


def _none(value: str | None) -> bool:
    """`--target-meeting geen`, `--datum geen`, `--van geen`: the field emptied."""
    return value is not None and value.strip().lower() in ("none", "geen")
