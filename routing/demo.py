"""`make demo`: the note's route played on a throwaway database, as a secretary would type it.

Every step runs the installed `routing` command and echoes it first, so the demo doubles as a
tutorial. Its files (config, SQLite database) go to `demo-output/` in the working directory,
which is emptied at the start.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

__all__ = ["main"]

OUTPUT = Path("demo-output")


def _routing() -> str:
    found = shutil.which("routing", path=str(Path(sys.executable).parent))
    return found or "routing"


class _Player:
    def __init__(self, config: Path) -> None:
        self.console = Console(highlight=False)
        self.env = {**os.environ, "ROUTING_CONFIG": str(config), "ROUTING_ACTOR": "secretariaat"}
        self.env.pop("ROUTING_DATABASE_URL", None)

    def say(self, text: str) -> None:
        self.console.rule(f"[bold]{text}")

    def run(self, *args: str) -> str:
        self.console.print(f"[cyan]$ routing {shlex.join(args)}[/cyan]")
        result = subprocess.run(
            [_routing(), *args], env=self.env, capture_output=True, text=True, check=False
        )
        sys.stdout.write(result.stdout)
        sys.stderr.write(result.stderr)
        if result.returncode not in (0, 1):
            raise SystemExit(f"demo step failed: routing {shlex.join(args)}")
        return result.stdout.strip()


def main() -> None:
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    OUTPUT.mkdir()
    config = OUTPUT / "routing.toml"
    play = _Player(config)

    play.say("Opzetten: configuratie en database")
    play.run("init")
    play.run("flows")

    play.say("Regel 4: het PFHO W&P agendeert via de wethouder voor de UTA stuurgroep")
    werkcentrum = play.run(
        "new", "Regionaal Werkcentrum Gooi & Vechtstreek", "--flow", "agendapunt-stuurgroep",
        "--topic", "werkcentrum", "--kenmerk", "DOC-24003697", "--owner", "Kevin van Pernis",
        "--voor", "besluitvorming", "--now", "2024-02-05T09:00",
    )  # fmt: skip
    play.run("move", werkcentrum, "agenderen", "--now", "2024-02-05T09:05",
             "--note", "Voorbereiden in het Regieteam")  # fmt: skip
    play.run("move", werkcentrum, "doorzetten", "--now", "2024-02-13T11:00",
             "--note", "Regieteam akkoord; door naar PFHO W&P")  # fmt: skip
    play.run("move", werkcentrum, "meegeven", "--now", "2024-03-07T16:00",
             "--note", "PFHO W&P geeft het standpunt mee aan wethouder Van Hunnik")  # fmt: skip

    play.say("Regel 2: het Regieteam agendeert voor het UTA supportteam")
    talentfonds = play.run(
        "new", "Regionaal Talentfonds", "--flow", "agendapunt-supportteam",
        "--topic", "talentfonds", "--owner", "Annette Keates", "--now", "2024-02-06T10:00",
    )  # fmt: skip
    play.run("move", talentfonds, "agenderen", "--now", "2024-02-06T10:05")

    play.say("Een stap die de regels niet toestaan wordt geweigerd (exit 1), er verandert niets")
    play.run("move", talentfonds, "inbrengen", "--now", "2024-02-13T10:00")
    play.run("edit", talentfonds, "--kenmerk", "DOC-24004120", "--now", "2024-02-13T10:01")
    play.run("move", talentfonds, "inbrengen", "--now", "2024-02-13T10:02")

    play.say("Wat staat waar")
    play.run("list")
    play.run("show", werkcentrum)
    play.console.print(f"\nDe demo-bestanden staan in {OUTPUT.resolve()}")


if __name__ == "__main__":
    main()
