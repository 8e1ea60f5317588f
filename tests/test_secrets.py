"""Secrets come from the environment only and never show: the database password and the SMTP
password, set to something distinctive, are looked for in everything the real `routing` command
prints, when it fails (a database that is not there, a user the server does not know, an SMTP
server that refuses the login and quotes it) and when it works."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

import store
from routing.config.secrets import MaskSecrets, mask
from store.schedule_models import Outbox
from tests.conftest import Cli
from tests.smtp import Inbox, free_port

PASSWORD = "Kx9-geheim-Wachtwoord-Qz"
COMMANDS = (
    ("init",),
    ("check", "--json"),
    ("list",),
    ("daemon", "--once", "--now", "2024-03-01T09:00"),
    # after the sweep, at its moment: alive (exit 0; a silent daemon exits 1)
    ("daemon", "--status", "--json", "--now", "2024-03-01T09:00"),
    ("outbox", "--json"),
)


def _runs(cli: Cli, env: dict[str, str]) -> list[tuple[tuple[str, ...], int, str]]:
    """Every command's exit code and output (stdout and stderr together)."""
    found = []
    for args in COMMANDS:
        result = cli(*args, check=False, env=env)
        found.append((args, result.returncode, result.stdout + result.stderr))
    return found


def _assert_hidden(runs: list[tuple[tuple[str, ...], int, str]], secret: str = PASSWORD) -> None:
    shown = [args for args, _, output in runs if secret in output]
    assert shown == [], f"the secret was printed by: {shown}"


def test_a_database_that_is_not_there_never_shows_its_password(config_path: Path) -> None:
    url = f"postgresql+psycopg://routing:{PASSWORD}@127.0.0.1:{free_port()}/routing"
    runs = _runs(Cli(config_path), {"ROUTING_DATABASE_URL": url})
    _assert_hidden(runs)
    listed = next(output for args, _, output in runs if args == ("list",))
    assert "routing:***@127.0.0.1" in listed  # the URL is named, masked


@pytest.mark.postgres
def test_postgresql_with_a_password_works_and_fails_without_showing_it(
    config_path: Path, postgres_url: str
) -> None:
    # the test server trusts every connection, so the password is sent and ignored: it works
    good = postgres_url.replace("postgres@", f"postgres:{PASSWORD}@")
    runs = _runs(Cli(config_path), {"ROUTING_DATABASE_URL": good})
    _assert_hidden(runs)
    assert [args for args, code, _ in runs if code != 0] == []
    # a user the server does not know: the commands fail, none shows the password
    stranger = good.replace("postgres:", "niemand:")
    failed = _runs(Cli(config_path), {"ROUTING_DATABASE_URL": stranger})
    _assert_hidden(failed)
    # `check` reads only routing.toml when the database cannot be reached
    assert {args for args, code, _ in failed if code == 0} == {("check", "--json")}


@contextmanager
def _quoting_smtp_server() -> Iterator[int]:
    """An SMTP server on loopback that refuses every login and quotes the password it got in
    its reply, as a badly written one might."""

    def refuse(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        password = data.password.decode() if data is not None else ""
        return AuthResult(success=False, handled=False,
                          message=f"535 5.7.8 wrong password {password}")  # fmt: skip

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port, authenticator=refuse,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_an_smtp_server_quoting_the_password_does_not_get_it_shown(config_path: Path) -> None:
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('channel = "file"', 'channel = "smtp"').replace(
        'smtp_host = "localhost"', 'smtp_host = "127.0.0.1"'
    )
    cli = Cli(config_path)
    cli("init")
    engine = store.make_engine(f"sqlite:///{config_path.parent / 'routing.db'}")
    now = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
    with store.session(engine) as db:
        db.add(Outbox(key="ei:1", message_id="<ei.1@test.routing>", kind="ei",
                      recipients=["ei.ambtelijk@regiogv.example"], subject="Ter informatie",
                      body="Tekst", created_at=now, next_attempt_at=now))  # fmt: skip
    engine.dispose()
    env = {"ROUTING_SMTP_USER": "routing", "ROUTING_SMTP_PASSWORD": PASSWORD}
    with _quoting_smtp_server() as port:
        config_path.write_text(text.replace("smtp_port = 25", f"smtp_port = {port}"), "utf-8")
        runs = _runs(cli, env)
    _assert_hidden(runs)
    (row,) = json.loads(next(out for args, _, out in runs if args == ("outbox", "--json")))
    assert "wrong password ***" in row["last_error"]  # the server's reply, masked, is kept


def test_log_records_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTING_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("ROUTING_DATABASE_URL", "postgresql+psycopg://r:p%40ss-w0rd@h/db")
    assert mask(f"login {PASSWORD} failed") == "login *** failed"
    assert mask("url r:p%40ss-w0rd@h and p@ss-w0rd") == "url r:***@h and ***"
    try:
        raise RuntimeError(f"refused {PASSWORD}")
    except RuntimeError as error:
        record = logging.LogRecord("routing", logging.ERROR, __file__, 1, "sent %s", (PASSWORD,),
                                   (type(error), error, error.__traceback__))  # fmt: skip
    assert MaskSecrets().filter(record)
    line = logging.Formatter().format(record)
    assert PASSWORD not in line
    assert "sent ***" in line and "refused ***" in line
