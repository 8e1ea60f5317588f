"""The schema revisions the code knows, and the one a database is at, without Alembic.

Every command checks the database's revision before it touches a table. Asking Alembic for that
imports Alembic and Mako and compiles every migration script, which costs a read-only command
(`routing status`, `routing list`, `routing show`) more than the read itself. The revision ids
are plain assignments at the top of each script (`revision = "0005"`, `down_revision = "0004"`),
so they are read from the files' text; the database's revision is the one row of Alembic's own
`alembic_version` table. `store.db.migrate` still runs the upgrades through Alembic, and a test
checks that this reading agrees with Alembic's.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from sqlalchemy import Connection, inspect, text

__all__ = ["VERSION_TABLE", "code_head", "database_revision", "known_revisions", "revision_links"]

VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"^revision\s*(?::\s*str\s*)?=\s*[\"'](?P<id>[^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(
    r"^down_revision\s*(?::[^=]*)?=\s*(?:None|[\"'](?P<id>[^\"']+)[\"'])", re.MULTILINE
)


@functools.cache
def revision_links() -> dict[str, str | None]:
    """Each revision of store/migrations/versions with the revision it follows (None: the first)."""
    links: dict[str, str | None] = {}
    folder = resources.files("store") / "migrations" / "versions"
    for script in folder.iterdir():
        if not script.name.endswith(".py") or script.name.startswith("__"):
            continue
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{script.name}: no plain `revision = ...` / `down_revision = ...`")
        links[revision["id"]] = down["id"]
    return links


def known_revisions() -> frozenset[str]:
    return frozenset(revision_links())


@functools.cache
def code_head() -> str:
    """The newest revision the code knows: the one no other revision follows."""
    links = revision_links()
    heads = set(links) - {down for down in links.values() if down is not None}
    if len(heads) != 1:
        raise RuntimeError(f"store/migrations must have exactly one head, not {sorted(heads)}")
    return heads.pop()


def database_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for a database Alembic has not touched yet."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        raise RuntimeError(f"{VERSION_TABLE} holds several revisions: {sorted(rows)}")
    return rows[0] if rows else None
