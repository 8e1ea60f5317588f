"""Generated bad input on every command of the CLI: no exit 3, no traceback, no change.

The commands are found by walking the command tree of `routing.cli.app`, so a new command or
option is fuzzed without touching this file. Each parameter gets values of its kind (an id, a
body, a moment, a path, ...) mixed with hostile ones: huge and negative numbers, unicode,
control characters, empty strings, unknown names, malformed dates, paths that do not exist.
Every run starts from the same store (a copy restored before each example); after a run that
exits 1 or 2 the store's dump must be what it was.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st

from routing.cli.app import app, prepare
from tests.conftest import InProcessCli, starter_text
from tests.fuzzing import Store, bounded, dump, fuzz_settings, judge, tally

# --- the command tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    name: str
    opts: tuple[str, ...]  # () for an argument
    required: bool
    multiple: bool
    flag: bool


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    params: tuple[Param, ...]

    def __str__(self) -> str:
        return " ".join(self.path)


def _commands() -> list[Command]:
    prepare([])
    root: Any = typer.main.get_command(app)
    found: list[Command] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        params = tuple(
            Param(
                p.name,
                tuple(o for o in p.opts if o.startswith("-")),
                bool(p.required),
                bool(p.multiple),
                bool(getattr(p, "is_flag", False)),
            )
            for p in command.params
        )
        subcommands = getattr(command, "commands", None)
        if path and params:  # a group with options of its own (`meetings`) is a command too
            found.append(Command(path, params))
        for name, sub in (subcommands or {}).items():
            walk(sub, (*path, name))

    walk(root, ())
    return found


COMMANDS = _commands()
# Runs until stopped: a view refreshed forever, a scheduler in the foreground.
NEVER = {"watch", "every"}
ONE_OF = {("daemon",): ("--once", "--status")}

# --- values ------------------------------------------------------------------------------------

BODIES = ["regieteam", "pfho-wp", "wethouder-hilversum", "uta-supportteam", "uta-stuurgroep"]
FLOWS = ["agendapunt-stuurgroep", "agendapunt-supportteam", "initiatief"]
TRIGGERS = ["agenderen", "inbrengen", "doorzetten", "aanhouden", "intrekken", "besproken"]
STATES = ["concept", "regieteam", "pfho-wp", "afgerond", "ingetrokken"]

# argv cannot carry NUL (execve refuses it), and a lone surrogate is not text
_CHARS = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
HOSTILE_VALUES = [
    "", " ", "\t", "\n", "\x1b[2J", "\x1b]0;titel\x07", "\x07", "\x7f", "\u202eevil",
    "[bold red]x[/bold red]", "[link=file:///etc/passwd]x[/link]", "é", "🙂", "ß" * 3,
    "a" * 5000, "-", "--", "%s", "{0}", "{id}", "'; DROP TABLE item; --", "..",
    "999999999999999999999999", "-1", "0", "NaN", "inf", "1e400", "no-such-thing",
]  # fmt: skip
HOSTILE = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(_CHARS, max_size=30))
# each kind: values that get past the parsing (the rules may still refuse them), and bad ones
IDS = st.sampled_from(["1", "2", "3"])
BAD_IDS = st.one_of(
    st.sampled_from(["4", "999999999999999999999999", str(2**63), str(-(2**63) - 1), "-1", "0",
                     "1.5", "١", " 7", "0x10", "1_000"]),
    st.integers().map(str),
)  # fmt: skip
MOMENTS = st.sampled_from(
    ["2024-02-13", "2024-03-14T14:00", "2024-01-09", "2024-06-20T15:00", "2025-01-14",
     "2024-03-01T10:00Z", "2024-03-01T10:00+14:00", "20240301"]
)  # fmt: skip
BAD_MOMENTS = st.one_of(
    st.sampled_from(["2024-02-30", "2024-13-01", "0001-01-01", "9999-12-31T23:59", "99999-01-01",
                     "2024-01-01T25:00", "2024-03-01T10:00+99:00", "morgen", "", "-2024-01-01",
                     "2024-W09", "2024-060", "1899-12-31", "3000-01-01"]),
    st.datetimes().map(lambda d: d.isoformat()),
    st.dates().map(str),
)  # fmt: skip
PAIRS = st.sampled_from(["1=doorzetten", "1=aanhouden", "2=ja", "3=nee", "1=agenderen"])
BAD_PAIRS = st.one_of(
    st.sampled_from(["1=", "=x", "x", "1=misschien", "999999999999999999999999=doorzetten",
                     "-1=ja", "1=no-such-trigger"]),
    st.tuples(BAD_IDS, HOSTILE).map("=".join),
)  # fmt: skip


def _path(tmp: Path) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [
            str(tmp / "uit.md"), str(tmp / "kaart.svg"), str(tmp / "kaart.mmd"),
            str(tmp / "kaart.png"), str(tmp / "kal.ics"), str(tmp / "nergens" / "x.svg"),
            str(tmp / "nergens" / "x.ics"), str(tmp), str(tmp / "leeg.ics"),
            str(tmp / "rommel.bin"), str(tmp / "x.onbekend"), str(tmp / "map.svg"), "",
        ]
    )  # fmt: skip


def _values(name: str, tmp: Path) -> st.SearchStrategy[str]:
    """Values of the kind a parameter takes (three in four) and bad ones (one in four): bad of
    its kind, or hostile of any kind."""
    names = {
        "item_id": (IDS, BAD_IDS), "if_version": (IDS, BAD_IDS),
        "body": (st.sampled_from(BODIES), HOSTILE), "van": (st.sampled_from(BODIES), HOSTILE),
        "target": (st.sampled_from(BODIES), HOSTILE), "flow": (st.sampled_from(FLOWS), HOSTILE),
        "name": (st.sampled_from(FLOWS), HOSTILE), "trigger": (st.sampled_from(TRIGGERS), HOSTILE),
        "state": (st.sampled_from(STATES), HOSTILE), "outcome": (PAIRS, BAD_PAIRS),
        "inform_ei": (PAIRS, BAD_PAIRS),
        "fmt": (st.sampled_from(["md", "html", "json"]), st.sampled_from(["pdf", "txt"])),
        "status": (st.sampled_from(["wachtend", "verzonden", "mislukt"]),
                   st.sampled_from(["sent", "pending"])),
        "lang": (st.sampled_from(["nl", "en"]), st.sampled_from(["de", "NL"])),
        "voor": (st.sampled_from(["bespreking", "besluitvorming", "informatie"]), HOSTILE),
        "owner": (st.sampled_from(["Anna de Vries", "a@b.example"]),
                  st.sampled_from(["Onbekend Persoon", "@", "a@"])),
        "actor": (st.sampled_from(["secretaris", "Anna de Vries"]), HOSTILE),
    }  # fmt: skip
    if name in {"date", "new", "when", "now", "meeting", "date_from", "date_to", "datum"}:
        good, bad = MOMENTS, BAD_MOMENTS
    elif name == "target_meeting":
        good, bad = st.one_of(MOMENTS, st.sampled_from(["geen", "none"])), BAD_MOMENTS
    elif name in {"diagram", "ics", "output", "file", "config"}:
        good, bad = _path(tmp), HOSTILE
    else:
        good, bad = names.get(name, (st.text(_CHARS, min_size=1, max_size=20), HOSTILE))
    return st.integers(0, 3).flatmap(lambda n: good if n else st.one_of(bad, HOSTILE))


@st.composite
def _invocation(draw: st.DrawFn, command: Command, tmp: Path) -> list[str]:
    options: list[str] = []
    arguments: list[str] = []
    forced = ONE_OF.get(command.path)
    if forced:
        options.append(draw(st.sampled_from(forced)))
    for param in command.params:
        if param.name in NEVER or (forced and any(o in forced for o in param.opts)):
            continue
        if not param.opts:  # an argument: almost always given
            if param.required and draw(st.integers(0, 19)) == 0:
                continue
            arguments.append(draw(_values(param.name, tmp)))
            continue
        if param.name == "config":
            if draw(st.integers(0, 9)) == 0:
                options += [param.opts[0], draw(_values("config", tmp))]
            continue
        if not param.required and draw(st.integers(0, 2)) > 0:  # an option in three is given
            continue
        if param.flag:
            options.append(param.opts[0])
            continue
        for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
            options += [draw(st.sampled_from(param.opts)), draw(_values(param.name, tmp))]
    extra = draw(st.sampled_from([[]] * 8 + [["--bogus"], ["overbodig"]]))
    root = draw(st.sampled_from([[]] * 8 + [["--lang", "en"], ["--lang", "xx"]]))
    separator = ["--"] if arguments and draw(st.booleans()) else []
    return [*root, *command.path, *options, *extra, *separator, *arguments]


# --- the store every example starts from -------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Store:
    """Items in several states of three flows: built once, restored before every example."""
    folder = tmp_path_factory.mktemp("fuzz-cli")
    config = folder / "routing.toml"
    config.write_text(starter_text(), encoding="utf-8")
    shutil.copyfile(sqlite_template, folder / "routing.db")
    cli = InProcessCli(config)
    for args in (
        ("init", "--now", "2024-01-01T00:00"),
        ("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", "--kenmerk", "DOC-1"),
        ("new", "Talentfonds", "--flow", "initiatief", "--topic", "llo"),
        ("new", "Supportpunt", "--flow", "agendapunt-supportteam", "--kenmerk", "DOC-3"),
        ("move", "1", "agenderen", "--now", "2024-01-02T10:00"),
        ("move", "3", "agenderen", "--now", "2024-01-02T10:00"),
        # a sweep when the calendars of routing.toml run out: messages of every kind queued
        ("daemon", "--once", "--now", "2026-11-20T08:00"),
        ("check",),  # the meetings synced for today, as a command without --now would
    ):
        cli(*args)
    scratch = folder / "scratch"
    _fresh(scratch)
    return Store.of(cli, config, scratch)


def _fresh(scratch: Path) -> None:
    """The scratch folder as every example finds it: an empty file, binary junk, a folder
    named like a drawing, and nothing an earlier example wrote (or overwrote)."""
    scratch.mkdir(exist_ok=True)  # kept itself: it is the working directory
    for made in scratch.iterdir():
        shutil.rmtree(made) if made.is_dir() and not made.is_symlink() else made.unlink()
    (scratch / "leeg.ics").write_bytes(b"")
    (scratch / "rommel.bin").write_bytes(bytes(range(256)) * 4)
    (scratch / "map.svg").mkdir()


@pytest.fixture
def store(prepared: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The scratch folder is the working directory: a relative path among the generated values
    lands there."""
    _fresh(prepared.tmp)
    monkeypatch.chdir(prepared.tmp)
    prepared.restore()
    return prepared


def _synced(store: Store, args: list[str]) -> str:
    """The store's dump once routing.toml's meetings are synced for the `--now` among `args`.

    A command that reads the calendars first brings the stored meetings in line with
    routing.toml for its moment (`engine/meeting_sync.py`), in a transaction of its own, before
    it looks at the input; that is not the input's doing, so it is done here beforehand."""
    store.restore()
    _fresh(store.tmp)
    moments = [args[n + 1] for n, arg in enumerate(args[:-1]) if arg == "--now"]
    if moments:
        store.cli("meetings", "--now", moments[-1], "--from", "2999-01-01", check=False)
    return dump(store.database)


@pytest.mark.parametrize("command", COMMANDS, ids=str)
def test_no_command_fails_on_bad_input(store: Store, command: Command) -> None:
    @fuzz_settings(25)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        args = data.draw(_invocation(command, store.tmp), label="args")
        before = _synced(store, args)
        with bounded(20):
            result = store.cli(*args, check=False)
        counted(result.returncode)
        judge(result.returncode, result.stdout, result.stderr, args=args)
        if result.returncode in (1, 2):
            assert dump(store.database) == before, f"{args} exited {result.returncode}: changed"

    with tally(f"cli {command}") as counted:
        run()


def test_the_walk_finds_every_command() -> None:
    """A command missing here would go unfuzzed; the tree has these at least."""
    found = {str(c) for c in COMMANDS}
    assert {"new", "move", "list", "show", "meeting close", "meetings", "meetings import"} <= found


# --- the cases issue 10 names, and what the fuzzing found, as plain examples -------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        # a step the flow does not know is a typing error, not a refusal by the rules
        (("move", "1", "no-such-trigger"), "kent. Stappen van deze flow: aanhouden, agenderen"),
        (("show", "999999999999999999999999"), "bestaat niet"),
        (("move", "999999999999999999999999", "agenderen"), "bestaat niet"),
        (
            ("list", "--state", "no-such-state"),
            "Bekende statussen: aangevraagd, afgerond, akkoord, concept",
        ),
        (("list", "--body", "nobody"), "Bekende organen: regieteam"),
        (("status", "--body", "nobody"), "Bekende organen: regieteam"),
        (("meeting", "move", "regieteam", "2024-02-13", "0001-01-01"), "tussen 1900 en 2999"),
        (("meetings", "--ics", "."), "is een map"),
        (("agenda", "regieteam", "--output", "."), "is een map"),
        (("flows", "initiatief", "--diagram", "map.svg"), "'map.svg' is een map"),
        (("check", "--config", "."), "kan niet gelezen worden"),
        (("check", "--config", "rommel.bin"), "geen UTF-8-tekst"),
    ],
)
def test_bad_input_named_by_issue_10_is_exit_2(
    store: Store, args: tuple[str, ...], words: str
) -> None:
    before = dump(store.database)
    result = store.cli(*args, check=False)
    assert result.returncode == 2, result.stderr
    assert words in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert dump(store.database) == before


def test_a_known_step_not_possible_now_stays_a_refusal(store: Store) -> None:
    result = store.cli("move", "1", "besproken", check=False)
    assert result.returncode == 1
    assert "'besproken' kan alleen vanuit 'uta-stuurgroep'" in result.stderr


def test_a_topic_nobody_uses_is_a_typing_error(store: Store) -> None:
    """Topics are free labels, but filtering on one that no item carries and [ei] does not name
    is a typing error (issue 12): exit 2, naming the known ones; one of [ei] is no match."""
    result = store.cli("status", "--topic", "nog-geen-onderwerp", "--json", check=False)
    assert result.returncode == 2 and "Bekende onderwerpen:" in result.stderr
    assert store.cli("status", "--topic", "llo", "--json", check=False).returncode == 0


def test_the_outbox_lists_every_kind_of_message(store: Store) -> None:
    listed = store.cli("outbox").stdout
    assert "kalender loopt af" in listed
