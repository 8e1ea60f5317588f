"""The bench suite cannot rot: its generated store is a valid store, and every bench script runs.

The generated store is checked with the real commands (`routing audit verify`, `check`, `status`,
`daemon --once`) at the generator's "now": the chain verifies, and a tick finds nothing due, or
exactly the `due` effects asked for. Every `bench/*.py` script (found by glob, so new ones are
covered without editing this file) runs with `--tiny` and must print its ratio line. No timing
is asserted here: figures come from running the scripts by hand.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
NOT_SCRIPTS = {"common.py", "data.py", "run_all.py"}
SCRIPTS = sorted(
    path
    for path in BENCH.glob("*.py")
    if path.name not in NOT_SCRIPTS and not path.name.startswith("_")
)
ROUTING = str(Path(sys.executable).parent / "routing")
NOW = "2025-02-03T09:00"


@pytest.fixture(scope="module")
def bench_data() -> ModuleType:
    """bench/data.py (the repository's top folder is not on the tests' import path)."""
    sys.path.insert(0, str(ROOT))
    try:
        from bench import data
    finally:
        sys.path.remove(str(ROOT))
    return data


def _routing(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROUTING_CONFIG": str(config), "COLUMNS": "120"}
    return subprocess.run(
        [ROUTING, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_generated_store_is_valid(
    bench_data: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_data, "CACHE", tmp_path / "cache")
    config = bench_data.build_store(tmp_path / "store", items=200, audit_events=2100)
    verify = _routing(config, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "2100" in verify.stdout  # every generated event is in the one chain
    for args in (["check", "--now", NOW], ["status", "--now", NOW], ["list", "--json"]):
        done = _routing(config, *args)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    tick = _routing(config, "daemon", "--once", "--now", NOW, "--json")
    assert tick.returncode == 0, tick.stdout + tick.stderr
    assert json.loads(tick.stdout)["counts"] == {}, tick.stdout  # nothing due at "now"
    # every flow, open and final states; the cached copy is the same store
    with closing(sqlite3.connect(config.parent / "routing.db")) as connection:
        states = set(connection.execute("SELECT flow_name, state FROM item").fetchall())
    assert {flow for flow, _ in states} == {path.stem for path in (ROOT / "flows").glob("*.toml")}
    assert len(states) >= 15, states
    again = bench_data.build_store(tmp_path / "copy", items=200, audit_events=2100)
    (cached,) = (tmp_path / "cache").glob("store-*/routing.db")
    assert (again.parent / "routing.db").read_bytes() == cached.read_bytes()


def test_due_effects_are_exactly_those_asked_for(
    bench_data: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bench_data, "CACHE", tmp_path / "cache")
    config = bench_data.build_store(tmp_path / "store", items=200, audit_events=2000, due=7)
    tick = _routing(config, "daemon", "--once", "--now", NOW, "--json")
    assert tick.returncode == 0, tick.stdout + tick.stderr
    assert json.loads(tick.stdout)["counts"] == {"reminder": 7}, tick.stdout
    verify = _routing(config, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr


@pytest.mark.postgres
def test_generated_store_on_postgres(
    bench_data: ModuleType, tmp_path: Path, postgres_url: str
) -> None:
    config = bench_data.build_store(
        tmp_path / "store", items=150, audit_events=1600, database_url=postgres_url, due=3
    )
    verify = _routing(config, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "1600" in verify.stdout
    tick = _routing(config, "daemon", "--once", "--now", NOW, "--json")
    assert tick.returncode == 0, tick.stdout + tick.stderr
    assert json.loads(tick.stdout)["counts"] == {"reminder": 3}, tick.stdout


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_bench_script_runs_on_tiny_data(script: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ROUTING_BENCH_CACHE": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, str(script), "--tiny"], capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio:" in done.stdout, done.stdout
