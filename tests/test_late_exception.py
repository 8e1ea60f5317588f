"""Late-item exceptions: `[bodies.X] late = "uitzondering"` asks the chair, `routing uitzondering`
decides, the daemon counts no decision as refused, the agenda shows the outcome.

The Regieteam (chair Anouk Pols, a.pols@regiogv.example) meets on Tuesday 20 February 2024
10:00, its papers due Tuesday 13 February 12:00; its next meeting is on 5 March. On 14 February
an initiative is put on the Regieteam's agenda: too late. With the default lead of one working
day the chair decides by Monday 19 February 10:00."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import InProcessCli
from tests.fuzzing import dump

LATE_DAY = "2024-02-14T09:00"
DECIDE_DAY = "2024-02-15T11:00"
LATE_MEETING = "dinsdag 20 februari 2024 10:00"
CHAIR = "a.pols@regiogv.example"
SECRETARIAT_LOGINS = (
    ('"Anouk Pols" = "a.pols@regiogv.example"',
     '"Anouk Pols" = { email = "a.pols@regiogv.example", login = "apols" }'),
    ('"Sander Bakker" = "s.bakker@regiogv.example"',
     '"Sander Bakker" = { email = "s.bakker@regiogv.example", login = "sbakker" }'),
    ('"Kevin van Pernis" = "k.vanpernis@regiogv.example"',
     '"Kevin van Pernis" = { email = "k.vanpernis@regiogv.example", login = "kpernis" }'),
    ('# administrators = ["Sander Bakker"]', 'administrators = ["Sander Bakker"]'),
)  # fmt: skip


def _configure(config: Path, *edits: tuple[str, str]) -> None:
    text = config.read_text(encoding="utf-8")
    for old, new in (("[bodies.regieteam]\n", '[bodies.regieteam]\nlate = "uitzondering"\n'),
                     *edits):  # fmt: skip
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")


def _asked(cmd: InProcessCli, config: Path, *edits: tuple[str, str]) -> str:
    """Item 1 moved too late for the Regieteam of 20 February; the move's output."""
    _configure(config, *edits)
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", LATE_DAY)
    return cmd("move", "1", "agenderen", "--now", LATE_DAY).stdout.replace("\n", " ")


def _show(cmd: InProcessCli, now: str = DECIDE_DAY) -> dict[str, Any]:
    shown: dict[str, Any] = json.loads(cmd("show", "1", "--json", "--now", now).stdout)
    return shown


def _meeting(cmd: InProcessCli) -> str:
    return str(_show(cmd)["planned"]["meeting"])[:10]


def _outbox(cmd: InProcessCli) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(cmd("outbox", "--json").stdout)
    return rows


def _mail_bodies(database: Path, part: str) -> list[str]:
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT key, body FROM outbox").fetchall()
    return [str(body) for key, body in rows if part in key]


def _rows(dumped: str, table: str) -> list[str]:
    return [line for line in dumped.splitlines() if line.startswith(f'INSERT INTO "{table}"')]


def _agenda(cmd: InProcessCli, *more: str) -> dict[str, Any]:
    shown = cmd(
        "agenda", "regieteam", "--meeting", "2024-02-20", "-f", "json", *more, "--now", DECIDE_DAY
    )
    agenda: dict[str, Any] = json.loads(shown.stdout)
    return agenda


def test_a_late_move_asks_the_chair_and_waits_on_the_next_meeting(
    cmd: InProcessCli, config_path: Path, migrated_store: Path
) -> None:
    moved = _asked(cmd, config_path)
    assert "Uitzondering gevraagd aan Anouk Pols" in moved and LATE_MEETING in moved
    assert "maandag 19 februari 2024 10:00" in moved  # one working day before the meeting
    assert _meeting(cmd) == "2024-03-05"  # nothing is lost when nobody answers
    asks = [row for row in _outbox(cmd) if ":verzoek" in row["key"]]
    assert len(asks) == 1 and asks[0]["recipients"] == [CHAIR]
    bodies = _mail_bodies(migrated_store, ":verzoek")
    assert len(bodies) == 1 and "Anouk Pols" in bodies[0]
    assert "routing " not in bodies[0] and "--" not in bodies[0]  # no commands for the chair
    agenda = _agenda(cmd)
    assert [row["id"] for row in agenda["exceptions_asked"]] == [1]
    assert 1 not in [point["id"] for point in agenda["items"]]
    text = cmd("agenda", "regieteam", "--meeting", "2024-02-20", "--now", DECIDE_DAY).stdout
    assert "Uitzondering gevraagd" in text and "Initiatief X" in text
    public = _agenda(cmd, "--openbaar")
    assert public["exceptions_asked"] == [] and "Uitzondering gevraagd" not in json.dumps(public)


def test_granted_the_item_joins_the_meeting_with_the_chairs_line(
    cmd: InProcessCli, config_path: Path
) -> None:
    _asked(cmd, config_path)
    granted = cmd("uitzondering", "1", "--toestaan", "--note", "Spoed", "--as", "Anouk Pols",
                  "--now", DECIDE_DAY).stdout  # fmt: skip
    assert "Uitzondering toegestaan" in granted
    assert _meeting(cmd) == "2024-02-20"
    history = _show(cmd)["history"]
    assert history[-1]["trigger"] == "uitzondering-toegestaan"
    assert history[-1]["actor"] == "Anouk Pols" and "Spoed" in history[-1]["note"]
    agenda = _agenda(cmd)
    point = next(point for point in agenda["items"] if point["id"] == 1)
    assert point["admitted_late"]["by"] == "Anouk Pols"
    assert point["papers"] == "missed"  # as policy "toestaan": the papers are late
    assert agenda["exceptions_asked"] == []
    text = cmd("agenda", "regieteam", "--meeting", "2024-02-20", "--now", DECIDE_DAY).stdout
    assert "Na de termijn toegelaten door de voorzitter (Anouk Pols, 15 februari 2024)" in text
    # decided once: a second decision finds nothing open
    again = cmd("uitzondering", "1", "--weigeren", "--now", DECIDE_DAY, check=False)
    assert again.returncode == 1 and "geen openstaand verzoek" in again.stderr
    assert cmd("audit", "verify").returncode == 0


def test_refused_the_item_stays_on_the_next_meeting(cmd: InProcessCli, config_path: Path) -> None:
    _asked(cmd, config_path)
    cmd("uitzondering", "1", "--weigeren", "--now", DECIDE_DAY)
    assert _meeting(cmd) == "2024-03-05"
    assert _show(cmd)["history"][-1]["trigger"] == "uitzondering-geweigerd"
    agenda = _agenda(cmd)
    assert agenda["exceptions_asked"] == [] and 1 not in [p["id"] for p in agenda["items"]]
    # the daemon later has nothing to expire
    cmd("daemon", "--once", "--now", "2024-02-19T11:00")
    assert not [row for row in _outbox(cmd) if ":verlopen" in row["key"]]
    assert cmd("audit", "verify").returncode == 0


def test_no_decision_by_the_deadline_counts_as_refused_once(
    cmd: InProcessCli, config_path: Path, migrated_store: Path
) -> None:
    _asked(cmd, config_path)
    cmd("daemon", "--once", "--now", "2024-02-19T09:59")  # before the deadline: nothing
    assert _show(cmd)["history"][-1]["trigger"] != "uitzondering-verlopen"
    cmd("daemon", "--once", "--now", "2024-02-19T10:01")
    reports = [row for row in _outbox(cmd) if ":verlopen" in row["key"]]
    assert len(reports) == 1 and CHAIR not in reports[0]["recipients"]
    assert _show(cmd)["history"][-1]["trigger"] == "uitzondering-verlopen"
    assert _meeting(cmd) == "2024-03-05"
    before = dump(migrated_store)
    cmd("daemon", "--once", "--now", "2024-02-19T10:30")  # a second sweep: nothing again
    assert len([r for r in _outbox(cmd) if ":verlopen" in r["key"]]) == 1
    events = [e for e in _show(cmd)["history"] if e["trigger"] == "uitzondering-verlopen"]
    assert len(events) == 1
    assert _rows(dump(migrated_store), "late_exception") == _rows(before, "late_exception")
    late = cmd("uitzondering", "1", "--toestaan", "--now", "2024-02-19T11:00", check=False)
    assert late.returncode == 1
    assert cmd("audit", "verify").returncode == 0


def test_only_the_chair_or_an_administrator_decides(
    cmd: InProcessCli, config_path: Path, migrated_store: Path
) -> None:
    _asked(cmd, config_path, *SECRETARIAT_LOGINS)
    before = dump(migrated_store)
    refused = cmd("uitzondering", "1", "--toestaan", "--now", DECIDE_DAY,
                  env={"LOGNAME": "kpernis"}, check=False)  # fmt: skip
    assert refused.returncode == 1
    assert "mag niet beslissen over een uitzondering" in refused.stderr
    assert "Anouk Pols, Sander Bakker" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert dump(migrated_store) == before
    cmd("uitzondering", "1", "--toestaan", "--now", DECIDE_DAY, env={"LOGNAME": "apols"})
    assert _meeting(cmd) == "2024-02-20"


@pytest.mark.parametrize(
    "args",
    [
        ("1",),  # neither
        ("1", "--toestaan", "--weigeren"),  # both
        ("99", "--toestaan"),  # no such item
        ("een", "--toestaan"),  # not a number
    ],
)
def test_bad_input_changes_nothing(
    cmd: InProcessCli, config_path: Path, migrated_store: Path, args: tuple[str, ...]
) -> None:
    _asked(cmd, config_path)
    before = dump(migrated_store)
    wrong = cmd("uitzondering", *args, "--now", DECIDE_DAY, check=False)
    assert wrong.returncode == 2, wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1 and "Traceback" not in wrong.stderr
    assert dump(migrated_store) == before


def test_without_the_policy_there_is_nothing_to_decide(cmd: InProcessCli) -> None:
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", LATE_DAY)
    cmd("move", "1", "agenderen", "--now", LATE_DAY)
    refused = cmd("uitzondering", "1", "--toestaan", "--now", DECIDE_DAY, check=False)
    assert refused.returncode == 1 and "geen openstaand verzoek" in refused.stderr


def test_too_close_to_the_meeting_there_is_nothing_to_ask(
    cmd: InProcessCli, config_path: Path
) -> None:
    """After the chair's own deadline the item simply goes to the next meeting."""
    _configure(config_path)
    cmd("new", "Initiatief X", "--flow", "initiatief", "--now", "2024-02-19T12:00")
    moved = cmd("move", "1", "agenderen", "--now", "2024-02-19T12:00").stdout
    assert "Uitzondering" not in moved
    assert not [row for row in _outbox(cmd) if row["key"].startswith("uitzondering:")]


def test_the_lead_is_checked(config_path: Path) -> None:
    from routing.config.file import parse_config
    from routing.errors import ConfigError
    from tests.conftest import starter_text

    text = starter_text().replace(
        "[bodies.regieteam]\n", '[bodies.regieteam]\nlate_exception_lead = "ooit"\n'
    )
    with pytest.raises(ConfigError) as refused:
        parse_config(text, Path("/tmp/routing.toml"))
    assert "bodies.regieteam.late_exception_lead" in str(refused.value)


@pytest.mark.postgres
def test_on_postgresql(
    cmd: InProcessCli, config_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_DATABASE_URL", postgres_url)
    cmd("init", "--now", "2024-01-01T00:00")
    _asked(cmd, config_path)
    cmd("uitzondering", "1", "--toestaan", "--now", DECIDE_DAY)
    assert _agenda(cmd)["items"][-1]["admitted_late"] is not None
    assert cmd("audit", "verify").returncode == 0
