"""The secretariat's command line: parse, call one engine function, render.

No rule lives here. Heavy libraries (SQLAlchemy/SQLModel, Alembic, APScheduler) are imported only
inside the commands that need them, so `routing --help` and `routing check` start quickly.
Errors of the `RoutingError` family become one line on stderr and exit code 1 (refused by the
rules) or 2 (bad input); a user's mistake never shows a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from routing import cli_documents, i18n
from routing.cli_common import (
    ActorOpt,
    ConfigOpt,
    JsonOpt,
    NowOpt,
    body_names,
    emit_json,
    make_console,
    open_runtime,
    parse_day,
    settings,
)
from routing.errors import BadInput, RoutingError

if TYPE_CHECKING:
    from flows.schema import FlowDefinition

__all__ = ["app", "main"]

T = TypeVar("T")
DiagramOpt = Annotated[
    str | None,
    typer.Option(
        "--diagram", metavar="FILE", help="Draw the flow to FILE.svg, FILE.png or FILE.mmd."
    ),
]

ReasonOpt = Annotated[str | None, typer.Option("--reason", help="Why; kept and sent.")]
MeetingDateArg = Annotated[
    str, typer.Argument(metavar="DATE", help="The meeting's date (YYYY-MM-DD[THH:MM]).")
]

app = typer.Typer(
    name="routing",
    help="Routing of agenda points and initiatives through Regieteam, PFHO W&P, wethouder and UTA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the output: nl (default) or en.")
    ] = None,
) -> None:
    """Routing of agenda points and initiatives through the bodies of the UTA note.

    Example: routing new "Regionaal Werkcentrum" --flow agendapunt-stuurgroep
    """
    if lang is not None:
        if lang not in i18n.LANGUAGES:
            raise typer.BadParameter(f"use one of {', '.join(i18n.LANGUAGES)}", param_hint="--lang")
        settings["lang"] = lang
        i18n.set_language(lang)


@app.command()
def init(config: ConfigOpt = None, now: NowOpt = None) -> None:
    """Write a starter routing.toml (if there is none) and create or upgrade the database.

    Safe to run again: an existing routing.toml is left alone and the schema is only upgraded.
    The moment of the first init (or --now) is when the daemon starts creating feedback items.

    Example: routing init
    """
    from importlib import resources

    import store
    from routing.config import find_config_path

    path = find_config_path(config)
    console = make_console()
    if path.exists():
        console.print(i18n.t("cli.init_config_kept", path=path))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        starter = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
        path.write_text(starter, encoding="utf-8")
        console.print(i18n.t("cli.init_config", path=path))
    rt = open_runtime(str(path), now)
    before, after = store.migrate(rt.raw_engine())
    from routing.sweep import record_installation

    record_installation(rt)
    if before == after:
        console.print(i18n.t("cli.init_db_current", url=rt.display_url, after=after))
    else:
        console.print(i18n.t("cli.init_db", url=rt.display_url, before=before or "—", after=after))
    rt.close()


@app.command()
def check(config: ConfigOpt = None, now: NowOpt = None, as_json: JsonOpt = False) -> None:
    """Validate routing.toml and every flow file; report all problems at once.

    With a database, also brings its meetings in line with routing.toml (a meeting gone from the
    file is cancelled, a moved one moved, with their items re-planned and reported) and says
    which calendars run out within the warning period.

    Example: routing check --config /etc/routing/routing.toml
    """
    from routing import calendar_check

    rt = open_runtime(config, now)
    flows = rt.catalog.current
    result = calendar_check.check_calendars(rt)
    if as_json:
        emit_json(
            {
                "ok": True,
                "config": str(rt.config.path),
                "bodies": list(rt.config.bodies),
                "flows": sorted(flows),
                "database": result.database,
                "meeting_changes": result.changes,
                "calendar_ends": result.ends,
            }
        )
        return
    console = make_console()
    console.print(
        i18n.t(
            "cli.check_ok", config=rt.config.path, bodies=len(rt.config.bodies), flows=len(flows)
        )
    )
    for line in result.lines:
        console.print(line, markup=False)


@app.command("flows")
def flows_command(
    name: Annotated[str | None, typer.Argument(help="A flow to show in full.")] = None,
    diagram: DiagramOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the flows, or show one: its states, triggers and bodies; or draw it.

    Example: routing flows agendapunt-stuurgroep --diagram route.svg
    """
    from routing import items, views

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


def _draw(flow: FlowDefinition, names: dict[str, str], target: str, current: str | None) -> None:
    from pathlib import Path

    from routing.diagram import write_diagram

    written = write_diagram(flow, names, Path(target), current)
    make_console().print(i18n.t("cli.diagram_written", path=written))


@app.command()
def new(
    title: Annotated[str, typer.Argument(help="Title of the agenda point or initiative.")],
    flow: Annotated[
        str, typer.Option("--flow", "-f", help="The flow it follows (see 'routing flows').")
    ],
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="A topic; repeat for more.")
    ] = None,
    kenmerk: Annotated[
        str | None, typer.Option(help="Document reference, e.g. DOC-24003697.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who carries the item: a name from [people] or an address.")
    ] = None,
    voor: Annotated[
        str, typer.Option("--voor", help="besluitvorming | bespreking | informatie.")
    ] = "bespreking",
    vertrouwelijk: Annotated[
        bool, typer.Option("--vertrouwelijk", help="Not public, not distributed.")
    ] = False,
    niet_verspreiden: Annotated[
        bool, typer.Option("--niet-verspreiden", help="Public, but not distributed.")
    ] = False,
    datum: Annotated[
        str | None, typer.Option("--datum", help="Date of the document (YYYY-MM-DD).")
    ] = None,
    van: Annotated[str | None, typer.Option("--van", help="The sending body (a body key).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the history.")] = None,
    target_meeting: Annotated[
        str | None,
        typer.Option("--target-meeting", help="Date of the meeting it must reach (YYYY-MM-DD)."),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Body of that meeting, if several meet that day.")
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
    from routing import engine

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
    warning = _target_warning(rt, item.id) if item.target_meeting_at else None
    if as_json:
        emit_json({"id": item.id, "state": item.state, "warning": warning})
        return
    if sys.stdout.isatty():
        make_console().print(i18n.t("cli.created", id=item.id, state=item.state))
    else:
        sys.stdout.write(f"{item.id}\n")
    if warning:
        Console(stderr=True, highlight=False).print(warning, style="yellow", markup=False)


def _target_warning(rt: Any, item_id: int | None) -> str | None:
    from routing import reports

    return reports.target_warning(rt, item_id) if item_id is not None else None


@app.command()
def move(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    trigger: Annotated[
        str, typer.Argument(help="The step, e.g. agenderen (see 'routing show ID').")
    ],
    note: Annotated[str | None, typer.Option("--note", help="Why; kept in the history.")] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", help="Refuse if the item is no longer at this version."),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move an item one step along its flow.

    Example: routing move 12 agenderen --note "Besproken met UWV"
    """
    from routing import engine

    rt = open_runtime(config, now, actor)
    moved = engine.move(rt, item_id, trigger, note=note, expected_version=if_version)
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


@app.command("list")
def list_command(
    state: Annotated[str | None, typer.Option(help="Only items in this state.")] = None,
    body: Annotated[str | None, typer.Option(help="Only items now at this body.")] = None,
    flow: Annotated[str | None, typer.Option(help="Only items of this flow.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Leave out closed items.")] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List items, optionally filtered by state, body or flow.

    Example: routing list --body pfho-wp
    """
    from routing import items, views

    rt = open_runtime(config)
    rows = items.list_items(rt, state=state, body=body, flow=flow, include_closed=not open_only)
    if as_json:
        emit_json(rows)
    elif not rows:
        make_console().print(i18n.t("cli.no_items"))
    else:
        console = make_console()
        console.print(views.items_table(rows, body_names(rt), console.width))


@app.command()
def show(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    diagram: DiagramOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one item: its details, the steps possible now, and its full history.

    With --diagram, draws its flow with the item's current state highlighted.

    Example: routing show 12
    """
    from routing import engine, items, reports, views

    rt = open_runtime(config, now)
    detail = items.item_detail(rt, item_id)
    if diagram is not None:
        with rt.session() as db:
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


@app.command()
def edit(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    kenmerk: Annotated[str | None, typer.Option(help="Document reference ('' clears it).")] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who carries the item: a name from [people] ('' clears it).")
    ] = None,
    voor: Annotated[
        str | None, typer.Option("--voor", help="besluitvorming | bespreking | informatie.")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="Add a topic; repeat for more.")
    ] = None,
    remove_topic: Annotated[
        list[str] | None, typer.Option("--remove-topic", help="Remove a topic.")
    ] = None,
    if_version: Annotated[
        int | None,
        typer.Option("--if-version", help="Refuse if the item is no longer at this version."),
    ] = None,
    target_meeting: Annotated[
        str | None,
        typer.Option(
            "--target-meeting", metavar="DATE|none", help="The meeting it must reach, or none."
        ),
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Body of that meeting, if several meet that day.")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Change an item's details (title, kenmerk, owner, topics, target meeting); kept in its
    history.

    Example: routing edit 12 --kenmerk DOC-24003697 --topic llo --target-meeting 2024-12-12
    """
    from routing import engine

    rt = open_runtime(config, now, actor)
    clear = target_meeting is not None and target_meeting.strip().lower() in ("none", "geen")
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
    )
    make_console().print(i18n.t("cli.edited", id=item_id))
    warning = _target_warning(rt, item.id) if item.target_meeting_at else None
    if warning:
        Console(stderr=True, highlight=False).print(warning, style="yellow", markup=False)


@app.command()
def status(
    body: Annotated[str | None, typer.Option("--body", help="Only this body.")] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only items with this topic.")
    ] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Refresh live until Ctrl-C.")] = False,
    every: Annotated[float, typer.Option("--every", help="Seconds between refreshes.")] = 5.0,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The board: what sits where, what is late, what comes next, the outbox and the daemon.

    Example: routing status --body pfho-wp --watch
    """
    import time

    from rich.live import Live

    from routing import board
    from routing.board_view import board_view

    rt = open_runtime(config, now)
    if as_json:
        emit_json(board.board(rt, body=body, topic=topic))
        return
    console = make_console()

    def render() -> Any:
        shaped = board.board(rt, body=body, topic=topic)
        return board_view(shaped, rt.config.timezone, console.width)

    if not watch:
        console.print(render())
        return
    with Live(render(), console=console, screen=False, auto_refresh=False) as live:
        try:
            while True:  # until Ctrl-C: a view, not a test; each pass re-reads the store
                time.sleep(max(every, 0.5))
                live.update(render(), refresh=True)
        except KeyboardInterrupt:
            pass


@app.command()
def plan(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    target: Annotated[
        str | None, typer.Option("--target", help="Target body (default: the item's target).")
    ] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="Target meeting date (default: its next one).")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan backwards from a target meeting: the latest date of every step of the route.

    Says plainly when the target can no longer be reached, and names the earliest that can.

    Example: routing plan 12 --target uta-stuurgroep --meeting 2024-06-20
    """
    from routing import reports
    from routing import schedule_views as views

    rt = open_runtime(config, now)
    day = parse_day(meeting, rt) if meeting else None
    shaped = reports.item_plan(rt, item_id, target, day)
    if as_json:
        emit_json(shaped)
    else:
        make_console().print(views.plan_view(shaped, rt.config.timezone))


@app.command()
def stukken(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    note: Annotated[str | None, typer.Option("--note", help="A note for the history.")] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Record that an item's papers are in: its reminder and papers deadline are met.

    Example: routing stukken 12 --note "Notitie en raadsvoorstel ontvangen"
    """
    from routing import meetings

    rt = open_runtime(config, now, actor)
    count = meetings.papers_in(rt, item_id, note)
    make_console().print(i18n.t("cli.papers_in", id=item_id, count=count))


@app.command()
def daemon(
    once: Annotated[bool, typer.Option("--once", help="Run one sweep, deliver, and exit.")] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show the last heartbeat and exit.")
    ] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT (or one sweep with --once).

    Each sweep sends reminders, escalates passed deadlines, rolls items over, creates the
    feedback items after UTA meetings, sends the E&I digest, warns on slipping plans and
    delivers the outbox; each effect once.

    Example: routing daemon --once --now 2024-03-22T08:00
    """
    import logging

    from routing import daemon as daemon_module
    from routing import reports
    from routing import schedule_views as views

    rt = open_runtime(config, now, "routing-daemon")
    if status:
        beat = reports.heartbeat(rt)
        if as_json:
            emit_json(beat)
        else:
            make_console().print(views.heartbeat_line(beat))
        return
    if once:
        with views.progress_bar(make_console()) as progress:
            report, sent = daemon_module.run_once(rt, progress)
        if as_json:
            emit_json(reports.sweep_dict(report, sent))
        else:
            make_console().print(views.sweep_view(report, sent))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    daemon_module.run_forever(rt)


app.command()(cli_documents.agenda)
app.command()(cli_documents.besluitenlijst)

meetings_app = typer.Typer(help="The meeting calendars.", no_args_is_help=False)
app.add_typer(meetings_app, name="meetings")
meeting_app = typer.Typer(
    help="One meeting: close it with its outcomes, move it, cancel it, or add one.",
    no_args_is_help=True,
)
app.add_typer(meeting_app, name="meeting")


@meetings_app.callback(invoke_without_command=True)
def meetings_list(
    ctx: typer.Context,
    body: Annotated[str | None, typer.Option("--body", help="Only this body.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="From this date (default: today).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Up to this date (default: +3 months).")
    ] = None,
    ics: Annotated[
        str | None,
        typer.Option(
            "--ics",
            metavar="FILE",
            help="Write the meetings and every open item's deadlines as an .ics calendar.",
        ),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List meetings with their papers deadlines and the number of items planned on each.

    Example: routing meetings --body uta-stuurgroep --from 2024-01-01 --to 2024-12-31
    """
    if ctx.invoked_subcommand is not None:
        return
    from routing import meetings
    from routing import schedule_views as views
    from routing.clock import parse_moment

    rt = open_runtime(config, now)
    start = parse_moment(date_from, rt.config.timezone) if date_from else rt.clock.now()
    end = parse_moment(date_to, rt.config.timezone, end_of_day=True) if date_to else None
    rows = meetings.list_meetings(rt, body, start, end)
    if ics is not None:
        from pathlib import Path

        from routing.ics_export import meetings_calendar

        target = Path(ics)
        if not target.parent.exists():
            raise BadInput(i18n.t("err.no_folder", option="--ics", folder=target.parent))
        target.write_bytes(meetings_calendar(rt, rows))
        make_console().print(i18n.t("cli.ics_written", path=target, meetings=len(rows)))
        return
    if as_json:
        emit_json(rows)
    else:
        console = make_console()
        console.print(views.meetings_table(rows, rt.config.timezone, console.width))


@meetings_app.command("import")
def meetings_import(
    body: Annotated[str, typer.Argument(help="The body whose meetings these are.")],
    file: Annotated[str, typer.Argument(metavar="FILE.ics", help="An iCalendar file.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; change nothing.")
    ] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a body's meetings from an .ics file; importing again is a sync.

    A meeting gone or cancelled in the new file is cancelled here, a moved one is moved (its
    items follow), a new one is added; all-day events and duplicates are skipped with a reason.

    Example: routing meetings import uta-supportteam supportteam-2025.ics --dry-run
    """
    from pathlib import Path

    from routing import meeting_sync
    from routing import schedule_views as views

    rt = open_runtime(config, now, actor)
    rt.config.body(body)
    console = make_console()
    with rt.session() as db, views.progress_bar(console) as progress:
        report = meeting_sync.import_ics(
            rt, db, body, Path(file), rt.clock.now(), dry_run=dry_run, progress=progress
        )
    if as_json:
        emit_json(views.import_dict(report))
    else:
        console.print(views.import_view(report, rt.config.timezone))


@meeting_app.command("move")
def meeting_move(
    body: Annotated[str, typer.Argument(help="The body that meets.")],
    date: MeetingDateArg,
    new: Annotated[
        str,
        typer.Argument(
            metavar="NEW-DATETIME", help="Its new date and time (a date alone keeps the hour)."
        ),
    ],
    reason: ReasonOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a meeting; every item on it moves along with recomputed deadlines.

    Example: routing meeting move uta-stuurgroep 2024-06-20 2024-06-27T15:00 --reason "Zaal bezet"
    """
    from routing import meetings
    from routing.clock import parse_moment

    rt = open_runtime(config, now, actor)
    tz = rt.config.timezone
    result = meetings.move_meeting(
        rt, body, parse_moment(date, tz), _has_time(date),
        parse_moment(new, tz), _has_time(new), reason,
    )  # fmt: skip
    _print_change(rt, result, as_json)


@meeting_app.command("cancel")
def meeting_cancel(
    body: Annotated[str, typer.Argument(help="The body that meets.")],
    date: MeetingDateArg,
    reason: ReasonOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a meeting; its items go to the body's next feasible meeting.

    Example: routing meeting cancel regieteam 2024-05-14 --reason "Te weinig agendapunten"
    """
    from routing import meetings
    from routing.clock import parse_moment

    rt = open_runtime(config, now, actor)
    result = meetings.cancel_meeting(
        rt, body, parse_moment(date, rt.config.timezone), _has_time(date), reason
    )
    _print_change(rt, result, as_json)


@meeting_app.command("add")
def meeting_add(
    body: Annotated[str, typer.Argument(help="The body that meets.")],
    when: Annotated[
        str, typer.Argument(metavar="DATETIME", help="Date and time (YYYY-MM-DDTHH:MM).")
    ],
    reason: ReasonOpt = None,
    location: Annotated[str | None, typer.Option("--location", help="Where it meets.")] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an extra meeting; items are planned on it from now on.

    Example: routing meeting add pfho-wp 2024-07-04T14:00 --reason "Extra overleg begroting"
    """
    from routing import meetings
    from routing.clock import parse_moment

    rt = open_runtime(config, now, actor)
    if not _has_time(when):
        raise BadInput(i18n.t("err.meeting_needs_time", text=when))
    result = meetings.add_meeting(
        rt, body, parse_moment(when, rt.config.timezone), reason, location
    )
    _print_change(rt, result, as_json)


def _has_time(text: str) -> bool:
    return len(text.strip()) > 10


def _print_change(rt: Any, result: Any, as_json: bool) -> None:
    from routing.calendar_ends import change_lines

    if as_json:
        emit_json(
            {
                "meeting": result.meeting_id,
                "body": result.body,
                "change": result.kind,
                "from": result.from_at.isoformat() if result.from_at else None,
                "to": result.to_at.isoformat() if result.to_at else None,
                "items": result.items,
            }
        )
        return
    console = make_console()
    for line in change_lines(rt, result):
        console.print(line, markup=False)


@meeting_app.command("close")
def meeting_close(
    body: Annotated[str, typer.Argument(help="The body that met.")],
    date: Annotated[str, typer.Argument(metavar="DATE", help="The meeting date (YYYY-MM-DD).")],
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", "-o", help="ID=TRIGGER for one item; repeat for more."),
    ] = None,
    note: Annotated[
        list[str] | None, typer.Option("--note", help="ID=TEXT: the note for one item.")
    ] = None,
    inform_ei: Annotated[
        list[str] | None, typer.Option("--inform-ei", help="ID=ja|nee for a feedback step.")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record the outcome of every item on a meeting and fire the transitions, in one go.

    Without --outcome, and in a terminal, asks per item. All or nothing: a refused outcome
    writes nothing of the meeting.

    Example: routing meeting close regieteam 2024-02-13 -o 3=doorzetten -o 5=aanhouden
    """
    from routing import ei, meetings
    from routing import schedule_views as views

    outcomes = {k: v for k, v in _pairs(outcome, "--outcome").items()}
    notes = _pairs(note, "--note")
    choices = {k: ei.parse_choice(v) for k, v in _pairs(inform_ei, "--inform-ei").items()}
    rt = open_runtime(config, now, actor)
    choose = views.ask_outcome if not outcomes and sys.stdin.isatty() else None
    with views.progress_bar(make_console()) as progress:
        closed = meetings.close_meeting(
            rt, body, parse_day(date, rt), outcomes, notes, choose,
            {k: v for k, v in choices.items() if v is not None}, progress,
        )  # fmt: skip
    if as_json:
        emit_json([c.__dict__ for c in closed])
    else:
        make_console().print(views.closed_table(closed))


def _pairs(values: list[str] | None, flag: str) -> dict[int, str]:
    pairs: dict[int, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip().isdigit() or not rest.strip():
            raise BadInput(i18n.t("err.not_pair", option=flag, value=value))
        pairs[int(key)] = rest.strip()
    return pairs


@app.command()
def outbox(
    status: Annotated[
        str | None, typer.Option("--status", help="pending | sent | failed (default: all).")
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the messages in the outbox: pending, sent and failed.

    Example: routing outbox --status failed
    """
    from routing import delivery
    from routing import schedule_views as views

    if status not in (None, "pending", "sent", "failed"):
        raise BadInput(
            i18n.t("err.option_choice", option="--status", value=status,
                   choices="pending, sent, failed")
        )  # fmt: skip
    rt = open_runtime(config)
    rows = delivery.outbox_rows(rt.engine, status)
    if as_json:
        emit_json(rows)
    elif not rows:
        make_console().print(i18n.t("outbox.empty"))
    else:
        make_console().print(views.outbox_table(rows, rt.config.timezone))


def _fail(message: str, code: int) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"routing: {message}", markup=False)
    raise SystemExit(code)


def run(entry: Callable[[], T]) -> T | None:
    """Call `entry`, turning our errors into one line and an exit code."""
    try:
        return entry()
    except RoutingError as error:
        _fail(str(error), error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as error:  # a bug: say so in one line, the traceback only on request
        if os.environ.get("ROUTING_DEBUG"):
            raise
        _fail(i18n.t("err.unexpected", error=f"{type(error).__name__}: {error}"), 3)
    return None


def main() -> None:
    run(app)
