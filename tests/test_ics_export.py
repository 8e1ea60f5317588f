"""`routing meetings --ics`: read back by vobject, a parser nobody here wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject

from tests.conftest import Cli

AMS = ZoneInfo("Europe/Amsterdam")
RANGE = ("--from", "2024-02-01", "--to", "2024-03-31")


def _meeting(events: dict[str, Any], start: dt.datetime) -> Any:
    (found,) = [
        e for u, e in events.items() if u.startswith("meeting-") and e.dtstart.value == start
    ]
    return found


def _deadline(events: dict[str, Any], item: str, kind: str) -> Any:
    (found,) = [e for u, e in events.items() if u.startswith(f"deadline-{item}-{kind}-")]
    return found


def _events(path: Path) -> dict[str, Any]:
    calendar = vobject.readOne(path.read_text(encoding="utf-8"))
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert len(events) == len(calendar.vevent_list), "UIDs must be unique"
    return events


@pytest.fixture
def planned(cli: Cli) -> dict[str, str]:
    cli("init", "--now", "2024-01-01T00:00")
    at = ("--now", "2024-02-05T09:00")
    ids = {
        "open": cli("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep",
                    "--kenmerk", "DOC-24003697", *at).stdout.strip(),
        "geheim": cli("new", "Geheim dossier", "--flow", "agendapunt-stuurgroep",
                      "--kenmerk", "DOC-9", "--vertrouwelijk", *at).stdout.strip(),
    }  # fmt: skip
    for item in ids.values():
        cli("move", item, "agenderen", *at)
    return ids


def test_meetings_and_deadlines_parse_back_with_local_times(
    cli: Cli, planned: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "routing.ics"
    out = cli("meetings", *RANGE, "--ics", str(path), "--now", "2024-02-06T08:00").stdout
    assert "vergaderingen en de termijnen" in out
    listed = len([r for r in cli("meetings", *RANGE, "--json").stdout.split('"key"')]) - 1
    events = _events(path)
    meetings = [e for e in events.values() if e.uid.value.startswith("meeting-")]
    deadlines = [e for e in events.values() if e.uid.value.startswith("deadline-")]
    assert len(meetings) == listed
    regieteam = _meeting(events, dt.datetime(2024, 2, 20, 10, 0, tzinfo=AMS))
    assert regieteam.dtend.value - regieteam.dtstart.value == dt.timedelta(hours=2)
    assert regieteam.summary.value == "Regieteam Werk & Participatie"
    description = regieteam.description.value
    assert "Stukken uiterlijk dinsdag 13 februari 2024 12:00" in description
    assert "Regionaal Werkcentrum (DOC-24003697)" in description
    assert "Vertrouwelijk punt DOC-9" in description
    # two items, each a reminder and a papers deadline for that meeting
    assert sorted(e.uid.value.split("-")[2] for e in deadlines) == [
        "papers", "papers", "reminder", "reminder",
    ]  # fmt: skip
    papers = _deadline(events, planned["open"], "papers")
    assert papers.dtstart.value == dt.datetime(2024, 2, 13, 12, 0, tzinfo=AMS)
    assert papers.summary.value == (
        "Stukken uiterlijk: Regionaal Werkcentrum (DOC-24003697) voor Regieteam Werk & Participatie"
    )
    assert papers.transp.value == "TRANSPARENT"
    assert papers.valarm.trigger.value == -dt.timedelta(days=1)
    text = path.read_text(encoding="utf-8")
    assert "Geheim dossier" not in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Amsterdam" in text


def test_rule_6_flag_travels_into_the_calendar(cli: Cli, tmp_path: Path) -> None:
    cli("init", "--now", "2024-01-01T00:00")
    path = tmp_path / "stuurgroep.ics"
    cli("meetings", "--body", "uta-stuurgroep", *RANGE, "--ics", str(path))
    (meeting,) = _events(path).values()
    assert meeting.dtstart.value == dt.datetime(2024, 3, 21, 15, 0, tzinfo=AMS)
    assert "geen regionale voorbereiding mogelijk (regel 6)" in meeting.description.value


def test_re_export_keeps_uids_and_raises_sequence_when_data_changes(
    cli: Cli, planned: dict[str, str], tmp_path: Path
) -> None:
    first, second, third = (tmp_path / f"{n}.ics" for n in ("first", "second", "third"))
    cli("meetings", *RANGE, "--ics", str(first), "--now", "2024-02-06T08:00")
    cli("meetings", *RANGE, "--ics", str(second), "--now", "2024-02-07T08:00")
    before, same = _events(first), _events(second)
    assert before.keys() == same.keys()
    assert {u: e.sequence.value for u, e in before.items()} == {
        u: e.sequence.value for u, e in same.items()
    }
    cli("stukken", planned["open"], "--now", "2024-02-09T10:00")
    cli("meetings", *RANGE, "--ics", str(third), "--now", "2024-02-09T11:00")
    after = _events(third)
    assert set(after) == set(before)
    # papers in: both deadlines are sent once more, cancelled and without their alarm
    for kind in ("papers", "reminder"):
        met = _deadline(after, planned["open"], kind)
        assert met.status.value == "CANCELLED"
        assert int(met.sequence.value) > int(
            _deadline(before, planned["open"], kind).sequence.value
        )
        assert not hasattr(met, "valarm")
    still = _deadline(after, planned["geheim"], "papers")
    assert not hasattr(still, "status")  # still open: no STATUS, its alarm kept
    assert hasattr(still, "valarm")
    for uid, event in after.items():
        assert int(event.sequence.value) >= int(before[uid].sequence.value)


def test_a_moved_meeting_keeps_its_uid_and_a_cancelled_one_is_sent_cancelled(
    cli: Cli, planned: dict[str, str], tmp_path: Path
) -> None:
    first, second = tmp_path / "first.ics", tmp_path / "second.ics"
    at = ("--now", "2024-02-06T08:00")
    cli("meetings", *RANGE, "--ics", str(first), *at)
    before = _events(first)
    regieteam = _meeting(before, dt.datetime(2024, 2, 20, 10, 0, tzinfo=AMS))
    papers_before = _deadline(before, planned["open"], "papers")
    cli("meeting", "move", "regieteam", "2024-02-20", "2024-02-22T13:00", "--reason", "zaal", *at)
    cli("meeting", "cancel", "regieteam", "2024-03-05", "--reason", "te weinig punten", *at)
    cli("meeting", "add", "regieteam", "2024-03-07T10:00", "--location", "Stadhuis", *at)
    cli("meetings", *RANGE, "--ics", str(second), *at)
    after = _events(second)
    moved = after[regieteam.uid.value]
    assert moved.dtstart.value == dt.datetime(2024, 2, 22, 13, 0, tzinfo=AMS)
    assert int(moved.sequence.value) == int(regieteam.sequence.value) + 1
    # the papers deadline followed: 5 working days before Thursday 22 February is the 15th
    papers = after[papers_before.uid.value]
    assert papers.dtstart.value == dt.datetime(2024, 2, 15, 12, 0, tzinfo=AMS)
    assert int(papers.sequence.value) > int(papers_before.sequence.value)
    cancelled = _meeting(after, dt.datetime(2024, 3, 5, 10, 0, tzinfo=AMS))
    assert cancelled.status.value == "CANCELLED"
    added = _meeting(after, dt.datetime(2024, 3, 7, 10, 0, tzinfo=AMS))
    assert added.location.value == "Stadhuis"


def test_english_calendar_and_refused_folder(
    cli: Cli, planned: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "en.ics"
    cli("--lang", "en", "meetings", *RANGE, "--ics", str(path), "--now", "2024-02-06T08:00")
    summaries = {e.summary.value for e in _events(path).values()}
    assert "Papers due: Confidential item DOC-9 for Regieteam Werk & Participatie" in summaries
    missing = cli("meetings", "--ics", str(tmp_path / "nope" / "x.ics"), check=False)
    assert missing.returncode == 2
    assert f"--ics: de map '{tmp_path / 'nope'}' bestaat niet" in missing.stderr
