"""Diagrams of a flow: Mermaid text, and SVG or PNG drawn by Graphviz.

Why not the diagram extension of `transitions`: when Graphviz is missing it silently falls back
to Mermaid text, so a user asking for a picture can get a file that is not one. We draw with
pygraphviz, whose wheel bundles Graphviz, and we check what we are asked for before drawing: a
suffix we cannot write, a directory that does not exist or a current state the flow does not
have is a `BadInput`, not a traceback and not a surprise file. pygraphviz is the optional extra
`diagrammen`: without it `.svg` and `.png` are refused with the command that installs it, and
Mermaid `.mmd` still works.

The picture groups the states of each body in one labelled box, marks the initial state with a
dot and final states with a double border, and highlights the current state. Triggers that stay
in the same state (postponing, drawn as loops) or leave from three or more states (withdrawing)
are side paths: thin, dashed and grey, so the main route stays readable.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flows.schema import REFLEXIVE, FlowDefinition, StateDef, TriggerDef
from routing.errors import BadInput
from routing.i18n import t
from routing.render.files import write_output
from routing.text import one_line, visible

if TYPE_CHECKING:
    import pygraphviz

__all__ = ["SUFFIXES", "graph", "mermaid", "write_diagram"]

SUFFIXES = (".svg", ".png", ".mmd")

FONT = "Helvetica"
CURRENT_FILL = "#ffd54f"
SIDE_COLOUR = "#8a8a8a"
CLUSTER_FILL = "#f2f5f9"
CLUSTER_BORDER = "#9aa8b8"
START_NODE = "__start__"  # not a valid state name: state names are lower-case slugs
SIDE_PATH_SOURCES = 3

_NOT_ID = re.compile(r"[^A-Za-z0-9]")


def _is_side_path(trigger: TriggerDef) -> bool:
    return trigger.dest == REFLEXIVE or len(trigger.sources) >= SIDE_PATH_SOURCES


def _edges(flow: FlowDefinition) -> Iterator[tuple[str, str, TriggerDef]]:
    """Every (source, target, trigger), main route first so it claims the layout."""
    ordered = sorted(flow.triggers, key=_is_side_path)
    for trigger in ordered:
        for source in trigger.sources:
            yield source, trigger.target_from(source), trigger


def _by_body(flow: FlowDefinition) -> tuple[dict[str, list[StateDef]], list[StateDef]]:
    """States grouped per body in order of first appearance, and the states without a body."""
    grouped: dict[str, list[StateDef]] = {}
    loose: list[StateDef] = []
    for state in flow.states:
        if state.body is None:
            loose.append(state)
        else:
            grouped.setdefault(state.body, []).append(state)
    return grouped, loose


def _check_current(flow: FlowDefinition, current: str | None) -> None:
    if current is not None and current not in {s.name for s in flow.states}:
        known = ", ".join(s.name for s in flow.states)
        raise BadInput(t("err.diagram_state", flow=flow.name, state=current, known=known))


# --- Mermaid ---------------------------------------------------------------------------------


def _mermaid_text(text: str) -> str:
    """`text` inside a quoted Mermaid label: entity codes for what Mermaid would read itself."""
    return (
        one_line(text)
        .replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
    )


def _mermaid_ids(flow: FlowDefinition) -> dict[str, str]:
    """A safe, unique Mermaid id per state ('s_' avoids keywords such as 'end')."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for state in flow.states:
        base = "s_" + _NOT_ID.sub("_", state.name)
        node_id, n = base, 1
        while node_id in taken:
            n += 1
            node_id = f"{base}_{n}"
        taken.add(node_id)
        ids[state.name] = node_id
    return ids


def mermaid(flow: FlowDefinition, body_names: Mapping[str, str], current: str | None = None) -> str:
    """The flow as a Mermaid `flowchart LR`, one subgraph per body."""
    _check_current(flow, current)
    ids = _mermaid_ids(flow)
    lines = [
        "---",
        f"title: {json.dumps(one_line(flow.title), ensure_ascii=False)}",  # a YAML string
        "---",
        "flowchart LR",
    ]

    def node(state: StateDef) -> str:
        label = _mermaid_text(state.title)
        shape = f'(["{label}"])' if state.final else f'("{label}")'
        return f"{ids[state.name]}{shape}"

    grouped, loose = _by_body(flow)
    for n, (body, states) in enumerate(grouped.items(), start=1):
        label = _mermaid_text(body_names.get(body, body))
        lines.append(f'    subgraph b{n}_{_NOT_ID.sub("_", body)}["{label}"]')
        lines.extend(f"        {node(state)}" for state in states)
        lines.append("    end")
    lines.extend(f"    {node(state)}" for state in loose)

    lines.append('    start((" "))')
    lines.append(f"    start --> {ids[flow.initial]}")
    side_links: list[int] = []
    for link, (source, target, trigger) in enumerate(_edges(flow), start=1):
        arrow = "-.->" if _is_side_path(trigger) else "-->"
        if _is_side_path(trigger):
            side_links.append(link)
        lines.append(f'    {ids[source]} {arrow}|"{_mermaid_text(trigger.name)}"| {ids[target]}')

    lines.append("    classDef start fill:#333,stroke:#333")
    lines.append("    classDef final stroke-width:3px")
    lines.append(
        f"    classDef current fill:{CURRENT_FILL},stroke:#333,stroke-width:3px,font-weight:bold"
    )
    lines.append("    class start start")
    finals = [ids[name] for name in flow.final_states()]
    if finals:
        lines.append(f"    class {','.join(finals)} final")
    if current is not None:
        lines.append(f"    class {ids[current]} current")
    if side_links:
        links = ",".join(map(str, side_links))
        lines.append(f"    linkStyle {links} stroke:{SIDE_COLOUR},color:{SIDE_COLOUR}")
    return "\n".join(lines) + "\n"


# --- Graphviz --------------------------------------------------------------------------------


def _node_label(state: StateDef) -> str:
    """An HTML-like label: the title, and the state name small below it."""
    title = html.escape(one_line(state.title))
    name = html.escape(one_line(state.name))
    return f'<{title}<BR/><FONT POINT-SIZE="9" COLOR="#555555">{name}</FONT>>'


def graph(
    flow: FlowDefinition, body_names: Mapping[str, str], current: str | None = None
) -> pygraphviz.AGraph:
    """The flow as a Graphviz graph, left to right, one labelled cluster per body."""
    _check_current(flow, current)
    try:
        import pygraphviz  # noqa: PLC0415 -- heavy; only loaded when a picture is drawn
    except ImportError as missing:  # the optional extra `diagrammen` is not installed
        raise BadInput(t("err.diagram_extra")) from missing

    g = pygraphviz.AGraph(directed=True, strict=False, name=flow.name)
    g.graph_attr.update(
        rankdir="LR",
        fontname=FONT,
        label=one_line(flow.title),
        labelloc="t",
        fontsize="16",
        nodesep="0.35",
        ranksep="0.55",
        newrank="true",
    )
    g.node_attr.update(
        fontname=FONT, fontsize="11", shape="box", style="rounded", margin="0.15,0.07"
    )
    g.edge_attr.update(fontname=FONT, fontsize="10", arrowsize="0.7")

    def add(target: pygraphviz.AGraph, state: StateDef) -> None:
        attrs: dict[str, str] = {"label": _node_label(state)}
        if state.final:
            attrs["peripheries"] = "2"
        if state.name == current:
            attrs.update(style="rounded,filled", fillcolor=CURRENT_FILL, penwidth="2")
        target.add_node(state.name, **attrs)

    grouped, loose = _by_body(flow)
    for state in loose:
        add(g, state)
    for body, states in grouped.items():
        cluster = g.add_subgraph(
            name=f"cluster_{body}",
            label=body_names.get(body, body),
            style="rounded,filled",
            fillcolor=CLUSTER_FILL,
            color=CLUSTER_BORDER,
            fontname=FONT,
            fontsize="12",
        )
        for state in states:
            add(cluster, state)

    g.add_node(START_NODE, shape="point", width="0.15", label="")
    g.add_edge(START_NODE, flow.initial)
    for source, target, trigger in _edges(flow):
        attrs = {"label": trigger.name, "tooltip": one_line(trigger.title or trigger.name)}
        if _is_side_path(trigger):
            if trigger.dest != REFLEXIVE and source != trigger.sources[-1]:
                attrs["label"] = ""  # these edges converge on one state: name the trigger once
            attrs.update(
                style="dashed",
                color=SIDE_COLOUR,
                fontcolor=SIDE_COLOUR,
                fontsize="9",
                weight="0",
            )
        g.add_edge(source, target, key=f"{trigger.name}:{source}", **attrs)
    return g


# --- Files -----------------------------------------------------------------------------------


@contextmanager
def _quiet_fontconfig() -> Iterator[None]:
    """Keep the bundled fontconfig's warnings about a newer system config off the terminal.

    Graphviz runs in-process and writes to file descriptor 2 directly; anything else it says
    there is passed on.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines():
                if line.strip() and not line.startswith("Fontconfig warning"):
                    sys.stderr.write(visible(line) + "\n")


def write_diagram(
    flow: FlowDefinition, body_names: Mapping[str, str], path: Path, current: str | None = None
) -> Path:
    """Write the diagram to `path`; its suffix (.svg, .png or .mmd) says which kind."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadInput(t("err.diagram_suffix", path=path, suffixes=", ".join(SUFFIXES)))
    if not path.parent.is_dir():
        raise BadInput(t("err.diagram_folder", path=path, folder=path.parent))
    _check_current(flow, current)
    if suffix == ".mmd":
        return write_output("--diagram", path, mermaid(flow, body_names, current))
    with _quiet_fontconfig():
        drawn = graph(flow, body_names, current).draw(format=suffix[1:], prog="dot")
    return write_output("--diagram", path, drawn)
