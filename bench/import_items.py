"""Issue 11 point 6: `routing import items.csv` at ≥ 25 % of a bare `executemany` of the same rows.

The project: `routing import` run in process (the CLI entry with its parsing, the runtime, the
file read and every check of `routing new`, the writes and the commit) on a copy of a store whose
calendars are synced. The floor: a bare `sqlite3` connection with the store's pragmas writing
the very rows that import wrote (read back from a reference run: items, their deadlines, their
audit events with the chain's hashes, the chain's head) with one `executemany` per table in one
transaction. The same fresh copy of the store for every run, the cases interleaved.

    .venv/bin/python bench/import_items.py            # 10,000 rows, 5 repetitions
    .venv/bin/python bench/import_items.py --tiny     # 200 rows, 2 repetitions
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Table, bare_sqlite, interleaved, options, timed

from routing.cli.app import app, prepare

NOW = "2024-02-05T09:00"
SEED = 20240205
FLOWS = [
    "agendapunt-stuurgroep", "agendapunt-supportteam", "initiatief",
    "terugkoppeling-stuurgroep", "terugkoppeling-supportteam",
]  # fmt: skip
OWNERS = ["Anna de Vries", "Sander Bakker", "Anouk Pols", "", "a.devries@hilversum.example"]
TOPICS = ["llo", "werkcentrum", "talentfonds", "jongeren", "statushouders", "zorg"]
BODIES = ["regieteam", "pfho-wp", "uta-supportteam", ""]
HEADER = "titel;flow;onderwerpen;kenmerk;eigenaar;voor;vertrouwelijk;datum;van;notitie"


def _csv(rows: int) -> str:
    """`rows` items over every flow (the feedback flows plan deadlines at once), fixed seed."""
    pick = random.Random(SEED)
    lines = [HEADER]
    for n in range(rows):
        topics = " ".join(pick.sample(TOPICS, pick.randint(0, 2)))
        note = f'"Aangeleverd door de gemeente; versie {n % 7}"' if n % 5 == 0 else ""
        lines.append(
            ";".join([
                f"Agendapunt {n} over de regionale arbeidsmarkt", FLOWS[n % len(FLOWS)], topics,
                f"DOC-{24000000 + n}", pick.choice(OWNERS),
                pick.choice(["besluitvorming", "bespreking", "informatie"]),
                "ja" if n % 11 == 0 else "", f"{1 + n % 28}-01-2024", pick.choice(BODIES), note,
            ])
        )  # fmt: skip
    return "\n".join(lines) + "\n"


def _run(*args: str, config: Path) -> str:
    """The `routing` CLI in this process, as `main()` runs it; returns its stdout."""
    os.environ["ROUTING_CONFIG"] = str(config)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        prepare(list(args))
        app(list(args), standalone_mode=False)
    return out.getvalue()


def _rows(database: Path, table: str, where: str = "") -> tuple[list[str], list[tuple[Any, ...]]]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        cursor = db.execute(f"SELECT * FROM {table} {where} ORDER BY id")
        columns = [c[0] for c in cursor.description]
        return columns, cursor.fetchall()


class _Floor:
    """The rows a reference import wrote, ready for a bare executemany."""

    def __init__(self, template: Path, reference: Path) -> None:
        tables = ("flow_version", "item", "deadline", "audit_event")
        with contextlib.closing(sqlite3.connect(template)) as db:
            last = {
                t: db.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in tables
            }
        self.tables = [(t, *_rows(reference, t, f"WHERE id > {last[t]}")) for t in tables]
        self.head = _rows(reference, "audit_head")[1][0]

    def write(self, database: Path) -> None:
        connection = bare_sqlite(database)
        try:
            connection.execute("BEGIN IMMEDIATE")
            for table, columns, rows in self.tables:
                marks = ", ".join("?" * len(columns))
                connection.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    rows,
                )
            connection.execute(
                "UPDATE audit_head SET last_id = ?, hash = ? WHERE id = 1", self.head[1:]
            )
            connection.execute("COMMIT")
        finally:
            connection.close()

    def count(self, table: str) -> int:
        return next(len(rows) for name, _, rows in self.tables if name == table)


def main(argv: Sequence[str] | None = None) -> None:
    args = options(
        "routing import of N rows vs a bare executemany of the same rows",
        items=10_000, tiny_items=200, repetitions=5, argv=argv,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        base = Path(folder)
        config = base / "routing.toml"
        config.write_text(
            resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
        _run("init", "--now", "2024-01-01T00:00", config=config)
        _run("meetings", "--now", NOW, "--from", "2999-01-01", config=config)  # calendars synced
        template = base / "template.db"
        shutil.copyfile(base / "routing.db", template)
        items = base / "items.csv"
        items.write_text(_csv(args.items), encoding="utf-8")

        def fresh() -> Path:
            for suffix in ("-wal", "-shm"):
                (base / f"routing.db{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, base / "routing.db")
            return base / "routing.db"

        fresh()
        written = _run("import", str(items), "--now", NOW, "--as", "secretaris", config=config)
        assert len(written.split()) == args.items, "the reference import registered too few"
        _run("audit", "verify", config=config)
        reference = base / "reference.db"
        shutil.copyfile(base / "routing.db", reference)
        floor = _Floor(template, reference)

        def project() -> float:
            fresh()
            return timed(
                lambda: _run("import", str(items), "--now", NOW, "--as", "secretaris",
                             config=config)
            )  # fmt: skip

        def bare() -> float:
            database = fresh()
            return timed(lambda: floor.write(database))

        found = interleaved({"import": project, "bare": bare}, args.repetitions)

    table = Table(f"routing import: {args.items:,} rows (SQLite)")
    table.row(f"import {args.items:,} items", found["import"], found["bare"], "s", target_ratio=4.0)
    table.row(
        "items per second", [args.items / s for s in found["import"]],
        [args.items / s for s in found["bare"]], "items/s", target_ratio=4.0,
        higher_is_better=True,
    )  # fmt: skip
    table.note(
        f"each run writes {floor.count('item'):,} items, {floor.count('deadline'):,} deadlines, "
        f"{floor.count('audit_event'):,} chained audit events; target: import ≥ 25 % of the "
        "floor's rate (ratio ≤ 4)"
    )
    if args.tiny:
        table.note(
            "with --tiny the fixed cost of any CLI command (its command tree, the runtime) "
            "outweighs the rows; the target is judged at the default 10,000 rows"
        )
    table.print()


if __name__ == "__main__":
    main()
