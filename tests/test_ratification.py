"""Ratification (bekrachtiging): a PFHO decision that the colleges of the region ratify.

The example flow of docs/examples asks `[ratification.colleges]` (the seven colleges of
starter.toml) when the PFHO W&P takes its decision (`besluiten`): seven child items with a due
date, asked once, counted on the parent ("3 van 7 colleges akkoord"). Undoing the decision is
refused while a child stands; an extra body is configuration only; bad flow files and bad
configuration are refused with the file and the key."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

import store
from flows import FlowError, load_flow_text
from routing.clock import FixedClock, parse_moment
from routing.config.file import load_config
from routing.effects.sweep import sweep
from routing.engine import items as engine
from routing.engine import ratification
from routing.engine.undo import undo
from routing.errors import ConfigError, FlowInvalid, RefusedByRules
from routing.read import audit
from routing.read.items import item_detail
from routing.runtime import Runtime
from store import AuditEvent, queries
from store.ratifications import Ratification
from store.schedule_models import Outbox
from tests.conftest import PINNED_NOW, InProcessCli
from tests.fuzzing import dump

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "agendapunt-pfho-besluit.toml"
COLLEGES = ("Blaricum", "Eemnes", "Gooise Meren", "Hilversum", "Huizen", "Laren", "Wijdemeren")


def _with_example(config_path: Path, flow_text: str | None = None) -> None:
    """The example flow (or `flow_text`) enabled through [flows] paths, as the README says."""
    flow = config_path.parent / "pfho-besluit.toml"
    flow.write_text(flow_text or EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    text = config_path.read_text(encoding="utf-8")
    assert text.count("paths = []") == 1
    config_path.write_text(text.replace("paths = []", 'paths = ["pfho-besluit.toml"]'), "utf-8")


@pytest.fixture
def prt(config_path: Path, backend: str, migrated_store: Path) -> Iterator[Runtime]:
    """`rt` (SQLite and PostgreSQL) with the example flow enabled."""
    _with_example(config_path)
    runtime = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    store.migrate(runtime.raw_engine())
    yield runtime
    runtime.close()


def _decided(rt: Runtime) -> int:
    item = engine.create_item(
        rt, engine.ItemSpec(title="Regionaal Werkcentrum", flow="agendapunt-pfho-besluit")
    )
    assert item.id is not None
    for step in ("agenderen", "doorzetten", "besluiten"):
        engine.move(rt, item.id, step)
    return item.id


def _rows(rt: Runtime, parent: int) -> list[Ratification]:
    with rt.session(read=True) as db:
        query = select(Ratification).where(Ratification.parent_id == parent)
        return list(db.exec(query).all())


def test_a_decision_asks_each_college_once_and_the_parent_counts_the_answers(
    prt: Runtime,
) -> None:
    parent = _decided(prt)
    rows = _rows(prt, parent)
    names = [row.body_name for row in rows]
    assert names == [f"College van B&W {name}" for name in COLLEGES]
    decided = prt.clock.now().astimezone(prt.config.timezone).date()
    assert {row.due for row in rows} == {prt.config.workdays.add(decided, 30)}
    with prt.session(read=True) as db:
        children = [queries.get_item(db, row.child_id) for row in rows]
        decision = db.exec(
            select(AuditEvent).where(
                AuditEvent.item_id == parent, AuditEvent.trigger == "besluiten"
            )
        ).one()
    assert {row.event_id for row in rows} == {decision.id}
    assert all(c is not None and (c.flow_name, c.state) == ("bekrachtiging", "aangevraagd")
               for c in children)  # fmt: skip

    for row in rows[:3]:
        engine.move(prt, row.child_id, "akkoord")
    engine.move(prt, rows[3].child_id, "niet-akkoord")
    detail = item_detail(prt, parent)
    assert detail["ratification"]["line"] == "3 van 7 colleges akkoord"
    assert {k: detail["ratification"][k] for k in ("asked", "agreed", "refused", "open")} == {
        "asked": 7, "agreed": 3, "refused": 1, "open": 3,
    }  # fmt: skip
    assert item_detail(prt, rows[0].child_id)["ratifies"] == parent

    # exactly once: the same step asked again asks nobody new
    with prt.session() as db:
        item = queries.get_item(db, parent)
        assert item is not None and decision is not None
        flow = prt.catalog.pinned(db, item.flow_version_id)
        asked = flow.state("pfho-wp").ratification
        assert asked is not None
        again = ratification.ask(db, prt, item, asked, decision, now=prt.clock.now(), actor="x")
    assert again == [] and len(_rows(prt, parent)) == 7
    assert audit.verify(prt).report.intact


def test_a_step_that_decides_nothing_asks_nobody(prt: Runtime) -> None:
    item = engine.create_item(prt, engine.ItemSpec(title="Notitie", flow="agendapunt-pfho-besluit"))
    assert item.id is not None
    for step in ("agenderen", "doorzetten", "aanhouden", "terugverwijzen"):
        engine.move(prt, item.id, step)
    assert _rows(prt, item.id) == []
    assert item_detail(prt, item.id)["ratification"] is None


def test_undo_of_the_decision_is_refused_while_a_child_stands(
    config_path: Path, migrated_store: Path
) -> None:
    _with_example(config_path)
    rt = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    try:
        parent = _decided(rt)
        rows = _rows(rt, parent)
        before = dump(migrated_store)
        with pytest.raises(RefusedByRules, match="bekrachtiging"):
            undo(rt, parent, "per ongeluk besloten")
        assert dump(migrated_store) == before
        for row in rows:
            engine.move(rt, row.child_id, "intrekken")
        undone = undo(rt, parent, "per ongeluk besloten")
        assert undone.to_state == "pfho-wp"
        assert item_detail(rt, parent)["ratification"] is None  # withdrawn ones do not count
        assert audit.verify(rt).report.intact
    finally:
        rt.close()


def test_an_extra_body_is_configuration_only(config_path: Path, migrated_store: Path) -> None:
    _with_example(config_path)
    text = config_path.read_text(encoding="utf-8")
    last = 'college-wijdemeren = "College van B&W Wijdemeren" }'
    assert text.count(last) == 1
    extra = last[:-2] + ', regionaal-beraad = "Regionaal Beraad" }'
    config_path.write_text(text.replace(last, extra), encoding="utf-8")
    rt = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    try:
        parent = _decided(rt)
        assert [row.body for row in _rows(rt, parent)][-1] == "regionaal-beraad"
        assert item_detail(rt, parent)["ratification"]["line"] == "0 van 8 colleges akkoord"
    finally:
        rt.close()


def test_show_prints_the_count_and_json_carries_it(cli: InProcessCli, config_path: Path) -> None:
    _with_example(config_path)
    cli("new", "Regionaal Werkcentrum", "--flow", "agendapunt-pfho-besluit")
    for step in ("agenderen", "doorzetten"):
        cli("move", "1", step)
    moved = cli("move", "1", "besluiten")
    assert "Bekrachtiging gevraagd aan 7 colleges" in moved.stdout
    for child in ("2", "3", "4"):
        cli("move", child, "akkoord")
    assert "3 van 7 colleges akkoord" in cli("show", "1").stdout
    shown = json.loads(cli("show", "1", "--json").stdout)["ratification"]
    assert (shown["asked"], shown["agreed"], shown["refused"], shown["open"]) == (7, 3, 0, 4)
    refused = cli("undo", "1", "--reason", "fout", check=False)
    assert refused.returncode == 1 and "intrekken" in refused.stderr
    bad = cli("move", "2", "akkoord", check=False)  # answered already
    assert bad.returncode != 0
    assert cli("audit", "verify").returncode == 0


BAD_STATES = [
    ('ratification = "colleges"', "ratify_table"),
    ('ratification = { by = "colleges" }', "ratify_key"),
    ('ratification = { by = "colleges", lead = "5 dagen", wie = 1 }', "unknown_key"),
    ('ratification = { by = "colleges", lead = "5 dagen", on = [1] }', "ratify_on"),
]


@pytest.mark.parametrize(("line", "code"), BAD_STATES)
def test_a_bad_ratification_in_a_flow_file_is_named(line: str, code: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    good = 'ratification = { by = "colleges", lead = "30 werkdagen", on = ["besluiten"] }'
    assert text.count(good) == 1
    with pytest.raises(FlowError) as raised:
        load_flow_text(text.replace(good, line), "pfho.toml", None, None)
    assert code in [getattr(p, "code", None) for p in raised.value.problems]
    assert all(p.startswith("pfho.toml:") for p in raised.value.problems)


def test_a_final_state_cannot_ask_for_ratification() -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'title = "Besloten, bekrachtiging gevraagd"\n',
        'title = "Besloten"\nratification = { by = "colleges", lead = "5 dagen" }\n',
    )
    with pytest.raises(FlowError) as raised:
        load_flow_text(text, "pfho.toml", None, None)
    assert [p.code for p in raised.value.problems] == ["ratify_final"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ('by = "colleges"', 'by = "raden"', "states.pfho-wp.ratification.by: groep 'raden'"),
        ('lead = "30 werkdagen"', 'lead = "zes weken"', "states.pfho-wp.ratification.lead"),
        ('on = ["besluiten"]', 'on = ["afronden"]', "trigger 'afronden' leidt niet uit"),
    ],
)
def test_a_flow_naming_an_unknown_group_lead_or_step_is_refused(
    cli: InProcessCli, config_path: Path, migrated_store: Path, old: str, new: str, said: str
) -> None:
    _with_example(config_path, EXAMPLE.read_text(encoding="utf-8").replace(old, new))
    before = dump(migrated_store)
    result = cli("new", "X", "--flow", "agendapunt-pfho-besluit", check=False)
    assert result.returncode == 2
    assert said in result.stderr and "pfho-besluit.toml" in result.stderr
    assert "Traceback" not in result.stderr
    assert dump(migrated_store) == before


def test_a_group_without_bodies_is_refused_with_its_line(config_path: Path) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text + '\n[ratification.raden]\ntitle = "raden"\n', "utf-8")
    with pytest.raises(ConfigError, match=r"ratification\.raden\.bodies"):
        load_config(config_path)
    assert isinstance(FlowInvalid("x", []), ConfigError)


def test_the_daemon_reports_an_answer_not_given_by_its_day_once(prt: Runtime) -> None:
    parent = _decided(prt)
    rows = _rows(prt, parent)
    engine.move(prt, rows[0].child_id, "akkoord")
    engine.move(prt, rows[1].child_id, "intrekken")
    due = rows[0].due

    def reports() -> list[Outbox]:
        with prt.session(read=True) as db:
            found = db.exec(select(Outbox).where(Outbox.kind == "ratification")).all()
        return sorted(found, key=lambda row: row.key)

    prt.clock = FixedClock(parse_moment(f"{due.isoformat()}T17:00", prt.config.timezone))
    sweep(prt, prt.config.daemon)
    assert reports() == []  # on the day itself it is not late yet
    prt.clock = FixedClock(parse_moment(f"{due.isoformat()}T17:00", prt.config.timezone)
                           + dt.timedelta(days=1))  # fmt: skip
    sweep(prt, prt.config.daemon)
    sweep(prt, prt.config.daemon)  # a second sweep sends nothing twice
    sent = reports()
    assert [row.key.split(">")[0] for row in sent] == sorted(
        f"bekrachtiging:{r.id}:verlopen" for r in rows[2:]
    )
    assert {row.item_id for row in sent} == {r.child_id for r in rows[2:]}
    assert "Bekrachtiging door College van B&W Hilversum verlopen" in {
        row.subject.split(" (")[0] for row in sent
    }
