"""Late items: may an item still join a body's meeting whose papers deadline has passed?

A step that takes an item to a body plans it on the body's next meeting whose papers deadline
is still ahead (`planning.choose`). When an earlier meeting of that body has not begun yet but
its papers deadline has passed, the body's policy (`[bodies.X] late` in routing.toml) decides:

- "next" (volgende, the default, as before this setting existed): the item goes to the next
  meeting after that one, and the step says it was too late for it;
- "allow" (toestaan): the item joins that meeting, its papers deadline marked missed at once
  (shown late until the papers are in; no escalation mail: everybody knows);
- "refuse" (weigeren): `routing move` is refused, unless it is given `--late`; a step taken at
  a meeting's close or by the daemon then goes to the next meeting, as with "next";
- "exception" (uitzondering): the item goes to the next meeting, as with "next", and asks the
  body's chair to let it join the late one (`routing.engine.late_exceptions`): she decides by
  `[bodies.X] late_exception_lead` before that meeting. When that moment has passed already,
  there is nothing to ask: the item simply goes to the next meeting.

`routing move ... --late` asks for the late meeting explicitly, whatever the policy; the history
records it. A person (the wethouder's hand-over) and a step that needs no papers are never late;
a registration, a roll-over and a re-plan after a meeting change take the next meeting whose
papers deadline is ahead, as always.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from routing import calendar
from routing.config.file import Config
from routing.engine.notify import local
from routing.errors import RefusedByRules
from routing.i18n import t

__all__ = ["ASKED", "MOVE", "STEP", "LateChoice", "choose"]

ASKED = "asked"  # `routing move --late`: the late meeting, whatever the policy
MOVE = "move"  # a plain `routing move`: the policy, "refuse" refuses
STEP = "step"  # a step taken at a meeting's close: the policy, "refuse" plans on the next


@dataclass(frozen=True)
class LateChoice:
    meeting: calendar.Meeting | None
    late: bool = False  # joins `meeting` after its papers deadline
    skipped: calendar.Meeting | None = None  # the meeting it was too late for
    exception_due: dt.datetime | None = None  # "exception": the chair decides on `skipped` by


def choose(
    config: Config,
    cal: calendar.BodyCalendar,
    body: str,
    now: dt.datetime,
    feasible: calendar.Meeting | None,
    how: str,
) -> LateChoice:
    """The meeting an item entering `body` at `now` goes to, `feasible` being the first whose
    papers deadline is ahead; `how` says who asks (ASKED, MOVE, STEP)."""
    first = calendar.next_feasible(cal, now, needs_papers=False)  # the first not begun
    if first is None or (feasible is not None and first.start >= feasible.start):
        return LateChoice(feasible)  # nothing to be late for
    policy = config.bodies[body].late
    if how == ASKED or policy == "allow":
        return LateChoice(first, late=True)
    if policy == "refuse" and how == MOVE:
        raise RefusedByRules(
            t(
                "err.late_refused",
                body=config.bodies[body].name,
                meeting=local(first.start, config),
                due=local(first.papers_due, config),
            )
        )
    if policy == "exception":
        lead = calendar.Lead.parse(config.bodies[body].late_exception_lead)
        due = lead.before(first.start, config.workdays, None)
        if due > now:
            return LateChoice(feasible, skipped=first, exception_due=due)
    return LateChoice(feasible, skipped=first)
