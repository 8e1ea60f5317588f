"""The one checker of routing.toml: every problem at once, each with the line of its key, and
the schema's keys equal to the documented ones."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from routing import calendar, i18n
from routing.config import schema
from routing.config.file import parse_config
from routing.config.lines import KeyLines
from routing.errors import ConfigError
from tests.conftest import starter_text

ROOT = Path(__file__).resolve().parent.parent
DAEMON_ALLOWED = (
    "calendar_warning_weeks, commitment_reminder_days, cron, feedback, feedback_owner, "
    "retry_backoff_minutes, "
    "retry_max_attempts, rollover_after_days, sweep_every_minutes"
)
CALENDAR_ALLOWED = (
    "closed, dates, exdates, papers_lead, papers_time, recess, reminder_lead, rrule, rules, "
    "skip_holidays, start"
)


def edited(*edits: tuple[str, str]) -> str:
    text = starter_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/tmp/routing.toml"))
    return caught.value.problems


def line_of(text: str, needle: str) -> int:
    """The line holding `needle`, which must be on exactly one line."""
    found = [n for n, row in enumerate(text.splitlines(), 1) if needle in row]
    assert len(found) == 1, (needle, found)
    return found[0]


# --- unknown keys: named with their line and the allowed keys --------------------------------


@pytest.mark.parametrize(
    ("anchor", "added", "expected"),
    [
        (
            "sweep_every_minutes = 5\n",
            "sweep_evry_minutes = 5\n",
            f"daemon.sweep_evry_minutes: onbekende sleutel (regel {{line}}); toegestaan: "
            f"{DAEMON_ALLOWED}",
        ),
        (
            "starttls = false\n",
            "smtp_user_name = 'x'\n",
            "notify.smtp_user_name: onbekende sleutel (regel {line}); toegestaan: backoff_s, "
            "channel, digest_time, folder, mail, max_attempts, sender, smtp_host, smtp_port, "
            "starttls, timeout_s",
        ),
        (
            'every = "kwartaal"\n',
            'weekday = "maandag"\n',
            "ei.digest.weekday: onbekende sleutel (regel {line}); toegestaan: body, every",
        ),
        (
            '[bodies.pfho-wp.calendar]\nrrule = "FREQ=MONTHLY',
            'papres_lead = "5 werkdagen"\n',
            "bodies.pfho-wp.calendar.papres_lead: onbekende sleutel (regel {line}); "
            f"toegestaan: {CALENDAR_ALLOWED}",
        ),
    ],
    ids=["daemon", "notify", "ei.digest", "calendar"],
)
def test_an_unknown_key_is_named_with_its_own_line(anchor: str, added: str, expected: str) -> None:
    # the key goes on the line after the anchor's first line
    first, _, rest = anchor.partition("\n")
    text = edited((anchor, f"{first}\n{added}{rest}"))
    line = line_of(text, added.strip())
    assert problems_of(text) == [expected.format(line=line)]


def test_an_unknown_key_in_a_rule_table_and_in_a_recess_entry() -> None:
    rule = (
        'rules = [\n    { rrule = "FREQ=MONTHLY;BYDAY=1MO", start = "2024-01-08T10:00" },\n'
        '    { rrule = "FREQ=MONTHLY;BYDAY=3MO", start = "2024-01-15T10:00", tot = "2025" },\n]\n'
    )
    text = edited(
        (
            'papers_lead = "7 werkdagen"\nreminder_lead',
            f'{rule}papers_lead = "7 werkdagen"\nreminder_lead',
        ),
        (
            '{ name = "zomerreces 2026", start = "2026-07-13", end = "2026-08-21" },\n]\n'
            'papers_lead = "5 werkdagen"',
            '{ name = "zomerreces 2026", start = "2026-07-13", einde = "2026-08-21" },\n]\n'
            'papers_lead = "5 werkdagen"',
        ),
    )
    rule_line, recess_line = line_of(text, 'tot = "2025"'), line_of(text, 'einde = "2026-08-21"')
    assert problems_of(text) == [
        f"bodies.regieteam.calendar.recess[2].einde: onbekende sleutel (regel {recess_line}); "
        "toegestaan: end, name, start",
        f"bodies.regieteam.calendar.recess[2].end: ontbreekt, maar is verplicht (regel "
        f"{recess_line})",
        f"bodies.pfho-wp.calendar.rules[1].tot: onbekende sleutel (regel {rule_line}); "
        "toegestaan: exdates, rrule, start",
    ]


def test_an_array_of_tables_is_followed_to_its_entries() -> None:
    text = edited(
        (
            '[bodies.ei-ambtelijk.calendar]\nrrule = "FREQ=MONTHLY;BYDAY=1TU;BYMONTH=1,2,3,4,5,6,9,'
            '10,11,12;UNTIL=20261231T235959"\nstart = "2024-01-02T09:30"\n',
            "[bodies.ei-ambtelijk.calendar]\n"
            '[[bodies.ei-ambtelijk.calendar.rules]]\nrrule = "FREQ=MONTHLY;BYDAY=1TU"\n'
            'start = "2024-01-02T09:30"\n'
            '[[bodies.ei-ambtelijk.calendar.rules]]\nrrule = "FREQ=MONTHLY;BYDAY=3TU"\n'
            'start = "2024-01-16T09:30"\nexdates = ["2024-02-20", "20-03-2024"]\n'
            "[bodies.ei-ambtelijk.calendar.rules.extra]\n",
        ),
    )
    exdates = line_of(text, '"20-03-2024"')
    table = line_of(text, "rules.extra]")
    assert problems_of(text) == [
        f"bodies.ei-ambtelijk.calendar.rules[1].extra: onbekende sleutel (regel {table}); "
        "toegestaan: exdates, rrule, start",
        f"bodies.ei-ambtelijk.calendar.rules[1].exdates[1]: '20-03-2024' is geen datum; "
        f"schrijf 2024-12-24 (regel {exdates})",
    ]


# --- wrong types, missing keys, secrets --------------------------------------------------------


def test_wrong_types_say_what_is_expected_with_the_line() -> None:
    text = edited(
        ("smtp_port = 25", "smtp_port = 25.5"),
        ("starttls = false", 'starttls = "nee"'),
        ("sweep_every_minutes = 5", 'sweep_every_minutes = "5"'),
        ('cron = ["0 7 * * 1-5"]', 'cron = "0 7 * * 1-5"'),
        ('topics = ["llo",', 'topics = [3, "llo",'),
        ('papers_lead = "10 werkdagen"', "papers_lead = 10"),
        ('[bodies.pfho-ew]\nname = "Informeel PFHO Economie & Werk"', "[bodies.pfho-ew]\nname = 7"),
        ('body = "pfho-ei"', "body = true"),
    )
    found = problems_of(text)

    def at(needle: str) -> str:
        return f"(regel {line_of(text, needle)})"

    assert found == [
        f"ei.topics[0]: moet een tekst tussen aanhalingstekens zijn, maar is 3 {at('topics = [3')}",
        f"ei.digest.body: moet een tekst tussen aanhalingstekens zijn, maar is True "
        f"{at('body = true')}",
        f"notify.smtp_port: 25.5 heeft het verkeerde type {at('smtp_port')}; verwacht een geheel "
        "getal",
        f"notify.starttls: moet true of false zijn {at('starttls')}",
        f"daemon.sweep_every_minutes: moet een geheel getal > 0 zijn, maar is '5' "
        f"{at('sweep_every_minutes')}",
        f'daemon.cron: moet een lijst van crontab-regels zijn, bijvoorbeeld ["0 7 * * 1-5"] '
        f"{at('cron =')}",
        f"bodies.pfho-ew.name: moet een tekst tussen aanhalingstekens zijn, maar is 7 "
        f"{at('name = 7')}",
        f"bodies.pfho-ew.calendar.papers_lead: moet een tekst tussen aanhalingstekens zijn, maar "
        f"is 10 {at('papers_lead = 10')}",
    ]


def test_tables_that_are_not_tables_and_a_missing_kind() -> None:
    text = edited(
        ("[ei.digest]\n", "[ei.digest_old]\n"),
        ('topics = ["llo",', 'digest = "kwartaal"\ntopics = ["llo",'),
        ('name = "PFHO Economie & Innovatie"\nkind = "bestuurlijk"\n', 'name = "PFHO E&I"\n'),
    )
    assert problems_of(text) == [
        'ei.digest: moet een tabel zijn, bijvoorbeeld { body = "pfho-ei", every = "kwartaal" } '
        f"(regel {line_of(text, 'digest = ')})",
        f"ei.digest_old: onbekende sleutel (regel {line_of(text, '[ei.digest_old]')}); "
        "toegestaan: digest, topics",
        "bodies.pfho-ei.kind: ontbreekt, maar is verplicht "
        f"(regel {line_of(text, '[bodies.pfho-ei]')})",
    ]


def test_a_secret_is_refused_with_its_line_and_the_variable_to_use() -> None:
    text = edited(("starttls = false\n", 'starttls = false\npassword = "geheim"\n'))
    line = line_of(text, 'password = "geheim"')
    assert problems_of(text) == [
        "notify.password: geheimen horen niet in routing.toml; zet de waarde in de "
        f"omgevingsvariabele ROUTING_SMTP_PASSWORD (regel {line})"
    ]


# --- every problem at once ---------------------------------------------------------------------


def test_eight_different_problems_give_eight_lines() -> None:
    text = edited(
        ('language = "nl" ', 'language = "fr" '),
        ('timezone = "Europe/Amsterdam"', 'timezone = "Europe/Hilversum"'),
        ('url = ""', 'url = "postgres://routing@localhost/routing"'),
        ("sweep_every_minutes = 5", "sweep_every_minutes = 5\nsweep_evry = 3"),
        ('every = "kwartaal"', 'every = "week"'),
        ('channel = "file"', 'channel = "fax"'),
        ('papers_lead = "10 werkdagen"', 'papers_lead = "tien werkdagen"'),
        ('"Sander Bakker" = "s.bakker@regiogv.example"', '"Sander Bakker" = "sander"'),
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/tmp/routing.toml"))
    found = caught.value.problems
    assert len(found) == 8, found
    assert all(re.search(r" \(regel \d+\)", problem) for problem in found), found
    shown = str(caught.value).splitlines()
    assert shown[0] == "/tmp/routing.toml: 8 problemen:"
    assert shown[1:] == [f"  {problem}" for problem in found]
    keys = [problem.split(":")[0] for problem in found]
    assert sorted(keys) == sorted(
        [
            "language", "region.timezone", "database.url", "daemon.sweep_evry",
            "ei.digest.every", "notify.channel", "bodies.pfho-ew.calendar.papers_lead",
            'people."Sander Bakker"',
        ]
    )  # fmt: skip


def test_lines_and_messages_in_english() -> None:
    i18n.set_language("en")
    text = edited(("sweep_every_minutes = 5", "sweep_every_minutes = 5\nsweep_evry = 3"))
    assert problems_of(text) == [
        f"daemon.sweep_evry: unknown key (line {line_of(text, 'sweep_evry')}); allowed: "
        f"{DAEMON_ALLOWED}"
    ]


def test_a_valid_file_reads_as_before() -> None:
    config = parse_config(starter_text(), Path("/tmp/routing.toml"))
    assert config.notify.smtp_port == 25 and config.notify.timeout_s == 30.0
    assert config.daemon.cron == ("0 7 * * 1-5",)
    assert config.secretariat_email == ("secretariaat.wp@regiogv.example",)
    assert len(config.calendars["regieteam"].recesses) == 3
    # one text where a list is allowed is a list of one, TOML dates are dates
    text = edited(
        (
            'email = ["secretariaat.wp@regiogv.example"]',
            'email = "secretariaat.wp@regiogv.example"',
        ),
        ("closed = []", "closed = [2024-12-27]"),
    )
    config = parse_config(text, Path("/tmp/routing.toml"))
    assert config.secretariat_email == ("secretariaat.wp@regiogv.example",)
    assert not config.workdays.is_working_day(dt.date(2024, 12, 27))


# --- the lines of a TOML text ------------------------------------------------------------------


def test_key_lines_follow_tables_inline_tables_arrays_and_strings() -> None:
    text = (
        'a = """x "" y\n'  # 1
        'z = 1"""\n'  # 2: still the string
        "[[r]]\n"  # 3
        "q = 1\n"  # 4
        "[[r]]\n"  # 5
        "q = 'c:\\\\'\n"  # 6
        "[r.s]\n"  # 7
        '"k.1" = { x = [1, {y = 2}], "w" = "\\"}" }\n'  # 8
        "[t]  # a comment [u]\n"  # 9
        "u.v = 1979-05-27 07:32:00\n"  # 10
        "list = [\n"  # 11
        "  1,  # one\n"  # 12
        "  2,\n"  # 13
        "]\n"  # 14
    )
    tomllib.loads(text)  # valid TOML
    lines = KeyLines(text)
    assert lines.line(("a",)) == 1
    assert lines.line(("z",)) is None
    assert lines.line(("r", 0, "q")) == 4
    assert lines.line(("r", 1)) == 5
    assert lines.line(("r", 1, "s", "k.1", "x", 1, "y")) == 8
    assert lines.line(("r", 1, "s", "k.1", "w")) == 8
    assert lines.line(("t", "u", "v")) == 10
    assert lines.line(("t", "list", 1)) == 13
    assert lines.line(("t", "nothing")) == 9  # a missing key: the line of its table
    assert lines.line(("r",)) == 3


def test_a_table_only_implied_by_a_deeper_header_gets_that_header_line() -> None:
    text = "x = 1\n\n[bodies.a.calendar]\ndates = []\n"
    assert KeyLines(text).line(("bodies", "a")) == 3


# --- the schema and the documented keys are equal ----------------------------------------------


def _paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, prefix)


def _schema_name(path: tuple[str, ...]) -> str:
    """A path as the schema names it: a free key (a body, a person) becomes `*`."""
    spec: schema.Spec | None = schema.ROOT
    names = []
    for key in path:
        while isinstance(spec, schema.ListOf):
            spec = spec.item
        if isinstance(spec, schema.MapOf):
            names.append("*")
            spec = spec.value
        elif isinstance(spec, schema.Table) and key in spec.keys:
            names.append(key)
            spec = spec.keys[key]
        else:
            names.append(key)
            spec = None
    return ".".join(names)


def _starter_keys() -> set[str]:
    """Every key starter.toml sets, and every one a comment shows as `# key = value`."""
    text = (ROOT / "routing" / "starter.toml").read_text(encoding="utf-8")
    found = {_schema_name(p) for p in _paths(tomllib.loads(text))}
    table: tuple[str, ...] = ()
    for row in text.splitlines():
        header = re.match(r"^\[+([^\]]+)\]+", row)
        if header:
            table = tuple(part.strip().strip('"') for part in header.group(1).split("."))
        elif row.startswith("#"):
            try:
                shown = tomllib.loads(row.lstrip("#").strip())
            except tomllib.TOMLDecodeError:
                continue  # prose
            found |= {_schema_name((*table, *p)) for p in _paths(shown)}
    return found


def _readme_keys() -> set[str]:
    """Every key the README names as `[table] key`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = set()
    for table, key in re.findall(r"`\[([^\]`]+)\]\s+([A-Za-z_]+)", text):
        path = (*table.split("."), key)
        found |= {_schema_name(path[:n]) for n in range(1, len(path) + 1)}
    return found


def test_every_allowed_key_is_documented_and_every_documented_key_allowed() -> None:
    allowed = set(schema.key_paths())
    starter, readme = _starter_keys(), _readme_keys()
    assert sorted(allowed - (starter | readme)) == [], "document these in starter.toml"
    assert sorted(starter - allowed) == [], "starter.toml shows keys the checker refuses"
    assert sorted(readme - allowed) == [], "README names keys the checker refuses"


def test_the_calendar_reads_the_keys_the_schema_allows() -> None:
    assert set(schema.CALENDAR.keys) == calendar.CALENDAR_KEYS
