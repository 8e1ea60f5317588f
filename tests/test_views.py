"""An item's timeline (`routing show`) rendered to text at 80 and 200 columns, Dutch and English."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from routing import i18n
from routing.clock import FixedClock, parse_moment
from routing.effects.sweep import record_installation, sweep
from routing.engine import items as engine
from routing.read import items, reports
from routing.render.items import item_view, items_table
from routing.runtime import Runtime

NOTE = "Standpunt PFHO W&P ingebracht door wethouder Van Hunnik, met het advies van het Regieteam"


def render(rt: Runtime, item_id: int, width: int) -> str:
    detail = items.item_detail(rt, item_id)
    detail.update(reports.item_time(rt, item_id))
    detail["plan"] = reports.item_plan(rt, item_id, None, None) if detail["target"] else None
    names = {key: body.name for key, body in rt.config.bodies.items()}
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    console.print(item_view(detail, names, rt.config.timezone, width))
    return out.getvalue()


@pytest.fixture
def werkcentrum(rt: Runtime) -> int:
    rt.clock = FixedClock(parse_moment("2024-01-01T00:00"))
    record_installation(rt)
    rt.clock = FixedClock(parse_moment("2024-02-05T09:00"))
    spec = engine.ItemSpec(
        title="Regionaal Werkcentrum Gooi & Vechtstreek", flow="agendapunt-stuurgroep",
        topics=["werkcentrum"], kenmerk="DOC-24003697", owner="Kevin van Pernis",
        asked="besluitvorming",
    )  # fmt: skip
    item = engine.create_item(rt, spec)
    assert item.id is not None
    engine.move(rt, item.id, "agenderen", note=NOTE)
    rt.clock = FixedClock(parse_moment("2024-02-14T09:00"))  # papers were due on the 13th
    sweep(rt, rt.config.daemon)
    return item.id


@pytest.mark.parametrize("width", [80, 200])
def test_timeline_at_any_width_keeps_every_fact(rt: Runtime, werkcentrum: int, width: int) -> None:
    text = render(rt, werkcentrum, width)
    assert max(len(line) for line in text.splitlines()) <= width
    flat = " ".join(" ".join(line.strip("│ ").split()) for line in text.splitlines())
    for expected in (
        "#1 Regionaal Werkcentrum Gooi & Vechtstreek",
        "DOC-24003697",
        "Kevin van Pernis",
        "werkcentrum",
        "ter besluitvorming",
        "agendapunt-stuurgroep (versie",
        "Geschiedenis",
        "registreren",
        "agenderen",
        "Termijnen",
        "gemist",  # the papers deadline of 13 February passed
        "Berichten",
        "escalatie",
    ):
        assert expected in flat, f"{expected!r} missing at {width} columns:\n{text}"
    # the note is never cut off, however narrow
    assert NOTE in flat


def test_timeline_in_english(rt: Runtime, werkcentrum: int) -> None:
    i18n.set_language("en")
    text = render(rt, werkcentrum, 120)
    for expected in ("History", "for decision", "Deadlines", "missed", "escalation"):
        assert expected in text, expected


@pytest.mark.parametrize("width", [60, 80, 200])
def test_item_list_keeps_one_line_per_item(rt: Runtime, werkcentrum: int, width: int) -> None:
    spec = engine.ItemSpec(title="Terugkoppeling UTA supportteam van 18 december 2024 " * 2,
                           flow="terugkoppeling-supportteam")  # fmt: skip
    engine.create_item(rt, spec)
    rows = items.list_items(rt)
    names = {key: body.name for key, body in rt.config.bodies.items()}
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(items_table(rows, names, width))
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert max(len(line) for line in lines) <= width
    assert len(lines) == 2 + len(rows)  # header, rule, one line per item
    assert lines[2].split()[:2] == ["1", "Regionaal"]
    assert "regieteam" in lines[2] and "DOC-24003697" in lines[2]
    assert ("agendapunt-stuurgroep" in lines[2]) == (width >= 120)
