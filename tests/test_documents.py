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
_REGIETEAM = 'kind = "ambtelijk"\nemail = ["regieteam.wp@regiogv.example"]\n'
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _edit(config: Path, old: str, new: str) -> None:
    text = config.read_text(encoding="utf-8")
    if "chair = " in new:  # the starter names the regieteam's chair: one key, the test's
        text = text.replace('chair = "Anouk Pols"\n', "", 1)
    assert text.count(old) == 1, old
    config.write_text(text.replace(old, new), encoding="utf-8")


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
    assert "Vergadering van dinsdag 20 februari 2024, aanvang 10:00 uur" in text
    assert "Stukken uiterlijk dinsdag 13 februari 2024 12:00" in text
    assert "Niet openbaar" in text
    numbered = re.findall(r"^(\d+)\. \*\*(.+?)\*\*(.*)$", text, re.MULTILINE)
    assert [(n, title) for n, title, _ in numbered] == [
        ("6", "Regionaal Werkcentrum"),
        ("7", r"Geheim \<dossier\> & co"),
        ("8", "LLO verkenning"),
    ]
    assert numbered[0][2] == ", ter besluitvorming"
    assert numbered[1][2] == " (vertrouwelijk), ter bespreking"
    assert numbered[2][2] == ", ter informatie"
    first = text.split("\n7. ")[0].split("\n6. ")[1]
    assert "Kenmerk: DOC-24003697" in first and "Trekker: Kevin van Pernis" in first
    assert "Stukken: binnen" in first
    assert text.count("Stukken: te laat, niet binnen") == 2


def test_openbaar_agenda_keeps_only_the_reference_of_a_confidential_item(
    cli: Cli, meeting: dict[str, str]
) -> None:
    text = cli("agenda", "regieteam", "--openbaar", *NOW).stdout
    assert "**Openbaar**" in text
    assert "7. **Vertrouwelijk punt** (Referentie: DOC-9)" in text
    assert "Geheim" not in text and "Annette Keates" not in text
    shaped = json.loads(cli("agenda", "regieteam", "--openbaar", "-f", "json", *NOW).stdout)
    secret = next(i for i in shaped["items"] if i["id"] == int(meeting["geheim"]))
    assert secret == {**secret, "redacted": True, "title": None, "owner": None, "kenmerk": "DOC-9"}
    assert "Geheim" not in json.dumps(shaped) and "Iemand" not in json.dumps(shaped)


def test_agenda_in_english_and_for_a_named_meeting(cli: Cli, meeting: dict[str, str]) -> None:
    text = cli("--lang", "en", "agenda", "regieteam", "--meeting", "2024-02-20", *NOW).stdout
    assert "Meeting of Tuesday, February 20, 2024, starting at 10:00" in text
    assert "1. Opening\n2. Announcements\n3. Adoption of the agenda\n" in text
    assert "4. Minutes of the meeting of February 6, 2024\n5. Incoming correspondence\n" in text
    assert "6. **Regionaal Werkcentrum**, for decision" in text
    assert "9. Any other business\n10. Close\n" in text
    assert "Papers: late, not in" in text


def test_agenda_refuses_a_day_without_meeting_and_a_bad_format(
    cli: Cli, meeting: dict[str, str]
) -> None:
    no_meeting = cli("agenda", "regieteam", "--meeting", "2024-02-21", *NOW, check=False)
    assert no_meeting.returncode == 2
    assert "Regieteam Werk & Participatie vergadert niet op 21 februari 2024" in no_meeting.stderr
    assert "Traceback" not in no_meeting.stderr
    bad = cli("agenda", "regieteam", "-f", "docx", *NOW, check=False)
    assert bad.returncode == 2
    assert "--format: 'docx' kan niet; kies uit md, html, pdf, json, ori." in bad.stderr
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


def test_html_agenda_renders_in_chromium(
    cli: Cli, meeting: dict[str, str], config_path: Path, tmp_path: Path
) -> None:
    chromium = _chromium()
    _edit(config_path, _REGIETEAM, _REGIETEAM + 'location = "Regiokantoor, Hilversum"\n'
          'chair = "Anouk Pols"\n')  # fmt: skip
    page = tmp_path / "agenda.html"
    cli("agenda", "regieteam", "--openbaar", "-o", str(page), *NOW)
    html = page.read_text(encoding="utf-8")
    assert "&lt;" not in html or "Geheim" not in html  # openbaar: the title is not there at all
    dom = _headless(chromium, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr
    points = re.findall(r'<li class="point" id="point-(\d+)" data-item="(\d+)">', dom.stdout)
    assert points == [
        ("6", meeting["besluit"]),
        ("7", meeting["geheim"]),
        ("8", meeting["info"]),
    ]
    parts = re.findall(
        r'<li class="part" id="part-(\d+)">\s*<span class="number">\d+\.</span>\s*'
        r'<div class="title">([^<]+)</div>',
        dom.stdout,
    )
    assert parts == [
        ("1", "Opening"), ("2", "Mededelingen"), ("3", "Vaststellen agenda"),
        ("4", "Verslag van de vergadering van 6 februari 2024"), ("5", "Ingekomen stukken"),
        ("9", "Rondvraag"), ("10", "Sluiting"),
    ]  # fmt: skip
    header = dom.stdout.split("<main>")[0]
    for label, value in [
        ("Datum", "dinsdag 20 februari 2024"),
        ("Aanvang", "10:00 uur"),
        ("Locatie", "Regiokantoor, Hilversum"),
        ("Voorzitter", "Anouk Pols"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in header  # fmt: skip
    assert "Stukken uiterlijk" not in dom.stdout and "Trekker" not in dom.stdout
    assert "Regionaal Werkcentrum" in dom.stdout and "LLO verkenning" in dom.stdout
    assert "Vertrouwelijk punt" in dom.stdout and "Geheim" not in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "agenda-regieteam.png"
    shot.unlink(missing_ok=True)
    taken = _headless(chromium, tmp_path / "profile2", "--window-size=900,1300",
                      f"--screenshot={shot}", page.as_uri())  # fmt: skip
    assert taken.returncode == 0, taken.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_escapes_what_a_title_contains(cli: Cli, meeting: dict[str, str]) -> None:
    html = cli("agenda", "regieteam", "-f", "html", *NOW).stdout
    assert "Geheim &lt;dossier&gt; &amp; co" in html
    assert "<dossier>" not in html
    assert '<html lang="nl">' in html


# --- the parts of a Dutch agenda, its head, names and the public version ------------------------


def test_each_body_sets_its_own_parts_around_the_items(
    cli: Cli, meeting: dict[str, str], config_path: Path
) -> None:
    _edit(config_path, _REGIETEAM, _REGIETEAM + 'agenda = { before = ["Opening", '
          '"Vaststelling van de agenda", "besluitenlijst", "Actielijst <vast>"], after = [] }\n')  # fmt: skip
    text = cli("agenda", "regieteam", *NOW).stdout
    numbered = re.findall(r"^(\d+)\. (.+)$", text, re.MULTILINE)
    assert [line for _, line in numbered][:4] == [
        "Opening",
        "Vaststellen agenda",
        "Besluitenlijst van de vergadering van 6 februari 2024",
        r"Actielijst \<vast\>",  # a part of its own, as written (and as text)
    ]
    assert [n for n, _ in numbered] == ["1", "2", "3", "4", "5", "6", "7"]
    assert "Rondvraag" not in text and "Sluiting" not in text and "Mededelingen" not in text
    # another body keeps the Dutch default; its first meeting has no previous one to name
    other = cli("agenda", "pfho-wp", "--meeting", "2024-01-11", "--now", "2024-01-02").stdout
    assert re.findall(r"^\d+\. .+$", other, re.MULTILINE) == [
        "1. Opening", "2. Mededelingen", "3. Vaststellen agenda",
        "4. Verslag vorige vergadering", "5. Ingekomen stukken", "6. Rondvraag", "7. Sluiting",
    ]  # fmt: skip
    assert "Er staan geen punten op deze vergadering." in other


def test_the_head_names_time_location_and_chair(
    cli: Cli, meeting: dict[str, str], config_path: Path
) -> None:
    _edit(config_path, _REGIETEAM, _REGIETEAM + 'location = "Regiokantoor, Hilversum"\n'
          'chair = "Anouk *Pols*"\n')  # fmt: skip
    head = cli("agenda", "regieteam", *NOW).stdout.split("\n\n")[1]
    assert head.splitlines() == [
        "Vergadering van dinsdag 20 februari 2024, aanvang 10:00 uur  ",
        "Locatie: Regiokantoor, Hilversum  ",
        r"Voorzitter: Anouk \*Pols\*  ",
        "Stukken uiterlijk dinsdag 13 februari 2024 12:00  ",
        "**Niet openbaar, niet verspreiden**",
    ]
    shaped = json.loads(cli("agenda", "regieteam", "-f", "json", *NOW).stdout)
    assert (shaped["location"], shaped["chair"]) == ("Regiokantoor, Hilversum", "Anouk *Pols*")
    assert shaped["previous_meeting"].startswith("2024-02-06T10:00")


def test_the_sender_is_named_by_its_name_never_its_key(cli: Cli, meeting: dict[str, str]) -> None:
    cli("new", "Voorstel UTA", "--flow", "agendapunt-stuurgroep", "--van", "uta-supportteam",
        "--now", "2024-02-05T10:00")  # fmt: skip
    cli("move", "4", "agenderen", "--now", "2024-02-05T10:00")
    text = cli("agenda", "regieteam", *NOW).stdout
    assert "Afzender: UTA supportteam" in text and "uta-supportteam" not in text
    html = cli("agenda", "regieteam", "-f", "html", *NOW).stdout
    assert "<dd>UTA supportteam</dd>" in html and "uta-supportteam" not in html
    items = json.loads(cli("agenda", "regieteam", "-f", "json", *NOW).stdout)["items"]
    item = next(i for i in items if i["id"] == 4)
    assert (item["sender"], item["sender_name"]) == ("uta-supportteam", "UTA supportteam")


def test_the_openbaar_agenda_shows_no_process_state(cli: Cli, meeting: dict[str, str]) -> None:
    text = cli("agenda", "regieteam", "--openbaar", *NOW).stdout
    for internal in ("Stukken", "te laat", "Trekker", "Kevin van Pernis", "uiterlijk"):
        assert internal not in text, internal
    assert "6. **Regionaal Werkcentrum**, ter besluitvorming\n   - Kenmerk: DOC-24003697\n" in text
    shaped = json.loads(cli("agenda", "regieteam", "--openbaar", "-f", "json", *NOW).stdout)
    assert shaped["papers_due"] is None
    for item in shaped["items"]:
        assert item["owner"] is None and item["papers"] is None
        assert item["flow_title"] is None and item["state_title"] is None
    internal = json.loads(cli("agenda", "regieteam", "-f", "json", *NOW).stdout)
    assert [i["papers"] for i in internal["items"]] == ["in", "missed", "missed"]


def test_papers_of_an_item_are_listed_as_links_and_stay_text(cli: Cli) -> None:
    """Another part of the program fills `paper_links`; the agenda shows them, a link only when it
    is a web address or a file name."""
    import zoneinfo

    from routing.render.documents import render

    item = {
        "number": 6, "id": 1, "kenmerk": None, "vertrouwelijk": False, "redacted": False,
        "title": "Werkcentrum", "asked": "besluitvorming", "owner": None, "topics": [],
        "sender": None, "sender_name": None, "document_date": None, "papers": "in",
        "paper_links": [{"title": "Notitie <b>1</b>", "href": "https://example.org/a b.pdf"},
                   {"title": "Kwaad", "href": "javascript:alert(1)"}],
    }  # fmt: skip
    doc = {
        "kind": "agenda", "body": "regieteam", "body_name": "Regieteam", "location": None,
        "chair": None, "meeting": "2024-02-20T10:00:00+01:00", "openbaar": False,
        "composed_at": "2024-02-14T09:00:00+01:00", "papers_due": None, "previous_meeting": None,
        "parts_before": [], "items": [item], "parts_after": [],
    }  # fmt: skip
    tz = zoneinfo.ZoneInfo("Europe/Amsterdam")
    html = render(doc, "html", tz)
    assert '<a href="https://example.org/a b.pdf">Notitie &lt;b&gt;1&lt;/b&gt;</a>' in html
    assert "<li>Kwaad</li>" in html and "javascript:" not in html
    md = render(doc, "md", tz)
    assert "   - [Notitie \\<b\\>1\\</b\\>](<https://example.org/a%20b.pdf>)\n" in md
    assert "   - Kwaad\n" in md and "javascript:" not in md


def test_agenda_settings_of_the_wrong_shape_are_refused_with_their_line(
    cli: Cli, config_path: Path
) -> None:
    _edit(config_path, _REGIETEAM, _REGIETEAM + 'chair = 5\nagenda = { bevore = ["opening"] }\n')
    line = config_path.read_text(encoding="utf-8").splitlines().index("chair = 5") + 1
    refused = cli("agenda", "regieteam", *NOW, check=False)
    assert refused.returncode == 2
    assert (
        f"bodies.regieteam.chair: moet een tekst tussen aanhalingstekens zijn, maar is 5 (regel {line})"
    ) in refused.stderr
    assert (
        f"bodies.regieteam.agenda.bevore: onbekende sleutel (regel {line + 1}); "
        "toegestaan: after, before"
    ) in refused.stderr
