"""The daemon's log: the standard `logging` module, configured here and nowhere else.

`routing daemon` (and `--once`) calls `configure` once; every module logs through
`logging.getLogger(__name__)` and never sets up handlers of its own. Lines go to stderr, where
systemd's journal (or any supervisor) collects them. Two formats:

- `text`: `2024-03-01T08:00:00.123+01:00 INFO routing.effects.daemon: message key=value`
- `json`: one object per line with `time`, `level`, `logger`, `message` and, when the call
  passed them with `extra=`, the structured fields (`key`, `kind`, `item_id`, ...).

Timestamps are ISO 8601 with the offset of the configured time zone, so lines from hosts in
other zones, or from either side of a DST change, compare without guessing.

The log is in English, whatever `language` routing.toml chooses. It is written for the operator
who runs the service, not for the secretariat: its lines are searched for, grepped, matched by
monitoring rules and pasted into bug reports, and that works only when a message is the same on
every installation. The catalogues stay for what the secretariat reads (the board, e-mails,
`routing daemon --once`'s own report on stdout). User data inside a line (a subject, a body's
key) is shown as it is stored.

Level and format: `--log-level` / `--log-format`, else `ROUTING_LOG_LEVEL` /
`ROUTING_LOG_FORMAT` (for a systemd unit's Environment=), else `info` and `text`. APScheduler's
and Alembic's
messages are kept at WARNING unless the level is `debug`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from routing.config.secrets import MaskSecrets
from routing.errors import BadInput
from routing.i18n import t

__all__ = [
    "FIELDS",
    "FORMATS",
    "LEVELS",
    "TEXT_FIELDS",
    "JsonFormatter",
    "TextFormatter",
    "configure",
]

LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
FORMATS = ("text", "json")
# structured fields a call may pass with `extra=`, in the order they are written
FIELDS = (
    "key", "kind", "item_id", "outbox_id", "message_id", "attempts", "error", "config",
    "database", "channel", "interval_seconds", "counts", "sent", "retried", "failed",
    "down_seconds", "pid",
)  # fmt: skip
# the text format repeats only what identifies a row; the message itself says the rest
TEXT_FIELDS = ("key", "kind", "item_id", "outbox_id")
# libraries whose INFO is noise for an operator (APScheduler's every job, Alembic's context)
QUIET = ("apscheduler", "alembic")
_HANDLER_NAME = "routing"


def _timestamp(record: logging.LogRecord, tz: ZoneInfo | None) -> str:
    moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
    local = moment.astimezone(tz) if tz is not None else moment.astimezone()
    return local.isoformat(timespec="milliseconds")


def _fields(record: logging.LogRecord, names: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names if hasattr(record, name)}


# C0 and C1 controls (and DEL) but the whitespace `split` handles: shown, never obeyed by a terminal
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# json.dumps escapes C0 itself; DEL and C1 it writes as they are
_C1 = re.compile(r"[\x7f-\x9f]")


def _one_line(text: str) -> str:
    """A message or a value on one line: a log line is one event (journald, grep), and a
    subject someone typed cannot move the cursor of the terminal that shows it."""
    text = " ".join(text.split()) if ("\n" in text or "\r" in text) else text
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TextFormatter(logging.Formatter):
    def __init__(self, tz: ZoneInfo | None = None) -> None:
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{_timestamp(record, self.tz)} {record.levelname} {record.name}: "
            f"{_one_line(record.getMessage())}"
        )
        for name, value in _fields(record, TEXT_FIELDS).items():
            line += f" {name}={_one_line(str(value))}"
        if record.exc_info:
            # a fault: the traceback follows, indented, so the event still starts on one line
            trace = self.formatException(record.exc_info)
            line += "\n" + "\n".join("    " + part for part in trace.splitlines())
        return line


class JsonFormatter(logging.Formatter):
    def __init__(self, tz: ZoneInfo | None = None) -> None:
        super().__init__()
        self.tz = tz

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record, self.tz),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        text = json.dumps(entry, ensure_ascii=False, default=str)
        return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _Stderr(logging.StreamHandler[TextIO]):
    """To whatever `sys.stderr` is when a line is written (a test's captured stream comes and
    goes; the process's own stderr in production). `handle` holds the lock around `emit`."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _choice(option: str, env: str, given: str | None, choices: tuple[str, ...]) -> str | None:
    value = given if given is not None else os.environ.get(env, "").strip() or None
    if value is None:
        return None
    value = value.strip().lower()
    if value not in choices:
        shown = option if given is not None else env
        raise BadInput(
            t("err.option_choice", option=shown, value=value, choices=", ".join(choices))
        )
    return value


def configure(
    level: str | None = None,
    log_format: str | None = None,
    tz: ZoneInfo | None = None,
    stream: TextIO | None = None,
) -> None:
    """Send the log to stderr in `log_format` at `level` (None: the environment, else the
    defaults); a second call replaces the first."""
    chosen_level = _choice("--log-level", "ROUTING_LOG_LEVEL", level, tuple(LEVELS)) or "info"
    chosen_format = _choice("--log-format", "ROUTING_LOG_FORMAT", log_format, FORMATS) or "text"
    handler: logging.Handler = logging.StreamHandler(stream) if stream else _Stderr()
    handler.set_name(_HANDLER_NAME)
    formatter = JsonFormatter(tz) if chosen_format == "json" else TextFormatter(tz)
    handler.setFormatter(formatter)
    handler.addFilter(MaskSecrets())  # no secret in a log line, whoever wrote it
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS[chosen_level])
    quiet_level = logging.DEBUG if chosen_level == "debug" else logging.WARNING
    for name in QUIET:
        logging.getLogger(name).setLevel(quiet_level)
    logging.captureWarnings(True)
