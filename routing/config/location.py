"""Where routing.toml is, and its language, found without loading the whole file.

Kept apart from `routing.config.file` (which validates everything and pulls in SQLAlchemy for
the database URL) so `routing --help` can learn the language in a few milliseconds.
"""

from __future__ import annotations

import os
from pathlib import Path

from routing.i18n import LANGUAGES

__all__ = ["configured_language", "find_config_path"]


def find_config_path(explicit: str | Path | None) -> Path:
    """`--config`, else `ROUTING_CONFIG`, else `./routing.toml`."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get("ROUTING_CONFIG")
    if from_env:
        return Path(from_env)
    return Path.cwd() / "routing.toml"


def configured_language(explicit: str | Path | None) -> str | None:
    """Only the `language` of routing.toml, cheaply, for texts shown before a command loads
    the whole file (its --help). A missing or broken file says nothing here: the command
    itself reports it."""
    try:
        handle = find_config_path(explicit).open("rb")
    except OSError:
        return None
    import tomllib  # noqa: PLC0415 - only when there is a file: `routing --help` elsewhere

    try:
        with handle:
            value = tomllib.load(handle).get("language")
    except (OSError, ValueError, RecursionError):  # not TOML, not UTF-8, nested too deep
        return None
    return value if isinstance(value, str) and value in LANGUAGES else None
