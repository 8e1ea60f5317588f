"""Commands on meetings: list and import calendars, send their invitations, close, move, cancel
or add a meeting.

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
    choose_format,
    emit_json,
    export_rows,
    make_console,
    open_runtime,
    parse_day,
)
from routing.errors import BadInput

if TYPE_CHECKING:
    from routing.engine.commitments import Pledge
    from routing.runtime import Runtime


ReasonOpt = Annotated[
    str | None, typer.Option("--reason", metavar="help.mv.text", help="help.opt.reason")
]
MeetingDateArg = Annotated[
    str, typer.Argument(metavar="help.mv.date", help="help.arg.meeting_date")
]

meetings_app = typer.Typer(no_args_is_help=False)
meeting_app = typer.Typer(
    no_args_is_help=True,
)


@meetings_app.callback(invoke_without_command=True)
def meetings_list(
    ctx: typer.Context,
    body: Annotated[
        str | None, typer.Option("--body", metavar="help.mv.body", help="help.opt.only_body")
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", metavar="help.mv.date", help="help.opt.from")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", metavar="help.mv.date", help="help.opt.to")
    ] = None,
    ics: Annotated[
        str | None,
        typer.Option(
            "--ics",
            metavar="help.mv.file",
            help="help.opt.ics",
        ),
    ] = None,
    fmt: ExportFormatOpt = None,
    output: ExportOutputOpt = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List meetings with their papers deadlines and the number of items planned on each.

    Example: routing meetings --body uta-stuurgroep --from 2024-01-01 --to 2024-12-31
    """
    if ctx.invoked_subcommand is not None:
        return
    from routing.clock import parse_moment
    from routing.engine import meetings
    from routing.render import schedule as views

    exporting = choose_format(fmt, output)
    rt = open_runtime(config, now)
    start = parse_moment(date_from, rt.config.timezone) if date_from else rt.clock.now()
    end = parse_moment(date_to, rt.config.timezone, end_of_day=True) if date_to else None
    rows = meetings.list_meetings(rt, body, start, end)
    if ics is not None:
        from pathlib import Path

        from routing.render.files import write_output
        from routing.render.ics_export import meetings_calendar

        target = write_output("--ics", Path(ics), meetings_calendar(rt, rows))
        make_console().print(i18n.tn("cli.ics_written", len(rows), path=target, count=len(rows)))
        return
    if exporting is not None:
        export_rows("meetings", rows, exporting, output)
    elif as_json:
        emit_json(rows)
    else:
        console = make_console()
        console.print(views.meetings_table(rows, rt.config.timezone, console.width))


@meetings_app.command("import")
def meetings_import(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.import_body")],
    file: Annotated[str, typer.Argument(metavar="help.mv.ics_file", help="help.arg.ics_file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="help.opt.dry_run")] = False,
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

    from routing.engine import meeting_sync
    from routing.render import schedule as views

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


@meetings_app.command("invite")
def meetings_invite(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_meets")],
    date_from: Annotated[
        str | None, typer.Option("--from", metavar="help.mv.date", help="help.opt.from")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Send the body's members the invitation of each coming meeting, once.

    Example: routing meetings invite regieteam --from 2025-01-01
    """
    from routing.clock import parse_moment
    from routing.engine import meetings

    rt = open_runtime(config, now, actor)
    since = parse_moment(date_from, rt.config.timezone) if date_from else None
    queued, before = meetings.invite_members(rt, body, since)
    if as_json:
        emit_json({"body": body, "queued": queued, "before": before})
        return
    make_console().print(
        i18n.t("cli.invited", count=queued, body=rt.config.bodies[body].name, before=before)
    )


@meeting_app.command("move")
def meeting_move(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_meets")],
    date: MeetingDateArg,
    new: Annotated[
        str,
        typer.Argument(metavar="help.mv.new_moment", help="help.arg.new_moment"),
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
    from routing.clock import parse_moment
    from routing.engine import meetings

    rt = open_runtime(config, now, actor)
    tz = rt.config.timezone
    result = meetings.move_meeting(
        rt, body, parse_moment(date, tz), _has_time(date),
        parse_moment(new, tz), _has_time(new), reason,
    )  # fmt: skip
    _print_change(rt, result, as_json)


@meeting_app.command("cancel")
def meeting_cancel(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_meets")],
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
    from routing.clock import parse_moment
    from routing.engine import meetings

    rt = open_runtime(config, now, actor)
    result = meetings.cancel_meeting(
        rt, body, parse_moment(date, rt.config.timezone), _has_time(date), reason
    )
    _print_change(rt, result, as_json)


@meeting_app.command("add")
def meeting_add(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_meets")],
    when: Annotated[str, typer.Argument(metavar="help.mv.moment", help="help.arg.moment")],
    reason: ReasonOpt = None,
    location: Annotated[
        str | None, typer.Option("--location", metavar="help.mv.text", help="help.opt.location")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add an extra meeting; items are planned on it from now on.

    Example: routing meeting add pfho-wp 2024-07-04T14:00 --reason "Extra overleg begroting"
    """
    from routing.clock import parse_moment
    from routing.engine import meetings

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
    from routing.engine.calendar_ends import change_lines

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
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_met")],
    date: Annotated[str, typer.Argument(metavar="help.mv.date", help="help.opt.meeting_date")],
    outcome: Annotated[
        list[str] | None,
        typer.Option("--outcome", "-o", metavar="help.mv.outcome", help="help.opt.outcome"),
    ] = None,
    note: Annotated[
        list[str] | None,
        typer.Option("--note", metavar="help.mv.id_text", help="help.opt.outcome_note"),
    ] = None,
    besluit: Annotated[
        list[str] | None,
        typer.Option("--besluit", metavar="help.mv.id_text", help="help.opt.close_besluit"),
    ] = None,
    inform_ei: Annotated[
        list[str] | None,
        typer.Option("--inform-ei", metavar="help.mv.id_yes_no", help="help.opt.inform_ei"),
    ] = None,
    present: Annotated[
        list[str] | None,
        typer.Option("--aanwezig", metavar="help.mv.name", help="help.opt.close_present"),
    ] = None,
    absent: Annotated[
        list[str] | None,
        typer.Option("--afwezig", metavar="help.mv.name", help="help.opt.close_absent"),
    ] = None,
    toezegging: Annotated[
        list[str] | None,
        typer.Option("--toezegging", metavar="help.mv.pledge", help="help.opt.close_pledge"),
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
    from routing.engine import ei
    from routing.engine.meeting_close import Answer, close_meeting
    from routing.render import close as close_views
    from routing.render import schedule as views
    from routing.render import terminal

    outcomes = _pairs(outcome, "--outcome")
    notes, decisions = _pairs(note, "--note"), _pairs(besluit, "--besluit")
    choices = {k: ei.parse_choice(v) for k, v in _pairs(inform_ei, "--inform-ei").items()}
    answers = {
        item_id: Answer(outcomes.get(item_id), decisions.get(item_id), notes.get(item_id),
                        choices.get(item_id))
        for item_id in sorted({*outcomes, *notes, *decisions, *choices})
    }  # fmt: skip
    rt = open_runtime(config, now, actor)
    pledges = [_pledge(rt, value) for value in toezegging or []]
    if not outcomes and sys.stdin.isatty():
        interview = close_views.TerminalInterview(terminal.console(), rt.config.timezone)
        report = close_meeting(rt, body, parse_day(date, rt), answers, present=present or [],
                               absent=absent or [], interview=interview,
                               pledges=pledges)  # fmt: skip
    else:
        with views.progress_bar(make_console()) as progress:
            report = close_meeting(rt, body, parse_day(date, rt), answers, present=present or [],
                                   absent=absent or [], progress=progress,
                                   pledges=pledges)  # fmt: skip
    if as_json:
        emit_json([c.__dict__ for c in report.closed])  # the attendance: the besluitenlijst
        return
    console = make_console()
    console.print(close_views.closed_table(report.closed))
    console.print(close_views.attendance_line(report.attendance))
    if pledges:
        console.print(i18n.tn("cli.close_pledges", len(pledges), count=len(pledges)))


@meeting_app.command("outcome")
def meeting_outcome(
    body: Annotated[str, typer.Argument(metavar="help.mv.body", help="help.arg.body_met")],
    date: Annotated[str, typer.Argument(metavar="help.mv.date", help="help.opt.meeting_date")],
    item_id: Annotated[int, typer.Argument(metavar="help.mv.id", help="help.arg.item")],
    trigger: Annotated[str, typer.Argument(metavar="help.mv.step", help="help.arg.trigger")],
    besluit: Annotated[
        str | None,
        typer.Option("--besluit", metavar="help.mv.text", help="help.opt.outcome_besluit"),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="help.mv.text", help="help.opt.why")
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add the outcome of one item to a meeting closed before, as its own audited step.

    Example: routing meeting outcome regieteam 2024-02-13 7 aanhouden --besluit "Wacht op UWV"
    """
    from routing.engine.meeting_close import Answer, record_outcome
    from routing.render import close as close_views

    rt = open_runtime(config, now, actor)
    day = parse_day(date, rt)
    closed = record_outcome(rt, body, day, item_id, Answer(trigger, besluit, note))
    if as_json:
        emit_json(closed.__dict__)
    else:
        make_console().print(close_views.outcome_line(closed, rt.config.bodies[body].name, day))


def _pairs(values: list[str] | None, flag: str) -> dict[int, str]:
    pairs: dict[int, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip().isdigit() or not rest.strip():
            raise BadInput(i18n.t("err.not_pair", option=flag, value=value))
        pairs[int(key)] = rest.strip()
    return pairs


def _pledge(rt: "Runtime", value: str) -> "Pledge":
    """`--toezegging ID=OWNER|DATE|TEXT`, checked (the owner a known person) before the close."""
    from routing.engine.commitments import checked

    key, sep, rest = value.partition("=")
    parts = rest.split("|", 2)
    if not sep or not key.strip().isdigit() or len(parts) != 3:
        raise BadInput(i18n.t("err.not_pledge", value=value))
    owner, day, what = parts
    return checked(rt, int(key), what, owner, parse_day(day, rt))
