"""`routing status` and `routing list --json` at 10,000 open items against a bare floor (issue 11,
point 4).

The floor is a Python process that imports the same libraries as the command (every module the
command had loaded when it ended, found in this run, but routing's own: routing, flows, store)
and reads the same rows with the standard library's `sqlite3`: for status the items' card
columns and the open deadlines, for list every item's columns, written out as indented JSON as
`list --json` writes them: the ratio is the cost of routing's own code over the bare reads.
Both run as real processes on the same store (bench/data.py, copied), interleaved, the order
alternating; a first run of each is not counted (the calendar sync once, the file cache).
Targets: a median of at most 0.5 s, and at most 1.5 times the floor.
Usage: .venv/bin/python bench/cli_views.py [--tiny] [--items N] [--repetitions N]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import Table, interleaved, options

from data import build_store

TARGET_RATIO = 1.5
TARGET_SECONDS = 0.5
ROUTING = shutil.which("routing", path=str(Path(sys.executable).parent)) or "routing"

# run a command in process and write the modules it loaded, but routing's own, to a file
PROBE = """import atexit, sys
OUT = sys.argv[1]
def _dump():
    names = [n for n in list(sys.modules)
             if n.split(".")[0] not in ("routing", "flows", "store", "__main__")
             and "__editable__" not in n]
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("\\n".join(names))
atexit.register(_dump)
sys.argv = ["routing", *sys.argv[2:]]
from routing.cli.app import main
main()
"""
_IMPORTS = """import importlib
for _name in {modules!r}:
    try:
        importlib.import_module(_name)
    except Exception:
        pass
"""
STATUS_FLOOR = """import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
items = db.execute(
    "SELECT id, title, kenmerk, openbaar, state, flow_version_id FROM item ORDER BY id").fetchall()
deadlines = db.execute(
    "SELECT item_id, kind, body, meeting_at, due_at, status FROM deadline"
    " WHERE status IN ('open', 'escalated') ORDER BY due_at, id").fetchall()
print(len(items), len(deadlines))
"""
LIST_FLOOR = """import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cursor = db.execute("SELECT * FROM item ORDER BY id")
names = [column[0] for column in cursor.description]
rows = [dict(zip(names, row)) for row in cursor]
sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\\n")
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command}: exit {done.returncode}\n{done.stderr.decode()}")
    return elapsed


def libraries(arguments: list[str], env: dict[str, str], folder: Path) -> list[str]:
    """The modules `routing <arguments>` has loaded when it ends, but routing's own."""
    listing = folder / "modules.txt"
    probe = [sys.executable, "-c", PROBE, str(listing), *arguments]
    subprocess.run(probe, capture_output=True, env=env, check=True)
    return listing.read_text(encoding="utf-8").splitlines()


def open_items(database: Path) -> int:
    """How many items the board shows (not in a final state of their flow)."""
    env = dict(os.environ, COLUMNS="120")
    done = subprocess.run(
        [ROUTING, "status", "--json", "--config", str(database.with_name("routing.toml"))],
        capture_output=True, env=env, check=True,
    )  # fmt: skip
    return sum(len(column["cards"]) for column in json.loads(done.stdout)["columns"])


def main() -> None:
    args = options(__doc__.splitlines()[0])
    items = args.items or (200 if args.tiny else 12_000)
    repetitions = args.repetitions or (1 if args.tiny else 9)
    env = {k: v for k, v in os.environ.items() if k not in ("ROUTING_LANG", "ROUTING_CONFIG")}
    env["COLUMNS"] = "120"  # status draws for a terminal this wide
    with tempfile.TemporaryDirectory() as folder:
        config = build_store(Path(folder) / "store", items=items)
        database = config.with_name("routing.db")
        floors = Path(folder)
        status = ["status", "--config", str(config)]
        listing = ["list", "--json", "--config", str(config)]
        timed([ROUTING, *status], env)  # brings the stored calendars in line once
        for name, arguments, floor in (
            ("status", status, STATUS_FLOOR),
            ("list", listing, LIST_FLOOR),
        ):
            modules = libraries(arguments, env, floors)
            imports = _IMPORTS.format(modules=modules)
            (floors / f"{name}_floor.py").write_text(imports + floor, encoding="utf-8")
            tops = sorted({m.split(".")[0] for m in modules} - set(sys.stdlib_module_names))
            used = ", ".join(top for top in tops if not top.startswith("_"))
            print(f"{name}: the floor imports the same {len(modules)} modules; libraries: {used}")
        commands = {
            "status": [ROUTING, *status],
            "status floor": [sys.executable, str(floors / "status_floor.py"), str(database)],
            "list": [ROUTING, *listing],
            "list floor": [sys.executable, str(floors / "list_floor.py"), str(database)],
        }
        for command in commands.values():  # not counted: the file cache
            timed(command, env)
        shown = open_items(database)
        times = interleaved(
            {name: (lambda c=command: timed(c, env)) for name, command in commands.items()},
            repetitions,
        )
    table = Table(f"CLI views at {shown} open items ({items} stored), {repetitions} runs each")
    table.row("routing status", times["status"], times["status floor"], "s", TARGET_RATIO, False)
    table.row("routing list --json", times["list"], times["list floor"], "s", TARGET_RATIO, False)
    table.print()
    for name in ("status", "list"):
        median = statistics.median(times[name])
        verdict = "ok" if median <= TARGET_SECONDS else "NOT MET"
        print(f"{name}: median {median:.3f} s, target <= {TARGET_SECONDS} s: {verdict}")


if __name__ == "__main__":
    main()
