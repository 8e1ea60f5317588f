"""Hostile text: refused where it enters, shown as text wherever it leaves.

A corpus of escape sequences, rich markup, C1 codes, bidi overrides, Markdown/HTML/ICS and mail
header injections is written straight into the store (as old data, or data from before the entry
checks, would be), then rendered through every view and document: the in-process CLI at a real
width, a real pseudo-terminal, the .eml files of the file channel, Markdown, HTML and .ics. The
checks are on the bytes: nothing a terminal, a mail reader or a calendar would act on, and the
literal text still there in a visible form. The same strings typed at the command line are
refused with exit 2 and leave the database as it was.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import icalendar
import pytest
from markdown_it import MarkdownIt

from routing.runtime import Runtime
from routing.text import LIMITS, checked_block, checked_line, clean, json_text, one_line, visible
from tests.conftest import ROUTING, InProcessCli, in_terminal

HOSTILE = [
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b]8;;file:///etc/passwd\x1b\\klik\x1b]8;;\x1b\\",
    "[link=file:///etc/passwd]x[/link]",
    "[bold red]rood",
    ":warning: emoji",
    "\x9b2J c1",
    "bel\x07 nul\x00 del\x7f",
    "cr\rterug",
    "omgekeerd \u202egnp.exe",
    "isolaat \u2066x\u2069",
    "nul\u200bbreedte",
    "lang " + "x" * 3000,
    "<script>alert(1)</script>",
    "[klik](javascript:alert(1)) ![img](http://evil/x.png)",
    "| a | b |",
    "# kop",
    "uitgelicht\n===",
    "\r\nATTENDEE:mailto:evil@example.org",
    "onderwerp\r\nBcc: x@y.example",
]
# what may never reach a terminal, a document, a mail or a calendar file
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own colours, in a real terminal only
NOW = "2024-02-14T09:00"


def _forbidden(text: str, *, allow_cr: bool = False) -> list[str]:
    found = [repr(m.group()) for m in _FORBIDDEN.finditer(text)]
    return [f for f in found if not (allow_cr and f == repr("\r"))]


def _dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


@pytest.fixture
def hostile(cli: InProcessCli, config_path: Path) -> dict[str, object]:
    """Items on the Regieteam of 20 Feb 2024 whose every user field is hostile, written straight
    into the store; a closed meeting with hostile notes; an extra meeting with a hostile place;
    pending mail with hostile subjects and bodies."""
    db_path = config_path.parent / "routing.db"
    cli("init", "--now", "2024-01-01T00:00")
    at = ("--now", "2024-02-05T09:00")
    ids = []
    for n in range(len(HOSTILE)):
        created = cli("new", f"P{n}", "--flow", "agendapunt-stuurgroep", "--kenmerk", f"K{n}",
                      "--owner", "Kevin van Pernis", "--voor", "besluitvorming", *at)  # fmt: skip
        ids.append(int(created.stdout.strip()))
    with closing(sqlite3.connect(db_path)) as db, db:
        for item_id, bad in zip(ids, HOSTILE, strict=True):
            db.execute(
                "UPDATE item SET title = ?, kenmerk = ?, owner = ? WHERE id = ?",
                (bad, bad[:40], bad[:60], item_id),
            )
    for item_id in ids:  # the messages of these moves are built from the hostile titles
        cli("move", str(item_id), "agenderen", *at)
    outcomes = [arg for item_id in ids for arg in ("-o", f"{item_id}=doorzetten")]
    cli("meeting", "close", "regieteam", "2024-02-20", *outcomes, "--now", "2024-02-20T12:00")
    cli("meeting", "add", "pfho-wp", "2024-03-28T10:00", "--reason", "R", "--location", "L",
        "--now", "2024-02-21T09:00")  # fmt: skip
    with closing(sqlite3.connect(db_path)) as db, db:
        for item_id, bad in zip(ids, HOSTILE, strict=True):
            db.execute("UPDATE audit_event SET note = ?, actor = ? WHERE item_id = ?",
                       (bad, bad[:30], item_id))  # fmt: skip
        db.execute(
            "UPDATE meeting SET location = ? WHERE location = 'L'", (HOSTILE[0] + HOSTILE[18],)
        )
        db.execute("UPDATE meeting_change SET reason = ?", (HOSTILE[2] + HOSTILE[19],))
        rows = db.execute("SELECT id FROM outbox WHERE status = 'pending' ORDER BY id").fetchall()
        assert rows, "the scenario must leave mail to deliver"
        for (row_id,), bad in zip(rows, HOSTILE * 10, strict=False):
            db.execute(
                "UPDATE outbox SET subject = subject || ?, body = body || ? WHERE id = ?",
                (bad, "\n" + bad, row_id),
            )
        # a message and an effect given up, with a reason that quotes user text
        columns = [c[1] for c in db.execute("PRAGMA table_info(outbox)") if c[1] != "id"]
        changed = {"key": "key || '-x'", "message_id": "message_id || '-x'", "status": "'failed'",
                   "attempts": "3", "last_error": "?"}  # fmt: skip
        db.execute(
            f"INSERT INTO outbox ({', '.join(columns)}) SELECT"
            f" {', '.join(changed.get(c, c) for c in columns)} FROM outbox WHERE id = ?",
            (HOSTILE[0] + HOSTILE[3], rows[0][0]),
        )
        db.execute(
            "INSERT INTO effect_failure (key, kind, item_id, attempts, first_at, next_attempt_at,"
            " last_error, failed_at) VALUES (?, 'digest', NULL, 5, ?, NULL, ?, ?)",
            ("digest:\x1b]0;pwned\x07", "2024-02-20 12:00:00.000000", HOSTILE[1] + HOSTILE[4],
             "2024-02-20 12:00:00.000000"),
        )  # fmt: skip
    return {"ids": ids, "db": db_path}


def _views(cli: InProcessCli, ids: list[int], folder: Path) -> Iterator[tuple[str, str]]:
    later = ("--now", "2024-02-21T09:00")
    yield "list", cli("list").stdout
    for item_id in ids:
        yield f"show {item_id}", cli("show", str(item_id), *later).stdout
    yield "plan", cli("plan", str(ids[0]), "--target", "uta-stuurgroep", *later).stdout
    yield "status", cli("status", *later).stdout
    yield "meetings", cli("meetings", "--from", "2024-02-01", "--to", "2024-04-30", *later).stdout
    yield "outbox", cli("outbox").stdout
    yield "check", cli("check").stdout
    yield "daemon --once", cli("daemon", "--once", *later).stdout
    yield "outbox after", cli("outbox").stdout
    yield "agenda md", cli("agenda", "pfho-wp", "--meeting", "2024-03-14", *later).stdout
    yield "besluitenlijst md", cli("besluitenlijst", "regieteam", "--meeting", "2024-02-20",
                                   *later).stdout  # fmt: skip
    for kind, meeting, body in (("agenda", "2024-03-14", "pfho-wp"),
                                ("besluitenlijst", "2024-02-20", "regieteam")):  # fmt: skip
        for fmt in ("md", "html"):
            target = folder / f"{kind}.{fmt}"
            cli(kind, body, "--meeting", meeting, "-f", fmt, "-o", str(target), *later)
            yield f"{kind} {fmt} file", target.read_bytes().decode("utf-8")


def test_hostile_text_in_the_store_is_shown_never_interpreted(
    cli: InProcessCli, hostile: dict[str, object], tmp_path: Path
) -> None:
    ids = hostile["ids"]
    assert isinstance(ids, list)
    outputs = dict(_views(cli, ids, tmp_path))
    for name, text in outputs.items():
        assert not _forbidden(text), f"{name}: {_forbidden(text)}"
        assert "\x1b" not in text and "\x9d" not in text, name  # so no OSC 8 link either
    terminal = "\n".join(v for k, v in outputs.items() if not k.startswith(("agenda", "besluit")))
    # the literal text is there, in a visible form
    for shown in ("␛]0;pwned␇", "␛[2J", "[link=file:///etc/passwd]x[/link]", "[bold red]rood",
                  ":warning: emoji", "<U+009B>2J", "<U+202E>gnp.exe", "<U+2066>x<U+2069>",
                  "nul<U+200B>breedte", "<script>alert(1)</script>", "digest:␛]0;pwned␇"):  # fmt: skip
        assert shown in terminal, shown
    assert "⚠ emoji" not in terminal  # no emoji code replaced


def test_documents_escape_markdown_and_html_and_drop_controls(
    cli: InProcessCli, hostile: dict[str, object], tmp_path: Path
) -> None:
    ids = hostile["ids"]
    assert isinstance(ids, list)
    later = ("--now", "2024-02-21T09:00")
    for kind, meeting, body in (("agenda", "2024-03-14", "pfho-wp"),
                                ("besluitenlijst", "2024-02-20", "regieteam")):  # fmt: skip
        text = cli(kind, body, "--meeting", meeting, *later).stdout
        assert not _forbidden(text), kind
        tokens = [tok for block in MarkdownIt("commonmark").enable("table").parse(text)
                  for tok in [block, *(block.children or [])]]  # fmt: skip
        types = {tok.type for tok in tokens}
        assert not types & {"link_open", "image", "html_inline", "html_block", "table_open",
                            "hr", "code_inline", "fence"}, (kind, types)  # fmt: skip
        assert [tok.tag for tok in tokens if tok.type == "heading_open"] == ["h1"], kind
        assert "alert(1)" in text and "javascript:alert(1)" in text  # shown, as text
        target = tmp_path / f"{kind}.html"
        cli(kind, body, "--meeting", meeting, "-f", "html", "-o", str(target), *later)
        page = target.read_text(encoding="utf-8")
        assert not _forbidden(page), kind
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_mail_headers_carry_no_line_break_and_bodies_no_controls(
    cli: InProcessCli, hostile: dict[str, object], config_path: Path
) -> None:
    cli("daemon", "--once", "--now", "2024-02-21T09:00")
    files = sorted((config_path.parent / "outbox").glob("*.eml"))
    assert files
    hostile_subjects = 0
    for path in files:
        raw = path.read_bytes()
        header_block = raw.split(b"\r\n\r\n" if b"\r\n\r\n" in raw else b"\n\n", 1)[0]
        names = [line.split(b":", 1)[0] for line in header_block.splitlines()
                 if line and not line[:1].isspace()]  # fmt: skip
        assert b"Bcc" not in names and b"ATTENDEE" not in names, path.name
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw), path.name
        message = email.message_from_bytes(raw, policy=email.policy.default)
        subject = str(message["Subject"])
        assert not _forbidden(subject) and "\n" not in subject and "\r" not in subject
        hostile_subjects += "pwned" in subject or "Bcc: x@y.example" in subject
        for part in message.walk():  # the text, and an invitation's calendar next to it
            if not part.is_multipart():
                assert not _forbidden(part.get_content()), path.name
    assert hostile_subjects, "the corpus reached the subjects"


def test_ics_export_escapes_and_drops_controls(
    cli: InProcessCli, hostile: dict[str, object], tmp_path: Path
) -> None:
    target = tmp_path / "vergaderingen.ics"
    cli("meetings", "--from", "2024-02-01", "--to", "2024-04-30", "--ics", str(target),
        "--now", "2024-02-21T09:00")  # fmt: skip
    raw = target.read_bytes()
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)", raw)
    text = raw.decode("utf-8")
    assert not _forbidden(text, allow_cr=True)
    assert not re.search(r"^ATTENDEE", text, re.MULTILINE)
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    locations = [str(e.get("LOCATION")) for e in events if e.get("LOCATION")]
    assert any("]0;pwned" in loc and "ATTENDEE:mailto:evil@example.org" in loc for loc in locations)
    descriptions = "".join(str(e.get("DESCRIPTION", "")) for e in events)
    assert "<script>alert(1)</script>" in descriptions


def test_json_stays_faithful(cli: InProcessCli, hostile: dict[str, object]) -> None:
    ids = hostile["ids"]
    assert isinstance(ids, list)
    for item_id, bad in zip(ids, HOSTILE, strict=True):
        raw = cli("show", str(item_id), "--json").stdout
        assert not _forbidden(raw) and "\x1b" not in raw
        assert json.loads(raw)["title"] == bad


def test_a_real_terminal_gets_only_rich_colours(
    cli: InProcessCli, hostile: dict[str, object], config_path: Path
) -> None:
    ids = hostile["ids"]
    assert isinstance(ids, list)
    for args in (("list",), ("show", str(ids[0]), "--now", NOW), ("status", "--now", NOW),
                 ("outbox",)):  # fmt: skip
        raw = _in_pty(config_path, *args)
        assert "\x1b[" in raw, "a terminal gets colours"
        plain = _SGR.sub("", raw)
        assert not _forbidden(plain, allow_cr=True), (args, _forbidden(plain, allow_cr=True))
        assert "\x1b" not in plain, args


def _in_pty(config: Path, *args: str) -> str:
    """`routing ARGS` with its stdout on a pseudo-terminal, as a secretary sees it."""
    env = {**os.environ, "ROUTING_CONFIG": str(config), "COLUMNS": "120", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    code, shown, error = in_terminal([ROUTING, *args], env)
    assert code == 0, error
    return shown


# --- at entry: refused, one Dutch line, nothing changed ---------------------------------------

REFUSED_LINE = [
    bad for bad in HOSTILE if re.search("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", bad)
]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "\x1b]0;pwned\x07", "--flow", "initiatief"), "Titel: teken U+001B op positie 1"),
        (("new", "titel\nmet regel", "--flow", "initiatief"), "Titel: teken U+000A op positie 6"),
        (("new", "A\tB", "--flow", "initiatief"), "Titel: teken U+0009"),
        (("new", "omgekeerd \u202egnp.exe", "--flow", "initiatief"),
         "Titel: teken U+202E op positie 11 keert de leesrichting om"),
        (("new", "x", "--flow", "initiatief", "--kenmerk", "DOC\x9b2J"), "Kenmerk: teken U+009B"),
        (("new", "x", "--flow", "initiatief", "--kenmerk", "\u2066DOC"), "Kenmerk: teken U+2066"),
        (("new", "x", "--flow", "initiatief", "--note", "a\x00b"), "Notitie: teken U+0000"),
        (("new", "x" * 201, "--flow", "initiatief"), "Titel is 201 tekens lang; het maximum is 200"),
        (("edit", "1", "--title", "[bold red]x\x1b[2J"), "Titel: teken U+001B op positie 12"),
        (("edit", "1", "--kenmerk", "K\x07"), "Kenmerk: teken U+0007"),
        (("edit", "1", "--owner", "Kevin\x1b"), "Eigenaar: teken U+001B"),
        (("move", "1", "agenderen", "--note", "ok\r\nBcc: x@y\x1b"), "Notitie: teken U+001B"),
        (("move", "1", "agenderen", "--note", "n" * 4001), "het maximum is 4000"),
        (("stukken", "1", "--note", "\x1b]8;;file:///etc/passwd\x1b\\"), "Notitie: teken U+001B"),
        (("meeting", "move", "regieteam", "2024-02-20", "2024-02-22", "--reason", "r\x07"),
         "Reden: teken U+0007"),
        (("meeting", "cancel", "regieteam", "2024-02-20", "--reason", "\u202e"), "Reden: teken U+202E"),
        (("meeting", "add", "pfho-wp", "2024-03-28T10:00", "--location", "Zaal\r\nATTENDEE:x"),
         "Locatie: teken U+000D"),
        (("meeting", "close", "regieteam", "2024-02-20", "-o", "1=doorzetten", "--note", "1=\x1b[2J"),
         "Notitie: teken U+001B"),
    ],
)  # fmt: skip
def test_control_characters_are_refused_where_they_enter(
    cli: InProcessCli, config_path: Path, args: tuple[str, ...], message: str
) -> None:
    cli("init", "--now", "2024-01-01T00:00")
    cli("new", "Bestaand", "--flow", "agendapunt-stuurgroep", "--now", "2024-02-05T09:00")
    cli("move", "1", "agenderen", "--now", "2024-02-05T09:00")
    before = _dump(config_path.parent / "routing.db")
    result = cli(*args, "--now", "2024-02-12T09:00", check=False)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not _forbidden(result.stderr)  # the message names the character, never echoes it
    assert _dump(config_path.parent / "routing.db") == before


def test_a_real_process_refuses_with_one_line_and_exit_2(
    cli: InProcessCli, config_path: Path
) -> None:
    result = subprocess.run(
        [ROUTING, "new", "\x1b]0;pwned\x07titel", "--flow", "initiatief"],
        capture_output=True, env={**os.environ, "ROUTING_CONFIG": str(config_path)},
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode() == (
        "routing: Titel: teken U+001B op positie 1 is een stuurteken en niet toegestaan; laat het "
        "weg (typ de tekst opnieuw in plaats van hem te plakken)\n"
    )


def test_notes_keep_line_breaks_and_tabs(cli: InProcessCli) -> None:
    cli("init", "--now", "2024-01-01T00:00")
    item = cli(
        "new", "Titel", "--flow", "initiatief", "--note", "regel 1\r\n\tregel 2"
    ).stdout.strip()
    history = json.loads(cli("show", item, "--json").stdout)["history"]
    assert history[0]["note"] == "regel 1\n\tregel 2"


# --- the rules themselves ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", REFUSED_LINE)
def test_every_hostile_line_is_refused_and_every_output_form_is_safe(bad: str) -> None:
    from routing.errors import BadInput

    with pytest.raises(BadInput, match=r"U\+[0-9A-F]{4}"):
        checked_line("title", bad)
    assert not _forbidden(visible(bad)) and "\x1b" not in visible(bad)
    assert not _forbidden(clean(bad)) and not _forbidden(one_line(bad))
    assert "\n" not in one_line(bad) and "\r" not in one_line(bad)
    assert json.loads(json_text(bad)) == bad and not _forbidden(json_text(bad))


def test_visible_is_idempotent_and_keeps_ordinary_text() -> None:
    ordinary = "Regionaal Werkcentrum — €12,50; 'één' & <b>; emoji 👩‍💻 (met ZWJ)"
    assert visible(ordinary) == ordinary == clean(ordinary) == one_line(ordinary)
    for bad in HOSTILE:
        assert visible(visible(bad)) == visible(bad)


def test_limits_are_named_per_field() -> None:
    from routing.errors import BadInput

    assert checked_line("kenmerk", "k" * LIMITS["kenmerk"]) == "k" * LIMITS["kenmerk"]
    with pytest.raises(BadInput, match="Kenmerk is 65 tekens lang; het maximum is 64"):
        checked_line("kenmerk", "k" * 65)
    with pytest.raises(BadInput, match="Reden is 1001 tekens lang; het maximum is 1000"):
        checked_block("reason", "r" * 1001)
    assert one_line("x" * 500, 200) == "x" * 199 + "…"


def test_names_from_files_are_made_safe_not_refused(tmp_path: Path) -> None:
    from tests.conftest import edited_config

    config = edited_config(('name = "Regieteam Werk & Participatie"',
                            'name = "Regieteam\\u001b]0;pwned\\u0007 \\u202eW&P"'))  # fmt: skip
    assert config.bodies["regieteam"].name == "Regieteam]0;pwned W&P"


@pytest.mark.parametrize(
    "args",
    [
        ("move", "1", "\x1b]0;pwned\x07"),
        ("show", "\x1b[2J"),
        ("flows", "[link=file:///etc/passwd]x[/link]\x9b"),
        ("new", "x", "--flow", "\x1b]8;;file:///etc/passwd\x1b\\y\x1b]8;;\x1b\\"),
        ("edit", "1", "--owner", "Onbekend \u202eiets"),
    ],
)
def test_an_error_that_echoes_input_shows_it_as_text(
    cli: InProcessCli, config_path: Path, args: tuple[str, ...]
) -> None:
    """Through `main()` in a real process: the error line passes the same function as views."""
    cli("new", "Bestaand", "--flow", "agendapunt-stuurgroep")
    result = subprocess.run(
        [ROUTING, *args], capture_output=True, env={**os.environ, "ROUTING_CONFIG": str(config_path)},
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode in (1, 2), result.stderr
    stderr = result.stderr.decode("utf-8")
    assert not _forbidden(stderr) and stderr.startswith("routing: "), stderr
    assert len(stderr.strip().splitlines()) == 1


def test_summary_and_location_from_an_ics_file_are_made_safe_not_refused() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from routing.calendar.ics_read import read_ics

    zone = ZoneInfo("Europe/Amsterdam")
    event = (
        "BEGIN:VEVENT\r\nUID:hostile-1\r\nDTSTART;TZID=Europe/Amsterdam:20250114T100000\r\n"
        "SUMMARY:\x1b]0;pwned\x07Regieteam \u202eW&P\\nATTENDEE:mailto:evil@example.org\r\n"
        "LOCATION:Zaal\x9b2J\\, 1\x00\r\nEND:VEVENT\r\n"
    )
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//NL\r\n{event}END:VCALENDAR\r\n"
    reading = read_ics(data.encode(), zone, dt.datetime(2025, 1, 1, tzinfo=zone),
                       dt.datetime(2025, 2, 1, tzinfo=zone))  # fmt: skip
    [meeting] = reading.meetings
    assert meeting.summary == "]0;pwnedRegieteam W&P ATTENDEE:mailto:evil@example.org"
    assert meeting.location == "Zaal2J, 1"


def test_the_engine_checks_before_it_writes_on_both_databases(rt: Runtime) -> None:
    """The rule lives in the engine, so every front end (CLI, daemon, a script) gets it."""
    from routing.engine.edits import edit_item
    from routing.engine.items import ItemSpec, create_item, move
    from routing.errors import BadInput
    from store import queries

    item = create_item(rt, ItemSpec(title="Goed", flow="initiatief", note="regel 1\n\tregel 2"))
    assert item.id is not None
    attempts = [
        lambda: create_item(rt, ItemSpec(title="a\x1b[2J", flow="initiatief")),
        lambda: create_item(rt, ItemSpec(title="a", flow="initiatief", note="\x00")),
        lambda: create_item(rt, ItemSpec(title="a", flow="initiatief", topics=["x\x07"])),
        lambda: edit_item(rt, item.id, title="\u202egnp.exe"),
        lambda: edit_item(rt, item.id, kenmerk="k" * 65),
        lambda: move(rt, item.id, "agenderen", note="n\x9b"),
    ]
    with rt.session(read=True) as db:
        before = [(i.id, i.title, i.version) for i in queries.list_items(db)]
    for attempt in attempts:
        with pytest.raises(BadInput):
            attempt()
    with rt.session(read=True) as db:
        assert [(i.id, i.title, i.version) for i in queries.list_items(db)] == before
        assert [e.note for e in queries.audit_trail(db, item.id)] == ["regel 1\n\tregel 2"]


def test_addresses_from_the_config_carry_no_control_and_the_sender_no_line_break() -> None:
    import datetime as dt

    from routing.effects.delivery import build_message
    from routing.errors import ConfigError
    from store.schedule_models import Outbox
    from tests.conftest import edited_config

    with pytest.raises(ConfigError, match="people"):
        edited_config(('"a.devries@hilversum.example"', '"a.devries\\u001b@hilversum.example"'))
    row = Outbox(
        key="k", message_id="<k@routing>", kind="reminder", recipients=["a@b.example"],
        subject="Herinnering\r\nBcc: x@y.example \x1b]0;pwned\x07", body="regel\r\n\x1b[2Jtwee\x00",
        created_at=dt.datetime(2024, 2, 5, 9, tzinfo=dt.UTC),
    )  # fmt: skip
    raw = build_message(row, "routing@regiogv.example\r\nBcc: z@y.example").as_bytes()
    headers = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0] for line in headers.splitlines() if line[:1].strip()]
    assert b"Bcc" not in names
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", raw)
