"""`routing daemon` as an operator runs it: real processes under a small supervisor, its log in
both formats, SIGTERM, the database and the SMTP server pulled out from under it, `--status`'s
exit code, and the systemd units shipped in deploy/systemd."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import selectors
import shlex
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from routing.effects.daemon import Outage
from routing.effects.logs import JsonFormatter, TextFormatter
from routing.runtime import database_unreachable
from tests import postgres
from tests.conftest import ROUTING, Cli, InProcessCli, mail_through
from tests.smtp import free_port

NOW = "2024-03-01T08:00"
ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
# ISO 8601 with milliseconds and an offset, at the start of every text line
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


class Supervised:
    """`routing daemon` started as a supervisor would: its stderr read line by line, every
    wait bounded, the process always reaped."""

    def __init__(self, config: Path, *args: str, env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, "ROUTING_CONFIG": str(config), **(env or {})}
        full_env.pop("ROUTING_DEBUG", None)
        self.process = subprocess.Popen(
            [ROUTING, "daemon", "--now", NOW, "--interval", "1", *args], env=full_env,
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=config.parent,
        )  # fmt: skip
        assert self.process.stderr is not None
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.process.stderr, selectors.EVENT_READ)
        self.log = ""

    @property
    def lines(self) -> list[str]:
        return self.log.splitlines()

    def _read(self, left: float) -> bool:
        """Read what is there within `left` seconds; False at end of output."""
        assert self.process.stderr is not None
        if not self._selector.select(timeout=max(left, 0)):
            return True
        chunk = os.read(self.process.stderr.fileno(), 65536)
        self.log += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 60.0) -> None:
        """Until `pattern` (a regex) matched `count` lines in all, at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.log)) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {count}× {pattern!r} within {timeout}s:\n{self.log}")
            if not self._read(left):
                raise AssertionError(f"the daemon exited before {pattern!r}:\n{self.log}")

    def read_for(self, seconds: float) -> None:
        """Collect the log for `seconds` (to show that something did NOT happen meanwhile)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if not self._read(left):
                return

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
            assert self.process.stderr is not None
            self.log += self.process.stderr.read().decode("utf-8", "replace")
            self.process.stderr.close()
            self._selector.close()
        return code


@pytest.fixture
def supervise() -> Iterator[list[Supervised]]:
    """Every daemon a test starts is stopped at its end, also when the test fails."""
    started: list[Supervised] = []
    yield started
    for daemon in started:
        if daemon.process.returncode is None:
            daemon.stop(signal.SIGKILL)


@pytest.fixture
def installed(config_path: Path) -> Cli:
    # every message at once: the logs below count what each sweep delivered
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(text.replace('mail = "dagelijks"', 'mail = "direct"'), encoding="utf-8")
    cli = Cli(config_path)
    cli("init", "--now", "2024-01-01T00:00")
    return cli


def test_text_log_starts_with_one_line_naming_what_it_uses(
    installed: Cli, supervise: list[Supervised]
) -> None:
    daemon = Supervised(installed.config)
    supervise.append(daemon)
    daemon.wait_for(r"sweep: ")
    assert daemon.stop() == 0
    first = daemon.lines[0]
    folder = installed.config.parent / "outbox"
    assert re.fullmatch(
        rf"{STAMP} INFO routing\.effects\.daemon: routing daemon started: config "
        rf"{re.escape(str(installed.config))}, database sqlite:///\S+routing\.db, "
        rf"channel file {re.escape(str(folder))}, sweep every 1s, pid \d+",
        first,
    ), first
    for line in daemon.lines:
        assert re.match(rf"{STAMP} (INFO|WARNING|ERROR) \S+: ", line), line
    # the first sweep of this store creates the two feedback items and mails them (file channel)
    assert re.search(r"INFO routing\.effects\.daemon: sweep: feedback 2; sent 2, retry 0, failed 0$",
                     daemon.log, re.M), daemon.log  # fmt: skip
    assert daemon.lines[-1].endswith("routing.effects.daemon: stopped")
    assert "received SIGTERM" in daemon.log
    assert "Traceback" not in daemon.log
    assert "alembic" not in daemon.log and "apscheduler" not in daemon.log
    # one language: no Dutch catalogue text in the operator's log
    assert "terugkoppeling" not in daemon.log.lower() and "niets te doen" not in daemon.log


def test_json_log_is_one_object_per_line_with_offset_and_fields(
    installed: Cli, supervise: list[Supervised]
) -> None:
    daemon = Supervised(installed.config, env={"ROUTING_LOG_FORMAT": "json"})
    supervise.append(daemon)
    daemon.wait_for(r'"message": "sweep: ', count=2)  # the first sweep and an interval one
    assert daemon.stop(signal.SIGINT) == 0
    records = [json.loads(line) for line in daemon.lines]
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record), record
        moment = dt.datetime.fromisoformat(record["time"])
        assert moment.utcoffset() is not None, record["time"]
        assert moment.utcoffset() == dt.timedelta(hours=1)  # Europe/Amsterdam in winter
    start = records[0]
    assert start["level"] == "info" and start["logger"] == "routing.effects.daemon"
    assert start["config"] == str(installed.config)
    assert start["database"].startswith("sqlite:///") and start["interval_seconds"] == 1
    assert start["channel"] == f"file {installed.config.parent / 'outbox'}"
    sweeps = [r for r in records if r["message"].startswith("sweep: ")]
    assert sweeps[0]["counts"] == {"feedback": 2} and sweeps[0]["sent"] == 2
    assert sweeps[1]["counts"] == {} and sweeps[1]["message"].startswith("sweep: nothing due")
    assert records[-1]["message"] == "stopped"


def test_log_options_are_checked(cmd: InProcessCli) -> None:
    bad = cmd("daemon", "--once", "--log-level", "loud", check=False)
    assert bad.returncode == 2 and "--log-level" in bad.stderr and "Traceback" not in bad.stderr
    env = cmd("daemon", "--once", check=False, env={"ROUTING_LOG_FORMAT": "xml"})
    assert env.returncode == 2 and "ROUTING_LOG_FORMAT" in env.stderr


def test_status_exit_code_says_alive_or_silent(installed: Cli) -> None:
    never = installed("daemon", "--status", "--json", check=False)  # a real process's code
    assert never.returncode == 1 and json.loads(never.stdout)["alive"] is False
    installed("daemon", "--once", "--now", NOW)
    cmd = InProcessCli(installed.config)
    alive = cmd("daemon", "--status", "--json", "--now", "2024-03-01T08:10", check=False)
    assert alive.returncode == 0, alive.stderr
    beat = json.loads(alive.stdout)
    assert beat["alive"] is True and beat["silent"] is False
    # silent after three missed sweeps and a minute (sweep_every_minutes = 5: 16 minutes)
    assert beat["silent_after_seconds"] == 16 * 60
    edge = cmd("daemon", "--status", "--now", "2024-03-01T08:16", check=False)
    assert edge.returncode == 0, edge.stdout
    silent = cmd("daemon", "--status", "--now", "2024-03-01T08:17", check=False)
    assert silent.returncode == 1 and "stil" in silent.stdout
    late = installed("daemon", "--status", "--json", "--now", "2024-03-02T08:00", check=False)
    assert late.returncode == 1 and json.loads(late.stdout)["alive"] is False


def test_an_outage_is_said_once_then_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [1000.0]
    outage = Outage(monotonic=lambda: clock[0])
    caplog.set_level(logging.INFO, logger="routing.effects.daemon")
    for _ in range(30):  # a tick every 5 s for 150 s
        outage.failed("database not reachable: x", 5)
        clock[0] += 5
    outage.recovered()
    outage.recovered()  # a second good tick says nothing more
    said = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert said == [
        ("ERROR", "database not reachable: x; the daemon keeps running and tries again every 5s"),
        ("WARNING", "still database not reachable: x (for 60s)"),
        ("WARNING", "still database not reachable: x (for 120s)"),
        ("INFO", "database reachable again after 150s; sweeping resumes"),
    ]


def test_a_database_gone_in_the_middle_of_a_command_is_one_line(
    config_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the check at the start of a command, the database may still go away: the same
    line and exit code as at the start, not "a fault in the software" (exit 3)."""
    from routing.cli import app, common

    port = free_port()  # nothing listens there
    monkeypatch.setenv("ROUTING_DATABASE_URL", f"postgresql+psycopg://u:pw@127.0.0.1:{port}/x")
    common.open_runtime(str(config_path))

    def command() -> None:
        try:
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("server closed"))
        finally:
            common.close_runtimes()  # as click closes the command's context

    with pytest.raises(SystemExit) as stopped:
        app.run(command)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("routing: Database postgresql+psycopg://u:***@127.0.0.1")
    assert "niet bereikbaar (server closed)" in err and err.count("\n") == 1


def test_busy_is_not_down() -> None:
    locked = OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
    gone = OperationalError(
        "SELECT 1", {}, sqlite3.OperationalError("unable to open database file")
    )
    assert not database_unreachable(locked) and database_unreachable(gone)
    assert not database_unreachable(ValueError("x"))


@pytest.fixture
def private_postgres() -> Iterator[postgres.Server]:
    """A PostgreSQL server of this test's own: it is stopped and started under the daemon."""
    if postgres.server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    server = postgres.Server()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.mark.postgres
def test_database_down_one_line_then_recovery(
    config_path: Path, private_postgres: postgres.Server, supervise: list[Supervised]
) -> None:
    url = postgres.create_database(private_postgres.prefix, "routing_outage")
    secret_url = url.replace("postgres@", "postgres:geheim-wachtwoord@")  # trust ignores it
    env = {"ROUTING_DATABASE_URL": secret_url}
    cli = Cli(config_path)
    cli("init", "--now", "2024-01-01T00:00", env=env)

    daemon = Supervised(config_path, env=env)
    supervise.append(daemon)
    daemon.wait_for(r"sweep: feedback 2")
    assert "database postgresql+psycopg://postgres:***@127.0.0.1" in daemon.lines[0]

    private_postgres.stop()
    daemon.wait_for(r"ERROR routing\.effects\.daemon: database not reachable: ")
    daemon.read_for(4.0)  # four more ticks of 1 s, with the database still away
    assert daemon.process.poll() is None, daemon.log
    assert len(re.findall("not reachable", daemon.log)) == 1, daemon.log
    assert "Traceback" not in daemon.log
    down_line = next(line for line in daemon.lines if "not reachable" in line)
    assert "tries again every 1s" in down_line and "routing init" not in down_line

    # meanwhile a command, and a sweep by hand: one clear line, exit 2, no advice to init
    for args in (("daemon", "--once", "--now", NOW), ("list",), ("daemon", "--status"), ("init",)):
        result = cli(*args, check=False, env=env)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr
        assert "niet bereikbaar" in result.stderr and "routing init" not in result.stderr
        assert "geheim-wachtwoord" not in result.stderr and "***" in result.stderr

    private_postgres.start()
    daemon.wait_for(r"INFO routing\.effects\.daemon: database reachable again after \d+s")
    after = daemon.log.index("reachable again")
    daemon.wait_for(r"sweep: nothing due", count=1)
    assert daemon.log.index("sweep: nothing due") > after
    assert daemon.stop() == 0
    assert "Traceback" not in daemon.log and "geheim-wachtwoord" not in daemon.log
    status = cli("daemon", "--status", "--json", "--now", NOW, env=env)
    assert json.loads(status.stdout)["alive"] is True


def test_smtp_down_every_failure_logged_and_the_daemon_goes_on(
    installed: Cli, supervise: list[Supervised]
) -> None:
    port = free_port()  # nothing listens there: the server is down
    mail_through(installed.config, port)
    daemon = Supervised(installed.config, "--log-format", "json")
    supervise.append(daemon)
    daemon.wait_for(r'"message": "sweep: ', count=3)  # it fails, logs, and keeps sweeping
    assert daemon.stop() == 0
    records = [json.loads(line) for line in daemon.lines]
    assert records[0]["channel"] == f"smtp 127.0.0.1:{port}"
    failures = [r for r in records if "not delivered" in r["message"]]
    assert len(failures) == 2, daemon.log  # the two feedback mails, each once (back-off)
    for record in failures:
        assert record["level"] == "warning" and record["logger"] == "routing.effects.delivery"
        assert "to be tried again" in record["message"], record
        assert "ConnectionRefusedError" in record["message"], record
        # the fields a log search filters on, not only inside the message
        assert record["key"].startswith("feedback-mail:") and record["kind"] == "feedback"
        assert record["message_id"].startswith("<") and "ConnectionRefusedError" in record["error"]
    assert "Traceback" not in daemon.log
    rows = json.loads(installed("outbox", "--json").stdout)
    assert {r["status"] for r in rows} == {"pending"}
    assert all("ConnectionRefusedError" in r["last_error"] for r in rows)


# --- the systemd units ----------------------------------------------------------------------


def _unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file as systemd reads it: sections of (key, value), keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None and "=" in line, f"{path.name}: {raw!r}"
        key, _, value = line.partition("=")
        current.append((key.strip(), value.strip()))
    return sections


def _value(section: list[tuple[str, str]], key: str) -> str:
    (value,) = [v for k, v in section if k == key]
    return value


@pytest.mark.parametrize("name", ["routing-daemon.service", "routing-sweep.service"])
def test_each_service_runs_a_real_routing_command(name: str, config_path: Path) -> None:
    unit = _unit(UNITS / name)
    service = unit["Service"]
    command = shlex.split(_value(service, "ExecStart"))
    assert Path(command[0]).name == "routing" and command[1] == "daemon"
    # the command line exists: the options are the command's (click refuses unknown ones)
    result = subprocess.run(
        [ROUTING, *command[1:], "--help"], capture_output=True, text=True, timeout=60,
        check=False, env={**os.environ, "ROUTING_CONFIG": str(config_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--log-format" in result.stdout and "--status" in result.stdout
    assert _value(service, "User") == "routing"
    assert _value(service, "EnvironmentFile").startswith("/etc/routing/")
    assert ("Environment", "ROUTING_CONFIG=/etc/routing/routing.toml") in service
    assert _value(service, "NoNewPrivileges") == "yes"
    for key, value in service:  # secrets only through the EnvironmentFile
        assert not (key == "Environment" and ("PASSWORD" in value or "DATABASE_URL" in value))
    if name == "routing-daemon.service":
        assert _value(service, "Restart") == "on-failure"
        assert _value(service, "KillSignal") == "SIGTERM"
    else:
        assert _value(service, "Type") == "oneshot" and command[2:] == ["--once"]


def test_the_timer_starts_the_sweep_service() -> None:
    timer = _unit(UNITS / "routing-sweep.timer")["Timer"]
    assert _value(timer, "Unit") == "routing-sweep.service"
    assert _value(timer, "OnCalendar") and _value(timer, "Persistent") == "true"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    """systemd's own check; ExecStart points at this venv's `routing`, which it requires."""
    for unit in UNITS.iterdir():
        text = unit.read_text(encoding="utf-8").replace("/opt/routing/bin/routing", ROUTING)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_a_log_line_shows_control_characters_instead_of_obeying_them() -> None:
    """A subject someone typed reaches the log in a delivery failure: it must not set the
    terminal's title, clear the screen or split one event over two lines."""
    hostile = "ë\x1b]0;titel\x07\x1b[2J\nnep-regel\u009b"
    record = logging.LogRecord("routing.x", logging.WARNING, "", 0, "failed: %s", (hostile,), None)
    text = TextFormatter().format(record)
    assert text.endswith(r"failed: ë\x1b]0;titel\x07\x1b[2J nep-regel\x9b"), text
    line = JsonFormatter().format(record)
    assert "\n" not in line and not any(0x7F <= ord(c) <= 0x9F or ord(c) < 0x20 for c in line)
    assert json.loads(line)["message"] == f"failed: {hostile}"


def test_a_database_host_that_never_answers_is_given_up_on(
    cmd: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that takes the connection and then says nothing (a hung host, a proxy with no
    backend) is one line and exit 2 after the connect timeout, not a command that hangs."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes the handshake; no one ever answers
        port = silent.getsockname()[1]
        url = f"postgresql+psycopg://u:pw@127.0.0.1:{port}/x?connect_timeout=1"
        monkeypatch.setenv("ROUTING_DATABASE_URL", url)
        started = time.monotonic()
        result = cmd("list", check=False)
        waited = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "niet bereikbaar" in result.stderr and result.stderr.count("\n") == 1
    assert waited < 30  # bounded by the timeout, not by the operating system's minutes


def test_postgres_connections_have_a_connect_timeout_unless_the_url_sets_one() -> None:
    """What psycopg is asked to connect with, caught at SQLAlchemy's do_connect hook."""
    from sqlalchemy import event

    from store.db import make_engine

    class Seen(Exception):
        pass

    def timeout_of(url: str) -> object:
        engine = make_engine(url)
        seen: dict[str, object] = {}

        def capture(_dialect: object, _record: object, _args: object, params: dict[str, object]):
            seen.update(params)
            raise Seen

        event.listen(engine, "do_connect", capture)
        try:
            with pytest.raises(Seen), engine.connect():
                pass
        finally:
            engine.dispose()
        return seen.get("connect_timeout")

    assert timeout_of("postgresql+psycopg://u@127.0.0.1/x") == 10
    assert timeout_of("postgresql+psycopg://u@127.0.0.1/x?connect_timeout=3") == "3"
