"""Usage errors as one line in the user's language: what was wrong and where to look.

click (as vendored by typer) prints a usage error as three English lines ("Usage: ...",
"Try ...", "Error: ...").
The secretariat reads Dutch: each kind of click error is said again here from its data (which
parameter, which value, which option), with the command's help named, and exit code 2.
"""

from __future__ import annotations

import re

# typer (0.2x) vendors its own click: its usage errors are these classes, not the `click`
# package's (which another dependency may install beside it); pinned by typer's upper bound
from typer._click import exceptions as click

from routing.i18n import t

__all__ = ["click_exceptions", "usage_line"]

click_exceptions = click

_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)\.?$")
_COMMAND = re.compile(r"^No such command '(?P<name>[^']*)'\.$")
_NEEDS_VALUE = re.compile(r"^Option '(?P<option>[^']*)' requires an? argument\.?$")


def _hint(error: click.UsageError) -> str:
    hint = getattr(error, "param_hint", None)
    if hint:
        return str(hint)
    param = getattr(error, "param", None)
    return str(param.get_error_hint()) if param is not None else "?"


def usage_line(error: click.UsageError) -> str:
    """One line naming what was wrong, in the current language, and the help to read."""
    command = error.ctx.command_path if error.ctx is not None else "routing"
    if isinstance(error, click.MissingParameter):
        what = t("usage.missing", param=_hint(error))
    elif isinstance(error, click.NoSuchOption):
        choices = ", ".join(sorted(error.possibilities or []))
        what = t("usage.no_such_option", option=error.option_name)
        if choices:
            what += " " + t("usage.did_you_mean", options=choices)
    elif isinstance(error, click.BadParameter):
        what = t("usage.bad_value", param=_hint(error), detail=_value_detail(error.message))
    elif (match := _EXTRA.match(error.message)) is not None:
        what = t("usage.extra", args=match["args"])
    elif (match := _NEEDS_VALUE.match(error.message)) is not None:
        what = t("usage.needs_value", option=match["option"])
    elif (match := _COMMAND.match(error.message)) is not None:
        what = t("usage.no_such_command", name=match["name"])
    else:
        what = error.message
    return f"{what} {t('usage.see_help', command=command)}"


def _value_detail(message: str) -> str:
    """click's (or pydantic's, for typed arguments) reason for a bad value, in words we own."""
    if "integer" in message:
        return t("usage.not_integer")
    if "is not one of" in message or "is not a valid choice" in message:
        return message  # lists the choices themselves; they need no translation
    return message
