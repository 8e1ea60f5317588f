"""`--help` is Dutch by default and English with `--lang en` or ROUTING_LANG=en: every command's
text, its options, the metavars and click's own words."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from routing import i18n
from routing.cli.app import app
from routing.cli.help import lang_from_args, localize
from tests.conftest import ROUTING, InProcessCli

# words of the English help that a Dutch help must not contain
ENGLISH = (
    "Show this message",
    "Usage:",
    "Options:",
    "Arguments:",
    "Commands:",
    "[required]",
    "default:",
    "Example:",
    " the ",
    " and ",
    " for ",
    "<str>",
    "<int>",
)
DUTCH = ("Toon deze hulptekst", "Gebruik:", "Opties:", "[verplicht]", "Voorbeeld:", " de ")


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and sub-command of the app, as the words a user types."""
    import typer.main

    paths: list[tuple[str, ...]] = [()]
    for name, command in typer.main.get_group(app).commands.items():
        paths.append((name,))
        paths.extend((name, child) for child in getattr(command, "commands", {}))
    return paths


COMMANDS = _command_paths()


@pytest.fixture
def run(tmp_path: Path) -> InProcessCli:
    return InProcessCli(tmp_path / "routing.toml")


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "routing")
def test_every_help_is_dutch_with_an_example(run: InProcessCli, path: tuple[str, ...]) -> None:
    out = run(*path, "--help").stdout
    first = out.split("\n\n")[1].strip()  # the text under the usage line
    for word in ENGLISH:
        assert word not in out, f"routing {' '.join(path)} --help says {word!r}:\n{out}"
    assert "Gebruik: routing" in out and "Voorbeeld: routing" in out, out
    assert "Toon deze hulptekst en stop." in out, out
    assert first and first.split()[0] in _DUTCH_OPENINGS, first


# the first word of every command's help, a Dutch verb or article
_DUTCH_OPENINGS = {
    "Routing",
    "Schrijf",
    "Controleer",
    "Toon",
    "Zet",
    "Wijzig",
    "Het",
    "Plan",
    "Leg",
    "Laat",
    "Stel",
    "De",
    "Eén",
    "Lees",
    "Verplaats",
    "Annuleer",
    "Voeg",
}


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "routing")
def test_every_help_is_english_with_lang_en(run: InProcessCli, path: tuple[str, ...]) -> None:
    out = run("--lang", "en", *path, "--help").stdout
    for word in DUTCH:
        assert word not in out, f"routing --lang en {' '.join(path)} --help says {word!r}:\n{out}"
    assert "Usage: routing" in out and "Example: routing" in out, out
    assert "Show this message and exit." in out and "<str>" not in out, out


@pytest.mark.parametrize("path", [(), ("meeting",)])
def test_a_group_alone_shows_its_help(run: InProcessCli, path: tuple[str, ...]) -> None:
    result = run(*path, check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("Gebruik: routing") and "Opdrachten:" in result.stderr
    assert "routing: " not in result.stderr and "Zie 'routing" not in result.stderr


def test_routing_lang_gives_english_help(run: InProcessCli) -> None:
    out = run("meeting", "close", "--help", env={"ROUTING_LANG": "en"}).stdout
    assert "Record the outcome of every item" in out
    assert "BODY" in out and "DATE" in out and "ID=STEP" in out


def test_metavars_are_words_in_the_language(run: InProcessCli) -> None:
    out = run("move", "--help").stdout
    assert "{ID} {STAP}" in out and "--note TEKST" in out and "--as NAAM" in out
    out = run("meeting", "move", "--help").stdout
    assert "{ORGAAN} {DATUM} {NIEUW-MOMENT}" in out and "--config BESTAND" in out
    out = run("--lang", "en", "meeting", "move", "--help").stdout
    assert "{BODY} {DATE} {NEW-MOMENT}" in out and "--config FILE" in out


def test_a_missing_argument_is_named_in_the_language(run: InProcessCli) -> None:
    result = run("new", check=False)
    assert result.returncode == 2
    assert "'TITEL' ontbreekt" in result.stderr
    result = run("--lang", "en", "new", check=False)
    assert "'TITLE'" in result.stderr


def test_an_unknown_lang_is_refused_and_the_help_stays_dutch(run: InProcessCli) -> None:
    assert lang_from_args(["--lang", "fr", "--help"]) is None
    result = run("--lang", "fr", "--help", check=False)
    assert "Gebruik: routing" in result.stdout  # --help comes first, in the default language


def test_lang_is_read_only_among_the_root_options() -> None:
    assert lang_from_args(["--lang", "en", "new", "--help"]) == "en"
    assert lang_from_args(["--debug", "--lang=en", "status"]) == "en"
    assert lang_from_args(["new", "--lang", "en"]) is None
    assert lang_from_args(["new", "x", "--note", "--lang"]) is None
    assert lang_from_args([]) is None


def test_every_help_key_exists_in_both_languages() -> None:
    for lang in i18n.LANGUAGES:
        i18n.set_language(lang)
        localize(app)  # raises on a command without a help text in the catalogue


def _real(*args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, "COLUMNS": "100", **(env or {})}
    full_env.pop("ROUTING_LANG", None)
    full_env.update(env or {})
    result = subprocess.run(
        [ROUTING, *args], capture_output=True, text=True, env=full_env, timeout=60, check=True
    )
    return result.stdout


def test_the_installed_command_helps_in_dutch_and_in_english() -> None:
    dutch = _real("new", "--help")
    assert "Zet een agendapunt of initiatief in het systeem" in dutch and "TITEL" in dutch
    assert "Show this message" not in dutch and "<str>" not in dutch
    assert "Register an agenda point" in _real("--lang", "en", "new", "--help")
    assert "Options:" in _real("--help", env={"ROUTING_LANG": "en"})
    assert "Opdrachten:" in _real("--help")


def test_the_language_of_routing_toml_reaches_the_help(
    config_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from routing.cli.app import main

    config_path.write_text(
        config_path.read_text(encoding="utf-8").replace('language = "nl"', 'language = "en"'),
        encoding="utf-8",
    )
    monkeypatch.setattr(sys, "argv", ["routing", "new", "--help", "--config", str(config_path)])
    main()  # --help: the help, and back (main() does not exit on success)
    assert "Register an agenda point" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["routing", "--lang", "nl", "new", "--help"])
    main()
    assert "Zet een agendapunt" in capsys.readouterr().out
