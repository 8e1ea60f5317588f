"""The engine: every shipped flow walked to each of its final states, refusals, version pinning
and optimistic locking, on a real SQLite file."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path

import pytest
from sqlmodel import func, select

import store
from flows import FlowDefinition
from routing import i18n
from routing.engine import edits, machines
from routing.engine import items as engine
from routing.errors import BadInput, ItemChanged, NotFound, TriggerNotPossible, UnknownTrigger
from routing.read.items import item_detail
from routing.runtime import Runtime
from store import AuditEvent, FlowVersion, Item

SHIPPED = (
    "agendapunt-stuurgroep",
    "agendapunt-supportteam",
    "initiatief",
    "terugkoppeling-supportteam",
    "terugkoppeling-stuurgroep",
)


def _path_to(flow: FlowDefinition, goal: str) -> list[str]:
    """Shortest list of triggers from the initial state to `goal` (breadth first)."""
    seen = {flow.initial: list[str]()}
    queue = deque([flow.initial])
    while queue:
        state = queue.popleft()
        if state == goal:
            return seen[state]
        for trigger in flow.triggers_from(state):
            dest = state if trigger.dest == "=" else trigger.dest
            if dest not in seen:
                seen[dest] = [*seen[state], trigger.name]
                queue.append(dest)
    raise AssertionError(f"{goal} unreachable in {flow.name}")


def _count(rt: Runtime, table: type[Item] | type[AuditEvent] | type[FlowVersion]) -> int:
    with rt.session() as db:
        return int(db.exec(select(func.count()).select_from(table)).one())


def test_the_note_ships_its_five_flows(rt: Runtime) -> None:
    assert set(SHIPPED) <= set(rt.catalog.current)


@pytest.mark.parametrize("flow_name", SHIPPED)
def test_each_flow_walks_from_start_to_every_final_state(rt: Runtime, flow_name: str) -> None:
    flow = rt.catalog.get(flow_name)
    for final in flow.final_states():
        item = engine.create_item(
            rt, engine.ItemSpec(title=f"Naar {final}", flow=flow_name, kenmerk="DOC-24003697")
        )
        assert item.id is not None
        path = _path_to(flow, final)
        for trigger in path:
            engine.move(rt, item.id, trigger, note=f"stap {trigger}")
        detail = item_detail(rt, item.id)
        assert detail["state"] == final
        assert detail["possible"] == []
        assert [event["trigger"] for event in detail["history"]] == [
            engine.CREATE_TRIGGER,
            *path,
        ]
        assert detail["version"] == 1 + len(path)


def test_stuurgroep_route_follows_rule_four_then_rule_three(rt: Runtime) -> None:
    item = engine.create_item(
        rt,
        engine.ItemSpec(
            title="Regionaal Werkcentrum", flow="agendapunt-stuurgroep", kenmerk="DOC-1"
        ),
    )
    assert item.id is not None
    states = [item.state]
    for trigger in ("agenderen", "doorzetten", "meegeven", "inbrengen", "besproken"):
        states.append(engine.move(rt, item.id, trigger).to_state)
    flow = rt.catalog.get("agendapunt-stuurgroep")
    assert [flow.state(s).body for s in states] == [
        None,
        "regieteam",
        "pfho-wp",
        "wethouder-hilversum",
        "uta-stuurgroep",
        "pfho-wp",
    ]


def test_an_impossible_trigger_is_refused_and_names_what_is_possible(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="X", flow="agendapunt-stuurgroep"))
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    engine.move(rt, item.id, "doorzetten")
    with pytest.raises(
        TriggerNotPossible,
        match=r"Item \d+ staat in 'pfho-wp'; 'besproken' kan alleen vanuit 'uta-stuurgroep'\. "
        r"Nu mogelijk: .*meegeven",
    ):
        engine.move(rt, item.id, "besproken")
    with pytest.raises(
        UnknownTrigger,
        match=r"flow 'agendapunt-stuurgroep', die geen stap 'vliegen' kent\. "
        r"Stappen van deze flow: aanhouden, agenderen, .*\. Nu mogelijk: .*meegeven",
    ):
        engine.move(rt, item.id, "vliegen")
    assert item_detail(rt, item.id)["state"] == "pfho-wp"


def test_a_guard_refuses_with_the_fix(rt: Runtime) -> None:
    item = engine.create_item(
        rt, engine.ItemSpec(title="Zonder kenmerk", flow="agendapunt-supportteam")
    )
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    events_before = _count(rt, AuditEvent)
    with pytest.raises(
        TriggerNotPossible, match=r"eerst een kenmerk nodig .*routing edit \d+ --kenmerk"
    ):
        engine.move(rt, item.id, "inbrengen")
    assert _count(rt, AuditEvent) == events_before
    edits.edit_item(rt, item.id, kenmerk="DOC-24003697")
    assert engine.move(rt, item.id, "inbrengen").to_state == "uta-supportteam"


def test_closed_items_allow_nothing(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="Weg", flow="initiatief"))
    assert item.id is not None
    engine.move(rt, item.id, "intrekken", note="Niet meer nodig")
    with pytest.raises(TriggerNotPossible, match=r"Nu mogelijk: niets \(het item is afgesloten\)"):
        engine.move(rt, item.id, "agenderen")


def test_aanhouden_stays_in_the_same_state_and_is_recorded(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="Later", flow="agendapunt-supportteam"))
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    moved = engine.move(rt, item.id, "aanhouden", note="Volgende vergadering")
    assert (moved.from_state, moved.to_state) == ("regieteam", "regieteam")
    assert item_detail(rt, item.id)["history"][-1]["note"] == "Volgende vergadering"


def test_bad_input_writes_nothing(rt: Runtime) -> None:
    before = (_count(rt, Item), _count(rt, AuditEvent), _count(rt, FlowVersion))
    with pytest.raises(NotFound, match="Flow 'bestaat-niet' bestaat niet"):
        engine.create_item(rt, engine.ItemSpec(title="X", flow="bestaat-niet"))
    with pytest.raises(BadInput, match="heeft een titel nodig"):
        engine.create_item(rt, engine.ItemSpec(title="  ", flow="initiatief"))
    with pytest.raises(
        BadInput, match="'--voor advies' is niet mogelijk; kies uit: besluitvorming"
    ):
        engine.create_item(rt, engine.ItemSpec(title="X", flow="initiatief", asked="advies"))
    with pytest.raises(BadInput, match=r"Onderwerp 'twee woorden' niet bruikbaar"):
        engine.create_item(
            rt, engine.ItemSpec(title="X", flow="initiatief", topics=["Twee woorden"])
        )
    with pytest.raises(
        NotFound, match=r"Item 999 bestaat niet\. Bekijk de items met 'routing list'"
    ):
        engine.move(rt, 999, "agenderen")
    assert (_count(rt, Item), _count(rt, AuditEvent), _count(rt, FlowVersion)) == before


def test_refusals_come_out_in_english_on_request(rt: Runtime) -> None:
    i18n.set_language("en")
    with pytest.raises(BadInput, match="An item needs a title; give it as the first argument"):
        engine.create_item(rt, engine.ItemSpec(title="  ", flow="initiatief"))
    with pytest.raises(NotFound, match=r"Item 999 does not exist\. See the items with"):
        engine.move(rt, 999, "agenderen")
    item = engine.create_item(rt, engine.ItemSpec(title="X", flow="agendapunt-supportteam"))
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    with pytest.raises(TriggerNotPossible, match=r"it needs a kenmerk first .*--kenmerk"):
        engine.move(rt, item.id, "inbrengen")


def test_optimistic_lock_refuses_a_stale_version(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="Twee handen", flow="initiatief"))
    assert item.id is not None
    shown = item.version
    engine.move(rt, item.id, "agenderen")  # someone else, meanwhile
    with pytest.raises(ItemChanged, match=rf"Item {item.id} is gewijzigd sinds u het laadde"):
        engine.move(rt, item.id, "intrekken", expected_version=shown)
    assert item_detail(rt, item.id)["state"] == "regieteam"


def test_a_write_based_on_a_stale_load_is_refused_by_the_store(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="Race", flow="initiatief"))
    assert item.id is not None
    with store.session(rt.engine) as reader:
        loaded = store.queries.get_item(reader, item.id)
        assert loaded is not None
        loaded_version = loaded.version
    with store.session(rt.engine) as writer:
        engine.move_in(writer, rt, item.id, "agenderen", now=rt.clock.now())
    with store.session(rt.engine) as late:
        assert not store.queries.update_item_if_unchanged(
            late, item.id, loaded_version, {"state": "ingetrokken"}
        )
    assert item_detail(rt, item.id)["state"] == "regieteam"


def test_an_item_keeps_its_flow_version_after_the_file_changes(
    config_path: Path, tmp_path: Path
) -> None:
    flow_dir = tmp_path / "eigen-flows"
    flow_dir.mkdir()
    flow_file = flow_dir / "signaal.toml"
    flow_file.write_text(_SIGNAL_V1, encoding="utf-8")
    text = config_path.read_text(encoding="utf-8").replace("paths = []", f'paths = ["{flow_dir}"]')
    config_path.write_text(text, encoding="utf-8")

    first = Runtime.open(str(config_path), now="2024-02-05T09:00", actor="a")
    store.migrate(first.raw_engine())
    old = engine.create_item(first, engine.ItemSpec(title="Oud", flow="signaal"))
    assert old.id is not None

    flow_file.write_text(_SIGNAL_V2, encoding="utf-8")
    second = Runtime.open(str(config_path), now="2024-02-06T09:00", actor="b")
    new = engine.create_item(second, engine.ItemSpec(title="Nieuw", flow="signaal"))
    assert new.id is not None
    assert old.flow_version_id != new.flow_version_id

    # the old item still walks its old route: 'bespreken' goes straight to afgerond
    assert engine.move(second, old.id, "bespreken").to_state == "afgerond"
    # the new one follows the new file, which added a PFHO step
    assert engine.move(second, new.id, "bespreken").to_state == "pfho-wp"
    old_detail, new_detail = item_detail(second, old.id), item_detail(second, new.id)
    assert not old_detail["flow_version_current"]
    assert new_detail["flow_version_current"]
    first.close()
    second.close()


def test_one_machine_per_flow_version_and_no_models_left_attached(rt: Runtime) -> None:
    flow = rt.catalog.get("initiatief")
    for n in range(5):
        item = engine.create_item(rt, engine.ItemSpec(title=f"i{n}", flow="initiatief"))
        assert item.id is not None
        engine.move(rt, item.id, "agenderen")
    machine = machines.machine_for(flow)
    assert machines.machine_for(flow) is machine
    assert machine.models == []


_SIGNAL_V1 = """
[flow]
name = "signaal"
title = "Signaal"
kind = "initiatief"
initial = "regieteam"

[states.regieteam]
title = "In Regieteam"
body = "regieteam"

[states.afgerond]
title = "Afgerond"
final = true

[[triggers]]
name = "bespreken"
source = "regieteam"
dest = "afgerond"
"""

_SIGNAL_V2 = _SIGNAL_V1.replace(
    'dest = "afgerond"\n',
    'dest = "pfho-wp"\n\n[[triggers]]\nname = "afronden"\nsource = "pfho-wp"\ndest = "afgerond"\n',
).replace(
    "[states.afgerond]",
    '[states.pfho-wp]\ntitle = "In PFHO"\nbody = "pfho-wp"\n\n[states.afgerond]',
)


def test_concurrent_moves_on_postgresql_one_wins_one_is_refused(rt: Runtime, backend: str) -> None:
    """Two sessions load version 1 at once; the second write blocks on the row, then loses."""
    if backend != "postgres":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the race needs a server")
    item = engine.create_item(rt, engine.ItemSpec(title="Race", flow="initiatief"))
    assert item.id is not None
    item_id = item.id
    loaded = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def writer(trigger: str) -> None:
        try:
            with store.session(rt.engine) as db:
                row = store.queries.get_item(db, item_id)
                assert row is not None
                version = row.version
                loaded.wait()
                engine.move_in(db, rt, item_id, trigger, now=rt.clock.now(), expected=version)
            outcomes[trigger] = "moved"
        except ItemChanged:
            outcomes[trigger] = "refused"

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("agenderen", "intrekken")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["moved", "refused"]
    winner = next(t for t, outcome in outcomes.items() if outcome == "moved")
    detail = item_detail(rt, item_id)
    assert detail["version"] == 2
    assert detail["history"][-1]["trigger"] == winner
