"""The daemon's settings: the `[daemon]` table and the E&I digest rhythm (`[ei] digest`).

Parsed with the rest of routing.toml; problems are returned, not raised, so the config can report
them together with every other problem of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from routing.i18n import t

__all__ = ["DAEMON_KEYS", "DIGEST_KEYS", "DaemonSettings", "parse_daemon"]

DAEMON_KEYS = frozenset(
    {
        "sweep_every_minutes", "rollover_after_days", "feedback", "feedback_owner", "cron",
        "calendar_warning_weeks",
    }
)  # fmt: skip
DIGEST_KEYS = frozenset({"body", "every"})
_PERIOD_MONTHS = {"maand": 1, "kwartaal": 3, "halfjaar": 6, "jaar": 12}
_DEFAULT_FEEDBACK = {
    "uta-supportteam": "terugkoppeling-supportteam",
    "uta-stuurgroep": "terugkoppeling-stuurgroep",
}
_FEEDBACK_EXAMPLE = '{"uta-stuurgroep" = "terugkoppeling-stuurgroep"}'


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
    problems: list[str] = [
        t(
            "config.unknown_key",
            where=f"daemon.{key}",
            line="",
            allowed=", ".join(sorted(DAEMON_KEYS)),
        )
        for key in daemon
        if key not in DAEMON_KEYS
    ]
    minutes = _positive(daemon, "sweep_every_minutes", 5, problems)
    days = _positive(daemon, "rollover_after_days", 2, problems, allow_zero=True)
    weeks = _positive(daemon, "calendar_warning_weeks", 8, problems)
    owner = daemon.get("feedback_owner", "Gemeente Hilversum")
    if not isinstance(owner, str):
        problems.append(t("config.not_text", where="daemon.feedback_owner", value=repr(owner)))
        owner = "Gemeente Hilversum"
    digest_body, months = _digest(digest, bodies, problems)
    settings = DaemonSettings(
        sweep_every=dt.timedelta(minutes=minutes),
        rollover_grace=dt.timedelta(days=days),
        feedback=_feedback(daemon, bodies, problems),
        feedback_owner=owner,
        cron=_cron(daemon, problems),
        digest_body=digest_body,
        digest_months=months,
        calendar_warning=dt.timedelta(weeks=weeks),
    )
    return settings, problems


def _feedback(
    daemon: Mapping[str, Any], bodies: Mapping[str, Any], problems: list[str]
) -> dict[str, str]:
    feedback = daemon.get("feedback", _DEFAULT_FEEDBACK)
    if not isinstance(feedback, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in feedback.items()
    ):
        problems.append(t("config.feedback_table", example=_FEEDBACK_EXAMPLE))
        return dict(_DEFAULT_FEEDBACK)
    problems.extend(
        t("config.unknown_body", where="daemon.feedback", body=body, line="")
        for body in feedback
        if body not in bodies
    )
    return dict(feedback)


def _cron(daemon: Mapping[str, Any], problems: list[str]) -> tuple[str, ...]:
    cron = daemon.get("cron", [])
    if not isinstance(cron, list) or not all(isinstance(c, str) for c in cron):
        problems.append(t("config.cron_list", example='["0 7 * * 1-5"]'))
        return ()
    problems.extend(t("config.cron_line", entry=line) for line in cron if len(line.split()) != 5)
    return tuple(cron)


def _digest(
    digest: Mapping[str, Any] | None, bodies: Mapping[str, Any], problems: list[str]
) -> tuple[str | None, int]:
    body: str | None = "pfho-ei" if "pfho-ei" in bodies else None
    if digest is None:
        return body, 3
    problems.extend(
        t(
            "config.unknown_key",
            where=f"ei.digest.{key}",
            line="",
            allowed=", ".join(sorted(DIGEST_KEYS)),
        )
        for key in digest
        if key not in DIGEST_KEYS
    )
    body = digest.get("body", body)
    if body is not None and body not in bodies:
        problems.append(t("config.unknown_body", where="ei.digest.body", body=body, line=""))
    every = digest.get("every", "kwartaal")
    if every not in _PERIOD_MONTHS:
        problems.append(t("config.period", every=every, choices=", ".join(_PERIOD_MONTHS)))
        return body, 3
    return body, _PERIOD_MONTHS[every]


def _positive(
    table: Mapping[str, Any],
    key: str,
    default: int,
    problems: list[str],
    *,
    allow_zero: bool = False,
) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if allow_zero else 1):
        problems.append(
            t(
                "config.whole_number",
                where=f"daemon.{key}",
                bound=">= 0" if allow_zero else "> 0",
                value=repr(value),
            )
        )
        return default
    return value
