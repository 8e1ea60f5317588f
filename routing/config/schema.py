"""The one checker of routing.toml: every table declared once, and one walker over them.

A table is a `Table` of keys, each a `Leaf` (one value of given TOML types), a nested `Table`,
a `MapOf` (free keys: body keys, people's names) or a `ListOf` (arrays, also of tables). `check`
walks the file against `ROOT` and reports, all at once and each with the line of its key:
unknown keys (with the allowed ones listed), values of the wrong type, missing required keys,
secrets that belong in the environment. It returns the file with every rejected value left out,
so the modules that read the values (`file`, `daemon`, `notify`, and `routing.calendar` for the
calendar tables) can trust their types and only judge the values themselves: a date, an RRULE,
a lead time, a known body. Their problems go through the same `Problems`, with lines.

`tests/test_config_schema.py` keeps these keys and the documented ones (starter.toml, README)
equal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from routing.config.lines import KeyLines, Path
from routing.i18n import t

__all__ = [
    "CALENDAR",
    "DAEMON",
    "DIGEST",
    "EMAIL",
    "NOTIFY",
    "PERSON",
    "ROOT",
    "Either",
    "Leaf",
    "ListOf",
    "MapOf",
    "Problems",
    "Table",
    "check",
    "dotted",
    "key_paths",
]

# no space and no control character: an address goes into a mail header as it is
_EMAIL = re.compile(
    r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+\.[^@\s\x00-\x1f\x7f-\x9f]+$"
)
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Leaf:
    """One value: the TOML types it may have, and the message when it is something else."""

    types: tuple[type, ...]
    message: str
    quoted: bool = True  # the message shows the value as Python writes it: '25', [1]
    test: Callable[[Any], bool] | None = None  # a further test, failing with the same message
    bound: str = ""  # for config.whole_number
    expected: str = ""  # message key naming the type, for config.wrong_type

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) and bool not in self.types:
            return False
        return isinstance(value, self.types) and (self.test is None or self.test(value))


@dataclass(frozen=True)
class Table:
    """A table with known keys; `secrets` are refused with the environment variable to use."""

    keys: Mapping[str, Spec]
    required: frozenset[str] = frozenset()
    secrets: Mapping[str, str] = field(default_factory=dict)
    example: str = ""  # shown when the value is not a table


@dataclass(frozen=True)
class MapOf:
    """A table whose keys are free (names, body keys); every value is a `value`."""

    value: Spec
    example: str = ""


@dataclass(frozen=True)
class ListOf:
    """An array of `item`s; with `single`, one value alone stands for a list of one."""

    item: Spec
    message: str = "config.must_be_list"
    example: str = ""
    single: bool = False


@dataclass(frozen=True)
class Either:
    """A value written either plainly (`plain`) or as a table (`table`): `name = "address"`
    or `name = { email = "address", login = "anna" }`."""

    plain: Spec
    table: Table


Spec: TypeAlias = Leaf | Table | MapOf | ListOf | Either


def integer(minimum: int | None = None) -> Leaf:
    if minimum is None:
        return Leaf((int,), "config.wrong_type", expected="config.expect_whole_number")
    bound = f"> {minimum - 1}" if minimum == 1 else f">= {minimum}"
    return Leaf((int,), "config.whole_number", bound=bound, test=lambda v: v >= minimum)


TEXT = Leaf((str,), "config.not_text")
BOOLEAN = Leaf((bool,), "config.must_be_bool")
NUMBER = Leaf((int, float), "config.wrong_type", expected="config.expect_number")
EMAIL = Leaf((str,), "config.not_email", quoted=False, test=lambda v: bool(_EMAIL.match(v)))
# dates and times may be TOML's own or text; routing.calendar reads the text
DATE = Leaf((str, dt.date), "config.date", quoted=False)
DATETIME = Leaf((str, dt.date), "config.datetime", quoted=False)
TIME = Leaf((str, dt.time), "config.time", quoted=False)
TEXTS = ListOf(TEXT, message="config.not_texts", single=True)
EMAILS = ListOf(EMAIL, message="config.not_texts", single=True)
DATES = ListOf(DATE)

RULE = Table(
    {"rrule": TEXT, "start": DATETIME, "exdates": DATES},
    required=frozenset({"rrule", "start"}),
    example='{ rrule = "FREQ=MONTHLY;BYDAY=2TH", start = "2024-01-11T14:00" }',
)
RECESS = Table(
    {"name": TEXT, "start": DATE, "end": DATE},
    required=frozenset({"start", "end"}),
    example='{ name = "zomerreces", start = "2024-07-15", end = "2024-08-23" }',
)
CALENDAR = Table(
    {
        "dates": ListOf(DATETIME), "rrule": TEXT, "start": DATETIME, "exdates": DATES,
        "rules": ListOf(RULE), "recess": ListOf(RECESS), "skip_holidays": BOOLEAN,
        "papers_lead": TEXT, "papers_time": TIME, "reminder_lead": TEXT, "closed": DATES,
    }
)  # fmt: skip
BODY = Table(
    {
        "name": TEXT, "kind": TEXT, "email": EMAILS, "description": TEXT, "calendar": CALENDAR,
        "handover_to": TEXT, "handover_lead": TEXT, "handover_at": TEXT, "location": TEXT,
        "closers": TEXTS, "mail": TEXT,
        "chair": TEXT, "attendees": TEXTS, "agenda": Table({"before": TEXTS, "after": TEXTS}),
        "late": TEXT,
        "late_exception_lead": TEXT,
    },
    required=frozenset({"kind"}),
)  # fmt: skip
PERSON = Either(
    EMAIL,
    Table(
        {"email": EMAIL, "login": TEXT, "mail": TEXT},
        required=frozenset({"email"}),
        example='{ email = "a.devries@hilversum.example", login = "adevries" }',
    ),
)
DIGEST = Table({"body": TEXT, "every": TEXT}, example='{ body = "pfho-ei", every = "kwartaal" }')
DAEMON = Table(
    {
        "sweep_every_minutes": integer(1),
        "rollover_after_days": integer(0),
        "calendar_warning_weeks": integer(1),
        "feedback": MapOf(TEXT, example='{ "uta-stuurgroep" = "terugkoppeling-stuurgroep" }'),
        "feedback_owner": TEXT,
        "cron": ListOf(TEXT, message="config.cron_list", example='["0 7 * * 1-5"]'),
        "retry_max_attempts": integer(1),
        "retry_backoff_minutes": integer(1),
        "commitment_reminder_days": integer(0),
    }
)
NOTIFY = Table(
    {
        "channel": TEXT, "folder": TEXT, "sender": TEXT, "smtp_host": TEXT,
        "smtp_port": integer(), "starttls": BOOLEAN, "timeout_s": NUMBER,
        "max_attempts": integer(), "backoff_s": NUMBER,
        "digest_time": TIME, "mail": TEXT,
    },
    secrets={
        "user": "ROUTING_SMTP_USER", "password": "ROUTING_SMTP_PASSWORD",
        "smtp_user": "ROUTING_SMTP_USER", "smtp_password": "ROUTING_SMTP_PASSWORD",
    },
)  # fmt: skip
ROOT = Table(
    {
        "language": TEXT,
        "region": Table(
            {"name": TEXT, "timezone": TEXT, "closed": DATES, "bevrijdingsdag": TEXT, "rsin": TEXT}
        ),
        "database": Table(
            {"url": TEXT, "synchronous": TEXT}, secrets={"password": "ROUTING_DATABASE_URL"}
        ),
        "secretariat": Table({"name": TEXT, "email": EMAILS, "mail": TEXT}),
        "people": MapOf(PERSON),
        "access": Table({"administrators": TEXTS, "service_account": TEXT}),
        "ei": Table({"topics": TEXTS, "digest": DIGEST}),
        "flows": Table({"paths": TEXTS}),
        "notify": NOTIFY,
        "daemon": DAEMON,
        "bodies": MapOf(BODY),
        "papers": Table({"folder": TEXT}),
        "documents": Table({"templates": TEXT}),
        "ori": Table({"base_url": TEXT, "vergaderingstype": TEXT, "besluittype": TEXT}),
        "ratification": MapOf(
            Table({"title": TEXT, "bodies": MapOf(TEXT)}),
            example='{ title = "colleges", bodies = { college-laren = "College Laren" } }',
        ),
    }
)


def dotted(path: Sequence[str | int]) -> str:
    """A path as the file's reader writes it: bodies.regieteam.calendar.recess[1], people."A B"."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if _BARE.match(part) else f'"{part}"'
            text = f"{text}.{name}" if text else name
    return text


class Problems:
    """The problems of one file, each naming its key and, when the text is known, its line."""

    def __init__(self, lines: KeyLines | None = None) -> None:
        self.lines = lines
        self.found: list[str] = []

    def at(self, path: Sequence[str | int]) -> str:
        """' (regel 12)': the line of the key at `path`, else of its table; '' without text."""
        line = self.lines.line(path) if self.lines is not None and path else None
        return " " + t("config.at_line", line=line) if line else ""

    def add(self, path: Path, message: str, **values: Any) -> None:
        """Report `message`; it gets `where` (the dotted path, unless given) and `line`."""
        values.setdefault("where", dotted(path))
        self.found.append(t(message, line=self.at(path), **values))

    def extend(self, found: Sequence[str]) -> None:
        self.found.extend(found)


_REJECTED: Any = object()


def check(value: Any, spec: Table, path: Path, problems: Problems) -> dict[str, Any]:
    """The table `value` at `path` checked against `spec`: what passed, problems reported."""
    clean = _walk(value, spec, path, problems)
    return {} if clean is _REJECTED else dict(clean)


def _pick(spec: Spec, value: Any) -> Leaf | Table | MapOf | ListOf:
    """For an `Either`, the form the value is written in."""
    if isinstance(spec, Either):
        return _pick(spec.table if isinstance(value, dict) else spec.plain, value)
    return spec


def _walk(value: Any, given: Spec, path: Path, problems: Problems) -> Any:
    """The value with every rejected part left out, or _REJECTED when nothing of it passes."""
    spec = _pick(given, value)
    if isinstance(spec, Leaf):
        if spec.accepts(value):
            return value
        shown = repr(value) if spec.quoted else value
        expected = t(spec.expected) if spec.expected else ""
        problems.add(
            path, spec.message, value=shown, address=value, bound=spec.bound, expected=expected
        )
        return _REJECTED
    if isinstance(spec, ListOf):
        return _list(value, spec, path, problems)
    if not isinstance(value, dict):
        if len(path) == 1:
            problems.add(path, "config.must_be_named_table")
        elif spec.example:
            problems.add(path, "config.table_like", example=spec.example)
        else:
            problems.add(path, "config.must_be_table")
        return _REJECTED
    if isinstance(spec, MapOf):
        found = {
            key: _walk(item, spec.value, (*path, key), problems) for key, item in value.items()
        }
        return {key: item for key, item in found.items() if item is not _REJECTED}
    return _table(value, spec, path, problems)


def _table(value: Mapping[str, Any], spec: Table, path: Path, problems: Problems) -> Any:
    clean: dict[str, Any] = {}
    allowed = ", ".join(sorted(spec.keys))
    for key, item in value.items():
        if key in spec.secrets:
            problems.add((*path, key), "config.secret", variable=spec.secrets[key])
        elif key not in spec.keys:
            problems.add((*path, key), "config.unknown_key", allowed=allowed)
        elif (checked := _walk(item, spec.keys[key], (*path, key), problems)) is not _REJECTED:
            clean[key] = checked
    for key in sorted(spec.required - value.keys()):
        problems.add((*path, key), "config.missing_key")
    return clean


def _list(value: Any, spec: ListOf, path: Path, problems: Problems) -> Any:
    if spec.single and isinstance(value, str):
        item = _walk(value, spec.item, path, problems)
        return [] if item is _REJECTED else [item]
    if not isinstance(value, list):
        problems.add(path, spec.message, value=repr(value), example=spec.example)
        return _REJECTED
    found = [_walk(item, spec.item, (*path, n), problems) for n, item in enumerate(value)]
    return [item for item in found if item is not _REJECTED]


def key_paths(spec: Spec = ROOT, prefix: str = "") -> Iterator[str]:
    """Every key the schema allows, dotted, `*` for a free key: 'bodies.*.calendar.rules.start'."""
    if isinstance(spec, ListOf):
        yield from key_paths(spec.item, prefix)
    elif isinstance(spec, Either):
        yield from key_paths(spec.table, prefix)
    elif isinstance(spec, MapOf):
        yield f"{prefix}.*"
        yield from key_paths(spec.value, f"{prefix}.*")
    elif isinstance(spec, Table):
        for key, sub in spec.keys.items():
            name = f"{prefix}.{key}" if prefix else key
            yield name
            yield from key_paths(sub, name)
