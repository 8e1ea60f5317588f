"""`routing daemon` as a real process: E&I mail over real SMTP exactly once, through a SIGKILL
and a restart, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROUTING, Cli, mail_through
from tests.smtp import Inbox, smtp_server

NOW = "2024-03-01T08:00"


class Daemon:
    """A running `routing daemon` whose log is read line by line, with a bound on every wait."""

    def __init__(self, config: Path, now: str) -> None:
        env = {**os.environ, "ROUTING_CONFIG": str(config)}
        self.process = subprocess.Popen(
            [ROUTING, "daemon", "--now", now], env=env, stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL, cwd=config.parent,
        )  # fmt: skip
        assert self.process.stderr is not None
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.process.stderr, selectors.EVENT_READ)
        self.log = ""

    def wait_for(self, text: str, timeout: float = 60.0) -> None:
        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        while text not in self.log:
            left = deadline - time.monotonic()
            if left <= 0 or not self._selector.select(timeout=left):
                raise AssertionError(f"daemon did not log {text!r} within {timeout}s:\n{self.log}")
            chunk = os.read(self.process.stderr.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"daemon exited before logging {text!r}:\n{self.log}")
            self.log += chunk.decode("utf-8", "replace")

    def stop(self, sig: signal.Signals, timeout: float = 30.0) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=timeout)
        assert self.process.stderr is not None
        self.log += self.process.stderr.read().decode("utf-8", "replace")
        self._selector.close()
        return code


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def wired(config_path: Path, smtp: tuple[Inbox, int]) -> Cli:
    """A config that mails through the loopback server, with one E&I message waiting."""
    _, port = smtp
    mail_through(config_path, port)
    cli = Cli(config_path)
    cli("init", "--now", "2024-01-01T00:00")
    item = cli("new", "LLO-verkenning", "--flow", "agendapunt-supportteam", "--topic", "llo",
               "--kenmerk", "DOC-24003697", "--now", "2024-02-05T09:00").stdout.strip()  # fmt: skip
    for trigger in ("agenderen", "inbrengen", "besproken", "terugkoppelen"):
        cli("move", item, trigger, "--now", "2024-02-20T09:00")
    return cli


def test_ei_mail_arrives_once_through_a_kill_and_a_restart(
    wired: Cli, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    first = Daemon(wired.config, NOW)
    first.wait_for("sweep:")  # logged after the sweep and its delivery round
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL

    second = Daemon(wired.config, NOW)
    second.wait_for("sweep:")
    assert second.stop(signal.SIGTERM) == 0
    assert "stopped" in second.log

    wired("daemon", "--once", "--now", NOW)  # and once more by hand, as cron would
    assert len(inbox.with_key("ei:")) == 1
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)), "a message was delivered twice"
    (mail,) = inbox.with_key("ei:")
    assert "ei.ambtelijk@regiogv.example" in str(mail["To"])
    outbox = json.loads(wired("outbox", "--json").stdout)
    assert outbox and all(row["status"] != "pending" for row in outbox)


def test_sigterm_stops_the_daemon_cleanly(wired: Cli) -> None:
    daemon = Daemon(wired.config, NOW)
    daemon.wait_for("sweep:")
    assert daemon.stop(signal.SIGTERM) == 0
    assert "received SIGTERM" in daemon.log
    assert daemon.log.rstrip().endswith("stopped")
    assert "Traceback" not in daemon.log
    status = json.loads(wired("daemon", "--status", "--json", "--now", NOW).stdout)
    assert status["sweeps"] == 1
