"""The quarterly E&I digest against its own query run bare (issue 11, point 3).

The digest (`routing.effects.digest.compose_digest`) lets the database aggregate the period's
audit events per item (`store.activity.period_sql`) and reads events only for the items it lists.
Its floor is that aggregate statement run through a plain `sqlite3` connection with the store's
pragmas, every row fetched. Measured on the last whole quarter before NOW of a store of `--items`
items with 10 audit events each (100,000 / 1,000,000 by default). Target: ratio ≤ 1.5. For
reference the note gives what only reading the quarter's events bare costs, which is what the
digest did before (as ORM objects, on top).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Table, bare_sqlite, interleaved, options, sqlite_path, timed
from bench.data import NOW, build_store

from routing.effects import digest
from routing.effects.sweep import installed_at
from routing.engine.items import CREATE_TRIGGER
from routing.runtime import Runtime
from store import activity


def _stored(moment: dt.datetime) -> str:
    """A moment as SQLAlchemy keeps it in SQLite (UTC, no zone)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def main() -> None:
    args = options(__doc__.splitlines()[0], items=100_000, tiny_items=200, repetitions=5)
    table = Table(f"E&I digest, {args.items:,} items / {10 * args.items:,} audit events")
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        config = build_store(Path(tmp), items=args.items)
        rt = Runtime.open(str(config), now=NOW.isoformat())
        connection = bare_sqlite(sqlite_path(config))
        try:
            settings = rt.config.daemon
            with rt.session(read=True) as db:
                installed = installed_at(db)
            assert installed is not None
            period = digest.digest_period(settings, NOW.astimezone(rt.config.timezone), installed)
            assert period is not None
            start, end, label = period
            quiet = sorted(digest._NOT_DECISIONS)
            sql = activity.period_sql(len(quiet))
            params: dict[str, Any] = {
                **activity.period_params(start, end, CREATE_TRIGGER, quiet),
                "start": _stored(start), "end": _stored(end),
            }  # fmt: skip
            lengths: list[int] = []

            def project() -> float:
                def run() -> None:
                    with rt.session(read=True) as db:
                        _, text = digest.compose_digest(
                            db, rt, start, end, label, since_installation=False
                        )
                    lengths.append(len(text))

                return timed(run)

            def floor() -> float:
                return timed(lambda: sum(1 for _ in connection.execute(sql, params)))

            def events() -> float:
                return timed(lambda: connection.execute(
                    "SELECT * FROM audit_event WHERE at >= ? AND at < ? ORDER BY at, id",
                    (_stored(start), _stored(end)),
                ).fetchall())  # fmt: skip

            project(), floor()  # both read the pages once before measuring
            found = interleaved({"digest": project, "bare": floor, "events": events},
                                args.repetitions)  # fmt: skip
            rows = sum(1 for _ in connection.execute(sql, params))
        finally:
            connection.close()
            rt.close()
    table.row(f"digest {label}", found["digest"], found["bare"], "s", 1.5)
    table.note(f"the aggregate gives {rows:,} items; the digest's text is {lengths[-1]:,} chars")
    events_median = sorted(found["events"])[len(found["events"]) // 2]
    table.note(f"reading the quarter's events bare (the old digest's query): {events_median:.3g} s")
    table.print()


if __name__ == "__main__":
    main()
