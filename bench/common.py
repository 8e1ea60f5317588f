"""What every bench script shares: options, interleaved measurement, the result table, and the
ways to run the real thing (the installed `routing` command, a bare SQLite connection with the
store's pragmas, peak memory of a process, a throwaway PostgreSQL server).

A figure is always printed next to its floor measured in the same run, the cases interleaved
(the order alternating between repetitions), so a noisy shared machine moves both alike and the
ratio holds. Performance figures come only from these scripts, run by hand (`make bench`).

A script starts so (run as `python bench/x.py`, its own folder comes first on the path):

    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import Table, interleaved, options
    from bench.data import NOW, build_store

    args = options("what it measures", items=100_000, tiny_items=500)
    ...
    table = Table("title")
    table.row("figure", project_values, floor_values, "s", target_ratio=1.5)
    table.print()   # prints one `ratio:` line per figure (tests/test_bench.py looks for it)
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repository
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
ROUTING = str(BIN / "routing")
CACHE = Path(os.environ.get("ROUTING_BENCH_CACHE", ROOT / "bench" / ".cache"))

__all__ = [
    "BIN",
    "CACHE",
    "ROUTING",
    "Table",
    "bare_sqlite",
    "cli",
    "configured_synchronous",
    "create_database",
    "interleaved",
    "options",
    "peak_rss_of",
    "postgres_server",
    "process_seconds",
    "sqlite_path",
    "timed",
]


def options(
    description: str,
    *,
    items: int = 1000,
    tiny_items: int = 100,
    repetitions: int = 5,
    postgres: bool = False,
    argv: Sequence[str] | None = None,
) -> argparse.Namespace:
    """The common command line: `--tiny`, `--repetitions N`, `--items N` (and `--postgres`).

    With `--tiny` the defaults shrink to `tiny_items` and 2 repetitions (explicit values win),
    so the test suite runs every script in seconds."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--tiny", action="store_true", help="tiny data, 2 repetitions (a smoke run)"
    )
    parser.add_argument("--repetitions", type=int, default=None, help=f"default {repetitions}")
    parser.add_argument("--items", type=int, default=None, help=f"stored items (default {items})")
    # every script accepts --postgres / --no-postgres (run_all passes options to all of them);
    # a script that measures PostgreSQL does so by default when the server binaries are here
    parser.add_argument(
        "--postgres", action=argparse.BooleanOptionalAction, default=None,
        help="measure on a throwaway PostgreSQL server too (default: when pg_ctl is installed)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.repetitions is None:
        args.repetitions = 2 if args.tiny else repetitions
    if args.items is None:
        args.items = tiny_items if args.tiny else items
    if not postgres:
        args.postgres = False
    elif args.postgres is None:
        from tests.postgres import server_binaries

        args.postgres = server_binaries() is not None
    return args


def interleaved(
    cases: Mapping[str, Callable[[], float]], repetitions: int
) -> dict[str, list[float]]:
    """Run each case once per repetition, the order reversed every other repetition; returns
    each case's measured values (whatever the callables return: seconds, rates, ms)."""
    names = list(cases)
    found: dict[str, list[float]] = {name: [] for name in names}
    for repetition in range(repetitions):
        order = names if repetition % 2 == 0 else list(reversed(names))
        for name in order:
            found[name].append(float(cases[name]()))
    return found


def timed(work: Callable[[], object]) -> float:
    """Seconds `work` takes (wall clock)."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def process_seconds(command: list[str], env: dict[str, str]) -> float:
    """Seconds a process takes from start to exit (wall clock); a failure stops the bench."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr.decode()}")
    return elapsed


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _spread(values: Sequence[float]) -> str:
    if not values:
        return "—"
    median = _median(values)
    return f"{_fmt(median)} ({_fmt(min(values))}–{_fmt(max(values))})"


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


@dataclass
class _Row:
    figure: str
    project: list[float]
    floor: list[float] | None
    unit: str
    target_ratio: float | None
    higher_is_better: bool
    target_max: float | None = None  # an absolute bound on the project's median, in `unit`

    @property
    def ratio(self) -> float | None:
        """project/floor for a cost (lower is better), floor/project for a rate: a ratio above
        1 always means "the project is that many times worse than its floor"."""
        if not self.floor:
            return None
        project, floor = _median(self.project), _median(self.floor)
        if self.higher_is_better:
            return floor / project if project else float("inf")
        return project / floor if floor else float("inf")

    @property
    def verdict(self) -> str:
        ratio = self.ratio
        verdicts = []
        if self.target_ratio is not None and ratio is not None:
            verdicts.append(ratio <= self.target_ratio)
        if self.target_max is not None:
            verdicts.append(_median(self.project) <= self.target_max)
        if not verdicts:
            return ""
        return "ok" if all(verdicts) else "NOT MET"

    @property
    def target(self) -> str:
        parts = [] if self.target_ratio is None else [f"≤ {self.target_ratio:g}×"]
        if self.target_max is not None:
            parts.append(f"≤ {_fmt(self.target_max)} {self.unit}")
        return ", ".join(parts)


@dataclass
class Table:
    """A bench script's results: one row per figure, printed with medians, spread and ratio.

    `target_ratio` is the issue's bound on project/floor (e.g. 1.5; for a rate the floor's
    rate over the project's, e.g. 2.0 for "at least 50 % of the floor"). A ratio line is always
    printed (`ratio: ...`), which the tests look for."""

    title: str
    rows: list[_Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(
        self,
        figure: str,
        project: Sequence[float] | float,
        floor: Sequence[float] | float | None,
        unit: str,
        target_ratio: float | None = None,
        higher_is_better: bool = False,
        *,
        target_max: float | None = None,
    ) -> None:
        """One figure: the project's values and the floor's (None: no floor), the unit, the
        bound on their ratio (see the class) and/or `target_max`, a bound on the project's
        median itself (e.g. 100 ms)."""

        def values(v: Sequence[float] | float) -> list[float]:
            return [float(v)] if isinstance(v, int | float) else [float(x) for x in v]

        self.rows.append(
            _Row(
                figure, values(project), None if floor is None else values(floor), unit,
                target_ratio, higher_is_better, target_max,
            )
        )  # fmt: skip

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        out = [f"== {self.title} =="]
        header = ("figure", "project", "floor", "unit", "ratio", "target", "")
        body = []
        for row in self.rows:
            ratio = row.ratio
            target = row.target
            body.append(
                (
                    row.figure,
                    _spread(row.project),
                    "—" if row.floor is None else _spread(row.floor),
                    row.unit,
                    "—" if ratio is None else f"{ratio:.2f}×",
                    target,
                    row.verdict,
                )
            )
        widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
        for line in [header, *body]:
            out.append(
                "  ".join(
                    str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
                ).rstrip()
            )
        for row in self.rows:
            ratio = row.ratio
            shown = "n/a (no floor)" if ratio is None else f"{ratio:.2f}"
            if row.target_max is not None:  # the bound is on the figure: show the figure too
                shown += f" (figure {_fmt(_median(row.project))} {row.unit})"
            target = f" target {row.target} {row.verdict}" if row.target else ""
            out.append(f"ratio: {row.figure}: {shown}{target}")
        out.extend(f"note: {text}" for text in self.notes)
        return out

    def print(self) -> None:
        print("\n".join(self.lines()), flush=True)


# --- running the real thing -------------------------------------------------------------------


def cli(
    args: Sequence[str],
    config: Path | str | None,
    env: Mapping[str, str] | None = None,
    *,
    check: bool = True,
    timeout: float = 600,
) -> tuple[float, str]:
    """Run the installed `routing` console script of this venv as a real process with
    `ROUTING_CONFIG=config`; returns (wall seconds, stdout). A non-zero exit raises, with its
    stderr, unless `check` is False."""
    environment = {**os.environ, "COLUMNS": "120", **(env or {})}
    if config is not None:
        environment["ROUTING_CONFIG"] = str(config)
    start = time.perf_counter()
    done = subprocess.run(
        [ROUTING, *args], env=environment, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if check and done.returncode != 0:
        raise RuntimeError(
            f"routing {' '.join(args)} exited {done.returncode}:\n{done.stderr}{done.stdout}"
        )
    return seconds, done.stdout


def configured_synchronous(config: Path | str | None) -> str:
    """The SQLite `synchronous` the store uses: `[database] synchronous` of routing.toml when the
    configuration has that key, else the store's default (NORMAL)."""
    if config is not None:
        with contextlib.suppress(OSError, tomllib.TOMLDecodeError):
            with Path(config).open("rb") as handle:
                value = tomllib.load(handle).get("database", {}).get("synchronous")
            if isinstance(value, str) and value:
                return value.upper()
    return "NORMAL"


def bare_sqlite(path: Path | str, synchronous: str = "NORMAL") -> sqlite3.Connection:
    """A plain `sqlite3` connection with the pragmas of store/db.py (WAL, busy timeout, foreign
    keys, `synchronous`), in autocommit mode: the caller writes its own BEGIN/COMMIT."""
    from store import db

    connection = sqlite3.connect(
        str(path), isolation_level=None, timeout=db.SQLITE_BUSY_TIMEOUT_MS / 1000
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA busy_timeout={db.SQLITE_BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    return connection


def sqlite_path(config: Path | str) -> Path:
    """The SQLite file a routing.toml uses (its `[database] url`, else routing.db beside it)."""
    config = Path(config)
    with config.open("rb") as handle:
        url = str(tomllib.load(handle).get("database", {}).get("url", "") or "")
    if not url:
        return config.parent / "routing.db"
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a SQLite store: {url}")
    found = Path(url.removeprefix("sqlite:///"))
    return found if found.is_absolute() else config.parent / found


_MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def peak_rss_of(
    command: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 600
) -> tuple[float, int]:
    """Run `command` and return (wall seconds, peak resident set size in bytes).

    Through `/usr/bin/time -v` when it exists (what a reviewer uses too), else from
    `getrusage(RUSAGE_CHILDREN)` in a fresh helper process (whose only child is `command`)."""
    environment = {**os.environ, **(env or {})}
    start = time.perf_counter()
    if Path("/usr/bin/time").exists():
        done = subprocess.run(
            ["/usr/bin/time", "-v", *command], env=environment, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
        found = _MAX_RSS.search(done.stderr)
        if found is None:
            raise RuntimeError("no peak RSS in the output of /usr/bin/time -v")
        return seconds, int(found.group(1)) * 1024
    probe = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], env=environment, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr}")
    return seconds, int(done.stdout.strip().splitlines()[-1]) * 1024  # Linux: kilobytes


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server (tests/postgres.py's), stopped and removed afterwards.

    Yields the URL prefix `postgresql+psycopg://postgres@127.0.0.1:PORT/`; make databases with
    `create_database(prefix, name)` below. Unlike the tests' server it runs with fsync on, so a
    durable commit costs what it costs in production."""
    from tests.postgres import Server

    server = Server()
    try:
        server._run(
            "pg_ctl", "-D", str(server.data), "-l", str(server.base / "log"), "-w", "-t", "60",
            "-o", f"-p {server.port} -k {server.base} -c listen_addresses=127.0.0.1",
            "start",
        )  # fmt: skip
        yield server.prefix
    finally:
        server.remove()


def create_database(prefix: str, name: str) -> str:
    """A new, empty database on the server of `postgres_server`; returns its URL."""
    from tests.postgres import create_database as create

    return create(prefix, name)
