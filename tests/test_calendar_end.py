"""The calendar's end is visible: check, status and the daemon say when a body's meetings run
out, and an item with no meeting ahead says what to do. Reminders reach an owner named in
[people].

The shipped calendars run to the end of 2026: PFHO W&P 10 December, UTA stuurgroep 10 December,
UTA supportteam 16 December, Regieteam 15 December (29 December is an exception date).
"""

from __future__ import annotations

import json

from tests.conftest import InProcessCli


def test_check_status_and_the_daemon_name_the_calendars_that_run_out(cmd: InProcessCli) -> None:
    early = cmd("check", "--now", "2026-09-01T09:00").stdout
    assert "loopt af" not in early
    now = "2026-11-01T09:00"
    checked = cmd("check", "--now", now).stdout
    assert (
        "De agenda van PFHO Werk & Participatie loopt af op 10 december 2026: voeg de "
        "vergaderingen van 2027 toe aan routing.toml of importeer ze "
        "('routing meetings import pfho-wp BESTAND.ics')."
    ) in " ".join(checked.split())
    ends = json.loads(cmd("check", "--json", "--now", now).stdout)["calendar_ends"]
    assert sorted(e["body"] for e in ends) == [
        "pfho-wp", "regieteam", "uta-stuurgroep", "uta-supportteam",
    ]  # fmt: skip
    board = json.loads(cmd("status", "--json", "--now", now).stdout)
    assert len(board["calendar_ends"]) == 4
    assert "loopt af" in cmd("status", "--now", now).stdout
    first = json.loads(cmd("daemon", "--once", "--json", "--now", now).stdout)
    assert first["counts"]["calendar"] == 4  # one mail per body and horizon
    second = json.loads(cmd("daemon", "--once", "--json", "--now", "2026-11-02T09:00").stdout)
    assert "calendar" not in second["counts"]


def test_an_item_with_no_meeting_ahead_says_what_to_do(cmd: InProcessCli) -> None:
    now = "2026-12-20T09:00"
    item = cmd("new", "Na de laatste", "--flow", "agendapunt-supportteam", "--now", now)
    moved = cmd("move", item.stdout.strip(), "agenderen", "--now", now).stdout
    assert "Geen vergadering van Regieteam Werk & Participatie in zicht" in moved
    assert "voeg de vergaderingen van 2027 toe" in " ".join(moved.split())


def test_an_owner_by_name_gets_the_reminder(cmd: InProcessCli) -> None:
    now = "2024-02-05T09:00"
    item = cmd("new", "Met eigenaar", "--flow", "agendapunt-supportteam", "--owner",
               "kevin van pernis", "--now", now).stdout.strip()  # fmt: skip
    cmd("move", item, "agenderen", "--now", now)
    assert json.loads(cmd("show", item, "--json").stdout)["owner"] == "Kevin van Pernis"
    # planned on the Regieteam of 20 February: reminder Thursday 8 February 12:00
    cmd("daemon", "--once", "--now", "2024-02-08T13:00")
    outbox = json.loads(cmd("outbox", "--json").stdout)
    reminders = [m for m in outbox if m["kind"] == "reminder" and f"#{item} " in m["subject"]]
    # one row per address held for its daily overview: the owner's is among them
    assert any(m["recipients"] == ["k.vanpernis@regiogv.example"] for m in reminders)
    refused = cmd("new", "X", "--flow", "initiatief", "--owner", "Onbekende", check=False)
    assert refused.returncode == 2 and "Bekende namen" in refused.stderr


def test_the_digest_reports_the_quarter_the_software_was_installed_in(
    config_path: object,
) -> None:
    from pathlib import Path

    cmd = InProcessCli(Path(str(config_path)))
    cmd("init", "--now", "2024-03-14T09:00")
    item = cmd("new", "Regionaal Talentfonds", "--flow", "agendapunt-stuurgroep", "--topic",
               "talentfonds", "--now", "2024-03-14T10:00").stdout.strip()  # fmt: skip
    cmd("move", item, "agenderen", "--now", "2024-03-14T10:05")
    swept = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-04-01T07:00").stdout)
    assert swept["counts"]["digest"] == 1
    (digest,) = [m for m in json.loads(cmd("outbox", "--json").stdout) if m["kind"] == "digest"]
    assert "2024-K1" in digest["subject"]
    eml = sorted((Path(str(config_path)).parent / "outbox").glob("*.eml"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in eml)
    assert "sinds de ingebruikname op 14 maart 2024" in " ".join(text.split())
    assert "Regionaal Talentfonds" in text and "→" not in text
