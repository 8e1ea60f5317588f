"""routing.toml: found in the documented order, validated whole, with problems named."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing import i18n
from routing.config.file import load_config, parse_config
from routing.errors import ConfigError
from tests.conftest import starter_text


def test_shipped_config_is_valid_and_has_every_body_of_the_note(config_path: Path) -> None:
    config = load_config(config_path)
    assert list(config.bodies) == [
        "regieteam",
        "pfho-wp",
        "wethouder-hilversum",
        "uta-supportteam",
        "uta-stuurgroep",
        "ei-ambtelijk",
        "pfho-ei",
        "pfho-ew",
    ]
    assert config.bodies["wethouder-hilversum"].kind == "persoon"
    assert config.bodies["wethouder-hilversum"].handover_to == "uta-stuurgroep"
    assert config.timezone.key == "Europe/Amsterdam"
    assert "llo" in config.ei_topics


def test_default_database_is_a_sqlite_file_next_to_the_config(config_path: Path) -> None:
    config = load_config(config_path)
    assert config.database_url == f"sqlite:///{config_path.parent.resolve() / 'routing.db'}"


def test_environment_overrides_the_database_url(
    config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTING_DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert load_config(config_path).database_url == "sqlite:////tmp/elsewhere.db"


def test_lookup_order_is_flag_then_environment_then_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("flag", "env", "cwd"):
        (tmp_path / name).mkdir()
        text = starter_text().replace('name = "Gooi en Vechtstreek"', f'name = "{name}"')
        (tmp_path / name / "routing.toml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "cwd")
    assert load_config().region == "cwd"
    monkeypatch.setenv("ROUTING_CONFIG", str(tmp_path / "env" / "routing.toml"))
    assert load_config().region == "env"
    assert load_config(tmp_path / "flag" / "routing.toml").region == "flag"


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="routing init"):
        load_config(tmp_path / "nowhere.toml")


def test_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 2"):
        parse_config('language = "nl"\n[region\n', tmp_path / "routing.toml")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = starter_text()
    text = text.replace('language = "nl" ', 'language = "fr" ')
    text = text.replace('timezone = "Europe/Amsterdam"', 'timezone = "Europe/Hilversum"')
    text = text.replace(
        'kind = "ambtelijk"\nemail = ["regieteam', 'kind = "ambtenaar"\nemail = ["regieteam'
    )
    text = text.replace('handover_to = "uta-stuurgroep"', 'handover_to = "uta-stuurgroup"')
    text = text.replace('email = ["pfho.ei@regiogv.example"]', 'email = ["pfho.ei-at-regiogv"]')
    text += '\n[bodies.extra]\nname = "Extra"\nkind = "ambtelijk"\ncolour = "red"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text, tmp_path / "routing.toml")
    message = str(caught.value)
    problems = caught.value.problems
    assert len(problems) == 6, problems
    assert "language: 'fr' wordt niet ondersteund; kies uit nl, en" in message
    assert "onbekende tijdzone 'Europe/Hilversum'" in message
    assert (
        "bodies.regieteam.kind: 'ambtenaar' is geen geldige soort; kies uit ambtelijk, "
        "bestuurlijk, persoon" in message
    )
    assert "handover_to: onbekend orgaan 'uta-stuurgroup'" in message
    assert "'pfho.ei-at-regiogv' is geen e-mailadres" in message
    assert "bodies.extra.colour: onbekende sleutel" in message
    assert (
        "toegestaan: agenda, attendees, calendar, chair, closers, description, email, handover_at, handover_lead, handover_to, kind, late, late_exception_lead, location, mail, name"
        in message
    )


def test_unknown_top_level_key_lists_the_allowed_ones(tmp_path: Path) -> None:
    text = starter_text() + "\n[databse]\nurl = ''\n"
    line = text.count("\n") - 1  # the line of [databse]
    with pytest.raises(
        ConfigError,
        match=rf"databse: onbekende sleutel \(regel {line}\); toegestaan: access, bodies, daemon, database",
    ):
        parse_config(text, tmp_path / "routing.toml")


def test_problems_come_out_in_english_on_request(tmp_path: Path) -> None:
    i18n.set_language("en")
    text = starter_text().replace('handover_to = "uta-stuurgroep"\n', "")
    text += "\n[databse]\nurl = ''\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, tmp_path / "routing.toml")
    message = str(caught.value)
    assert "databse: unknown key (line " in message
    assert "; allowed: access, bodies, daemon, database" in message
    assert "a person needs handover_to (the body it hands over to" in message
    assert "(line " in message


def test_body_problems_name_the_line_of_their_table(tmp_path: Path) -> None:
    text = starter_text().replace('handover_to = "uta-stuurgroep"\n', "")
    line = next(
        n for n, row in enumerate(text.splitlines(), 1) if row == "[bodies.wethouder-hilversum]"
    )
    with pytest.raises(
        ConfigError, match=rf"een persoon heeft handover_to nodig .*\(regel {line}\)"
    ):
        parse_config(text, tmp_path / "routing.toml")


def test_a_person_cannot_have_a_calendar(tmp_path: Path) -> None:
    text = starter_text().replace(
        'handover_lead = "10 werkdagen"\n',
        'handover_lead = "10 werkdagen"\n\n[bodies.wethouder-hilversum.calendar]\n'
        'dates = ["2024-03-01T10:00"]\n',
    )
    with pytest.raises(ConfigError, match="een persoon heeft geen eigen vergaderingen"):
        parse_config(text, tmp_path / "routing.toml")
