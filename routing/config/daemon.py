"""The daemon's settings: the `[daemon]` table and the E&I digest rhythm (`[ei] digest`).

Parsed with the rest of routing.toml: `routing.config.schema` checks the keys and their types,
this module the values. Problems are returned, not raised, so the config can report them
together with every other problem of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from routing.config import schema
from routing.config.schema import DAEMON, DIGEST, Problems

__all__ = ["DAEMON_KEYS", "DIGEST_KEYS", "DaemonSettings", "daemon_settings", "parse_daemon"]

DAEMON_KEYS = frozenset(DAEMON.keys)
DIGEST_KEYS = frozenset(DIGEST.keys)
_PERIOD_MONTHS = {"maand": 1, "kwartaal": 3, "halfjaar": 6, "jaar": 12}
_MAX_BACKOFF = dt.timedelta(days=1)
_DEFAULT_FEEDBACK = {
    "uta-supportteam": "terugkoppeling-supportteam",
    "uta-stuurgroep": "terugkoppeling-stuurgroep",
}


@dataclass(frozen=True)
class DaemonSettings:
    sweep_every: dt.timedelta = dt.timedelta(minutes=5)
    rollover_grace: dt.timedelta = dt.timedelta(days=2)
    feedback: Mapping[str, str] = field(default_factory=lambda: dict(_DEFAULT_FEEDBACK))
    feedback_owner: str = "Gemeente Hilversum"
    cron: tuple[str, ...] = ()
    digest_body: str | None = "pfho-ei"
    digest_months: int = 3
    # a body's calendar that ends within this period is reported (check, status, daemon)
    calendar_warning: dt.timedelta = dt.timedelta(weeks=8)
    # a failing sweep effect is tried this many times in all, waiting ever longer, then failed
    retry_max_attempts: int = 5
    retry_backoff: dt.timedelta = dt.timedelta(minutes=5)
    # the owner of a commitment is reminded this many working days before its date
    commitment_reminder_days: int = 3

    def backoff(self, attempts: int) -> dt.timedelta:
        """The wait after the `attempts`-th failed attempt: doubling, at most a day."""
        wait: dt.timedelta = self.retry_backoff * 2 ** min(max(attempts - 1, 0), 20)
        return min(wait, _MAX_BACKOFF)

    def digest_period_before(self, local_now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
        """The last whole period before `local_now`: (start, end exclusive, label)."""
        months = self.digest_months
        index = (local_now.year * 12 + local_now.month - 1) // months * months - months
        start = local_now.replace(
            year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0,
            microsecond=0,
        )  # fmt: skip
        end_index = index + months
        end = start.replace(year=end_index // 12, month=end_index % 12 + 1)
        number = start.month // months + 1 if months < 12 else 0
        label = {
            1: f"{start.year}-{start.month:02d}",
            3: f"{start.year}-K{number}",
            6: f"{start.year}-H{number}",
            12: f"{start.year}",
        }[months]
        return start, end, label


def parse_daemon(
    daemon: Mapping[str, Any], digest: Mapping[str, Any] | None, bodies: Mapping[str, Any]
) -> tuple[DaemonSettings, list[str]]:
    """The settings from the `[daemon]` and `[ei.digest]` tables as read, every problem listed."""
    problems = Problems()
    checked = schema.check(daemon, DAEMON, ("daemon",), problems)
    checked_digest = (
        None if digest is None else schema.check(digest, DIGEST, ("ei", "digest"), problems)
    )
    return daemon_settings(checked, checked_digest, bodies, problems), problems.found


def daemon_settings(
    daemon: Mapping[str, Any],
    digest: Mapping[str, Any] | None,
    bodies: Mapping[str, Any],
    problems: Problems,
) -> DaemonSettings:
    """The settings from tables `routing.config.schema` has checked (keys and types): here only
    the values are judged (a known body, a crontab line, a period)."""
    digest_body, months = _digest(digest, bodies, problems)
    return DaemonSettings(
        sweep_every=dt.timedelta(minutes=daemon.get("sweep_every_minutes", 5)),
        rollover_grace=dt.timedelta(days=daemon.get("rollover_after_days", 2)),
        feedback=_feedback(daemon, bodies, problems),
        feedback_owner=daemon.get("feedback_owner", "Gemeente Hilversum"),
        cron=_cron(daemon, problems),
        digest_body=digest_body,
        digest_months=months,
        calendar_warning=dt.timedelta(weeks=daemon.get("calendar_warning_weeks", 8)),
        retry_max_attempts=daemon.get("retry_max_attempts", 5),
        retry_backoff=dt.timedelta(minutes=daemon.get("retry_backoff_minutes", 5)),
        commitment_reminder_days=daemon.get("commitment_reminder_days", 3),
    )


def _feedback(
    daemon: Mapping[str, Any], bodies: Mapping[str, Any], problems: Problems
) -> dict[str, str]:
    feedback: dict[str, str] = daemon.get("feedback", _DEFAULT_FEEDBACK)
    for body in feedback:
        if body not in bodies:
            problems.add(("daemon", "feedback", body), "config.unknown_body", body=body)
    return dict(feedback)


def _cron(daemon: Mapping[str, Any], problems: Problems) -> tuple[str, ...]:
    cron: list[str] = daemon.get("cron", [])
    for n, line in enumerate(cron):
        if len(line.split()) != 5:
            problems.add(("daemon", "cron", n), "config.cron_line", entry=line)
    return tuple(cron)


def _digest(
    digest: Mapping[str, Any] | None, bodies: Mapping[str, Any], problems: Problems
) -> tuple[str | None, int]:
    body: str | None = "pfho-ei" if "pfho-ei" in bodies else None
    if digest is None:
        return body, 3
    body = digest.get("body", body)
    if body is not None and body not in bodies:
        problems.add(("ei", "digest", "body"), "config.unknown_body", body=body)
    every = digest.get("every", "kwartaal")
    if every not in _PERIOD_MONTHS:
        problems.add(
            ("ei", "digest", "every"),
            "config.period",
            every=every,
            choices=", ".join(_PERIOD_MONTHS),
        )
        return body, 3
    return body, _PERIOD_MONTHS[every]
