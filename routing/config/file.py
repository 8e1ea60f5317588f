"""`routing.toml`: where it is found, what it may contain, and the validated `Config` it becomes.

The file is validated whole: `routing.config.schema` checks every table's keys and types (unknown
keys are refused with the allowed ones listed), the functions here and in `daemon`, `notify`,
`database` and `routing.calendar` judge the values, and every problem is reported at once, each
with the line of its key (else of its table). Lookup order: `--config`, then `ROUTING_CONFIG`,
then `./routing.toml`; `ROUTING_DATABASE_URL` overrides the database URL. The default database
is a SQLite file next to the config.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing import calendar
from routing.config import schema
from routing.config.access import Access, parse_access
from routing.config.daemon import DaemonSettings, daemon_settings
from routing.config.database import database_url, synchronous
from routing.config.lines import KeyLines
from routing.config.location import configured_language, find_config_path
from routing.config.notify import NotifySettings, notify_settings, with_recipients
from routing.config.ori import OriSettings, ori_settings
from routing.config.papers import DEFAULT_FOLDER as DEFAULT_PAPERS_FOLDER
from routing.config.papers import papers_folder
from routing.config.ratification import RatifyGroup, ratification_groups
from routing.config.schema import ROOT, Problems, dotted
from routing.errors import CalendarError, ConfigError, NotFound
from routing.i18n import t
from routing.text import LIMITS, one_line
from routing.text import clean as clean_text

__all__ = [
    "BODY_KINDS",
    "Body",
    "Config",
    "configured_language",
    "find_config_path",
    "handover_time",
    "load_config",
    "parse_config",
]

BODY_KINDS = ("ambtelijk", "bestuurlijk", "persoon")
LANGUAGES = ("nl", "en")
# "lustrum": 5 May closed only when the holidays library says so (2025, 2030, ...);
# "elk-jaar": closed every year.
BEVRIJDINGSDAG = ("lustrum", "elk-jaar")
# [bodies.X] late: may an item still join a meeting whose papers deadline passed (the rule is
# routing.engine.late_policy's); Dutch or English, kept in English
LATE_POLICIES = {
    "allow": "allow", "refuse": "refuse", "next": "next",
    "toestaan": "allow", "weigeren": "refuse", "volgende": "next",
    "exception": "exception", "uitzondering": "exception",
}  # fmt: skip


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
    chair: str | None = None  # who chairs its meetings (agenda, besluitenlijst)
    # the agenda's fixed parts before and after the items, as written; None: the default
    agenda_before: tuple[str, ...] | None = None
    agenda_after: tuple[str, ...] | None = None
    attendees: tuple[str, ...] = ()  # who attends as a rule: the close's proposed attendance
    late: str = "next"  # allow | refuse | next | exception (LATE_POLICIES)
    late_exception_lead: str = "1 werkdag"  # late = exception: the chair decides this long before

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
    access: Access = field(default_factory=Access)  # who may do what: routing.config.access
    # the region's working days: public holidays, [region] closed and bevrijdingsdag
    workdays: calendar.WorkingDays = field(
        default_factory=calendar.WorkingDays, compare=False, repr=False
    )
    # SQLite's durability, "normal" or "full" (routing.config.database)
    database_synchronous: str = "normal"
    # where `routing stukken --file` copies papers to (routing.config.papers)
    papers_folder: Path = Path(DEFAULT_PAPERS_FOLDER)
    # [documents] templates: a folder whose templates replace the shipped ones (house style)
    document_templates: Path | None = None
    # [ori] and [region] rsin: the open-standard exports (routing.config.ori)
    ori: OriSettings = field(default_factory=OriSettings)
    # [ratification.GROUP]: who ratifies a decision (routing.config.ratification)
    ratification: Mapping[str, RatifyGroup] = field(default_factory=dict)

    def body(self, key: str) -> Body:
        try:
            return self.bodies[key]
        except KeyError:
            raise NotFound(
                t("what.body"), f"'{key}'", t("hint.known_bodies", bodies=", ".join(self.bodies))
            ) from None


def load_config(explicit: str | Path | None = None) -> Config:
    path = find_config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), [t("config.file_not_found")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), [t("config.not_utf8", position=exc.start)]) from None
    except OSError as exc:  # a folder, no permission, a name too long for the file system
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(str(path), [t("config.unreadable", reason=reason)]) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [t("config.not_toml", detail=exc)]) from None
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        raise ConfigError(str(path), [t("config.not_toml", detail=t("config.too_deep"))]) from None
    problems = Problems(KeyLines(text))
    clean = schema.check(data, ROOT, (), problems)

    region = clean.get("region", {})
    tz = _timezone(region, problems)
    workdays = _parse_workdays(region, tz, problems)
    language = clean.get("language", "nl")
    if language not in LANGUAGES:
        problems.add(
            ("language",), "config.language", language=language, choices=", ".join(LANGUAGES)
        )
    url = database_url(clean.get("database", {}).get("url", ""), path.parent, problems)
    durability = synchronous(clean.get("database", {}).get("synchronous"), problems)

    bodies = _parse_bodies(data, clean, problems)
    for body in bodies.values():
        if body.handover_to is not None and body.handover_to not in bodies:
            problems.add(
                ("bodies", body.key, "handover_to"), "config.unknown_body", body=body.handover_to
            )
        _check_handover_at(body, bodies, problems)
    calendars = _parse_calendars(bodies, tz, problems, workdays)
    people = _parse_people(clean, problems)
    access = parse_access(clean, people, problems)
    ei = clean.get("ei", {})
    daemon = daemon_settings(clean.get("daemon", {}), ei.get("digest"), bodies, problems)
    notify = notify_settings(clean.get("notify", {}), path.parent, problems)
    papers = papers_folder(clean.get("papers", {}), path.parent, url, problems)
    notify = with_recipients(notify, clean, problems)
    ori = ori_settings(clean.get("ori", {}), region, problems)
    ratification = ratification_groups(clean.get("ratification", {}), problems)
    if problems.found:
        raise ConfigError(str(path), problems.found)
    secretariat = clean.get("secretariat", {})
    return Config(
        path=path,
        region=_name(region.get("name", "Gooi en Vechtstreek")),
        timezone=tz,
        language=language,
        database_url=url,
        database_synchronous=durability,
        bodies=bodies,
        secretariat_name=_name(secretariat.get("name", "Secretariaat")),
        secretariat_email=tuple(secretariat.get("email", [])),
        ei_topics=frozenset(topic.lower() for topic in ei.get("topics", [])),
        flow_paths=tuple(
            (path.parent / p).resolve() for p in clean.get("flows", {}).get("paths", [])
        ),
        raw=data,
        calendars=calendars,
        daemon=daemon,
        notify=notify,
        people=people,
        access=access,
        workdays=workdays,
        papers_folder=papers,
        document_templates=_templates(clean, path),
        ori=ori,
        ratification=ratification,
    )


def _timezone(region: Mapping[str, Any], problems: Problems) -> ZoneInfo:
    name = region.get("timezone", "Europe/Amsterdam")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(("region", "timezone"), "config.timezone", tz=name)
        return ZoneInfo("Europe/Amsterdam")


def _parse_workdays(
    region: Mapping[str, Any], tz: ZoneInfo, problems: Problems
) -> calendar.WorkingDays:
    """The region's closed days and its choice for Bevrijdingsdag (5 May)."""
    closed = calendar.parse_closed(region, "region", tz, problems.found, at=problems.at)
    liberation = region.get("bevrijdingsdag", "lustrum")
    if liberation not in BEVRIJDINGSDAG:
        problems.add(
            ("region", "bevrijdingsdag"),
            "config.bevrijdingsdag",
            value=liberation,
            choices=", ".join(BEVRIJDINGSDAG),
        )
    # The holidays library already closes 5 May in lustrum years; "elk-jaar" closes it always.
    every_year = [(5, 5)] if liberation == "elk-jaar" else []
    return calendar.WorkingDays(extra_closed=closed, every_year=every_year)


def _parse_people(clean: Mapping[str, Any], problems: Problems) -> dict[str, str]:
    """[people]: name = e-mail address (or a table with `email` and `login`); names match
    case-insensitively, so must differ so."""
    people: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, entry in clean.get("people", {}).items():
        address = entry.get("email") if isinstance(entry, dict) else entry
        if address is None:
            continue  # the schema reported it missing
        where = ("people", name)
        if not name.strip():
            problems.add(where, "config.person_name")
        elif name.casefold() in seen:
            problems.add(where, "config.person_twice", other=seen[name.casefold()])
        else:
            seen[name.casefold()] = name
            people[name] = address
    return people


def _parse_calendars(
    bodies: Mapping[str, Body],
    tz: ZoneInfo,
    problems: Problems,
    workdays: calendar.WorkingDays,
) -> dict[str, calendar.BodyCalendar]:
    """Each body's own calendar; a person's comes from the body it hands over to."""
    calendars: dict[str, calendar.BodyCalendar] = {}
    for key, body in bodies.items():
        if body.kind == "persoon":
            try:
                calendar.Lead.parse(body.handover_lead or "0 dagen")
            except CalendarError as exc:
                problems.add(("bodies", key, "handover_lead"), "config.lead", problem=exc)
            continue
        if not body.calendar:
            continue
        parsed, found = calendar.parse_calendar(key, body.calendar, tz, workdays, at=problems.at)
        problems.extend(found)
        if parsed is not None:
            calendars[key] = parsed
    return calendars


def handover_time(body: Body) -> dt.time | None:
    """The time of day a person's hand-over is due, when `handover_at` gives one."""
    if body.handover_at is None or ":" not in body.handover_at:
        return None
    return dt.time.fromisoformat(body.handover_at)


def _check_handover_at(body: Body, bodies: Mapping[str, Body], problems: Problems) -> None:
    value = body.handover_at
    if value is None:
        return
    if ":" in value:
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            pass
        else:
            return
    elif value in bodies and bodies[value].kind != "persoon":
        return
    problems.add(("bodies", body.key, "handover_at"), "config.handover_at", value=value)


def _parse_bodies(
    data: Mapping[str, Any], clean: Mapping[str, Any], problems: Problems
) -> dict[str, Body]:
    if not data.get("bodies"):  # absent or empty; another type is the schema's to report
        problems.add(("bodies",), "config.bodies_missing")
    bodies: dict[str, Body] = {}
    for key, table in clean.get("bodies", {}).items():
        where = ("bodies", key)
        given = data["bodies"][key]  # as written: a handover_to of the wrong type is not missing
        if not re.fullmatch(r"[a-z][a-z0-9-]*", key):
            problems.add(where, "config.body_key")
        kind = table.get("kind", "")
        if "kind" in table and kind not in BODY_KINDS:
            problems.add(
                (*where, "kind"), "config.body_kind", kind=kind, kinds=", ".join(BODY_KINDS)
            )
        calendar = table.get("calendar", {})
        if kind == "persoon" and calendar:
            problems.add((*where, "calendar"), "config.person_calendar", where=dotted(where))
        if kind == "persoon" and not given.get("handover_to"):
            problems.add(where, "config.person_handover")
        bodies[key] = Body(
            key=key,
            name=_name(table.get("name", key)),
            kind=kind,
            email=tuple(table.get("email", [])),
            description=clean_text(table.get("description", "")),
            calendar=calendar,
            handover_to=table.get("handover_to"),
            handover_lead=table.get("handover_lead") or None,
            handover_at=table.get("handover_at") or None,
            location=_name(table.get("location", "")) or None,
            chair=_name(table.get("chair", "")) or None,
            agenda_before=_parts(table, "before"),
            agenda_after=_parts(table, "after"),
            attendees=tuple(n for n in (_name(a) for a in table.get("attendees", [])) if n),
            late=_late_policy(table, where, problems),
            late_exception_lead=_exception_lead(table, where, problems),
        )
    return bodies


def _parts(table: Mapping[str, Any], side: str) -> tuple[str, ...] | None:
    """`[bodies.X.agenda] before/after`: the parts as written (routing.read.agenda_parts reads
    them), blanks left out; None when the key is absent."""
    if side not in table.get("agenda", {}):
        return None
    return tuple(part for part in map(_name, table["agenda"][side]) if part)


def _templates(clean: Mapping[str, Any], path: Path) -> Path | None:
    """`[documents] templates`, relative to routing.toml; whether it exists is checked when a
    document is made, so a missing folder does not stop every other command."""
    folder = clean.get("documents", {}).get("templates", "").strip()
    return (path.parent / Path(folder).expanduser()).resolve() if folder else None


def _late_policy(table: Mapping[str, Any], where: tuple[str, ...], problems: Problems) -> str:
    value = table.get("late", "next")
    policy = LATE_POLICIES.get(str(value).strip().lower())
    if policy is None:
        problems.add(
            (*where, "late"), "config.body_late", value=value,
            choices="toestaan, weigeren, volgende, uitzondering (allow, refuse, next, exception)",
        )  # fmt: skip
        return "next"
    return policy


def _exception_lead(table: Mapping[str, Any], where: tuple[str, ...], problems: Problems) -> str:
    value = str(table.get("late_exception_lead", "1 werkdag")).strip()
    try:
        calendar.Lead.parse(value)
    except CalendarError as exc:
        problems.add((*where, "late_exception_lead"), "config.lead", problem=exc)
        return "1 werkdag"
    return value


def _name(value: str) -> str:
    """A name from the file: made safe to show and mail (one line, no controls), not refused."""
    return one_line(value, LIMITS["name"])
