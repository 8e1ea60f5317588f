"""Shared fixtures: a fresh routing.toml and a real SQLite file per test, a pinned clock, and
the installed `routing` command run as a subprocess."""

from __future__ import annotations

import itertools
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest

import store
from routing import i18n
from routing.config.file import Config, parse_config
from routing.runtime import Runtime
from tests import postgres

ROUTING = shutil.which("routing", path=str(Path(sys.executable).parent)) or "routing"
PINNED_NOW = "2024-02-05T09:00"


def starter_text() -> str:
    return resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")


def edited_config(*edits: tuple[str, str]) -> Config:
    """The shipped routing.toml with each (old, new) replaced once, parsed."""
    text = starter_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return parse_config(text, Path("/tmp/routing.toml"))


def mail_through(config: Path, port: int, *, each: bool = True) -> None:
    """Edit routing.toml at `config` to deliver over SMTP to 127.0.0.1:`port` (a loopback server
    of tests/smtp.py, or a port where nothing listens); with `each`, every message goes at once
    (`[notify] mail = "direct"`: the tests of delivery itself), else as shipped (the daily
    overview, tests/test_daily_mail.py)."""
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('channel = "file"', 'channel = "smtp"'),
        ("smtp_port = 25", f"smtp_port = {port}"),
        ('smtp_host = "localhost"', 'smtp_host = "127.0.0.1"'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    if each:
        text = text.replace('mail = "dagelijks"', 'mail = "direct"')
    config.write_text(text, encoding="utf-8")


def in_terminal(
    command: list[str], env: dict[str, str], cwd: Path | None = None
) -> tuple[int, str, bytes]:
    """Run `command` with its stdout on a pseudo-terminal, as a person at a terminal sees it:
    (exit code, what it showed, its stderr)."""
    leader, follower = pty.openpty()
    chunks = []
    try:
        with subprocess.Popen(
            command, stdout=follower, stderr=subprocess.PIPE, env=env, cwd=cwd
        ) as proc:
            os.close(follower)
            for _ in range(100_000):  # bounded: the commands tested write far less
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the follower closed: the command is done
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            code = proc.wait(timeout=60)
            error = proc.stderr.read() if proc.stderr else b""
    finally:
        os.close(leader)
    return code, b"".join(chunks).decode("utf-8"), error


def _child_processes() -> set[int]:
    """This process's living children (Linux: /proc), so a test cannot leave one behind."""
    found: set[int] = set()
    for task in Path("/proc/self/task").glob("*/children"):
        found |= {int(pid) for pid in task.read_text().split()}
    return found


def _open_databases() -> set[str]:
    """SQLite files this process holds open (Linux: /proc), i.e. connections not closed."""
    found: set[str] = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while we looked
        if target.endswith((".db", ".db-wal")) and "/template" not in target:
            found.add(target)
    return found


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    """Fail a test that leaves a thread, a child process or a database connection behind."""
    threads = set(threading.enumerate())
    children = _child_processes()
    databases = _open_databases()
    yield
    left_open = _open_databases() - databases
    assert not left_open, f"the test left database connections open: {sorted(left_open)}"
    new_threads = [t for t in threading.enumerate() if t not in threads and not t.daemon]
    for thread in new_threads:
        thread.join(timeout=5)  # bounded: a thread that is just finishing gets a moment
    alive = [t.name for t in new_threads if t.is_alive()]
    assert not alive, f"the test left threads running: {alive}"
    left = _child_processes() - children
    assert not left, f"the test left child processes running: {sorted(left)}"


@pytest.fixture(autouse=True)
def _dutch() -> Iterator[None]:
    i18n.set_language("nl")
    yield
    i18n.set_language("nl")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "ROUTING_CONFIG",
        "ROUTING_DATABASE_URL",
        "ROUTING_ACTOR",
        "ROUTING_DEBUG",
        "ROUTING_LANG",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "routing.toml"
    path.write_text(starter_text(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    if postgres.server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    with postgres.running_server() as prefix:
        yield prefix


_databases = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_template(postgres_server: str) -> str:
    """A database migrated once; every test's database is a copy of it (CREATE ... TEMPLATE)."""
    url = postgres.create_database(postgres_server, "routing_template")
    engine = store.make_engine(url)
    store.migrate(engine)
    engine.dispose()  # a template must have no connections when it is copied
    return "routing_template"


@pytest.fixture
def postgres_url(postgres_server: str, postgres_template: str) -> Iterator[str]:
    name = f"routing_test_{next(_databases)}"
    yield postgres.create_database(postgres_server, name, template=postgres_template)
    # after the test and its runtime are done: nobody may still be connected to its database
    left = postgres.connections(postgres_server, name)
    assert not left, f"the test left {left} PostgreSQL connection(s) open to {name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store migrated once; tests copy the file instead of migrating again."""
    path = tmp_path_factory.mktemp("template") / "routing.db"
    engine = store.make_engine(f"sqlite:///{path}")
    store.migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def migrated_store(config_path: Path, sqlite_template: Path) -> Path:
    """The default SQLite file next to the config, already migrated (the library made it)."""
    target = config_path.parent / "routing.db"
    shutil.copyfile(sqlite_template, target)
    return target


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The contract suite: tests using `rt` run on a SQLite file and on PostgreSQL."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        monkeypatch.setenv("ROUTING_DATABASE_URL", url)
    return str(request.param)


@pytest.fixture
def rt(config_path: Path, backend: str, migrated_store: Path) -> Iterator[Runtime]:
    runtime = Runtime.open(str(config_path), now=PINNED_NOW, actor="secretaris")
    store.migrate(runtime.raw_engine())
    yield runtime
    runtime.close()


class Cli:
    """The installed `routing` command, run as a user would, on one config."""

    def __init__(self, config: Path) -> None:
        self.config = config

    def __call__(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "ROUTING_CONFIG": str(self.config), "COLUMNS": "120"}
        full_env.pop("ROUTING_DEBUG", None)
        full_env.update(env or {})
        result = subprocess.run(
            [ROUTING, *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=60,
            check=False,
            cwd=next(p for p in self.config.parents if p.exists()),
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"routing {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result


@pytest.fixture
def cli(config_path: Path, migrated_store: Path) -> InProcessCli:
    """The command as a secretary types it, run in this process (fast); tests that need a real
    process (signals, a terminal, `python -m routing`) use `Cli`."""
    runner = InProcessCli(config_path)
    runner("init")
    return runner


class InProcessCli:
    """The `routing` command run in this process (typer's CliRunner), as `main()` would run it:
    a `RoutingError` becomes its exit code and one line, never a traceback."""

    def __init__(self, config: Path) -> None:
        self.config = config

    def __call__(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> InProcessResult:
        from typer.testing import CliRunner

        from routing.cli.app import app, prepare
        from routing.cli.common import settings
        from routing.cli.usage import click_exceptions, usage_line
        from routing.errors import RoutingError

        settings["lang"] = None
        settings["debug"] = None
        runner = CliRunner()
        full_env = {"ROUTING_CONFIG": str(self.config), "COLUMNS": "120", **(env or {})}
        # as main() runs it: the language chosen and the help put in it, before click parses
        with pytest.MonkeyPatch.context() as patch:
            for name, value in full_env.items():
                patch.setenv(name, value)
            try:
                prepare(args)
            except RoutingError as error:
                return self._outcome(args, error.exit_code, "", f"routing: {error}\n", check)
        # as main() runs it: usage errors raised, not printed in English
        result = runner.invoke(app, list(args), env=full_env, standalone_mode=False)
        code, stderr = result.exit_code, result.stderr
        if isinstance(result.exception, RoutingError):
            code, stderr = result.exception.exit_code, f"routing: {result.exception}\n"
        elif isinstance(result.exception, click_exceptions.NoArgsIsHelpError):
            code, stderr = 2, f"{result.exception.message}\n"
        elif isinstance(result.exception, click_exceptions.UsageError):
            code, stderr = 2, f"routing: {usage_line(result.exception)}\n"
        elif result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return self._outcome(args, code, result.stdout, stderr, check)

    @staticmethod
    def _outcome(
        args: tuple[str, ...], code: int, stdout: str, stderr: str, check: bool
    ) -> InProcessResult:
        outcome = InProcessResult(code, stdout, stderr)
        if check and code != 0:
            raise AssertionError(f"routing {' '.join(args)} exited {code}:\n{stdout}{stderr}")
        return outcome


class InProcessResult:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def cmd(config_path: Path, migrated_store: Path) -> InProcessCli:
    runner = InProcessCli(config_path)
    runner("init", "--now", "2024-01-01T00:00")
    return runner


class Terminal:
    """A command on a pseudo-terminal (stdin and stdout), driven as a person types: wait for
    what the screen shows, then type a line. `screen` is everything shown so far as a person
    reads it (colours and cursor codes left out), the echo of what was typed included (the
    terminal echoes it, as it does for a person); `raw` is what the command wrote."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        import select

        self._select = select.select
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the command
            os.execve(command[0], command, env)
        self.raw = ""
        self.screen = ""
        self._seen = ""  # the screen up to the last text expected
        self.code: int | None = None

    def _read(self, timeout: float) -> bool:
        ready, _, _ = self._select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the terminal closed: the command ended
            return False
        self.raw += chunk.decode("utf-8", "replace")
        self.screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", self.raw).replace("\r\n", "\n")
        return bool(chunk)

    def expect(self, text: str, timeout: float = 30) -> str:
        """Wait (bounded) until `text` shows after what was expected before; the new part."""
        start = len(self._seen)
        for _ in range(10_000):
            found = self.screen.find(text, start)
            if found >= 0:
                self._seen = self.screen[: found + len(text)]
                return self.screen[start : found + len(text)]
            if not self._read(timeout):
                break
        self.finish(timeout=0)  # no process left behind by a failing test
        raise AssertionError(f"{text!r} did not show; the screen:\n{self.screen}")

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.code is None:  # a failing test: end the command, leave no process behind
            self.finish(timeout=0)

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode("utf-8") + b"\r")

    def finish(self, timeout: float = 60) -> int:
        """Read to the end and wait for the command; its exit code. With no time left
        (`timeout` 0), a command still running is ended first."""
        for _ in range(10_000):
            if not self._read(timeout):
                break
        ended, status = os.waitpid(self.pid, os.WNOHANG) if timeout == 0 else (0, 0)
        if timeout == 0 and ended == 0:
            os.kill(self.pid, signal.SIGKILL)
        if ended == 0:
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        self.code = os.waitstatus_to_exitcode(status)
        return self.code


DEMO = Path(__file__).resolve().parent.parent / "demo" / "year_2024.py"


@pytest.fixture(scope="session")
def demo_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo's year, played once (about 25 s) for the tests that read it: what it printed,
    and its folder `demo-output` (the store, the mails, the documents). Read it, do not
    change it: other tests read the same year."""
    folder = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("ROUTING_CONFIG", None)
    env.pop("ROUTING_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(DEMO)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout, folder / "demo-output"
