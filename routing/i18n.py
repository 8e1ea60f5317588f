"""The one message catalogue: every user-facing sentence in Dutch (default) and English.

`t(key, **values)` formats the message in the current language. The language is chosen once per
process (`--lang`, else `language` in routing.toml, else Dutch). A test checks that every key has
both languages and the same placeholders in each.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["LANGUAGES", "MESSAGES", "current_language", "format_date", "set_language", "t"]

LANGUAGES = ("nl", "en")
_state = {"lang": "nl"}

_MONTHS = {
    "nl": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
_WEEKDAYS = {
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}

MESSAGES: dict[str, dict[str, str]] = {
    # errors
    "err.not_found": {"nl": "{what} {key} bestaat niet.", "en": "{what} {key} does not exist."},
    "err.config": {
        "nl": "{path}: {count} probleem/problemen: {problems}",
        "en": "{path}: {count} problem(s): {problems}",
    },
    "err.trigger_from": {
        "nl": "'{trigger}' kan alleen vanuit {sources}",
        "en": "'{trigger}' is possible from {sources} only",
    },
    "err.trigger_unknown": {
        "nl": "de flow kent geen stap '{trigger}'",
        "en": "the flow has no trigger '{trigger}'",
    },
    "err.trigger_refused": {
        "nl": "'{trigger}' wordt geweigerd: {reasons}",
        "en": "'{trigger}' is refused: {reasons}",
    },
    "err.trigger": {
        "nl": "Item {id} staat in '{state}'; {where}. Nu mogelijk: {possible}.",
        "en": "Item {id} is in '{state}'; {where}. Possible now: {possible}.",
    },
    "err.nothing_possible": {
        "nl": "niets (het item is afgesloten)",
        "en": "nothing (the item is closed)",
    },
    "err.item_changed": {
        "nl": "Item {id} is gewijzigd sinds u het laadde (versie {version}); er is niets "
        "opgeslagen. Bekijk het opnieuw met 'routing show {id}' en herhaal uw stap.",
        "en": "Item {id} changed since you loaded it (version {version}); nothing was written. "
        "Look at it again with 'routing show {id}' and repeat your step.",
    },
    "err.db_not_ready": {
        "nl": "Database {url} is niet klaar ({detail}); voer 'routing init' uit om haar aan "
        "te maken of bij te werken.",
        "en": "Database {url} is not ready ({detail}); run 'routing init' to create or upgrade it.",
    },
    "err.unexpected": {
        "nl": "Onverwachte fout: {error}. Dit is een fout in de software; meld het met de "
        "uitvoer van 'routing --debug ...'.",
        "en": "Unexpected error: {error}. This is a bug; report it with the output of "
        "'routing --debug ...'.",
    },
    # cli
    "cli.created": {
        "nl": "Item {id} aangemaakt in '{state}'.",
        "en": "Item {id} created in '{state}'.",
    },
    "cli.moved": {
        "nl": "Item {id}: {from_state} → {to_state} ({trigger}).",
        "en": "Item {id}: {from_state} → {to_state} ({trigger}).",
    },
    "cli.edited": {"nl": "Item {id} bijgewerkt.", "en": "Item {id} updated."},
    "cli.init_config": {
        "nl": "Startconfiguratie geschreven: {path}",
        "en": "Starter configuration written: {path}",
    },
    "cli.init_config_kept": {
        "nl": "Configuratie bestaat al en blijft zoals ze is: {path}",
        "en": "Configuration exists and is left as it is: {path}",
    },
    "cli.init_db": {
        "nl": "Database {url}: schema {before} → {after}.",
        "en": "Database {url}: schema {before} → {after}.",
    },
    "cli.init_db_current": {
        "nl": "Database {url}: schema is actueel ({after}).",
        "en": "Database {url}: schema is up to date ({after}).",
    },
    "cli.check_ok": {
        "nl": "In orde: {config} ({bodies} organen, {flows} flows).",
        "en": "OK: {config} ({bodies} bodies, {flows} flows).",
    },
    "cli.no_items": {"nl": "Geen items.", "en": "No items."},
    # labels
    "label.id": {"nl": "Nr", "en": "Id"},
    "label.title": {"nl": "Titel", "en": "Title"},
    "label.flow": {"nl": "Flow", "en": "Flow"},
    "label.state": {"nl": "Status", "en": "State"},
    "label.body": {"nl": "Orgaan", "en": "Body"},
    "label.kenmerk": {"nl": "Kenmerk", "en": "Reference"},
    "label.owner": {"nl": "Eigenaar", "en": "Owner"},
    "label.topics": {"nl": "Onderwerpen", "en": "Topics"},
    "label.asked": {"nl": "Gevraagd", "en": "Asked"},
    "label.flags": {"nl": "Kenmerken", "en": "Flags"},
    "label.version": {"nl": "Versie", "en": "Version"},
    "label.created": {"nl": "Aangemaakt", "en": "Created"},
    "label.updated": {"nl": "Bijgewerkt", "en": "Updated"},
    "label.possible": {"nl": "Nu mogelijk", "en": "Possible now"},
    "label.history": {"nl": "Geschiedenis", "en": "History"},
    "label.when": {"nl": "Wanneer", "en": "When"},
    "label.step": {"nl": "Stap", "en": "Step"},
    "label.from": {"nl": "Van", "en": "From"},
    "label.to": {"nl": "Naar", "en": "To"},
    "label.actor": {"nl": "Door", "en": "By"},
    "label.note": {"nl": "Toelichting", "en": "Note"},
    "label.states": {"nl": "Statussen", "en": "States"},
    "label.triggers": {"nl": "Stappen", "en": "Triggers"},
    "label.final": {"nl": "eindstatus", "en": "final"},
    "label.guard": {"nl": "voorwaarde", "en": "guard"},
    "label.inform_ei": {"nl": "E&I informeren", "en": "Inform E&I"},
    "label.kind": {"nl": "Soort", "en": "Kind"},
    "label.name": {"nl": "Naam", "en": "Name"},
    "label.confidential": {"nl": "vertrouwelijk", "en": "confidential"},
    "label.public": {"nl": "openbaar", "en": "public"},
    "label.not_distributed": {"nl": "niet verspreiden", "en": "do not distribute"},
    "label.none": {"nl": "—", "en": "—"},
    "asked.besluitvorming": {"nl": "ter besluitvorming", "en": "for decision"},
    "asked.bespreking": {"nl": "ter bespreking", "en": "for discussion"},
    "asked.informatie": {"nl": "ter informatie", "en": "for information"},
}


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} unknown; use one of {', '.join(LANGUAGES)}")
    _state["lang"] = lang


def current_language() -> str:
    return _state["lang"]


def t(message_id: str, /, **values: Any) -> str:
    entry = MESSAGES[message_id]
    return entry[_state["lang"]].format(**values) if values else entry[_state["lang"]]


def format_date(
    moment: dt.date | dt.datetime, *, with_time: bool = False, weekday: bool = False
) -> str:
    """Dates the way a Dutch reader writes them: 14 maart 2024 (or March 14, 2024 in English)."""
    lang = _state["lang"]
    month = _MONTHS[lang][moment.month - 1]
    text = (
        f"{moment.day} {month} {moment.year}"
        if lang == "nl"
        else f"{month} {moment.day}, {moment.year}"
    )
    if weekday:
        text = f"{_WEEKDAYS[lang][moment.weekday()]} {text}"
    if with_time and isinstance(moment, dt.datetime):
        text += f" {moment:%H:%M}"
    return text
