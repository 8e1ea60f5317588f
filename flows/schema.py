"""The intermediate form of a flow: plain frozen dataclasses, validated before anything runs.

A `FlowDefinition` is what a TOML file becomes after parsing and validation, and what the store
keeps (as `to_dict()`) for every version an item started on. Its `content_hash` identifies a
version: two files that say the same thing share a version, whatever their comments.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["FlowDefinition", "InformEi", "Ratify", "StateDef", "TriggerDef"]

REFLEXIVE = "="


@dataclass(frozen=True)
class StateDef:
    name: str
    title: str
    body: str | None = None
    final: bool = False
    papers: bool = True  # False: nobody in the region submits papers (oral feedback)
    # leaving this state (the decision taken) asks these bodies to ratify it: the
    # [ratification.GROUP] of routing.toml and the lead time of their answer ("6 weken")
    ratification: Ratify | None = None


@dataclass(frozen=True)
class Ratify:
    by: str  # a [ratification.GROUP] key of routing.toml
    lead: str  # after the decision, as other leads: "30 werkdagen", "42 dagen"
    on: tuple[str, ...] = ()  # the steps that take the decision; empty: every step out

    def asked_by(self, trigger: str) -> bool:
        return not self.on or trigger in self.on


def _ratify(data: dict[str, Any] | None) -> Ratify | None:
    if not data:
        return None
    return Ratify(data["by"], data["lead"], tuple(data.get("on", ())))


@dataclass(frozen=True)
class TriggerDef:
    name: str
    sources: tuple[str, ...]
    dest: str  # a state name, or "=" for "stays in the same state"
    guard: str | None = None
    title: str = ""

    def target_from(self, source: str) -> str:
        return source if self.dest == REFLEXIVE else self.dest


@dataclass(frozen=True)
class InformEi:
    body: str
    trigger: str
    mode: str  # auto | secretary | always | never


@dataclass(frozen=True)
class FlowDefinition:
    name: str
    title: str
    kind: str
    initial: str
    states: tuple[StateDef, ...]
    triggers: tuple[TriggerDef, ...]
    inform_ei: InformEi | None = None
    description: str = ""

    def state(self, name: str) -> StateDef:
        for state in self.states:
            if state.name == name:
                return state
        known = ", ".join(s.name for s in self.states)
        raise LookupError(f"flow '{self.name}' has no state '{name}'; its states: {known}")

    @property
    def state_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states)

    def final_states(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.states if s.final)

    def body_states(self) -> tuple[StateDef, ...]:
        return tuple(s for s in self.states if s.body is not None)

    def triggers_from(self, state: str) -> tuple[TriggerDef, ...]:
        return tuple(t for t in self.triggers if state in t.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "initial": self.initial,
            "description": self.description,
            # `papers` only when false, `ratification` only when set: versions stored before
            # they existed keep their hash
            "states": [
                {"name": s.name, "title": s.title, "body": s.body, "final": s.final}
                | ({} if s.papers else {"papers": False})
                | (
                    {
                        "ratification": {"by": s.ratification.by, "lead": s.ratification.lead}
                        | ({"on": list(s.ratification.on)} if s.ratification.on else {})
                    }
                    if s.ratification
                    else {}
                )
                for s in self.states
            ],
            "triggers": [
                {
                    "name": t.name,
                    "sources": list(t.sources),
                    "dest": t.dest,
                    "guard": t.guard,
                    "title": t.title,
                }
                for t in self.triggers
            ],
            "inform_ei": (
                {
                    "body": self.inform_ei.body,
                    "trigger": self.inform_ei.trigger,
                    "mode": self.inform_ei.mode,
                }
                if self.inform_ei
                else None
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FlowDefinition:
        ei = data.get("inform_ei")
        return cls(
            name=data["name"],
            title=data["title"],
            kind=data["kind"],
            initial=data["initial"],
            description=data.get("description", ""),
            states=tuple(
                StateDef(
                    s["name"],
                    s["title"],
                    s.get("body"),
                    bool(s.get("final")),
                    bool(s.get("papers", True)),
                    _ratify(s.get("ratification")),
                )
                for s in data["states"]
            ),
            triggers=tuple(
                TriggerDef(
                    t["name"], tuple(t["sources"]), t["dest"], t.get("guard"), t.get("title", "")
                )
                for t in data["triggers"]
            ),
            inform_ei=InformEi(ei["body"], ei["trigger"], ei["mode"]) if ei else None,
        )

    @functools.cached_property
    def content_hash(self) -> str:
        # kept on the instance (frozen: its content never changes); every move asks for it
        canonical = json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
