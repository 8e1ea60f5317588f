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
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROUTING, Table, interleaved, options, process_seconds
from bench.data import NOW, build_store

TARGET_RATIO = 1.5
TARGET_SECONDS = 0.5

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
# A module the command had loaded imports here too; one that cannot be imported on its own (a
# private helper of a package) is named on stderr, and the bench refuses a floor that lost more
# than a few, so a broken floor cannot pass as a fast one.
_IMPORTS = """import importlib, sys
_failed = []
for _name in {modules!r}:
    try:
        importlib.import_module(_name)
    except Exception as error:
        _failed.append(f"{{_name}}: {{error!r}}")
if len(_failed) > 5:
    sys.exit("floor: these imports failed: " + "; ".join(_failed))
"""
# the floor's reads; OPEN is the SQL that leaves out the items in a final state of their flow
STATUS_FLOOR = """import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
items = db.execute(
    "SELECT id, title, kenmerk, openbaar, state, flow_version_id FROM item"
    " WHERE {open} ORDER BY id").fetchall()
deadlines = db.execute(
    "SELECT item_id, kind, body, meeting_at, due_at, status FROM deadline"
    " WHERE status IN ('open', 'escalated') ORDER BY due_at, id").fetchall()
print(len(items), len(deadlines))
"""
LIST_FLOOR = """import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cursor = db.execute("SELECT * FROM item WHERE {open} ORDER BY id")
names = [column[0] for column in cursor.description]
rows = [dict(zip(names, row)) for row in cursor]
sys.stdout.write(json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\\n")
"""


def open_filter(config: Path, env: dict[str, str]) -> str:
    """SQL for "not in a final state" (`routing flows --json`: every flow's final states)."""
    done = subprocess.run(
        [ROUTING, "flows", "--json", "--config", str(config)],
        capture_output=True, env=env, check=True,
    )  # fmt: skip
    finals = sorted({s["name"] for f in json.loads(done.stdout) for s in f["states"] if s["final"]})
    return "state NOT IN (" + ", ".join(f"'{name}'" for name in finals) + ")"


def libraries(arguments: list[str], env: dict[str, str], folder: Path) -> list[str]:
    """The modules `routing <arguments>` has loaded when it ends, but routing's own."""
    listing = folder / "modules.txt"
    probe = [sys.executable, "-c", PROBE, str(listing), *arguments]
    subprocess.run(probe, capture_output=True, env=env, check=True)
    return listing.read_text(encoding="utf-8").splitlines()


def main() -> None:
    # about 41 % of a generated store is open (docs/performance.md): 24,400 items, 10,000 open
    args = options(__doc__.splitlines()[0], items=24_400, tiny_items=200, repetitions=9)
    env = {k: v for k, v in os.environ.items() if k not in ("ROUTING_LANG", "ROUTING_CONFIG")}
    env["COLUMNS"] = "120"  # status draws for a terminal this wide
    with tempfile.TemporaryDirectory() as folder:
        config = build_store(Path(folder) / "store", items=args.items)
        database = config.with_name("routing.db")
        floors = Path(folder)
        status = ["status", "--now", f"{NOW:%Y-%m-%dT%H:%M}", "--config", str(config)]
        listing = ["list", "--json", "--open", "--config", str(config)]
        process_seconds([ROUTING, *status], env)  # not counted: the calendar sync of the day, once
        where = open_filter(config, env)
        for name, arguments, floor in (
            ("status", status, STATUS_FLOOR),
            ("list", listing, LIST_FLOOR),
        ):
            modules = libraries(arguments, env, floors)
            script = _IMPORTS.format(modules=modules) + floor.replace("{open}", where)
            (floors / f"{name}_floor.py").write_text(script, encoding="utf-8")
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
            process_seconds(command, env)
        listed = subprocess.run([ROUTING, *listing], capture_output=True, env=env, check=True)
        shown = len(json.loads(listed.stdout))
        times = interleaved(
            {
                name: (lambda c=command: process_seconds(c, env))
                for name, command in commands.items()
            },
            args.repetitions,
        )
    table = Table(
        f"CLI views at {shown} open items ({args.items} stored), {args.repetitions} runs each"
    )
    for figure, name in (("routing status", "status"), ("routing list --json --open", "list")):
        table.row(figure, times[name], times[f"{name} floor"], "s", TARGET_RATIO,
                  target_max=TARGET_SECONDS)  # fmt: skip
    table.note("floor: the same modules imported, the same rows read through sqlite3 (list: "
               "written as the same compact JSON routing writes to a pipe)")  # fmt: skip
    table.print()


if __name__ == "__main__":
    main()
