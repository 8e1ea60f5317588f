"""The board that says what it means and `routing todo` (issue 12, points 7 and 3), at pinned
moments around a papers deadline.

Three items, registered on 5 February 2024: #1 "Werkcentrum" (owner Anouk Pols) at the
regieteam, planned on its meeting of 20 February 10:00 with papers due on the 13th at 12:00
(reminder the 8th); #2 "Talentfonds" with the wethouder, who brings it into the stuurgroep of
21 March 15:00, whose papers go out on 14 March 15:00; #3 "Concept", not yet on a route.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import InProcessCli

NOW = "2024-02-05T09:00"


@pytest.fixture
def week(cmd: InProcessCli) -> InProcessCli:
    cmd("new", "Werkcentrum", "--flow", "agendapunt-stuurgroep", "--owner", "Anouk Pols",
        "--topic", "werkcentrum", "--now", NOW)  # fmt: skip
    cmd("new", "Talentfonds", "--flow", "agendapunt-stuurgroep", "--topic", "talentfonds",
        "--now", NOW)  # fmt: skip
    cmd("new", "Concept", "--flow", "initiatief", "--now", NOW)
    cmd("move", "1", "agenderen", "--now", NOW)
    for step in ("agenderen", "doorzetten", "meegeven"):
        cmd("move", "2", step, "--now", NOW)
    return cmd


def board(cli: InProcessCli, now: str, *args: str) -> dict[str, Any]:
    shaped: dict[str, Any] = json.loads(cli("status", "--json", "--now", now, *args).stdout)
    return shaped


def card(cli: InProcessCli, now: str, item: int) -> dict[str, Any]:
    cards = [c for column in board(cli, now)["columns"] for c in column["cards"]]
    return next(c for c in cards if c["id"] == item)


def shown(cli: InProcessCli, now: str, *args: str) -> str:
    return cli("status", "--now", now, *args).stdout


def card_text(text: str, item: int) -> str:
    """The narrow board's detail line under card `item`."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if f"#{item} " in line)
    return lines[index + 1]


@pytest.mark.parametrize(
    ("now", "words", "status", "days"),
    [
        ("2024-02-11T09:00", "stukken over 2 d · 13 februari", "soon", 2),
        ("2024-02-13T11:00", "stukken vandaag · 13 februari", "soon", 0),
        # 35 minutes after the deadline: expired today, not "0 days left"
        ("2024-02-13T12:35", "stukken vandaag verlopen · 13 februari", "late", 0),
        ("2024-02-14T09:00", "stukken 1 dag te laat · 13 februari", "late", -1),
        ("2024-02-16T09:00", "stukken 3 dagen te laat · 13 februari", "late", -3),
    ],
)
def test_a_card_counts_to_the_papers_deadline_in_words(
    week: InProcessCli, now: str, words: str, status: str, days: int
) -> None:
    line = card_text(shown(week, now), 1)
    assert words in line and "vergadering 20 februari" in line, line
    assert "herinnering" not in line and "nog " not in line
    shaped = card(week, now, 1)
    assert shaped["status"] == status and shaped["days_left"] == days
    assert shaped["next_deadline"]["kind"] == "papers"
    assert shaped["action"]["kind"] == "papers" and shaped["action"]["late"] == (status == "late")


def test_with_the_papers_in_the_card_counts_to_the_meeting(week: InProcessCli) -> None:
    week("stukken", "1", "--now", "2024-02-14T09:00")
    line = card_text(shown(week, "2024-02-14T09:00"), 1)
    assert "vergadering over 6 d · 20 februari" in line, line
    assert card(week, "2024-02-14T09:00", 1)["status"] == "soon"
    line = card_text(shown(week, "2024-02-20T12:00"), 1)  # held, nothing recorded
    assert "vergadering voorbij, geen uitkomst · 20 februari" in line, line
    assert card(week, "2024-02-20T12:00", 1)["status"] == "late"


def test_the_wethouders_card_shows_her_hand_over(week: InProcessCli) -> None:
    line = card_text(shown(week, "2024-02-11T09:00"), 2)
    assert "UTA stuurgroep 21 maart" in line and "inbrengen over 32 d · 14 maart" in line, line
    assert "vergadering" not in line  # she holds no meeting
    action = card(week, "2024-02-11T09:00", 2)["action"]
    assert action["kind"] == "handover" and action["body"] == "uta-stuurgroep"
    coming = board(week, "2024-03-05T09:00", "--body", "wethouder-hilversum")["upcoming"]
    assert {"kind": "handover", "body": "wethouder-hilversum",
            "body_name": "Wethouder Hilversum (Karin van Hunnik)",
            "at": "2024-03-14T14:00:00+00:00", "item": 2} in coming  # fmt: skip
    assert "overdracht #2" in shown(week, "2024-03-05T09:00")
    # after the stuurgroep's papers went out, she can still bring it in at the meeting itself
    line = card_text(shown(week, "2024-03-18T09:00"), 2)
    assert "inbrengen over 3 d · 21 maart" in line, line


def test_status_owner_filters_the_cards_and_the_coming_two_weeks(week: InProcessCli) -> None:
    whole = board(week, NOW)
    assert {e["body"] for e in whole["upcoming"]} >= {"regieteam", "pfho-wp"}
    mine = board(week, NOW, "--owner", "anouk pols")
    cards = [c["id"] for column in mine["columns"] for c in column["cards"]]
    assert cards == [1]
    # only item 1's deadlines, and only the meetings its cards are planned on (none in two weeks)
    assert mine["upcoming"] and all(e.get("item") == 1 for e in mine["upcoming"])
    assert {e["kind"] for e in mine["upcoming"]} == {"reminder", "papers"}
    pfho = board(week, NOW, "--body", "pfho-wp")  # the known gap: other bodies' deadlines
    assert pfho["upcoming"] and all(e["body"] == "pfho-wp" for e in pfho["upcoming"])
    topic = board(week, NOW, "--topic", "talentfonds")
    assert all(e.get("item") in (None, 2) for e in topic["upcoming"])
    assert not any(e["kind"] == "meeting" and e["body"] == "regieteam" for e in topic["upcoming"])
    assert "Werkcentrum" in shown(week, NOW, "--owner", "Anouk Pols")
    assert "Talentfonds" not in shown(week, NOW, "--owner", "Anouk Pols")


def test_todo_lists_who_acts_next_soonest_first(week: InProcessCli) -> None:
    lines = json.loads(week("todo", "--json", "--now", "2024-02-11T09:00").stdout)
    assert [line["id"] for line in lines] == [1, 2, 3]
    first, second, third = lines
    assert (first["action"], first["who"], first["who_kind"]) == ("papers", "Anouk Pols", "owner")
    assert first["what"] == "stukken aanleveren bij Regieteam Werk & Participatie"
    assert first["due"] == "2024-02-13T11:00:00+00:00" and first["days"] == 2
    assert second["action"] == "handover" and second["who_kind"] == "body"
    assert second["who"].startswith("Wethouder Hilversum")
    assert second["what"] == "inbrengen in de UTA stuurgroep"
    assert (third["action"], third["due"], third["who_kind"]) == ("place", None, "secretariat")
    # the meeting of the 20th held without an outcome: to record, first, late
    lines = json.loads(week("todo", "--json", "--now", "2024-02-20T12:00").stdout)
    assert lines[0]["id"] == 1 and lines[0]["action"] == "outcome" and lines[0]["late"]
    assert lines[0]["who_kind"] == "owner"  # the owner still answers for her item
    mine = json.loads(week("todo", "--owner", "ANOUK POLS", "--json", "--now", NOW).stdout)
    assert [line["id"] for line in mine] == [1]


def test_todo_in_the_terminal(week: InProcessCli) -> None:
    text = week("todo", "--now", "2024-02-16T09:00").stdout
    assert "Uiterlijk" in text and "Wie" in text and "Wat" in text
    assert "3 dagen te laat" in text and "stukken aanleveren bij" in text
    assert text.index("#1 Werkcentrum") < text.index("#2 Talentfonds") < text.index("#3 Concept")


def test_todo_without_open_items(cmd: InProcessCli) -> None:
    assert "Niemand hoeft iets te doen" in cmd("todo", "--now", NOW).stdout
    assert json.loads(cmd("todo", "--json", "--now", NOW).stdout) == []


def test_the_feedback_item_to_write(cmd: InProcessCli) -> None:
    """After the supportteam of 17 January the daemon registers Gemeente Hilversum's feedback
    for the regieteam (rule 1): its action is the feedback to write, not "papers"."""
    cmd("daemon", "--once", "--now", NOW)
    (line,) = json.loads(cmd("todo", "--json", "--now", NOW).stdout)
    assert line["title"].startswith("Terugkoppeling UTA supportteam")
    assert line["what"] == "terugkoppeling schrijven voor Regieteam Werk & Participatie"
    assert (line["who"], line["due"]) == ("Gemeente Hilversum", "2024-02-13T11:00:00+00:00")
    text = cmd("status", "--now", NOW).stdout
    assert "terugkoppeling over" in text  # the card says what its days count to (cut at 120)
