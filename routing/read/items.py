"""Reading items and flows into plain, JSON-ready shapes.

These dictionaries are the documented `--json` output (see README, "JSON output") and also what the
rich views render, so the terminal and a script always see the same facts. Keys are only ever
added, never renamed or removed, within a major version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session

from flows import FlowDefinition
from routing.config.guards import GUARDS
from routing.errors import NotFound
from routing.i18n import t
from routing.read import papers
from routing.read.finding import ItemFilter, conditions
from routing.runtime import Runtime
from store import Item, queries, rows

__all__ = ["PinnedFlows", "flow_dict", "item_detail", "item_dict", "list_items"]


def _iso(moment: dt.datetime | dt.date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def item_dict(item: Item | Any, flow: FlowDefinition, version: str | None = None) -> dict[str, Any]:
    """`item` (an ORM object or a `store.rows` row) on `flow`, its pinned definition; `version`
    is the definition's short hash when the caller already has it (hashing is not free)."""
    state = flow.state(item.state)
    return {
        "id": item.id,
        "title": item.title,
        "flow": item.flow_name,
        "flow_version": version if version is not None else flow.content_hash[:12],
        "state": item.state,
        "state_title": state.title,
        "body": state.body,
        "final": state.final,
        "kenmerk": item.kenmerk,
        "document_date": _iso(item.document_date),
        "sender": item.sender,
        "topics": list(item.topics),
        "owner": item.owner,
        "asked": item.asked,
        "openbaar": item.openbaar,
        "verspreiden": item.verspreiden,
        "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at),
        "version": item.version,
    }


def list_items(
    rt: Runtime,
    *,
    state: str | None = None,
    body: str | None = None,
    flow: str | None = None,
    include_closed: bool = True,
    filters: ItemFilter | None = None,
) -> list[dict[str, Any]]:
    """The items, by id; `filters` (`routing.read.finding`) are applied by the database."""
    if body is not None:
        rt.config.body(body)  # an unknown body is bad input, not an empty list
    if flow is not None:
        rt.catalog.get(flow)
    where = conditions(rt, filters, rt.clock.now()) if filters is not None else []
    with rt.session(read=True) as db:
        if state is not None:
            _check_state(rt, db, state)
        pinned = PinnedFlows(rt, db)
        found = rows.item_rows(
            db,
            states=[state] if state else None,
            flow=flow,
            closed=None if include_closed else pinned.final_states(),
            where=where,
        )
        result = []
        for item in found:
            definition, version = pinned.get(item.flow_version_id)
            shaped = item_dict(item, definition, version)
            if body is not None and shaped["body"] != body:
                continue
            if not include_closed and shaped["final"]:
                continue
            result.append(shaped)
    return result


class PinnedFlows:
    """The pinned flow definitions of a read over many items, each with its short hash once."""

    def __init__(self, rt: Runtime, db: Session) -> None:
        self._rt, self._db = rt, db
        self._known: dict[int, tuple[FlowDefinition, str]] = {}

    def get(self, version_id: int) -> tuple[FlowDefinition, str]:
        known = self._known.get(version_id)
        if known is None:
            flow = self._rt.catalog.pinned(self._db, version_id)
            known = self._known[version_id] = (flow, flow.content_hash[:12])
        return known

    def final_states(self) -> dict[int, list[str]]:
        """Each stored flow version with the states that end it."""
        return {
            version: [s.name for s in self.get(version)[0].states if s.final]
            for version in rows.flow_version_ids(self._db)
        }


def _check_state(rt: Runtime, db: Session, state: str) -> None:
    """An unknown state is bad input, not an empty list: a state of a flow in force, or one an
    item is in (on a flow version since changed)."""
    known = {name for flow in rt.catalog.current.values() for name in flow.state_names}
    if state in known:
        return
    known |= queries.item_states(db)
    if state not in known:
        hint = t("hint.known_states", states=", ".join(sorted(known)))
        raise NotFound(t("what.state"), f"'{state}'", hint)


def _possible(db: Session, flow: FlowDefinition, item: Item) -> list[dict[str, Any]]:
    options = []
    for trigger in flow.triggers_from(item.state):
        guard = GUARDS[trigger.guard] if trigger.guard else None
        allowed = guard is None or guard.test(item)
        dest = trigger.target_from(item.state)
        options.append(
            {
                "trigger": trigger.name,
                "title": trigger.title,
                "dest": dest,
                "guard": trigger.guard,
                "allowed": allowed,
                "refusal": None if allowed or guard is None else guard.explain(item),
            }
        )
    return options


def item_detail(rt: Runtime, item_id: int) -> dict[str, Any]:
    # the engine's item module brings the calendars (icalendar, holidays): only for `show`
    from routing.engine import ratification  # noqa: PLC0415
    from routing.engine.items import load_item  # noqa: PLC0415
    from store import ratifications  # noqa: PLC0415

    with rt.session(read=True) as db:
        item = load_item(db, item_id)
        flow = rt.catalog.pinned(db, item.flow_version_id)
        detail = item_dict(item, flow)
        current = rt.catalog.current.get(item.flow_name)
        detail["flow_version_current"] = (
            current is not None and current.content_hash == flow.content_hash
        )
        detail["possible"] = _possible(db, flow, item)
        detail["history"] = [
            {
                "at": _iso(event.at),
                "actor": event.actor,
                "trigger": event.trigger,
                "from": event.from_state,
                "to": event.to_state,
                "note": event.note,
            }
            for event in queries.audit_trail(db, item_id)
        ]
        folder = rt.config.papers_folder
        found = papers.by_item(db, [item_id]).get(item_id, [])
        detail["papers"] = [papers.paper_dict(paper, folder) for paper in found]
        # the answers of the bodies asked to ratify its decision; the parent, for a child
        detail["ratification"] = ratification.summary(rt, db, item_id)
        parent = ratifications.parent_of(db, item_id)
        detail["ratifies"] = parent.parent_id if parent else None
    return detail


def flow_dict(flow: FlowDefinition) -> dict[str, Any]:
    from routing.engine import machines  # noqa: PLC0415 - transitions: only for `routing flows`

    return {
        "name": flow.name,
        "title": flow.title,
        "kind": flow.kind,
        "version": flow.content_hash[:12],
        "initial": flow.initial,
        "states": [
            {"name": s.name, "title": s.title, "body": s.body, "final": s.final}
            for s in flow.states
        ],
        "triggers": [
            {
                "name": tr.name,
                "title": tr.title,
                "sources": list(tr.sources),
                "dest": tr.dest,
                "guard": tr.guard,
            }
            for tr in flow.triggers
        ],
        "inform_ei": (
            {
                "body": flow.inform_ei.body,
                "trigger": flow.inform_ei.trigger,
                "mode": flow.inform_ei.mode,
            }
            if flow.inform_ei
            else None
        ),
        "possible_from": {s.name: machines.possible_triggers(flow, s.name) for s in flow.states},
    }
