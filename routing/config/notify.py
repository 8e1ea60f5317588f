"""The `[notify]` table of routing.toml: how messages leave (SMTP or a folder of .eml files).

Parsed with the rest of the file (`routing.config.schema` checks the keys and their types, this
module the values); problems are returned, not raised, so they are reported with every other
problem at once. User and password never come from the file, only from the
environment (`ROUTING_SMTP_USER`, `ROUTING_SMTP_PASSWORD`).

Who gets what when: every address gets either one mail per message ("direct") or one daily
overview at `digest_time` ("dagelijks", the default: `[notify] mail`). The choice is made per
address with `mail = ...` on the secretariat, a body or a person in `[people]`; `mail_mode`
answers it for an address.
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

__all__ = [
    "DAILY",
    "DIRECT",
    "NOTIFY_KEYS",
    "NotifySettings",
    "mail_mode",
    "notify_settings",
    "parse_notify",
    "with_recipients",
]

NOTIFY_KEYS = frozenset(NOTIFY.keys)
_MAX_BACKOFF = dt.timedelta(hours=6)
DIRECT, DAILY = "direct", "daily"
# what the secretariat may write for `mail`, Dutch and English; the stored value on the right
MAIL_WORDS = {
    "direct": DIRECT, "meteen": DIRECT, "immediate": DIRECT, "per-bericht": DIRECT,
    "dagelijks": DAILY, "daily": DAILY, "dagoverzicht": DAILY, "digest": DAILY,
}  # fmt: skip


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
    digest_time: dt.time = dt.time(7, 30)  # local time of the daily overview
    mail: str = DAILY  # how an address without its own choice gets its mail
    # address (casefolded) -> DIRECT | DAILY, from [secretariat], [bodies.*] and [people]
    modes: Mapping[str, str] = dataclasses.field(default_factory=dict)

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
    if "mail" in values:
        values["mail"] = _mode(values["mail"], ("notify", "mail"), problems)
    if "digest_time" in values:
        values["digest_time"] = _time(values["digest_time"], problems)
    values = {k: float(v) if k in ("timeout_s", "backoff_s") else v for k, v in values.items()}
    return dataclasses.replace(
        NotifySettings(), folder=folder if folder.is_absolute() else config_dir / folder, **values
    )


def _mode(value: str, path: tuple[str, ...], problems: Problems) -> str:
    mode = MAIL_WORDS.get(value.strip().lower())
    if mode is None:
        problems.add(path, "config.mail_mode", value=value)
        return DAILY
    return mode


def _time(value: str | dt.time, problems: Problems) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    try:
        return dt.time.fromisoformat(value.strip())
    except ValueError:
        problems.add(("notify", "digest_time"), "config.digest_time", value=value)
        return NotifySettings.digest_time


def with_recipients(
    settings: NotifySettings, clean: Mapping[str, Any], problems: Problems
) -> NotifySettings:
    """The settings with each address's own choice (`mail = ...`) of the secretariat, the
    bodies and the people in checked routing.toml `clean`; "direct" wins when an address is
    named twice with different choices (someone asked for it)."""
    modes: dict[str, str] = {}

    def choose(addresses: Any, value: str | None, path: tuple[str, ...]) -> None:
        if value is None:
            return
        mode = _mode(value, path, problems)
        for address in [addresses] if isinstance(addresses, str) else addresses or []:
            if modes.get(address.casefold()) != DIRECT:
                modes[address.casefold()] = mode

    secretariat = clean.get("secretariat", {})
    choose(secretariat.get("email"), secretariat.get("mail"), ("secretariat", "mail"))
    for key, body in clean.get("bodies", {}).items():
        if isinstance(body, Mapping):
            choose(body.get("email"), body.get("mail"), ("bodies", key, "mail"))
    for name, person in clean.get("people", {}).items():
        if isinstance(person, Mapping):
            choose(person.get("email"), person.get("mail"), ("people", name, "mail"))
    return dataclasses.replace(settings, modes=modes)


def mail_mode(settings: NotifySettings, address: str) -> str:
    """DIRECT or DAILY: how `address` gets its mail."""
    return settings.modes.get(address.casefold(), settings.mail)
