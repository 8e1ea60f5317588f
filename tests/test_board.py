"""The board rendered to text at 80 and 200 columns, checked for its content."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from routing import i18n
from routing.clock import FixedClock, parse_moment
from routing.effects.sweep import record_installation, sweep
from routing.engine import items as engine
from routing.read.board import board
from routing.render.board import board_view
from routing.runtime import Runtime


def render(rt: Runtime, width: int, **filters: str) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, legacy_windows=False)
    console.print(board_view(board(rt, **filters), rt.config.timezone, width))  # type: ignore[arg-type]
    return out.getvalue()


@pytest.fixture
def busy(rt: Runtime) -> Runtime:
    rt.clock = FixedClock(parse_moment("2024-01-01T00:00"))
    record_installation(rt)
    rt.clock = FixedClock(parse_moment("2024-02-05T09:00"))
    late = engine.create_item(
        rt,
        engine.ItemSpec(
            title="Regionaal Werkcentrum", flow="agendapunt-stuurgroep", topics=["werkcentrum"]
        ),
    )
    soon = engine.create_item(
        rt,
        engine.ItemSpec(
            title="Geheim dossier", flow="initiatief", kenmerk="DOC-9", vertrouwelijk=True
        ),
    )
    engine.create_item(rt, engine.ItemSpec(title="Nog in concept", flow="agendapunt-supportteam"))
    assert late.id is not None and soon.id is not None
    engine.move(rt, late.id, "agenderen")
    rt.clock = FixedClock(parse_moment("2024-02-08T09:00"))
    engine.move(rt, soon.id, "agenderen")
    rt.clock = FixedClock(parse_moment("2024-02-14T09:00"))  # late's papers were due on the 13th
    sweep(rt, rt.config.daemon)
    return rt


@pytest.mark.parametrize("width", [80, 200])
def test_the_board_shows_what_sits_where_at_any_width(busy: Runtime, width: int) -> None:
    text = render(busy, width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for expected in (
        "Nog te agenderen (1)",
        "Regionaal Werkcentrum",
        "Nog in concept",
        "● #2 Geheim dossier",
        "● = vertrouwelijk",
        "Komende twee weken",
        "Berichten:",
        "daemon: laatste ronde",
    ):
        assert expected in text, f"{expected!r} missing at {width} columns:\n{text}"
    assert "stukken 1 dag te laat" in text  # papers due 13 February, now the 14th
    # two items and the feedback item of 17 January sit at the Regieteam (name may be cut)
    assert any("Regieteam Werk" in line and "(3)" in line for line in lines)


def test_late_first_and_the_json_shape(busy: Runtime) -> None:
    shaped = board(busy)
    regieteam = next(c for c in shaped["columns"] if c["body"] == "regieteam")
    assert regieteam["cards"][0]["status"] == "late"
    assert regieteam["cards"][0]["title"] == "Regionaal Werkcentrum"
    assert [c["body"] for c in shaped["columns"]] == [
        None, "regieteam", "pfho-wp", "wethouder-hilversum", "uta-supportteam", "uta-stuurgroep",
    ]  # fmt: skip
    assert shaped["heartbeat"]["sweeps"] == 1


def test_filters_and_english(busy: Runtime) -> None:
    only = render(busy, 100, topic="werkcentrum")
    assert "Regionaal Werkcentrum" in only and "Geheim dossier" not in only
    pfho = board(busy, body="pfho-wp")
    assert [c["body"] for c in pfho["columns"]] == ["pfho-wp"]
    i18n.set_language("en")
    english = render(busy, 120)
    assert "Coming two weeks" in english and "Status," in english


def test_an_empty_database_renders(rt: Runtime) -> None:
    text = render(rt, 80)
    assert "daemon: nog nooit gedraaid" in text
    assert "Regieteam Werk & Participatie (0)" in text
