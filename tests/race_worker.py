"""Long-lived worker processes that run the real `routing` command line in process, in rounds.

Starting a Python process and importing SQLAlchemy for every command costs about a second, which
would make hundreds of races take minutes. A worker (`python -m tests.race_worker`) instead
imports `routing.cli.app.main` once and runs it for each command it is sent, exactly as the
`routing` entry point does (arguments in `sys.argv`, `SystemExit` for the exit code, stdout and
stderr captured), each command with its own runtime and database connections, closed when it
ends.

Protocol, one JSON line each way: the parent sends a command; the worker answers "ready" and
waits for "go"; the parent sends "go" to every worker of the round once all are ready (a
barrier), so their commands start at the same instant; each answers with its outcome. Every
wait is bounded: the parent gives up after `WAIT_SECONDS`, a worker that hears nothing for
`IDLE_SECONDS` stops.

Used by tests/test_races.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

IDLE_SECONDS = 120
WAIT_SECONDS = 60
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Outcome:
    worker: int
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str


def run_command(argv: Sequence[str]) -> tuple[int, str, str]:
    """`routing ARGV` in this process, as the console script runs it: (exit code, out, err)."""
    from routing.cli.app import main
    from routing.cli.common import settings

    settings["lang"], settings["debug"] = None, None
    out, err = io.StringIO(), io.StringIO()
    code = 0
    saved = sys.argv
    sys.argv = ["routing", *argv]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = saved
    return code, out.getvalue(), err.getvalue()


def _read_line(stream: IO[str], seconds: float) -> str | None:
    ready, _, _ = select.select([stream], [], [], seconds)
    if not ready:
        return None
    line = stream.readline()
    return line or None


def serve() -> None:
    """A worker's life: for each command, say ready, wait for go, run it, report."""
    import routing.cli.app  # noqa: F401  (imported before the first race, not during it)

    # the protocol keeps the real stdout; anything written to fd 1 by accident goes nowhere
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    while True:
        line = _read_line(sys.stdin, IDLE_SECONDS)
        if line is None:
            return
        argv = json.loads(line)
        channel.write('"ready"\n')
        if _read_line(sys.stdin, IDLE_SECONDS) is None:
            return
        code, out, err = run_command(argv)
        channel.write(json.dumps([code, out, err]) + "\n")


class Workers:
    """`count` worker processes with the environment `env` added to this one's."""

    def __init__(self, count: int, env: dict[str, str]) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.race_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env={**os.environ, **env},
            )
            for _ in range(count)
        ]

    def _send(self, process: subprocess.Popen[str], message: object) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()

    def _receive(self, process: subprocess.Popen[str]) -> object:
        assert process.stdout is not None
        line = _read_line(process.stdout, WAIT_SECONDS)
        if line is None:
            raise TimeoutError(f"worker {process.pid} said nothing for {WAIT_SECONDS}s")
        return json.loads(line)

    def race(self, *commands: Sequence[str]) -> list[Outcome]:
        """Run one command on each worker, started together; their outcomes by worker."""
        assert len(commands) == len(self.processes)
        for process, argv in zip(self.processes, commands, strict=True):
            self._send(process, list(argv))
        for process in self.processes:
            assert self._receive(process) == "ready"
        for process in self.processes:  # the barrier: all are ready, all go
            self._send(process, "go")
        outcomes = []
        for number, (process, argv) in enumerate(zip(self.processes, commands, strict=True)):
            answer = self._receive(process)
            assert isinstance(answer, list) and len(answer) == 3, answer
            outcomes.append(Outcome(number, tuple(argv), int(answer[0]), answer[1], answer[2]))
        return outcomes

    def close(self) -> None:
        for process in self.processes:
            if process.stdin is not None:
                process.stdin.close()  # end of input: the worker stops
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:  # bounded: a stuck worker is ended
                process.kill()
                process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve()
