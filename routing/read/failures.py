"""The sweep effects that were given up, as JSON-ready rows for `routing status` and
`routing outbox`: failed deadlines (reminder, escalation, roll-over) and failed effects without a
row of their own (feedback item, digest, warnings, meeting sync), each with its reason."""

from __future__ import annotations

from typing import Any

from routing.runtime import Runtime
from store import deadlines as deadline_queries
from store import outbox as outbox_queries

__all__ = ["failed_effects"]

# the effect a deadline drives, by the deadline's kind
_EFFECT = {"reminder": "reminder", "papers": "escalation", "handover": "escalation"}


def failed_effects(rt: Runtime) -> list[dict[str, Any]]:
    with rt.session(read=True) as db:
        found: list[dict[str, Any]] = [
            {
                "key": f"deadline:{row.id}",
                "kind": _EFFECT.get(row.kind, "rollover"),
                "item_id": row.item_id,
                "attempts": row.attempts,
                "failed_at": row.handled_at.isoformat() if row.handled_at else None,
                "error": row.last_error,
            }
            for row in deadline_queries.failed(db)
        ]
        found.extend(
            {
                "key": row.key,
                "kind": row.kind,
                "item_id": row.item_id,
                "attempts": row.attempts,
                "failed_at": row.failed_at.isoformat() if row.failed_at else None,
                "error": row.last_error,
            }
            for row in outbox_queries.effect_failures(db)
        )
    return found
