"""One shared `transitions` machine per flow version, and firing a trigger on one item.

Machines are built once per content hash and kept. An item is never attached to one: a trigger
is fired through the machine's own event (`machine.events[name].trigger(model)`), which reads
the model's state, checks the source, runs the guards as transition conditions and sets the
destination, exactly what the model's trigger method would do, without `Machine.add_model`
and `remove_model` per move (they scan and rebuild the machine's list of models and cost more
than the rest of the trigger). Memory and time stay flat however many items the database holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from transitions import Machine

from flows import FlowDefinition
from routing.config.guards import GUARDS
from store import Item

__all__ = ["Attempt", "allowed_triggers", "fire", "machine_for", "possible_triggers"]

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
    model = _Model(item=item, state=item.state)
    fired = bool(machine.events[trigger].trigger(model))
    return Attempt(
        fired=fired, from_state=item.state, to_state=model.state, refusals=tuple(model.refused_by)
    )


def allowed_triggers(flow: FlowDefinition, item: Item) -> list[str]:
    """The triggers the rules allow on `item` now: those of its state whose guards pass, asked
    through the machine itself (`fire` sets only its own model's state, never the item's)."""
    return [name for name in possible_triggers(flow, item.state) if fire(flow, item, name).fired]
