"""Upgrades: a store made by every earlier version of routing upgrades to this one with its rows.

For every revision in store/migrations (walked from Alembic's script directory, so a new
migration is covered the day it is written), on SQLite and PostgreSQL: a database is built AT
that revision, filled with realistic rows in that revision's own schema, upgraded by the real
`routing init`, and its rows are checked at the head: items, states, the audit trail,
deadlines, meetings and the rest, and that the audit chain verifies. A revision without a fill
function fails here, so whoever adds a migration also says what a store at it looks like.

And a database newer than this code is refused, by `routing init` and by a normal command.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory

import store
from routing.config.flows import FlowCatalog
from store import audit_chain
from store.types import UTCDateTime
from tests import postgres
from tests.conftest import InProcessCli, edited_config


def _scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("store") / "migrations"))
    return ScriptDirectory.from_config(config)


def _revisions() -> list[str]:
    """Every revision, oldest first (the history is one line: no branches)."""
    scripts = _scripts()
    assert len(scripts.get_heads()) == 1, "store/migrations has more than one head"
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


HEAD = _revisions()[-1]
T0 = dt.datetime(2024, 2, 5, 8, 0, tzinfo=dt.UTC)


def _at(days: float = 0, hours: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=days, hours=hours)


# --- what a store at each revision holds -----------------------------------------------------


@dataclass
class Fill:
    """Rows to insert at a revision, table by table, and what must be found at the head."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # table -> (key column, rows as they must read after the upgrade; only these columns)
    expect: dict[str, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)
    # SQL run after the inserts (an existing row the migration made, updated)
    after: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, table: str, *rows: dict[str, Any], key: str | None = "id") -> None:
        self.rows.setdefault(table, []).extend(rows)
        if key is not None:
            self.expect.setdefault(table, (key, []))[1].extend(rows)


def _flow(name: str) -> dict[str, Any]:
    flow = FlowCatalog(edited_config()).current[name]
    return {"name": flow.name, "content_hash": flow.content_hash,
            "definition": flow.to_dict(), "first_used_at": _at()}  # fmt: skip


_ITEMS_0001 = [
    {"id": 1, "title": "Regionaal Werkcentrum", "flow_name": "initiatief", "flow_version_id": 1,
     "state": "regieteam", "kenmerk": "DOC-24003697", "document_date": dt.date(2024, 1, 30),
     "sender": "Gemeente Utrecht", "topics": ["werk", "scholing"], "owner": "Kevin van Pernis",
     "asked": "besluitvorming", "openbaar": True, "verspreiden": True, "created_at": _at(),
     "updated_at": _at(hours=1), "version": 2},
    {"id": 2, "title": "Geheim <dossier> & co", "flow_name": "initiatief", "flow_version_id": 1,
     "state": "ontvangen", "kenmerk": None, "document_date": None, "sender": None, "topics": [],
     "owner": None, "asked": "bespreking", "openbaar": False, "verspreiden": False,
     "created_at": _at(hours=2), "updated_at": _at(hours=2), "version": 1},
    {"id": 3, "title": "LLO verkenning — één ✓", "flow_name": "initiatief",
     "flow_version_id": 1, "state": "ingetrokken", "kenmerk": "DOC-3", "document_date": None,
     "sender": None, "topics": ["leven lang ontwikkelen"], "owner": "Annette Keates",
     "asked": "informatie", "openbaar": True, "verspreiden": True, "created_at": _at(hours=3),
     "updated_at": _at(days=1), "version": 3},
]  # fmt: skip

_EVENTS = [
    (1, 1, None, "ontvangen", "registreren", "secretaris", _at(), None),
    (2, 1, "ontvangen", "regieteam", "agenderen", "secretaris", _at(hours=1), "Graag 20/2"),
    (3, 2, None, "ontvangen", "registreren", "secretaris", _at(hours=2), None),
    (4, 3, None, "ontvangen", "registreren", "a.keates", _at(hours=3), "Van de regio"),
    (5, 3, "ontvangen", "regieteam", "agenderen", "a.keates", _at(hours=4), None),
    (6, 3, "regieteam", "ingetrokken", "intrekken", "secretaris", _at(days=1),
     "Ingetrokken:\nzie mail — één ✓"),
]  # fmt: skip
_EVENT_FIELDS = ("id", "item_id", "from_state", "to_state", "trigger", "actor", "at", "note")


def _events(*, chained: bool) -> list[dict[str, Any]]:
    rows = [dict(zip(_EVENT_FIELDS, event, strict=True)) for event in _EVENTS]
    if chained:  # as routing writes them from 0005 on
        previous = audit_chain.GENESIS
        for row in rows:
            row["prev_hash"] = previous
            row["hash"] = previous = audit_chain.event_hash(row, previous)
    return rows


def fill_0001(fill: Fill) -> None:
    fill.add("flow_version", {"id": 1, **_flow("initiatief")})
    fill.add("item", *_ITEMS_0001)
    fill.add("audit_event", *_events(chained=False))


def _items_0002() -> list[dict[str, Any]]:
    planned = {"planned_body": "regieteam", "planned_meeting_at": _at(days=15, hours=1),
               "plan": 1, "target_body": None, "target_meeting_at": None, "origin": None}  # fmt: skip
    nothing = {"planned_body": None, "planned_meeting_at": None, "plan": 0,
               "target_body": None, "target_meeting_at": None, "origin": None}  # fmt: skip
    first, second, third = _ITEMS_0001
    return [
        {**first, **planned},
        {**second, **nothing, "origin": "feedback:7"},
        {**third, **nothing},
    ]


def _time_and_effects(fill: Fill, *, meeting_id: int | None) -> None:
    """The tables 0002 made, as a store uses them: deadlines, outbox, E&I, effects, outcomes."""
    link = {} if meeting_id is None else {"meeting_id": meeting_id}
    fill.add(
        "deadline",
        {"id": 1, "item_id": 1, "plan": 1, "kind": "papers", "body": "regieteam",
         "meeting_at": _at(days=15, hours=1), "due_at": _at(days=8, hours=3), "status": "open",
         "handled_at": None, **link},
        {"id": 2, "item_id": 1, "plan": 1, "kind": "reminder", "body": "regieteam",
         "meeting_at": _at(days=15, hours=1), "due_at": _at(days=4), "status": "done",
         "handled_at": _at(days=4, hours=1), **link},
        {"id": 3, "item_id": 3, "plan": 1, "kind": "papers", "body": "regieteam",
         "meeting_at": _at(days=15, hours=1), "due_at": _at(days=8, hours=3),
         "status": "superseded", "handled_at": _at(days=1), **link},
    )  # fmt: skip
    fill.add(
        "outbox",
        {"id": 1, "key": "reminder:2", "message_id": "<reminder.2@routing>", "kind": "reminder",
         "item_id": 1, "recipients": ["kevin@example.org"], "subject": "Herinnering: stukken",
         "body": "Beste Kevin,\n\nde stukken …", "created_at": _at(days=4), "status": "sent",
         "attempts": 1, "next_attempt_at": _at(days=4), "last_error": None,
         "sent_at": _at(days=4, hours=1), "channel": "smtp"},
        {"id": 2, "key": "ei:1:regieteam", "message_id": "<ei.1@routing>", "kind": "ei",
         "item_id": 1, "recipients": ["ei@example.org"], "subject": "Ter informatie",
         "body": "…", "created_at": _at(hours=1), "status": "pending", "attempts": 2,
         "next_attempt_at": _at(days=1), "last_error": "421 try later", "sent_at": None,
         "channel": None},
    )  # fmt: skip
    fill.add("ei_decision", {"id": 1, "item_id": 1, "body": "regieteam", "inform": True,
                             "decided_by": "auto", "reason": "onderwerp voor E&I: werk",
                             "at": _at(hours=1), "outbox_id": 2})  # fmt: skip
    fill.add("effect", {"key": "feedback:7", "kind": "feedback", "at": _at(days=2),
                        "item_id": 2, "detail": "na UTA supportteam"}, key="key")  # fmt: skip
    fill.add("meeting_outcome", {"id": 1, "body": "regieteam", "meeting_at": _at(days=-6),
                                 "item_id": 3, "trigger": "intrekken", "to_state": "ingetrokken",
                                 "note": "Ingetrokken", "actor": "secretaris",
                                 "at": _at(days=1)})  # fmt: skip
    # 0008: a meeting with outcomes is a closed meeting
    fill.expect["meeting_close"] = ("meeting_at", [
        {"body": "regieteam", "meeting_at": _at(days=-6), "closed_at": _at(days=1),
         "actor": "secretaris", "attendees": [], "absent": []},
    ])  # fmt: skip
    fill.add("heartbeat", {"name": "daemon", "at": _at(days=4, hours=1), "pid": 4242,
                           "host": "routing-1", "sweeps": 96, "summary": "1 herinnering"},
             key="name")  # fmt: skip
    fill.add("setting", {"name": "installed_at", "value": _at().isoformat()}, key="name")


def fill_0002(fill: Fill) -> None:
    fill.add("flow_version", {"id": 1, **_flow("initiatief")})
    fill.add("item", *_items_0002())
    fill.add("audit_event", *_events(chained=False))
    _time_and_effects(fill, meeting_id=None)
    imported = {"id": 1, "body": "pfho-wp", "uid": "pfho-2024-03@outlook",
                "start_at": _at(days=38, hours=6), "summary": "PFHO W&P",
                "imported_at": _at()}  # fmt: skip
    fill.add("imported_meeting", imported, key=None)
    # 0003 moves an imported meeting into `meeting`, as an ics meeting by its UID
    fill.expect["meeting"] = ("source_key", [
        {"body": "pfho-wp", "source": "ics", "source_key": "pfho-2024-03@outlook",
         "start_at": _at(days=38, hours=6), "original_at": _at(days=38, hours=6),
         "status": "scheduled", "summary": "PFHO W&P"},
    ])  # fmt: skip


def _meetings_0003(fill: Fill) -> None:
    fill.add(
        "meeting",
        {"id": 1, "body": "regieteam", "source": "config", "source_key": "2024-02-20T09:00",
         "original_at": _at(days=15, hours=1), "start_at": _at(days=15, hours=1),
         "status": "scheduled", "location": None, "summary": "Regieteam", "sequence": 0,
         "created_at": _at(), "updated_at": _at()},
        {"id": 2, "body": "pfho-wp", "source": "ics", "source_key": "pfho-2024-03@outlook",
         "original_at": _at(days=38, hours=6), "start_at": _at(days=40, hours=6),
         "status": "scheduled", "location": "Stadskantoor", "summary": "PFHO W&P",
         "sequence": 1, "created_at": _at(), "updated_at": _at(days=1)},
    )  # fmt: skip
    fill.add("meeting_change", {"id": 1, "meeting_id": 2, "kind": "moved", "origin": "command",
                                "from_at": _at(days=38, hours=6), "to_at": _at(days=40, hours=6),
                                "actor": "secretaris", "at": _at(days=1), "reason": "zaal bezet",
                                "items": 0})  # fmt: skip


def fill_0003(fill: Fill) -> None:
    fill.add("flow_version", {"id": 1, **_flow("initiatief")})
    _meetings_0003(fill)
    first, second, third = _items_0002()
    first = {**first, "planned_meeting_id": 1, "target_meeting_id": None}
    fill.add("item", first, second, third)
    fill.add("audit_event", *_events(chained=False))
    _time_and_effects(fill, meeting_id=1)
    # a close as 0003-0006 recorded it: an effect keyed by the meeting's id
    fill.add("effect", {"key": "closed:regieteam:1", "kind": "meeting_closed",
                        "at": _at(days=15, hours=4), "item_id": None, "detail": "Anouk Pols"},
             key="key")  # fmt: skip
    fill.expect["meeting_close"][1].append(
        {"body": "regieteam", "meeting_at": _at(days=15, hours=1),
         "closed_at": _at(days=15, hours=4), "actor": "Anouk Pols", "attendees": [], "absent": []}
    )  # fmt: skip


def fill_0004(fill: Fill) -> None:
    fill_0003(fill)
    fill.add("effect_failure", {"key": "digest:pfho-ei:2024-Q1", "kind": "digest", "item_id": None,
                                "attempts": 2, "first_at": _at(days=1),
                                "next_attempt_at": _at(days=1, hours=1),
                                "last_error": "OperationalError: disk I/O error",
                                "failed_at": None}, key="key")  # fmt: skip


def fill_0005(fill: Fill) -> None:
    fill_0004(fill)
    fill.rows["audit_event"] = _events(chained=True)
    fill.expect["audit_event"] = ("id", _events(chained=True))
    last = fill.rows["audit_event"][-1]
    fill.after.append(("UPDATE audit_head SET last_id = :id, hash = :hash",
                       {"id": last["id"], "hash": last["hash"]}))  # fmt: skip


def fill_0007(fill: Fill) -> None:
    """A closed meeting is a row of its own, with attendance; an outcome carries its besluit."""
    fill_0005(fill)
    outcome = fill.rows["meeting_outcome"][0]
    outcome["decision"] = "Het initiatief is ingetrokken."
    closes = fill.expect.pop("meeting_close")[1]
    closes[0] = {**closes[0], "attendees": ["Anouk Pols", "Kevin van Pernis"],
                 "absent": ["Annette Keates"]}  # fmt: skip
    fill.add("meeting_close", *({"id": n, **row} for n, row in enumerate(closes, start=1)))


def fill_0008(fill: Fill) -> None:
    fill_0007(fill)
    fill.add(
        "paper",
        {"id": 1, "item_id": 1, "title": "Notitie Werkcentrum", "url": None,
         "file": "1/0123456789abcdef-notitie.pdf", "sha256": "0123456789abcdef" * 4,
         "size": 48213, "added_at": _at(hours=1), "actor": "secretaris"},
        {"id": 2, "item_id": 1, "title": "Raadsvoorstel", "url": "https://example.nl/rv.pdf",
         "file": None, "sha256": None, "size": None, "added_at": _at(hours=2),
         "actor": "secretaris"},
    )  # fmt: skip


def fill_0010(fill: Fill) -> None:
    fill_0008(fill)
    fill.add(
        "commitment",
        {"id": 1, "item_id": 1, "text": "Notitie aanpassen", "owner": "Anna de Vries",
         "owner_email": "a.devries@hilversum.example", "due": dt.date(2024, 3, 1),
         "body": "regieteam", "meeting_at": _at(days=-6), "made_at": _at(days=1),
         "actor": "secretaris", "status": "open", "closed_at": None, "closed_by": None,
         "close_note": None},
        {"id": 2, "item_id": 1, "text": "Cijfers leveren", "owner": "k@example.org",
         "owner_email": "k@example.org", "due": dt.date(2024, 2, 1), "body": None,
         "meeting_at": None, "made_at": _at(days=1), "actor": "secretaris", "status": "done",
         "closed_at": _at(days=2), "closed_by": "secretaris", "close_note": "Geleverd"},
    )  # fmt: skip


# One entry per revision: the rows a store at that revision holds. A new migration needs one
# here (often the previous one's function, when the tables filled did not change).
FILLS: dict[str, Callable[[Fill], None]] = {
    "0001": fill_0001,
    "0002": fill_0002,
    "0003": fill_0003,
    "0004": fill_0004,
    "0005": fill_0005,
    "0006": fill_0005,  # indices and the (empty) slip watch: the rows of 0005
    "0007": fill_0007,
    "0008": fill_0008,  # papers: two of item 1, a copied file and a link
    "0009": fill_0008,  # two nullable outbox columns: existing messages keep theirs (null)
    "0010": fill_0010,  # commitments: an open one made at a meeting, a closed one made later
    "0011": fill_0010,  # one nullable outbox column (calendar): existing messages keep null
    "0012": fill_0010,  # ratification: a new, empty table; the rows of 0010
    "0013": fill_0010,  # late_exception: a new table, empty after the upgrade
}


# --- building a store at a revision ----------------------------------------------------------

_names = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_store(
    request: pytest.FixtureRequest, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of an empty database (no schema), that `routing` run on config_path uses."""
    if request.param == "sqlite":
        yield f"sqlite:///{config_path.parent / 'routing.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"routing_upgrade_{next(_names)}"
    url = postgres.create_database(server, name)
    monkeypatch.setenv("ROUTING_DATABASE_URL", url)
    yield url
    assert not postgres.connections(server, name), f"connections left open to {name}"


def _upgrade_to(url: str, revision: str) -> None:
    engine = store.make_engine(url)
    try:
        config = AlembicConfig()
        config.set_main_option("script_location", str(resources.files("store") / "migrations"))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def _column(name: str, value: Any) -> sa.ColumnClause[Any]:
    if isinstance(value, dt.datetime):
        return sa.column(name, UTCDateTime())
    if isinstance(value, dt.date):
        return sa.column(name, sa.Date())
    if isinstance(value, list | dict):
        return sa.column(name, sa.JSON())
    return sa.column(name)


def _insert(url: str, fill: Fill) -> None:
    engine = store.make_engine(url)
    try:
        with engine.begin() as connection:
            for table, rows in fill.rows.items():
                for row in rows:
                    target = sa.table(table, *(_column(k, v) for k, v in row.items()))
                    connection.execute(target.insert().values(**row))
            for sql, params in fill.after:
                connection.execute(sa.text(sql), params)
            if connection.dialect.name == "postgresql":  # explicit ids leave the sequences behind
                for table, rows in fill.rows.items():
                    if rows and "id" in rows[0]:
                        connection.execute(sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                            f" (SELECT max(id) FROM {table}))"
                        ))  # fmt: skip
    finally:
        engine.dispose()


def _read(url: str, table: str, key: str, expected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = sorted({name for row in expected for name in row})
    engine = store.make_engine(url)
    try:
        with engine.connect() as connection:
            typed = {c: next((r[c] for r in expected if r.get(c) is not None), None)
                     for c in columns}  # fmt: skip
            source = sa.table(table, *(_column(c, typed[c]) for c in columns))
            keys = [row[key] for row in expected]  # rows a migration added are not ours
            query = sa.select(*source.c).where(source.c[key].in_(keys)).order_by(source.c[key])
            return [dict(row) for row in connection.execute(query).mappings()]
    finally:
        engine.dispose()


def _missing_fills() -> list[str]:
    return [revision for revision in _revisions() if revision not in FILLS]


def test_every_revision_has_a_fill_function() -> None:
    """A new migration without an entry in FILLS fails here, by name."""
    assert _missing_fills() == [], (
        f"revisions without a fill function in tests/test_upgrades.py FILLS: {_missing_fills()};"
        " add one that inserts realistic rows in that revision's schema"
    )


@pytest.mark.parametrize("revision", _revisions())
def test_a_store_at_every_revision_upgrades_with_its_rows(
    revision: str, empty_store: str, config_path: Path
) -> None:
    if revision not in FILLS:
        pytest.fail(f"revision {revision} has no fill function in FILLS; add one")
    _upgrade_to(empty_store, revision)
    fill = Fill()
    FILLS[revision](fill)
    _insert(empty_store, fill)

    cli = InProcessCli(config_path)
    upgraded = cli("init", "--now", "2024-02-10T09:00")
    # the head itself is run too: it tests the fill the next migration will start from
    said = f"schema {revision} → {HEAD}." if revision != HEAD else f"schema is actueel ({HEAD})."
    assert said in upgraded.stdout, upgraded.stdout

    for table, (key, expected) in fill.expect.items():
        found = _read(empty_store, table, key, expected)
        wanted = sorted(expected, key=lambda row: row[key])
        assert found == [{c: row.get(c) for c in sorted(found[0])} for row in wanted], table

    # the rows are usable, not only present: routing reads them as it reads its own
    listed = json.loads(cli("list", "--json").stdout)
    assert [(i["id"], i["state"]) for i in listed] == [
        (1, "regieteam"),
        (2, "ontvangen"),
        (3, "ingetrokken"),
    ]
    shown = json.loads(cli("show", "3", "--json", "--now", "2024-02-10T09:00").stdout)
    assert [step["trigger"] for step in shown["history"]] == [
        "registreren",
        "agenderen",
        "intrekken",
    ]
    assert shown["history"][-1]["note"] == "Ingetrokken:\nzie mail — één ✓"
    verified = cli("audit", "verify")
    assert verified.stdout.startswith("Audittrail intact: 6 events"), verified.stdout
    # and the chain goes on from the upgraded events
    cli("move", "1", "aanhouden", "--now", "2024-02-10T09:00")
    assert cli("audit", "verify").stdout.startswith("Audittrail intact: 7 events")


@pytest.mark.parametrize("command", [("init",), ("list",)], ids=["init", "list"])
def test_a_database_newer_than_the_code_is_refused_saying_so(
    empty_store: str, config_path: Path, command: tuple[str, ...]
) -> None:
    _upgrade_to(empty_store, HEAD)
    engine = store.make_engine(empty_store)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    refused = InProcessCli(config_path)(*command, check=False)
    assert refused.returncode == 2
    assert refused.stderr.startswith("routing: Database ")
    assert "is bijgewerkt door een nieuwere versie van routing (schema 9999)" in refused.stderr
    assert "werk routing bij naar die versie. 'routing init' helpt hier niet." in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    # and nothing was changed by trying
    engine = store.make_engine(empty_store)
    try:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == "9999"
    finally:
        engine.dispose()
