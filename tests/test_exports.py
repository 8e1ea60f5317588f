"""`--format csv|xlsx` and `-o FILE` of `routing list`, `meetings` and `outbox` (issue 12,
point 3): each file read back (the csv module, openpyxl) holds what `--json` holds, with the
header in the user's language; user text never becomes a formula."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from routing import i18n
from routing.render.export import COLUMNS, cell_text, header
from tests.conftest import InProcessCli

NOW = "2024-02-05T09:00"


@pytest.fixture
def filled(cmd: InProcessCli) -> InProcessCli:
    cmd("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", "--topic",
        "werkcentrum", "--topic", "llo", "--kenmerk", "DOC-1", "--owner", "Anouk Pols",
        "--now", NOW)  # fmt: skip
    cmd("new", "=HYPERLINK(\"http://x.example\";\"klik\")", "--flow", "initiatief",
        "--vertrouwelijk", "--now", NOW)  # fmt: skip
    cmd(
        "new",
        'Café; "aanhalingstekens"\nen een regel',
        "--flow",
        "initiatief",
        "--now",
        NOW,
        check=False,
    )  # a line break is refused; the title below has the ; and the quotes
    cmd("new", 'Café; "aanhalingstekens"', "--flow", "initiatief", "--now", NOW)
    cmd("move", "1", "agenderen", "--now", NOW)
    cmd("daemon", "--once", "--now", "2024-02-08T12:00")  # a reminder: a message in the outbox
    return cmd


def _value(row: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        row = row.get(part) if isinstance(row, dict) else None  # type: ignore[assignment]
    return row


VIEWS = {
    "list": ("list",),
    "meetings": ("meetings", "--from", "2024-02-01", "--to", "2024-03-31"),
    "outbox": ("outbox",),
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_csv_reads_back_as_the_json(filled: InProcessCli, tmp_path: Path, view: str) -> None:
    command = VIEWS[view]
    expected = json.loads(filled(*command, "--json").stdout)
    assert expected, f"nothing to export for {view}"
    target = tmp_path / f"{view}.csv"
    said = filled(*command, "-o", str(target)).stdout
    assert f"{len(expected)} regel" in said and str(target) in said
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents right
    with target.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source, delimiter=";"))
    assert rows[0] == header(view) and rows[0][0] == "Nr"
    assert rows[1:] == [[cell_text(_value(row, key)) for key in COLUMNS[view]] for row in expected]


@pytest.mark.parametrize("view", list(VIEWS))
def test_xlsx_reads_back_as_the_json(filled: InProcessCli, tmp_path: Path, view: str) -> None:
    command = VIEWS[view]
    expected = json.loads(filled(*command, "--json").stdout)
    target = tmp_path / f"{view}.XLSX"  # the extension in any case
    filled(*command, "-o", str(target))
    sheet = load_workbook(target).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert list(rows[0]) == header(view)

    def cell(value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(map(str, value)) or None  # an empty list: an empty cell
        return value if value != "" else None

    assert rows[1:] == [[cell(_value(row, key)) for key in COLUMNS[view]] for row in expected]


def test_the_header_follows_the_language_and_format_wins_over_the_extension(
    filled: InProcessCli, tmp_path: Path
) -> None:
    target = tmp_path / "items.txt"
    filled("--lang", "en", "list", "--format", "csv", "-o", str(target))
    first = target.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.startswith("No;Title;Reference;Flow;")
    i18n.set_language("nl")
    printed = filled("list", "--format", "csv").stdout  # no -o: to stdout
    assert printed.lstrip("\ufeff").startswith("Nr;Titel;Kenmerk;")
    as_json = tmp_path / "items.json"
    filled("list", "-o", str(as_json))
    assert json.loads(as_json.read_text(encoding="utf-8")) == json.loads(
        filled("list", "--json").stdout
    )


def test_user_text_never_becomes_a_formula(filled: InProcessCli, tmp_path: Path) -> None:
    filled("list", "-o", str(tmp_path / "items.csv"))
    filled("list", "-o", str(tmp_path / "items.xlsx"))
    text = (tmp_path / "items.csv").read_text(encoding="utf-8-sig")
    assert '"Café; ""aanhalingstekens"""' in text  # the separator and quotes, quoted
    titles = {row[0]: row[1] for row in csv.reader(text.splitlines(), delimiter=";")}
    assert titles["2"] == '\'=HYPERLINK("http://x.example";"klik")'
    sheet = load_workbook(tmp_path / "items.xlsx").active
    assert sheet is not None
    cell = sheet.cell(row=3, column=2)
    assert cell.value == '=HYPERLINK("http://x.example";"klik")' and cell.data_type == "s"


def test_a_filtered_list_exports_what_it_shows(filled: InProcessCli, tmp_path: Path) -> None:
    target = tmp_path / "laat.csv"
    filled("list", "--owner", "anouk pols", "--open", "-o", str(target))
    with target.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source, delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["1"]
    assert rows[1][COLUMNS["list"].index("topics")] == "werkcentrum, llo"
    assert rows[1][COLUMNS["list"].index("openbaar")] == "ja"


def test_an_unwritable_output_is_bad_input(filled: InProcessCli, tmp_path: Path) -> None:
    for args in (("-o", str(tmp_path / "nergens" / "x.csv")), ("-o", str(tmp_path))):
        result = filled("outbox", *args, check=False)
        assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    result = filled("meetings", "-o", str(tmp_path / "m.ods"), check=False)
    assert result.returncode == 2 and "aan die naam is niet te zien welk formaat" in result.stderr
    assert not (tmp_path / "m.ods").exists()
