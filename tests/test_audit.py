"""The audit trail proves itself: a row changed, removed, slipped in or swapped with a database
tool is named by `routing audit verify`, on SQLite and PostgreSQL; concurrent writers keep one
valid chain; the export carries the hashes and verifies on its own; the besluitenlijst prints
the head."""

from __future__ import annotations

import ast
import json
import random
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy

from routing.engine import items as engine
from routing.runtime import Runtime
from store import audit_chain
from tests.conftest import InProcessCli


@pytest.fixture
def trail(rt: Runtime) -> list[int]:
    """Three items, each registered and moved twice: nine events, ids in chain order."""
    for number in range(3):
        item = engine.create_item(rt, engine.ItemSpec(title=f"Punt {number}", flow="initiatief"))
        assert item.id is not None
        engine.move(rt, item.id, "agenderen", note=f"notitie {number}")
        engine.move(rt, item.id, "aanhouden", note="één ✓\nnog een regel" if number else None)
    with rt.session(read=True) as db:
        return [row["id"] for row in audit_chain.export_rows(db)]


@pytest.fixture
def audit_cli(rt: Runtime, config_path: Path) -> InProcessCli:
    return InProcessCli(config_path)


def tamper(rt: Runtime, sql: str, **params: Any) -> None:
    """Change the database as someone with a database tool would: sqlite3, or plain SQL."""
    url = rt.config.database_url
    if url.startswith("sqlite"):
        path = sqlalchemy.make_url(url).database
        assert path is not None
        with closing(sqlite3.connect(path)) as db, db:
            db.execute(sql, params)
        return
    raw = sqlalchemy.create_engine(url)
    try:
        with raw.begin() as connection:
            connection.execute(sqlalchemy.text(sql), params)
    finally:
        raw.dispose()


def verify(cli: InProcessCli) -> tuple[int, list[str]]:
    result = cli("audit", "verify", check=False)
    lines = (result.stdout + result.stderr).strip().splitlines()
    return result.returncode, lines


def findings(cli: InProcessCli) -> list[dict[str, Any]]:
    result = cli("audit", "verify", "--json", check=False)
    shaped = json.loads(result.stdout)
    assert result.returncode == (0 if shaped["intact"] else 1)
    return list(shaped["findings"])


def test_an_untouched_trail_verifies_with_its_count_and_head(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    code, lines = verify(audit_cli)
    with rt.session(read=True) as db:
        head = audit_chain.head(db)
    assert head is not None and head.last_id == trail[-1]
    assert code == 0
    assert lines == [f"Audittrail intact: 9 events, kop-hash {head.hash}."]


def test_a_note_changed_with_a_database_tool_is_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    tamper(rt, "UPDATE audit_event SET note = :note WHERE id = :id", note="anders", id=trail[4])
    code, lines = verify(audit_cli)
    assert code == 1
    assert lines == [
        "routing: audittrail aangetast: 1 bevinding; vergelijk met een export of back-up:",
        f"  event {trail[4]}: gewijzigd, de inhoud klopt niet meer met de opgeslagen hash",
    ]


def test_an_actor_changed_is_named_also_when_its_hash_is_recomputed(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    """A forger who rewrites the hash too breaks the link of the next event."""
    with rt.session(read=True) as db:
        rows = {row["id"]: row for row in audit_chain.export_rows(db)}
    row = {**rows[trail[2]], "actor": "voorzitter"}
    forged = audit_chain.event_hash(row, row["prev_hash"])
    tamper(rt, "UPDATE audit_event SET actor = 'voorzitter', hash = :hash WHERE id = :id",
           hash=forged, id=trail[2])  # fmt: skip
    found = findings(audit_cli)
    assert [(f["kind"], f["event_id"], f["other_id"]) for f in found] == [
        ("removed", trail[3], trail[2])
    ]
    assert found[0]["message"] == (
        f"event {trail[3]}: het event ervoor ontbreekt, verwijderd na event {trail[2]}"
    )


def test_a_middle_event_deleted_is_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    tamper(rt, "DELETE FROM audit_event WHERE id = :id", id=trail[5])
    code, lines = verify(audit_cli)
    assert code == 1
    assert lines[1:] == [
        f"  event {trail[6]}: het event ervoor ontbreekt, verwijderd na event {trail[4]}"
    ]


def test_the_first_event_deleted_is_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    tamper(rt, "DELETE FROM audit_event WHERE id = :id", id=trail[0])
    assert [(f["kind"], f["event_id"]) for f in findings(audit_cli)] == [("removed", trail[1])]


def test_the_last_event_deleted_is_named_against_the_head(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    tamper(rt, "DELETE FROM audit_event WHERE id = :id", id=trail[-1])
    code, lines = verify(audit_cli)
    assert code == 1
    assert lines[1:] == [
        f"  event {trail[-1]}: verwijderd, de kop van de keten noemt het als laatste "
        f"(laatste aanwezige event: {trail[-2]})"
    ]


def test_the_head_deleted_is_named(rt: Runtime, trail: list[int], audit_cli: InProcessCli) -> None:
    tamper(rt, "DELETE FROM audit_head")
    assert [f["kind"] for f in findings(audit_cli)] == ["head_missing"]


def _forge_after(rt: Runtime, last: dict[str, Any], new_id: int, *, valid: bool) -> None:
    row = {**last, "id": new_id, "from_state": "regieteam", "to_state": "afgerond",
           "trigger": "afronden", "actor": "vervalser", "note": "nooit besloten"}  # fmt: skip
    own = audit_chain.event_hash(row, last["hash"]) if valid else "f" * 64
    tamper(
        rt,
        "INSERT INTO audit_event (id, item_id, from_state, to_state, trigger, actor, at, note,"
        " prev_hash, hash) VALUES (:id, :item, 'regieteam', 'afgerond', 'afronden', 'vervalser',"
        " :at, 'nooit besloten', :prev, :hash)",
        id=new_id, item=last["item_id"], at="2024-02-05 08:00:00.000000", prev=last["hash"],
        hash=own,
    )  # fmt: skip


@pytest.mark.parametrize("valid", [False, True], ids=["careless", "careful"])
def test_a_forged_event_appended_is_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli, valid: bool
) -> None:
    """Careless: its hash does not match; careful: it is well linked but beyond the head."""
    with rt.session(read=True) as db:
        last = list(audit_chain.export_rows(db))[-1]
    forged_id = trail[-1] + 1
    _forge_after(rt, last, forged_id, valid=valid)
    found = [(f["kind"], f["event_id"]) for f in findings(audit_cli)]
    expected = [("after_head", forged_id)]
    assert found == ([] if valid else [("altered", forged_id)]) + expected


def test_a_forged_event_slipped_into_a_gap_is_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli, backend: str
) -> None:
    """PostgreSQL leaves gaps in the ids (a rolled-back insert used its number); a forger who
    fills one with a well-linked event is named by the event after it, which links past it."""
    if backend != "postgres":
        pytest.skip("SQLite gives the next id as max + 1: no gaps to fill")
    with rt.session(read=True) as db:
        before = list(audit_chain.export_rows(db))[-1]
    tamper(rt, "SELECT nextval(pg_get_serial_sequence('audit_event', 'id'))")  # the gap
    item = engine.create_item(rt, engine.ItemSpec(title="Na het gat", flow="initiatief"))
    assert item.id is not None
    gap = before["id"] + 1
    _forge_after(rt, before, gap, valid=True)
    assert [(f["kind"], f["event_id"]) for f in findings(audit_cli)] == [("inserted", gap)]


def test_two_events_swapped_are_both_named(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli
) -> None:
    """Two rows trade places (their ids swapped), hashes and all: each no longer hashes,
    because an event's id is part of what its hash covers."""
    first, second = trail[2], trail[6]
    spare = 999_999
    tamper(rt, "UPDATE audit_event SET id = :spare WHERE id = :id", spare=spare, id=first)
    tamper(rt, "UPDATE audit_event SET id = :to WHERE id = :id", to=first, id=second)
    tamper(rt, "UPDATE audit_event SET id = :to WHERE id = :id", to=second, id=spare)
    found = findings(audit_cli)
    named = [(f["kind"], f["event_id"]) for f in found]
    assert named[0] == ("altered", first)
    assert ("altered", second) in named


def test_export_writes_json_lines_that_verify_on_their_own(
    rt: Runtime, trail: list[int], audit_cli: InProcessCli, tmp_path: Path
) -> None:
    target = tmp_path / "audit.jsonl"
    written = audit_cli("audit", "export", "-o", str(target))
    assert written.stdout.strip() == f"{target}: 9 events geschreven."
    printed = audit_cli("audit", "export").stdout
    assert printed == target.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in printed.splitlines()]
    assert [row["id"] for row in rows] == trail
    assert set(rows[0]) == {*audit_chain.FIELDS, "prev_hash", "hash"}
    assert rows[0]["prev_hash"] == audit_chain.GENESIS
    assert rows[1]["note"] == "notitie 0"
    assert printed.isascii()  # whatever a note holds, the lines are inert on a terminal
    assert rows[5]["note"] == "één ✓\nnog een regel"
    assert rows[0]["at"] == "2024-02-05T08:00:00.000000Z"
    with rt.session(read=True) as db:
        head = audit_chain.head(db)
    assert head is not None
    # an outside check needs only the export and the printed head hash
    report = audit_chain.verify_rows(rows, head.last_id, head.hash)
    assert report.intact and report.events == 9
    # and the export is evidence: a later change shows against it
    tamper(rt, "UPDATE audit_event SET note = 'anders' WHERE id = :id", id=trail[1])
    again = [json.loads(line) for line in audit_cli("audit", "export").stdout.splitlines()]
    assert [r["id"] for r in again if r != rows[trail.index(r["id"])]] == [trail[1]]
    rows[1]["note"] = "anders"
    assert not audit_chain.verify_rows(rows, head.last_id, head.hash).intact


def test_an_export_to_a_missing_folder_is_bad_input(
    trail: list[int], audit_cli: InProcessCli, tmp_path: Path
) -> None:
    result = audit_cli("audit", "export", "-o", str(tmp_path / "nee" / "a.jsonl"), check=False)
    assert result.returncode == 2
    assert "bestaat niet" in result.stderr
    folder = audit_cli("audit", "export", "-o", str(tmp_path), check=False)
    assert (folder.returncode, folder.stderr.count("\n")) == (2, 1), folder.stderr
    assert "map" in folder.stderr


def test_verify_rows_names_an_event_slipped_in_between() -> None:
    """The pure check, on rows with a gap in their ids as PostgreSQL leaves them."""
    import datetime as dt

    rows: list[dict[str, Any]] = []
    previous = audit_chain.GENESIS
    for event_id in (1, 2, 4, 5):
        row = {"id": event_id, "item_id": 1, "from_state": None, "to_state": "x",
               "trigger": "t", "actor": "a", "at": dt.datetime(2024, 1, event_id, tzinfo=dt.UTC),
               "note": None, "prev_hash": previous}  # fmt: skip
        row["hash"] = previous = audit_chain.event_hash(row, previous)
        rows.append(row)
    assert audit_chain.verify_rows(rows, 5, previous).intact
    forged = {**rows[1], "id": 3, "note": "ingevoegd", "prev_hash": rows[1]["hash"]}
    forged["hash"] = audit_chain.event_hash(forged, rows[1]["hash"])
    report = audit_chain.verify_rows([*rows[:2], forged, *rows[2:]], 5, previous)
    assert report.findings == (audit_chain.Finding("inserted", 3),)


ROUNDS = 24


def test_concurrent_appends_keep_one_valid_chain(rt: Runtime, backend: str) -> None:
    """Two writers, released together by a barrier each round, register an item and move it
    (and, as the seeded plan says, hold it over); whatever the interleaving, the chain holds
    and counts every event."""
    chooser = random.Random(20261124)
    plans = [[chooser.random() < 0.5 for _ in range(ROUNDS)] for _ in range(2)]
    start = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for hold_over in plans[number]:
                start.wait()
                item = engine.create_item(
                    rt, engine.ItemSpec(title=f"Schrijver {number}", flow="initiatief")
                )
                assert item.id is not None
                engine.move(rt, item.id, "agenderen")
                if hold_over:
                    engine.move(rt, item.id, "aanhouden", note=f"ronde van {number}")
        except BaseException as error:  # handed to the test thread
            errors.append(error)
            start.abort()

    threads = [threading.Thread(target=writer, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with rt.session(read=True) as db:
        report = audit_chain.verify(db)
    assert report.intact, report.findings
    assert report.events == sum(2 + hold for plan in plans for hold in plan)


def test_verify_while_events_are_appended_sees_one_consistent_chain(rt: Runtime) -> None:
    """A verify running while a command writes reads the head and the events in one snapshot:
    an event committed in between is not reported as slipped in after the head."""
    item = engine.create_item(rt, engine.ItemSpec(title="Lopend", flow="initiatief"))
    assert item.id is not None
    item_id = item.id
    engine.move(rt, item_id, "agenderen")
    done = threading.Event()
    errors: list[BaseException] = []

    def appender() -> None:
        try:
            for _ in range(ROUNDS * 2):
                engine.move(rt, item_id, "aanhouden")
        except BaseException as error:  # handed to the test thread
            errors.append(error)
        finally:
            done.set()

    thread = threading.Thread(target=appender)
    thread.start()
    checks, broken = 0, []
    while (not done.is_set() or checks < ROUNDS) and checks < 10_000:
        with rt.session(read=True) as db:
            report = audit_chain.verify(db)
        if not report.intact:
            broken.append(report.findings)
        checks += 1
    thread.join(timeout=60)
    assert not errors, errors
    assert done.is_set(), "the appender never finished"
    assert not broken, f"{len(broken)} of {checks} checks saw a broken chain: {broken[0]}"


def test_the_besluitenlijst_prints_the_head_hash_at_its_foot(
    rt: Runtime, audit_cli: InProcessCli
) -> None:
    now = ("--now", "2024-02-05T09:00")
    audit_cli("init", "--now", "2024-01-01T00:00")
    item = audit_cli("new", "Regionaal Werkcentrum", "--flow", "initiatief", *now).stdout.strip()
    audit_cli("move", item, "agenderen", *now)
    audit_cli("meeting", "close", "regieteam", "2024-02-20", "-o", f"{item}=aanhouden",
              "--now", "2024-02-21T09:00")  # fmt: skip
    with rt.session(read=True) as db:
        head = audit_chain.head(db)
    assert head is not None
    args = ("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "--now", "2024-02-21")
    markdown = audit_cli(*args).stdout
    assert markdown.rstrip().splitlines()[-1] == (
        f"_Controlegetal audittrail bij het opstellen: {head.hash} (event {head.last_id}). Een "
        "latere wijziging is aantoonbaar: controleer met routing audit verify._"
    )
    page = audit_cli(*args, "--format", "html").stdout
    footer = page[page.index("<footer>") : page.index("</footer>")]
    assert f'data-hash="{head.hash}"' in footer and "routing audit verify" in footer
    shaped = json.loads(audit_cli(*args, "--format", "json").stdout)
    assert shaped["audit_head"] == {"last_id": head.last_id, "hash": head.hash}


def test_every_event_is_written_through_the_chain() -> None:
    """An AuditEvent is only ever made as the argument of `record` (routing.engine.writer),
    which hands it to `store.audit_chain.append`: a new writer cannot bypass the links."""
    root = Path(__file__).resolve().parent.parent
    made: list[str] = []
    for package in ("routing", "store"):
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            recorded = {
                id(argument)
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "record"
                for argument in node.args
            }
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and ast.unparse(node.func) == "AuditEvent":
                    where = f"{path.relative_to(root)}:{node.lineno}"
                    assert id(node) in recorded, f"{where}: write the event with record()"
                    made.append(where.partition(":")[0])
    # an item registered, an item changed
    assert sorted(made) == ["routing/engine/items.py", "routing/engine/writer.py"]
