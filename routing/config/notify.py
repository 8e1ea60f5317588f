"""The `[notify]` table of routing.toml: how messages leave (SMTP or a folder of .eml files).

Parsed with the rest of the file (`routing.config.schema` checks the keys and their types, this
module the values); problems are returned, not raised, so they are reported with every other
problem at once. User and password never come from the file, only from the
environment (`ROUTING_SMTP_USER`, `ROUTING_SMTP_PASSWORD`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routing.config import schema
from routing.config.schema import NOTIFY, Problems

__all__ = ["NOTIFY_KEYS", "NotifySettings", "notify_settings", "parse_notify"]

NOTIFY_KEYS = frozenset(NOTIFY.keys)
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
    """The settings from the `[notify]` table as read, every problem listed."""
    problems = Problems()
    checked = schema.check(table, NOTIFY, ("notify",), problems)
    return notify_settings(checked, config_dir, problems), problems.found


def notify_settings(
    table: Mapping[str, Any], config_dir: Path, problems: Problems
) -> NotifySettings:
    """The settings from a table `routing.config.schema` has checked (keys and types): here
    only the values are judged."""
    values = dict(table)
    if values.get("channel", "file") not in ("file", "smtp"):
        problems.add(("notify", "channel"), "config.channel", channel=values["channel"])
    if values.get("smtp_port", 25) not in range(1, 65536):
        problems.add(("notify", "smtp_port"), "config.port", port=values["smtp_port"])
    if values.get("max_attempts", 8) < 1:
        problems.add(("notify", "max_attempts"), "config.max_attempts")
    folder = Path(values.pop("folder", str(NotifySettings.folder)))
    values = {k: float(v) if k in ("timeout_s", "backoff_s") else v for k, v in values.items()}
    return dataclasses.replace(
        NotifySettings(), folder=folder if folder.is_absolute() else config_dir / folder, **values
    )
