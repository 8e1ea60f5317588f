"""Benchmark (run by hand, prints figures): what the audit chain costs.

Appends N events through `store.audit_chain.append` (the writer's path, one event per
transaction as a command writes it), then times `verify` and `export_rows` over the whole trail.
Usage: .venv/bin/python tests/bench_audit.py [events] [database URL, default a new SQLite file]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

import store
from store import AuditEvent, audit_chain

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000


def main() -> None:
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{Path(tempfile.mkdtemp())}/bench.db"
    engine = store.make_engine(url)
    store.migrate(engine)
    now = dt.datetime(2024, 2, 5, 8, tzinfo=dt.UTC)
    with store.session(engine) as db:
        db.execute(text(
            "INSERT INTO flow_version (name, content_hash, definition, first_used_at)"
            " VALUES ('bench', 'x', '{}', '2024-01-01')"
        ))  # fmt: skip
        db.execute(text(
            "INSERT INTO item (title, flow_name, flow_version_id, state, topics, asked, openbaar,"
            " verspreiden, created_at, updated_at, version, plan) VALUES ('Bench', 'bench',"
            " (SELECT max(id) FROM flow_version), 'a', '[]', 'bespreking', true, true,"
            " '2024-01-01', '2024-01-01', 1, 0)"
        ))  # fmt: skip
        item_id = db.execute(text("SELECT max(id) FROM item")).scalar_one()
    start = time.perf_counter()
    for number in range(EVENTS):
        with store.session(engine) as db:
            audit_chain.append(db, AuditEvent(
                item_id=item_id, from_state="a", to_state="b", trigger="t", actor="bench",
                at=now + dt.timedelta(seconds=number), note=f"notitie {number}",
            ))  # fmt: skip
    appended = time.perf_counter() - start
    with store.session(engine, write=False) as db:
        start = time.perf_counter()
        report = audit_chain.verify(db)
        verified = time.perf_counter() - start
        start = time.perf_counter()
        exported = sum(1 for _ in audit_chain.export_rows(db))
        export_time = time.perf_counter() - start
    engine.dispose()
    assert report.intact and exported == report.events
    print(f"{engine.dialect.name}: {EVENTS} events appended, one per transaction: "
          f"{appended / EVENTS * 1000:.2f} ms each")  # fmt: skip
    print(f"verify over {report.events} events: {verified:.2f} s")
    print(f"export of {exported} events: {export_time:.2f} s")


if __name__ == "__main__":
    main()
