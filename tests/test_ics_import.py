"""The .ics import against files as Outlook, Google and others export them.

Every expected date is worked out by hand on a wall calendar (in the comments), not by the code.
Daylight saving time in the Netherlands, 2025: summer time from Sunday 30 March (CET, UTC+1, to
CEST, UTC+2), winter time from Sunday 26 October.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing import i18n
from routing.calendar.ics_read import SKIP_REASONS, IcsMeeting, IcsReading, read_ics
from routing.errors import CalendarError

DATA = Path(__file__).resolve().parent / "data" / "ics"
AMS = ZoneInfo("Europe/Amsterdam")

REGIETEAM = (
    "040000008200E00074C5B7101A82E00800000000D0A4C3F9D865DB01000000000000000010000000"
    "F1E2D3C4B5A69788796A5B4C3D2E1F00"
)
ZOMERRECES = (
    "040000008200E00074C5B7101A82E00800000000A1B2C3D4E5F6DA01000000000000000010000000"
    "2233445566778899AABBCCDDEEFF0011"
)
PFHO_OUTLOOK = (
    "040000008200E00074C5B7101A82E00800000000B7C8D9E0F1A2DB01000000000000000010000000"
    "445566778899AABBCCDDEEFF00112233"
)
PFHO_GOOGLE = "6h3q1vk0o8ef5tq2l9c7m4dn1s@google.com"
UTA = "3f0c1f9e-8d3a-4c52-9a57-1d2b6f0e4a11"


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def read(name: str, start: str, end: str, tz: ZoneInfo = AMS, **options: int) -> IcsReading:
    return read_ics((DATA / name).read_bytes(), tz, local(start), local(end), **options)


def starts(meetings: tuple[IcsMeeting, ...]) -> list[tuple[str, str]]:
    """(key, local start with its UTC offset): the offset shows summer or winter time."""
    return [(m.key, m.start.isoformat(timespec="minutes")) for m in meetings]


def skips(reading: IcsReading) -> list[tuple[str, str, str, str]]:
    return [(s.key, s.summary, s.day.isoformat(), s.reason) for s in reading.skipped]


def calendar(*events: str, head: str = "") -> bytes:
    """A minimal calendar around hand-written VEVENT bodies (lines separated by newlines)."""
    body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//NL\n{head}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


# --- Outlook ---------------------------------------------------------------------------------

# Regieteam W&P: every other Tuesday 10:00-12:00 from Tuesday 14 January 2025, UNTIL 17 June
# 08:00 UTC (= 10:00 summer time, exactly the last start). Slots: 14 Jan, 28 Jan, 11 Feb,
# 25 Feb, 11 Mar, 25 Mar (winter time: 09:00 UTC), 8 Apr, 22 Apr, 6 May, 20 May, 3 Jun, 17 Jun
# (summer time: 08:00 UTC); 1 July would be past UNTIL. 22 April is an EXDATE (after Easter),
# 11 March moved to Thursday 13 March 14:00, 20 May cancelled by an override.
OUTLOOK_MEETINGS = [
    (f"{REGIETEAM}/20250114T090000Z", "2025-01-14T10:00+01:00"),
    (f"{REGIETEAM}/20250128T090000Z", "2025-01-28T10:00+01:00"),
    (f"{REGIETEAM}/20250211T090000Z", "2025-02-11T10:00+01:00"),
    (f"{REGIETEAM}/20250225T090000Z", "2025-02-25T10:00+01:00"),
    (f"{REGIETEAM}/20250311T090000Z", "2025-03-13T14:00+01:00"),  # moved, keeps its slot's key
    (f"{REGIETEAM}/20250325T090000Z", "2025-03-25T10:00+01:00"),
    (f"{REGIETEAM}/20250408T080000Z", "2025-04-08T10:00+02:00"),
    (f"{REGIETEAM}/20250506T080000Z", "2025-05-06T10:00+02:00"),
    (f"{REGIETEAM}/20250603T080000Z", "2025-06-03T10:00+02:00"),
    (f"{REGIETEAM}/20250617T080000Z", "2025-06-17T10:00+02:00"),  # UNTIL in UTC, kept
    (PFHO_OUTLOOK, "2025-06-26T14:00+02:00"),  # single meeting: its UID
]
OUTLOOK_SKIPPED = [
    (f"{REGIETEAM}/20250520T080000Z", "Geannuleerd: Regieteam W&P", "2025-05-20", "cancelled"),
    (ZOMERRECES, "Zomerreces", "2025-07-12", "all-day"),
]


def test_an_outlook_export_gives_each_meeting_once_at_its_current_time() -> None:
    reading = read("outlook-regieteam.ics", "2025-01-01", "2025-09-01")

    assert starts(reading.meetings) == OUTLOOK_MEETINGS
    assert skips(reading) == OUTLOOK_SKIPPED
    moved = reading.meetings[4]
    assert (moved.summary, moved.location) == (
        "Regieteam W&P (verplaatst)",
        "Raadhuis Bussum, commissiekamer",
    )
    first = reading.meetings[0]
    assert (first.summary, first.location) == (
        "Regieteam W&P",
        "Gemeentehuis Hilversum, kamer 2.14",
    )
    assert all(m.start.tzinfo is AMS for m in reading.meetings)


def test_a_moved_first_occurrence_replaces_it_and_keeps_its_key() -> None:
    # The old import keyed the override by the bare UID, the key of the first meeting, and
    # overwrote it. Here the override moves the first slot itself: 14 January 10:00 becomes
    # 13 March 14:00, and 11 March stays where it was.
    export = (DATA / "outlook-regieteam.ics").read_bytes()
    text = export.replace(
        b"RECURRENCE-ID;TZID=W. Europe Standard Time:20250311T100000",
        b"RECURRENCE-ID;TZID=W. Europe Standard Time:20250114T100000",
    )
    reading = read_ics(text, AMS, local("2025-01-01"), local("2025-04-01"))

    assert starts(reading.meetings) == [
        (f"{REGIETEAM}/20250128T090000Z", "2025-01-28T10:00+01:00"),
        (f"{REGIETEAM}/20250211T090000Z", "2025-02-11T10:00+01:00"),
        (f"{REGIETEAM}/20250225T090000Z", "2025-02-25T10:00+01:00"),
        (f"{REGIETEAM}/20250311T090000Z", "2025-03-11T10:00+01:00"),
        (f"{REGIETEAM}/20250114T090000Z", "2025-03-13T14:00+01:00"),
        (f"{REGIETEAM}/20250325T090000Z", "2025-03-25T10:00+01:00"),
    ]


def test_the_windows_zone_name_works_without_its_vtimezone_block() -> None:
    text = (DATA / "outlook-regieteam.ics").read_bytes()
    block = text[text.index(b"BEGIN:VTIMEZONE") : text.index(b"END:VTIMEZONE\r\n") + 15]
    reading = read_ics(text.replace(block, b""), AMS, local("2025-01-01"), local("2025-09-01"))

    assert starts(reading.meetings) == OUTLOOK_MEETINGS


def test_the_last_occurrence_at_exactly_until_in_utc_is_kept() -> None:
    # 3 and 17 June are in; the next slot, 1 July, is after UNTIL (17 June 08:00 UTC).
    reading = read("outlook-regieteam.ics", "2025-06-01", "2025-08-01")

    assert starts(reading.meetings) == [
        (f"{REGIETEAM}/20250603T080000Z", "2025-06-03T10:00+02:00"),
        (f"{REGIETEAM}/20250617T080000Z", "2025-06-17T10:00+02:00"),
        (PFHO_OUTLOOK, "2025-06-26T14:00+02:00"),
    ]


# --- Google ----------------------------------------------------------------------------------


def test_a_google_export_keeps_the_calendar_clock_of_x_wr_timezone() -> None:
    # PFHO W&P: first Thursday of the month 14:00, written as DTSTART 13:00 UTC (6 February,
    # winter time) with X-WR-TIMEZONE:Europe/Amsterdam, so it stays 14:00 local (12:00 UTC) in
    # summer; read as plain UTC it would drift to 15:00, and the override for 3 April (slot
    # 12:00 UTC) would match no slot. First Thursdays 2025: 6 Feb, 6 Mar, 3 Apr, 1 May, 5 Jun,
    # 3 Jul, 7 Aug, 4 Sep (2 Oct is past the period). 3 April moved to Thursday 10 April 10:00;
    # 3 July cancelled. Also: a cancelled single event on 15 May, and Koningsdag (all day).
    reading = read("google-pfho.ics", "2025-01-01", "2025-10-01")

    assert starts(reading.meetings) == [
        (f"{PFHO_GOOGLE}/20250206T130000Z", "2025-02-06T14:00+01:00"),
        (f"{PFHO_GOOGLE}/20250306T130000Z", "2025-03-06T14:00+01:00"),
        (f"{PFHO_GOOGLE}/20250403T120000Z", "2025-04-10T10:00+02:00"),
        (f"{PFHO_GOOGLE}/20250501T120000Z", "2025-05-01T14:00+02:00"),
        (f"{PFHO_GOOGLE}/20250605T120000Z", "2025-06-05T14:00+02:00"),
        (f"{PFHO_GOOGLE}/20250807T120000Z", "2025-08-07T14:00+02:00"),
        (f"{PFHO_GOOGLE}/20250904T120000Z", "2025-09-04T14:00+02:00"),
    ]
    assert skips(reading) == [
        ("20250426_koningsdag@google.com", "Koningsdag", "2025-04-26", "all-day"),
        (
            "2b7fk1m9d4e0t5r3u8a6c2q7vj@google.com",
            "Werkbezoek Sociaal Werkbedrijf",
            "2025-05-15",
            "cancelled",
        ),
        (f"{PFHO_GOOGLE}/20250703T120000Z", "PFHO W&P", "2025-07-03", "cancelled"),
    ]
    assert reading.meetings[0].location == (
        "Gemeentehuis Weesp, Nieuwstad 70, 1381 CE Weesp, Nederland"
    )


# --- daylight saving time, EXDATE, RDATE -----------------------------------------------------

# dst-uta.ics, UTA-overleg: every Monday 10:00 Europe/Amsterdam from 3 March 2025, no end.
# EXDATE 17 March (with TZID) and 27 October 09:00 UTC (= 10:00 winter time, a second EXDATE
# line); RDATE adds Wednesday 2 April 10:00.


def test_a_weekly_meeting_stays_at_ten_across_the_change_to_summer_time() -> None:
    # Mondays 3, 10, (17), 24 March at 09:00 UTC; 31 March, 7 and 14 April at 08:00 UTC.
    reading = read("dst-uta.ics", "2025-03-01", "2025-04-15")

    assert starts(reading.meetings) == [
        (f"{UTA}/20250303T090000Z", "2025-03-03T10:00+01:00"),
        (f"{UTA}/20250310T090000Z", "2025-03-10T10:00+01:00"),
        (f"{UTA}/20250324T090000Z", "2025-03-24T10:00+01:00"),
        (f"{UTA}/20250331T080000Z", "2025-03-31T10:00+02:00"),
        (f"{UTA}/20250402T080000Z", "2025-04-02T10:00+02:00"),  # RDATE
        (f"{UTA}/20250407T080000Z", "2025-04-07T10:00+02:00"),
        (f"{UTA}/20250414T080000Z", "2025-04-14T10:00+02:00"),
    ]
    assert reading.skipped == ()


def test_a_weekly_meeting_stays_at_ten_across_the_change_to_winter_time() -> None:
    # Mondays 13 and 20 October at 08:00 UTC; (27 October, the UTC EXDATE); 3 and 10 November
    # at 09:00 UTC.
    reading = read("dst-uta.ics", "2025-10-13", "2025-11-11")

    assert starts(reading.meetings) == [
        (f"{UTA}/20251013T080000Z", "2025-10-13T10:00+02:00"),
        (f"{UTA}/20251020T080000Z", "2025-10-20T10:00+02:00"),
        (f"{UTA}/20251103T090000Z", "2025-11-03T10:00+01:00"),
        (f"{UTA}/20251110T090000Z", "2025-11-10T10:00+01:00"),
    ]


def test_meetings_are_given_on_the_clock_of_the_region_asked_for() -> None:
    # 10:00 in Amsterdam is 09:00 in London, in winter (UTC+0) and in summer (UTC+1) alike.
    london = ZoneInfo("Europe/London")
    reading = read("dst-uta.ics", "2025-03-24", "2025-04-01", tz=london)

    assert starts(reading.meetings) == [
        (f"{UTA}/20250324T090000Z", "2025-03-24T09:00+00:00"),
        (f"{UTA}/20250331T080000Z", "2025-03-31T09:00+01:00"),
    ]


def test_the_period_includes_its_start_and_excludes_its_end() -> None:
    meetings = read("dst-uta.ics", "2025-03-10T10:00", "2025-03-31T10:00").meetings

    assert [m.start for m in meetings] == [local("2025-03-10T10:00"), local("2025-03-24T10:00")]


# --- floating, UTC, Windows names, events without UID or start -------------------------------


def test_floating_utc_and_windows_zones_and_events_without_uid_or_start() -> None:
    # Werkoverleg: floating 10:00, weekly, COUNT=4: 19 and 26 March (winter), 2 and 9 April.
    # Landelijk overleg: 09:00 UTC every Thursday, UNTIL 3 April 09:00 UTC: a UTC series stays
    # at 09:00 UTC, which is 10:00 in winter and 11:00 in summer.
    # Bestuurlijk overleg: "Romance Standard Time" (Paris/Brussels, no VTIMEZONE) 1 April 15:00.
    # Kennismaking has no UID: 25 March 13:30 UTC = 14:30.
    # Regiodag: Outlook's old all-day form, midnight with X-MICROSOFT-CDO-ALLDAYEVENT:TRUE.
    reading = read("zones.ics", "2025-03-17", "2025-04-14")

    werkoverleg = "8E2D0C4A-5B1F-4C8E-9A3D-7F6B2E1C0D9A"
    vng = "B41F7E22-0C6D-4D3B-8E5A-2A9C1F0B7E63"
    bestuurlijk = (
        "040000008200E00074C5B7101A82E00800000000E5F6A7B8C9D0DB01000000000000000010000000"
        "AABBCCDDEEFF00112233445566778899"
    )
    no_uid = reading.meetings[2].key
    assert starts(reading.meetings) == [
        (f"{werkoverleg}/20250319T090000Z", "2025-03-19T10:00+01:00"),
        (f"{vng}/20250320T090000Z", "2025-03-20T10:00+01:00"),
        (no_uid, "2025-03-25T14:30+01:00"),
        (f"{werkoverleg}/20250326T090000Z", "2025-03-26T10:00+01:00"),
        (f"{vng}/20250327T090000Z", "2025-03-27T10:00+01:00"),
        (bestuurlijk, "2025-04-01T15:00+02:00"),
        (f"{werkoverleg}/20250402T080000Z", "2025-04-02T10:00+02:00"),
        (f"{vng}/20250403T090000Z", "2025-04-03T11:00+02:00"),
        (f"{werkoverleg}/20250409T080000Z", "2025-04-09T10:00+02:00"),
    ]
    assert reading.meetings[2].summary == "Kennismaking nieuwe wethouder"
    assert no_uid.startswith("no-uid-")
    assert skips(reading) == [
        (
            "D3B5C7E9-1A2B-4C3D-8E4F-5A6B7C8D9E0F",
            "Nog in te plannen: evaluatie",
            "2025-03-17",
            "no-start",
        ),
        ("C7A1E0F3-2D4B-4A6C-8B9E-0F1D2C3B4A5E", "Regiodag (hele dag)", "2025-03-27", "all-day"),
    ]


def test_an_event_without_uid_keeps_its_key_on_the_next_import() -> None:
    again = read("zones.ics", "2025-03-17", "2025-04-14").meetings[2].key
    assert read("zones.ics", "2025-03-17", "2025-04-14").meetings[2].key == again
    renamed = (DATA / "zones.ics").read_bytes().replace(b"Kennismaking", b"Kennismaking met")
    other = read_ics(renamed, AMS, local("2025-03-17"), local("2025-04-14")).meetings[2].key
    assert other != again


def test_an_event_without_start_is_reported_even_with_a_damaged_end() -> None:
    # Its end is of no use without a start; the day shown is the first day of the period.
    data = calendar("UID:zonder-start\nSUMMARY:Nog plannen\nDTEND:volgende week")
    reading = read_ics(data, AMS, local("2025-03-17"), local("2025-04-14"))

    assert reading.meetings == ()
    assert skips(reading) == [("zonder-start", "Nog plannen", "2025-03-17", "no-start")]


# --- cancellation, ranges --------------------------------------------------------------------


def test_a_cancelled_series_is_reported_per_occurrence_in_the_period() -> None:
    # Thursdays 6, 13, 20 March 2025 at 09:00 local; the period ends before 27 March.
    data = calendar(
        """
UID:vervallen-reeks
SUMMARY:Vervallen overleg
STATUS:CANCELLED
DTSTART;TZID=Europe/Amsterdam:20250306T090000
RRULE:FREQ=WEEKLY
"""
    )
    reading = read_ics(data, AMS, local("2025-03-01"), local("2025-03-27"))

    assert reading.meetings == ()
    assert skips(reading) == [
        ("vervallen-reeks/20250306T080000Z", "Vervallen overleg", "2025-03-06", "cancelled"),
        ("vervallen-reeks/20250313T080000Z", "Vervallen overleg", "2025-03-13", "cancelled"),
        ("vervallen-reeks/20250320T080000Z", "Vervallen overleg", "2025-03-20", "cancelled"),
    ]


def test_a_cancelled_override_without_summary_is_named_after_its_series() -> None:
    data = calendar(
        """
UID:reeks
SUMMARY:Regieteam
DTSTART;TZID=Europe/Amsterdam:20250304T100000
RRULE:FREQ=WEEKLY;COUNT=3
""",
        """
UID:reeks
RECURRENCE-ID;TZID=Europe/Amsterdam:20250311T100000
DTSTART;TZID=Europe/Amsterdam:20250311T100000
STATUS:CANCELLED
""",
    )
    reading = read_ics(data, AMS, local("2025-03-01"), local("2025-04-01"))

    assert [m.key for m in reading.meetings] == ["reeks/20250304T090000Z", "reeks/20250318T090000Z"]
    assert skips(reading) == [("reeks/20250311T090000Z", "Regieteam", "2025-03-11", "cancelled")]


def test_an_override_for_this_and_future_moves_the_rest_and_keeps_their_slots() -> None:
    # Tuesdays 10:00 from 4 March; from 18 March on, each meeting moves to Wednesday 14:00.
    data = calendar(
        """
UID:verhuisd
SUMMARY:PFHO
DTSTART;TZID=Europe/Amsterdam:20250304T100000
RRULE:FREQ=WEEKLY;COUNT=4
""",
        """
UID:verhuisd
SUMMARY:PFHO
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Amsterdam:20250318T100000
DTSTART;TZID=Europe/Amsterdam:20250319T140000
""",
    )
    reading = read_ics(data, AMS, local("2025-03-01"), local("2025-04-01"))

    assert starts(reading.meetings) == [
        ("verhuisd/20250304T090000Z", "2025-03-04T10:00+01:00"),
        ("verhuisd/20250311T090000Z", "2025-03-11T10:00+01:00"),
        ("verhuisd/20250318T090000Z", "2025-03-19T14:00+01:00"),
        ("verhuisd/20250325T090000Z", "2025-03-26T14:00+01:00"),
    ]


def test_windows_1252_text_from_old_outlook_versions_is_read() -> None:
    data = calendar(
        """
UID:oud-outlook
SUMMARY:Overleg café De Gooische Brink
DTSTART:20250304T100000
"""
    )
    reading = read_ics(
        data.decode().encode("cp1252"), AMS, local("2025-03-01"), local("2025-04-01")
    )

    assert reading.meetings[0].summary == "Overleg café De Gooische Brink"


# --- bounded expansion -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=15",
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9,14",
    ],
)
def test_a_rule_that_repeats_within_a_day_is_refused_up_front(rule: str) -> None:
    data = calendar(f"UID:ping\nSUMMARY:Controle\nDTSTART:20250101T000000Z\nRRULE:{rule}")

    with pytest.raises(CalendarError, match="meerdere keren per dag") as caught:
        read_ics(data, AMS, local("2025-01-01"), local("2026-01-01"))
    assert "'Controle' (UID ping)" in str(caught.value)
    assert rule in str(caught.value)


def test_a_secondly_export_is_refused() -> None:
    with pytest.raises(CalendarError, match="Beschikbaarheidscontrole"):
        read("broken/secondly.ics", "2025-01-01", "2026-01-01")


def test_an_endless_daily_rule_over_centuries_stops_at_the_limit_quickly() -> None:
    # Expanded eagerly this would be some 2.7 million occurrences; the limit stops it.
    data = calendar("UID:dagstart\nSUMMARY:Dagstart\nDTSTART:20250101T083000\nRRULE:FREQ=DAILY")
    began = time.perf_counter()

    with pytest.raises(CalendarError) as caught:
        read_ics(data, AMS, local("2025-01-01"), local("9000-01-01"))
    assert time.perf_counter() - began < 10
    assert str(caught.value) == (
        "In het iCalendar-bestand levert afspraak 'Dagstart' (UID dagstart) meer dan 2000 "
        "afspraken op tussen 1 januari 2025 en 1 januari 9000; geef de reeks in de agenda een "
        "einddatum of importeer een kortere periode."
    )


def test_the_limit_counts_the_meetings_in_the_period() -> None:
    # Weekdays 3-7 March: five meetings.
    data = calendar("UID:week\nSUMMARY:Dagstart\nDTSTART:20250303T083000\nRRULE:FREQ=DAILY;COUNT=5")
    assert len(read_ics(data, AMS, local("2025-03-01"), local("2025-04-01"), limit=5).meetings) == 5
    with pytest.raises(CalendarError, match="meer dan 4 afspraken"):
        read_ics(data, AMS, local("2025-03-01"), local("2025-04-01"), limit=4)


def test_a_sparse_rule_over_a_long_period_is_expanded_in_little_time() -> None:
    # 29 February only: once every four years (2028, 2032, ... 2396; not 2100, 2200, 2300).
    data = calendar(
        "UID:schrikkel\nSUMMARY:Schrikkeldag\nDTSTART:20240229T090000\n"
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
    )
    began = time.perf_counter()
    reading = read_ics(data, AMS, local("2025-01-01"), local("2400-01-01"))

    assert time.perf_counter() - began < 10
    assert len(reading.meetings) == 93 - 3
    assert reading.meetings[0].start == local("2028-02-29T09:00")


def test_a_daily_rule_from_the_year_one_is_refused() -> None:
    data = calendar("UID:oud\nSUMMARY:Oud\nDTSTART:00010101T090000\nRRULE:FREQ=DAILY")

    with pytest.raises(CalendarError, match="al op 1 januari 1, te lang"):
        read_ics(data, AMS, local("2025-01-01"), local("2026-01-01"))


# --- malformed files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("login-page.ics", "Dit is geen iCalendar-bestand (Content line could not be parsed"),
        ("truncated.ics", "Dit is geen iCalendar-bestand (het bestand houdt halverwege op"),
        ("bare-vevent.ics", "Dit is geen iCalendar-bestand (BEGIN:VCALENDAR ontbreekt)"),
        (
            "rrule-dutch-weekday.ics",
            "In het iCalendar-bestand is RRULE van afspraak 'Regieteam W&P' "
            "(UID vergaderplanner-20250107…) onleesbaar (Expected weekday abbreviation, got: DI)",
        ),
        (
            "dtstart-iso.ics",
            "In het iCalendar-bestand is DTSTART van afspraak 'UTA-overleg' "
            "(UID vergaderplanner-20250304…) onleesbaar",
        ),
        (
            "unknown-tzid.ics",
            "In het iCalendar-bestand gebruikt afspraak 'Stuurgroep arbeidsmarktregio' "
            "(UID C1258B7A0036F4E2-Notes-0…) tijdzone "
            "'(UTC+01:00) Amsterdam, Berlijn, Bern, Rome, Stockholm, Wenen'",
        ),
        (
            "x-wr-timezone-typo.ics",
            "Het iCalendar-bestand geeft als tijdzone van de agenda 'Europe/Amsterdm'",
        ),
    ],
)
def test_a_malformed_file_is_refused_with_one_line_naming_the_problem(
    name: str, expected: str
) -> None:
    with pytest.raises(CalendarError) as caught:
        read(f"broken/{name}", "2025-01-01", "2026-01-01")
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
    assert "exporteer" in message  # says what to do


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(range(256)) * 8,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".encode("utf-16"),
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nCALSCALE:JULIAN\r\nEND:VCALENDAR\r\n",
    ],
    ids=["empty", "bytes", "png", "utf-16", "unbalanced", "julian"],
)
def test_bytes_that_are_no_calendar_are_refused(data: bytes) -> None:
    with pytest.raises(CalendarError, match=r"^Dit is geen iCalendar-bestand \("):
        read_ics(data, AMS, local("2025-01-01"), local("2026-01-01"))


@pytest.mark.parametrize(
    "event",
    [
        "UID:a\nSUMMARY:Dubbel\nDTSTART:20250304T100000\nDTSTART:20250305T100000",
        "UID:a\nSUMMARY:Tijd\nDTSTART:100000",
        "UID:a\nSUMMARY:Herhaling\nDTSTART:20250304T100000\nRRULE:INTERVAL=2",
        "UID:a\nSUMMARY:Uitzondering\nDTSTART:20250304T100000\nRRULE:FREQ=DAILY\nEXDATE:morgen",
        "UID:a\nSUMMARY:Zone\nDTSTART;TZID=" + "x" * 300 + ":20250304T100000",
        "UID:a\nSUMMARY:Regel\nDTSTART 20250304T100000",
        "UID:a\nSUMMARY:Mix\nDTSTART;VALUE=DATE:20250304\nRRULE:FREQ=DAILY;UNTIL=2025",
    ],
    ids=["two-starts", "time-only", "no-freq", "exdate", "long-tzid", "no-colon", "until"],
)
def test_a_damaged_event_is_refused_without_a_traceback(event: str) -> None:
    with pytest.raises(CalendarError) as caught:
        read_ics(calendar(event), AMS, local("2025-01-01"), local("2026-01-01"))
    assert "\n" not in str(caught.value)


def test_damaged_copies_of_the_exports_give_a_reading_or_a_calendar_error() -> None:
    # Cut, pasted and mangled copies of the real exports: whatever happens, no library exception
    # (ValueError, KeyError, TypeError, ...) may reach the user.
    exports = [(DATA / name).read_bytes() for name in ("outlook-regieteam.ics", "google-pfho.ics")]
    pieces = [b"T", b"Z", b";", b":", b"=", b",", b"\r\n", b"\r\n ", b"-1", b"99999"]
    pieces += [b"TZID=", b"VALUE=DATE", b"RRULE:FREQ=DAILY", b"BYDAY=", b"RECURRENCE-ID"]
    chance = random.Random(20250101)
    for _ in range(120):
        data = bytearray(chance.choice(exports))
        for _ in range(chance.randint(1, 3)):
            at = chance.randrange(len(data))
            if chance.random() < 0.4:
                del data[at : at + chance.randint(1, 20)]
            else:
                data[at:at] = chance.choice(pieces)
        try:
            read_ics(bytes(data), AMS, local("2025-01-01"), local("2026-01-01"))
        except CalendarError as error:
            assert "\n" not in str(error)


def test_messages_follow_the_language() -> None:
    i18n.set_language("en")
    with pytest.raises(CalendarError) as caught:
        read("broken/x-wr-timezone-typo.ics", "2025-01-01", "2026-01-01")
    assert str(caught.value) == (
        "The iCalendar file gives 'Europe/Amsterdm' as the calendar's time zone "
        "(X-WR-TIMEZONE), but that time zone does not exist; choose a time zone such as "
        "Europe/Amsterdam in the calendar and export again."
    )


def test_every_skip_reason_is_declared() -> None:
    readings = [
        read("outlook-regieteam.ics", "2025-01-01", "2025-09-01"),
        read("zones.ics", "2025-03-17", "2025-04-14"),
    ]
    reasons = {s.reason for reading in readings for s in reading.skipped}
    # "duplicate" is the import's own reason (a meeting already in the calendar), see test_ics_sync
    assert reasons == set(SKIP_REASONS) - {"duplicate"}
