"""Closing a meeting at a terminal: the questions of an interactive `routing meeting close`,
and the table of what was recorded.

The questions are asked with rich's `Prompt` (the terminal echoes what is typed; nothing else
draws on the screen meanwhile): who attended, then per item the steps the rules allow now
(numbered, with the body each leads to by name), the besluit and a note, then a summary to
confirm or change. An item refused while writing is asked about again with the reason, the
other answers kept. Lays out what the engine hands it and decides nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Console
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text

from routing.engine.meeting_close import Agenda, Answer, Attendance, Point, Step
from routing.errors import RefusedByRules
from routing.i18n import format_date, t, tn
from routing.read.decisions import decision_phrase
from routing.render.terminal import user_text
from routing.text import visible

if TYPE_CHECKING:
    from routing.engine.meeting_close import Closed

__all__ = ["TerminalInterview", "attendance_line", "closed_table", "outcome_line", "summary_table"]

_TRIES = 20  # a wrong answer is asked again, a bounded number of times
_SKIP = "0"


class TerminalInterview:
    """The `Interview` of `routing.engine.meeting_close`, on a terminal."""

    def __init__(self, console: Console, tz: ZoneInfo) -> None:
        self.console, self.tz = console, tz
        # line editing: the arrow keys move in the answer instead of typing escape codes
        with contextlib.suppress(ImportError):  # not on every platform
            import readline  # noqa: F401, PLC0415

    def _ask(self, question: str, default: str = "") -> str:
        shown = Text(question)
        if default:
            shown.append(f" [{visible(default)}]", style="cyan")
        try:
            answer = Prompt.ask(shown, console=self.console, default=default, show_default=False)
        except EOFError:  # Ctrl-D, or the input ran out: stop, as "nee" does
            self.console.print()
            raise RefusedByRules(t("close.stopped")) from None
        return answer.strip()

    def attendance(self, agenda: Agenda) -> Attendance:
        when = format_date(agenda.start.astimezone(self.tz), with_time=True, weekday=True)
        self.console.print(
            Text(tn("close.heading", len(agenda.points), body=agenda.body_name, when=when,
                    count=len(agenda.points)),
                 style="bold")
        )  # fmt: skip
        if agenda.chair:
            self.console.print(Text(t("close.chair", name=agenda.chair)))
        self.console.print(Text(t("close.names_hint"), style="dim"))
        present = _names(self._ask(t("close.ask_present"), ", ".join(agenda.attendance.present)))
        folded = {name.casefold() for name in present}
        proposed = [*agenda.attendance.absent]
        proposed += [n for n in agenda.attendance.present if n.casefold() not in folded]
        absent = _names(self._ask(t("close.ask_absent"), ", ".join(dict.fromkeys(proposed))))
        gone = {name.casefold() for name in absent}
        return Attendance(tuple(n for n in present if n.casefold() not in gone), tuple(absent))

    def answer(self, point: Point, given: Answer | None, refusal: str | None) -> Answer:
        console = self.console
        console.print()
        if refusal is not None:
            console.print(Text(t("close.refused", id=point.item_id, reason=refusal), style="red"))
            console.print(Text(t("close.refused_hint"), style="yellow"))
        header = Text(f"#{point.item_id} ", style="bold")
        header.append(visible(point.title), style="bold")
        console.print(header)
        where = point.state_title + (f" · {point.body_name}" if point.body_name else "")
        console.print(Text(f"  {t('close.now')}: {visible(where)}", style="dim"))
        if not point.steps:
            console.print(Text("  " + t("close.no_steps"), style="yellow"))
        names = max((len(step.trigger) for step in point.steps), default=0)
        for number, step in enumerate(point.steps, start=1):
            line = Text(f"  {number:>2}  ")
            line.append(step.trigger.ljust(names), style="bold")
            line.append(f"  {visible(step.title)}")
            line.append(f"  → {visible(_destination(step))}", style="cyan")
            console.print(line)
        console.print(Text(f"  {_SKIP:>2}  {t('close.skip_line')}", style="dim"))
        before = point.step(given.trigger) if given is not None else None
        default = str(point.steps.index(before) + 1) if before is not None else _SKIP
        chosen = self._choose(point, default)
        if chosen is None:
            return Answer()
        step = chosen
        suggestion = decision_phrase(
            step.trigger, stays=step.stays, to_body=step.to_body, to_state=step.to_title
        )
        console.print(Text("  " + t("close.decision_hint", phrase=suggestion), style="dim"))
        # the besluit belongs to the step it was given with; a note stays whatever the step
        same = given is not None and given.trigger == step.trigger
        decision = self._ask(
            t("close.ask_decision"), (given.decision or "") if given and same else ""
        )
        note = self._ask(t("close.ask_note"), (given.note or "") if given else "")
        inform = self._inform(step, given.inform_ei if given and same else None)
        return Answer(step.trigger, decision or None, note or None, inform)

    def _inform(self, step: Step, before: bool | None) -> bool | None:
        """Whether to inform E&I, where the flow leaves that to the secretary."""
        if step.asks_ei is None:
            return None
        yes, no = t("close.yes"), t("close.no")
        default = "" if before is None else (yes if before else no)
        for _ in range(_TRIES):
            typed = self._ask(t("close.ask_ei", body=step.asks_ei, yes=yes, no=no), default)
            if typed.casefold() in (yes.casefold(), no.casefold()):
                return typed.casefold() == yes.casefold()
            self.console.print(Text("  " + t("close.not_yes_no", typed=typed), style="red"))
        return None

    def _choose(self, point: Point, default: str) -> Step | None:
        for _ in range(_TRIES):
            typed = self._ask(t("meeting.ask"), default)
            if typed == _SKIP or typed.casefold() == t("meeting.skip").casefold():
                return None
            if typed.isdigit() and 1 <= int(typed) <= len(point.steps):
                return point.steps[int(typed) - 1]
            step = point.step(typed)
            if step is not None:
                return step
            self.console.print(Text("  " + t("close.not_a_step", typed=typed), style="red"))
        return None

    def confirm(
        self, agenda: Agenda, answers: Mapping[int, Answer], attendance: Attendance
    ) -> bool | int:
        self.console.print()
        self.console.print(summary_table(agenda, answers, attendance))
        yes, no, change = t("close.yes"), t("close.no"), t("close.change")
        for _ in range(_TRIES):
            typed = self._ask(t("close.ask_confirm", yes=yes, no=no, change=change), yes)
            word, _, rest = typed.casefold().partition(" ")
            if word == yes.casefold():
                return True
            if word == no.casefold():
                return False
            number = rest.strip().lstrip("#") if word == change.casefold() else word.lstrip("#")
            if number.isdigit() and any(p.item_id == int(number) for p in agenda.points):
                return int(number)
            self.console.print(Text("  " + t("close.not_a_choice", typed=typed), style="red"))
        return False


def _names(typed: str) -> list[str]:
    return list(dict.fromkeys(name.strip() for name in typed.split(",") if name.strip()))


def _destination(step: Step) -> str:
    if step.stays:
        return t("close.stays")
    return step.to_body or step.to_title


@user_text
def summary_table(agenda: Agenda, answers: Mapping[int, Answer], attendance: Attendance) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=t("close.summary"), title_justify="left")
    table.add_column(t("label.id"), justify="right", no_wrap=True)
    table.add_column(t("label.title"), overflow="fold", max_width=36)
    table.add_column(t("close.col_outcome"))
    table.add_column(t("close.col_decision"), overflow="fold")
    table.add_column(t("label.note"), overflow="fold")
    for point in agenda.points:
        answer = answers.get(point.item_id) or Answer()
        step = point.step(answer.trigger)
        if step is None:
            outcome = Text(t("meeting.no_outcome"), style="dim")
        else:
            outcome = Text(step.trigger, style="bold")
            outcome.append(f" → {_destination(step)}")
        decision = answer.decision or (
            decision_phrase(step.trigger, stays=step.stays, to_body=step.to_body,
                            to_state=step.to_title) if step else ""
        )  # fmt: skip
        table.add_row(
            f"#{point.item_id}", point.title, outcome,
            Text(decision, style="" if answer.decision else "dim"), answer.note or "",
        )  # fmt: skip
    table.caption = attendance_line(attendance)
    table.caption_justify = "left"
    return table


@user_text
def closed_table(closed: Sequence[Closed]) -> Table:
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column(t("label.id"), justify="right")
    table.add_column(t("label.title"), overflow="ellipsis", max_width=50)
    table.add_column(t("label.step"))
    table.add_column(t("label.to"))
    table.add_column(t("close.col_decision"), overflow="fold")
    for c in closed:
        step = c.trigger or t("meeting.no_outcome")
        table.add_row(str(c.item_id), c.title, step, c.to_title or c.to_state, c.decision or "")
    if not closed:
        table.caption = t("meeting.empty")
    return table


@user_text
def attendance_line(attendance: Attendance) -> Text:
    present = ", ".join(attendance.present) or t("label.none")
    absent = ", ".join(attendance.absent) or t("label.none")
    return Text(t("close.attendance_line", present=present, absent=absent))


@user_text
def outcome_line(closed: Closed, body_name: str, day: dt.date) -> Text:
    return Text(
        t("close.outcome_recorded", id=closed.item_id, trigger=closed.trigger or "",
          body=body_name, date=format_date(day), to=closed.to_title or closed.to_state)
    )  # fmt: skip
