"""When an item is late: the one rule behind `routing list --late`, the board's red cards and
`routing todo`.

An open item is late when it missed a deadline that is its own to meet: its papers deadline
passed without the papers in (or a hand-over deadline, a kind older stores may hold), or the
meeting it is planned on took place without an outcome recorded (for an item with the
wethouder: the meeting of the body she brings it into). A deadline is missed when the sweep
escalated it, or when it is open and its moment has passed (the sweep has not run since). A
reminder that passed is not lateness: the papers deadline after it can still be met. A
roll-over (`[daemon] rollover_after_days` after the meeting) plans the item on the next
meeting, with new deadlines: from then on it counts against those.

`missed` and `is_late` judge one deadline row; `late_condition` asks the same of the database
(`store.finding.missed_deadline`, the same two conditions), so a list of 10,000 items is
filtered in SQL.

Looking back over a period (`routing stats`), a papers deadline (`PAPERS_KINDS`) was missed when
its moment passed before it was handled: papers in later, escalated, or still open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement

from store import finding

__all__ = ["LATE_KINDS", "PAPERS_KINDS", "is_late", "late_condition", "missed"]

# the deadlines whose missing makes an item late (not "reminder")
LATE_KINDS = ("papers", "handover", "meeting")
# the deadlines by which papers (or the hand-over to a person) are due
PAPERS_KINDS = ("papers", "handover")


def missed(deadline: Any, now: dt.datetime) -> bool:
    """Passed without being met: escalated by the sweep, or due before the sweep noticed.
    `deadline`: a `Deadline` or a row with its `status` and `due_at`."""
    return bool(
        deadline.status == "escalated" or (deadline.status == "open" and deadline.due_at <= now)
    )


def is_late(deadline: Any, now: dt.datetime) -> bool:
    """Whether this deadline (a row with `kind`, `status`, `due_at`) makes its item late."""
    return deadline.kind in LATE_KINDS and missed(deadline, now)


def late_condition(now: dt.datetime) -> ColumnElement[bool]:
    """The items late at `now`, as a condition on the item table."""
    return finding.missed_deadline(LATE_KINDS, now)
