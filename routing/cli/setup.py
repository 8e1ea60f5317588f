"""Commands that set up and watch the installation: init, check, status, daemon.

Like every command they only parse, call one function below them and render.
"""

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from routing import i18n
from routing.cli.common import (
    ConfigOpt,
    JsonOpt,
    NowOpt,
    emit_json,
    make_console,
    open_runtime,
)

if TYPE_CHECKING:
    pass


def init(config: ConfigOpt = None, now: NowOpt = None) -> None:
    """Write a starter routing.toml (if there is none) and create or upgrade the database.

    Safe to run again: an existing routing.toml is left alone and the schema is only upgraded.
    The moment of the first init (or --now) is when the daemon starts creating feedback items.

    Example: routing init
    """
    from importlib import resources

    from routing.config.file import find_config_path

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
    before, after = rt.migrate()
    from routing.effects.sweep import record_installation

    record_installation(rt)
    if before == after:
        console.print(i18n.t("cli.init_db_current", url=rt.display_url, after=after))
    else:
        console.print(i18n.t("cli.init_db", url=rt.display_url, before=before or "—", after=after))
    rt.close()


def check(config: ConfigOpt = None, now: NowOpt = None, as_json: JsonOpt = False) -> None:
    """Validate routing.toml and every flow file; report all problems at once.

    With a database, also brings its meetings in line with routing.toml (a meeting gone from the
    file is cancelled, a moved one moved, with their items re-planned and reported) and says
    which calendars run out within the warning period.

    Example: routing check --config /etc/routing/routing.toml
    """
    from routing.read import calendar_check

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


def status(
    body: Annotated[
        str | None, typer.Option("--body", metavar="help.mv.body", help="help.opt.only_body")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", metavar="help.mv.topic", help="help.opt.only_topic")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", metavar="help.mv.name", help="help.opt.status_owner")
    ] = None,
    watch: Annotated[bool, typer.Option("--watch", help="help.opt.watch")] = False,
    every: Annotated[
        float, typer.Option("--every", metavar="help.mv.seconds", help="help.opt.every")
    ] = 5.0,
    all_cards: Annotated[bool, typer.Option("--all", help="help.opt.all_cards")] = False,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", metavar="help.mv.format", help="help.opt.status_format"),
    ] = None,
    output: Annotated[
        str | None, typer.Option("--output", "-o", metavar="help.mv.file", help="help.opt.output")
    ] = None,
) -> None:
    """The board: what sits where, what is late, what comes next, the outbox and the daemon.

    Each body shows its most urgent cards and how many more there are; --all shows every card
    (--json always holds them all).

    Example: routing status --body pfho-wp --watch
    """
    import time

    from routing.read import board

    if fmt is not None or output is not None:
        _status_page(body, topic, owner, fmt, output, config, now)
        return
    rt = open_runtime(config, now)
    if as_json:
        emit_json(board.board(rt, body=body, topic=topic, owner=owner))
        return
    from routing.render.board import CARDS_SHOWN, board_view

    console = make_console()

    def render() -> Any:
        shaped = board.board(rt, body=body, topic=topic, owner=owner)
        limit = None if all_cards else CARDS_SHOWN
        return board_view(shaped, rt.config.timezone, console.width, limit)

    if not watch:
        console.print(render())
        return
    from rich.live import Live

    with Live(render(), console=console, screen=False, auto_refresh=False) as live:
        try:
            while True:  # until Ctrl-C: a view, not a test; each pass re-reads the store
                time.sleep(max(every, 0.5))
                live.update(render(), refresh=True)
        except KeyboardInterrupt:
            pass


def _status_page(
    body: str | None, topic: str | None, owner: str | None, fmt: str | None,
    output: str | None, config: str | None, now: str | None,
) -> None:  # fmt: skip
    """`routing status --format html [-o FILE]`: the board as a printable page."""
    from pathlib import Path

    from routing.read import board
    from routing.render.files import check_output, output_format, write_output
    from routing.render.status_page import SUFFIXES, status_page

    output_format(fmt, output, SUFFIXES)
    if output is not None:
        check_output("--output", Path(output))
    rt = open_runtime(config, now)
    shaped = board.board(rt, body=body, topic=topic, owner=owner)
    page = status_page(shaped, rt.config.timezone, rt.config.document_templates)
    if output is None:
        sys.stdout.write(page)
        return
    path = write_output("--output", Path(output), page)
    make_console().print(i18n.t("doc.written", path=path))


def daemon(
    once: Annotated[bool, typer.Option("--once", help="help.opt.once")] = False,
    status: Annotated[bool, typer.Option("--status", help="help.opt.daemon_status")] = False,
    log_level: Annotated[
        str | None,
        typer.Option("--log-level", metavar="help.mv.log_level", help="help.opt.log_level"),
    ] = None,
    log_format: Annotated[
        str | None,
        typer.Option("--log-format", metavar="help.mv.log_format", help="help.opt.log_format"),
    ] = None,
    interval: Annotated[
        int | None,
        typer.Option("--interval", min=1, metavar="help.mv.seconds", help="help.opt.interval"),
    ] = None,
    config: ConfigOpt = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT (or one sweep with --once).

    Each sweep sends reminders, escalates passed deadlines, rolls items over, creates the
    feedback items after UTA meetings, sends the E&I digest, warns on slipping plans and
    delivers the outbox; each effect once. The log goes to stderr. --status exits 0 when the
    daemon is alive, 1 when it is silent; 2 means the database could not be reached.

    Example: routing daemon --once --now 2024-03-22T08:00
    """
    import datetime as dt

    from routing.effects import daemon as daemon_module
    from routing.effects import logs
    from routing.read import reports
    from routing.render import schedule as views

    # the daemon runs as the service account ([access]); --status only reads
    rt = open_runtime(config, now, daemon=not status)
    if status:
        beat = reports.heartbeat(rt)
        if as_json:
            emit_json(beat)
        else:
            make_console().print(views.heartbeat_line(beat))
        if not beat["alive"]:
            raise SystemExit(1)  # monitoring and systemd read the exit code
        return
    logs.configure(log_level, log_format, rt.config.timezone)
    if once:
        with views.progress_bar(make_console()) as progress:
            report, sent = daemon_module.run_once(rt, progress)
        if as_json:
            emit_json(reports.sweep_dict(report, sent))
        else:
            make_console().print(views.sweep_view(report, sent))
        return
    every = dt.timedelta(seconds=interval) if interval else None
    daemon_module.run_forever(rt, every=every)
