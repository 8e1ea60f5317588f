"""Delivering the outbox: SMTP or a folder of .eml files, with retries and back-off.

Each due row is claimed in its own short transaction (on PostgreSQL with FOR UPDATE SKIP LOCKED,
so several daemons share the work), sent outside any transaction, and marked sent in a new one.
One window cannot be closed by any database: the SMTP server accepted the message and the
process died before marking it sent. The next round sends it again with the same Message-ID,
which makes the duplicate recognisable (and the file channel simply overwrites its file). A
failure is retried with exponential back-off and given up ("failed") after `max_attempts`; a
message that cannot even be built (a header Python refuses) is failed at once, with the reason.
One bad message never stops the others, and every failure is logged with the row's key and
Message-ID (never the SMTP password).
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import logging
import os
import re
import smtplib
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

import store
from routing.config.notify import NotifySettings
from routing.config.secrets import mask
from routing.errors import BadInput, fault_summary
from routing.i18n import t
from routing.text import clean, one_line
from store import outbox as outbox_queries
from store.schedule_models import Outbox

__all__ = [
    "Channel",
    "DeliveryReport",
    "FileChannel",
    "SmtpChannel",
    "build_message",
    "channel_for",
    "deliver_due",
    "outbox_rows",
    "parse_status",
]

log = logging.getLogger(__name__)

# Python's header folding at 78 columns mangles some subjects (an empty encoded word before a
# dash, a subject pushed whole onto a continuation line that readers show with a leading space);
# RFC 5322 allows lines up to 998 characters, and our subjects are far shorter.
_POLICY = email.policy.default.clone(max_line_length=998)


def build_message(row: Outbox, sender: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = one_line(sender)
    message["To"] = ", ".join(row.recipients)
    message["Subject"] = one_line(row.subject)  # user text: never a line break into the header
    message["Date"] = email.utils.format_datetime(row.created_at)
    message["Message-ID"] = row.message_id
    message["X-Routing-Key"] = row.key
    message.set_content(clean(row.body), charset="utf-8")
    if row.calendar:
        # iTIP (RFC 6047): the calendar object as an alternative to the text, its METHOD on the
        # part too, so a mail client offers it as an invitation and updates the calendar
        found = re.search(r"^METHOD:([A-Z-]+)\r?$", row.calendar, re.MULTILINE)
        method = found.group(1) if found else "PUBLISH"
        message.add_alternative(
            row.calendar, subtype="calendar", charset="utf-8", params={"method": method}
        )
    return message


class Channel(Protocol):
    name: str

    def send(self, message: EmailMessage) -> None: ...


class SmtpChannel:
    name = "smtp"

    def __init__(self, settings: NotifySettings) -> None:
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout_s) as smtp:
            if s.starttls:
                smtp.starttls()
            user = os.environ.get("ROUTING_SMTP_USER")
            if user:
                smtp.login(user, os.environ.get("ROUTING_SMTP_PASSWORD", ""))
            smtp.send_message(message)


class FileChannel:
    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, message: EmailMessage) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", str(message["Message-ID"]).strip("<>"))
        return self.folder / f"{safe}.eml"

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(message.as_bytes())
            os.replace(temporary, target)  # atomic: never half a file, a re-send overwrites
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def channel_for(settings: NotifySettings) -> Channel:
    return SmtpChannel(settings) if settings.channel == "smtp" else FileChannel(settings.folder)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(
    engine: Engine,
    settings: NotifySettings,
    now: dt.datetime,
    channel: Channel | None = None,
    limit: int = 100,
) -> DeliveryReport:
    channel = channel or channel_for(settings)
    report = DeliveryReport()
    with store.session(engine, write=False) as db:
        due = outbox_queries.due_ids(db, now, limit)
    for outbox_id in due:
        assert outbox_id is not None
        try:
            _deliver_one(engine, settings, channel, outbox_id, now, report)
        except Exception as exc:  # the store itself failed for this row: the others go on
            log.error("delivery of outbox #%d failed: %s", outbox_id, _masked(fault_summary(exc)))
            report.errors.append(f"#{outbox_id}: {_masked(fault_summary(exc))}")
    return report


def _deliver_one(
    engine: Engine,
    settings: NotifySettings,
    channel: Channel,
    outbox_id: int,
    now: dt.datetime,
    report: DeliveryReport,
) -> None:
    row = _claim(engine, outbox_id, now)
    if row is None:
        return
    try:
        message = build_message(row, settings.sender)
    except Exception as exc:  # never buildable, however often we try: failed at once
        error = _masked(fault_summary(exc))
        _failed(engine, outbox_id, now, error, settings, permanent=True)
        log.error("outbox #%d %s %s cannot be built, failed: %s",
                  outbox_id, row.key, row.message_id, error, extra=_fields(row, error))  # fmt: skip
        report.errors.append(f"#{outbox_id} {row.key}: {error}")
        report.failed += 1
        return
    try:
        channel.send(message)
    except Exception as exc:  # SMTP refused, connection lost, disk full: tried again later
        error = _masked(fault_summary(exc))
        gave_up = _failed(engine, outbox_id, now, error, settings)
        report.errors.append(f"#{outbox_id} {row.subject}: {error}")
        if gave_up:
            report.failed += 1
            log.error("outbox #%d %s %s not delivered, failed after %d attempts: %s",
                      outbox_id, row.key, row.message_id, settings.max_attempts, error,
                      extra=_fields(row, error))  # fmt: skip
        else:
            report.retried += 1
            log.warning("outbox #%d %s %s not delivered, to be tried again: %s",
                        outbox_id, row.key, row.message_id, error,
                        extra=_fields(row, error))  # fmt: skip
        return
    _sent(engine, outbox_id, now, channel.name)
    report.sent += 1


def _masked(text: str) -> str:
    """The text without the secrets in force, should a server or a library ever echo them."""
    return mask(text)


def _fields(row: Outbox, error: str) -> dict[str, object]:
    """The structured fields of a delivery log line (`--log-format json`)."""
    return {"key": row.key, "kind": row.kind, "item_id": row.item_id, "outbox_id": row.id,
            "message_id": row.message_id, "error": error}  # fmt: skip


def _claim(engine: Engine, outbox_id: int, now: dt.datetime) -> Outbox | None:
    """Take a row for sending: another daemon holding it, or having sent it, makes us skip it."""
    with Session(engine, expire_on_commit=False) as db, db.begin():
        row = outbox_queries.claim(db, outbox_id)
        if row is None or row.status != "pending" or row.next_attempt_at > now:
            return None
        # push the next attempt ahead while we send: a second daemon will not pick it up now
        row.next_attempt_at = now + dt.timedelta(minutes=10)
        db.add(row)
        return row


def _sent(engine: Engine, outbox_id: int, now: dt.datetime, channel: str) -> None:
    with Session(engine) as db, db.begin():
        row = db.get(Outbox, outbox_id)
        assert row is not None
        row.status, row.sent_at, row.channel = "sent", now, channel
        row.attempts += 1
        row.last_error = None
        db.add(row)


def _failed(
    engine: Engine,
    outbox_id: int,
    now: dt.datetime,
    error: str,
    settings: NotifySettings,
    *,
    permanent: bool = False,
) -> bool:
    with Session(engine) as db, db.begin():
        row = db.get(Outbox, outbox_id)
        assert row is not None
        row.attempts += 1
        row.last_error = error
        if permanent or row.attempts >= settings.max_attempts:
            row.status = "failed"
        else:
            row.next_attempt_at = now + settings.backoff(row.attempts)
        db.add(row)
        return row.status == "failed"


# what a user may type for a status, Dutch first; the stored value on the right
STATUS_WORDS = {
    "wacht": "pending", "verzonden": "sent", "mislukt": "failed",
    "pending": "pending", "sent": "sent", "failed": "failed",
    "ingetrokken": "withdrawn", "withdrawn": "withdrawn",
    "dagoverzicht": "held", "gebundeld": "bundled", "held": "held", "bundled": "bundled",
}  # fmt: skip


def parse_status(text: str | None) -> str | None:
    """`outbox --status` in Dutch (wacht, verzonden, mislukt) or English; None for all."""
    if text is None:
        return None
    status = STATUS_WORDS.get(text.strip().lower())
    if status is None:
        raise BadInput(
            t("err.option_choice", option="--status", value=text,
              choices="wacht, verzonden, mislukt, ingetrokken, dagoverzicht, gebundeld "
                      "(pending, sent, failed, withdrawn, held, bundled)")
        )  # fmt: skip
    return status


def outbox_rows(engine: Engine, status: str | None = None) -> list[dict[str, Any]]:
    with store.session(engine, write=False) as db:
        found = outbox_queries.rows(db, None if status is None else [status])
        return [
            {
                "id": row.id,
                "key": row.key,
                "kind": row.kind,
                "item_id": row.item_id,
                "recipients": list(row.recipients),
                "subject": row.subject,
                "status": row.status,
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at.isoformat(),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "last_error": row.last_error,
                "channel": row.channel,
                "bundle_id": row.bundle_id,
                "message_id": row.message_id,
            }
            for row in found
        ]
