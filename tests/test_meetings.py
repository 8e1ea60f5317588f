"""The secretariat's meeting work through the installed command: the calendar, an .ics import,
the backward plan, and closing a meeting in one go."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import select
from pathlib import Path

from tests.conftest import ROUTING, Cli


def test_meetings_list_papers_deadlines_and_flags_rule_six(cli: Cli) -> None:
    rows = json.loads(
        cli(
            "meetings",
            "--body",
            "uta-stuurgroep",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--json",
        ).stdout
    )
    assert [r["start"] for r in rows] == [
        "2024-03-21T15:00:00+01:00",
        "2024-06-20T15:00:00+02:00",
        "2024-10-03T15:00:00+02:00",
        "2024-12-12T15:00:00+01:00",
    ]
    assert rows[0]["papers_due"] == "2024-03-14T15:00:00+01:00"
    # papers arrive a week ahead at 15:00; the PFHO W&P meets on the second Thursday at 14:00:
    # 14 March and 13 June are an hour before the papers, 12 September long before 3 October;
    # only 12 December falls inside the week (rule 6)
    assert [r["no_regional_preparation"] for r in rows] == [True, True, True, False]
    text = cli(
        "meetings", "--body", "uta-stuurgroep", "--from", "2024-09-01", "--to", "2024-10-31"
    ).stdout
    assert "geen regionale voorbereiding mogelijk" in text
    (row,) = [line for line in text.splitlines() if "do 3 okt 2024 15:00" in line]
    assert "UTA stuurgroep" in row and row.rstrip().endswith("⚠")


ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Gemeente Hilversum//Agenda//NL\r
BEGIN:VEVENT\r
UID:supportteam-1@uta\r
DTSTART;TZID=Europe/Amsterdam:20250115T133000\r
SUMMARY:UTA supportteam\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:supportteam-2@uta\r
DTSTART:20250219T123000Z\r
SUMMARY:UTA supportteam\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:heidag@uta\r
DTSTART;VALUE=DATE:20250312\r
SUMMARY:Heidag\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly@uta\r
DTSTART;TZID=Europe/Amsterdam:20250401T100000\r
RRULE:FREQ=WEEKLY;COUNT=3\r
EXDATE;TZID=Europe/Amsterdam:20250408T100000\r
SUMMARY:Overleg\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:cancelled@uta\r
DTSTART;TZID=Europe/Amsterdam:20250501T100000\r
STATUS:CANCELLED\r
SUMMARY:Vervallen\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_importing_an_ics_adds_meetings_once(cli: Cli, tmp_path: Path) -> None:
    ics = tmp_path / "agenda.ics"
    ics.write_bytes(ICS)
    first = cli("meetings", "import", "ei-ambtelijk", str(ics), "--now", "2025-01-01T00:00")
    # two single meetings, two of the weekly series (8 April excluded); the all-day "Heidag"
    # and the cancelled event are skipped with their reason
    assert "4 toegevoegd, 0 verplaatst, 0 vervallen, 0 ongewijzigd, 2 overgeslagen" in first.stdout
    assert "Heidag: hele dag, geen vergadering" in first.stdout
    assert "Vervallen: geannuleerd in het bestand" in first.stdout
    again = cli("meetings", "import", "ei-ambtelijk", str(ics), "--now", "2025-01-01T00:00")
    assert "0 toegevoegd, 0 verplaatst, 0 vervallen, 4 ongewijzigd" in again.stdout
    rows = json.loads(
        cli(
            "meetings", "--body", "ei-ambtelijk", "--from", "2025-04-01", "--to", "2025-04-30",
            "--json",
        ).stdout
    )  # fmt: skip
    imported = [r["start"] for r in rows if r["source"] == "ics"]
    assert imported == ["2025-04-01T10:00:00+02:00", "2025-04-15T10:00:00+02:00"]
    bad = tmp_path / "bad.ics"
    bad.write_text("geen agenda")
    result = cli("meetings", "import", "ei-ambtelijk", str(bad), check=False)
    assert result.returncode == 2
    assert "iCalendar" in result.stderr
    person = cli("meetings", "import", "wethouder-hilversum", str(ics), check=False)
    assert person.returncode == 2
    assert "'wethouder-hilversum' is een persoon" in person.stderr
    assert "importeer in plaats daarvan de kalender van 'uta-stuurgroep'" in person.stderr


def test_plan_names_every_step_and_the_earliest_reachable_meeting(cli: Cli) -> None:
    cli("init", "--now", "2024-01-01T00:00")
    item = cli("new", "Regionaal Talentfonds", "--flow", "agendapunt-stuurgroep",
               "--target-meeting", "2024-03-21", "--now", "2024-02-05T09:00").stdout.strip()  # fmt: skip
    plan = json.loads(cli("plan", item, "--json", "--now", "2024-02-05T09:00").stdout)
    assert plan["target_body"] == "uta-stuurgroep"
    assert plan["plan"]["feasible"] is False
    assert [s["body"] for s in plan["plan"]["steps"]] == [
        "regieteam", "pfho-wp", "wethouder-hilversum", "uta-stuurgroep",
    ]  # fmt: skip
    assert plan["earliest"]["target"]["start"] == "2024-06-20T15:00:00+02:00"
    # 20 June: hand-over day 6 June (10 working days); the wethouder receives points at the
    # PFHO W&P, whose last meeting by then is 11 April (9 May is Hemelvaart, 13 June too late)
    assert [s["deadline"] for s in plan["earliest"]["steps"]] == [
        "2024-03-22T12:00:00+01:00",
        "2024-04-02T12:00:00+02:00",
        "2024-04-11T23:59:00+02:00",
        "2024-06-13T15:00:00+02:00",
    ]
    assert plan["earliest"]["steps"][2]["meeting"]["start"] == "2024-04-11T14:00:00+02:00"
    text = cli("plan", item, "--now", "2024-02-05T09:00").stdout
    assert "niet meer haalbaar" in text
    assert "Vroegst haalbaar" in text
    no_target = cli("new", "Zonder doel", "--flow", "initiatief").stdout.strip()
    refused = cli("plan", no_target, check=False)
    assert refused.returncode == 2 and "--target ORGAAN" in refused.stderr


def test_closing_a_meeting_moves_every_item_or_nothing(cli: Cli) -> None:
    now = ["--now", "2024-02-05T09:00"]
    a = cli("new", "A", "--flow", "agendapunt-stuurgroep", *now).stdout.strip()
    b = cli("new", "B", "--flow", "agendapunt-supportteam", *now).stdout.strip()
    c = cli("new", "C", "--flow", "initiatief", *now).stdout.strip()
    for item in (a, b, c):
        cli("move", item, "agenderen", *now)
    after = ["--now", "2024-02-20T12:00"]
    refused = cli("meeting", "close", "regieteam", "2024-02-20", "-o", f"{a}=doorzetten",
                  "-o", f"{b}=besproken", *after, check=False)  # fmt: skip
    assert refused.returncode == 1
    assert "'besproken' kan alleen vanuit 'uta-supportteam'" in refused.stderr
    assert json.loads(cli("show", a, "--json").stdout)["state"] == "regieteam"  # nothing moved
    stranger = cli("meeting", "close", "regieteam", "2024-02-20", "-o", "99=doorzetten", *after,
                   check=False)  # fmt: skip
    assert stranger.returncode == 2
    assert (
        "Item 99 staat niet op de vergadering van Regieteam Werk & Participatie van "
        "20 februari 2024" in stranger.stderr
    )
    closed = json.loads(
        cli(
            "meeting",
            "close",
            "regieteam",
            "2024-02-20",
            "-o",
            f"{a}=doorzetten",
            "-o",
            f"{c}=voorleggen",
            "--note",
            f"{a}=Akkoord",
            "--json",
            *after,
        ).stdout
    )
    assert [(r["item_id"], r["trigger"], r["to_state"]) for r in closed] == [
        (int(a), "doorzetten", "pfho-wp"),
        (int(b), None, "regieteam"),
        (int(c), "voorleggen", "pfho-wp"),
    ]
    assert json.loads(cli("show", a, "--json").stdout)["history"][-1]["note"] == "Akkoord"
    # a meeting is closed once: B, left without an outcome, is the daemon's to roll over
    again = cli("meeting", "close", "regieteam", "2024-02-20", "-o", f"{b}=besproken", *after,
                check=False)  # fmt: skip
    assert again.returncode == 1
    assert again.stderr.startswith(
        "routing: De vergadering van Regieteam Werk & Participatie van 20 februari 2024 is al "
        "gesloten op 20 februari 2024"
    )
    assert len(again.stderr.strip().splitlines()) == 1
    no_meeting = cli("meeting", "close", "regieteam", "2024-02-21", check=False)
    assert no_meeting.returncode == 2 and "vergadert niet op 21 februari 2024" in no_meeting.stderr
    english = cli("--lang", "en", "meeting", "close", "regieteam", "2024-02-21", check=False)
    assert "does not meet on February 21, 2024" in english.stderr


def test_papers_in_and_the_outbox_command(cli: Cli) -> None:
    item = cli("new", "A", "--flow", "initiatief", "--now", "2024-02-05T09:00").stdout.strip()
    cli("move", item, "agenderen", "--now", "2024-02-05T09:00")
    assert "stukken binnen (2 termijnen" in cli("stukken", item, "--now", "2024-02-06T09:00").stdout
    again = cli("stukken", item, check=False)
    assert again.returncode == 1 and "geen openstaande termijn voor stukken" in again.stderr
    assert "De outbox is leeg" in cli("outbox").stdout
    assert json.loads(cli("outbox", "--json").stdout) == []


def test_a_target_date_shared_by_two_bodies_means_the_one_furthest_along(cli: Cli) -> None:
    """12 December 2024: the PFHO W&P (14:00) and the UTA stuurgroep (15:00) both meet."""
    item = cli("new", "Werkcentrum", "--flow", "agendapunt-stuurgroep", "--target-meeting",
               "2024-12-12", "--now", "2024-08-01T10:00").stdout.strip()  # fmt: skip
    detail = json.loads(cli("show", item, "--json", "--now", "2024-08-01T10:00").stdout)
    assert detail["target"] == {"body": "uta-stuurgroep", "meeting": "2024-12-12T14:00:00+00:00"}
    explicit = cli("new", "Voorbereiding", "--flow", "agendapunt-stuurgroep", "--target-meeting",
                   "2024-12-12", "--target", "pfho-wp", "--now", "2024-08-01T10:00").stdout.strip()  # fmt: skip
    assert json.loads(cli("show", explicit, "--json").stdout)["target"]["body"] == "pfho-wp"


def _big_calendar(path: Path, count: int) -> Path:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    for n in range(count):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=n)
        lines += ["BEGIN:VEVENT", f"UID:ei-{n}@test", "SUMMARY:E&I",
                  f"DTSTART;TZID=Europe/Amsterdam:{day:%Y%m%d}T110000", "END:VEVENT"]  # fmt: skip
    path.write_text("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n")
    return path


def _in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the installed command on a pseudo-terminal, as a secretary would see it."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: become the command
        os.execve(ROUTING, [ROUTING, *args], env)
    out = b""
    for _ in range(10_000):  # bounded: the command ends long before
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.decode("utf-8", "replace")


def test_meetings_import_shows_a_bar_in_a_terminal_and_nothing_in_a_pipe(
    cli: Cli, config_path: Path, tmp_path: Path
) -> None:
    ics = _big_calendar(tmp_path / "ei.ics", 300)
    env = {**os.environ, "ROUTING_CONFIG": str(config_path), "COLUMNS": "100"}
    shown = _in_terminal(
        ["meetings", "import", "ei-ambtelijk", str(ics), "--now", "2025-01-01"], env
    )
    assert "Vergaderingen importeren" in shown and "300/300" in shown and "━" in shown
    assert "ei-ambtelijk: 300 toegevoegd, 0 verplaatst" in shown
    piped = cli("meetings", "import", "ei-ambtelijk", str(ics), "--now", "2025-01-01")
    assert piped.stdout.startswith("ei-ambtelijk: 0 toegevoegd, 0 verplaatst, 0 vervallen, 300")
    assert piped.stderr == ""
