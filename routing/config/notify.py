"""The `[notify]` table of routing.toml: how messages leave (SMTP or a folder of .eml files).

Parsed with the rest of the file; problems are returned, not raised, so they are reported with
every other problem at once. User and password never come from the file, only from the
environment (`ROUTING_SMTP_USER`, `ROUTING_SMTP_PASSWORD`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.i18n import t

__all__ = ["NOTIFY_KEYS", "NotifySettings", "parse_notify"]

NOTIFY_KEYS = frozenset(
    {"channel", "folder", "sender", "smtp_host", "smtp_port", "starttls", "timeout_s",
     "max_attempts", "backoff_s"}
)  # fmt: skip
_MAX_BACKOFF = dt.timedelta(hours=6)


@dataclass(frozen=True)
class NotifySettings:
    channel: str = "file"
    folder: Path = Path("outbox")
    sender: str = "routing@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    starttls: bool = False
    timeout_s: float = 30.0
    max_attempts: int = 8
    backoff_s: float = 60.0

    def backoff(self, attempts: int) -> dt.timedelta:
        return min(dt.timedelta(seconds=self.backoff_s * 2 ** (attempts - 1)), _MAX_BACKOFF)


def parse_notify(table: Mapping[str, Any], config_dir: Path) -> tuple[NotifySettings, list[str]]:
    problems = []
    for key in table:
        if key in ("user", "password"):
            problems.append(
                t("config.secret", where=f"notify.{key}", variable=f"ROUTING_SMTP_{key.upper()}")
            )
        elif key not in NOTIFY_KEYS:
            problems.append(
                t(
                    "config.unknown_key",
                    where=f"notify.{key}",
                    line="",
                    allowed=", ".join(sorted(NOTIFY_KEYS)),
                )
            )
    defaults = NotifySettings()
    values: dict[str, Any] = {}
    types: dict[str, Any] = {
        "channel": str, "folder": str, "sender": str, "smtp_host": str, "smtp_port": int,
        "starttls": bool, "timeout_s": (int, float), "max_attempts": int, "backoff_s": (int, float),
    }  # fmt: skip
    for key, kind in types.items():
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            problems.append(t("config.wrong_type", where=f"notify.{key}", value=repr(value)))
            continue
        values[key] = value
    if values.get("channel", "file") not in ("file", "smtp"):
        problems.append(t("config.channel", channel=values["channel"]))
    if values.get("smtp_port", 25) not in range(1, 65536):
        problems.append(t("config.port", port=values["smtp_port"]))
    if values.get("max_attempts", 8) < 1:
        problems.append(t("config.max_attempts"))
    folder = Path(values.pop("folder", str(defaults.folder)))
    values = {k: float(v) if k in ("timeout_s", "backoff_s") else v for k, v in values.items()}
    settings = dataclasses.replace(
        defaults, folder=folder if folder.is_absolute() else config_dir / folder, **values
    )
    return settings, problems
