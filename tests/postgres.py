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


class Server:
    """A PostgreSQL server of our own in a temporary directory, which a test may stop and start
    again under a running daemon (the session's shared server is never stopped)."""

    def __init__(self) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL server binaries not found; apt-get install postgresql")
        self.binaries = binaries
        as_root = os.geteuid() == 0
        self._as = ["runuser", "-u", "postgres", "--"] if as_root else []
        self.base = Path(tempfile.mkdtemp(prefix="routing-pg-"))
        self.data = self.base / "data"
        if as_root:
            shutil.chown(self.base, "postgres")
        self.port = _free_port()
        self.prefix = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self.binaries / program), *args],
            check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-t", "60",
            "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, the port closes; waits until it is down."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self._as, str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
             "stop"], capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def running_server() -> Iterator[str]:
    """Yields a URL prefix `postgresql+psycopg://postgres@127.0.0.1:PORT/`."""
    server = Server()
    try:
        server.start()
        yield server.prefix
    finally:
        server.remove()


def create_database(prefix: str, name: str, template: str | None = None) -> str:
    """A new database; from `template` (a migrated one) it is a copy, made by the server."""
    import sqlalchemy

    admin = sqlalchemy.create_engine(prefix + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        copy = f' TEMPLATE "{template}"' if template else ""
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')
    admin.dispose()
    return prefix + name


def connections(prefix: str, name: str, settle_seconds: float = 2.0) -> int:
    """How many sessions are connected to database `name` (pg_stat_activity).

    A client that has just closed its connection is still listed until its server process has
    exited (a few milliseconds, longer on a loaded machine): the count is asked again, a bounded
    number of times within `settle_seconds`, until it is zero; a connection really left open
    is still counted after that."""
    import time

    import sqlalchemy

    admin = sqlalchemy.create_engine(prefix + "postgres", isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + settle_seconds
    try:
        with admin.connect() as connection:
            for _ in range(200):  # bounded; the deadline normally ends it first
                count = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %(name)s",
                    {"name": name},
                ).scalar_one()
                if count == 0 or time.monotonic() >= deadline:
                    break
                time.sleep(0.01)
    finally:
        admin.dispose()
    return int(count)
