"""The secretariat's command line: parse, call one engine function, render.

No rule lives here. Heavy libraries (SQLAlchemy/SQLModel, Alembic, APScheduler) are imported only
inside the commands that need them, so `routing --help` and `routing check` start quickly.
Errors of the `RoutingError` family become one line on stderr and exit code 1 (refused by the
rules) or 2 (bad input); a user's mistake never shows a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from routing import i18n
from routing.errors import RoutingError

if TYPE_CHECKING:
    from routing.runtime import Runtime

__all__ = ["app", "main"]

app = typer.Typer(
    name="routing",
    help="Routing of agenda points and initiatives through Regieteam, PFHO W&P, wethouder and UTA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config", "-c", help="Path to routing.toml (else $ROUTING_CONFIG, else ./routing.toml)."
    ),
]
NowOpt = Annotated[
    str | None,
    typer.Option("--now", help="Act as if it is this moment (ISO date or date-time, local time)."),
]
ActorOpt = Annotated[
    str | None, typer.Option("--as", help="Who acts (else $ROUTING_ACTOR, else the login name).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable shape, see README).")]

_settings: dict[str, str | None] = {"lang": None}
T = TypeVar("T")


def _console() -> Console:
    return Console(highlight=False)


def _open(config: str | None, now: str | None = None, actor: str | None = None) -> Runtime:
    from routing.runtime import Runtime

    rt = Runtime.open(config, now=now, actor=actor)
    i18n.set_language(_settings["lang"] or rt.config.language)
    return rt


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _body_names(rt: Runtime) -> dict[str, str]:
    return {key: body.name for key, body in rt.config.bodies.items()}


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
        _settings["lang"] = lang
        i18n.set_language(lang)


@app.command()
def init(config: ConfigOpt = None) -> None:
    """Write a starter routing.toml (if there is none) and create or upgrade the database.

    Safe to run again: an existing routing.toml is left alone and the schema is only upgraded.

    Example: routing init
    """
    from importlib import resources

    import store
    from routing.config import find_config_path

    path = find_config_path(config)
    console = _console()
    if path.exists():
        console.print(i18n.t("cli.init_config_kept", path=path))
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        starter = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
        path.write_text(starter, encoding="utf-8")
        console.print(i18n.t("cli.init_config", path=path))
    rt = _open(str(path))
    before, after = store.migrate(rt.raw_engine())
    if before == after:
        console.print(i18n.t("cli.init_db_current", url=rt.display_url, after=after))
    else:
        console.print(i18n.t("cli.init_db", url=rt.display_url, before=before or "—", after=after))
    rt.close()


@app.command()
def check(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Validate routing.toml and every flow file; report all problems at once.

    Example: routing check --config /etc/routing/routing.toml
    """
    rt = _open(config)
    flows = rt.catalog.current
    if as_json:
        _emit_json(
            {
                "ok": True,
                "config": str(rt.config.path),
                "bodies": list(rt.config.bodies),
                "flows": sorted(flows),
            }
        )
        return
    _console().print(
        i18n.t(
            "cli.check_ok", config=rt.config.path, bodies=len(rt.config.bodies), flows=len(flows)
        )
    )


@app.command("flows")
def flows_command(
    name: Annotated[str | None, typer.Argument(help="A flow to show in full.")] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the flows, or show one: its states, triggers and bodies.

    Example: routing flows agendapunt-stuurgroep
    """
    from routing import items, views

    rt = _open(config)
    if name is None:
        shaped = [items.flow_dict(f) for f in rt.catalog.current.values()]
        if as_json:
            _emit_json(shaped)
        else:
            _console().print(views.flows_table(shaped))
        return
    flow = items.flow_dict(rt.catalog.get(name))
    if as_json:
        _emit_json(flow)
    else:
        _console().print(views.flow_view(flow, _body_names(rt)))


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
    owner: Annotated[str | None, typer.Option(help="Who carries the item.")] = None,
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
    from routing.clock import parse_moment

    rt = _open(config, now, actor)
    document_date = (
        parse_moment(datum, rt.config.timezone).astimezone(rt.config.timezone).date()
        if datum
        else None
    )
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
        ),
    )
    if as_json:
        _emit_json({"id": item.id, "state": item.state})
    elif sys.stdout.isatty():
        _console().print(i18n.t("cli.created", id=item.id, state=item.state))
    else:
        sys.stdout.write(f"{item.id}\n")


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

    rt = _open(config, now, actor)
    moved = engine.move(rt, item_id, trigger, note=note, expected_version=if_version)
    if as_json:
        _emit_json(
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
    console = _console()
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

    rt = _open(config)
    rows = items.list_items(rt, state=state, body=body, flow=flow, include_closed=not open_only)
    if as_json:
        _emit_json(rows)
    elif not rows:
        _console().print(i18n.t("cli.no_items"))
    else:
        _console().print(views.items_table(rows, _body_names(rt)))


@app.command()
def show(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one item: its details, the steps possible now, and its full history.

    Example: routing show 12
    """
    from routing import items, views

    rt = _open(config)
    detail = items.item_detail(rt, item_id)
    if as_json:
        _emit_json(detail)
    else:
        _console().print(views.item_view(detail, _body_names(rt), rt.config.timezone))


@app.command()
def edit(
    item_id: Annotated[int, typer.Argument(metavar="ID", help="The item.")],
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    kenmerk: Annotated[str | None, typer.Option(help="Document reference ('' clears it).")] = None,
    owner: Annotated[str | None, typer.Option(help="Who carries the item ('' clears it).")] = None,
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
    config: ConfigOpt = None,
    now: NowOpt = None,
    actor: ActorOpt = None,
) -> None:
    """Change an item's details (title, kenmerk, owner, topics); kept in its history.

    Example: routing edit 12 --kenmerk DOC-24003697 --topic llo
    """
    from routing import engine

    rt = _open(config, now, actor)
    engine.edit_item(
        rt,
        item_id,
        title=title,
        kenmerk=kenmerk,
        owner=owner,
        asked=voor,
        add_topics=topic or [],
        remove_topics=remove_topic or [],
        expected_version=if_version,
    )
    _console().print(i18n.t("cli.edited", id=item_id))


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
