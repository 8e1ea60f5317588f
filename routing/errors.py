"""The one exception family of the project, rooted at `RoutingError`.

Every error a user can cause is a subclass that takes data and writes its own message: what went
wrong, and what to do about it. The CLI prints `str(error)` on one line (a configuration with
several problems: one line for each) and exits with `error.exit_code`: 1 when the rules refuse
(an impossible trigger, a lost optimistic lock), 2 for bad input or bad configuration. Lower
layers (`flows`, `store`) do not import this module; `routing` translates their exceptions into
these at its boundary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from routing.i18n import t, tn

__all__ = [
    "BadInput",
    "CalendarError",
    "ConcurrentWrite",
    "ConfigError",
    "FlowInvalid",
    "ItemChanged",
    "NotFound",
    "RefusedByRules",
    "RoutingError",
    "StoreBusy",
    "TriggerNotPossible",
    "UnknownTrigger",
    "fault_summary",
]

EXIT_REFUSED = 1
EXIT_BAD_INPUT = 2


class RoutingError(Exception):
    """Root of every error the routing software raises on purpose."""

    exit_code = EXIT_BAD_INPUT


class BadInput(RoutingError):
    """The user asked for something malformed; nothing was changed."""

    exit_code = EXIT_BAD_INPUT


class NotFound(BadInput):
    """A named thing (item, flow, body, meeting) does not exist."""

    def __init__(self, what: str, key: object, hint: str = "") -> None:
        self.what = what
        self.key = key
        message = t("err.not_found", what=what, key=key)
        if hint:
            message += f" {hint}"
        super().__init__(message)


class ConfigError(BadInput):
    """A configuration file is invalid; every problem found is listed at once: one problem on
    the line of the file's name, several each on a line of their own."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        # one line each, also when a problem quotes a value that spans lines (a TOML multi-line
        # string): the line break is shown, not made
        self.problems = [_one_line(str(problem)) for problem in problems]
        if len(self.problems) == 1:
            listed = f" {self.problems[0]}"
        else:
            listed = "".join(f"\n  {problem}" for problem in self.problems)
        count = len(self.problems)
        super().__init__(tn("err.config", count, path=path, count=count, problems=listed))


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


class FlowInvalid(ConfigError):
    """A flow file failed validation."""


class CalendarError(BadInput):
    """A calendar definition or an imported .ics file cannot be used."""


class RefusedByRules(RoutingError):
    """The request is well-formed but the routing rules do not allow it."""

    exit_code = EXIT_REFUSED


class TriggerNotPossible(RefusedByRules):
    def __init__(
        self,
        item_id: int,
        state: str,
        trigger: str,
        sources: Iterable[str],
        possible: Iterable[str],
        reason: str = "",
    ) -> None:
        self.item_id = item_id
        self.state = state
        self.trigger = trigger
        self.possible = sorted(possible)
        source_list = sorted(sources)
        if reason:
            where = reason
        elif source_list:
            where = t(
                "err.trigger_from", trigger=trigger, sources=", ".join(map(repr, source_list))
            )
        else:
            where = t("err.trigger_unknown", trigger=trigger)
        now = ", ".join(self.possible) if self.possible else t("err.nothing_possible")
        super().__init__(t("err.trigger", id=item_id, state=state, where=where, possible=now))


class UnknownTrigger(BadInput):
    """A step the item's flow does not have at all: a typing error, not a refusal by the rules."""

    def __init__(
        self, item_id: int, flow: str, trigger: str, known: Iterable[str], possible: Iterable[str]
    ) -> None:
        self.item_id = item_id
        self.trigger = trigger
        self.known = sorted(set(known))
        now = ", ".join(sorted(possible)) or t("err.nothing_possible")
        super().__init__(
            t("err.trigger_not_in_flow", id=item_id, flow=flow, trigger=trigger,
              known=", ".join(self.known), possible=now)
        )  # fmt: skip


class ItemChanged(RefusedByRules):
    def __init__(self, item_id: int, loaded_version: int) -> None:
        self.item_id = item_id
        super().__init__(t("err.item_changed", id=item_id, version=loaded_version))


def fault_summary(error: BaseException, limit: int = 300) -> str:
    """An unexpected error in one line: its type and the first line of its text. SQLAlchemy
    appends the statement and its parameters (an item's title, a person's address) on later
    lines, which a terminal, a log or a stored reason must not show."""
    text = str(error).strip()
    first = " ".join(text.splitlines()[0].split()) if text else ""
    summary = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return summary if len(summary) <= limit else summary[: limit - 1] + "…"


class ConcurrentWrite(RefusedByRules):
    """Another process wrote the same thing at the same moment; nothing of this step was kept."""

    def __init__(self) -> None:
        super().__init__(t("err.concurrent_write"))


class StoreBusy(RefusedByRules):
    """The database stayed locked by another writer longer than we wait; nothing was kept."""

    def __init__(self) -> None:
        super().__init__(t("err.store_busy"))
