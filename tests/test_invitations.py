"""Meeting invitations as iTIP mail (RFC 5546), read back as a calendar client reads them.

The mails arrive at the real SMTP server of tests/smtp.py; their text/calendar part is parsed with
vobject, an iCalendar parser independent of the `icalendar` library routing writes with. The
shipped Regieteam (routing/starter.toml) has the address regieteam.wp@regiogv.example and the
attendees Anouk Pols, Kevin van Pernis and Annette Keates, each with an address in [people]; it
meets every other Tuesday at 10:00 from 9 January 2024, so Tuesday 12 March 2024 is free.
"""

from __future__ import annotations

import datetime as dt
import email.message
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from sqlmodel import select

from routing.runtime import Runtime
from store.schedule_models import MeetingRow, Outbox
from tests import fuzzing
from tests.conftest import InProcessCli, mail_through
from tests.smtp import Inbox, smtp_server

NOW = "2024-02-05T09:00"
MEMBERS = {
    "regieteam.wp@regiogv.example",
    "a.pols@regiogv.example",
    "k.vanpernis@regiogv.example",
    "a.keates@hilversum.example",
}
SECRETARIAT = "secretariaat.wp@regiogv.example"
UTC = dt.UTC
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def smtp(config_path: Path) -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        mail_through(config_path, server[1])
        yield server


def _send(cmd: InProcessCli, now: str = NOW) -> None:
    cmd("daemon", "--once", "--json", "--now", now)


def _invitations(inbox: Inbox) -> list[email.message.Message]:
    return inbox.with_key("uitnodiging:")


def _calendar(message: email.message.Message) -> tuple[str, Any]:
    """The method on the MIME part and the calendar parsed by vobject."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_param("method")), vobject.readOne(payload.decode("utf-8"))


def _raw(message: email.message.Message) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _text(message: email.message.Message) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def _check(
    message: email.message.Message, method: str, sequence: int, start: dt.datetime, status: str
) -> str:
    """Checks one invitation as a client would; returns its UID."""
    assert set(a.strip() for a in str(message["To"]).split(",")) == MEMBERS
    part_method, cal = _calendar(message)
    assert part_method == method
    assert "DTSTART;TZID=Europe/Amsterdam:" in _raw(message)
    assert cal.method.value == method
    (event,) = cal.vevent_list
    assert int(event.sequence.value) == sequence
    assert event.dtstart.value.tzinfo is not None
    assert event.dtstart.value.astimezone(UTC) == start
    # the local time as the members' calendars show it, with the zone's rules in the object
    assert event.dtstart.value.utcoffset() == start.astimezone(AMSTERDAM).utcoffset()
    assert event.dtend.value.astimezone(UTC) == start + dt.timedelta(hours=2)
    assert cal.vtimezone.tzid.value == "Europe/Amsterdam"
    assert event.status.value == status
    assert event.summary.value == "Regieteam Werk & Participatie"
    assert event.organizer.value.lower() == f"mailto:{SECRETARIAT}"
    attendees = {a.value.lower().removeprefix("mailto:") for a in event.attendee_list}
    assert attendees == MEMBERS
    assert event.dtstamp.value.tzinfo is not None
    uid = str(event.uid.value)
    assert uid.startswith("meeting-") and uid.endswith("@routing.gooi-vechtstreek")
    return uid


def _exported_uids(cmd: InProcessCli, now: str) -> set[str]:
    target = cmd.config.parent / "vergaderingen.ics"
    cmd("meetings", "--body", "regieteam", "--from", "2024-03-01", "--to", "2024-03-31",
        "--ics", str(target), "--now", now)  # fmt: skip
    exported = vobject.readOne(target.read_text(encoding="utf-8"))
    return {str(e.uid.value) for e in exported.vevent_list}


def test_add_move_cancel_send_request_request_cancel_with_one_uid_and_a_rising_sequence(
    cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    cmd("meeting", "add", "regieteam", "2024-03-12T14:00", "--reason", "Extra", "--now", NOW)
    _send(cmd)
    assert inbox.wait_for(1, timeout=5)
    (added,) = _invitations(inbox)
    assert str(added["Subject"]).startswith("Uitnodiging: Regieteam Werk & Participatie")
    added_at = dt.datetime(2024, 3, 12, 13, 0, tzinfo=UTC)  # 14:00 CET
    uid = _check(added, "REQUEST", 0, added_at, "CONFIRMED")
    assert "12 maart 2024" in _text(added)
    # the .ics export names the same meeting by the same UID
    assert uid in _exported_uids(cmd, NOW)

    cmd("meeting", "move", "regieteam", "2024-03-12T14:00", "2024-03-14T15:30",
        "--reason", "Zaal bezet", "--now", "2024-02-06T09:00")  # fmt: skip
    _send(cmd, "2024-02-06T09:00")
    (_, moved) = _invitations(inbox)
    moved_at = dt.datetime(2024, 3, 14, 14, 30, tzinfo=UTC)
    assert _check(moved, "REQUEST", 1, moved_at, "CONFIRMED") == uid

    cmd("meeting", "cancel", "regieteam", "2024-03-14", "--now", "2024-02-07T09:00")
    _send(cmd, "2024-02-07T09:00")
    (_, _, cancelled) = _invitations(inbox)
    assert str(cancelled["Subject"]).startswith("Vervallen: Regieteam Werk & Participatie")
    assert _check(cancelled, "CANCEL", 2, moved_at, "CANCELLED") == uid

    # exactly once: more sweeps send nothing more, and the outbox holds one row per SEQUENCE
    _send(cmd, "2024-02-07T10:00")
    _send(cmd, "2024-02-08T09:00")
    assert len(_invitations(inbox)) == 3
    rows = json.loads(cmd("outbox", "--json").stdout)
    keys = [r["key"] for r in rows if r["kind"] == "uitnodiging"]
    meeting = uid.removeprefix("meeting-").split("@")[0]
    assert keys == [f"uitnodiging:{meeting}:{n}:regieteam" for n in range(3)]
    assert {r["status"] for r in rows if r["kind"] == "uitnodiging"} == {"sent"}
    assert cmd("audit", "verify").returncode == 0


def test_moving_a_meeting_from_the_calendar_raises_the_sequence_of_the_exported_event(
    cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    # a meeting of the calendar in routing.toml: Tuesday 19 March 2024 10:00
    regular = dt.datetime(2024, 3, 19, 9, 0, tzinfo=UTC)
    before = _exported_uids(cmd, NOW)
    cmd("meeting", "move", "regieteam", "2024-03-19", "2024-03-20", "--now", NOW)
    _send(cmd)
    (moved,) = _invitations(inbox)
    uid = _check(moved, "REQUEST", 1, regular + dt.timedelta(days=1), "CONFIRMED")
    assert uid in before  # the event members imported before is the one updated
    assert "Plaats" not in _text(moved)  # no place configured: no empty line for it


def test_a_body_without_members_gets_no_invitation(
    cmd: InProcessCli, smtp: tuple[Inbox, int], config_path: Path
) -> None:
    inbox, _ = smtp
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('email = ["regieteam.wp@regiogv.example"]', "email = []", 1)
    text = text.replace('attendees = ["Anouk Pols", "Kevin van Pernis", "Annette Keates"]', "", 1)
    config_path.write_text(text, encoding="utf-8")
    cmd("meeting", "add", "regieteam", "2024-03-12T14:00", "--now", NOW)
    _send(cmd)
    rows = json.loads(cmd("outbox", "--json").stdout)
    assert [r for r in rows if r["kind"] == "uitnodiging"] == []
    assert any(r["kind"] == "meeting-added" for r in rows)  # the change itself was announced
    assert _invitations(inbox) == []


def test_invite_sends_each_coming_meeting_once_and_refuses_bad_input_without_changes(
    cmd: InProcessCli, smtp: tuple[Inbox, int], config_path: Path
) -> None:
    inbox, _ = smtp
    database = config_path.parent / "routing.db"
    # the Regieteam from 1 March to the end of its calendar: every other Tuesday 10:00
    out = cmd("meetings", "invite", "regieteam", "--from", "2024-03-01", "--now", NOW).stdout
    rows = json.loads(cmd("meetings", "--body", "regieteam", "--from", "2024-03-01",
                          "--to", "2030-12-31", "--json", "--now", NOW).stdout)  # fmt: skip
    coming = [r for r in rows if r.get("status", "scheduled") == "scheduled"]
    assert coming and f"{len(coming)} uitnodigingen voor Regieteam" in out, out
    _send(cmd)
    sent = _invitations(inbox)
    assert len(sent) == len(coming)
    first = min(sent, key=lambda m: _calendar(m)[1].vevent.dtstart.value)
    assert _check(first, "REQUEST", 0, dt.datetime(2024, 3, 5, 9, 0, tzinfo=UTC), "CONFIRMED")
    # again: nothing new, and the command says why
    again = cmd("meetings", "invite", "regieteam", "--from", "2024-03-01", "--json",
                "--now", NOW).stdout  # fmt: skip
    assert json.loads(again) == {"body": "regieteam", "queued": 0, "before": len(coming)}
    _send(cmd, "2024-02-05T10:00")
    assert len(_invitations(inbox)) == len(coming)
    before = fuzzing.dump(database)
    for args, code, words in (
        (("meetings", "invite", "geen-orgaan"), 2, "geen-orgaan"),
        (("meetings", "invite", "regieteam", "--from", "morgen-ofzo"), 2, "morgen-ofzo"),
        (("meetings", "invite", "wethouder-hilversum"), 2, "wethouder-hilversum"),
    ):
        result = cmd(*args, "--now", NOW, check=False)
        assert result.returncode == code and words in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert fuzzing.dump(database) == before


def test_invite_refuses_a_body_without_members(cmd: InProcessCli, config_path: Path) -> None:
    text = config_path.read_text(encoding="utf-8")
    text = text.replace('email = ["pfho.wp@regiogv.example"]', "email = []", 1)
    config_path.write_text(text, encoding="utf-8")
    result = cmd("meetings", "invite", "pfho-wp", "--now", NOW, check=False)
    assert result.returncode == 1, result.stderr
    assert "PFHO Werk & Participatie heeft geen leden met een e-mailadres" in result.stderr


def test_an_invitation_is_written_once_per_sequence_on_both_stores(rt: Runtime) -> None:
    """SQLite and PostgreSQL: the outbox row holds the calendar; the same SEQUENCE again (a
    second sweep, a second command) writes nothing, a change writes the next one."""
    from routing.engine import invitations, meetings

    start = dt.datetime(2024, 3, 12, 13, 0, tzinfo=UTC)
    result = meetings.add_meeting(rt, "regieteam", start, None)
    with rt.session() as db:
        row = db.get(MeetingRow, result.meeting_id)
        assert row is not None
        assert invitations.invite(db, rt.config, row, rt.clock.now()) is None  # written before
        stored = db.exec(select(Outbox).where(Outbox.kind == "uitnodiging")).all()
    assert [r.key for r in stored] == [f"uitnodiging:{result.meeting_id}:0:regieteam"]
    assert set(stored[0].recipients) == MEMBERS
    assert stored[0].calendar is not None
    cal = vobject.readOne(stored[0].calendar)
    assert cal.method.value == "REQUEST" and int(cal.vevent.sequence.value) == 0
    assert cal.vevent.dtstart.value.astimezone(UTC) == start


def test_meetings_moved_or_dropped_in_a_reimported_outlook_export_send_request_and_cancel(
    config_path: Path, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    """The .ics import changes meetings through the same path: members' calendars follow it."""
    from tests.test_ics_sync import DATA, _changed_export, _without_regieteam_calendar

    inbox, _ = smtp
    now = "2025-01-02T09:00"
    _without_regieteam_calendar(config_path)
    cmd = InProcessCli(config_path)
    cmd("init", "--now", "2025-01-01T00:00")
    cmd("meetings", "import", "regieteam", str(DATA / "outlook-regieteam.ics"), "--now", now)
    cmd("meetings", "import", "regieteam", str(_changed_export(tmp_path)), "--now", now)
    _send(cmd, now)
    changed = [
        m for m in _invitations(inbox) if not str(m["X-Routing-Key"]).endswith(":0:regieteam")
    ]
    by_method = {_calendar(m)[0]: m for m in changed}
    assert len(changed) == 2 and set(by_method) == {"REQUEST", "CANCEL"}
    moved_at = dt.datetime(2025, 1, 16, 13, 0, tzinfo=UTC)
    _check(by_method["REQUEST"], "REQUEST", 1, moved_at, "CONFIRMED")
    assert _calendar(by_method["REQUEST"])[1].vevent.location.value == "Raadhuis Bussum"
    assert "Plaats: Raadhuis Bussum" in _text(by_method["REQUEST"])
    dropped_at = dt.datetime(2025, 1, 28, 9, 0, tzinfo=UTC)
    _check(by_method["CANCEL"], "CANCEL", 1, dropped_at, "CANCELLED")
    # each changed meeting was invited before, with SEQUENCE 0 and the same UID
    first = {_calendar(m)[1].vevent.uid.value for m in _invitations(inbox) if m not in changed}
    assert {_calendar(m)[1].vevent.uid.value for m in changed} <= first
    assert cmd("audit", "verify").returncode == 0
