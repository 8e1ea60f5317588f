"""The message catalogue: every message in Dutch and English, with the same placeholders."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from routing import i18n

ROUTING = Path(__file__).resolve().parent.parent / "routing"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(i18n.messages()))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = i18n.messages()[key]
    assert set(entry) == set(i18n.LANGUAGES), key
    assert _fields(entry["nl"]) == _fields(entry["en"]), key
    assert all(entry[lang].strip() for lang in i18n.LANGUAGES), key


def test_every_key_used_in_the_code_exists() -> None:
    used: set[str] = set()
    for path in ROUTING.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"\bt\(\s*\"([a-z_]+\.[a-z_.]+)\"", text))
        for key in re.findall(r"\btn\(\s*\"([a-z_]+\.[a-z_.]+)\"", text):
            used |= {f"{key}.one", f"{key}.other"}
    known = i18n.messages()
    missing = sorted(key for key in used if key not in known)
    assert not missing, f"keys used but not in the catalogue: {missing}"


def test_dates_are_written_the_dutch_way() -> None:
    assert i18n.format_date(dt.date(2024, 3, 14)) == "14 maart 2024"
    assert (
        i18n.format_date(dt.datetime(2024, 3, 14, 9, 30), with_time=True, weekday=True)
        == "donderdag 14 maart 2024 09:30"
    )
    i18n.set_language("en")
    assert i18n.format_date(dt.date(2024, 3, 14)) == "March 14, 2024"


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="use one of nl, en"):
        i18n.set_language("fr")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_mo_is_the_compiled_po(lang: str) -> None:
    """The .mo shipped is what Babel compiles from the .po now: edit the .po, run `make catalogs`."""
    import gettext
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = ROUTING / "i18n" / "locale" / lang / "LC_MESSAGES"
    with (folder / "routing.po").open("rb") as source:
        catalog = read_po(source, locale=lang)  # raises on a .po that does not parse
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy messages are not used"
    fresh = io.BytesIO()
    write_mo(fresh, catalog)
    fresh.seek(0)
    with (folder / "routing.mo").open("rb") as shipped:
        assert gettext.GNUTranslations(shipped)._catalog == gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]


def test_plural_forms_follow_the_catalogue() -> None:
    assert (
        i18n.tn("cli.papers_in", 1, id=3, count=1)
        == "Item 3: stukken binnen (1 termijn afgehandeld)."
    )
    assert (
        i18n.tn("cli.papers_in", 2, id=3, count=2)
        == "Item 3: stukken binnen (2 termijnen afgehandeld)."
    )
    i18n.set_language("en")
    assert i18n.tn("cli.papers_in", 0, id=3, count=0) == "Item 3: papers in (0 deadlines met)."
    with pytest.raises(KeyError, match="not in the en catalogue"):
        i18n.t("geen.bericht")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_dates_are_written_as_babel_writes_them(lang: str) -> None:
    """format_date names months and weekdays from its own table of CLDR's names (loading
    Babel's locale data cost more than a `routing status`); every day of twelve years, in every
    kind, must read exactly as Babel writes it."""
    from babel.dates import format_date as babel_date

    i18n.set_language(lang)
    try:
        day = dt.date(2020, 1, 1)
        while day.year < 2032:
            for kind, pattern in i18n._PATTERNS[lang].items():
                short, weekday = kind.startswith("short"), kind.endswith("weekday")
                written = i18n.format_date(day, short=short, weekday=weekday)
                assert written == babel_date(day, pattern, locale=lang), (day, kind)
            day += dt.timedelta(days=1)
    finally:
        i18n.set_language("nl")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_how_long_ago_reads_as_babel_writes_it(lang: str) -> None:
    """format_ago keeps CLDR's relative times itself (Babel's locale data is slow to load);
    it must read exactly as Babel's format_timedelta for every size of delta, both ways."""
    from babel.dates import format_timedelta

    i18n.set_language(lang)
    try:
        seconds = [0, 1, 2, 29, 30, 59, 60, 89, 90, 91, 149, 150, 3599, 5399, 5400, 86399]
        seconds += [int(1.37**k) for k in range(1, 70)] + [86_400 * 45, 86_400 * 400]
        for whole in seconds:
            for delta in (dt.timedelta(seconds=whole), dt.timedelta(seconds=-whole),
                          dt.timedelta(seconds=whole, microseconds=500_000)):  # fmt: skip
                expected = format_timedelta(-delta, add_direction=True, locale=lang, threshold=1.5)
                assert i18n.format_ago(delta) == expected, delta
    finally:
        i18n.set_language("nl")
