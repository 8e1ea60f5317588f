"""Reading and validating flow files: text → tables → `FlowDefinition`, every problem at once.

The format, one TOML file per flow (every key below is the whole list; others are refused):

    [flow]                      name (slug), title, kind (agendapunt | initiatief |
                                terugkoppeling), initial (a state), description (optional)
    [inform_ei]                 optional: body (an E&I body), trigger (the step at which it is
                                decided), mode (auto | secretary | always | never)
    [states.NAME]               title, body (a body key of routing.toml; none for a plain
                                start or end state), final (true for an end state),
                                papers (false when nobody in the region submits papers for
                                this step: oral feedback; the default is true)
    [[triggers]]                name (slug), source (a state, a list of states, or "*" for
                                every non-final state), dest (a state, or "=" to stay),
                                guard (optional, a guard the engine knows), title (optional)

Validation reports, with file, line and fix: unknown keys, a syntax error, an unknown body or
guard, a trigger from or to a state that does not exist, one trigger name twice from one state,
a final state with outgoing triggers, a non-final state without any, states unreachable from
the initial state, and a flow without a final state.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from flows.schema import REFLEXIVE, FlowDefinition, InformEi, StateDef, TriggerDef

__all__ = [
    "FLOW_KEYS",
    "INFORM_EI_KEYS",
    "KINDS",
    "MODES",
    "STATE_KEYS",
    "TOP_KEYS",
    "TRIGGER_KEYS",
    "FlowError",
    "load_flow_file",
    "load_flow_text",
    "load_flows",
    "shipped_flow_paths",
]

TOP_KEYS = frozenset({"flow", "inform_ei", "states", "triggers"})
FLOW_KEYS = frozenset({"name", "title", "kind", "initial", "description"})
INFORM_EI_KEYS = frozenset({"body", "trigger", "mode"})
STATE_KEYS = frozenset({"title", "body", "final", "papers"})
TRIGGER_KEYS = frozenset({"name", "source", "dest", "guard", "title"})
KINDS = ("agendapunt", "initiatief", "terugkoppeling")
MODES = ("auto", "secretary", "always", "never")
ALL_SOURCES = "*"
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


class FlowError(ValueError):
    """A flow file is invalid; `problems` lists every finding as 'path:line: message'."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class _Lines:
    """Finds the line of a table header or of a trigger in the raw text (tomllib gives none)."""

    def __init__(self, text: str, path: str) -> None:
        self._lines = text.splitlines()
        self._path = path

    def _find(self, pattern: str, start: int = 0) -> int | None:
        regex = re.compile(pattern)
        for index in range(start, len(self._lines)):
            if regex.search(self._lines[index]):
                return index + 1
        return None

    def table(self, header: str) -> int | None:
        return self._find(rf"^\s*\[{re.escape(header)}\]")

    def state(self, name: str) -> int | None:
        return self._find(rf'^\s*\[states\.("?){re.escape(name)}\1\]')

    def trigger(self, index: int) -> int | None:
        """The line of the `index`-th `[[triggers]]` block."""
        line: int | None = 0
        for _ in range(index + 1):
            assert line is not None
            line = self._find(r"^\s*\[\[triggers\]\]", line)
            if line is None:
                return None
        return line

    def where(self, line: int | None) -> str:
        return f"{self._path}:{line}" if line else self._path


def _unknown(table: Mapping[str, Any], allowed: frozenset[str], where: str, what: str) -> list[str]:
    return [
        f"{where}: unknown key '{key}' in {what}; allowed: {', '.join(sorted(allowed))}"
        for key in table
        if key not in allowed
    ]


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def load_flow_text(
    text: str,
    path: str,
    known_bodies: Collection[str] | None,
    known_guards: Collection[str] | None,
) -> FlowDefinition:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FlowError(path, [f"{path}: not valid TOML: {exc}"]) from None
    lines = _Lines(text, path)
    problems: list[str] = _unknown(data, TOP_KEYS, path, "the file")
    flow = data.get("flow", {}) if isinstance(data.get("flow"), dict) else {}
    flow_at = lines.where(lines.table("flow"))
    if not flow:
        problems.append(f"{path}: a [flow] table with name, title, kind and initial is needed")
    problems += _unknown(flow, FLOW_KEYS, flow_at, "[flow]")
    name = _string(flow.get("name")) or ""
    if not _SLUG.match(name):
        problems.append(
            f"{flow_at}: flow name '{name}' must be a slug like 'agendapunt-stuurgroep'"
        )
    kind = _string(flow.get("kind")) or ""
    if kind not in KINDS:
        problems.append(f"{flow_at}: kind '{kind}' must be one of {', '.join(KINDS)}")

    states = _states(data, lines, known_bodies, problems)
    names = [s.name for s in states]
    initial = _string(flow.get("initial")) or ""
    if initial not in names:
        problems.append(
            f"{flow_at}: initial state '{initial}' is not defined; add [states.{initial or 'NAME'}]"
            f" or choose one of: {', '.join(names)}"
        )
    triggers = _triggers(data, lines, states, known_guards, problems)
    inform = _inform_ei(data, lines, triggers, known_bodies, problems)
    if states and initial in names:
        problems += _graph(states, triggers, initial, lines)
    if problems:
        raise FlowError(path, problems)
    return FlowDefinition(
        name=name,
        title=_string(flow.get("title")) or name,
        kind=kind,
        initial=initial,
        states=tuple(states),
        triggers=tuple(triggers),
        inform_ei=inform,
        description=_string(flow.get("description")) or "",
    )


def _states(
    data: Mapping[str, Any],
    lines: _Lines,
    known_bodies: Collection[str] | None,
    problems: list[str],
) -> list[StateDef]:
    raw = data.get("states", {})
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{lines.where(None)}: no states; add [states.NAME] tables")
        return []
    states = []
    for name, table in raw.items():
        at = lines.where(lines.state(name))
        if not isinstance(table, dict):
            problems.append(f"{at}: states.{name} must be a table")
            continue
        if not _SLUG.match(name):
            problems.append(f"{at}: state name '{name}' must be lowercase letters, digits and '-'")
        problems += _unknown(table, STATE_KEYS, at, f"[states.{name}]")
        body = _string(table.get("body"))
        if body is not None and known_bodies is not None and body not in known_bodies:
            problems.append(
                f"{at}: state '{name}' names unknown body '{body}'; known bodies: "
                f"{', '.join(sorted(known_bodies))} (or add it to routing.toml)"
            )
        papers = table.get("papers", True)
        if not isinstance(papers, bool):
            problems.append(f"{at}: states.{name}.papers must be true or false")
            papers = True
        if not papers and body is None:
            problems.append(
                f"{at}: state '{name}' says papers = false but has no body; "
                "only a step at a body can do without papers"
            )
        states.append(
            StateDef(
                name, _string(table.get("title")) or name, body, table.get("final") is True, papers
            )
        )
    return states


def _triggers(
    data: Mapping[str, Any],
    lines: _Lines,
    states: list[StateDef],
    known_guards: Collection[str] | None,
    problems: list[str],
) -> list[TriggerDef]:
    names = {s.name for s in states}
    open_states = tuple(s.name for s in states if not s.final)
    raw = data.get("triggers", [])
    if not isinstance(raw, list):
        problems.append(f"{lines.where(None)}: triggers must be [[triggers]] blocks")
        return []
    triggers: list[TriggerDef] = []
    seen: dict[tuple[str, str], int | None] = {}
    for index, table in enumerate(raw):
        line = lines.trigger(index)
        at = lines.where(line)
        problems += _unknown(table, TRIGGER_KEYS, at, "[[triggers]]")
        name = _string(table.get("name")) or ""
        if not _SLUG.match(name):
            problems.append(f"{at}: trigger name '{name}' must be a slug like 'agenderen'")
        sources = _sources(table.get("source"), open_states, name, at, problems)
        for missing in [s for s in sources if s not in names]:
            problems.append(f"{at}: trigger '{name}' comes from unknown state '{missing}'")
        dest = _string(table.get("dest"))
        if dest is None:
            problems.append(f"{at}: trigger '{name}' has no dest; give a state or \"=\" to stay")
            dest = REFLEXIVE
        elif dest != REFLEXIVE and dest not in names:
            problems.append(
                f"{at}: trigger '{name}' leads to nowhere: state '{dest}' does not exist; "
                f"add [states.{dest}] or choose one of: {', '.join(sorted(names))}"
            )
        guard = _string(table.get("guard"))
        if guard is not None and known_guards is not None and guard not in known_guards:
            problems.append(
                f"{at}: trigger '{name}' has unknown guard '{guard}'; known guards: "
                f"{', '.join(sorted(known_guards))}"
            )
        for source_state in sources:
            if (name, source_state) in seen:
                problems.append(
                    f"{at}: trigger '{name}' is defined twice from state '{source_state}' "
                    f"(first at line {seen[(name, source_state)]}); give one of them another name"
                )
            seen[(name, source_state)] = line
        triggers.append(TriggerDef(name, sources, dest, guard, _string(table.get("title")) or ""))
    return triggers


def _sources(
    source: Any, open_states: tuple[str, ...], name: str, at: str, problems: list[str]
) -> tuple[str, ...]:
    if source == ALL_SOURCES:
        return open_states
    if isinstance(source, str):
        return (source,)
    if isinstance(source, list) and source and all(isinstance(s, str) for s in source):
        return tuple(source)
    problems.append(f"{at}: trigger '{name}' needs source = a state, a list, or \"*\"")
    return ()


def _inform_ei(
    data: Mapping[str, Any],
    lines: _Lines,
    triggers: list[TriggerDef],
    known_bodies: Collection[str] | None,
    problems: list[str],
) -> InformEi | None:
    table = data.get("inform_ei")
    if table is None:
        return None
    at = lines.where(lines.table("inform_ei"))
    if not isinstance(table, dict):
        problems.append(f"{at}: inform_ei must be a table")
        return None
    problems += _unknown(table, INFORM_EI_KEYS, at, "[inform_ei]")
    body = _string(table.get("body")) or ""
    trigger = _string(table.get("trigger")) or ""
    mode = _string(table.get("mode")) or "auto"
    if known_bodies is not None and body not in known_bodies:
        problems.append(f"{at}: inform_ei names unknown body '{body}'")
    if trigger not in {t.name for t in triggers}:
        problems.append(f"{at}: inform_ei trigger '{trigger}' is not a trigger of this flow")
    if mode not in MODES:
        problems.append(f"{at}: inform_ei mode '{mode}' must be one of {', '.join(MODES)}")
    return InformEi(body, trigger, mode)


def _graph(
    states: list[StateDef], triggers: list[TriggerDef], initial: str, lines: _Lines
) -> list[str]:
    problems = []
    by_name = {s.name: s for s in states}
    finals = [s.name for s in states if s.final]
    if not finals:
        problems.append(f"{lines.where(None)}: no final state; mark an end state with final = true")
    for state in states:
        outgoing = [t.name for t in triggers if state.name in t.sources]
        at = lines.where(lines.state(state.name))
        if state.final and outgoing:
            problems.append(
                f"{at}: final state '{state.name}' has outgoing trigger(s) {', '.join(outgoing)}; "
                "remove them or make the state not final"
            )
        if not state.final and not any(
            t.dest not in (REFLEXIVE, state.name) for t in triggers if state.name in t.sources
        ):
            problems.append(
                f"{at}: state '{state.name}' is a dead end: no trigger leads out of it; add one "
                "or mark it final"
            )
    reached = {initial}
    frontier = [initial]
    while frontier:
        current = frontier.pop()
        for trigger in triggers:
            if current in trigger.sources:
                dest = trigger.target_from(current)
                if dest in by_name and dest not in reached:
                    reached.add(dest)
                    frontier.append(dest)
    unreachable = [s.name for s in states if s.name not in reached]
    if unreachable:
        problems.append(
            f"{lines.where(lines.state(unreachable[0]))}: these states are unreachable from "
            f"'{initial}': {unreachable}; add a trigger into them or remove them"
        )
    return problems


def load_flow_file(
    path: Path | str, known_bodies: Collection[str] | None, known_guards: Collection[str] | None
) -> FlowDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FlowError(str(path), [f"{path}: cannot be read ({exc.strerror})"]) from None
    return load_flow_text(text, str(path), known_bodies, known_guards)


def shipped_flow_paths() -> list[Path]:
    return sorted(Path(__file__).parent.glob("*.toml"))


def load_flows(
    paths: Iterable[Path],
    known_bodies: Collection[str] | None,
    known_guards: Collection[str] | None,
) -> dict[str, FlowDefinition]:
    """Every flow of `paths`; the problems of all files are reported together."""
    flows: dict[str, FlowDefinition] = {}
    origin: dict[str, Path] = {}
    problems: list[str] = []
    for path in paths:
        try:
            flow = load_flow_file(path, known_bodies, known_guards)
        except FlowError as exc:
            problems.extend(exc.problems)
            continue
        if flow.name in flows:
            problems.append(f"{path}: flow '{flow.name}' is also defined in {origin[flow.name]}")
            continue
        flows[flow.name] = flow
        origin[flow.name] = path
    if problems:
        raise FlowError(", ".join(sorted({p.split(":")[0] for p in problems})), problems)
    return flows
