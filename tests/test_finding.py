"""Finding things (issue 12, point 3): `routing list`'s filters, alone and combined, applied by
the database with the indices that exist; bad input to them; and `routing todo`.

The store: four items registered on 5 February 2024 (the regieteam meets on the 20th, papers
due the 13th at 12:00, reminder on the 8th):

1. "Regionaal Werkcentrum", topic werkcentrum, kenmerk DOC-24003697, owner Anouk Pols, at the
   regieteam;
2. "Café Éénheid", kenmerk DOC-ÉÉN-7, owner Kevin van Pernis by his e-mail address, received;
3. "Talentfonds", topic talentfonds, owner Kevin van Pernis by name, targeting the stuurgroep of
   20 June, still a concept;
4. "Oud werkcentrum", topic werkcentrum, withdrawn (closed).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from routing.engine import items as engine
from routing.read import items as read_items
from routing.read.finding import ItemFilter
from routing.runtime import Runtime
from tests.conftest import InProcessCli
from tests.fuzzing import dump

NOW = "2024-02-05T09:00"


@pytest.fixture
def found(cmd: InProcessCli) -> InProcessCli:
    def new(*args: str) -> None:
        cmd("new", *args, "--now", NOW)

    new("Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", "--topic", "werkcentrum",
        "--kenmerk", "DOC-24003697", "--owner", "anouk pols")  # fmt: skip
    new("Café Éénheid", "--flow", "initiatief", "--kenmerk", "DOC-ÉÉN-7",
        "--owner", "k.vanpernis@regiogv.example")  # fmt: skip
    new("Talentfonds", "--flow", "agendapunt-stuurgroep", "--topic", "talentfonds",
        "--owner", "Kevin van Pernis", "--target-meeting", "2024-06-20",
        "--target", "uta-stuurgroep")  # fmt: skip
    new("Oud werkcentrum", "--flow", "initiatief", "--topic", "werkcentrum")
    cmd("move", "1", "agenderen", "--now", NOW)
    cmd("move", "4", "intrekken", "--now", NOW)
    return cmd


def ids(cli: InProcessCli, *args: str, now: str = "2024-02-14T09:00") -> list[int]:
    result = cli("list", *args, "--json", "--now", now)
    return [row["id"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("werkcentrum", [1, 4]),
        ("WERKCENTRUM", [1, 4]),
        ("cafe", [2]),  # accents do not matter, either way
        ("CAFÉ éénheid", [2]),
        ("doc-2400", [1]),  # the kenmerk
        ("een-7", [2]),
        ("%", []),  # a LIKE wildcard is a plain character
        ("_", []),
    ],
)
def test_search_finds_text_in_title_and_kenmerk(
    found: InProcessCli, search: str, expected: list[int]
) -> None:
    assert ids(found, "--search", search) == expected


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        ("anouk pols", [1]),
        ("Kevin van Pernis", [2, 3]),  # one stored by address, one by name
        ("K.VANPERNIS@regiogv.example", [2, 3]),
        ("iemand@elders.example", []),
    ],
)
def test_owner_by_name_or_address(found: InProcessCli, owner: str, expected: list[int]) -> None:
    assert ids(found, "--owner", owner) == expected


def test_topic_target_and_their_combinations(found: InProcessCli) -> None:
    assert ids(found, "--topic", "werkcentrum") == [1, 4]
    assert ids(found, "--topic", "Werkcentrum", "--open") == [1]
    assert ids(found, "--topic", "llo") == []  # a topic of [ei]: known, nobody has it yet
    assert ids(found, "--target", "2024-06-20") == [3]
    assert ids(found, "--target", "2024-06-21") == []
    assert ids(found, "--owner", "kevin van pernis", "--search", "talent") == [3]
    assert ids(found, "--owner", "kevin van pernis", "--topic", "werkcentrum") == []
    assert ids(found, "--search", "werkcentrum", "--open", "--body", "regieteam") == [1]
    assert ids(found, "--search", "werkcentrum", "--state", "ingetrokken") == [4]
    assert ids(found, "--late", "--owner", "anouk pols", "--topic", "werkcentrum") == [1]


def test_late_is_a_missed_papers_deadline_or_a_meeting_without_outcome(
    found: InProcessCli,
) -> None:
    # the reminder of the 8th passed, the papers deadline of the 13th 12:00 not yet: not late
    assert ids(found, "--late", now="2024-02-13T11:59") == []
    assert ids(found, "--late", now="2024-02-13T12:00") == [1]
    # the sweep escalates it: still late
    found("daemon", "--once", "--now", "2024-02-13T12:05")
    assert ids(found, "--late", now="2024-02-14T09:00") == [1]
    found("stukken", "1", "--now", "2024-02-14T09:00")
    assert ids(found, "--late", now="2024-02-14T09:00") == []
    # the meeting of the 20th held without an outcome: late again, until the roll-over
    assert ids(found, "--late", now="2024-02-20T09:59") == []
    assert ids(found, "--late", now="2024-02-20T10:01") == [1]


def test_the_terminal_table_and_a_filter_finding_nothing(found: InProcessCli) -> None:
    shown = found("list", "--search", "éénheid").stdout
    assert "Café Éénheid" in shown and "Werkcentrum" not in shown
    assert "Geen items" in found("list", "--search", "niets-zo").stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--owner", "Niemand"), "Onbekende persoon 'Niemand'. Bekende namen: Anna de Vries"),
        (("--owner", " "), "--owner: geef een naam"),
        (("--topic", "nope"), "Onderwerp 'nope' bestaat niet. Bekende onderwerpen: arbeidsmarkt"),
        (("--topic", ""), "--topic: geef een onderwerp"),
        (("--target", "2024-13-40"), "'2024-13-40' is geen datum"),
        (("--target", "morgen"), "'morgen' is geen datum"),
        (("--search", "  "), "--search: geef een tekst"),
        (("--late", "--owner", "Niemand"), "Onbekende persoon"),
        (("-o", "items.txt"), "aan die naam is niet te zien welk formaat"),
        (("--format", "pdf"), "--format: 'pdf' kan niet"),
        (("--format", "xlsx"), "geef ook -o"),
    ],
)
def test_bad_input_is_one_dutch_line_and_changes_nothing(
    found: InProcessCli, migrated_store: Path, args: tuple[str, ...], words: str
) -> None:
    before = dump(migrated_store)
    result = found("list", *args, check=False)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dump(migrated_store) == before
    assert not (migrated_store.parent / "items.txt").exists()


def test_todo_and_status_refuse_bad_filters_before_reading(
    found: InProcessCli, migrated_store: Path
) -> None:
    """Refused before the read's calendar sync (a new day, with routing.toml's meetings to
    apply): bad input changes nothing, not even that."""
    before = dump(migrated_store)
    later = ("--now", "2024-03-01T09:00")
    for command in (("todo",), ("status",), ("status", "--json")):
        result = found(*command, "--owner", "Niemand", *later, check=False)
        assert result.returncode == 2 and "Onbekende persoon 'Niemand'" in result.stderr
        assert len(result.stderr.splitlines()) == 1
    result = found("status", "--topic", "nope", *later, check=False)
    assert result.returncode == 2 and "Onderwerp 'nope' bestaat niet" in result.stderr
    assert dump(migrated_store) == before


# --- the filters are the database's, with its indices


def _statements(rt: Runtime, wanted: ItemFilter) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        seen.append((args[2], args[3]))

    event.listen(rt.engine, "before_cursor_execute", capture)
    try:
        read_items.list_items(rt, include_closed=False, filters=wanted)
    finally:
        event.remove(rt.engine, "before_cursor_execute", capture)
    return [(s, p) for s, p in seen if re.search(r"\bFROM item\b", s)]


def test_late_and_target_read_an_index(found: InProcessCli, migrated_store: Path) -> None:
    rt = Runtime.open(str(found.config), now="2024-02-14T09:00")
    try:
        for wanted, index in (
            (ItemFilter(late=True), "ix_deadline_open_due"),
            (ItemFilter(target=dt.date(2024, 6, 20)), "ix_item_target_meeting_at"),
        ):
            (statement, parameters), *_ = _statements(rt, wanted)
            with closing(sqlite3.connect(migrated_store)) as db:
                plan = db.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            details = " | ".join(str(row[-1]) for row in plan)
            assert index in details, details
        (statement, _), *_ = _statements(rt, ItemFilter(search="x", owner="Anouk Pols"))
        assert "routing_fold(item.title)" in statement and "item.owner IN" in statement
    finally:
        rt.close()


def test_the_search_folds_on_both_databases(rt: Runtime) -> None:
    """PostgreSQL folds with translate(lower(...)), SQLite with the registered function."""
    for title, kenmerk in (("Café ÉÉNHEID", None), ("Overleg", "KÉN-1"), ("Ander", "X")):
        engine.create_item(rt, engine.ItemSpec(title=title, flow="initiatief", kenmerk=kenmerk))
    titles = lambda **kw: [r["title"] for r in read_items.list_items(rt, filters=ItemFilter(**kw))]  # noqa: E731
    assert titles(search="eenheid") == ["Café ÉÉNHEID"]
    assert titles(search="cafe") == ["Café ÉÉNHEID"]
    assert titles(search="ken-") == ["Overleg"]
    assert titles(search="kén") == ["Overleg"]
    assert titles(search="É") == ["Café ÉÉNHEID", "Overleg", "Ander"]  # é is e: "Ander" too
