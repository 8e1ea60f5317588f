"""Meetings that move, are cancelled or added, by command and in routing.toml: items follow.

Dates worked out by hand on the shipped calendar (routing/starter.toml): PFHO W&P meets the 2nd
Thursday at 14:00 (not July/August, not on a holiday), papers 7 working days before at 12:00,
reminder 3 working days before that; the Regieteam every other Tuesday at 10:00 from 9 January
2024 (papers 5 working days, reminder 3 more); the UTA stuurgroep 21 March, 20 June, 3 October
and 12 December 2024 at 15:00, papers a week ahead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from routing.runtime import Runtime
from store import AuditEvent
from store.schedule_models import MeetingChange, Outbox
from tests.conftest import InProcessCli


def _item(cmd: InProcessCli, title: str, *moves: str, now: str, **options: str) -> str:
    args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    item = cmd("new", title, "--flow", "agendapunt-stuurgroep", *args, "--now", now).stdout.strip()
    for trigger in moves:
        cmd("move", item, trigger, "--now", now)
    return item


def _show(cmd: InProcessCli, item: str, now: str) -> dict[str, object]:
    return dict(json.loads(cmd("show", item, "--json", "--now", now).stdout))


def _deadlines(shown: dict[str, object]) -> list[tuple[str, str]]:
    return [(d["kind"], d["due"]) for d in shown["deadlines"]]  # type: ignore[attr-defined, index]


def test_moving_a_meeting_moves_its_items_with_recomputed_deadlines(
    cmd: InProcessCli, config_path: Path
) -> None:
    now = "2024-10-20T09:00"
    item = _item(cmd, "Regionaal Talentfonds", "agenderen", "doorzetten", now=now,
                 owner="Kevin van Pernis")  # fmt: skip
    before = _show(cmd, item, now)
    assert before["planned"] == {"body": "pfho-wp", "meeting": "2024-11-14T13:00:00+00:00"}
    moved = cmd("meeting", "move", "pfho-wp", "2024-11-14", "2024-11-21T14:00",
                "--reason", "Zaal bezet", "--as", "secretaris", "--now", now)  # fmt: skip
    assert "verplaatst" in moved.stdout
    after = _show(cmd, item, now)
    assert after["planned"] == {"body": "pfho-wp", "meeting": "2024-11-21T13:00:00+00:00"}
    # 21 Nov (Thu) - 7 working days = Tue 12 Nov 12:00; reminder 3 working days earlier: Thu 7 Nov
    assert _deadlines(after) == [
        ("reminder", "2024-11-07T11:00:00+00:00"),
        ("papers", "2024-11-12T11:00:00+00:00"),
        ("meeting", "2024-11-21T13:00:00+00:00"),
    ]
    rows = json.loads(cmd("meetings", "--body", "pfho-wp", "--from", "2024-11-01",
                          "--to", "2024-11-30", "--json", "--now", now).stdout)  # fmt: skip
    (row,) = rows
    assert row["start"] == "2024-11-21T14:00:00+01:00" and row["moved"] is True
    assert row["original_start"] == "2024-11-14T14:00:00+01:00"
    assert row["change"]["by"] == "secretaris" and row["change"]["reason"] == "Zaal bezet"
    assert row["items"] == 1
    text = cmd("meetings", "--body", "pfho-wp", "--from", "2024-11-01", "--to", "2024-11-30",
               "--now", now).stdout  # fmt: skip
    assert "↷" in text and "verplaatst" in text


def test_move_audits_and_sends_one_message_per_change(rt: Runtime) -> None:
    from routing.clock import FixedClock, parse_moment
    from routing.engine import items as engine
    from routing.engine import meetings

    rt.clock = FixedClock(parse_moment("2024-10-20T09:00", rt.config.timezone))
    from routing.effects.sweep import record_installation

    record_installation(rt)
    spec = engine.ItemSpec(title="Werkcentrum", flow="agendapunt-stuurgroep", owner="Anouk Pols")
    item = engine.create_item(rt, spec)
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    engine.move(rt, item.id, "doorzetten")
    tz = rt.config.timezone
    result = meetings.move_meeting(
        rt, "pfho-wp", parse_moment("2024-11-14", tz), False,
        parse_moment("2024-11-21", tz), False, "Zaal bezet",
    )  # fmt: skip
    assert result.items == [item.id]
    assert result.to_at is not None and result.to_at.astimezone(tz).hour == 14  # hour kept
    with rt.session() as db:
        (change,) = db.exec(select(MeetingChange)).all()
        assert (change.kind, change.origin, change.actor, change.reason, change.items) == (
            "moved", "command", "secretaris", "Zaal bezet", 1,
        )  # fmt: skip
        trail = db.exec(
            select(AuditEvent).where(AuditEvent.item_id == item.id).order_by(col(AuditEvent.id))
        ).all()
        assert trail[-1].trigger == "vergadering-verplaatst"
        (message,) = db.exec(select(Outbox).where(Outbox.kind == "meeting-moved")).all()
    assert "secretariaat.wp@regiogv.example" in message.recipients
    assert "pfho.wp@regiogv.example" in message.recipients
    assert "a.pols@regiogv.example" in message.recipients  # the owner, by name from [people]
    assert "donderdag 21 november 2024 14:00" in message.subject


def test_a_move_behind_the_papers_deadline_keeps_the_item_and_shows_it_late(
    cmd: InProcessCli,
) -> None:
    item = _item(cmd, "Late stukken", "agenderen", "doorzetten", now="2024-10-20T09:00")
    # on 6 November: PFHO of 14 November moves to Tuesday 12 November; its papers deadline,
    # 7 working days before, is Friday 1 November: passed. The item stays, shown late.
    now = "2024-11-06T09:00"
    cmd("meeting", "move", "pfho-wp", "2024-11-14", "2024-11-12T14:00", "--now", now)
    shown = _show(cmd, item, now)
    assert shown["planned"] == {"body": "pfho-wp", "meeting": "2024-11-12T13:00:00+00:00"}
    papers = [d for d in shown["deadlines"] if d["kind"] == "papers"]  # type: ignore[attr-defined]
    assert papers[0]["due"] == "2024-11-01T11:00:00+00:00" and papers[0]["missed"] is True


def test_papers_in_stay_in_when_the_meeting_moves(cmd: InProcessCli) -> None:
    now = "2024-10-20T09:00"
    item = _item(cmd, "Stukken binnen", "agenderen", "doorzetten", now=now)
    cmd("stukken", item, "--now", now)
    cmd("meeting", "move", "pfho-wp", "2024-11-14", "2024-11-21", "--now", now)
    shown = _show(cmd, item, now)
    assert [kind for kind, _ in _deadlines(shown)] == ["meeting"]  # nothing to hand in again


def test_cancelling_re_plans_on_the_next_feasible_meeting(cmd: InProcessCli) -> None:
    now = "2024-10-20T09:00"
    item = _item(cmd, "Vervalt", "agenderen", "doorzetten", now=now)
    out = cmd("meeting", "cancel", "pfho-wp", "2024-11-14", "--reason", "Reces", "--now", now)
    assert "vervallen" in out.stdout
    shown = _show(cmd, item, now)
    # next PFHO W&P: Thursday 12 December; papers 7 working days before: Tuesday 3 December
    assert shown["planned"] == {"body": "pfho-wp", "meeting": "2024-12-12T13:00:00+00:00"}
    assert ("papers", "2024-12-03T11:00:00+00:00") in _deadlines(shown)
    rows = json.loads(cmd("meetings", "--body", "pfho-wp", "--from", "2024-11-01",
                          "--to", "2024-11-30", "--json", "--now", now).stdout)  # fmt: skip
    assert [(r["start"], r["status"]) for r in rows] == [("2024-11-14T14:00:00+01:00", "cancelled")]
    text = cmd("meetings", "--body", "pfho-wp", "--from", "2024-11-01", "--to", "2024-11-30",
               "--now", now).stdout  # fmt: skip
    assert "✗" in text and "vervallen" in text


def test_an_added_meeting_takes_items(cmd: InProcessCli) -> None:
    now = "2024-10-20T09:00"
    cmd("meeting", "add", "pfho-wp", "2024-10-31T14:00", "--reason", "Extra", "--now", now)
    # 31 October - 7 working days = Tuesday 22 October 12:00: still ahead on the 20th
    item = _item(cmd, "Snel", "agenderen", now="2024-10-20T09:00")
    cmd("stukken", item, "--now", now)
    shown = _show(cmd, item, now)
    assert shown["planned"]["body"] == "regieteam"  # type: ignore[index]
    rows = json.loads(cmd("meetings", "--body", "pfho-wp", "--from", "2024-10-30",
                          "--to", "2024-11-01", "--json", "--now", now).stdout)  # fmt: skip
    assert [(r["start"], r["added"]) for r in rows] == [("2024-10-31T14:00:00+01:00", True)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("move", "pfho-wp", "2024-11-15", "2024-11-21"), "vergadert niet op 15 november"),
        (("move", "pfho-wp", "2024-11-14", "2024-12-12T10:00"), "vergadert die dag al"),
        (("move", "pfho-wp", "2024-11-14", "2024-10-01T14:00"), "niet in de toekomst"),
        (("move", "pfho-wp", "2024-10-10", "2024-11-28T14:00"), "niet in de toekomst"),
        (("move", "pfho-wp", "2024-11-14", "morgen"), "datum"),
        (("cancel", "pfho-wp", "2024-10-10"), "niet in de toekomst"),
        (("add", "pfho-wp", "2024-11-28"), "geen tijd"),
        (("add", "wethouder-hilversum", "2024-11-28T10:00"), "is een persoon"),
        (("add", "geen-orgaan", "2024-11-28T10:00"), "geen-orgaan"),
    ],
)
def test_bad_input_is_exit_2_and_changes_nothing(
    cmd: InProcessCli, args: tuple[str, ...], message: str
) -> None:
    now = "2024-10-20T09:00"
    before = cmd("meetings", "--json", "--from", "2024-10-01", "--to", "2024-12-31",
                 "--now", now).stdout  # fmt: skip
    refused = cmd("meeting", *args, "--now", now, check=False)
    assert refused.returncode == 2, refused.stdout
    assert message in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    after = cmd("meetings", "--json", "--from", "2024-10-01", "--to", "2024-12-31",
                "--now", now).stdout  # fmt: skip
    assert after == before


def _edit_config(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_date_moved_or_removed_in_routing_toml_is_followed_like_the_commands(
    cmd: InProcessCli, config_path: Path
) -> None:
    now = "2024-11-20T09:00"
    at_wethouder = _item(cmd, "Werkcentrum", now="2024-10-20T09:00")
    for trigger in ("agenderen", "doorzetten", "meegeven"):
        cmd("move", at_wethouder, trigger, "--now", "2024-10-20T09:00")
    assert _show(cmd, at_wethouder, now)["planned"] == {
        "body": "wethouder-hilversum", "meeting": "2024-12-12T14:00:00+00:00",
    }  # fmt: skip
    _edit_config(config_path, '"2024-12-12T15:00"', '"2024-12-19T15:00"')
    checked = cmd("check", "--now", now).stdout
    assert "UTA stuurgroep" in checked and "verplaatst" in checked
    assert _show(cmd, at_wethouder, now)["planned"] == {
        "body": "wethouder-hilversum", "meeting": "2024-12-19T14:00:00+00:00",
    }  # fmt: skip
    again = cmd("check", "--now", now).stdout
    assert "verplaatst" not in again  # reported once
    # the date removed altogether: the item goes to the next stuurgroep (20 March 2025)
    _edit_config(config_path, '"2024-12-19T15:00",', "")
    assert "vervallen" in cmd("check", "--now", now).stdout
    assert _show(cmd, at_wethouder, now)["planned"] == {
        "body": "wethouder-hilversum", "meeting": "2025-03-20T14:00:00+00:00",
    }  # fmt: skip


def test_the_daemon_follows_routing_toml_and_never_rolls_past_a_meeting_that_exists(
    cmd: InProcessCli, config_path: Path
) -> None:
    item = _item(cmd, "Punt", "agenderen", "doorzetten", now="2024-10-20T09:00")
    # the PFHO W&P of 14 November moves to 21 November in the file, after the item was planned
    _edit_config(config_path, 'start = "2024-01-11T14:00"',
                 'start = "2024-01-11T14:00"\nexdates = ["2024-11-14"]\n'
                 'dates = ["2024-11-21T14:00"]')  # fmt: skip
    swept = json.loads(cmd("daemon", "--once", "--json", "--now", "2024-11-10T20:00").stdout)
    assert swept["counts"].get("meeting") == 1
    assert any("verplaatst" in line for line in swept["lines"])
    for evening in ("2024-11-15T20:00", "2024-11-17T20:00", "2024-11-20T20:00"):
        swept = json.loads(cmd("daemon", "--once", "--json", "--now", evening).stdout)
        assert "rollover" not in swept["counts"]  # 14 Nov is gone, 21 Nov still to come
    assert _show(cmd, item, "2024-11-20T20:00")["planned"] == {
        "body": "pfho-wp", "meeting": "2024-11-21T13:00:00+00:00",
    }  # fmt: skip


@pytest.fixture
def both(config_path: Path, backend: str) -> InProcessCli:
    """The command on a SQLite file and on PostgreSQL (the `backend` fixture sets the URL)."""
    runner = InProcessCli(config_path)
    runner("init", "--now", "2024-01-01T00:00")
    return runner


def test_move_cancel_and_a_changed_file_on_both_databases(
    both: InProcessCli, config_path: Path
) -> None:
    now = "2024-10-20T09:00"
    item = _item(both, "Beide", "agenderen", "doorzetten", now=now)
    both("meeting", "move", "pfho-wp", "2024-11-14", "2024-11-21", "--now", now)
    assert _show(both, item, now)["planned"] == {
        "body": "pfho-wp", "meeting": "2024-11-21T13:00:00+00:00",
    }  # fmt: skip
    both("meeting", "cancel", "pfho-wp", "2024-11-21", "--now", now)
    assert _show(both, item, now)["planned"] == {
        "body": "pfho-wp", "meeting": "2024-12-12T13:00:00+00:00",
    }  # fmt: skip
    _edit_config(config_path, 'start = "2024-01-11T14:00"',
                 'start = "2024-01-11T14:00"\nexdates = ["2024-12-12"]\n'
                 'dates = ["2024-12-05T14:00"]')  # fmt: skip
    assert "verplaatst" in both("check", "--now", now).stdout
    # 5 December 14:00: papers 7 working days before, Tuesday 26 November 12:00
    shown = _show(both, item, now)
    assert shown["planned"] == {"body": "pfho-wp", "meeting": "2024-12-05T13:00:00+00:00"}
    assert ("papers", "2024-11-26T11:00:00+00:00") in _deadlines(shown)
