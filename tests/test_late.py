"""Late items: each body's policy (`[bodies.X] late`) on a meeting whose papers deadline passed,
and `routing move --late` asking for it explicitly.

The Regieteam meets on Tuesday 20 February 2024 10:00, its papers due Tuesday 13 February 12:00;
its next meeting is on 5 March. On 14 February an initiative is put on the Regieteam's agenda."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routing.config.file import parse_config
from routing.errors import ConfigError
from tests.conftest import InProcessCli, edited_config, starter_text
from tests.fuzzing import dump

LATE_DAY = "2024-02-14T09:00"
LATE_MEETING = "dinsdag 20 februari 2024 10:00"
NEXT_MEETING = "dinsdag 5 maart 2024 10:00"


def _policy(config: Path, value: str | None) -> None:
    if value is None:
        return
    text = config.read_text(encoding="utf-8")
    old = "[bodies.regieteam]\n"
    assert text.count(old) == 1
    config.write_text(text.replace(old, f'{old}late = "{value}"\n'), encoding="utf-8")


def _registered(cmd: InProcessCli, config: Path, policy: str | None) -> None:
    _policy(config, policy)
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", LATE_DAY)


def _show(cmd: InProcessCli) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(cmd("show", "1", "--json", "--now", LATE_DAY).stdout)
    return shown


def _meeting(cmd: InProcessCli) -> str:
    """The day (UTC) of the meeting item 1 is planned on."""
    return str(_show(cmd)["planned"]["meeting"])[:10]


def _notes(cmd: InProcessCli) -> str:
    return " ".join(event["note"] or "" for event in _show(cmd)["history"])


@pytest.mark.parametrize("policy", [None, "next", "volgende"])
def test_by_default_and_with_next_the_item_goes_to_the_next_meeting_and_says_so(
    cmd: InProcessCli, config_path: Path, policy: str | None
) -> None:
    _registered(cmd, config_path, policy)
    moved = cmd("move", "1", "agenderen", "--now", LATE_DAY).stdout.replace("\n", " ")
    assert "Te laat voor de vergadering van" in moved
    assert NEXT_MEETING in moved
    assert _meeting(cmd) == "2024-03-05"


@pytest.mark.parametrize("policy", ["allow", "toestaan"])
def test_allow_joins_the_meeting_with_the_papers_shown_late(
    cmd: InProcessCli, config_path: Path, policy: str
) -> None:
    _registered(cmd, config_path, policy)
    moved = cmd("move", "1", "agenderen", "--now", LATE_DAY).stdout.replace("\n", " ")
    assert LATE_MEETING in moved and "te laat" in moved
    assert _meeting(cmd) == "2024-02-20"
    assert "te laat geagendeerd (het orgaan staat dat toe)" in _notes(cmd)
    # papers missed at once, without an escalation mail: the sweep has nothing to send
    cmd("daemon", "--once", "--now", "2024-02-14T09:05")
    assert "escalation" not in cmd("outbox", "--json").stdout


@pytest.mark.parametrize("policy", ["refuse", "weigeren"])
def test_refuse_refuses_the_move_unless_asked_late(
    cmd: InProcessCli, config_path: Path, migrated_store: Path, policy: str
) -> None:
    _registered(cmd, config_path, policy)
    before = dump(migrated_store)
    refused = cmd("move", "1", "agenderen", "--now", LATE_DAY, check=False)
    assert refused.returncode == 1
    assert "neemt geen late punten aan" in refused.stderr and "--late" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before
    cmd("move", "1", "agenderen", "--late", "--now", LATE_DAY)
    assert _meeting(cmd) == "2024-02-20"
    assert "te laat geagendeerd op verzoek (--late)" in _notes(cmd)
    assert cmd("audit", "verify").returncode == 0


def test_late_asks_for_the_meeting_whatever_the_policy(
    cmd: InProcessCli, config_path: Path
) -> None:
    _registered(cmd, config_path, None)
    cmd("move", "1", "agenderen", "--late", "--now", LATE_DAY)
    assert _meeting(cmd) == "2024-02-20"


def test_late_when_nothing_is_late_says_it_was_not_needed(cmd: InProcessCli) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-07T09:00")
    moved = cmd("move", "1", "agenderen", "--late", "--now", "2024-02-07T09:00").stdout
    assert "--late was niet nodig" in moved.replace("\n", " ")
    assert _meeting(cmd) == "2024-02-20"
    assert "op verzoek" not in _notes(cmd)


def test_a_meeting_close_under_refuse_plans_on_the_next_meeting(
    cmd: InProcessCli, config_path: Path
) -> None:
    """A step taken at a close is not refused by a body further along: it goes to the next."""
    _policy(config_path, None)
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace("[bodies.pfho-wp]\n", '[bodies.pfho-wp]\nlate = "weigeren"\n'),
        encoding="utf-8",
    )
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-05T09:00")
    cmd("move", "1", "agenderen", "--now", "2024-02-05T09:00")
    # the PFHO of 14 March has its papers due on 5 March: closing the Regieteam of 5 March
    # (the item rolled there) at 13:00 comes too late for it
    cmd("move", "1", "aanhouden", "--now", "2024-02-20T12:00")
    cmd("meeting", "close", "regieteam", "2024-03-05", "-o", "1=voorleggen", "--now",
        "2024-03-05T13:00")  # fmt: skip
    assert _meeting(cmd) == "2024-04-11"


def test_the_policy_accepts_dutch_and_english_and_refuses_anything_else() -> None:
    for value, stored in (("toestaan", "allow"), ("REFUSE", "refuse"), ("volgende", "next")):
        config = edited_config(("[bodies.regieteam]\n", f'[bodies.regieteam]\nlate = "{value}"\n'))
        assert config.bodies["regieteam"].late == stored
    assert edited_config().bodies["regieteam"].late == "next"
    text = starter_text().replace("[bodies.regieteam]\n", '[bodies.regieteam]\nlate = "soms"\n')
    with pytest.raises(ConfigError) as refused:
        parse_config(text, Path("/tmp/routing.toml"))
    assert "bodies.regieteam.late: 'soms' kan niet" in str(refused.value)
    assert "regel" in str(refused.value)


def test_late_bad_input_is_exit_2(cmd: InProcessCli, migrated_store: Path) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", LATE_DAY)
    before = dump(migrated_store)
    result = cmd("move", "1", "agenderen", "--late=ja", "--now", LATE_DAY, check=False)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before
