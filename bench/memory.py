"""The daemon's memory does not grow with the database (issue 11, point 5).

Peak resident set size of `routing daemon --once` (a real process, measured by `/usr/bin/time
-v`, else `getrusage` of the child) over one sweep that includes the quarter's E&I digest, on a
store of `--items` items with 10 audit events each (100,000 / 1,000,000 by default) against the
same sweep on 1,000 items (the floor). Each run gets a fresh copy of its store in which the
last digest is not yet done, so the sweep composes it. Target: ratio ≤ 1.2.
"""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
from contextlib import closing
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROUTING, Table, bare_sqlite, interleaved, options, peak_rss_of, sqlite_path
from bench.data import NOW, build_store


def _digest_due(config: Path) -> str:
    """Forget the last period's digest (its effect and its mail): the next sweep writes it."""
    with closing(bare_sqlite(sqlite_path(config))) as connection:
        (key,) = connection.execute("SELECT max(key) FROM effect WHERE kind = 'digest'").fetchone()
        assert key is not None, "the store has no digest to forget"
        connection.execute("DELETE FROM effect WHERE key = ?", (key,))
        connection.execute("DELETE FROM outbox WHERE key = ?", (key,))
    return str(key)


RUNS = itertools.count()


def peak(base: Path, items: int) -> float:
    """MiB at the peak of one `routing daemon --once` with the digest due (a fresh copy)."""
    folder = base / f"run-{next(RUNS)}"
    config = build_store(folder, items=items)
    key = _digest_due(config)
    command = [ROUTING, "daemon", "--once", "--json", "--now", NOW.isoformat()]
    _, rss = peak_rss_of(command, env={"ROUTING_CONFIG": str(config)})
    with closing(bare_sqlite(sqlite_path(config))) as connection:
        done = connection.execute("SELECT 1 FROM effect WHERE key = ?", (key,)).fetchone()
    assert done is not None, f"the sweep did not write the digest {key}"
    shutil.rmtree(folder)
    return rss / 2**20


def main() -> None:
    args = options(__doc__.splitlines()[0], items=100_000, tiny_items=200, repetitions=3)
    small = 40 if args.tiny else 1000
    table = Table(f"daemon peak memory: {args.items:,} items vs {small:,} (the floor)")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        base = Path(tmp)
        found = interleaved(
            {"big": lambda: peak(base / "big", args.items),
             "small": lambda: peak(base / "small", small)},
            args.repetitions,
        )  # fmt: skip
    table.row("peak RSS, sweep with digest", found["big"], found["small"], "MiB", 1.2)
    table.note(f"`routing daemon --once --now {NOW.isoformat()}`, bench/data.py stores of "
               f"{args.items:,} and {small:,} items (10 audit events each)")  # fmt: skip
    table.print()


if __name__ == "__main__":
    main()
