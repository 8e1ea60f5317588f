"""The pure calendar module against dates worked out by hand (a wall calendar, not the code)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from routing import calendar as cal
from routing import i18n
from routing.errors import CalendarError

AMS = ZoneInfo("Europe/Amsterdam")
WD = cal.WorkingDays()


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def starts(meetings: list[cal.Meeting]) -> list[str]:
    return [m.start.strftime("%Y-%m-%d %H:%M") for m in meetings]


@pytest.mark.parametrize(
    ("day", "n", "expected", "why"),
    [
        ("2025-01-03", 5, "2024-12-24", "New Year, Christmas and Boxing Day are skipped"),
        ("2023-04-28", 1, "2023-04-26", "Koningsdag, Thursday 27 April 2023"),
        ("2025-05-06", 1, "2025-05-02", "Bevrijdingsdag 2025 (a lustrum year) and the weekend"),
        ("2024-05-10", 1, "2024-05-08", "Hemelvaartsdag, Thursday 9 May 2024"),
        ("2024-05-21", 1, "2024-05-17", "Pinkstermaandag 20 May 2024 and the weekend"),
        ("2024-04-02", 5, "2024-03-22", "Paasmaandag and Goede Vrijdag 2024"),
        ("2024-02-20", 5, "2024-02-13", "an ordinary fortnight"),
    ],
)
def test_working_days_before(day: str, n: int, expected: str, why: str) -> None:
    assert WD.subtract(dt.date.fromisoformat(day), n) == dt.date.fromisoformat(expected), why


def test_working_days_after_and_names() -> None:
    assert WD.add(dt.date(2024, 5, 8), 1) == dt.date(2024, 5, 10)
    assert WD.add(dt.date(2024, 12, 24), 1) == dt.date(2024, 12, 27)
    assert WD.holiday_name(dt.date(2024, 5, 9)) == "Hemelvaartsdag"
    assert WD.holiday_name(dt.date(2024, 5, 8)) is None
    closed = cal.WorkingDays(extra_closed=[dt.date(2024, 5, 10)])  # the brugdag after Hemelvaart
    assert closed.subtract(dt.date(2024, 5, 13), 1) == dt.date(2024, 5, 8)


@pytest.mark.parametrize(
    ("text", "lead", "described"),
    [
        ("5 werkdagen", cal.Lead(5, True), "5 werkdagen"),
        ("1 werkdag", cal.Lead(1, True), "1 werkdag"),
        ("5 working days", cal.Lead(5, True), "5 werkdagen"),
        ("7 dagen", cal.Lead(7, False), "7 dagen"),
        ("1 dag", cal.Lead(1, False), "1 dag"),
        ("7 days", cal.Lead(7, False), "7 dagen"),
        ("0 dagen", cal.Lead(0, False), "0 dagen"),
    ],
)
def test_lead_times_are_read_in_dutch_and_english(
    text: str, lead: cal.Lead, described: str
) -> None:
    assert cal.Lead.parse(text) == lead
    assert lead.describe() == described


def test_a_bad_lead_time_says_how_to_write_it() -> None:
    with pytest.raises(CalendarError, match=r'schrijf bijvoorbeeld "5 werkdagen" of "7 dagen"'):
        cal.Lead.parse("vijf dagen")
    i18n.set_language("en")
    with pytest.raises(CalendarError, match=r'write e\.g\. "5 werkdagen" or "7 dagen"'):
        cal.Lead.parse("vijf dagen")


def _calendar(**extra: object) -> cal.BodyCalendar:
    return cal.BodyCalendar(body="x", tz=AMS, workdays=WD, **extra)  # type: ignore[arg-type]


def test_recurrence_with_exception_dates_a_recess_and_explicit_dates() -> None:
    calendar = _calendar(
        rules=(
            cal.Rule("FREQ=WEEKLY;BYDAY=TU", local("2024-07-02T10:00"), (dt.date(2024, 7, 9),)),
        ),
        recesses=(cal.Recess("zomerreces", dt.date(2024, 7, 15), dt.date(2024, 8, 23)),),
        dates=(local("2024-07-30T14:00"),),  # typed in on purpose: kept even in the recess
    )
    found = cal.meetings_between(calendar, local("2024-07-01T00:00"), local("2024-09-01T00:00"))
    assert starts(found) == ["2024-07-02 10:00", "2024-07-30 14:00", "2024-08-27 10:00"]


def test_rule_meetings_on_a_holiday_are_dropped_unless_asked_otherwise() -> None:
    rule = cal.Rule("FREQ=WEEKLY;BYDAY=TH;COUNT=3", local("2024-05-02T14:00"))
    window = (local("2024-05-01T00:00"), local("2024-06-01T00:00"))
    assert starts(cal.meetings_between(_calendar(rules=(rule,)), *window)) == [
        "2024-05-02 14:00",
        "2024-05-16 14:00",
    ]
    keep = _calendar(rules=(rule,), skip_holidays=False)
    assert len(cal.meetings_between(keep, *window)) == 3


def test_stored_meetings_replace_the_rules_and_keep_their_identity() -> None:
    rule = cal.Rule("FREQ=WEEKLY;BYDAY=TH;COUNT=3", local("2024-05-02T14:00"))
    stored = _calendar(rules=(rule,)).with_slots(
        [cal.Slot(local("2024-05-20T10:00"), 7, "Stadhuis"), cal.Slot(local("2024-05-02T14:00"), 3)]
    )
    found = cal.meetings_between(stored, local("2024-05-01T00:00"), local("2024-06-01T00:00"))
    # the rule no longer counts: the store holds the meetings as they are now
    assert starts(found) == ["2024-05-02 14:00", "2024-05-20 10:00"]
    assert [(m.meeting_id, m.location) for m in found] == [(3, None), (7, "Stadhuis")]
    assert stored.last_start == local("2024-05-20T10:00")


def test_a_ten_oclock_meeting_stays_at_ten_across_daylight_saving() -> None:
    calendar = _calendar(rules=(cal.Rule("FREQ=WEEKLY;BYDAY=TU", local("2024-03-19T10:00")),))
    spring = cal.meetings_between(calendar, local("2024-03-25T00:00"), local("2024-04-03T00:00"))
    assert [m.key for m in spring] == ["x@2024-03-26T09:00Z", "x@2024-04-02T08:00Z"]
    assert [m.start.hour for m in spring] == [10, 10]
    # papers 5 working days before 2 April (Easter Monday, Good Friday skipped): 22 March,
    # 12:00 winter time
    assert spring[1].papers_due == local("2024-03-22T12:00")
    assert spring[1].papers_due.astimezone(dt.UTC).hour == 11
    autumn = cal.meetings_between(calendar, local("2024-10-21T00:00"), local("2024-10-30T00:00"))
    assert [m.key for m in autumn] == ["x@2024-10-22T08:00Z", "x@2024-10-29T09:00Z"]


def test_next_feasible_next_after_and_latest_by_at_their_boundaries() -> None:
    calendar = _calendar(dates=(local("2024-03-14T14:00"), local("2024-04-11T14:00")))
    # papers for 14 March: 5 working days before, at 12:00 = Thursday 7 March 12:00
    assert cal.next_feasible(calendar, local("2024-03-07T11:59")).start == local("2024-03-14T14:00")  # type: ignore[union-attr]
    assert cal.next_feasible(calendar, local("2024-03-07T12:00")).start == local("2024-04-11T14:00")  # type: ignore[union-attr]
    assert cal.next_feasible(calendar, local("2024-04-11T12:00")) is None
    assert cal.next_after(
        calendar, local("2024-03-14T14:00"), local("2024-03-01T00:00")
    ).start == local("2024-04-11T14:00")  # type: ignore[union-attr]
    assert cal.latest_by(calendar, local("2024-04-11T13:59")).start == local("2024-03-14T14:00")  # type: ignore[union-attr]
    assert cal.latest_by(calendar, local("2024-04-11T14:00")).start == local("2024-04-11T14:00")  # type: ignore[union-attr]
    assert cal.latest_by(calendar, local("2024-03-01T00:00")) is None


def test_reminder_comes_before_the_papers_deadline() -> None:
    calendar = _calendar(dates=(local("2024-02-20T10:00"),))
    (meeting,) = cal.meetings_between(
        calendar, local("2024-02-01T00:00"), local("2024-03-01T00:00")
    )
    assert meeting.papers_due == local("2024-02-13T12:00")
    assert meeting.remind_at == local("2024-02-08T12:00")


def test_parse_calendar_reports_every_problem_at_once() -> None:
    # the table's keys and their types are checked before, by routing.config.schema (an unknown
    # key there: tests/test_config_schema.py); parse_calendar judges the values
    table = {
        "rrule": "FREQ=SOMETIMES",
        "start": "2024-01-01T10:00",
        "dates": ["14 maart"],
        "recess": [{"name": "zomer", "start": "2024-08-01", "end": "2024-07-01"}],
        "papers_time": "half twaalf",
    }
    calendar, problems = cal.parse_calendar("regieteam", table, AMS, WD)
    assert calendar is None
    text = "\n".join(problems)
    assert len(problems) == 4, problems
    assert "bodies.regieteam.calendar.rrule: 'FREQ=SOMETIMES' is geen geldige RRULE" in text
    assert "'14 maart' is geen datum met tijd; schrijf 2024-03-14T14:00" in text
    assert "eindigt (1 juli 2024) voordat het begint (1 augustus 2024)" in text
    assert "'half twaalf' is geen tijd" in text


def test_parse_calendar_builds_the_shipped_form() -> None:
    table = {
        "rrule": "FREQ=MONTHLY;BYDAY=2TH",
        "start": "2024-01-11T14:00",
        "exdates": ["2024-02-08"],
        "papers_lead": "7 werkdagen",
        "papers_time": "meeting",
    }
    calendar, problems = cal.parse_calendar("pfho-wp", table, AMS, WD)
    assert problems == []
    assert calendar is not None
    found = cal.meetings_between(calendar, local("2024-01-01T00:00"), local("2024-03-31T00:00"))
    assert starts(found) == ["2024-01-11 14:00", "2024-03-14 14:00"]
    assert found[1].papers_due == local("2024-03-05T14:00")  # papers at the meeting's own time


# --- backward planning: the note's route on a small hand-made calendar ----------------------

REGIETEAM = _calendar(
    rules=(cal.Rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", local("2024-01-09T10:00")),)
)
PFHO = cal.BodyCalendar(
    body="pfho-wp", tz=AMS, workdays=WD, papers_lead=cal.Lead(7, True),
    rules=(cal.Rule("FREQ=MONTHLY;BYDAY=2TH", local("2024-01-11T14:00")),),
)  # fmt: skip
STUURGROEP = cal.BodyCalendar(
    body="uta-stuurgroep", tz=AMS, workdays=WD, papers_lead=cal.Lead(7, False), papers_time=None,
    dates=(local("2024-03-21T15:00"), local("2024-06-20T15:00"), local("2024-10-03T15:00")),
)  # fmt: skip
WETHOUDER = cal.handover_calendar("wethouder-hilversum", STUURGROEP, cal.Lead(10, True))
ROUTE = [
    cal.RouteStep("regieteam", "Regieteam W&P", REGIETEAM),
    cal.RouteStep("pfho-wp", "PFHO W&P", PFHO),
    cal.RouteStep("wethouder-hilversum", "Wethouder", WETHOUDER),
    cal.RouteStep("uta-stuurgroep", "UTA stuurgroep", STUURGROEP),
]


def _steps(plan: cal.Plan) -> list[tuple[str, str, str, bool]]:
    return [
        (
            s.body,
            s.meeting.start.strftime("%d-%m %H:%M"),
            s.meeting.papers_due.strftime("%d-%m %H:%M"),
            s.feasible,
        )
        for s in plan.steps
    ]


def test_backward_plan_to_the_march_stuurgroep() -> None:
    (target,) = cal.meetings_between(
        STUURGROEP, local("2024-03-21T00:00"), local("2024-03-22T00:00")
    )
    plan = cal.backward_plan(ROUTE, target, local("2024-01-10T09:00"))
    # wethouder: 10 working days before Thursday 21 March = Thursday 7 March, the whole day
    # PFHO: the latest meeting by then is 8 February (14 March is too late); its papers are due
    #   7 working days earlier: Tuesday 30 January
    # Regieteam: the latest meeting by 30 January 12:00 is 23 January; papers 16 January
    assert _steps(plan) == [
        ("regieteam", "23-01 10:00", "16-01 12:00", True),
        ("pfho-wp", "08-02 14:00", "30-01 12:00", True),
        ("wethouder-hilversum", "07-03 23:59", "07-03 23:59", True),
        ("uta-stuurgroep", "21-03 15:00", "14-03 15:00", True),
    ]
    assert plan.feasible


def test_the_note_of_february_2024_was_already_too_late_for_march() -> None:
    (target,) = cal.meetings_between(
        STUURGROEP, local("2024-03-21T00:00"), local("2024-03-22T00:00")
    )
    now = local("2024-02-05T09:00")
    plan = cal.backward_plan(ROUTE, target, now)
    assert not plan.feasible
    assert plan.first_missed is not None and plan.first_missed.body == "regieteam"
    earliest = cal.earliest_reachable(ROUTE, now)
    assert earliest is not None
    # 20 June: hand-over Thursday 6 June; PFHO 9 May is Hemelvaart (dropped) so 11 April,
    # papers Tuesday 2 April; Regieteam 2 April 10:00 itself, papers Friday 22 March (Easter)
    assert _steps(earliest) == [
        ("regieteam", "02-04 10:00", "22-03 12:00", True),
        ("pfho-wp", "11-04 14:00", "02-04 12:00", True),
        ("wethouder-hilversum", "06-06 23:59", "06-06 23:59", True),
        ("uta-stuurgroep", "20-06 15:00", "13-06 15:00", True),
    ]


def test_no_reachable_meeting_within_the_horizon() -> None:
    assert cal.earliest_reachable(ROUTE, local("2024-10-01T00:00")) is None


def test_a_pfho_meeting_at_14_on_the_handover_day_is_in_time() -> None:
    """Stuurgroep Thursday 27 June 2024: 10 working days back is Thursday 13 June, the day the
    PFHO W&P meets at 14:00 (2nd Thursday). That meeting is where the wethouder receives the
    point, so it is in time; the old 12:00 hand-over pushed the route back to 11 April."""
    june = dataclasses.replace(STUURGROEP, dates=(local("2024-06-27T15:00"),))
    via = cal.handover_calendar("wethouder-hilversum", june, cal.Lead(10, True), via=PFHO)
    plain = cal.handover_calendar("wethouder-hilversum", june, cal.Lead(10, True))
    (target,) = cal.meetings_between(june, local("2024-06-27T00:00"), local("2024-06-28T00:00"))
    now = local("2024-05-01T09:00")
    for person, handover in ((via, "13-06 14:00"), (plain, "13-06 23:59")):
        route = [
            cal.RouteStep("regieteam", "Regieteam W&P", REGIETEAM),
            cal.RouteStep("pfho-wp", "PFHO W&P", PFHO),
            cal.RouteStep("wethouder-hilversum", "Wethouder", person),
            cal.RouteStep("uta-stuurgroep", "UTA stuurgroep", june),
        ]
        plan = cal.backward_plan(route, target, now)
        # PFHO papers: 7 working days before 13 June = Tuesday 4 June; Regieteam: the last
        # Tuesday meeting by then is 28 May, its papers 5 working days earlier: 21 May
        assert _steps(plan) == [
            ("regieteam", "28-05 10:00", "21-05 12:00", True),
            ("pfho-wp", "13-06 14:00", "04-06 12:00", True),
            ("wethouder-hilversum", handover, "13-06 23:59", True),
            ("uta-stuurgroep", "27-06 15:00", "20-06 15:00", True),
        ]


def test_a_step_without_papers_takes_the_next_meeting_whatever_its_papers_deadline() -> None:
    # Wednesday 10 January: PFHO W&P of Thursday 11 January has its papers deadline behind it
    now = local("2024-01-10T09:00")
    assert cal.next_feasible(PFHO, now).start == local("2024-02-08T14:00")
    assert cal.next_feasible(PFHO, now, needs_papers=False).start == local("2024-01-11T14:00")
