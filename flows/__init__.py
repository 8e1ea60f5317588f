"""The flows: the note's routing rules as data, one TOML file per flow, validated on load.

Imports nothing of `routing` or `store`.
"""

from __future__ import annotations

from flows.loader import FlowError, load_flow_file, load_flow_text, load_flows, shipped_flow_paths
from flows.schema import REFLEXIVE, FlowDefinition, InformEi, StateDef, TriggerDef

__all__ = [
    "REFLEXIVE",
    "FlowDefinition",
    "FlowError",
    "InformEi",
    "StateDef",
    "TriggerDef",
    "load_flow_file",
    "load_flow_text",
    "load_flows",
    "shipped_flow_paths",
]
