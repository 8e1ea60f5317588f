"""Generated bad files: routing.toml, flow files and .ics calendars.

Each starts from a good file (the starter routing.toml, a shipped flow, a small calendar) and
breaks it: a value of the wrong type, a table or key taken out, an unknown key, a bad date, a
huge number, a rule that repeats every second, nesting a thousand deep, bytes that are not
UTF-8, binary junk. `routing check` and `routing meetings import` must answer 0 or 2 (a
configuration: one line per problem), never 3, never a traceback, in bounded time, and a
refused file leaves the store as it was.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.calendar.ics_read import MAX_BYTES
from tests.conftest import InProcessCli, starter_text
from tests.fuzzing import Store, bounded, dump, fuzz_settings, judge, tally

FLOWS = Path(__file__).resolve().parent.parent / "flows"

# TOML values of every type and some that are not TOML at all
VALUES = st.sampled_from(
    [
        "1", "-1", "0", "99999999999999999999999", "1e400", "nan", "-inf", "true", '""', '" "',
        '"x"', "[]", "{}", '["a", 1]', "[[]]", '{ a = 1 }', "2024-02-30", "2024-01-01",
        "1979-05-27T07:32:00Z", '"2024-02-30"', '"0001-01-01T10:00"', '"9999-12-31T23:59"',
        '"FREQ=SECONDLY"', '"FREQ=MINUTELY;COUNT=1000000000"', '"FREQ=DAILY;BYHOUR=1,2,3"',
        '"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"', '"FREQ=WEEKLY;INTERVAL=0"', '"FREQ=BOGUS"',
        '"FREQ=YEARLY;COUNT=1000000000"', '"999999999 werkdagen"', '"-3 dagen"', '"25:99"',
        '"Mars/Olympus"', '"\\u001b[2J"', '"regieteam"', '"nobody"', '"\\u0000"', "=", '"',
        "'''", "[", "{", "1979-13-45", '"' + "x" * 10_000 + '"',
    ]
)  # fmt: skip
JUNK = st.sampled_from([b"\xff\xfe", b"\x00", b"\x80\x81", b"\xc3", b"[[", b"]]", b'"', b"\r"])


def _lines_with_values(text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n")) if re.match(r"^\s*[\w\"-]+\s*=", line)]


@st.composite
def _mutated(draw: st.DrawFn, text: str) -> bytes:
    """The text with one to four edits, then perhaps damaged as bytes."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["value", "value", "delete", "unknown", "table", "dup"]))
        if kind == "value":
            n = draw(st.sampled_from(_lines_with_values("\n".join(lines)) or [0]))
            key = lines[n].split("=", 1)[0]
            lines[n] = f"{key}= {draw(VALUES)}"
        elif kind == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "unknown":
            lines.insert(
                draw(st.integers(0, len(lines))), f"onbekend_{draw(st.integers(0, 9))} = 1"
            )
        elif kind == "table":  # a whole table taken out: from its header to the next one
            headers = [n for n, line in enumerate(lines) if line.startswith("[")]
            if headers:
                start = draw(st.sampled_from(headers))
                end = next((h for h in headers if h > start), len(lines))
                del lines[start:end]
        else:
            n = draw(st.integers(0, len(lines) - 1))
            lines.insert(n, lines[n])
    data = "\n".join(lines).encode("utf-8")
    damage = draw(st.sampled_from(["none", "none", "none", "bytes", "cut", "junk", "deep"]))
    if damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(JUNK) + data[at:]
    elif damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "junk":
        data = draw(st.binary(min_size=0, max_size=300))
    elif damage == "deep":
        depth = draw(st.sampled_from([50, 1_000, 100_000]))
        data += b"\ndiep = " + b"[" * depth + b"]" * depth + b"\n"
    return data


@pytest.fixture
def store(cmd: InProcessCli, config_path: Path, tmp_path: Path) -> Iterator[Store]:
    cmd("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep", "--kenmerk", "D-1")
    cmd("move", "1", "agenderen", "--now", "2024-01-02T10:00")
    cmd("check")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    yield Store.of(cmd, config_path, scratch)
    shutil.rmtree(scratch, ignore_errors=True)


def _checked(store: Store, config: Path, data: bytes, *args: str, counted: Any = None) -> int:
    """`routing check` (or `args`) on a config written from `data`; the outcome judged."""
    store.restore()
    before = dump(store.database)
    config.write_bytes(data)
    command = args or ("check",)
    with bounded(30):
        result = store.cli(*command, "--config", str(config), check=False)
    if counted is not None:
        counted(result.returncode)
    judge(result.returncode, result.stdout, result.stderr)
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert dump(store.database) == before
    return result.returncode


def test_routing_toml_mutated(store: Store, config_path: Path) -> None:
    # next to the store's routing.toml, so a config that is still valid uses the same store
    config = config_path.parent / "mutated.toml"

    @fuzz_settings(100)
    @given(data=_mutated(starter_text()))
    def run(data: bytes) -> None:
        _checked(store, config, data, counted=counted)

    with tally("routing.toml") as counted:
        run()


def test_flow_file_mutated(store: Store, config_path: Path) -> None:
    flow_file = store.tmp / "fuzz-flow.toml"
    config = config_path.parent / "with-flow.toml"
    config.write_text(
        starter_text().replace("paths = []", f'paths = ["{flow_file}"]'), encoding="utf-8"
    )
    shipped = (FLOWS / "agendapunt-supportteam.toml").read_text(encoding="utf-8")
    own = shipped.replace('name = "agendapunt-supportteam"', 'name = "fuzz-flow"')

    @fuzz_settings(100)
    @given(data=_mutated(own))
    def run(data: bytes) -> None:
        flow_file.write_bytes(data)
        _checked(store, config, config.read_bytes(), counted=counted)

    with tally("flow file") as counted:
        run()


# --- .ics --------------------------------------------------------------------------------------

RULES = st.sampled_from(
    [
        "FREQ=SECONDLY", "FREQ=MINUTELY", "FREQ=HOURLY;INTERVAL=1", "FREQ=SECONDLY;COUNT=1000000000",
        "FREQ=DAILY", "FREQ=DAILY;COUNT=1000000000", "FREQ=DAILY;BYHOUR=9,10,11",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;BYDAY=MO;BYMONTHDAY=31;BYMONTH=2",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=2", "FREQ=WEEKLY;INTERVAL=0", "FREQ=WEEKLY;INTERVAL=-1",
        "FREQ=WEEKLY;INTERVAL=999999999999", "FREQ=WEEKLY;UNTIL=garbage", "FREQ=BOGUS",
        "FREQ=WEEKLY;BYDAY=XX", "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR", "",
        "FREQ=YEARLY;COUNT=1000000000", "FREQ=WEEKLY;UNTIL=99991231T235959Z", "COUNT=3",
    ]
)  # fmt: skip
STARTS = st.sampled_from(
    [
        "DTSTART;TZID=Europe/Amsterdam:20240305T100000", "DTSTART:20240305T090000Z",
        "DTSTART:20240305T100000", "DTSTART;VALUE=DATE:20240305", "DTSTART;TZID=Mars/Olympus:20240305T100000",
        "DTSTART;TZID=" + "x" * 300 + ":20240305T100000", "DTSTART:00010101T000000",
        "DTSTART:99991231T235959", "DTSTART:garbage", "DTSTART:", "DTSTART:18000101T100000",
        "DTSTART;TZID=W. Europe Standard Time:20240305T100000",
    ]
)  # fmt: skip
EXTRAS = st.sampled_from(
    [
        "STATUS:CANCELLED", "EXDATE:20240312T090000Z", "RDATE:20240320T090000Z,garbage",
        "RECURRENCE-ID:20240312T090000Z", "RECURRENCE-ID;RANGE=THISANDFUTURE:20240312T090000Z",
        "DTEND:99991231T000000Z", "DURATION:P99999W", "SUMMARY:\x1b]0;titel\x07", "SUMMARY:" + "é" * 500,
        "LOCATION:[link=file:///etc/passwd]x[/link]", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
        "UID:", "UID:" + "u" * 2000, "ATTENDEE;CN=\"x\":mailto:", "SEQUENCE:99999999999999999999",
    ]
)  # fmt: skip


@st.composite
def _calendar(draw: st.DrawFn) -> bytes:
    events = []
    for n in range(draw(st.integers(0, 4))):
        lines = [f"UID:fuzz-{n}", "SUMMARY:Regieteam", draw(STARTS)]
        if draw(st.booleans()):
            lines.append(f"RRULE:{draw(RULES)}")
        lines += draw(st.lists(EXTRAS, max_size=3))
        nesting = draw(st.sampled_from([0, 0, 0, 3, 2_000]))
        body = "\r\n".join(lines)
        body += "\r\n" + "BEGIN:VALARM\r\n" * nesting + "END:VALARM\r\n" * nesting
        events.append(f"BEGIN:VEVENT\r\n{body}END:VEVENT\r\n")
    head = draw(st.sampled_from(["", "X-WR-TIMEZONE:Europe/Amsterdam\r\n", "X-WR-TIMEZONE:Nergens\r\n",
                                 "CALSCALE:JULIAN\r\n", "BEGIN:VTIMEZONE\r\nTZID:x\r\nEND:VTIMEZONE\r\n"]))  # fmt: skip
    text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{head}{''.join(events)}END:VCALENDAR\r\n"
    data = text.encode("utf-8")
    damage = draw(st.sampled_from(["none", "none", "cut", "bytes", "junk", "huge", "cp1252"]))
    if damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif damage == "junk":
        data = draw(st.binary(max_size=500))
    elif damage == "huge":  # just past the reader's bound in size
        data = b"X-PAD:" + b"x" * 70 + b"\r\n"
        data = text.encode()[:40] + data * (MAX_BYTES // len(data) + 1) + text.encode()[40:]
    elif damage == "cp1252":
        data = text.replace("Regieteam", "Regieteam café").encode("cp1252", errors="replace")
    return data


def test_ics_import_of_broken_calendars(store: Store) -> None:
    file = store.tmp / "agenda.ics"
    before = dump(store.database)

    @fuzz_settings(70)
    @given(data=_calendar(), dry_run=st.booleans())
    def run(data: bytes, dry_run: bool) -> None:
        store.restore()
        file.write_bytes(data)
        args = ["meetings", "import", "regieteam", str(file), *(["--dry-run"] if dry_run else [])]
        with bounded(30):
            result = store.cli(*args, check=False)
        counted(result.returncode)
        judge(result.returncode, result.stdout, result.stderr)
        assert result.returncode in (0, 2), result.stderr
        if result.returncode == 2 or dry_run:
            assert dump(store.database) == before

    with tally(".ics import") as counted:
        run()


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=SECONDLY", "meerdere keren per dag"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "geen enkele vergadering"),
    ],
)
def test_a_rule_that_never_ends_is_refused_at_once(
    store: Store, config_path: Path, rule: str, words: str
) -> None:
    """routing.toml and an .ics: a rule that would keep the expansion busy is named, quickly."""
    config = config_path.parent / "rule.toml"
    text = starter_text().replace(
        'rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20261231T235959"', f'rrule = "{rule}"'
    )
    assert _checked(store, config, text.encode()) == 2
    result = store.cli("check", "--config", str(config), check=False)
    assert words in result.stderr and "bodies.regieteam.calendar.rrule" in result.stderr
    ics = store.tmp / "rule.ics"
    ics.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:r\r\nSUMMARY:Regieteam\r\n"
        b"DTSTART:20240305T090000Z\r\nRRULE:" + rule.encode() + b"\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    with bounded(10):
        result = store.cli("meetings", "import", "regieteam", str(ics), check=False)
    assert result.returncode == 2
    assert words in result.stderr
