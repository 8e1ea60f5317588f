"""What the property tests of bad input share: their settings, a guard against hangs, the
database dump, and the judgement of one run of the command.

Hypothesis runs derandomized (the same inputs on every run, so CI is repeatable) with a bounded
number of examples; `ROUTING_FUZZ_SCALE=10` runs ten times as many by hand. The test owns the
time limit: a hang raises `Hang` in the test instead of freezing the run.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from tests.conftest import InProcessCli

__all__ = ["Hang", "Store", "bounded", "dump", "fuzz_settings", "judge", "tally"]

SCALE = max(1, int(os.environ.get("ROUTING_FUZZ_SCALE", "1") or "1"))


def fuzz_settings(examples: int) -> Any:
    """Deterministic settings: no example database, no deadline (the time guard is `bounded`)."""
    return settings(
        max_examples=examples * SCALE,
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        # the store is restored before every example, so a function-scoped fixture is right
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.large_base_example,
            HealthCheck.data_too_large,
        ],
    )


@dataclass
class Store:
    """The SQLite store of a test as it was when taken, put back before every example, so each
    example starts from the same rows whatever the one before it wrote."""

    cli: InProcessCli
    database: Path
    snapshot: bytes
    tmp: Path

    @classmethod
    def of(cls, cli: InProcessCli, config: Path, tmp: Path) -> Store:
        database = config.parent / "routing.db"
        # every command closed its connections, so the WAL is checkpointed into the file
        assert not Path(f"{database}-wal").exists()
        return cls(cli, database, database.read_bytes(), tmp)

    def restore(self) -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        self.database.write_bytes(self.snapshot)


class tally:
    """Counts the examples an area ran and the exit codes they gave; with ROUTING_FUZZ_REPORT
    set to a file, appends one line per area there (the figures of docs/reliability.md)."""

    def __init__(self, area: str) -> None:
        self.area = area
        self.codes: Counter[int] = Counter()

    def __call__(self, code: int) -> None:
        self.codes[code] += 1

    def __enter__(self) -> tally:
        return self

    def __exit__(self, *exc: object) -> None:
        target = os.environ.get("ROUTING_FUZZ_REPORT")
        if target:
            codes = ", ".join(f"exit {code}: {n}" for code, n in sorted(self.codes.items()))
            with Path(target).open("a", encoding="utf-8") as report:
                report.write(f"{self.area}\t{sum(self.codes.values())}\t{codes}\n")


class Hang(AssertionError):
    """An input kept the command busy longer than any input may."""


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise `Hang` in this (the main) thread when the block runs longer than `seconds`."""

    def _alarm(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"still busy after {seconds} s: the input must be refused in bounded time")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def dump(database: Path) -> str:
    """The whole store as SQL text (sqlite3's iterdump): equal dumps, equal stores."""
    with closing(sqlite3.connect(database)) as db:
        return "\n".join(db.iterdump())


# click's own words: a usage error must reach the user through routing's Dutch catalogue
_ENGLISH = re.compile(
    r"No such (option|command)|Missing (argument|option|parameter)|Invalid value for|"
    r"Got unexpected extra|requires an argument|Error:|Usage:|Try '"
)


def judge(code: int, stdout: str, stderr: str, *, args: Sequence[str] = ()) -> None:
    """One run's outcome: exit 0, 1 or 2, never a traceback; bad input says so in one clear
    line, in Dutch unless `--lang en` was asked. A configuration with several problems lists
    them one per line, indented, under a first line that ends in a colon.

    A line break the user typed into a value and that the message quotes back is counted
    separately: showing such characters visibly is the output's concern (issue 10, point 2).
    """
    said = f"exit {code}\nstdout: {stdout!r}\nstderr: {stderr!r}"
    assert code in (0, 1, 2), said
    assert "Traceback" not in stdout + stderr, said
    if code != 2:
        return
    lines = stderr.rstrip("\n").split("\n")
    assert stderr.startswith("routing: ") and stderr[len("routing: ") :].strip(), said
    if "en" not in args:
        assert not _ENGLISH.search(stderr), said
    typed = sum(value.count("\n") + value.count("\r") for value in args)
    if lines[0].endswith(":"):
        assert len(lines) > 2, said
        assert all(line.startswith("  ") and line.strip() for line in lines[1:]), said
    else:
        assert len(lines) <= 1 + typed, said
