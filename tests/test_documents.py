"""Meeting documents: the agenda and the besluitenlijst, as data, Markdown, JSON and a real page.

The HTML agenda is opened in headless Chromium (Debian's `chromium`), its rendered DOM checked
for the items, and a screenshot kept in test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli

NOW = ("--now", "2024-02-14T09:00")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def meeting(cli: Cli) -> dict[str, str]:
    """Three items on the Regieteam of 20 Feb 2024: one confidential, one with papers in."""
    cli("init", "--now", "2024-01-01T00:00")
    at = ("--now", "2024-02-05T09:00")
    ids = {
        "info": cli("new", "LLO verkenning", "--flow", "initiatief", "--voor", "informatie",
                    *at).stdout.strip(),
        "besluit": cli("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep",
                       "--kenmerk", "DOC-24003697", "--owner", "Kevin van Pernis",
                       "--voor", "besluitvorming", *at).stdout.strip(),
        "geheim": cli("new", "Geheim <dossier> & co", "--flow", "agendapunt-stuurgroep",
                      "--kenmerk", "DOC-9", "--owner", "Annette Keates", "--vertrouwelijk",
                      *at).stdout.strip(),
    }  # fmt: skip
    for item in ids.values():
        cli("move", item, "agenderen", *at)
    cli("stukken", ids["besluit"], "--now", "2024-02-12T10:00")
    return ids


def test_agenda_numbers_items_decisions_first_with_what_is_asked(
    cli: Cli, meeting: dict[str, str]
) -> None:
    text = cli("agenda", "regieteam", *NOW).stdout
    assert text.startswith("# Agenda Regieteam Werk & Participatie")
    assert "Vergadering van dinsdag 20 februari 2024 10:00" in text
    assert "Stukken uiterlijk dinsdag 13 februari 2024 12:00" in text
    assert "Niet openbaar" in text
    numbered = re.findall(r"^(\d+)\. \*\*(.+?)\*\*(.*)$", text, re.MULTILINE)
    assert [(n, title) for n, title, _ in numbered] == [
        ("1", "Regionaal Werkcentrum"),
        ("2", r"Geheim \<dossier\> & co"),
        ("3", "LLO verkenning"),
    ]
    assert numbered[0][2] == ", ter besluitvorming"
    assert numbered[1][2] == " (vertrouwelijk), ter bespreking"
    assert numbered[2][2] == ", ter informatie"
    first = text.split("2. ")[0]
    assert "Kenmerk: DOC-24003697" in first and "Trekker: Kevin van Pernis" in first
    assert "Stukken: binnen" in first
    assert text.count("Stukken: te laat, niet binnen") == 2


def test_openbaar_agenda_keeps_only_the_reference_of_a_confidential_item(
    cli: Cli, meeting: dict[str, str]
) -> None:
    text = cli("agenda", "regieteam", "--openbaar", *NOW).stdout
    assert "**Openbaar**" in text
    assert "2. **Vertrouwelijk punt** (Referentie: DOC-9)" in text
    assert "Geheim" not in text and "Annette Keates" not in text
    shaped = json.loads(cli("agenda", "regieteam", "--openbaar", "-f", "json", *NOW).stdout)
    secret = next(i for i in shaped["items"] if i["id"] == int(meeting["geheim"]))
    assert secret == {**secret, "redacted": True, "title": None, "owner": None, "kenmerk": "DOC-9"}
    assert "Geheim" not in json.dumps(shaped) and "Iemand" not in json.dumps(shaped)


def test_agenda_in_english_and_for_a_named_meeting(cli: Cli, meeting: dict[str, str]) -> None:
    text = cli("--lang", "en", "agenda", "regieteam", "--meeting", "2024-02-20", *NOW).stdout
    assert "Meeting of Tuesday, February 20, 2024 10:00" in text
    assert "1. **Regionaal Werkcentrum**, for decision" in text
    assert "Papers: late, not in" in text


def test_agenda_refuses_a_day_without_meeting_and_a_bad_format(
    cli: Cli, meeting: dict[str, str]
) -> None:
    no_meeting = cli("agenda", "regieteam", "--meeting", "2024-02-21", *NOW, check=False)
    assert no_meeting.returncode == 2
    assert "Regieteam Werk & Participatie vergadert niet op 21 februari 2024" in no_meeting.stderr
    assert "Traceback" not in no_meeting.stderr
    bad = cli("agenda", "regieteam", "-f", "pdf", *NOW, check=False)
    assert bad.returncode == 2
    assert "--format: 'pdf' kan niet; kies uit md, html, json." in bad.stderr
    unknown = cli("agenda", "nergens", *NOW, check=False)
    assert unknown.returncode == 2


def test_empty_meeting_says_so(cli: Cli) -> None:
    text = cli("agenda", "pfho-wp", "--meeting", "2024-03-14", "--now", "2024-03-01").stdout
    assert "Er staan geen punten op deze vergadering." in text


def test_besluitenlijst_after_meeting_close(cli: Cli, meeting: dict[str, str]) -> None:
    early = cli("besluitenlijst", "regieteam", "--meeting", "2024-02-20", *NOW, check=False)
    assert early.returncode == 1
    assert "routing meeting close regieteam 2024-02-20" in early.stderr
    cli("meeting", "close", "regieteam", "2024-02-20",
        "-o", f"{meeting['besluit']}=doorzetten", "--note", f"{meeting['besluit']}=Akkoord, door naar PFHO",
        "-o", f"{meeting['geheim']}=aanhouden", "--note", f"{meeting['geheim']}=Wacht op advies",
        "-o", f"{meeting['info']}=voorleggen",
        "--now", "2024-02-20T12:00")  # fmt: skip
    text = cli(
        "besluitenlijst", "regieteam", "--meeting", "2024-02-20", "--now", "2024-02-21"
    ).stdout
    assert text.startswith("# Besluitenlijst Regieteam Werk & Participatie")
    lines = text.splitlines()
    first = lines.index("1. **Regionaal Werkcentrum**")
    assert lines[first + 1 : first + 5] == [
        "   - Kenmerk: DOC-24003697",
        "   - Besluit: Ingestemd; doorgezet naar PFHO Werk & Participatie",
        "   - Toelichting: Akkoord, door naar PFHO",
        "   - Vervolg: PFHO Werk & Participatie, vergadering van 14 maart 2024",
    ]
    assert "2. **Geheim \\<dossier\\> & co** (vertrouwelijk)" in lines
    assert "Wacht op advies" in text
    public = cli("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "--openbaar",
                 "-f", "json", "--now", "2024-02-21").stdout  # fmt: skip
    rows = json.loads(public)["items"]
    assert [r["outcome"] for r in rows] == ["doorzetten", "aanhouden", "voorleggen"]
    assert rows[1]["redacted"] and rows[1]["note"] is None and rows[1]["title"] is None
    assert "Wacht op advies" not in public


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return found


def _headless(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def test_html_agenda_renders_in_chromium(cli: Cli, meeting: dict[str, str], tmp_path: Path) -> None:
    chromium = _chromium()
    page = tmp_path / "agenda.html"
    cli("agenda", "regieteam", "--openbaar", "-f", "html", "-o", str(page), *NOW)
    html = page.read_text(encoding="utf-8")
    assert "&lt;" not in html or "Geheim" not in html  # openbaar: the title is not there at all
    dom = _headless(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    points = re.findall(r'<li class="point" id="point-(\d+)" data-item="(\d+)">', dom.stdout)
    assert points == [
        ("1", meeting["besluit"]),
        ("2", meeting["geheim"]),
        ("3", meeting["info"]),
    ]
    assert "Regionaal Werkcentrum" in dom.stdout and "LLO verkenning" in dom.stdout
    assert "Vertrouwelijk punt" in dom.stdout and "Geheim" not in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "agenda-regieteam.png"
    shot.unlink(missing_ok=True)
    taken = _headless(chromium, tmp_path / "profile2", "--window-size=900,1100",
                      f"--screenshot={shot}", page.as_uri())  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_escapes_what_a_title_contains(cli: Cli, meeting: dict[str, str]) -> None:
    html = cli("agenda", "regieteam", "-f", "html", *NOW).stdout
    assert "Geheim &lt;dossier&gt; &amp; co" in html
    assert "<dossier>" not in html
    assert '<html lang="nl">' in html
