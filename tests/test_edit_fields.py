"""`routing edit` changes every field given at registration (confidentiality, distribution,
document date, sender), checked as `routing new` checks them, each change in the history as
field: old → new; bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import InProcessCli
from tests.fuzzing import dump

NOW = "2024-02-05T10:00"


def _show(cmd: InProcessCli) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(cmd("show", "1", "--json", "--now", NOW).stdout)
    return shown


@pytest.fixture
def item(cmd: InProcessCli) -> InProcessCli:
    cmd("new", "Talentpunt", "--flow", "initiatief", "--van", "uta-supportteam", "--datum",
        "2024-02-01", "--now", "2024-02-05T09:00")  # fmt: skip
    return cmd


def test_every_registration_field_can_be_changed_and_the_history_says_old_and_new(
    item: InProcessCli,
) -> None:
    item("edit", "1", "--vertrouwelijk", "--datum", "2024-02-03", "--van", "regieteam",
         "--now", NOW)  # fmt: skip
    shown = _show(item)
    assert (shown["openbaar"], shown["verspreiden"]) == (False, False)
    assert (shown["document_date"], shown["sender"]) == ("2024-02-03", "regieteam")
    note = shown["history"][-1]["note"]
    assert shown["history"][-1]["trigger"] == "wijzigen"
    for change in (
        "sender: uta-supportteam → regieteam",
        "document_date: 2024-02-01 → 2024-02-03",
        "openbaar: ja → nee",
        "verspreiden: ja → nee",
    ):
        assert change in note
    item("edit", "1", "--openbaar", "--now", NOW)
    shown = _show(item)
    assert (shown["openbaar"], shown["verspreiden"]) == (True, False)
    item("edit", "1", "--verspreiden", "--datum", "geen", "--van", "geen", "--now", NOW)
    shown = _show(item)
    assert (shown["verspreiden"], shown["document_date"], shown["sender"]) == (True, None, None)
    assert "document_date: 2024-02-03 → —" in shown["history"][-1]["note"]
    item("edit", "1", "--niet-verspreiden", "--now", NOW)
    assert _show(item)["verspreiden"] is False
    assert item("audit", "verify").returncode == 0


def test_the_confidential_item_is_named_by_its_reference_only_after_the_edit(
    item: InProcessCli,
) -> None:
    item("move", "1", "agenderen", "--now", NOW)
    args = ("agenda", "regieteam", "--meeting", "2024-02-20", "--openbaar", "--format", "json")
    assert "Talentpunt" in item(*args, "--now", NOW).stdout
    item("edit", "1", "--kenmerk", "DOC-1", "--vertrouwelijk", "--now", NOW)
    public = item(*args, "--now", NOW).stdout
    assert "Talentpunt" not in public and "DOC-1" in public


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--van", "nergens"), "'nergens' bestaat niet"),
        (("--datum", "morgen"), "'morgen' is geen datum"),
        (("--vertrouwelijk", "--verspreiden"), "vertrouwelijk item wordt niet verspreid"),
        (("--datum", ""), "''"),
        (("--van",), "--van"),
    ],
)
def test_bad_input_is_exit_2_and_changes_nothing(
    item: InProcessCli, migrated_store: Path, args: tuple[str, ...], words: str
) -> None:
    before = dump(migrated_store)
    result = (
        item("edit", "1", *args, "--now", NOW, check=False)
        if args != ("--van",)
        else (item("edit", "1", "--van", check=False))
    )
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before


def test_verspreiden_on_a_confidential_item_is_refused_as_new_would_never_distribute_it(
    item: InProcessCli, migrated_store: Path
) -> None:
    item("edit", "1", "--vertrouwelijk", "--now", NOW)
    before = dump(migrated_store)
    result = item("edit", "1", "--verspreiden", "--now", NOW, check=False)
    assert result.returncode == 2 and "vertrouwelijk" in result.stderr
    assert dump(migrated_store) == before
