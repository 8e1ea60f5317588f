"""The rules about text people and files give us: checked where it enters, made safe where it
leaves.

At entry (`checked_line`, `checked_block`) a title, kenmerk, name or topic is one line without
control characters; a note or reason keeps line breaks and tabs and nothing else of C0/C1; no
field takes a bidi override or isolate (it reverses what a reader sees) or a lone surrogate (an
undecodable byte of the command line); every field has a length limit. A refusal is `BadInput`
naming the field, the position, the character (U+001B) and the fix, never echoing the text.

On the way out, one function per kind of output: `visible` for a terminal (controls become
control pictures ␛, C1/bidi/invisible characters <U+202E>: shown, never acted upon), `clean` for
documents, mail bodies and calendars (those characters removed, line breaks kept where asked),
`one_line` for a mail header or a name from a file (also line breaks folded to a space, cut to a
length). Text from files (.ics, routing.toml) is never refused: it is passed through `one_line`.
The base of every layer: imports only `routing.errors` and `routing.i18n`.
"""

from __future__ import annotations

import json
import re
from typing import Final

from routing.errors import BadInput
from routing.i18n import t

__all__ = [
    "LIMITS",
    "checked_block",
    "checked_line",
    "clean",
    "json_text",
    "one_line",
    "visible",
]

# field → most characters it takes; the message names the limit
LIMITS: Final[dict[str, int]] = {
    "title": 200,
    "kenmerk": 64,
    "owner": 100,
    "topic": 64,
    "location": 200,
    "name": 200,
    "note": 4000,
    "reason": 1000,
    "decision": 4000,
    "commitment": 1000,
}

# bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what a
# reader sees ("Trojan source"); the marks LRM/RLM/ALM only hint and stay allowed
_BIDI = "\u202a-\u202e\u2066-\u2069"
_CONTROL = "\x00-\x1f\x7f-\x9f"
_SURROGATE = "\ud800-\udfff"
# invisible characters shown in a terminal so two different strings never look the same; the
# joiners U+200C/U+200D stay (scripts and emoji need them)
_INVISIBLE = "\u200b\u2028\u2029\u2060\ufeff"
_REFUSED_LINE = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}]")
_REFUSED_BLOCK = re.compile(f"(?![\n\t])[{_CONTROL}{_BIDI}{_SURROGATE}]")
_SHOWN = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}{_INVISIBLE}]")
_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")


def _label(field: str) -> str:
    return t(f"text.field.{field}")


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _refuse(field: str, value: str, pattern: re.Pattern[str]) -> None:
    found = pattern.search(value)
    if found is None:
        return
    char = found.group()
    key = "text.bidi" if re.fullmatch(f"[{_BIDI}]", char) else "text.control"
    raise BadInput(t(key, field=_label(field), char=_code(char), position=found.start() + 1))


def _limit(field: str, value: str) -> None:
    limit = LIMITS[field]
    if len(value) > limit:
        raise BadInput(t("text.too_long", field=_label(field), length=len(value), limit=limit))


def checked_line(field: str, value: str) -> str:
    """A one-line field (title, kenmerk, owner, topic, location, name), stripped of surrounding
    spaces; `BadInput` for a control, bidi override or surrogate, or over the field's limit."""
    _refuse(field, value, _REFUSED_LINE)
    stripped = value.strip()
    _limit(field, stripped)
    return stripped


def checked_block(field: str, value: str) -> str:
    """A note or reason: Windows line ends become newlines; newline and tab are the only
    control characters it keeps."""
    normalised = value.replace("\r\n", "\n")
    _refuse(field, normalised, _REFUSED_BLOCK)
    _limit(field, normalised)
    return normalised


def _picture(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟: the Unicode control pictures
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<{_code(char)}>"


def visible(value: str, keep: str = "\n") -> str:
    """The text as a terminal must show it: every control character (except those in `keep`),
    C1 code, bidi override or isolate and invisible separator replaced by a visible stand-in,
    so an escape sequence is printed, never executed."""
    return _SHOWN.sub(lambda m: m.group() if m.group() in keep else _picture(m), value)


_REMOVED = re.compile(f"[{_CONTROL}{_BIDI}{_SURROGATE}]")


def clean(value: str, keep: str = "\n\t") -> str:
    """The text for a document, a mail body or a calendar: control characters (but `keep`),
    bidi overrides/isolates and lone surrogates removed; Windows line ends become newlines."""
    if "\n" in keep:
        value = value.replace("\r\n", "\n")
    return _REMOVED.sub(lambda m: m.group() if m.group() in keep else "", value)


# what json.dumps(ensure_ascii=False) leaves raw but a terminal may act on; inside a JSON string
# the \uXXXX form means the same character, so the data stays faithful
_JSON_RAW = re.compile(f"[\x7f-\x9f{_BIDI}{_SURROGATE}\u2028\u2029]")


def json_text(data: object, *, indent: bool = True) -> str:
    """`data` as JSON (UTF-8 text kept readable; indented, or compact with `indent=False`) with
    every character a terminal could act on written as a \\u escape: json itself escapes C0,
    this does DEL, C1, bidi, surrogates. Compact is several times faster: Python's C encoder
    does not indent."""
    if indent:
        dumped = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        dumped = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


def one_line(value: str, limit: int | None = None) -> str:
    """One line for a mail header, a summary or a name from a file: every line break becomes a
    space, other controls are removed, cut to `limit` characters (with …)."""
    flat = clean(_BREAKS.sub(" ", value), keep="").strip()
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat
