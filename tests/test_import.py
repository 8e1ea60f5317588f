"""`routing import FILE.csv`: many items at once, all or nothing, as `routing new` registers one.

Every test runs the command on a real SQLite file; the round trip compares the whole store with
one made by `routing new` line by line, and a refused file must leave the dump unchanged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from routing.runtime import Runtime
from store import audit_chain
from tests.conftest import ROUTING, InProcessCli, in_terminal, starter_text
from tests.fuzzing import dump

NOW = "2024-02-05T09:00"
HEADER = "titel;flow;onderwerpen;kenmerk;eigenaar;voor;vertrouwelijk;niet-verspreiden;datum;van;notitie;doelvergadering;doel"
# (title, flow, topics, kenmerk, owner, voor, confidential, not distributed, date, van, note,
#  target meeting, target body): every column, every flow (two plan deadlines at once)
ROWS = [
    ("Regionaal Werkcentrum", "agendapunt-stuurgroep", "werkcentrum llo", "DOC-1",
     "Anouk Pols", "besluitvorming", "", "", "2024-01-30", "regieteam", "Eerste versie",
     "2024-03-14", ""),
    ("Talentfonds", "initiatief", "", "", "a@b.example", "", "ja", "", "", "", "", "", ""),
    ("Supportpunt", "agendapunt-supportteam", "llo", "DOC-3", "", "informatie", "", "ja", "",
     "", "", "", ""),
    ("Terugkoppeling supportteam", "terugkoppeling-supportteam", "", "", "", "", "", "", "",
     "", "", "", ""),
    ("Terugkoppeling stuurgroep", "terugkoppeling-stuurgroep", "", "DOC-1", "", "", "", "",
     "", "", "Regel met\nregelovergang", "", ""),
    ("Naar de stuurgroep", "agendapunt-stuurgroep", "", "", "", "", "", "", "", "", "",
     "2024-06-20", "uta-stuurgroep"),
]  # fmt: skip


def _store(folder: Path, template: Path, config: str | None = None) -> InProcessCli:
    folder.mkdir()
    path = folder / "routing.toml"
    path.write_text(config or starter_text(), encoding="utf-8")
    shutil.copyfile(template, folder / "routing.db")
    cli = InProcessCli(path)
    cli("init", "--now", "2024-01-01T00:00")
    return cli


def _csv(rows: list[tuple[str, ...]], delimiter: str = ";", header: str = HEADER) -> str:
    def cell(value: str) -> str:
        if any(c in value for c in f'"\n{delimiter}'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [header.replace(";", delimiter)]
    lines += [delimiter.join(cell(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def _new_args(row: tuple[str, ...]) -> list[str]:
    (title, flow, topics, kenmerk, owner, voor, confidential, not_distributed, date, van, note,
     target_meeting, target) = row  # fmt: skip
    args = ["new", title, "--flow", flow]
    for topic in topics.split():
        args += ["--topic", topic]
    for option, value in (
        ("--kenmerk", kenmerk), ("--owner", owner), ("--voor", voor), ("--datum", date),
        ("--van", van), ("--note", note), ("--target-meeting", target_meeting),
        ("--target", target),
    ):  # fmt: skip
        if value:
            args += [option, value]
    args += ["--vertrouwelijk"] if confidential else []
    args += ["--niet-verspreiden"] if not_distributed else []
    return [*args, "--now", NOW, "--as", "secretaris"]


@pytest.fixture
def cli(tmp_path: Path, sqlite_template: Path) -> InProcessCli:
    return _store(tmp_path / "store", sqlite_template)


def _database(cli: InProcessCli) -> Path:
    return cli.config.parent / "routing.db"


def _comparable(database: Path) -> str:
    """The dump without the calendar stamp: a random token each store draws anew whenever its
    meetings change (store/calendar_stamp.py), so two stores never share it."""
    return re.sub(r"(?m)^.*'meetings_version'.*$", "", dump(database))


def test_an_import_writes_what_routing_new_writes_line_by_line(
    tmp_path: Path, sqlite_template: Path
) -> None:
    imported = _store(tmp_path / "imported", sqlite_template)
    typed = _store(tmp_path / "typed", sqlite_template)
    (tmp_path / "items.csv").write_text(_csv(ROWS), encoding="utf-8")
    result = imported("import", str(tmp_path / "items.csv"), "--now", NOW, "--as", "secretaris")
    assert result.stdout == "".join(f"{n}\n" for n in range(1, len(ROWS) + 1))  # a pipe: ids
    assert "niet meer te halen" not in result.stderr  # every target here is still reachable
    for row in ROWS:
        typed(*_new_args(row))
    # ids, plans, deadlines, audit events and their hashes, the chain's head: all the same
    assert _comparable(_database(imported)) == _comparable(_database(typed))
    assert "Audittrail intact: 6 events" in imported("audit", "verify").stdout
    listed = json.loads(imported("list", "--json").stdout)
    assert [item["title"] for item in listed] == [row[0] for row in ROWS]
    shown = json.loads(imported("show", "4", "--json").stdout)
    assert shown["state"] == "regieteam"
    deadlines = imported("show", "4", "--now", NOW).stdout
    assert "herinnering" in deadlines and "stukken" in deadlines


def test_a_dutch_excel_file_semicolons_a_bom_and_dutch_dates(cli: InProcessCli) -> None:
    text = (
        "\ufeffTitel;Flow;Datum;Notitie;Vertrouwelijk\r\n"
        'Werkcentrum; agendapunt-stuurgroep ;14-03-2024;"Twee; delen\r\nen een regel";X\r\n'
        ";;;;\r\n"  # a row Excel leaves empty: skipped
        "Talentfonds;initiatief;1/2/2024;;nee\r\n"
    )
    path = cli.config.parent / "excel.csv"
    path.write_bytes(text.encode("utf-8"))
    cli("import", str(path), "--now", NOW)
    first, second = (json.loads(cli("show", n, "--json").stdout) for n in ("1", "2"))
    assert first["title"] == "Werkcentrum" and first["document_date"] == "2024-03-14"
    assert first["openbaar"] is False
    assert first["history"][0]["note"] == "Twee; delen\nen een regel"
    assert second["document_date"] == "2024-02-01" and second["openbaar"] is True


def test_english_headers_and_commas(cli: InProcessCli) -> None:
    text = 'Title,FLOW,Owner,Topics,Confidential\n"Fund, regional",initiatief,Anna de Vries,"a, b",yes\n'
    path = cli.config.parent / "items.csv"
    path.write_text(text, encoding="utf-8")
    cli("import", str(path), "--now", NOW)
    item = json.loads(cli("show", "1", "--json").stdout)
    assert (item["title"], item["owner"], item["topics"]) == ("Fund, regional", "Anna de Vries",
                                                              ["a", "b"])  # fmt: skip


def _refused(
    cli: InProcessCli,
    text: str | bytes,
    *,
    root: tuple[str, ...] = (),
    options: tuple[str, ...] = (),
    code: int = 2,
) -> str:
    path = cli.config.parent / "items.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    before = dump(_database(cli))
    result = cli(*root, "import", str(path), "--now", NOW, *options, check=False)
    assert result.returncode == code, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert dump(_database(cli)) == before, "a refused import changed the store"
    return result.stderr


GOOD = "Goed;initiatief"


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("Piet;initiatief;Piet Onbekend", "eigenaar", "Bekende namen: Anna de Vries"),
        (f"{'x' * 201};initiatief;", "titel", "201 tekens"),
        (";initiatief;", "titel", "deze cel is leeg"),
        ("Titel;geen-flow;", "flow", "Bekende flows"),
        ("Titel;;", "flow", "deze cel is leeg"),
    ],
)
def test_a_bad_line_in_the_middle_is_named_and_nothing_is_written(
    cli: InProcessCli, line: str, column: str, words: str
) -> None:
    text = "titel;flow;eigenaar\n" + "\n".join([GOOD, GOOD, line, GOOD]) + "\n"
    message = _refused(cli, text)
    assert f"regel 4, kolom '{column}'" in message
    assert words in message
    assert "Er is niets geregistreerd" in message


@pytest.mark.parametrize(
    ("header", "cell", "words"),
    [
        ("onderwerpen", "Goed Onderwerp!", "niet bruikbaar"),
        ("voor", "misschien", "besluitvorming, bespreking, informatie"),
        ("vertrouwelijk", "misschien", "geen ja of nee"),
        ("datum", "31-02-2024", "'31-02-2024' is geen datum"),
        ("datum", "morgen", "'morgen' is geen datum"),
        ("van", "nergens", "Bekende organen"),
        ("doelvergadering", "2024-03-15", "vergadert"),
        ("doel", "uta-stuurgroep", "doelvergadering"),
        ("kenmerk", "K" * 65, "65 tekens"),
        ("notitie", "x" * 4001, "4001 tekens"),
    ],
)
def test_every_check_of_routing_new_applies(
    cli: InProcessCli, header: str, cell: str, words: str
) -> None:
    text = f"titel;flow;{header}\nEen;agendapunt-stuurgroep;\nTwee;agendapunt-stuurgroep;{cell}\n"
    message = _refused(cli, text)
    assert f"regel 3, kolom '{header}'" in message
    assert words in message


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("Titel \x1b]0;pwned\x07", "U+001B"), ("\u202eevil", "U+202E"), ("a\x9bb", "U+009B")],
)
def test_hostile_text_is_refused_and_not_echoed(cli: InProcessCli, cell: str, shown: str) -> None:
    message = _refused(cli, f'titel;flow\n"{cell}";initiatief\n')
    assert shown in message and "regel 2, kolom 'titel'" in message
    assert "pwned" not in message and "\u202e" not in message


def test_a_line_after_a_note_of_several_lines_is_named_by_its_own_line(cli: InProcessCli) -> None:
    text = 'titel;flow;notitie\nEen;initiatief;"regel 1\nregel 2\nregel 3"\nTwee;geen-flow;\n'
    assert "regel 5, kolom 'flow'" in _refused(cli, text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("titel;flow;kleur\nEen;initiatief;rood\n", "de kolom 'kleur' op regel 1 is onbekend"),
        ("titel;flow;title\n", "is dezelfde als 'titel'"),
        ("titel;eigenaar\nEen;Anna de Vries\n", "verplichte kolom 'flow'"),
        ("", "het bestand is leeg"),
        ("\n\n  \n", "het bestand is leeg"),
        ("titel;flow\nEen;initiatief;extra\n", "regel 2, kolom 3: deze cel valt buiten"),
        (b"titel;flow\nR\xe9gio;initiatief\n", "sla het bestand op als CSV UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "geen tekstbestand"),
    ],
)
def test_a_file_that_is_not_a_table_of_items(
    cli: InProcessCli, text: str | bytes, words: str
) -> None:
    assert words in _refused(cli, text)


def test_a_folder_a_missing_file_or_a_name_too_long(cli: InProcessCli, tmp_path: Path) -> None:
    for path, words in (
        (tmp_path, "is een map"),
        (tmp_path / "nergens.csv", "bestaat niet"),
        (tmp_path / ("a" * 5000), "kan niet worden gelezen"),
    ):
        result = cli("import", str(path), check=False)
        assert result.returncode == 2 and words in result.stderr, result.stderr


def test_a_file_over_the_limit_is_refused_unread(
    cli: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routing.engine import item_file

    monkeypatch.setattr(item_file, "MAX_BYTES", 2 * 1024 * 1024)
    message = _refused(cli, f"titel;flow\n{GOOD}\n" * 200_000)
    assert "groter dan 2 MB; splits het" in message


def test_a_header_without_lines_registers_nothing(cli: InProcessCli) -> None:
    path = cli.config.parent / "items.csv"
    path.write_text("titel;flow\n", encoding="utf-8")
    before = dump(_database(cli))
    result = cli("import", str(path))
    assert result.stdout == "" and dump(_database(cli)) == before


def test_a_dry_run_checks_and_writes_nothing(cli: InProcessCli) -> None:
    path = cli.config.parent / "items.csv"
    path.write_text(_csv(ROWS), encoding="utf-8")
    cli("meetings", "--now", NOW)  # the calendars synced first: that is not the import's doing
    before = dump(_database(cli))
    result = cli("import", str(path), "--dry-run", "--now", NOW)
    assert "Alle 6 regels zijn in orde" in result.stdout
    assert dump(_database(cli)) == before


def test_english_messages(cli: InProcessCli) -> None:
    text = "title,flow,owner\nOne,initiatief,\nTwo,initiatief,Nobody Known\n"
    message = _refused(cli, text, root=("--lang", "en"))
    assert "items.csv, line 3, column 'owner': Unknown person 'Nobody Known'" in message
    assert "Nothing was registered; correct this line" in message


def test_access_is_that_of_routing_new(tmp_path: Path, sqlite_template: Path) -> None:
    config = (
        starter_text()
        .replace('# administrators = ["Sander Bakker"]', 'administrators = ["Sander Bakker"]')
        .replace(
            '"Sander Bakker" = "s.bakker@regiogv.example"',
            '"Sander Bakker" = { email = "s.bakker@regiogv.example", login = "sbakker" }',
        )
    )
    cli = _store(tmp_path / "store", sqlite_template, config)
    message = _refused(cli, f"titel;flow\n{GOOD}\n", options=("--as", "Anna de Vries"), code=1)
    assert "--as" in message


def test_a_target_out_of_reach_is_warned_with_its_lines(cli: InProcessCli) -> None:
    path = cli.config.parent / "items.csv"
    rows = "".join(f"Punt {n};agendapunt-stuurgroep;2024-02-08\n" for n in range(3))
    path.write_text("titel;flow;doelvergadering\n" + rows, encoding="utf-8")
    result = cli("import", str(path), "--now", NOW)
    assert result.stdout.split() == ["1", "2", "3"]
    assert "Regel 2, 3, 4: Let op: de doelvergadering van 8 februari 2024" in result.stderr


def test_json(cli: InProcessCli) -> None:
    path = cli.config.parent / "items.csv"
    path.write_text(f"titel;flow\n{GOOD}\n{GOOD}\n", encoding="utf-8")
    shaped = json.loads(cli("import", str(path), "--json", "--now", NOW).stdout)
    assert shaped == {"ids": [1, 2], "dry_run": False, "warnings": []}


def test_ids_and_the_chain_continue_after_an_import(rt: Runtime, tmp_path: Path) -> None:
    """Ids are reserved ahead (PostgreSQL: from the sequences); what comes after takes the next."""
    from routing.engine import bulk, items

    first = items.create_item(rt, items.ItemSpec(title="Ervoor", flow="initiatief"))
    path = tmp_path / "items.csv"
    path.write_text(_csv(ROWS), encoding="utf-8")
    done = bulk.import_items(rt, path)
    assert done.ids == list(range(first.id + 1, first.id + 1 + len(ROWS)))  # type: ignore[operator]
    after = items.create_item(rt, items.ItemSpec(title="Erna", flow="initiatief"))
    assert after.id == done.ids[-1] + 1
    with rt.session(read=True) as db:
        report = audit_chain.verify(db)
    assert report.intact and report.events == len(ROWS) + 2


def test_a_terminal_sees_a_progress_bar_and_a_count(cli: InProcessCli) -> None:
    path = cli.config.parent / "items.csv"
    path.write_text("titel;flow\n" + f"{GOOD}\n" * 2500, encoding="utf-8")
    env = {**os.environ, "ROUTING_CONFIG": str(cli.config), "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    code, shown, error = in_terminal([ROUTING, "import", str(path), "--now", NOW], env)
    assert code == 0, error
    assert "Items registreren" in shown and "2500/2500" in shown  # the bar, drawn to the end
    assert "2500 items geregistreerd (nummers 1 tot en met 2500)." in shown


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_help_and_the_readme_name_every_column(lang: str) -> None:
    """The columns the reader knows are the ones the help and the README document."""
    from routing import i18n
    from routing.engine.item_file import COLUMNS

    i18n.set_language(lang)
    shown = i18n.t("help.cmd.import")
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for dutch, english, *_ in ((*names, names[0]) for names in COLUMNS.values()):
        for name in (dutch, english):
            assert re.search(rf"(^|[ (]){re.escape(name)}[ ;)]", shown), name
        assert f"`{dutch}`" in readme and f"`{english}`" in readme, (dutch, english)
