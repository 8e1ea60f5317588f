"""The database URL is checked when routing.toml is read: a bad one is one clear line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing import i18n
from routing.config import database
from routing.config.file import parse_config
from routing.errors import ConfigError
from tests.conftest import Cli, InProcessCli, starter_text

EXAMPLES = (
    "bijvoorbeeld postgresql+psycopg://routing@localhost/routing of "
    "sqlite:////var/lib/routing/routing.db"
)


def with_url(url: str) -> str:
    text = starter_text()
    assert text.count('url = ""') == 1
    return text.replace('url = ""', f'url = "{url}"')


def url_line() -> int:
    return next(n for n, row in enumerate(starter_text().splitlines(), 1) if row == 'url = ""')


def problems(text: str, folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, folder / "routing.toml")
    return caught.value.problems


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("foo", "'foo' is geen database-URL (regel {line}); schrijf " + EXAMPLES),
        ("sqlite:/x", "'sqlite:/x' is geen database-URL (regel {line}); schrijf " + EXAMPLES),
        (
            "postgres://",
            "'postgres://': 'postgres' wordt niet ondersteund (regel {line}); gebruik PostgreSQL "
            "of SQLite, " + EXAMPLES,
        ),
        (
            "mysql://routing@localhost/routing",
            "'mysql://routing@localhost/routing': 'mysql' wordt niet ondersteund (regel {line}); "
            "gebruik PostgreSQL of SQLite, " + EXAMPLES,
        ),
        (
            "postgresql+psycopg2://routing@localhost/routing",
            "'postgresql+psycopg2://routing@localhost/routing': 'postgresql+psycopg2' wordt niet "
            "ondersteund (regel {line}); gebruik PostgreSQL of SQLite, " + EXAMPLES,
        ),
        (
            "sqlite:////nergens/te/vinden/routing.db",
            "de map /nergens/te/vinden voor de SQLite-database bestaat niet (regel {line}); "
            "maak haar aan of kies een bestaande, bijvoorbeeld sqlite:////var/lib/routing/routing.db",
        ),
    ],
)
def test_a_bad_url_in_the_file_is_one_problem_naming_the_key(
    tmp_path: Path, url: str, problem: str
) -> None:
    assert problems(with_url(url), tmp_path) == ["database.url: " + problem.format(line=url_line())]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite+pysqlite:///{tmp}/routing.db",
        "sqlite:///{tmp}/routing.db",
        "postgresql://routing@localhost/routing",
        "postgresql+psycopg://routing@db.example:5433/routing",
    ],
)
def test_good_urls_are_taken_as_they_are(tmp_path: Path, url: str) -> None:
    url = url.format(tmp=tmp_path)
    assert parse_config(with_url(url), tmp_path / "routing.toml").database_url == url


def test_a_relative_sqlite_path_is_taken_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = with_url("sqlite:///data/routing.db")
    assert problems(text, tmp_path)[0].startswith("database.url: de map data voor de SQLite")
    (tmp_path / "data").mkdir()
    assert parse_config(text, tmp_path / "routing.toml").database_url == "sqlite:///data/routing.db"


def test_the_environment_variable_is_checked_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_DATABASE_URL", "postgres://routing@localhost/routing")
    assert problems(starter_text(), tmp_path) == [
        "ROUTING_DATABASE_URL (omgevingsvariabele): 'postgres://routing@localhost/routing': "
        "'postgres' wordt niet ondersteund; gebruik PostgreSQL of SQLite, " + EXAMPLES
    ]
    # the environment wins: a bad URL in the file is not in force, so not a problem
    monkeypatch.setenv("ROUTING_DATABASE_URL", f"sqlite:///{tmp_path}/elders.db")
    config = parse_config(with_url("foo"), tmp_path / "routing.toml")
    assert config.database_url == f"sqlite:///{tmp_path}/elders.db"
    i18n.set_language("en")
    monkeypatch.setenv("ROUTING_DATABASE_URL", "sqlite:/x")
    assert problems(starter_text(), tmp_path) == [
        "ROUTING_DATABASE_URL (environment variable): 'sqlite:/x' is not a database URL; write "
        "e.g. postgresql+psycopg://routing@localhost/routing or sqlite:////var/lib/routing/routing.db"
    ]


def test_a_password_belongs_in_the_environment_not_in_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql+psycopg://routing:Geheim-7Xq@db.example:5433/routing"
    assert problems(with_url(url), tmp_path) == [
        f"database.url: de URL postgresql+psycopg://routing:***@db.example:5433/routing bevat een "
        f"wachtwoord (regel {url_line()}); wachtwoorden horen niet in routing.toml: zet de URL in "
        f"de omgevingsvariabele ROUTING_DATABASE_URL (of het wachtwoord in ~/.pgpass)"
    ]
    # the same URL from the environment is how it should be given
    monkeypatch.setenv("ROUTING_DATABASE_URL", url)
    assert parse_config(starter_text(), tmp_path / "routing.toml").database_url == url


def test_a_password_is_never_shown(tmp_path: Path) -> None:
    for url in ("mysql://routing:geheim@localhost/routing", "postgresql//routing:geheim@host/db"):
        (found,) = problems(with_url(url), tmp_path)
        assert "geheim" not in found
        assert "routing:***@" in found


def test_postgresql_without_psycopg_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "_has_psycopg", lambda: False)
    assert problems(with_url("postgresql+psycopg://routing@localhost/routing"), tmp_path) == [
        f"database.url: voor PostgreSQL is het pakket psycopg nodig (regel {url_line()}); "
        "installeer het met pip install 'routing[postgres]'"
    ]


def test_check_with_a_bad_url_is_exit_2_with_one_line(config_path: Path) -> None:
    config_path.write_text(with_url("postgres://"), encoding="utf-8")
    result = InProcessCli(config_path)("check", check=False)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"routing: {config_path}: 1 probleem: database.url:")
    assert "Traceback" not in result.stderr


def test_the_installed_command_with_a_bad_url_is_exit_2_with_one_line(
    config_path: Path,
) -> None:
    result = Cli(config_path)("check", check=False, env={"ROUTING_DATABASE_URL": "foo"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"routing: {config_path}: 1 probleem: ROUTING_DATABASE_URL "
        "(omgevingsvariabele): 'foo' is geen database-URL; schrijf " + EXAMPLES
    ]
    assert result.stdout == ""


def test_several_problems_come_out_one_on_each_line(config_path: Path) -> None:
    text = with_url("foo").replace("sweep_every_minutes = 5", "sweep_every_minutes = 0")
    config_path.write_text(text, encoding="utf-8")
    result = Cli(config_path)("check", check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"routing: {config_path}: 2 problemen:"
    assert lines[1].startswith("  daemon.sweep_every_minutes: moet een geheel getal > 0 zijn")
    assert lines[2].startswith("  database.url: 'foo' is geen database-URL (regel ")
    assert "Traceback" not in result.stderr


def with_synchronous(value: str) -> str:
    return with_url("").replace('url = ""', f'url = ""\nsynchronous = "{value}"')


def test_synchronous_is_normal_unless_full_is_asked(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    assert parse_config(starter_text(), path).database_synchronous == "normal"
    assert parse_config(with_synchronous("full"), path).database_synchronous == "full"
    assert parse_config(with_synchronous("Normal"), path).database_synchronous == "normal"


def test_an_unknown_synchronous_is_one_problem_naming_the_choices(tmp_path: Path) -> None:
    assert problems(with_synchronous("extra"), tmp_path) == [
        f"database.synchronous: 'extra' is onbekend; kies normal (standaard) of full "
        f"(regel {url_line() + 1})"
    ]


@pytest.mark.parametrize(("value", "pragma"), [("normal", 1), ("full", 2)])
def test_the_sqlite_connections_run_with_the_synchronous_asked_for(
    config_path: Path, migrated_store: Path, value: str, pragma: int
) -> None:
    from sqlalchemy import text

    from routing.runtime import Runtime

    config_path.write_text(with_synchronous(value), encoding="utf-8")
    rt = Runtime.open(str(config_path))
    try:
        with rt.session(read=True) as db:
            assert db.execute(text("PRAGMA synchronous")).scalar_one() == pragma
            assert db.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        rt.close()
