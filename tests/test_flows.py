"""Flow files: the shipped ones load, and every kind of mistake is reported with file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flows.loader
from flows import (
    FlowDefinition,
    FlowError,
    load_flow_file,
    load_flow_text,
    load_flows,
    shipped_flow_paths,
)

BODIES = {
    "regieteam", "pfho-wp", "wethouder-hilversum", "uta-supportteam", "uta-stuurgroep",
    "ei-ambtelijk", "pfho-ei", "pfho-ew",
}  # fmt: skip
GUARDS = {"heeft_kenmerk", "heeft_eigenaar"}

GOOD = """\
[flow]
name = "proef"
title = "Proef"
kind = "agendapunt"
initial = "concept"

[states.concept]
title = "Concept"

[states.regieteam]
title = "In Regieteam"
body = "regieteam"

[states.afgerond]
title = "Afgerond"
final = true

[[triggers]]
name = "agenderen"
source = "concept"
dest = "regieteam"

[[triggers]]
name = "afronden"
source = "regieteam"
dest = "afgerond"
"""


def load(text: str) -> FlowDefinition:
    return load_flow_text(text, "proef.toml", BODIES, GUARDS)


def test_the_five_flows_of_the_note_load() -> None:
    shipped = load_flows(shipped_flow_paths(), BODIES, GUARDS)
    # bekrachtiging is no route of the note: its items are made by a decision (test_ratification)
    assert shipped.pop("bekrachtiging").final_states() == ("akkoord", "niet-akkoord", "ingetrokken")
    loaded = shipped
    assert sorted(loaded) == [
        "agendapunt-stuurgroep",
        "agendapunt-supportteam",
        "initiatief",
        "terugkoppeling-stuurgroep",
        "terugkoppeling-supportteam",
    ]
    for flow in loaded.values():
        assert set(flow.final_states()) == {"afgerond", "ingetrokken"}
        for state in flow.states:
            names = {t.name for t in flow.triggers_from(state.name)}
            if not state.final:
                assert "intrekken" in names, (flow.name, state.name)
            if state.body is not None:
                assert "aanhouden" in names, (flow.name, state.name)


def test_star_source_means_every_open_state() -> None:
    flow = load(GOOD + '\n[[triggers]]\nname = "intrekken"\nsource = "*"\ndest = "afgerond"\n')
    (withdraw,) = [t for t in flow.triggers if t.name == "intrekken"]
    assert withdraw.sources == ("concept", "regieteam")


def test_round_trip_and_content_hash() -> None:
    flow = load(GOOD)
    assert FlowDefinition.from_dict(flow.to_dict()) == flow
    assert load("# a comment changes nothing\n" + GOOD).content_hash == flow.content_hash
    extra = (
        GOOD.replace(
            "[states.afgerond]",
            '[states.pfho-wp]\ntitle = "PFHO"\nbody = "pfho-wp"\n\n[states.afgerond]',
        )
        + '\n[[triggers]]\nname = "doorzetten"\nsource = "regieteam"\ndest = "pfho-wp"\n'
        + ('\n[[triggers]]\nname = "klaar"\nsource = "pfho-wp"\ndest = "afgerond"\n')
    )
    assert load(extra).content_hash != flow.content_hash


def _line(text: str, needle: str) -> int:
    return next(n for n, row in enumerate(text.splitlines(), 1) if needle in row)


def test_unknown_body_names_file_line_and_known_bodies() -> None:
    text = GOOD.replace('body = "regieteam"', 'body = "regioteam"')
    line = _line(text, "[states.regieteam]")
    with pytest.raises(
        FlowError,
        match=rf"proef.toml:{line}: state 'regieteam' names unknown body 'regioteam'; known bodies: ei-ambtelijk",
    ):
        load(text)


def test_trigger_to_nowhere() -> None:
    text = GOOD.replace('dest = "afgerond"', 'dest = "afgrond"')
    line = [n for n, row in enumerate(text.splitlines(), 1) if row == "[[triggers]]"][1]
    with pytest.raises(
        FlowError,
        match=rf"proef.toml:{line}: trigger 'afronden' leads to nowhere: state 'afgrond' does not exist",
    ):
        load(text)


def test_trigger_without_dest() -> None:
    with pytest.raises(FlowError, match="trigger 'afronden' has no dest"):
        load(GOOD.replace('dest = "afgerond"\n', ""))


def test_two_triggers_with_one_name_from_one_state() -> None:
    text = GOOD + '\n[[triggers]]\nname = "agenderen"\nsource = "concept"\ndest = "afgerond"\n'
    first = next(n for n, row in enumerate(text.splitlines(), 1) if row == "[[triggers]]")
    third = [n for n, row in enumerate(text.splitlines(), 1) if row == "[[triggers]]"][2]
    with pytest.raises(
        FlowError,
        match=rf"proef.toml:{third}: trigger 'agenderen' is defined twice from state 'concept' \(first at line {first}\)",
    ):
        load(text)


def test_unreachable_states_are_listed_together() -> None:
    text = (
        GOOD
        + '\n[states.wees]\ntitle = "Wees"\nfinal = true\n\n[states.ook-wees]\ntitle = "Ook"\nfinal = true\n'
    )
    with pytest.raises(
        FlowError, match=r"these states are unreachable from 'concept': \['wees', 'ook-wees'\]"
    ):
        load(text)


def test_no_final_state_and_dead_end() -> None:
    text = GOOD.replace("final = true\n", "")
    with pytest.raises(FlowError) as caught:
        load(text)
    message = str(caught.value)
    assert "no final state; mark an end state with final = true" in message
    assert "state 'afgerond' is a dead end" in message


def test_final_state_with_outgoing_trigger() -> None:
    text = GOOD + '\n[[triggers]]\nname = "heropenen"\nsource = "afgerond"\ndest = "regieteam"\n'
    with pytest.raises(FlowError, match="final state 'afgerond' has outgoing trigger"):
        load(text)


def test_unknown_keys_list_the_allowed_ones() -> None:
    text = GOOD.replace('title = "Concept"', 'title = "Concept"\ncolour = "blauw"')
    with pytest.raises(
        FlowError,
        match=r"unknown key 'colour' in \[states.concept\]; allowed: body, final, papers, ratification, title",
    ):
        load(text)
    with pytest.raises(
        FlowError, match=r"unknown key 'stappen' in the file; allowed: flow, inform_ei"
    ):
        load(GOOD + "\n[stappen]\n")


def test_initial_state_kind_guard_and_inform_ei_are_checked() -> None:
    text = GOOD.replace('initial = "concept"', 'initial = "begin"').replace(
        'kind = "agendapunt"', 'kind = "brief"'
    ).replace('dest = "regieteam"', 'dest = "regieteam"\nguard = "is_klaar"') + (
        '\n[inform_ei]\nbody = "raad"\ntrigger = "melden"\nmode = "soms"\n'
    )
    with pytest.raises(FlowError) as caught:
        load(text)
    message = str(caught.value)
    assert "initial state 'begin' is not defined" in message
    assert "kind 'brief' must be one of agendapunt, initiatief, terugkoppeling" in message
    assert "unknown guard 'is_klaar'; known guards: heeft_eigenaar, heeft_kenmerk" in message
    assert "inform_ei names unknown body 'raad'" in message
    assert "inform_ei trigger 'melden' is not a trigger of this flow" in message
    assert "inform_ei mode 'soms' must be one of auto, secretary, always, never" in message


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(FlowError, match=r"not valid TOML: .*line 2"):
        load('[flow]\nname = "x\n')


def test_files_report_together_and_duplicate_names(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        GOOD.replace('body = "regieteam"', 'body = "x"'), encoding="utf-8"
    )
    with pytest.raises(FlowError) as caught:
        load_flows(sorted(tmp_path.glob("*.toml")), BODIES, GUARDS)
    message = str(caught.value)
    assert "b.toml: flow 'proef' is also defined in" in message
    assert "c.toml:" in message and "unknown body 'x'" in message
    with pytest.raises(FlowError, match="cannot be read"):
        load_flow_file(tmp_path / "missing.toml", BODIES, GUARDS)


def test_stored_versions_load_without_knowing_todays_bodies() -> None:
    text = GOOD.replace('body = "regieteam"', 'body = "opgeheven-orgaan"')
    assert (
        load_flow_text(text, "oud.toml", None, None).state("regieteam").body == "opgeheven-orgaan"
    )


def test_the_documented_schema_equals_the_parser() -> None:
    doc = flows.loader.__doc__ or ""
    for keys in (
        flows.loader.TOP_KEYS, flows.loader.FLOW_KEYS, flows.loader.INFORM_EI_KEYS,
        flows.loader.STATE_KEYS, flows.loader.TRIGGER_KEYS,
    ):  # fmt: skip
        for key in keys:
            assert re.search(rf"\b{key}\b", doc), (
                f"key '{key}' is not documented in flows/loader.py"
            )
    for word in (*flows.loader.KINDS, *flows.loader.MODES):
        assert word in doc


def test_flow_problems_reach_the_user_in_dutch_and_english(tmp_path: Path) -> None:
    """flows writes each problem as data; routing says it in the user's language."""
    from routing.config.file import parse_config
    from routing.config.flows import FlowCatalog
    from routing.errors import FlowInvalid
    from routing.i18n import set_language
    from tests.conftest import starter_text

    bad = tmp_path / "fout.toml"
    bad.write_text(
        '[flow]\nname = "fout"\ntitle = "x"\nkind = "raar"\ninitial = "a"\n'
        '[states.a]\ntitle = "A"\nfinal = true\n',
        encoding="utf-8",
    )
    text = starter_text().replace("paths = []", f'paths = ["{bad}"]')
    config = parse_config(text, tmp_path / "routing.toml")
    with pytest.raises(FlowInvalid) as caught:
        FlowCatalog(config)
    assert caught.value.problems == [
        f"{bad}:1: kind 'raar' moet een van agendapunt, initiatief, terugkoppeling, bekrachtiging zijn"
    ]
    set_language("en")
    with pytest.raises(FlowInvalid, match="kind 'raar' must be one of agendapunt"):
        FlowCatalog(config)
