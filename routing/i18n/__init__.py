"""The message catalogues: every user-facing sentence in Dutch (default) and English.

The texts live in gettext catalogues, `locale/{nl,en}/LC_MESSAGES/routing.po`, compiled to
`.mo` with Babel (`make catalogs`); the message ids are stable keys such as `err.not_found`.
`t(key, **values)` formats a message in the current language, `tn(key, n, **values)` picks its
plural form through `ngettext` (the catalogues' Plural-Forms). The language is `--lang`, else
`ROUTING_LANG`, else `language` in routing.toml, else Dutch. Tests check that both catalogues
have every key used in the code, the same placeholders in each language, and that every `.mo`
is the compiled form of its `.po`. The base of every layer: imports nothing of this project.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import gettext
import re
from pathlib import Path
from typing import Any

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "current_language",
    "format_ago",
    "format_date",
    "has",
    "messages",
    "set_language",
    "t",
    "tn",
]

LANGUAGES = ("nl", "en")
DOMAIN = "routing"
# the language of the command being run: a context variable, so a command in one thread or
# context (the daemon's, a test's in-process run) never changes another's language
_language: contextvars.ContextVar[str] = contextvars.ContextVar("routing_language", default="nl")

# Babel patterns: "14 maart 2024" / "March 14, 2024", with or without the weekday, and the
# narrow "do 14 mrt 2024" for tables
_PATTERNS = {
    "nl": {
        "date": "d MMMM y",
        "weekday": "EEEE d MMMM y",
        "short": "d MMM y",
        "short_weekday": "EEE d MMM y",
    },
    "en": {
        "date": "MMMM d, y",
        "weekday": "EEEE, MMMM d, y",
        "short": "d MMM y",
        "short_weekday": "EEE d MMM y",
    },
}


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} unknown; use one of {', '.join(LANGUAGES)}")
    _language.set(lang)


def current_language() -> str:
    return _language.get()


@functools.cache
def _translations(lang: str) -> gettext.GNUTranslations:
    # beside this file (a plain path: importlib.resources costs every --help a few ms)
    path = Path(__file__).parent / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)


def t(message_id: str, /, **values: Any) -> str:
    text = _translations(_language.get()).gettext(message_id)
    if text == message_id:  # gettext hands back the id of a message it does not have
        raise KeyError(f"message {message_id!r} is not in the {_language.get()} catalogue")
    return text.format(**values) if values else text


def tn(message_id: str, count: int, /, **values: Any) -> str:
    """A message with a count, in the plural form the catalogue's Plural-Forms choose (never
    "termijn(en)"); its plural id is `<id>.other`."""
    text = _translations(_language.get()).ngettext(message_id, f"{message_id}.other", count)
    if text in (message_id, f"{message_id}.other"):
        raise KeyError(f"message {message_id!r} is not in the {_language.get()} catalogue")
    return text.format(**values)


def messages() -> dict[str, dict[str, str]]:
    """Every message by key and language; a plural message as `<id>.one` and `<id>.other`."""
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        catalog: dict[Any, str] = _translations(lang)._catalog  # type: ignore[attr-defined]
        for key, text in catalog.items():
            if key == "":
                continue  # the header
            if isinstance(key, tuple):
                name = f"{key[0]}.{'one' if key[1] == 0 else 'other'}"
            else:
                name = key
            found.setdefault(name, {})[lang] = text
    return found


def has(message_id: str) -> bool:
    """Whether the catalogues know this message (a plain one, or the base id of a plural)."""
    catalog: dict[Any, str] = _translations(_language.get())._catalog  # type: ignore[attr-defined]
    return message_id in catalog or (message_id, 0) in catalog


# CLDR's names (Babel's, "format" context) for the patterns above; tests/test_i18n.py checks
# them, and every date these patterns give, against Babel itself. Loading Babel's locale data
# takes longer than `routing status` spends on its own work, for a handful of names.
_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "nl": {
        "MMMM": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                 "september", "oktober", "november", "december"),
        "MMM": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov",
                "dec"),
        "EEEE": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        "EEE": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    },
    "en": {
        "MMMM": ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"),
        "MMM": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"),
        "EEEE": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "EEE": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    },
}  # fmt: skip
_FIELD = re.compile(r"EEEE|EEE|MMMM|MMM|d|y")


def _formatted(day: dt.date, pattern: str, lang: str) -> str:
    names = _NAMES[lang]

    def field(match: re.Match[str]) -> str:
        token = match.group()
        if token == "d":
            return str(day.day)
        if token == "y":
            return str(day.year)
        if token.startswith("M"):
            return names[token][day.month - 1]
        return names[token][day.weekday()]

    return _FIELD.sub(field, pattern)


def format_date(
    moment: dt.date | dt.datetime,
    *,
    with_time: bool = False,
    weekday: bool = False,
    short: bool = False,
) -> str:
    """Dates the way a Dutch reader writes them: 14 maart 2024 (or March 14, 2024 in English).

    `short` is for narrow tables: "do 14 mrt 2024" / "Thu 14 Mar 2024". Names of months and
    weekdays are CLDR's (`_NAMES`, checked against Babel by the tests).
    """
    lang = _language.get()
    kind = (
        ("short_weekday" if weekday else "short") if short else ("weekday" if weekday else "date")
    )
    text = _formatted(moment, _PATTERNS[lang][kind], lang)
    if with_time and isinstance(moment, dt.datetime):
        text += f" {moment:%H:%M}"
    return text


# CLDR's relative times (Babel's date_fields, "long"): per unit (future one, future other, past
# one, past other); checked against Babel by the tests, like `_NAMES`
_RELATIVE: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "nl": {
        "year": ("over {0} jaar", "over {0} jaar", "{0} jaar geleden", "{0} jaar geleden"),
        "month": ("over {0} maand", "over {0} maanden", "{0} maand geleden", "{0} maanden geleden"),
        "week": ("over {0} week", "over {0} weken", "{0} week geleden", "{0} weken geleden"),
        "day": ("over {0} dag", "over {0} dagen", "{0} dag geleden", "{0} dagen geleden"),
        "hour": ("over {0} uur", "over {0} uur", "{0} uur geleden", "{0} uur geleden"),
        "minute": ("over {0} minuut", "over {0} minuten", "{0} minuut geleden",
                   "{0} minuten geleden"),
        "second": ("over {0} seconde", "over {0} seconden", "{0} seconde geleden",
                   "{0} seconden geleden"),
    },
    "en": {
        "year": ("in {0} year", "in {0} years", "{0} year ago", "{0} years ago"),
        "month": ("in {0} month", "in {0} months", "{0} month ago", "{0} months ago"),
        "week": ("in {0} week", "in {0} weeks", "{0} week ago", "{0} weeks ago"),
        "day": ("in {0} day", "in {0} days", "{0} day ago", "{0} days ago"),
        "hour": ("in {0} hour", "in {0} hours", "{0} hour ago", "{0} hours ago"),
        "minute": ("in {0} minute", "in {0} minutes", "{0} minute ago", "{0} minutes ago"),
        "second": ("in {0} second", "in {0} seconds", "{0} second ago", "{0} seconds ago"),
    },
}  # fmt: skip
# Babel's units of format_timedelta, and the threshold format_ago uses
_UNITS = (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800), ("day", 86_400),
          ("hour", 3_600), ("minute", 60), ("second", 1))  # fmt: skip
_THRESHOLD = 1.5


def format_ago(delta: dt.timedelta) -> str:
    """How long ago something happened, in words: "3 minuten geleden"; a moment after `now`
    (a --now in the past) reads "over 3 minuten", never a negative number. As Babel's
    `format_timedelta(-delta, add_direction=True, threshold=1.5)` writes it, without loading
    Babel's locale data (the board shows the daemon's last sweep this way)."""
    back = -delta
    seconds = back.days * 86_400 + back.seconds
    for unit, per_unit in _UNITS:
        value = abs(seconds) / per_unit
        if value >= _THRESHOLD or unit == "second":
            if unit == "second" and value > 0:
                value = max(1, value)
            count = round(value)
            forms = _RELATIVE[_language.get()][unit]
            return forms[(0 if seconds >= 0 else 2) + (0 if count == 1 else 1)].replace(
                "{0}", str(count)
            )
    return ""  # not reached: the last unit always answers
