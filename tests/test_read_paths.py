"""What a read command loads and shows: no Alembic or Mako on a read path, the schema revisions
read without Alembic agree with Alembic's, and a board of many items stays a screen or two.

The imports are checked in a fresh process (a test process has imported everything already):
the command runs as `main()` runs it, and at exit the process lists what it loaded.
"""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from rich.console import Console
from sqlalchemy import create_engine

import store
from routing.clock import FixedClock, parse_moment
from routing.engine import items as engine
from routing.read.board import board
from routing.render.board import CARDS_SHOWN, board_view
from routing.runtime import Runtime
from store import revisions
from tests.conftest import ROUTING, in_terminal

ROOT = Path(__file__).resolve().parent.parent
# run `routing <args>` as main() does, and print the modules it loaded as JSON at exit
PROBE = """import atexit, json, sys
def _loaded():
    sys.__stdout__.write("\\nLOADED " + json.dumps(sorted(sys.modules)) + "\\n")
atexit.register(_loaded)
sys.argv = ["routing", *sys.argv[1:]]
from routing.cli.app import main
main()
"""


def _loaded(*args: str, cwd: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTING_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    marker = done.stdout.rindex("LOADED ")
    return set(json.loads(done.stdout[marker + len("LOADED ") :]))


@pytest.fixture
def one_item(config_path: Path, migrated_store: Path) -> int:
    rt = Runtime.open(str(config_path), now="2024-02-05T09:00")
    try:
        item = engine.create_item(rt, engine.ItemSpec(title="Werkcentrum", flow="initiatief"))
        assert item.id is not None
        return item.id
    finally:
        rt.close()


@pytest.mark.parametrize(
    "command", [["status"], ["status", "--json"], ["list", "--json"], ["list"], ["show", "ID"]]
)
def test_no_alembic_or_mako_on_a_read_path(
    command: list[str], config_path: Path, one_item: int
) -> None:
    """Checking the schema through Alembic imported Alembic and Mako and compiled every
    migration, on every command; reads ask `store.revisions` instead."""
    args = [str(one_item) if part == "ID" else part for part in command]
    loaded = _loaded(*args, "--config", str(config_path), cwd=config_path.parent)
    assert "store" in loaded  # the command did read the store
    heavy = {name for name in loaded if name.split(".")[0] in ("alembic", "mako")}
    assert not heavy, f"routing {' '.join(command)} imported {sorted(heavy)[:5]}"
    # nor the .ics reader (only `meetings import` reads a file) or the daemon's sweep
    assert not {"icalendar", "routing.calendar.ics_read", "routing.effects.sweep"} & loaded


def test_help_loads_neither_the_database_nor_rich(tmp_path: Path) -> None:
    loaded = _loaded("--help", cwd=tmp_path)
    tops = {name.split(".")[0] for name in loaded}
    assert not tops & {"sqlalchemy", "sqlmodel", "alembic", "rich", "store", "babel"}


def _alembic_scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(ROOT / "store" / "migrations"))
    return ScriptDirectory.from_config(config)


def test_the_revisions_read_from_the_files_are_alembics() -> None:
    scripts = _alembic_scripts()
    assert revisions.code_head() == scripts.get_current_head()
    assert revisions.known_revisions() == {s.revision for s in scripts.walk_revisions()}
    assert revisions.revision_links() == {
        s.revision: s.down_revision for s in scripts.walk_revisions()
    }


def test_the_database_revision_is_the_one_alembic_reads(tmp_path: Path) -> None:
    engine_ = create_engine(f"sqlite:///{tmp_path / 'routing.db'}")
    try:
        with engine_.connect() as connection:
            assert revisions.database_revision(connection) is None  # nothing migrated yet
        store.migrate(engine_)
        with engine_.connect() as connection:
            expected = MigrationContext.configure(connection).get_current_revision()
            assert revisions.database_revision(connection) == expected == revisions.code_head()
    finally:
        engine_.dispose()


def test_a_board_of_many_items_shows_the_most_urgent_and_counts_the_rest(
    config_path: Path, migrated_store: Path
) -> None:
    rt = Runtime.open(str(config_path), now="2024-02-05T09:00")
    try:
        for number in range(CARDS_SHOWN + 3):
            engine.create_item(rt, engine.ItemSpec(title=f"Punt {number}", flow="initiatief"))
        rt.clock = FixedClock(parse_moment("2024-02-05T09:00"))
        shaped = board(rt)
        unplaced = shaped["columns"][0]
        assert len(unplaced["cards"]) == CARDS_SHOWN + 3  # --json keeps every card
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(board_view(shaped, rt.config.timezone, 100))
        shown = console.export_text()
        assert f"Nog te agenderen ({CARDS_SHOWN + 3})" in shown
        assert "… en nog 3; alle: routing status --all" in shown
        assert f"Punt {CARDS_SHOWN - 1}" in shown and f"Punt {CARDS_SHOWN}" not in shown
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(board_view(shaped, rt.config.timezone, 100, None))
        assert f"Punt {CARDS_SHOWN + 2}" in console.export_text()
    finally:
        rt.close()


def test_collection_waits_for_the_runtime_and_then_runs(
    config_path: Path, migrated_store: Path
) -> None:
    """main() turns the garbage collector off while the command imports, open_runtime turns it
    on again (what exists then frozen): a daemon or a --watch never runs without it."""
    from routing.cli import common

    try:
        common.defer_collection()
        assert not gc.isenabled()
        common.open_runtime(str(config_path))
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.enable()
        gc.unfreeze()
        common.close_runtimes()


def _output(command: list[str], *, terminal: bool, cwd: Path) -> str:
    """What `routing <command>` writes to a pipe, or to a pseudo-terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROUTING_")}
    if not terminal:
        done = subprocess.run(
            [ROUTING, *command], capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
            check=True,
        )  # fmt: skip
        return done.stdout
    code, shown, error = in_terminal([ROUTING, *command], env, cwd)
    assert code == 0, error
    return shown.replace("\r\n", "\n")


def test_json_is_indented_for_a_person_and_compact_for_a_program(
    config_path: Path, one_item: int
) -> None:
    """Python's C encoder does not indent: a list of thousands of items is written several
    times faster compact, which is what a program reading a pipe gets."""
    command = ["list", "--json", "--config", str(config_path)]
    piped = _output(command, terminal=False, cwd=config_path.parent)
    shown = _output(command, terminal=True, cwd=config_path.parent)
    assert json.loads(piped) == json.loads(shown)
    assert piped.count("\n") == 1 and piped.startswith('[{"id":')
    assert shown.startswith('[\n  {\n    "id": ')
