"""Closed days and Bevrijdingsdag: working days and rule meetings, against a wall calendar.

Wall calendar used below: 5 May 2024 is a Sunday, 5 May 2025 a Monday, 5 May 2026 a Tuesday.
The Regieteam of the starter configuration meets every other Tuesday at 10:00 from 9 January
2024 (5 and 19 March 2024), papers 5 working days before at 12:00.
"""

from __future__ import annotations

import datetime as dt

import pytest

from routing import calendar as cal
from routing import i18n
from routing.config.file import Config
from routing.errors import ConfigError
from tests.conftest import edited_config, starter_text

D = dt.date.fromisoformat
REGION = 'timezone = "Europe/Amsterdam"\n'
REGIETEAM = "[bodies.regieteam.calendar]\n"


config = edited_config


def problems(*edits: tuple[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        config(*edits)
    return caught.value.problems


def region(lines: str) -> tuple[str, str]:
    """Replace the shipped closed/bevrijdingsdag lines of [region]."""
    return ("closed = []\n", lines + "\n")


def test_extra_closed_days_are_not_working_days() -> None:
    plain = cal.WorkingDays()
    closed = plain.closing([D("2024-12-27")])
    assert plain.is_working_day(D("2024-12-27"))  # closing() leaves the original alone
    assert not closed.is_working_day(D("2024-12-27"))
    assert closed.is_holiday(D("2024-12-27"))
    assert closed.closed == frozenset({D("2024-12-27")})
    # 2 working days before Monday 30 December 2024: Friday 27 is closed, Thursday 26 and
    # Wednesday 25 are Christmas, so Tuesday 24 and Monday 23 December
    assert plain.subtract(D("2024-12-30"), 2) == D("2024-12-24")
    assert closed.subtract(D("2024-12-30"), 2) == D("2024-12-23")
    # 1 working day after Tuesday 24 December: 25, 26 Christmas, 27 closed, 28-29 weekend
    assert closed.add(D("2024-12-24"), 1) == D("2024-12-30")


def test_the_holidays_library_counts_bevrijdingsdag_only_in_lustrum_years() -> None:
    lustrum = cal.WorkingDays()
    assert lustrum.holiday_name(D("2025-05-05")) == "Bevrijdingsdag"
    assert lustrum.holiday_name(D("2030-05-05")) == "Bevrijdingsdag"
    assert lustrum.holiday_name(D("2024-05-05")) is None
    assert lustrum.is_working_day(D("2026-05-05"))
    every_year = cal.WorkingDays(every_year=[(5, 5)])
    assert not every_year.is_working_day(D("2026-05-05"))


@pytest.mark.parametrize(
    ("setting", "meeting", "lead", "expected", "why"),
    [
        # 2024: 3 working days before Tuesday 7 May: Monday 6, Friday 3, Thursday 2 May. 5 May
        # is a Sunday, so the choice makes no difference.
        ("lustrum", "2024-05-07", 3, "2024-05-02", "5 May 2024 is a Sunday"),
        ("elk-jaar", "2024-05-07", 3, "2024-05-02", "5 May 2024 is a Sunday"),
        # 2025, a lustrum year: 1 working day before Tuesday 6 May skips Monday 5 May and the
        # weekend: Friday 2 May, whichever the setting.
        ("lustrum", "2025-05-06", 1, "2025-05-02", "lustrum year"),
        ("elk-jaar", "2025-05-06", 1, "2025-05-02", "lustrum year"),
        # 2026: 2 working days before Thursday 7 May: Wednesday 6 and Tuesday 5 May under
        # "lustrum"; under "elk-jaar" Tuesday 5 is closed: Wednesday 6 and Monday 4 May.
        ("lustrum", "2026-05-07", 2, "2026-05-05", "5 May 2026 is a working day"),
        ("elk-jaar", "2026-05-07", 2, "2026-05-04", "5 May 2026 is closed"),
    ],
)
def test_bevrijdingsdag_setting_in_lead_times(
    setting: str, meeting: str, lead: int, expected: str, why: str
) -> None:
    loaded = config(('bevrijdingsdag = "lustrum"', f'bevrijdingsdag = "{setting}"'))
    assert loaded.workdays.subtract(D(meeting), lead) == D(expected), why
    body = loaded.calendars["regieteam"].workdays
    assert body.subtract(D(meeting), lead) == D(expected), why


def test_the_shipped_configuration_follows_the_library() -> None:
    loaded = config()
    assert loaded.workdays.is_working_day(D("2026-05-05"))
    assert not loaded.workdays.is_working_day(D("2025-05-05"))
    assert loaded.workdays.closed == frozenset()


def _regieteam_march(loaded: Config) -> list[tuple[str, str]]:
    ams = loaded.timezone
    found = cal.meetings_between(
        loaded.calendars["regieteam"],
        dt.datetime(2024, 3, 1, tzinfo=ams),
        dt.datetime(2024, 4, 1, tzinfo=ams),
    )
    return [(f"{m.start:%Y-%m-%d %H:%M}", f"{m.papers_due:%Y-%m-%d %H:%M}") for m in found]


def test_a_rule_meeting_on_a_closed_day_is_dropped_and_leads_skip_closed_days() -> None:
    # papers for 19 March: 5 working days back from Tuesday 19 March is Tuesday 12 March
    assert _regieteam_march(config()) == [
        ("2024-03-05 10:00", "2024-02-27 12:00"),
        ("2024-03-19 10:00", "2024-03-12 12:00"),
    ]
    # the region closes 5 March: no meeting that day
    closed = config(region('closed = ["2024-03-05"]'))
    assert _regieteam_march(closed) == [("2024-03-19 10:00", "2024-03-12 12:00")]
    # the Regieteam alone closes 14 March: 18, 15, 13, 12, 11 March; other bodies keep it
    own = config((REGIETEAM, REGIETEAM + 'closed = ["2024-03-14"]\n'))
    assert _regieteam_march(own)[-1] == ("2024-03-19 10:00", "2024-03-11 12:00")
    assert own.calendars["pfho-wp"].workdays.is_working_day(D("2024-03-14"))
    assert own.workdays.is_working_day(D("2024-03-14"))
    # a body's closed days come on top of the region's (TOML dates work as well as strings)
    both = config(
        region("closed = [2024-03-05]"), (REGIETEAM, REGIETEAM + 'closed = ["2024-03-14"]\n')
    )
    assert _regieteam_march(both) == [("2024-03-19 10:00", "2024-03-11 12:00")]
    assert not both.calendars["pfho-wp"].workdays.is_working_day(D("2024-03-05"))


def test_bad_closed_days_and_bevrijdingsdag_are_reported_together() -> None:
    found = problems(
        region('closed = ["2024-12-27", "27-12-2024"]\nbevrijdingsdag = "soms"'),
        ('bevrijdingsdag = "lustrum"\n', ""),
        (REGIETEAM, REGIETEAM + 'closed = ["morgen"]\n'),
    )
    rows = starter_text().splitlines()
    closed, header = rows.index("closed = []") + 1, rows.index(REGIETEAM.strip()) + 1
    assert len(found) == 3, found
    assert found[0] == (
        f"region.closed[1]: '27-12-2024' is geen datum; schrijf 2024-12-24 (regel {closed})"
    )
    assert found[1].startswith("region.bevrijdingsdag: 'soms' is onbekend")
    assert found[1].endswith("kies uit lustrum, elk-jaar")
    assert f"(regel {closed + 1})" in found[1]  # the line of the key itself
    assert found[2] == (
        "bodies.regieteam.calendar.closed[0]: 'morgen' is geen datum; schrijf 2024-12-24 "
        f"(regel {header + 1})"
    )


def test_closed_must_be_a_list_and_errors_speak_english() -> None:
    i18n.set_language("en")
    found = problems(
        region('closed = "2024-12-27"'),
        ('bevrijdingsdag = "lustrum"', 'bevrijdingsdag = "every-year"'),
    )
    closed = starter_text().splitlines().index("closed = []") + 1
    assert found[0] == f"region.closed: must be a list (line {closed})"
    assert found[1].startswith("region.bevrijdingsdag: 'every-year' unknown")
    assert found[1].endswith("use one of lustrum, elk-jaar")
