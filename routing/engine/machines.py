"""One shared `transitions` machine per flow version, and firing a trigger on one item.

Machines are built once per content hash and kept; an item is attached only for the length of one
trigger and removed again, because `Machine.add_model` scans a Python list of attached models:
memory and time stay flat however many items the database holds. Guards run inside the machine
as transition conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from flows import FlowDefinition
from routing.config.guards import GUARDS
from store import Item

__all__ = ["Attempt", "fire", "machine_for", "possible_triggers"]

_MACHINES: dict[str, Machine] = {}


@dataclass
class _Model:
    """What the machine sees of an item while a trigger runs."""

    item: Item
    state: str = ""
    refused_by: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Attempt:
    fired: bool
    from_state: str
    to_state: str
    refusals: tuple[str, ...] = ()


def _condition(guard_name: str) -> Any:
    guard = GUARDS[guard_name]

    def check(event: Any) -> bool:
        model: _Model = event.model
        if guard.test(model.item):
            return True
        model.refused_by.append(guard.explain(model.item))
        return False

    return check


def machine_for(flow: FlowDefinition) -> Machine:
    machine = _MACHINES.get(flow.content_hash)
    if machine is not None:
        return machine
    machine = Machine(
        model=None,
        states=[state.name for state in flow.states],
        initial=flow.initial,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
    )
    for trigger in flow.triggers:
        machine.add_transition(
            trigger=trigger.name,
            source=list(trigger.sources),
            dest=trigger.dest,
            conditions=[_condition(trigger.guard)] if trigger.guard else [],
        )
    _MACHINES[flow.content_hash] = machine
    return machine


def possible_triggers(flow: FlowDefinition, state: str) -> list[str]:
    """Trigger names that exist from `state` (guards not yet asked), in flow order."""
    return list(dict.fromkeys(t.name for t in flow.triggers_from(state)))


def fire(flow: FlowDefinition, item: Item, trigger: str) -> Attempt:
    """Run `trigger` on the shared machine for `item`; the caller checked it exists here."""
    machine = machine_for(flow)
    model = _Model(item=item)
    machine.add_model(model, initial=item.state)
    try:
        fired = bool(getattr(model, trigger)())
    finally:
        machine.remove_model(model)
    return Attempt(
        fired=fired, from_state=item.state, to_state=model.state, refusals=tuple(model.refused_by)
    )
