"""Commands on commitments (toezeggingen): record one, close one, list them.

Like every command they only parse, call one function below them and render.
"""

from typing import Annotated

import typer

from routing import i18n
from routing.cli.common import (
    ActorOpt,
    ConfigOpt,
    JsonOpt,
    NowOpt,
    body_names,
    emit_json,
    make_console,
    open_runtime,
    parse_day,
)
from routing.errors import BadInput

__all__ = ["toezegging", "toezegging_af", "toezeggingen"]


def toezegging(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    what: Annotated[str, typer.Argument(metavar="help.mv.text", help="help.arg.commitment_text")],
    owner: Annotated[
        str, typer.Option("--owner", metavar="help.mv.name", help="help.opt.commitment_owner")
    ],
    by: Annotated[str, typer.Option("--by", metavar="help.mv.date", help="help.opt.commitment_by")],
    meeting: Annotated[
        str | None,
        typer.Option("--meeting", metavar="help.mv.body_date", help="help.opt.commitment_meeting"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Record a commitment on an item: what, who, by when, made in which meeting.

    Example: routing toezegging 12 "Notitie aanpassen" --owner "Sander Bakker" --by 2024-03-01
    """
    from routing.engine import commitments

    rt = open_runtime(config, now, actor)
    due = parse_day(by, rt)
    made_in = None
    if meeting is not None:
        body, sep, day = meeting.partition("=")
        if not sep or not body.strip() or not day.strip():
            raise BadInput(i18n.t("err.commitment_meeting", given=meeting))
        made_in = commitments.MeetingRef(body.strip(), parse_day(day, rt))
    row = commitments.add_commitment(rt, item_id, what, owner, due, made_in)
    make_console().print(
        i18n.t("cli.commitment_added", number=row.id, id=item_id, owner=row.owner,
               due=i18n.format_date(row.due))
    )  # fmt: skip


def toezegging_af(
    number: Annotated[
        int, typer.Argument(metavar="help.mv.number", help="help.arg.commitment_number")
    ],
    note: Annotated[
        str, typer.Option("--note", metavar="help.mv.text", help="help.opt.commitment_note")
    ],
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Close a commitment with a note on how it was kept.

    Example: routing toezegging-af 3 --note "Notitie aangepast en rondgestuurd"
    """
    from routing.engine import commitments

    rt = open_runtime(config, now, actor)
    row = commitments.close_commitment(rt, number, note)
    make_console().print(i18n.t("cli.commitment_closed", number=row.id, id=row.item_id))


def toezeggingen(
    open_only: Annotated[bool, typer.Option("--open", help="help.opt.commitments_open")] = False,
    owner: Annotated[
        str | None,
        typer.Option("--owner", metavar="help.mv.name", help="help.opt.commitments_owner"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the commitments by date; overdue ones in red.

    Example: routing toezeggingen --open --owner "Sander Bakker"
    """
    from routing.read import commitments
    from routing.render.commitments import commitments_table

    rt = open_runtime(config, now)
    rows = commitments.register(rt, open_only=open_only, owner=owner)
    if as_json:
        emit_json(rows)
        return
    console = make_console()
    if not rows:
        console.print(i18n.t("commitments.none"))
        return
    console.print(commitments_table(rows, body_names(rt), rt.config.timezone))
