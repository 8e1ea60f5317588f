"""Figures over a period, aggregated by the database: per step, per body, per target.

For `routing stats`: the database reads the period's audit events through `ix_audit_event_at`
(and an item's earlier events through `ix_audit_event_item_id`) and hands back one row per
(flow, state), so a caller never holds the events themselves. No rules: which triggers defer or
roll over, which deadline kinds are papers, how a target counts as reached, that is `routing`'s.
The `*_SQL` statements are the ones that run, for measuring them bare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from store.types import UTCDateTime

__all__ = [
    "COUNTS_SQL",
    "LATE_SQL",
    "TARGETS_SQL",
    "late_papers",
    "medians_sql",
    "step_counts",
    "step_medians",
    "target_states",
]

# per (flow, state left): events leaving it, and the two reflexive triggers the caller names
COUNTS_SQL = """
SELECT i.flow_name, e.from_state,
       SUM(CASE WHEN e.to_state <> e.from_state THEN 1 ELSE 0 END),
       SUM(CASE WHEN e."trigger" = :defer THEN 1 ELSE 0 END),
       SUM(CASE WHEN e."trigger" = :roll THEN 1 ELSE 0 END)
FROM audit_event AS e JOIN item AS i ON i.id = e.item_id
WHERE e.at >= :start AND e.at < :end AND e.from_state IS NOT NULL
GROUP BY i.flow_name, e.from_state
ORDER BY i.flow_name, e.from_state
"""

# days between entering a state (its item's last event into it before) and leaving it
_DAYS = {
    "sqlite": "julianday(e.at) - julianday({entered})",
    "postgresql": "EXTRACT(EPOCH FROM (e.at - {entered})) / 86400.0",
}


def medians_sql(dialect: str) -> str:
    """Per (flow, state left in the period): the median days an item stayed in it."""
    entered = """(SELECT MAX(p.at) FROM audit_event AS p
                  WHERE p.item_id = e.item_id AND p.id < e.id AND p.to_state = e.from_state
                    AND (p.from_state IS NULL OR p.from_state <> p.to_state))"""
    days = _DAYS[dialect].format(entered=entered)
    return f"""
WITH stays AS (
    SELECT i.flow_name AS flow_name, e.from_state AS state, {days} AS days
    FROM audit_event AS e JOIN item AS i ON i.id = e.item_id
    WHERE e.at >= :start AND e.at < :end AND e.from_state IS NOT NULL
      AND e.to_state <> e.from_state),
ranked AS (
    SELECT flow_name, state, days,
           ROW_NUMBER() OVER (PARTITION BY flow_name, state ORDER BY days) AS rn,
           COUNT(*) OVER (PARTITION BY flow_name, state) AS n
    FROM stays WHERE days IS NOT NULL)
SELECT flow_name, state, AVG(days) FROM ranked
WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
GROUP BY flow_name, state
ORDER BY flow_name, state
"""


# papers deadlines due in the period (and passed) that were not met by their moment; every
# status but `failed` named, so `ix_deadline_open_due` (status, due_at) finds the period's rows
LATE_SQL = """
SELECT d.body, COUNT(*) FROM deadline AS d
WHERE d.status IN ('open', 'escalated', 'done', 'superseded')
  AND d.due_at >= :start AND d.due_at < :end AND d.due_at <= :now
  AND d.kind IN ({kinds})
  AND (d.handled_at IS NULL OR d.handled_at > d.due_at)
GROUP BY d.body
ORDER BY d.body
"""

# items whose target meeting fell in the period, with each state reached by that meeting
TARGETS_SQL = """
SELECT i.id, i.flow_version_id, i.target_body, e.to_state
FROM item AS i LEFT JOIN audit_event AS e ON e.item_id = i.id AND e.at <= i.target_meeting_at
WHERE i.target_meeting_at >= :start AND i.target_meeting_at < :end
  AND i.target_meeting_at <= :now AND i.target_body IS NOT NULL
GROUP BY i.id, i.flow_version_id, i.target_body, e.to_state
ORDER BY i.id
"""


def _moments(statement: str, *names: str) -> Any:
    return text(statement).bindparams(*(bindparam(n, type_=UTCDateTime()) for n in names))


def step_counts(
    db: Session, start: dt.datetime, end: dt.datetime, defer: str, roll: str
) -> Iterator[tuple[str, str, int, int, int]]:
    """(flow, state, left, deferred, rolled over) per state left or kept in [start, end)."""
    params = {"start": start, "end": end, "defer": defer, "roll": roll}
    for row in db.connection().execute(_moments(COUNTS_SQL, "start", "end"), params):
        yield row[0], row[1], int(row[2] or 0), int(row[3] or 0), int(row[4] or 0)


def step_medians(
    db: Session, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[str, str, float]]:
    """(flow, state, median days in it) per state left in [start, end)."""
    statement = _moments(medians_sql(db.get_bind().dialect.name), "start", "end")
    for row in db.connection().execute(statement, {"start": start, "end": end}):
        yield row[0], row[1], float(row[2])


def late_papers(
    db: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime, kinds: Collection[str]
) -> dict[str, int]:
    """Per body: its deadlines of `kinds` due in [start, end) (and before `now`) missed."""
    names = ", ".join(f":k{n}" for n in range(len(kinds))) or "NULL"
    statement = _moments(LATE_SQL.format(kinds=names), "start", "end", "now")
    params = {"start": start, "end": end, "now": now,
              **{f"k{n}": kind for n, kind in enumerate(kinds)}}  # fmt: skip
    return {row[0]: int(row[1]) for row in db.connection().execute(statement, params)}


def target_states(
    db: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> Iterator[tuple[int, int, str, str | None]]:
    """(item, flow version, target body, a state reached by the target meeting) per item whose
    target meeting fell in [start, end) and before `now`; one row per state."""
    statement = _moments(TARGETS_SQL, "start", "end", "now")
    for row in db.connection().execute(statement, {"start": start, "end": end, "now": now}):
        yield row[0], row[1], row[2], row[3]
