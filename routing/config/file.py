"""`routing.toml`: where it is found, what it may contain, and the validated `Config` it becomes.

The file is validated whole: unknown keys are refused with the allowed ones listed, and every
problem is reported at once, with the line of its table where the file gives one. Lookup order:
`--config`, then `ROUTING_CONFIG`, then `./routing.toml`; `ROUTING_DATABASE_URL` overrides the
database URL. The default database is a SQLite file next to the config.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing import calendar
from routing.config.daemon import DaemonSettings, parse_daemon
from routing.config.notify import NotifySettings, parse_notify
from routing.errors import CalendarError, ConfigError, NotFound
from routing.i18n import t

__all__ = [
    "BODY_KINDS",
    "Body",
    "Config",
    "find_config_path",
    "handover_time",
    "load_config",
    "parse_config",
]

BODY_KINDS = ("ambtelijk", "bestuurlijk", "persoon")
LANGUAGES = ("nl", "en")
DEFAULT_DB_NAME = "routing.db"

_TOP_KEYS = frozenset(
    {"language", "region", "database", "secretariat", "ei", "flows", "bodies", "notify", "daemon"}
    | {"people"}
)
_REGION_KEYS = frozenset({"name", "timezone", "closed", "bevrijdingsdag"})
# "lustrum": 5 May closed only when the holidays library says so (2025, 2030, ...);
# "elk-jaar": closed every year.
BEVRIJDINGSDAG = ("lustrum", "elk-jaar")
_DATABASE_KEYS = frozenset({"url"})
_SECRETARIAT_KEYS = frozenset({"name", "email"})
_EI_KEYS = frozenset({"topics", "digest"})
_FLOWS_KEYS = frozenset({"paths"})
_BODY_KEYS = frozenset(
    {
        "name", "kind", "email", "description", "calendar", "handover_to", "handover_lead",
        "handover_at", "location",
    }
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DIGEST_EXAMPLE = '{ body = "pfho-ei", every = "kwartaal" }'


@dataclass(frozen=True)
class Body:
    key: str
    name: str
    kind: str
    email: tuple[str, ...] = ()
    description: str = ""
    calendar: Mapping[str, Any] = field(default_factory=dict)
    handover_to: str | None = None
    handover_lead: str | None = None
    # a person: where points are handed over (a body key) or at what time ("HH:MM")
    handover_at: str | None = None
    location: str | None = None

    @property
    def is_person(self) -> bool:
        """A person (the wethouder) has no meetings; she hands over to another body."""
        return self.kind == "persoon"


@dataclass(frozen=True)
class Config:
    path: Path
    region: str
    timezone: ZoneInfo
    language: str
    database_url: str
    bodies: Mapping[str, Body]
    secretariat_name: str
    secretariat_email: tuple[str, ...]
    ei_topics: frozenset[str]
    flow_paths: tuple[Path, ...]
    raw: Mapping[str, Any]
    calendars: Mapping[str, calendar.BodyCalendar] = field(default_factory=dict)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    people: Mapping[str, str] = field(default_factory=dict)  # name -> e-mail address, [people]
    # the region's working days: public holidays, [region] closed and bevrijdingsdag
    workdays: calendar.WorkingDays = field(
        default_factory=calendar.WorkingDays, compare=False, repr=False
    )

    def body(self, key: str) -> Body:
        try:
            return self.bodies[key]
        except KeyError:
            raise NotFound(
                t("what.body"), f"'{key}'", t("hint.known_bodies", bodies=", ".join(self.bodies))
            ) from None


def find_config_path(explicit: str | Path | None) -> Path:
    """`--config`, else `ROUTING_CONFIG`, else `./routing.toml`."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get("ROUTING_CONFIG")
    if from_env:
        return Path(from_env)
    return Path.cwd() / "routing.toml"


def load_config(explicit: str | Path | None = None) -> Config:
    path = find_config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [t("config.file_not_found")]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [t("config.not_toml", detail=exc)]) from None
    problems: list[str] = []
    check = _Checker(text, problems)
    check.keys(data, _TOP_KEYS, "")

    region = check.table(data, "region", _REGION_KEYS)
    tz_name = check.string(region, "timezone", "region", default="Europe/Amsterdam")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(t("config.timezone", tz=tz_name))
        tz = ZoneInfo("Europe/Amsterdam")
    workdays = _parse_workdays(check, region, tz)

    language = check.string(data, "language", "", default="nl")
    if language not in LANGUAGES:
        problems.append(t("config.language", language=language, choices=", ".join(LANGUAGES)))

    database = check.table(data, "database", _DATABASE_KEYS)
    url = os.environ.get("ROUTING_DATABASE_URL") or check.string(database, "url", "database")
    if not url:
        url = f"sqlite:///{(path.parent / DEFAULT_DB_NAME).resolve()}"

    secretariat = check.table(data, "secretariat", _SECRETARIAT_KEYS)
    ei = check.table(data, "ei", _EI_KEYS)
    flows_table = check.table(data, "flows", _FLOWS_KEYS)
    flow_paths = tuple(
        (path.parent / p).resolve() for p in check.strings(flows_table, "paths", "flows")
    )
    bodies = _parse_bodies(check, data)
    for body in bodies.values():
        if body.handover_to is not None and body.handover_to not in bodies:
            problems.append(
                t(
                    "config.unknown_body",
                    where=f"bodies.{body.key}.handover_to",
                    body=body.handover_to,
                    line=check.at_table(f"bodies.{body.key}"),
                )
            )
        problems.extend(_handover_at_problems(body, bodies, check))
    calendars = _parse_calendars(bodies, tz, problems, workdays)
    people = _parse_people(check, data)
    digest = ei.get("digest")
    if digest is not None and not isinstance(digest, dict):
        problems.append(t("config.digest_table", example=_DIGEST_EXAMPLE))
        digest = None
    daemon, daemon_problems = parse_daemon(check.table(data, "daemon", None), digest, bodies)
    problems.extend(daemon_problems)
    notify, notify_problems = parse_notify(check.table(data, "notify", None), path.parent)
    problems.extend(notify_problems)
    if problems:
        raise ConfigError(str(path), problems)
    return Config(
        path=path,
        region=check.string(region, "name", "region", default="Gooi en Vechtstreek"),
        timezone=tz,
        language=language,
        database_url=url,
        bodies=bodies,
        secretariat_name=check.string(secretariat, "name", "secretariat", default="Secretariaat"),
        secretariat_email=tuple(check.emails(secretariat, "email", "secretariat")),
        ei_topics=frozenset(topic.lower() for topic in check.strings(ei, "topics", "ei")),
        flow_paths=flow_paths,
        raw=data,
        calendars=calendars,
        daemon=daemon,
        notify=notify,
        people=people,
        workdays=workdays,
    )


def _parse_workdays(
    check: _Checker, region: Mapping[str, Any], tz: ZoneInfo
) -> calendar.WorkingDays:
    """The region's closed days and its choice for Bevrijdingsdag (5 May)."""
    closed = calendar.parse_closed(region, "region", tz, check.problems)
    liberation = check.string(region, "bevrijdingsdag", "region", default="lustrum")
    if liberation not in BEVRIJDINGSDAG:
        check.problems.append(
            t(
                "config.bevrijdingsdag",
                value=liberation,
                choices=", ".join(BEVRIJDINGSDAG),
                line=check.at_table("region"),
            )
        )
    # The holidays library already closes 5 May in lustrum years; "elk-jaar" closes it always.
    every_year = [(5, 5)] if liberation == "elk-jaar" else []
    return calendar.WorkingDays(extra_closed=closed, every_year=every_year)


def _parse_people(check: _Checker, data: Mapping[str, Any]) -> dict[str, str]:
    """[people]: name = e-mail address; names match case-insensitively, so must differ so."""
    people: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, address in check.table(data, "people", None).items():
        where = f'people."{name}"'
        line = check.at_key("people", name)
        if not isinstance(address, str) or not _EMAIL.match(address):
            check.problems.append(t("config.not_email", where=where, address=address, line=line))
            continue
        if not name.strip():
            check.problems.append(t("config.person_name", where=where, line=line))
            continue
        if name.casefold() in seen:
            check.problems.append(
                t("config.person_twice", where=where, other=seen[name.casefold()], line=line)
            )
            continue
        seen[name.casefold()] = name
        people[name] = address
    return people


def _parse_calendars(
    bodies: Mapping[str, Body],
    tz: ZoneInfo,
    problems: list[str],
    workdays: calendar.WorkingDays,
) -> dict[str, calendar.BodyCalendar]:
    """Each body's own calendar; a person's comes from the body it hands over to."""
    calendars: dict[str, calendar.BodyCalendar] = {}
    for key, body in bodies.items():
        if body.kind == "persoon":
            try:
                calendar.Lead.parse(body.handover_lead or "0 dagen")
            except CalendarError as exc:
                problems.append(f"bodies.{key}.handover_lead: {exc}")
            continue
        if not body.calendar:
            continue
        parsed, found = calendar.parse_calendar(key, body.calendar, tz, workdays)
        problems.extend(found)
        if parsed is not None:
            calendars[key] = parsed
    return calendars


def handover_time(body: Body) -> dt.time | None:
    """The time of day a person's hand-over is due, when `handover_at` gives one."""
    if body.handover_at is None or ":" not in body.handover_at:
        return None
    return dt.time.fromisoformat(body.handover_at)


def _handover_at_problems(body: Body, bodies: Mapping[str, Body], check: _Checker) -> list[str]:
    value = body.handover_at
    if value is None:
        return []
    if ":" in value:
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            pass
        else:
            return []
    elif value in bodies and bodies[value].kind != "persoon":
        return []
    return [
        t(
            "config.handover_at",
            where=f"bodies.{body.key}.handover_at",
            value=value,
            line=check.at_table(f"bodies.{body.key}"),
        )
    ]


def _parse_bodies(check: _Checker, data: Mapping[str, Any]) -> dict[str, Body]:
    raw = data.get("bodies", {})
    if not isinstance(raw, dict) or not raw:
        check.problems.append(t("config.bodies_missing"))
        return {}
    bodies: dict[str, Body] = {}
    for key, table in raw.items():
        where = f"bodies.{key}"
        if not isinstance(table, dict):
            check.problems.append(t("config.must_be_table", where=where))
            continue
        if not re.fullmatch(r"[a-z][a-z0-9-]*", key):
            check.problems.append(t("config.body_key", where=where, line=check.at_table(where)))
        check.keys(table, _BODY_KEYS, where)
        kind = check.string(table, "kind", where)
        if kind not in BODY_KINDS:
            check.problems.append(
                t(
                    "config.body_kind",
                    where=f"{where}.kind",
                    kind=kind,
                    kinds=", ".join(BODY_KINDS),
                    line=check.at_table(where),
                )
            )
        calendar = table.get("calendar", {})
        if not isinstance(calendar, dict):
            check.problems.append(t("config.must_be_table", where=f"{where}.calendar"))
            calendar = {}
        handover_to = table.get("handover_to")
        if kind == "persoon" and calendar:
            check.problems.append(
                t("config.person_calendar", where=where, line=check.at_table(where))
            )
        if kind == "persoon" and not handover_to:
            check.problems.append(
                t("config.person_handover", where=where, line=check.at_table(where))
            )
        bodies[key] = Body(
            key=key,
            name=check.string(table, "name", where, default=key),
            kind=kind,
            email=tuple(check.emails(table, "email", where)),
            description=check.string(table, "description", where),
            calendar=calendar,
            handover_to=handover_to if isinstance(handover_to, str) else None,
            handover_lead=check.string(table, "handover_lead", where) or None,
            handover_at=check.string(table, "handover_at", where) or None,
            location=check.string(table, "location", where) or None,
        )
    return bodies


@dataclass
class _Checker:
    """Collects problems instead of stopping at the first one."""

    text: str
    problems: list[str]

    def at_table(self, dotted: str) -> str:
        pattern = re.compile(rf"^[ \t]*\[{re.escape(dotted)}\][ \t]*(#.*)?$", re.MULTILINE)
        match = pattern.search(self.text)
        if match is None:
            return ""
        return " " + t("config.at_line", line=self.text.count(chr(10), 0, match.start()) + 1)

    def at_key(self, dotted: str, key: str) -> str:
        """The line of `key = ...` inside the table [dotted], else the table's own line."""
        header = re.compile(rf"^[ \t]*\[{re.escape(dotted)}\][ \t]*(#.*)?$", re.MULTILINE)
        table = header.search(self.text)
        if table is None:
            return ""
        names = "|".join(re.escape(form) for form in (f'"{key}"', f"'{key}'", key))
        pattern = re.compile(rf"^[ \t]*(?:{names})[ \t]*=|^[ \t]*\[", re.MULTILINE)
        found = pattern.search(self.text, table.end())
        if found is None or found.group().lstrip().startswith("["):
            return self.at_table(dotted)
        return " " + t("config.at_line", line=self.text.count(chr(10), 0, found.start()) + 1)

    def keys(self, table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                self.problems.append(
                    t(
                        "config.unknown_key",
                        where=name,
                        line=self.at_table(where) if where else "",
                        allowed=", ".join(sorted(allowed)),
                    )
                )

    def table(
        self, data: Mapping[str, Any], key: str, allowed: frozenset[str] | None
    ) -> dict[str, Any]:
        """The table `key`; `allowed=None` leaves its keys to the module that owns it."""
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.problems.append(t("config.must_be_named_table", where=key))
            return {}
        if allowed is not None:
            self.keys(value, allowed, key)
        return value

    def string(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            self.problems.append(t("config.not_text", where=_dotted(where, key), value=repr(value)))
            return default
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problems.append(
                t("config.not_texts", where=_dotted(where, key), value=repr(value))
            )
            return []
        return list(value)

    def emails(self, table: Mapping[str, Any], key: str, where: str) -> list[str]:
        addresses = self.strings(table, key, where)
        for address in addresses:
            if not _EMAIL.match(address):
                self.problems.append(
                    t(
                        "config.not_email",
                        where=_dotted(where, key),
                        address=address,
                        line=self.at_table(where),
                    )
                )
        return addresses


def _dotted(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
