"""The outbox delivered over real SMTP on loopback and to a folder: once, with retries."""

from __future__ import annotations

import datetime as dt
import email
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import store
from routing.config.notify import NotifySettings, parse_notify
from routing.effects.delivery import FileChannel, deliver_due, outbox_rows
from store.schedule_models import Outbox
from tests.smtp import free_port, smtp_server

NOW = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    db = store.make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    store.migrate(db)
    yield db
    db.dispose()


def _queue(
    engine: Engine, key: str, body: str = "Geïnformeerd over LLO & Werkcentrum, één keer."
) -> None:
    with store.session(engine) as db:
        db.add(
            Outbox(
                key=key, message_id=f"<{key.replace(':', '.')}@test.routing>", kind="ei",
                recipients=["ei.ambtelijk@regiogv.example"], subject=f"Ter informatie {key}",
                body=body, created_at=NOW, next_attempt_at=NOW,
            )
        )  # fmt: skip


def _smtp(port: int, **extra: object) -> NotifySettings:
    return NotifySettings(channel="smtp", smtp_host="127.0.0.1", smtp_port=port, timeout_s=5,
                          sender="routing@regiogv.example", **extra)  # type: ignore[arg-type]  # fmt: skip


def test_each_message_arrives_once_with_its_headers(engine: Engine) -> None:
    _queue(engine, "ei:1")
    _queue(engine, "ei:2")
    with smtp_server() as (inbox, port):
        first = deliver_due(engine, _smtp(port), NOW)
        again = deliver_due(engine, _smtp(port), NOW + dt.timedelta(hours=1))
    assert (first.sent, again.sent) == (2, 0)
    assert [m["Message-ID"] for m in inbox.messages] == [
        "<ei.1@test.routing>",
        "<ei.2@test.routing>",
    ]
    message = inbox.messages[0]
    assert message["X-Routing-Key"] == "ei:1"
    assert message["From"] == "routing@regiogv.example"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "Geïnformeerd over LLO & Werkcentrum, één keer." in payload.decode("utf-8")
    rows = outbox_rows(engine, "sent")
    assert [(r["status"], r["attempts"], r["channel"]) for r in rows] == [("sent", 1, "smtp")] * 2


def test_a_server_that_is_down_is_retried_with_back_off_then_given_up(engine: Engine) -> None:
    _queue(engine, "ei:3")
    settings = _smtp(free_port(), max_attempts=3, backoff_s=60)
    first = deliver_due(engine, settings, NOW)
    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    (row,) = outbox_rows(engine)
    assert row["next_attempt_at"] == "2024-03-01T08:01:00+00:00"
    assert "ConnectionRefusedError" in row["last_error"]
    assert deliver_due(engine, settings, NOW + dt.timedelta(seconds=59)).retried == 0  # not yet
    assert deliver_due(engine, settings, NOW + dt.timedelta(minutes=1)).retried == 1
    (row,) = outbox_rows(engine)
    assert row["next_attempt_at"] == "2024-03-01T08:03:00+00:00"  # 60 s, then 120 s
    last = deliver_due(engine, settings, NOW + dt.timedelta(minutes=3))
    assert last.failed == 1
    assert outbox_rows(engine)[0]["status"] == "failed"


def test_a_pending_message_goes_out_when_the_server_comes_back(engine: Engine) -> None:
    _queue(engine, "ei:4")
    port = free_port()
    assert deliver_due(engine, _smtp(port), NOW).retried == 1
    with smtp_server(port) as (inbox, _):
        assert deliver_due(engine, _smtp(port), NOW + dt.timedelta(minutes=1)).sent == 1
    assert len(inbox.messages) == 1


def test_the_file_channel_writes_one_file_per_message_and_overwrites_a_resend(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox"
    settings = NotifySettings(channel="file", folder=folder)
    _queue(engine, "digest:pfho-ei:2024-K1")
    assert deliver_due(engine, settings, NOW).sent == 1
    with store.session(engine) as db:  # as if the process died before marking it sent
        row = db.get(Outbox, 1)
        assert row is not None
        row.status = "pending"
        db.add(row)
    # the claim holds the row for ten minutes, so a second daemon does not send it meanwhile
    assert deliver_due(engine, settings, NOW + dt.timedelta(minutes=9)).sent == 0
    assert deliver_due(engine, settings, NOW + dt.timedelta(minutes=10)).sent == 1
    files = list(folder.glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes())
    assert parsed["Message-ID"] == "<digest.pfho-ei.2024-K1@test.routing>"
    assert files[0] == FileChannel(folder).path_for(parsed)  # type: ignore[arg-type]


def test_notify_settings_are_validated_whole(tmp_path: Path) -> None:
    settings, problems = parse_notify({}, tmp_path)
    assert problems == []
    assert settings.channel == "file" and settings.folder == tmp_path / "outbox"
    _, problems = parse_notify(
        {"channel": "fax", "smtp_port": "25", "password": "geheim", "smtp_prot": 25}, tmp_path
    )
    text = "; ".join(problems)
    assert len(problems) == 4, problems
    assert "notify.password: geheimen horen niet in routing.toml" in text
    assert "ROUTING_SMTP_PASSWORD" in text
    assert (
        "notify.smtp_prot: onbekende sleutel; toegestaan: backoff_s, channel, digest_time" in text
    )
    assert "notify.smtp_port: '25' heeft het verkeerde type" in text
    assert "notify.channel: 'fax' is onbekend; kies file of smtp" in text
