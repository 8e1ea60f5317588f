"""Reading and validating flow files: text → tables → `FlowDefinition`, every problem at once.

The format, one TOML file per flow (every key below is the whole list; others are refused):

    [flow]                      name (slug), title, kind (agendapunt | initiatief |
                                terugkoppeling | bekrachtiging), initial (a state),
                                description (optional)
    [inform_ei]                 optional: body (an E&I body), trigger (the step at which it is
                                decided), mode (auto | secretary | always | never)
    [states.NAME]               title, body (a body key of routing.toml; none for a plain
                                start or end state), final (true for an end state),
                                papers (false when nobody in the region submits papers for
                                this step: oral feedback; the default is true),
                                ratification (optional: { by = a [ratification.GROUP] of
                                routing.toml, lead = "30 werkdagen", on = [triggers] (optional,
                                default every step out) }: leaving the state by such a step asks
                                each body of GROUP to ratify the decision, answer due lead after)
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

from flows.schema import REFLEXIVE, FlowDefinition, InformEi, Ratify, StateDef, TriggerDef

__all__ = [
    "ENGLISH",
    "FLOW_KEYS",
    "INFORM_EI_KEYS",
    "KINDS",
    "MODES",
    "STATE_KEYS",
    "TOP_KEYS",
    "TRIGGER_KEYS",
    "FlowError",
    "Problem",
    "load_flow_file",
    "load_flow_text",
    "load_flows",
    "shipped_flow_paths",
]

TOP_KEYS = frozenset({"flow", "inform_ei", "states", "triggers"})
FLOW_KEYS = frozenset({"name", "title", "kind", "initial", "description"})
INFORM_EI_KEYS = frozenset({"body", "trigger", "mode"})
STATE_KEYS = frozenset({"title", "body", "final", "papers", "ratification"})
RATIFY_KEYS = frozenset({"by", "lead", "on"})
TRIGGER_KEYS = frozenset({"name", "source", "dest", "guard", "title"})
KINDS = ("agendapunt", "initiatief", "terugkoppeling", "bekrachtiging")
MODES = ("auto", "secretary", "always", "never")
ALL_SOURCES = "*"
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


# Each problem as data (a code, where, and its values) and in English; `routing` says it in
# the user's language from the same data (flows imports nothing of routing, so no catalogue here).
ENGLISH = {
    "not_toml": "not valid TOML: {detail}",
    "unreadable": "cannot be read ({reason})",
    "not_utf8": "not UTF-8 text (at byte {position}); save the file as UTF-8",
    "too_deep": "not valid TOML: arrays or tables nested too deeply",
    "defined_twice": "flow '{name}' is also defined in {other}",
    "unknown_key": "unknown key '{key}' in {table}; allowed: {allowed}",
    "flow_table": "a [flow] table with name, title, kind and initial is needed",
    "flow_name": "flow name '{name}' must be a slug like 'agendapunt-stuurgroep'",
    "kind": "kind '{kind}' must be one of {kinds}",
    "initial": "initial state '{initial}' is not defined; add [states.{table}] or choose one of: "
    "{names}",
    "no_states": "no states; add [states.NAME] tables",
    "state_table": "states.{name} must be a table",
    "state_name": "state name '{name}' must be lowercase letters, digits and '-'",
    "state_body": "state '{name}' names unknown body '{body}'; known bodies: {bodies} (or add it "
    "to routing.toml)",
    "papers_bool": "states.{name}.papers must be true or false",
    "ratify_table": 'states.{name}.ratification must be a table like {{ by = "colleges", '
    'lead = "6 weken" }}',
    "ratify_key": "states.{name}.ratification.{key} must be a non-empty text",
    "ratify_on": "states.{name}.ratification.on must be a trigger name or a list of them",
    "ratify_final": "final state '{name}' cannot ask for ratification: it is never left",
    "papers_without_body": "state '{name}' says papers = false but has no body; only a step at "
    "a body can do without papers",
    "triggers_blocks": "triggers must be [[triggers]] blocks",
    "trigger_name": "trigger name '{name}' must be a slug like 'agenderen'",
    "trigger_source": "trigger '{name}' comes from unknown state '{state}'",
    "trigger_no_dest": "trigger '{name}' has no dest; give a state or \"=\" to stay",
    "trigger_dest": "trigger '{name}' leads to nowhere: state '{dest}' does not exist; add "
    "[states.{dest}] or choose one of: {names}",
    "trigger_guard": "trigger '{name}' has unknown guard '{guard}'; known guards: {guards}",
    "trigger_twice": "trigger '{name}' is defined twice from state '{state}' (first at line "
    "{line}); give one of them another name",
    "trigger_needs_source": "trigger '{name}' needs source = a state, a list, or \"*\"",
    "inform_table": "inform_ei must be a table",
    "inform_body": "inform_ei names unknown body '{body}'",
    "inform_trigger": "inform_ei trigger '{trigger}' is not a trigger of this flow",
    "inform_mode": "inform_ei mode '{mode}' must be one of {modes}",
    "no_final": "no final state; mark an end state with final = true",
    "final_outgoing": "final state '{name}' has outgoing trigger(s) {triggers}; remove them or "
    "make the state not final",
    "dead_end": "state '{name}' is a dead end: no trigger leads out of it; add one or mark it "
    "final",
    "unreachable": "these states are unreachable from '{initial}': {states}; add a trigger into "
    "them or remove them",
}


class Problem(str):
    """One problem of a flow file: reads as 'path:line: message' in English, and keeps its
    `code`, `where` and `values` so a caller can say it in another language."""

    code: str
    where: str
    values: dict[str, Any]

    def __new__(cls, code: str, where: str, **values: Any) -> Problem:
        made = super().__new__(cls, f"{where}: {ENGLISH[code].format(**values)}")
        made.code, made.where, made.values = code, where, values
        return made


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
        Problem("unknown_key", where, key=key, table=what, allowed=", ".join(sorted(allowed)))
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
        raise FlowError(path, [Problem("not_toml", path, detail=exc)]) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise FlowError(path, [Problem("too_deep", path)]) from None
    lines = _Lines(text, path)
    problems: list[str] = _unknown(data, TOP_KEYS, path, "the file")
    flow = data.get("flow", {}) if isinstance(data.get("flow"), dict) else {}
    flow_at = lines.where(lines.table("flow"))
    if not flow:
        problems.append(Problem("flow_table", path))
    problems += _unknown(flow, FLOW_KEYS, flow_at, "[flow]")
    name = _string(flow.get("name")) or ""
    if not _SLUG.match(name):
        problems.append(Problem("flow_name", flow_at, name=name))
    kind = _string(flow.get("kind")) or ""
    if kind not in KINDS:
        problems.append(Problem("kind", flow_at, kind=kind, kinds=", ".join(KINDS)))

    states = _states(data, lines, known_bodies, problems)
    names = [s.name for s in states]
    initial = _string(flow.get("initial")) or ""
    if initial not in names:
        problems.append(
            Problem(
                "initial", flow_at, initial=initial, table=initial or "NAME", names=", ".join(names)
            )
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
        problems.append(Problem("no_states", lines.where(None)))
        return []
    states = []
    for name, table in raw.items():
        at = lines.where(lines.state(name))
        if not isinstance(table, dict):
            problems.append(Problem("state_table", at, name=name))
            continue
        if not _SLUG.match(name):
            problems.append(Problem("state_name", at, name=name))
        problems += _unknown(table, STATE_KEYS, at, f"[states.{name}]")
        body = _string(table.get("body"))
        if body is not None and known_bodies is not None and body not in known_bodies:
            problems.append(
                Problem(
                    "state_body", at, name=name, body=body, bodies=", ".join(sorted(known_bodies))
                )
            )
        papers = table.get("papers", True)
        if not isinstance(papers, bool):
            problems.append(Problem("papers_bool", at, name=name))
            papers = True
        if not papers and body is None:
            problems.append(Problem("papers_without_body", at, name=name))
        final = table.get("final") is True
        states.append(
            StateDef(
                name, _string(table.get("title")) or name, body, final, papers,
                _ratify(table, name, final, at, problems),
            )
        )  # fmt: skip
    return states


def _ratify(
    table: Mapping[str, Any], name: str, final: bool, at: str, problems: list[str]
) -> Ratify | None:
    """`ratification = { by = GROUP, lead = "6 weken" }` of a state; whether GROUP is configured
    and the lead readable is routing's to judge (`routing.config.flows`)."""
    raw = table.get("ratification")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem("ratify_table", at, name=name))
        return None
    problems += _unknown(raw, RATIFY_KEYS, at, f"states.{name}.ratification")
    values = {}
    on = raw.get("on", [])
    on = [on] if isinstance(on, str) else on
    if not isinstance(on, list) or not all(isinstance(x, str) and x for x in on):
        problems.append(Problem("ratify_on", at, name=name))
        on = []
    for key in ("by", "lead"):
        value = _string(raw.get(key))
        if value is None or not value.strip():
            problems.append(Problem("ratify_key", at, name=name, key=key))
            return None
        values[key] = value.strip()
    if final:
        problems.append(Problem("ratify_final", at, name=name))
    return Ratify(values["by"], values["lead"], tuple(on))


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
        problems.append(Problem("triggers_blocks", lines.where(None)))
        return []
    triggers: list[TriggerDef] = []
    seen: dict[tuple[str, str], int | None] = {}
    for index, table in enumerate(raw):
        line = lines.trigger(index)
        at = lines.where(line)
        problems += _unknown(table, TRIGGER_KEYS, at, "[[triggers]]")
        name = _string(table.get("name")) or ""
        if not _SLUG.match(name):
            problems.append(Problem("trigger_name", at, name=name))
        sources = _sources(table.get("source"), open_states, name, at, problems)
        for missing in [s for s in sources if s not in names]:
            problems.append(Problem("trigger_source", at, name=name, state=missing))
        dest = _string(table.get("dest"))
        if dest is None:
            problems.append(Problem("trigger_no_dest", at, name=name))
            dest = REFLEXIVE
        elif dest != REFLEXIVE and dest not in names:
            problems.append(
                Problem("trigger_dest", at, name=name, dest=dest, names=", ".join(sorted(names)))
            )
        guard = _string(table.get("guard"))
        if guard is not None and known_guards is not None and guard not in known_guards:
            problems.append(
                Problem(
                    "trigger_guard",
                    at,
                    name=name,
                    guard=guard,
                    guards=", ".join(sorted(known_guards)),
                )
            )
        for source_state in sources:
            if (name, source_state) in seen:
                problems.append(
                    Problem(
                        "trigger_twice",
                        at,
                        name=name,
                        state=source_state,
                        line=seen[(name, source_state)],
                    )
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
    problems.append(Problem("trigger_needs_source", at, name=name))
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
        problems.append(Problem("inform_table", at))
        return None
    problems += _unknown(table, INFORM_EI_KEYS, at, "[inform_ei]")
    body = _string(table.get("body")) or ""
    trigger = _string(table.get("trigger")) or ""
    mode = _string(table.get("mode")) or "auto"
    if known_bodies is not None and body not in known_bodies:
        problems.append(Problem("inform_body", at, body=body))
    if trigger not in {t.name for t in triggers}:
        problems.append(Problem("inform_trigger", at, trigger=trigger))
    if mode not in MODES:
        problems.append(Problem("inform_mode", at, mode=mode, modes=", ".join(MODES)))
    return InformEi(body, trigger, mode)


def _graph(
    states: list[StateDef], triggers: list[TriggerDef], initial: str, lines: _Lines
) -> list[str]:
    problems: list[str] = []
    by_name = {s.name: s for s in states}
    finals = [s.name for s in states if s.final]
    if not finals:
        problems.append(Problem("no_final", lines.where(None)))
    for state in states:
        outgoing = [t.name for t in triggers if state.name in t.sources]
        at = lines.where(lines.state(state.name))
        if state.final and outgoing:
            problems.append(
                Problem("final_outgoing", at, name=state.name, triggers=", ".join(outgoing))
            )
        if not state.final and not any(
            t.dest not in (REFLEXIVE, state.name) for t in triggers if state.name in t.sources
        ):
            problems.append(Problem("dead_end", at, name=state.name))
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
            Problem(
                "unreachable",
                lines.where(lines.state(unreachable[0])),
                initial=initial,
                states=unreachable,
            )
        )
    return problems


def load_flow_file(
    path: Path | str, known_bodies: Collection[str] | None, known_guards: Collection[str] | None
) -> FlowDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FlowError(str(path), [Problem("not_utf8", str(path), position=exc.start)]) from None
    except OSError as exc:
        raise FlowError(
            str(path), [Problem("unreadable", str(path), reason=exc.strerror)]
        ) from None
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
            problems.append(
                Problem("defined_twice", str(path), name=flow.name, other=origin[flow.name])
            )
            continue
        flows[flow.name] = flow
        origin[flow.name] = path
    if problems:
        raise FlowError(", ".join(sorted({p.split(":")[0] for p in problems})), problems)
    return flows
