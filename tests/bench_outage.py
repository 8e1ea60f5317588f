"""Figures (run by hand): what the daemon logs while its PostgreSQL server is away.

Starts a private PostgreSQL server and `routing daemon --interval 1 --log-format json`, stops the
server for DOWN seconds (default 130: more than two minutes of ticks every second), starts it
again, and counts the log's lines by kind, and how long after the server is back the daemon
sweeps again.   Usage: .venv/bin/python -m tests.bench_outage [DOWN] [ROUNDS]
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

from tests import postgres
from tests.conftest import Cli
from tests.test_operations import Supervised

DOWN = float(sys.argv[1]) if len(sys.argv) > 1 else 130.0
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 1


def one_round(number: int) -> dict[str, object]:
    server = postgres.Server()
    daemon: Supervised | None = None
    try:
        server.start()
        url = postgres.create_database(server.prefix, "routing_outage")
        folder = Path(tempfile.mkdtemp(prefix="routing-outage-"))
        config = folder / "routing.toml"
        starter = resources.files("routing").joinpath("starter.toml").read_text(encoding="utf-8")
        config.write_text(starter, encoding="utf-8")
        env = {"ROUTING_DATABASE_URL": url}
        Cli(config)("init", "--now", "2024-01-01T00:00", env=env)
        daemon = Supervised(config, "--log-format", "json", env=env)
        daemon.wait_for(r'"message": "sweep: ')
        server.stop()
        daemon.read_for(DOWN)
        server.start()
        back = time.monotonic()
        daemon.wait_for(r"reachable again")
        sweeps_before = daemon.log.count('"message": "sweep: ')
        daemon.wait_for(r'"message": "sweep: ', count=sweeps_before + 1)
        recovered = time.monotonic() - back
        code = daemon.stop()
        records = [json.loads(line) for line in daemon.lines]
        messages = [r["message"] for r in records]
        return {
            "round": number,
            "down_seconds": DOWN,
            "exit_code": code,
            "down_first_line": sum(m.startswith("database not reachable") for m in messages),
            "still_down_lines": sum(m.startswith("still database") for m in messages),
            "back_lines": sum(m.startswith("database reachable again") for m in messages),
            "tracebacks": sum("traceback" in r for r in records),
            "lines_total": len(records),
            "sweep_after_back_seconds": round(recovered, 1),
        }
    finally:
        if daemon is not None and daemon.process.poll() is None:
            daemon.stop()
        server.remove()


def main() -> None:
    for number in range(1, ROUNDS + 1):
        print(json.dumps(one_round(number)))


if __name__ == "__main__":
    main()
