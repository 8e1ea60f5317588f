"""Importing an Outlook export, changing it and importing again: a sync, with items following.

tests/data/ics/outlook-regieteam.ics: a biweekly Tuesday 10:00 series from 14 January 2025 with
UNTIL in UTC (17 June 08:00Z = 10:00 summer time, kept), 22 April excluded, 11 March moved to
Thursday 13 March 14:00, one occurrence cancelled, an all-day "Zomerreces" and a single meeting.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import InProcessCli

DATA = Path(__file__).parent / "data" / "ics"
NOW = "2025-01-02T09:00"
OVERRIDE = """BEGIN:VEVENT\r
UID:{uid}\r
RECURRENCE-ID;TZID=W. Europe Standard Time:20250114T100000\r
SUMMARY:Regieteam W&P (verplaatst)\r
DTSTART;TZID=W. Europe Standard Time:20250116T140000\r
DTEND;TZID=W. Europe Standard Time:20250116T160000\r
LOCATION:Raadhuis Bussum\r
END:VEVENT\r
"""


def _without_regieteam_calendar(config: Path) -> None:
    """This region keeps the Regieteam's meetings in Outlook only."""
    text = config.read_text(encoding="utf-8")
    start = text.index("[bodies.regieteam.calendar]")
    end = text.index("[bodies.pfho-wp]")
    config.write_text(text[:start] + text[end:], encoding="utf-8")


def _changed_export(tmp_path: Path) -> Path:
    """The same export after the secretary moved 14 January and dropped 28 January in Outlook."""
    text = (DATA / "outlook-regieteam.ics").read_bytes().decode()
    uid = re.search(r"UID:(\S+(?:\r?\n \S+)*)", text)
    assert uid is not None
    master_uid = re.sub(r"\r?\n ", "", uid.group(1))
    text = text.replace(
        "EXDATE;TZID=W. Europe Standard Time:20250422T100000",
        "EXDATE;TZID=W. Europe Standard Time:20250422T100000,20250128T100000",
    )
    cut = text.rindex("END:VCALENDAR")
    text = text[:cut] + OVERRIDE.format(uid=master_uid) + text[cut:]
    path = tmp_path / "regieteam-2.ics"
    path.write_bytes(text.encode())
    return path


def _regieteam(cmd: InProcessCli) -> list[dict[str, object]]:
    rows = json.loads(cmd("meetings", "--body", "regieteam", "--from", "2025-01-01", "--to",
                          "2025-02-28", "--json", "--now", NOW).stdout)  # fmt: skip
    return [r for r in rows if r["status"] == "scheduled"]


def test_an_outlook_export_imported_changed_and_imported_again(
    config_path: Path, tmp_path: Path
) -> None:
    _without_regieteam_calendar(config_path)
    cmd = InProcessCli(config_path)
    cmd("init", "--now", "2025-01-01T00:00")
    first = json.loads(cmd("meetings", "import", "regieteam", str(DATA / "outlook-regieteam.ics"),
                           "--json", "--now", NOW).stdout)  # fmt: skip
    assert "2025-03-13T14:00:00+01:00" in first["added"]  # the moved occurrence, once
    assert "2025-03-11T10:00:00+01:00" not in first["added"]
    assert "2025-01-14T10:00:00+01:00" in first["added"]  # the first one not overwritten
    assert "2025-06-17T10:00:00+02:00" in first["added"]  # UNTIL in UTC keeps the last one
    assert "2025-04-22T10:00:00+02:00" not in first["added"]  # EXDATE
    assert {s["reason"] for s in first["skipped"]} >= {"all-day", "cancelled"}
    item = cmd("new", "LLO", "--flow", "agendapunt-supportteam", "--now", NOW).stdout.strip()
    cmd("move", item, "agenderen", "--now", NOW)
    shown = json.loads(cmd("show", item, "--json", "--now", NOW).stdout)
    assert shown["planned"] == {"body": "regieteam", "meeting": "2025-01-14T09:00:00+00:00"}

    changed = _changed_export(tmp_path)
    before = _regieteam(cmd)
    dry = json.loads(cmd("meetings", "import", "regieteam", str(changed), "--dry-run", "--json",
                         "--now", NOW).stdout)  # fmt: skip
    assert dry["dry_run"] is True
    assert dry["moved"] == [
        {"from": "2025-01-14T09:00:00+00:00", "to": "2025-01-16T14:00:00+01:00"}
    ]
    assert dry["cancelled"] == ["2025-01-28T09:00:00+00:00"]
    assert _regieteam(cmd) == before  # nothing written

    again = cmd("meetings", "import", "regieteam", str(changed), "--now", NOW).stdout
    assert "0 toegevoegd, 1 verplaatst, 1 vervallen" in again
    assert f"#{item}" in again  # the item that followed is named
    shown = json.loads(cmd("show", item, "--json", "--now", NOW).stdout)
    # it moved with its meeting: Thursday 16 January 14:00, papers 5 working days before: 9 Jan
    assert shown["planned"] == {"body": "regieteam", "meeting": "2025-01-16T13:00:00+00:00"}
    assert ("papers", "2025-01-09T11:00:00+00:00") in [(d["kind"], d["due"]) for d in
                                                       shown["deadlines"]]  # fmt: skip
    starts = [r["start"] for r in _regieteam(cmd)]
    assert "2025-01-16T14:00:00+01:00" in starts and "2025-01-28T10:00:00+01:00" not in starts
    moved = [r for r in _regieteam(cmd) if r["start"] == "2025-01-16T14:00:00+01:00"]
    assert moved[0]["location"] == "Raadhuis Bussum" and moved[0]["moved"] is True
    third = cmd("meetings", "import", "regieteam", str(changed), "--now", NOW).stdout
    assert "0 toegevoegd, 0 verplaatst, 0 vervallen" in third


def test_a_malformed_file_is_exit_2_and_writes_nothing(config_path: Path, tmp_path: Path) -> None:
    cmd = InProcessCli(config_path)
    cmd("init", "--now", "2025-01-01T00:00")
    before = cmd("meetings", "--json", "--now", NOW).stdout
    endless = tmp_path / "endless.ics"
    endless.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x\r\nBEGIN:VEVENT\r\nUID:x@y\r\n"
        "DTSTART:20250101T100000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Ruis\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    refused = cmd("meetings", "import", "ei-ambtelijk", str(endless), "--now", NOW, check=False)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert cmd("meetings", "--json", "--now", NOW).stdout == before
