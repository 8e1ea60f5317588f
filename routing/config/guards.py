"""The guards a flow file may name on a trigger, and why each refuses.

A guard is a question about the item only (not about time or other items), so it can be asked
inside the shared state machine without touching the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from routing.i18n import t
from store import Item

__all__ = ["GUARDS", "Guard"]


@dataclass(frozen=True)
class Guard:
    name: str
    test: Callable[[Item], bool]
    refusal: str  # message key: why it refuses and how to fix it; {id} is the item id

    def explain(self, item: Item) -> str:
        return t(self.refusal, id=item.id)


GUARDS: dict[str, Guard] = {
    guard.name: guard
    for guard in (
        Guard(
            "heeft_kenmerk",
            lambda item: bool(item.kenmerk and item.kenmerk.strip()),
            "err.guard_kenmerk",
        ),
        Guard(
            "heeft_eigenaar",
            lambda item: bool(item.owner and item.owner.strip()),
            "err.guard_owner",
        ),
    )
}
