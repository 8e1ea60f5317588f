"""Commands on items: register, move, list, show, papers in, plan; and the flows (edit and
undo: routing.cli.corrections).

Like every command they only parse, call one function below them and render.
"""

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from routing import i18n
from routing.cli.common import (
    ActorOpt,
    ConfigOpt,
    ExportFormatOpt,
    ExportOutputOpt,
    JsonOpt,
    NowOpt,
    body_names,
    choose_format,
    emit_json,
    export_rows,
    make_console,
    open_runtime,
    parse_day,
)
from routing.errors import BadInput

if TYPE_CHECKING:
    from flows.schema import FlowDefinition


DiagramOpt = Annotated[
    str | None,
    typer.Option("--diagram", metavar="help.mv.file", help="help.opt.diagram"),
]


def flows_command(
    name: Annotated[
        str | None, typer.Argument(metavar="help.mv.flow", help="help.arg.flow_name")
    ] = None,
    diagram: DiagramOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the flows, or show one: its states, triggers and bodies; or draw it.

    Example: routing flows agendapunt-stuurgroep --diagram route.svg
    """
    from routing.read import items
    from routing.render import items as views

    rt = open_runtime(config)
    if diagram is not None:
        if name is None:
            raise BadInput(i18n.t("err.diagram_needs_flow"))
        _draw(rt.catalog.get(name), body_names(rt), diagram, None)
        return
    if name is None:
        shaped = [items.flow_dict(f) for f in rt.catalog.current.values()]
        if as_json:
            emit_json(shaped)
        else:
            make_console().print(views.flows_table(shaped))
        return
    flow = items.flow_dict(rt.catalog.get(name))
    if as_json:
        emit_json(flow)
    else:
        make_console().print(views.flow_view(flow, body_names(rt)))


def _draw(flow: "FlowDefinition", names: dict[str, str], target: str, current: str | None) -> None:
    from pathlib import Path

    from routing.render.diagram import write_diagram

    written = write_diagram(flow, names, Path(target), current)
    make_console().print(i18n.t("cli.diagram_written", path=written))


def new(
    title: Annotated[str, typer.Argument(metavar="help.mv.title", help="help.arg.title")],
    flow: Annotated[
        str, typer.Option("--flow", "-f", metavar="help.mv.flow", help="help.opt.flow")
    ],
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", metavar="help.mv.topic", help="help.opt.topic"),
    ] = None,
    kenmerk: Annotated[
        str | None, typer.Option(metavar="help.mv.kenmerk", help="help.opt.kenmerk")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(metavar="help.mv.name", help="help.opt.owner")
    ] = None,
    voor: Annotated[
        str, typer.Option("--voor", metavar="help.mv.purpose", help="help.opt.voor")
    ] = "bespreking",
    vertrouwelijk: Annotated[
        bool, typer.Option("--vertrouwelijk", help="help.opt.vertrouwelijk")
    ] = False,
    niet_verspreiden: Annotated[
        bool, typer.Option("--niet-verspreiden", help="help.opt.niet_verspreiden")
    ] = False,
    datum: Annotated[
        str | None, typer.Option("--datum", metavar="help.mv.date", help="help.opt.datum")
    ] = None,
    van: Annotated[
        str | None, typer.Option("--van", metavar="help.mv.body", help="help.opt.van")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="help.mv.text", help="help.opt.history_note")
    ] = None,
    target_meeting: Annotated[
        str | None,
        typer.Option("--target-meeting", metavar="help.mv.date", help="help.opt.target_meeting"),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", metavar="help.mv.body", help="help.opt.target")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register an agenda point or initiative; prints its id.

    Example: routing new "Regionaal Talentfonds" --flow agendapunt-stuurgroep
    --topic talentfonds --kenmerk DOC-24003697 --voor besluitvorming
    """
    from routing.engine import items as engine

    rt = open_runtime(config, now, actor)
    document_date = parse_day(datum, rt) if datum else None
    item = engine.create_item(
        rt,
        engine.ItemSpec(
            title=title,
            flow=flow,
            topics=topic or [],
            kenmerk=kenmerk,
            owner=owner,
            asked=voor,
            vertrouwelijk=vertrouwelijk,
            verspreiden=not niet_verspreiden,
            document_date=document_date,
            sender=van,
            note=note,
            target_body=target,
            target_day=parse_day(target_meeting, rt) if target_meeting else None,
        ),
    )
    warning = target_warning(rt, item.id) if item.target_meeting_at else None
    if as_json:
        emit_json({"id": item.id, "state": item.state, "warning": warning})
        return
    if sys.stdout.isatty():
        make_console().print(i18n.t("cli.created", id=item.id, state=item.state))
    else:
        sys.stdout.write(f"{item.id}\n")
    if warning:
        make_console(stderr=True).print(warning, style="yellow")


def target_warning(rt: Any, item_id: int | None) -> str | None:
    from routing.read import reports

    return reports.target_warning(rt, item_id) if item_id is not None else None


def move(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    trigger: Annotated[str, typer.Argument(metavar="help.mv.step", help="help.arg.trigger")],
    note: Annotated[
        str | None, typer.Option("--note", metavar="help.mv.text", help="help.opt.why")
    ] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", metavar="help.mv.version", help="help.opt.if_version"),
    ] = None,
    late: Annotated[bool, typer.Option("--late", help="help.opt.move_late")] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move an item one step along its flow.

    Example: routing move 12 agenderen --note "Besproken met UWV"
    """
    from routing.engine import items as engine

    rt = open_runtime(config, now, actor)
    moved = engine.move(rt, item_id, trigger, note=note, expected_version=if_version, late=late)
    if as_json:
        emit_json(
            {
                "id": item_id,
                "from": moved.from_state,
                "to": moved.to_state,
                "trigger": trigger,
                "version": moved.item.version,
                "effects": moved.effects,
            }
        )
        return
    console = make_console()
    console.print(
        i18n.t(
            "cli.moved",
            id=item_id,
            from_state=moved.from_state,
            to_state=moved.to_state,
            trigger=trigger,
        )
    )
    for effect in moved.effects:
        console.print(f"  {effect}")


def list_command(
    state: Annotated[
        str | None, typer.Option(metavar="help.mv.state", help="help.opt.state")
    ] = None,
    body: Annotated[
        str | None, typer.Option(metavar="help.mv.body", help="help.opt.list_body")
    ] = None,
    flow: Annotated[
        str | None, typer.Option(metavar="help.mv.flow", help="help.opt.list_flow")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="help.opt.open")] = False,
    search: Annotated[
        str | None, typer.Option("--search", metavar="help.mv.text", help="help.opt.search")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="help.mv.name", help="help.opt.list_owner")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", metavar="help.mv.topic", help="help.opt.list_topic")
    ] = None,
    late: Annotated[bool, typer.Option("--late", help="help.opt.late")] = False,
    target: Annotated[
        str | None,
        typer.Option("--target", metavar="help.mv.date", help="help.opt.list_target"),
    ] = None,
    fmt: ExportFormatOpt = None,
    output: ExportOutputOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List items, optionally filtered by state, body, flow, text, owner, topic, lateness or
    target meeting; or write them to a spreadsheet.

    Filters combine (all must hold). --search finds text in the title or kenmerk (case and
    accents do not matter). --late: the papers (or hand-over) deadline passed without the
    papers in, or the planned meeting was held without an outcome recorded; a passed reminder
    is not late. --target DATE: items whose target meeting is on that day. --format csv|xlsx|json
    with -o FILE writes a file (without --format the extension of FILE decides); CSV is UTF-8
    with BOM and ; as separator, as Dutch Excel opens it.

    Example: routing list --open --owner "Anouk Pols" --late -o laat.xlsx
    """
    from routing.read import items
    from routing.read.finding import ItemFilter

    exporting = choose_format(fmt, output)
    rt = open_runtime(config, now)
    wanted = ItemFilter(
        search=search,
        owner=owner,
        topic=topic,
        late=late,
        target=parse_day(target, rt) if target is not None else None,
    )
    rows = items.list_items(
        rt, state=state, body=body, flow=flow, include_closed=not open_only, filters=wanted
    )
    if exporting is not None:
        export_rows("list", rows, exporting, output)
    elif as_json:
        emit_json(rows)  # rich is not even imported: a script reading 10,000 items waits less
    elif not rows:
        make_console().print(i18n.t("cli.no_items"))
    else:
        from routing.render import items as views

        console = make_console()
        console.print(views.items_table(rows, body_names(rt), console.width))


def show(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    diagram: DiagramOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one item: its details, the steps possible now, and its full history.

    With --diagram, draws its flow with the item's current state highlighted.

    Example: routing show 12
    """
    from routing.engine import items as engine
    from routing.read import items, reports
    from routing.render import items as views

    rt = open_runtime(config, now)
    detail = items.item_detail(rt, item_id)
    if diagram is not None:
        with rt.session(read=True) as db:
            item = engine.load_item(db, item_id)
            flow = rt.catalog.pinned(db, item.flow_version_id)
        _draw(flow, body_names(rt), diagram, item.state)
        return
    detail.update(reports.item_time(rt, item_id))
    detail["plan"] = reports.item_plan(rt, item_id, None, None) if detail["target"] else None
    if as_json:
        emit_json(detail)
    else:
        console = make_console()
        console.print(views.item_view(detail, body_names(rt), rt.config.timezone, console.width))


def plan(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    target: Annotated[
        str | None, typer.Option("--target", metavar="help.mv.body", help="help.opt.plan_target")
    ] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", metavar="help.mv.date", help="help.opt.plan_meeting")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan backwards from a target meeting: the latest date of every step of the route.

    Says plainly when the target can no longer be reached, and names the earliest that can.

    Example: routing plan 12 --target uta-stuurgroep --meeting 2024-06-20
    """
    from routing.read import reports
    from routing.render import schedule as views

    rt = open_runtime(config, now)
    day = parse_day(meeting, rt) if meeting else None
    shaped = reports.item_plan(rt, item_id, target, day)
    if as_json:
        emit_json(shaped)
    else:
        make_console().print(views.plan_view(shaped, rt.config.timezone))


def stukken(
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    note: Annotated[
        str | None, typer.Option("--note", metavar="help.mv.text", help="help.opt.history_note")
    ] = None,
    link: Annotated[
        list[str] | None, typer.Option("--link", metavar="help.mv.url", help="help.opt.paper_link")
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option("--file", metavar="help.mv.path", help="help.opt.paper_file"),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="help.mv.title", help="help.opt.paper_title")
    ] = None,
    remove: Annotated[
        int | None,
        typer.Option("--remove", metavar="help.mv.paper_id", help="help.opt.paper_remove"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Record that an item's papers are in: its reminder and papers deadline are met.

    With --link or --file (one paper per command) the paper is recorded too: a link, or a copy
    of the file in the papers folder with its checksum. --remove takes one off again.

    Example: routing stukken 12 --note "Notitie en raadsvoorstel ontvangen"
    """
    links, files = link or [], file or []
    if len(links) + len(files) > 1:
        raise BadInput(i18n.t("err.paper_one_at_a_time"))
    if remove is not None and (links or files or title is not None):
        raise BadInput(i18n.t("err.paper_remove_alone"))
    if title is not None and not (links or files):
        raise BadInput(i18n.t("err.paper_title_alone"))
    rt = open_runtime(config, now, actor)
    console = make_console()
    if remove is not None:
        from routing.engine import papers

        gone = papers.remove_paper(rt, item_id, remove, note)
        console.print(i18n.t("cli.paper_removed", paper=remove, id=item_id, title=gone.title))
        return
    if links or files:
        from routing.engine import papers

        added = papers.add_paper(
            rt, item_id, link=next(iter(links), None), file=next(iter(files), None),
            title=title, note=note,
        )  # fmt: skip
        where = added.paper.url or str(added.path)
        console.print(
            i18n.t("cli.paper_added", paper=added.paper.id, id=item_id, title=added.paper.title)
        )
        console.print(f"  {where}", soft_wrap=True)
        if added.paper.sha256:
            console.print(f"  sha256 {added.paper.sha256}")
        if added.deadlines_met:
            count = added.deadlines_met
            console.print(i18n.tn("cli.papers_in", count, id=item_id, count=count))
        return
    from routing.engine import meetings

    count = meetings.papers_in(rt, item_id, note)
    console.print(i18n.tn("cli.papers_in", count, id=item_id, count=count))
