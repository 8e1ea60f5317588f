"""The database URL: `[database] url`, `ROUTING_DATABASE_URL`, or a SQLite file next to the
config; checked when routing.toml is read, so a bad one is a configuration problem (exit 2) and
not an error on first use.

A URL is refused when SQLAlchemy cannot parse it, when it names another database or driver than
SQLite or PostgreSQL with psycopg, when psycopg is not installed for a PostgreSQL one, or when a
SQLite file would go into a folder that does not exist. The password of a URL is never shown, and
routing.toml may not hold one: a URL with a password belongs in `ROUTING_DATABASE_URL` (or
the password in PostgreSQL's own ~/.pgpass).

`[database] synchronous` is SQLite's durability: "normal" (the default) syncs the WAL at a
checkpoint, not at every commit, so a crash of the process or the daemon loses nothing committed,
but a power loss or an operating-system crash may lose the last transactions; "full" syncs at
every commit and loses nothing, at the price of one disk sync per transaction. PostgreSQL keeps
its own setting (`synchronous_commit`, on by default: every commit is synced).
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from routing.config.schema import Problems
from routing.i18n import t

__all__ = [
    "DEFAULT_DB_NAME",
    "ENVIRONMENT",
    "SUPPORTED",
    "SYNCHRONOUS",
    "database_url",
    "synchronous",
]

DEFAULT_DB_NAME = "routing.db"
ENVIRONMENT = "ROUTING_DATABASE_URL"
# database -> the drivers routing runs on (none named: SQLAlchemy's default, the same one)
SUPPORTED = {"sqlite": ("pysqlite",), "postgresql": ("psycopg",)}
# SQLite's synchronous pragma as routing.toml may set it; the first is the default
SYNCHRONOUS = ("normal", "full")
_SQLITE_EXAMPLE = "sqlite:////var/lib/routing/routing.db"
_POSTGRES_EXAMPLE = "postgresql+psycopg://routing@localhost/routing"
_PASSWORD = re.compile(r":[^:/@]*@")  # user:password@host, also in a URL that does not parse


def database_url(configured: str, config_dir: Path, problems: Problems) -> str:
    """The URL in force: the environment's, else the file's, else a SQLite file in
    `config_dir`. A given URL is checked; its problems go to `problems`."""
    from_env = os.environ.get(ENVIRONMENT)
    if from_env:
        _check(from_env, problems, environment=True)
        return from_env
    if configured:
        _check(configured, problems, environment=False)
        return configured
    return f"sqlite:///{(config_dir / DEFAULT_DB_NAME).resolve()}"


def synchronous(value: str | None, problems: Problems) -> str:
    """The durability `[database] synchronous` asks for ("normal" when not given)."""
    if value is None:
        return SYNCHRONOUS[0]
    chosen = value.strip().lower()
    if chosen not in SYNCHRONOUS:
        problems.add(("database", "synchronous"), "config.db_synchronous", value=value)
        return SYNCHRONOUS[0]
    return chosen


def _check(url: str, problems: Problems, *, environment: bool) -> None:
    def report(message: str, **values: str) -> None:
        values.update(postgres=_POSTGRES_EXAMPLE, sqlite=_SQLITE_EXAMPLE)
        if environment:
            problems.add((), message, where=t("config.db_environment"), **values)
        else:
            problems.add(("database", "url"), message, **values)

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        report("config.db_unparsable", url=_PASSWORD.sub(":***@", url))
        return
    shown = parsed.render_as_string(hide_password=True)
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in SUPPORTED or (driver and driver not in SUPPORTED[backend]):
        report("config.db_backend", url=shown, backend=parsed.drivername)
    elif backend == "postgresql" and not _has_psycopg():
        report("config.db_driver")
    elif backend == "sqlite" and parsed.database and not _in_memory(parsed.database):
        folder = Path(parsed.database).parent
        if not folder.is_dir():
            report("config.db_folder", folder=str(folder))
    elif parsed.password and not environment:
        # a password in a file that is copied, mailed and committed: only the environment
        report("config.db_password", url=shown, variable=ENVIRONMENT)


def _has_psycopg() -> bool:
    """Whether psycopg (the `postgres` extra) is installed; looked up, not imported."""
    return importlib.util.find_spec("psycopg") is not None


def _in_memory(database: str) -> bool:
    return database == ":memory:" or database.startswith("file:")
