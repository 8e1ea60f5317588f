"""Rule 6 and the steps without papers, over a year of daemon sweeps on the shipped calendar,
with a real SMTP server on loopback counting the mails.

Worked out by hand (routing/starter.toml, 2024): the point for the stuurgroep of Thursday
12 December 15:00 has its hand-over day 10 working days earlier, Thursday 28 November; the
wethouder receives points at the PFHO W&P, whose last meeting by then is 14 November 14:00
(papers Tuesday 5 November 12:00); the Regieteam's last meeting by then is Tuesday 29 October
(papers 22 October). Registered on 1 August, the point reaches the Regieteam of 3 September
(3 weeks of summer recess), the PFHO W&P of 10 October (12 September's papers were due the day
of the Regieteam), the wethouder, the stuurgroep of 12 December and the PFHO W&P of 9 January
2025 for the oral feedback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import InProcessCli, mail_through
from tests.smtp import Inbox, smtp_server


@pytest.fixture
def mailed(config_path: Path) -> Iterator[tuple[InProcessCli, Inbox]]:
    with smtp_server() as (inbox, port):
        mail_through(config_path, port)
        cmd = InProcessCli(config_path)
        cmd("init", "--now", "2024-01-01T00:00")
        yield cmd, inbox


def _sweep(cmd: InProcessCli, now: str) -> dict[str, object]:
    return dict(json.loads(cmd("daemon", "--once", "--json", "--now", now).stdout))


def _plan(cmd: InProcessCli, item: str, now: str) -> dict[str, object]:
    return dict(json.loads(cmd("plan", item, "--json", "--now", now).stdout))


def _kinds(inbox: Inbox) -> list[str]:
    return [str(m["X-Routing-Key"]).split(":")[0] for m in inbox.messages]


def test_a_point_on_time_never_warns_and_its_target_shows_reached(
    mailed: tuple[InProcessCli, Inbox],
) -> None:
    cmd, inbox = mailed
    start = "2024-08-01T09:00"
    item = cmd("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", "--kenmerk",
               "DOC-24003697", "--owner", "Kevin van Pernis", "--target-meeting", "2024-12-12",
               "--now", start).stdout.strip()  # fmt: skip
    cmd("move", item, "agenderen", "--now", start)
    plan = _plan(cmd, item, start)
    assert plan["status"] == "on-track"
    steps = plan["plan"]["steps"]  # type: ignore[index]
    assert [(s["body"], s["meeting"]["start"][:16]) for s in steps] == [
        ("regieteam", "2024-10-29T10:00"),
        ("pfho-wp", "2024-11-14T14:00"),
        ("wethouder-hilversum", "2024-11-14T14:00"),
        ("uta-stuurgroep", "2024-12-12T15:00"),
    ]
    steps_of_the_year = {
        "2024-08-27T10:00": ("stukken", None),
        "2024-09-03T16:00": ("close", ("regieteam", "2024-09-03", "doorzetten")),
        "2024-09-30T10:00": ("stukken", None),
        "2024-10-10T17:00": ("close", ("pfho-wp", "2024-10-10", "meegeven")),
        "2024-11-28T10:00": ("move", "inbrengen"),
        "2024-12-12T18:00": ("close", ("uta-stuurgroep", "2024-12-12", "besproken")),
        "2025-01-09T17:00": ("close", ("pfho-wp", "2025-01-09", "terugkoppelen")),
    }
    evenings = [f"2024-{m:02d}-{d:02d}T20:00" for m in range(8, 13) for d in (1, 8, 15, 22, 29)]
    moments = sorted({*evenings, *steps_of_the_year, "2025-01-09T20:00"})
    for now in moments:
        action = steps_of_the_year.get(now)
        if action is not None and action[0] == "stukken":
            cmd("stukken", item, "--now", now)
        elif action is not None and action[0] == "move":
            cmd("move", item, str(action[1]), "--now", now)
        elif action is not None:
            body, day, trigger = action[1]  # type: ignore[misc]
            cmd("meeting", "close", body, day, "-o", f"{item}={trigger}", "--now", now)
        _sweep(cmd, now)
        assert cmd("show", item, "--now", now).returncode == 0
        status = _plan(cmd, item, now)["status"]
        assert status in ("on-track", "reached"), (now, status)
    assert _plan(cmd, item, "2025-01-10T09:00")["status"] == "reached"
    shown = json.loads(cmd("show", item, "--json", "--now", "2025-01-10T09:00").stdout)
    assert shown["state"] == "afgerond"
    assert "slip" not in _kinds(inbox)  # no false warning all year, for any item
    ours = [m for m in inbox.messages if f"#{item} " in str(m["Subject"])]
    kinds = [str(m["X-Routing-Key"]).split(":")[0] for m in ours]
    assert "escalation" not in kinds  # papers were in; oral steps ask for none
    # the point's own reminders: Regieteam papers (22 Aug) and PFHO W&P papers (26 Sep) only
    assert kinds.count("reminder") == 2


def test_oral_feedback_takes_the_next_pfho_whatever_its_papers_deadline(
    cmd: InProcessCli,
) -> None:
    # the stuurgroep of Thursday 3 October 2024: its feedback item goes to the PFHO W&P of
    # Thursday 10 October, although that meeting's papers were due on Tuesday 1 October
    swept = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-10-03T20:00").stdout)
    assert swept["counts"]["feedback"] >= 1
    items = json.loads(cmd("list", "--flow", "terugkoppeling-stuurgroep", "--json").stdout)
    october = [i for i in items if "3 oktober 2024" in i["title"]]
    (feedback,) = october
    shown = json.loads(
        cmd("show", str(feedback["id"]), "--json", "--now", "2024-10-03T20:00").stdout
    )
    assert shown["planned"] == {"body": "pfho-wp", "meeting": "2024-10-10T12:00:00+00:00"}
    assert [d["kind"] for d in shown["deadlines"]] == ["meeting"]  # no papers, no reminder


def test_new_and_edit_warn_at_once_when_the_target_is_out_of_reach(cmd: InProcessCli) -> None:
    now = "2024-12-01T09:00"
    created = cmd("new", "Te laat", "--flow", "agendapunt-stuurgroep", "--target-meeting",
                  "2024-12-12", "--now", now)  # fmt: skip
    item = created.stdout.strip()
    assert "niet meer te halen" in created.stderr
    # from the concept on 1 December: Regieteam 10 December ... the earliest is 20 March 2025
    assert "20 maart 2025" in created.stderr
    edited = cmd("edit", item, "--target-meeting", "2025-03-20", "--now", now)
    assert "niet meer te halen" not in edited.stderr
    assert _plan(cmd, item, now)["status"] == "on-track"
    cmd("edit", item, "--target-meeting", "none", "--now", now)
    refused = cmd("plan", item, "--now", now, check=False)
    assert refused.returncode == 2  # no target any more: say which to plan to


def test_show_and_plan_work_after_the_target_was_reached(cmd: InProcessCli) -> None:
    now = "2024-09-02T09:00"
    item = cmd("new", "Talentfonds", "--flow", "agendapunt-stuurgroep", "--kenmerk", "DOC-1",
               "--target-meeting", "2024-12-12", "--now", now).stdout.strip()  # fmt: skip
    for trigger in ("agenderen", "doorzetten", "meegeven", "inbrengen"):
        cmd("move", item, trigger, "--now", now)
    assert _plan(cmd, item, "2024-12-01T09:00")["status"] == "on-track"
    cmd("move", item, "besproken", "--now", "2024-12-12T18:00")
    later = "2024-12-20T09:00"
    assert _plan(cmd, item, later)["status"] == "reached"
    text = cmd("show", item, "--now", later).stdout
    assert "Doel bereikt" in text
