"""The installed `routing` command, run as a subprocess on a real SQLite file."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from routing import i18n
from routing.cli.app import app
from tests.conftest import Cli

README = Path(__file__).resolve().parent.parent / "README.md"


def _rows(config_path: Path) -> tuple[int, int]:
    # sqlite3's own context manager commits but does not close: closing() does
    with closing(sqlite3.connect(config_path.parent / "routing.db")) as db:
        items = db.execute("select count(*) from item").fetchone()[0]
        events = db.execute("select count(*) from audit_event").fetchone()[0]
    return int(items), int(events)


def test_init_writes_a_config_and_is_idempotent(tmp_path: Path) -> None:
    runner = Cli(tmp_path / "nieuw" / "routing.toml")
    first = runner("init")
    assert "Startconfiguratie geschreven" in first.stdout
    assert (tmp_path / "nieuw" / "routing.db").exists()
    second = runner("init")
    assert "blijft zoals ze is" in second.stdout
    assert "schema is actueel" in second.stdout


def test_commands_before_init_say_to_run_init(config_path: Path) -> None:
    result = Cli(config_path)("list", check=False)
    assert result.returncode == 2
    assert "routing init" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_and_flows(cli: Cli) -> None:
    assert "In orde" in cli("check").stdout
    listed = json.loads(cli("flows", "--json").stdout)
    assert {flow["name"] for flow in listed} >= {"agendapunt-stuurgroep", "initiatief"}
    shown = json.loads(cli("flows", "agendapunt-stuurgroep", "--json").stdout)
    assert "meegeven" in shown["possible_from"]["pfho-wp"]
    assert "wethouder-hilversum" in cli("flows", "agendapunt-stuurgroep").stdout


def test_a_secretary_walks_a_point_to_the_stuurgroep_and_back(cli: Cli) -> None:
    created = cli(
        "new",
        "Regionaal Werkcentrum",
        "--flow",
        "agendapunt-stuurgroep",
        "--topic",
        "werkcentrum",
        "--kenmerk",
        "DOC-24003697",
        "--owner",
        "Anouk Pols",
        "--voor",
        "besluitvorming",
        "--as",
        "secretaris",
    )
    item_id = created.stdout.strip()
    assert item_id.isdigit()
    for trigger in (
        "agenderen",
        "doorzetten",
        "meegeven",
        "inbrengen",
        "besproken",
        "terugkoppelen",
    ):
        moved = cli("move", item_id, trigger, "--note", f"{trigger} gedaan", "--as", "secretaris")
        assert trigger in moved.stdout
    detail = json.loads(cli("show", item_id, "--json").stdout)
    assert detail["state"] == "afgerond"
    assert detail["asked"] == "besluitvorming"
    assert [e["actor"] for e in detail["history"]] == ["secretaris"] * 7
    text = cli("show", item_id).stdout
    assert "Regionaal Werkcentrum" in text
    assert "ter besluitvorming" in text


def test_list_filters_by_state_body_and_flow(cli: Cli) -> None:
    a = cli("new", "A", "--flow", "initiatief").stdout.strip()
    cli("new", "B", "--flow", "agendapunt-supportteam")
    cli("move", a, "agenderen")
    by_body = json.loads(cli("list", "--body", "regieteam", "--json").stdout)
    assert [row["title"] for row in by_body] == ["A"]
    by_state = json.loads(cli("list", "--state", "concept", "--json").stdout)
    assert [row["title"] for row in by_state] == ["B"]
    by_flow = json.loads(cli("list", "--flow", "initiatief", "--json").stdout)
    assert [row["title"] for row in by_flow] == ["A"]
    assert "Geen items" in cli("list", "--state", "afgerond").stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("move", "1", "besproken"), 1, "'besproken' kan alleen vanuit 'uta-stuurgroep'"),
        (("move", "1", "agenderen", "--if-version", "7"), 1, "gewijzigd sinds u het laadde"),
        (("move", "99", "agenderen"), 2, "Item 99 bestaat niet"),
        (("move", "een", "agenderen"), 2, "Ongeldige waarde voor 'ID'"),
        (("new", "X", "--flow", "onbekend"), 2, "Flow 'onbekend' bestaat niet"),
        (("new", "X", "--flow", "initiatief", "--voor", "advies"), 2, "--voor advies"),
        (("new", "X", "--flow", "initiatief", "--now", "gisteren"), 2, "is geen datum of tijdstip"),
        (("list", "--body", "raad"), 2, "Orgaan 'raad' bestaat niet. Bekende organen: "),
        (("show", "99"), 2, "Item 99 bestaat niet"),
        (("--lang", "fr", "list"), 2, "kies uit nl, en"),
        (
            ("outbox", "--status", "weg"),
            2,
            "--status: 'weg' kan niet; kies uit wacht, verzonden, mislukt",
        ),
        (
            ("meeting", "close", "regieteam", "2024-02-20", "-o", "1:doorzetten"),
            2,
            "--outcome: '1:doorzetten' heeft niet de vorm ID=WAARDE.",
        ),
        (("flows", "--diagram", "x.svg"), 2, "--diagram: noem de flow die getekend moet worden"),
    ],
)
def test_errors_are_one_line_with_the_right_exit_code_and_change_nothing(
    cli: Cli, config_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    cli("new", "Bestaand", "--flow", "agendapunt-stuurgroep")
    before = _rows(config_path)
    result = cli(*args, check=False)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert _rows(config_path) == before


def test_english_on_request(cli: Cli) -> None:
    result = cli("--lang", "en", "move", "42", "agenderen", check=False)
    assert "Item 42 does not exist" in result.stderr


def test_bad_config_is_exit_2_with_the_problem(cli: Cli, config_path: Path) -> None:
    config_path.write_text(config_path.read_text() + "\n[bodies.x]\nkind = 'raad'\n")
    result = cli("check", check=False)
    assert result.returncode == 2
    assert "bodies.x.kind: 'raad' is geen geldige soort; kies uit" in result.stderr


def test_python_dash_m_works(cli: Cli, config_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "routing", "--config", str(config_path), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2  # --config belongs to the command, not the program
    result = subprocess.run(
        [sys.executable, "-m", "routing", "check", "--config", str(config_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "In orde" in result.stdout


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_group(app)
    names: list[str] = []
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        if sub:
            names.extend(f"{name} {child}" for child in sub)
        else:
            names.append(name)
    return sorted(names)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example_and_is_in_the_readme(command: str) -> None:
    import typer.main

    from routing.cli.help import localize

    for lang, example in (("nl", "Voorbeeld:"), ("en", "Example:")):
        i18n.set_language(lang)
        localize(app)
        target = typer.main.get_group(app)
        for part in command.split():
            target = target.commands[part]  # type: ignore[attr-defined]
        assert target.help and example in target.help, f"'routing {command}' has no {example}"
    assert re.search(rf"`routing {re.escape(command)}\b", README.read_text()), (
        f"'routing {command}' is missing from the README's command list"
    )


def test_a_fault_is_one_line_with_exit_3_and_no_sql_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sqlalchemy.exc import IntegrityError

    from routing.cli.app import run
    from routing.cli.common import settings

    def broken() -> None:
        raise IntegrityError(
            "INSERT INTO item (title, owner) VALUES (?, ?)",
            ("Geheim dossier", "a.devries@hilversum.example"),
            Exception("UNIQUE constraint failed: item.id"),
        )

    with pytest.raises(SystemExit) as stopped:
        run(broken)
    assert stopped.value.code == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "IntegrityError" in err and "UNIQUE constraint failed" in err
    assert "Geheim" not in err and "hilversum" not in err and "INSERT" not in err
    assert "routing --debug" in err
    settings["debug"] = "1"
    try:
        with pytest.raises(IntegrityError):
            run(broken)  # with --debug the traceback is shown
    finally:
        settings["debug"] = None


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["new"], "routing: 'TITEL' ontbreekt. Zie 'routing new --help'."),
        (["move", "abc", "x"], "routing: Ongeldige waarde voor 'ID': dat is geen geheel getal."),
        (["new", "x", "--flow"], "routing: De optie --flow heeft een waarde nodig."),
        (["frobnicate"], "routing: Onbekende opdracht 'frobnicate'. Zie 'routing --help'."),
        (["list", "--bogus"], "routing: Onbekende optie --bogus. Bedoelt u: --body?"),
        (["show", "1", "2"], "routing: Overbodige invoer: 2. Zie 'routing show --help'."),
    ],
)
def test_usage_errors_are_one_dutch_line_with_exit_2(
    args: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing.cli.app import main

    old = sys.argv
    sys.argv = ["routing", *args]
    try:
        with pytest.raises(SystemExit) as stopped:
            main()
    finally:
        sys.argv = old
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(line) and len(err.splitlines()) == 1, err


def test_a_database_from_a_newer_routing_says_upgrade_routing_not_init(
    cli: Cli, config_path: Path
) -> None:
    with closing(sqlite3.connect(config_path.parent / "routing.db")) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    for args in (("list",), ("init",)):
        refused = cli(*args, check=False)
        assert refused.returncode == 2, refused.stderr
        assert "nieuwere versie van routing (schema 9999)" in refused.stderr
        assert "werk routing bij" in refused.stderr


def test_outbox_status_in_dutch_and_english_and_routing_lang(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = cli("new", "Punt", "--flow", "agendapunt-stuurgroep", "--now", "2024-10-20T09:00")
    cli("move", item.stdout.strip(), "agenderen", "--now", "2024-10-20T09:00")
    cli("meeting", "cancel", "regieteam", "2024-10-29", "--now", "2024-10-20T09:00")
    waiting = json.loads(cli("outbox", "--status", "wacht", "--json").stdout)
    assert waiting and waiting == json.loads(cli("outbox", "--status", "pending", "--json").stdout)
    assert json.loads(cli("outbox", "--status", "verzonden", "--json").stdout) == []
    refused = cli("outbox", "--status", "weg", check=False)
    assert refused.returncode == 2 and "wacht, verzonden, mislukt" in refused.stderr
    monkeypatch.setenv("ROUTING_LANG", "en")
    assert "The outbox" in cli("outbox", "--status", "sent").stdout
    monkeypatch.setenv("ROUTING_LANG", "fr")
    bad = cli("list", check=False)
    assert bad.returncode == 2 and "ROUTING_LANG='fr'" in bad.stderr
