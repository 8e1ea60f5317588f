"""Flow diagrams: real PNG and SVG files drawn by Graphviz, and Mermaid text, for shipped flows."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.schema import REFLEXIVE, FlowDefinition
from routing.errors import BadInput
from routing.render.diagram import mermaid, write_diagram
from routing.runtime import Runtime
from tests.conftest import Cli, InProcessCli

SHIPPED = [
    "agendapunt-stuurgroep",
    "agendapunt-supportteam",
    "initiatief",
    "terugkoppeling-supportteam",
    "terugkoppeling-stuurgroep",
]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def runtime(config_path: Path) -> Iterator[Runtime]:
    rt = Runtime.open(str(config_path))
    yield rt
    rt.close()


@pytest.fixture
def body_names(runtime: Runtime) -> dict[str, str]:
    return {key: body.name for key, body in runtime.config.bodies.items()}


def bodies_of(flow: FlowDefinition) -> set[str]:
    return {s.body for s in flow.states if s.body is not None}


def svg_nodes(root: ET.Element) -> dict[str, ET.Element]:
    """Graphviz node groups by node name (the <title> of each `class="node"` group)."""
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            title = group.find(f"{SVG}title")
            assert title is not None and title.text is not None
            nodes[title.text] = group
    return nodes


def fills(group: ET.Element) -> set[str]:
    return {
        shape.get("fill", "")
        for tag in ("path", "polygon", "ellipse")
        for shape in group.iter(f"{SVG}{tag}")
    }


def test_png_is_a_real_png(runtime: Runtime, body_names: dict[str, str], tmp_path: Path) -> None:
    flow = runtime.catalog.get("agendapunt-stuurgroep")
    path = write_diagram(flow, body_names, tmp_path / "f.png")
    assert path == tmp_path / "f.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000


@pytest.mark.parametrize("name", SHIPPED)
def test_svg_names_every_body_and_state(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path, name: str
) -> None:
    flow = runtime.catalog.get(name)
    path = write_diagram(flow, body_names, tmp_path / "f.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = {t.text for t in root.iter(f"{SVG}text") if t.text}
    for body in bodies_of(flow):
        assert body_names[body] in texts
    for state in flow.states:
        assert state.title in texts
    assert set(svg_nodes(root)) >= {s.name for s in flow.states}


def test_svg_shows_body_names_with_ampersands(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path
) -> None:
    flow = runtime.catalog.get("agendapunt-stuurgroep")
    root = ET.parse(write_diagram(flow, body_names, tmp_path / "f.svg")).getroot()
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert "Regieteam Werk & Participatie" in texts
    assert "Voorbereiding in Regieteam W&P" in texts


@pytest.mark.parametrize("current", ["pfho-wp", "afgerond"])
def test_svg_highlights_only_the_current_state(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path, current: str
) -> None:
    flow = runtime.catalog.get("agendapunt-stuurgroep")
    path = write_diagram(flow, body_names, tmp_path / "f.svg", current=current)
    nodes = svg_nodes(ET.parse(path).getroot())
    assert "#ffd54f" in fills(nodes[current])
    for state in flow.states:
        if state.name != current:
            assert "#ffd54f" not in fills(nodes[state.name]), state.name


def test_svg_without_current_highlights_nothing(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path
) -> None:
    flow = runtime.catalog.get("agendapunt-stuurgroep")
    text = write_diagram(flow, body_names, tmp_path / "f.svg").read_text(encoding="utf-8")
    assert "#ffd54f" not in text


@pytest.mark.parametrize("name", SHIPPED)
def test_mermaid_text(runtime: Runtime, body_names: dict[str, str], name: str) -> None:
    flow = runtime.catalog.get(name)
    current = flow.states[0].name
    text = mermaid(flow, body_names, current=current)
    lines = text.splitlines()
    assert "flowchart LR" in lines
    subgraphs = [line for line in lines if line.strip().startswith("subgraph ")]
    assert len(subgraphs) == len(bodies_of(flow))
    for body in bodies_of(flow):
        assert any(f'["{body_names[body]}"]' in line for line in subgraphs), body
    for trigger in flow.triggers:
        assert f'|"{trigger.name}"|' in text
    current_id = "s_" + current.replace("-", "_")
    assert f"    class {current_id} current" in lines

    edge = re.compile(r'^\s+(\S+) (-->|-\.->)(\|"[^"]*"\|)? (\S+)$')
    edges = [m for m in map(edge.match, lines) if m]
    expected = sum(len(t.sources) for t in flow.triggers) + 1  # +1: the start arrow
    assert len(edges) == expected
    for m in edges:
        for node_id in (m.group(1), m.group(4)):
            assert re.fullmatch(r"[A-Za-z0-9_]+", node_id), node_id
    for trigger in flow.triggers:
        if trigger.dest == REFLEXIVE:
            for source in trigger.sources:
                node_id = "s_" + source.replace("-", "_")
                assert f'    {node_id} -.->|"{trigger.name}"| {node_id}' in lines


def test_mermaid_file_and_escaped_quotes(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path
) -> None:
    flow = runtime.catalog.get("initiatief")
    names = {**body_names, "regieteam": 'Het "Regieteam"'}
    path = write_diagram(flow, names, tmp_path / "f.mmd")
    text = path.read_text(encoding="utf-8")
    assert text == mermaid(flow, names)
    assert '["Het #quot;Regieteam#quot;"]' in text
    assert not any(
        line.startswith("    class ") and line.endswith(" current") for line in text.splitlines()
    )


def test_unknown_suffix_is_refused(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path
) -> None:
    flow = runtime.catalog.get("initiatief")
    with pytest.raises(BadInput, match=r"f\.jpg.*\.svg, \.png, \.mmd"):
        write_diagram(flow, body_names, tmp_path / "f.jpg")
    assert not (tmp_path / "f.jpg").exists()


def test_missing_directory_is_refused(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path
) -> None:
    flow = runtime.catalog.get("initiatief")
    with pytest.raises(BadInput, match=r"de map .*nowhere. bestaat niet"):
        write_diagram(flow, body_names, tmp_path / "nowhere" / "f.svg")
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("suffix", [".svg", ".png", ".mmd"])
def test_unknown_current_state_is_refused(
    runtime: Runtime, body_names: dict[str, str], tmp_path: Path, suffix: str
) -> None:
    flow = runtime.catalog.get("initiatief")
    with pytest.raises(BadInput, match=r"heeft geen status 'besluit'.*ontvangen"):
        write_diagram(flow, body_names, tmp_path / f"f{suffix}", current="besluit")
    assert not (tmp_path / f"f{suffix}").exists()


README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_shows_the_main_route_as_drawn_today(
    runtime: Runtime, body_names: dict[str, str]
) -> None:
    """The README's diagram is the output of the code, not a drawing that drifts."""
    block = re.search(r"```mermaid\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None, "README has no mermaid diagram"
    drawn = mermaid(runtime.catalog.get("agendapunt-stuurgroep"), body_names)
    assert block.group(1).strip() == drawn.strip(), (
        "README diagram is stale: run "
        "'routing flows agendapunt-stuurgroep --diagram route.mmd' and paste it"
    )


def test_cli_draws_a_flow_and_an_item(cli: Cli, tmp_path: Path) -> None:
    png = tmp_path / "route.png"
    done = cli("flows", "agendapunt-stuurgroep", "--diagram", str(png))
    assert done.stdout.strip() == f"Diagram geschreven: {png}"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Fontconfig" not in done.stderr
    item = cli("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep").stdout.strip()
    cli("move", item, "agenderen")
    svg = tmp_path / "item.svg"
    cli("show", item, "--diagram", str(svg))
    nodes = svg_nodes(ET.parse(svg).getroot())
    assert "#ffd54f" in fills(nodes["regieteam"])
    assert "#ffd54f" not in fills(nodes["concept"])
    bad = cli("show", item, "--diagram", str(tmp_path / "item.jpg"), check=False)
    assert bad.returncode == 2 and "gebruik een bestandsnaam op .svg, .png, .mmd" in bad.stderr
    nameless = cli("flows", "--diagram", str(tmp_path / "x.svg"), check=False)
    assert nameless.returncode == 2


def test_without_the_diagrammen_extra_svg_and_png_name_the_install_command(
    cmd: InProcessCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pygraphviz is the optional extra `diagrammen`: missing, a picture is one Dutch line and
    exit 2, and Mermaid still works."""
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # `import pygraphviz` now fails
    for suffix in (".svg", ".png"):
        target = tmp_path / f"route{suffix}"
        done = cmd("flows", "agendapunt-stuurgroep", "--diagram", str(target), check=False)
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            "routing: Voor een .svg- of .png-diagram is Graphviz nodig: installeer het met "
            "pip install 'routing[diagrammen]' (een .mmd-diagram kan zonder)."
        ]
        assert not target.exists()
    mmd = tmp_path / "route.mmd"
    cmd("flows", "agendapunt-stuurgroep", "--diagram", str(mmd))
    assert mmd.read_text(encoding="utf-8").startswith("---\ntitle:")
