"""A throwaway PostgreSQL server for the tests, from the Debian server binaries, on loopback.

Started once per test session in a temporary directory and stopped at the end. As root (CI here)
the server runs as the `postgres` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def server_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server() -> Iterator[str]:
    """Yields a URL prefix `postgresql+psycopg://postgres@127.0.0.1:PORT/`."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found; apt-get install postgresql")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    base = Path(tempfile.mkdtemp(prefix="routing-pg-"))
    data = base / "data"
    if as_root:
        shutil.chown(base, "postgres")
    port = _free_port()
    run = lambda *args: subprocess.run(  # noqa: E731
        [*prefix, *args], check=True, capture_output=True, text=True, timeout=120
    )
    run(str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    run(
        str(binaries / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/"
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


def create_database(prefix: str, name: str, template: str | None = None) -> str:
    """A new database; from `template` (a migrated one) it is a copy, made by the server."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(prefix + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    admin.dispose()
    return prefix + name


def connections(prefix: str, name: str) -> int:
    """How many sessions are connected to database `name` (pg_stat_activity)."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(prefix + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %(name)s", {"name": name}
        ).scalar_one()
    admin.dispose()
    return int(count)
