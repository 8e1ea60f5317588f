"""`routing --help` against a minimal typer app with the same commands (issue 11, point 4).

The floor is generated from routing's own command tree, in this run: the same command and group
names, the same options (names, flags, defaults, metavars) and the same help texts (in Dutch, as
routing shows them), registered on a typer app with the same settings, and no work at all: no
catalogue, no imports of routing. Both run as real processes (`python -c` of the generated file
and the `routing` entry point), interleaved, the order alternating. Target: ratio <= 1.2.
Usage: .venv/bin/python bench/cli_help.py [--tiny] [--repetitions N]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import typer.main
from typer.core import TyperArgument

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROUTING, Table, interleaved, options, process_seconds

from routing.cli.app import app, prepare

TARGET = 1.2


def _annotation(param: Any) -> str:
    annotation = param.type_descriptor.annotation
    kind = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    if getattr(param, "is_flag", False):
        return "bool"
    if param.multiple and not kind.startswith("list"):
        kind = f"list[{kind}]"
    return kind if param.required else f"{kind} | None"


def _parameter(param: Any) -> str:
    """One parameter of a generated command, as typer declares it."""
    extra = f"help={param.help!r}" if getattr(param, "help", None) else ""
    if param.metavar:
        extra += f", metavar={param.metavar!r}"
    if getattr(param, "min", None) is not None:
        extra += f", min={param.min!r}"
    if isinstance(param, TyperArgument):
        declared = f"typer.Argument({extra.lstrip(', ')})"
    else:
        names = ", ".join(repr(o) for o in [*param.opts, *param.secondary_opts])
        declared = f"typer.Option({names}, {extra})"
    default = "" if param.required else f" = {param.default!r}"
    if getattr(param, "is_flag", False) and not param.required:
        default = f" = {bool(param.default)!r}"
    return f"    {param.name}: Annotated[{_annotation(param)}, {declared}]{default},\n"


def _function(name: str, command: Any) -> str:
    params = "".join(_parameter(p) for p in command.params if p.name != "help")
    return f"def {name}(\n{params}) -> None:\n    pass\n\n\n"


def _group(variable: str, group: Any, out: list[str]) -> None:
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of its own
            sub = f"{variable}_{name.replace('-', '_')}"
            out.append(f"{sub} = typer.Typer(help={command.help!r}, no_args_is_help=True)\n")
            _group(sub, command, out)
            out.append(f"{variable}.add_typer({sub}, name={name!r})\n\n")
            continue
        function = f"{variable}_{name.replace('-', '_')}"
        out.append(_function(function, command))
        out.append(f"{variable}.command({name!r}, help={command.help!r})({function})\n\n")


def minimal_app() -> str:
    """The source of a typer app with routing's commands, options and Dutch help texts."""
    os.environ.pop("ROUTING_LANG", None)
    prepare(["--help"])
    root = typer.main.get_command(app)
    out = [
        "from typing import Annotated\n\nimport typer\n\n",
        "app = typer.Typer(name='routing', no_args_is_help=True, pretty_exceptions_enable=False,"
        f" add_completion=False, rich_markup_mode=None, help={root.help!r})\n\n",
        f"@app.callback()\n{_function('root', root)}",
    ]
    _group("app", root, out)
    out.append("app(prog_name='routing')\n")
    return "".join(out)


def main() -> None:
    args = options(__doc__.splitlines()[0], repetitions=21)
    repetitions = args.repetitions
    env = {k: v for k, v in os.environ.items() if k != "ROUTING_LANG"}
    env["COLUMNS"] = "100"
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "minimal.py"
        script.write_text(minimal_app(), encoding="utf-8")
        # run where no routing.toml is found: both print the help and nothing else
        ours = [ROUTING, "--help"]
        floor = [sys.executable, str(script), "--help"]
        routing_help = subprocess.run(ours, capture_output=True, env=env, cwd=folder, check=True)
        floor_help = subprocess.run(floor, capture_output=True, env=env, cwd=folder, check=True)
        ours_lines = routing_help.stdout.decode().splitlines()
        floor_lines = floor_help.stdout.decode().splitlines()
        differ = sum(a != b for a, b in zip(ours_lines, floor_lines, strict=False))
        print(f"help texts: {len(ours_lines)} lines vs {len(floor_lines)}, {differ} differ "
              "(click's own words, which routing says in Dutch)")  # fmt: skip
        for command in (ours, floor):  # warm the file cache
            process_seconds(command, env)
        os.chdir(folder)
        times = interleaved(
            {
                "routing": lambda: process_seconds(ours, env),
                "floor": lambda: process_seconds(floor, env),
            },
            repetitions,
        )
    table = Table(f"routing --help vs a minimal typer app, {repetitions} runs each")
    table.row("routing --help", times["routing"], times["floor"], "s", TARGET, False)
    table.print()


if __name__ == "__main__":
    main()
