"""[people]: owners by name, their addresses, and messages that reach them."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing import i18n
from routing.config.file import Config, parse_config
from routing.config.people import owner_address, resolve_owner
from routing.engine.notify import recipients_for
from routing.errors import BadInput, ConfigError
from store import Item
from tests.conftest import edited_config, starter_text

PEOPLE = '"Sander Bakker" = "s.bakker@regiogv.example"\n'
ANNA = "a.devries@hilversum.example"
HILVERSUM = "werkenparticipatie@hilversum.example"
KNOWN = (
    "Anna de Vries, Annette Keates, Anouk Pols, Gemeente Hilversum, Kevin van Pernis, Sander Bakker"
)
SANDER = "s.bakker@regiogv.example"


config = edited_config


@pytest.fixture(scope="module")
def shipped() -> Config:
    return config()


def test_the_shipped_configuration_names_its_people(shipped: Config) -> None:
    assert dict(shipped.people) == {
        "Anna de Vries": ANNA,
        "Sander Bakker": SANDER,
        "Anouk Pols": "a.pols@regiogv.example",
        "Kevin van Pernis": "k.vanpernis@regiogv.example",
        "Annette Keates": "a.keates@hilversum.example",
        "Gemeente Hilversum": HILVERSUM,
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("k.vanhunnik@hilversum.example", "k.vanhunnik@hilversum.example"),
        (" k.vanhunnik@hilversum.example ", "k.vanhunnik@hilversum.example"),
        ("Anna de Vries", "Anna de Vries"),
        ("anna de vries", "Anna de Vries"),
        ("  SANDER BAKKER ", "Sander Bakker"),
    ],
)
def test_resolve_owner(shipped: Config, typed: str | None, stored: str | None) -> None:
    assert resolve_owner(shipped, typed) == stored


def test_an_unknown_name_is_refused_with_the_known_names(shipped: Config) -> None:
    with pytest.raises(BadInput) as caught:
        resolve_owner(shipped, "Piet")
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        f"Onbekende persoon 'Piet'. Bekende namen: {KNOWN}. Of geef een e-mailadres."
    )
    i18n.set_language("en")
    with pytest.raises(BadInput, match=r"^Unknown person 'Piet'\. Known names: Anna de Vries"):
        resolve_owner(shipped, "Piet")


def test_without_people_only_addresses_are_owners() -> None:
    text = starter_text()
    start = text.index('"Anna de Vries" =')
    end = text.index("\n\n", start)
    empty = parse_config(text[:start] + text[end:], Path("/tmp/routing.toml"))
    assert empty.people == {}
    assert resolve_owner(empty, "x@y.example") == "x@y.example"
    with pytest.raises(BadInput, match=r"geen namen onder \[people\]"):
        resolve_owner(empty, "Anna de Vries")


def test_owner_address(shipped: Config) -> None:
    assert owner_address(shipped, "Anna de Vries") == ANNA
    assert owner_address(shipped, "anna de vries") == ANNA  # an owner stored before a rename
    assert owner_address(shipped, "x@y.example") == "x@y.example"
    assert owner_address(shipped, "Gemeente Hilversum") == HILVERSUM
    assert owner_address(shipped, "Wie Dan Ook") is None
    assert owner_address(shipped, None) is None
    assert owner_address(shipped, "") is None


def test_bad_people_are_reported_with_their_line() -> None:
    text = starter_text()
    line = text[: text.index(PEOPLE)].count("\n") + 1  # the line of Sander Bakker
    with pytest.raises(ConfigError) as caught:
        config((PEOPLE, '"Sander Bakker" = "sander"\n"ANNA DE VRIES" = "anna@elders.example"\n'))
    found = caught.value.problems
    assert found == [
        f"people.\"Sander Bakker\": 'sander' is geen e-mailadres (regel {line})",
        f"people.\"ANNA DE VRIES\": dezelfde naam als 'Anna de Vries' (hoofdletters tellen niet) "
        f"(regel {line + 1}); houd er één",
    ]


def test_a_person_must_map_to_a_text(shipped: Config) -> None:
    with pytest.raises(ConfigError, match=r"people\.\"Sander Bakker\": '42' is geen e-mailadres"):
        config((PEOPLE, '"Sander Bakker" = 42\n'))
    with pytest.raises(ConfigError, match=r"people: moet een tabel \[people\] zijn"):
        config(("[people]\n", "[mensen]\n"), ('language = "nl" ', 'people = 3\nlanguage = "nl" '))


def test_recipients_include_the_address_of_an_owner_named_by_name(shipped: Config) -> None:
    item = Item(
        title="LLO", flow_name="f", flow_version_id=1, state="regieteam", owner="anna de vries"
    )
    assert recipients_for(shipped, ["regieteam"], item) == [
        "secretariaat.wp@regiogv.example",
        "regieteam.wp@regiogv.example",
        ANNA,
    ]
    item.owner = "Wie Dan Ook"  # a name without an address: the secretariat handles it
    assert recipients_for(shipped, item=item) == ["secretariaat.wp@regiogv.example"]
    item.owner = "secretariaat.wp@regiogv.example"  # no address twice
    assert recipients_for(shipped, item=item) == ["secretariaat.wp@regiogv.example"]
