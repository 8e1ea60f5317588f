"""`make demo` plays 2024 on a fresh embedded database; check what it promises, from its files."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import subprocess
from pathlib import Path

import vobject

from tests.conftest import ROUTING


def test_demo_plays_the_year_and_leaves_its_files(demo_year: tuple[str, Path]) -> None:
    out, output = demo_year
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("ROUTING_DATABASE_URL", None)
    assert f"De demo-bestanden staan in {output}" in out

    # the daemon's year: feedback after UTA meetings, a missed deadline escalated, E&I informed
    assert (
        len(re.findall(r"Terugkoppelingsitem \d+ aangemaakt: Terugkoppeling UTA supportteam", out))
        >= 8
    )
    assert (
        len(re.findall(r"Terugkoppelingsitem \d+ aangemaakt: Terugkoppeling UTA stuurgroep", out))
        == 4
    )
    assert "Termijn verstreken: stukken voor Regieteam Werk & Participatie — #3" in out
    assert "E-mail verstuurd: Ter informatie voor PFHO Economie & Innovatie: #1" in out
    assert "Doorgeschoven: #" in out
    # the refused step changed nothing, and went through after the kenmerk was added
    assert "'inbrengen' wordt geweigerd" in out and "Item 3 bijgewerkt." in out

    mails = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in sorted((output / "outbox").glob("*.eml"))
    ]
    subjects = [str(m["Subject"]) for m in mails]
    assert len({str(m["Message-ID"]) for m in mails}) == len(mails) > 30
    # E&I hears in its daily overview (the default); mails to others name no command and
    # leave no field empty
    to_ei = [m for m in mails if str(m["To"]) == "pfho.ei@regiogv.example"]
    assert any(
        str(m["Subject"]).startswith("Dagoverzicht")
        and "Ter informatie, volgens de afspraken" in _plain(m)
        for m in to_ei
    )
    for mail in mails:
        text = f"{mail['Subject']}\n{_plain(mail)}"
        assert not re.search(r":\s*—\s*$", text, re.MULTILINE), text
        if str(mail["To"]) != "secretariaat.wp@regiogv.example":
            assert not re.search(r"\brouting\s+[a-z]", text), text
    assert any(s.startswith("Voortgang Werk & Participatie / UTA, 2024-K") for s in subjects)

    # the end state, read back through the command a secretary would use
    env["ROUTING_CONFIG"] = str(output / "routing.toml")
    listed = subprocess.run(
        [ROUTING, "list", "--json"], env=env, capture_output=True, text=True, check=True
    )
    items = {i["title"]: i for i in json.loads(listed.stdout)}
    assert items["Regionaal Werkcentrum Gooi & Vechtstreek"]["state"] == "afgerond"
    assert items["Verkenning leven lang ontwikkelen (LLO)"]["state"] == "afgerond"
    assert items["Regionale aanpak praktijkleren"]["state"] == "wethouder-hilversum"
    assert "Stand van zaken, 31 december 2024 18:00" in out

    assert (
        "Regionaal Werkcentrum" in (output / "besluitenlijst-pfho-wp-2024-04-11.html").read_text()
    )
    assert (output / "agenda.html").read_text().startswith("<!DOCTYPE html>")
    assert (output / "werkcentrum.svg").read_text().lstrip().startswith("<?xml")
    calendar = vobject.readOne((output / "vergaderingen-2025.ics").read_text())
    assert len(calendar.vevent_list) > 30


def _plain(mail: email.message.EmailMessage) -> str:
    """A mail's readable text: the whole of a plain mail, the text part of an invitation
    (text and calendar)."""
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None, mail["Subject"]
    return str(body.get_content())
