"""`[papers] folder`: where `routing stukken ID --file` keeps its copies.

Not given: a folder `stukken` next to the database file for SQLite (the papers travel with the
store), next to routing.toml for PostgreSQL (whose database is not a file). Given: a path
relative to routing.toml, or an absolute one. The folder need not exist yet: the first paper
creates it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from routing.config.schema import Problems

__all__ = ["DEFAULT_FOLDER", "papers_folder"]

DEFAULT_FOLDER = "stukken"


def papers_folder(
    table: dict[str, Any], config_dir: Path, database_url: str, problems: Problems
) -> Path:
    """The papers folder in force, absolute."""
    configured: str | None = table.get("folder")
    if configured is not None:
        if not configured.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F for c in configured):
            problems.add(("papers", "folder"), "config.papers_folder", value=configured)
        else:
            return (config_dir / configured.strip()).resolve()
    return (_database_dir(database_url) or config_dir).resolve() / DEFAULT_FOLDER


def _database_dir(url: str) -> Path | None:
    """The folder of a SQLite database file; None for PostgreSQL or an in-memory database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # reported by routing.config.database
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).parent
