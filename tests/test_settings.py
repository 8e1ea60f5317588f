"""The daemon's settings and the E&I digest rhythm."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from routing import i18n
from routing.config.daemon import DaemonSettings, parse_daemon

AMS = ZoneInfo("Europe/Amsterdam")
BODIES = {"uta-supportteam": {}, "uta-stuurgroep": {}, "pfho-ei": {}, "regieteam": {}}


def test_defaults_follow_the_note() -> None:
    settings, problems = parse_daemon({}, None, BODIES)
    assert problems == []
    assert settings.feedback == {
        "uta-supportteam": "terugkoppeling-supportteam",
        "uta-stuurgroep": "terugkoppeling-stuurgroep",
    }
    assert settings.digest_body == "pfho-ei"
    assert settings.sweep_every == dt.timedelta(minutes=5)


def test_every_problem_is_reported() -> None:
    _, problems = parse_daemon(
        {"sweep_every_minutes": 0, "rollover_after_days": "twee", "cron": ["0 7 * *"], "x": 1},
        {"body": "raad", "every": "week"},
        BODIES,
    )
    text = "; ".join(problems)
    assert len(problems) == 6, problems
    assert (
        "daemon.x: onbekende sleutel; toegestaan: calendar_warning_weeks, commitment_reminder_days,"
        in text
    )
    assert "sweep_every_minutes: moet een geheel getal > 0 zijn, maar is 0" in text
    assert "rollover_after_days: moet een geheel getal >= 0 zijn, maar is 'twee'" in text
    assert "'0 7 * *' is geen crontab-regel van vijf velden" in text
    assert "ei.digest.body: onbekend orgaan 'raad'" in text
    assert "ei.digest.every: 'week' is onbekend; kies uit maand, kwartaal, halfjaar, jaar" in text
    i18n.set_language("en")
    _, problems = parse_daemon({"sweep_every_minutes": 0}, {"body": "raad"}, BODIES)
    assert problems == [
        "daemon.sweep_every_minutes: must be a whole number > 0, got 0",
        "ei.digest.body: unknown body 'raad'",
    ]


@pytest.mark.parametrize(
    ("months", "now", "start", "end", "label"),
    [
        (
            3,
            dt.datetime(2024, 4, 1, 0, 5, tzinfo=AMS),
            dt.date(2024, 1, 1),
            dt.date(2024, 4, 1),
            "2024-K1",
        ),
        (
            3,
            dt.datetime(2024, 2, 15, tzinfo=AMS),
            dt.date(2023, 10, 1),
            dt.date(2024, 1, 1),
            "2023-K4",
        ),
        (
            1,
            dt.datetime(2024, 1, 10, tzinfo=AMS),
            dt.date(2023, 12, 1),
            dt.date(2024, 1, 1),
            "2023-12",
        ),
        (
            6,
            dt.datetime(2024, 9, 1, tzinfo=AMS),
            dt.date(2024, 1, 1),
            dt.date(2024, 7, 1),
            "2024-H1",
        ),
        (12, dt.datetime(2025, 3, 1, tzinfo=AMS), dt.date(2024, 1, 1), dt.date(2025, 1, 1), "2024"),
    ],
)
def test_digest_period_is_the_last_whole_period(
    months: int, now: dt.datetime, start: dt.date, end: dt.date, label: str
) -> None:
    got_start, got_end, got_label = DaemonSettings(digest_months=months).digest_period_before(now)
    assert (got_start.date(), got_end.date(), got_label) == (start, end, label)
    assert got_start.hour == 0 and got_start.tzinfo is not None
