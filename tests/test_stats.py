"""`routing stats`: the figures of a small history made by hand, counted by hand; the demo's
year against counts made from its audit trail with plain SQL; bad input refused; the queries
read indexes, not whole tables.

The Regieteam meets on Tuesday 20 February 2024 10:00 (papers due 13 February 12:00) and on
5 March. On 1 February four initiatives are put on its agenda: A, B, C and D (D with the
20 February meeting as its target); E, also aiming at that meeting, is never put on the agenda.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import statistics
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from routing.clock import FixedClock, parse_moment
from routing.runtime import Runtime
from store import stats as figures
from tests.conftest import InProcessCli
from tests.fuzzing import dump
from tests.test_query_plans import WATCHED, _scans

REGISTERED = "2024-02-01T09:00"


def _history(cmd: InProcessCli) -> None:
    for title in ("A", "B", "C"):
        cmd("new", title, "--flow", "initiatief", "--now", REGISTERED)
    for title in ("D", "E"):
        cmd("new", title, "--flow", "initiatief", "--target", "regieteam",
            "--target-meeting", "2024-02-20", "--now", REGISTERED)  # fmt: skip
    for item in ("1", "2", "3", "4"):
        cmd("move", item, "agenderen", "--now", REGISTERED)
    for item in ("2", "3", "4"):  # papers in on time; A's are not
        cmd("stukken", item, "--now", "2024-02-05T09:00")
    cmd("daemon", "--once", "--now", "2024-02-13T13:00")  # A's papers deadline escalated
    cmd("move", "2", "reageren", "--now", "2024-02-21T09:00")
    cmd("move", "3", "voorleggen", "--now", "2024-02-21T09:00")
    cmd("daemon", "--once", "--now", "2024-02-23T09:00")  # A and D rolled over to 5 March
    cmd("stukken", "1", "--now", "2024-02-26T09:00")
    cmd("stukken", "4", "--now", "2024-02-26T09:00")
    cmd("move", "1", "aanhouden", "--now", "2024-03-05T11:00")
    cmd("move", "1", "voorleggen", "--now", "2024-03-08T09:00")


def _stats(cmd: InProcessCli, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cmd("stats", "--json", *args).stdout)
    return data


def test_a_history_made_by_hand_gives_the_numbers_counted_by_hand(cmd: InProcessCli) -> None:
    _history(cmd)
    data = _stats(cmd, "--from", "2024-01-01", "--to", "2024-03-31", "--now", "2024-04-01T09:00")
    bodies = {body["body"]: body for body in data["bodies"]}
    regieteam = bodies["regieteam"]
    (step,) = regieteam["steps"]
    assert (step["flow"], step["state"]) == ("initiatief", "regieteam")
    # left the Regieteam: B and C on 21 February, A on 8 March (deferred once, rolled over once)
    assert step["passed"] == 3
    assert step["deferred"] == 1
    assert step["rolled_over"] == 2  # A and D: the 20 February meeting closed without outcome
    # days in the Regieteam: B 20, C 20, A 36 (a deferral does not leave the step)
    assert step["median_days"] == 20.0
    # A's papers deadline of 13 February passed without papers (its later ones were met or
    # gave way before they came due), and so did those of 27 February of the two feedback items
    # the daemon made (after the UTA supportteam of 17 January and of 21 February)
    assert regieteam["papers_late"] == 3
    # D was at the Regieteam by its target meeting, E never got there
    assert (regieteam["targets"], regieteam["targets_reached"]) == (2, 1)
    assert regieteam["targets_share"] == 0.5
    # C's papers for the PFHO (due 5 March) and B's for the UTA supportteam (due 13 March)
    # never came; nobody left those bodies yet: no steps there
    assert [(b["body"], b["papers_late"], b["steps"]) for b in data["bodies"][1:]] == [
        ("pfho-wp", 1, []),
        ("uta-supportteam", 1, []),
    ]
    # the terminal view says the same
    shown = cmd("stats", "--from", "2024-01-01", "--to", "2024-03-31",
                "--now", "2024-04-01T09:00").stdout  # fmt: skip
    assert "Reactie vormen in Regieteam W&P" in shown
    assert "Stukken te laat: 3" in shown and "1 van 2 (50%)" in shown
    assert "Items doorgegaan per stap" in shown and "█" in shown


def test_the_period_bounds_what_is_counted(cmd: InProcessCli) -> None:
    _history(cmd)
    # until 26 February: B and C left, A not yet; A's deferral falls after it; the roll-overs in it
    data = _stats(cmd, "--from", "2024-02-01", "--to", "2024-02-26", "--now", "2024-04-01T09:00")
    (step,) = data["bodies"][0]["steps"]
    assert (step["passed"], step["deferred"], step["rolled_over"]) == (2, 0, 2)
    assert step["median_days"] == 20.0
    assert data["bodies"][0]["papers_late"] == 1  # the 27 February deadlines fall after it
    # the default period: twelve months up to now
    data = _stats(cmd, "--now", "2025-02-15T09:00")
    assert data["from"].startswith("2024-02-15") and data["to"].startswith("2025-02-15")
    # from 2 March 2024 on: A's deferral and its leaving only
    (step,) = _stats(cmd, "--now", "2025-03-02T09:00")["bodies"][0]["steps"]
    assert (step["passed"], step["deferred"], step["rolled_over"]) == (1, 1, 0)
    # one body only
    (pfho,) = _stats(cmd, "--body", "pfho-wp", "--now", "2024-04-01T09:00")["bodies"]
    assert (pfho["body"], pfho["papers_late"], pfho["steps"]) == ("pfho-wp", 1, [])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--from", "2024-13-01"), "2024-13-01"),
        (("--to", "gisteren"), "gisteren"),
        (("--from", "2024-03-01", "--to", "2024-02-01"), "(1 maart 2024) ligt niet vóór"),
        (("--body", "gemeenteraad"), "gemeenteraad"),
    ],
)
def test_bad_input_exits_2_with_one_dutch_line_and_changes_nothing(
    cmd: InProcessCli, migrated_store: Path, args: tuple[str, ...], said: str
) -> None:
    _history(cmd)
    before = dump(migrated_store)
    result = cmd("stats", *args, "--now", "2024-04-01T09:00", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and said in lines[0] and "Traceback" not in result.stderr
    assert dump(migrated_store) == before


def test_the_statements_read_indexes_not_whole_tables(
    cmd: InProcessCli, config_path: Path, migrated_store: Path
) -> None:
    _history(cmd)
    start, end = parse_moment("2024-01-01"), parse_moment("2024-04-01")
    moments = {"start": start.replace(tzinfo=None).isoformat(" "),
               "end": end.replace(tzinfo=None).isoformat(" ")}  # fmt: skip
    statements = [
        (figures.COUNTS_SQL, {**moments, "defer": "aanhouden", "roll": "doorschuiven"}),
        (figures.medians_sql("sqlite"), moments),
        (figures.LATE_SQL.format(kinds=":k0, :k1"),
         {**moments, "now": moments["end"], "k0": "papers", "k1": "handover"}),
        (figures.TARGETS_SQL, {**moments, "now": moments["end"]}),
    ]  # fmt: skip
    with closing(sqlite3.connect(migrated_store)) as connection:
        for statement, parameters in statements:
            assert _scans(connection, statement, parameters) == [], statement
    assert "audit_event" in WATCHED and "deadline" in WATCHED


def test_the_demo_year_against_counts_from_its_audit_trail(demo_year: tuple[str, Path]) -> None:
    _, output = demo_year
    cmd = InProcessCli(output / "routing.toml")
    data = _stats(cmd, "--from", "2024-01-01", "--to", "2024-12-31", "--now", "2024-12-31T18:00")
    steps = {(s["flow"], s["state"]): s for b in data["bodies"] for s in b["steps"]}
    assert steps
    with closing(sqlite3.connect(output / "routing.db")) as db:
        events = db.execute(
            'SELECT e.item_id, i.flow_name, e.from_state, e.to_state, e."trigger", e.at '
            "FROM audit_event e JOIN item i ON i.id = e.item_id ORDER BY e.item_id, e.id"
        ).fetchall()
        late = db.execute(
            "SELECT COUNT(*) FROM deadline WHERE kind IN ('papers', 'handover') "
            "AND status <> 'failed' AND due_at < '2025-01-01' "
            "AND (handled_at IS NULL OR handled_at > due_at)"
        ).fetchone()[0]
    # by hand: walk each item's trail, noting when it entered a state and when it left it
    passed: dict[tuple[str, str], int] = {}
    stays: dict[tuple[str, str], list[float]] = {}
    rolled: dict[tuple[str, str], int] = {}
    entered: dict[int, Any] = {}
    for item_id, flow, source, dest, trigger, at in events:
        moment = dt.datetime.fromisoformat(at)  # stored in UTC, without its zone
        if source is not None and source != dest:
            passed[(flow, source)] = passed.get((flow, source), 0) + 1
            days = (moment - entered[item_id]).total_seconds() / 86400
            stays.setdefault((flow, source), []).append(days)
        if trigger == "doorschuiven":
            rolled[(flow, source)] = rolled.get((flow, source), 0) + 1
        if source != dest:
            entered[item_id] = moment
    assert sum(rolled.values()) > 0, "the demo rolls an item over"
    for key, step in steps.items():
        assert step["passed"] == passed[key], key
        assert step["rolled_over"] == rolled.get(key, 0), key
        assert step["median_days"] == round(statistics.median(stays[key]), 1), key
    # every step at a body that was left is reported
    flows_with_body = {key for key in passed if key[1] not in ("concept", "ontvangen")}
    assert flows_with_body <= set(steps)
    assert sum(b["papers_late"] for b in data["bodies"]) == late > 0


def test_days_in_a_step_are_the_same_on_both_stores(rt: Runtime) -> None:
    """The days are computed per dialect: the same figures on both stores."""
    from routing.engine import items as engine

    rt.clock = FixedClock(parse_moment(REGISTERED))
    spec = engine.ItemSpec(title="X", flow="initiatief")
    item = engine.create_item(rt, spec)
    assert item.id is not None
    engine.move(rt, item.id, "agenderen")
    rt.clock = FixedClock(parse_moment("2024-02-11T21:00"))
    engine.move(rt, item.id, "reageren")
    start, end = parse_moment("2024-01-01"), parse_moment("2024-04-01")
    with rt.session() as db:
        medians = list(figures.step_medians(db, start, end))
        assert db.execute(text("SELECT COUNT(*) FROM audit_event")).scalar() == 3
    assert medians == [("initiatief", "ontvangen", 0.0),
                       ("initiatief", "regieteam", pytest.approx(10.5))]  # fmt: skip
