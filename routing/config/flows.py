"""The flows in force and the flow versions items are pinned to.

The current definition of each flow comes from its TOML file (shipped, or listed under
`[flows] paths`), validated against the configured bodies and the known guards. The first time
an item starts on a definition, that definition is stored with its content hash; the item keeps
that stored version for life, whatever later happens to the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from sqlmodel import Session

from flows import FlowDefinition, FlowError, load_flows, shipped_flow_paths
from flows.loader import Problem, load_flow_file
from routing.calendar.working_days import Lead
from routing.config.file import Config
from routing.config.guards import GUARDS
from routing.errors import CalendarError, FlowInvalid, NotFound
from routing.i18n import t
from store import FlowVersion, queries

__all__ = ["FlowCatalog"]


def _said(problem: str) -> str:
    """A flow file's problem in the user's language (flows writes it in English, with data)."""
    if isinstance(problem, Problem):
        return f"{problem.where}: {t(f'flow.{problem.code}', **problem.values)}"
    return problem


def _check_ratification(flow: FlowDefinition, config: Config, paths: list[Path]) -> None:
    """A state's `ratification` names a configured group, steps out of it and a readable lead
    time; a problem names the flow's file (found again only then: `paths` are its candidates)."""
    problems: list[str] = []
    for state in flow.states:
        asked = state.ratification
        if asked is None:
            continue
        where = f"states.{state.name}.ratification"
        if asked.by not in config.ratification:
            known = ", ".join(config.ratification) or "-"
            problems.append(t("flow.ratify_group", where=where, group=asked.by, known=known))
        out = {trigger.name for trigger in flow.triggers_from(state.name)}
        problems += [
            t("flow.ratify_trigger", where=where, trigger=name, known=", ".join(sorted(out)))
            for name in asked.on
            if name not in out
        ]
        try:
            Lead.parse(asked.lead)
        except CalendarError as exc:
            problems.append(f"{where}.lead: {exc}")
    if problems:
        raise FlowInvalid(_file_of(flow.name, paths), problems)


def _file_of(name: str, paths: list[Path]) -> str:
    """The file that defines flow `name` (they all loaded a moment ago)."""
    for path in paths:
        if load_flow_file(path, None, None).name == name:
            return f"{path} (flow '{name}')"
    return f"flow '{name}'"  # pragma: no cover - one of them defined it


class FlowCatalog:
    def __init__(self, config: Config) -> None:
        paths = list(shipped_flow_paths())
        for extra in config.flow_paths:
            paths.extend(sorted(extra.glob("*.toml")) if extra.is_dir() else [extra])
        try:
            self._current = load_flows(paths, set(config.bodies), set(GUARDS))
        except FlowError as exc:
            raise FlowInvalid(exc.path, [_said(problem) for problem in exc.problems]) from None
        for flow in self._current.values():
            _check_ratification(flow, config, paths)
        self._pinned: dict[int, FlowDefinition] = {}

    @property
    def current(self) -> Mapping[str, FlowDefinition]:
        return self._current

    def get(self, name: str) -> FlowDefinition:
        try:
            return self._current[name]
        except KeyError:
            raise NotFound(
                t("what.flow"),
                f"'{name}'",
                t("hint.known_flows", names=", ".join(sorted(self._current))),
            ) from None

    def pin(self, db: Session, name: str, now: dt.datetime) -> tuple[FlowVersion, FlowDefinition]:
        """The stored version of the current definition of `name`, storing it if new."""
        flow = self.get(name)
        row = queries.store_flow_version(db, flow.name, flow.content_hash, flow.to_dict(), now)
        assert row.id is not None
        self._pinned[row.id] = flow
        return row, flow

    def pinned(self, db: Session, version_id: int) -> FlowDefinition:
        """The definition an item started on; read from the store, not from today's file."""
        cached = self._pinned.get(version_id)
        if cached is not None:
            return cached
        row = queries.flow_version_by_id(db, version_id)
        if row is None:
            raise NotFound(t("what.flow_version"), version_id)
        flow = FlowDefinition.from_dict(row.definition)
        self._pinned[version_id] = flow
        return flow
