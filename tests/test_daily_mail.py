"""Mail people want, over the real SMTP server on loopback: the daily overview (the default) at
`[notify] digest_time`, one mail per message for who asked for it, no commands in mail to
bodies and owners, no empty fields, and the overview exactly once across a restart and two
daemons.

Shipped calendar: three agenda points planned on the Regieteam of 20 February 2024 have their
reminders due Thursday 8 February 12:00; their papers deadline is Tuesday 13 February 12:00.
The next overview after the reminders is Friday 9 February 07:30.
"""

from __future__ import annotations

import datetime as dt
import email.message
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import store
from routing.clock import FixedClock, parse_moment
from routing.config.notify import DAILY, DIRECT, mail_mode
from routing.effects.sweep import sweep
from routing.errors import ConfigError
from routing.runtime import Runtime
from tests.conftest import InProcessCli, edited_config, mail_through
from tests.smtp import Inbox, free_port, smtp_server

SECRETARIAT = "secretariaat.wp@regiogv.example"
OWNER = "k.vanpernis@regiogv.example"  # "Kevin van Pernis" in [people]
TITLES = ("LLO-verkenning", "Talentfonds", "Werkcentrum")
# a command a secretary types: "routing stukken 3", "'routing meetings import ...'"
COMMAND = re.compile(r"\brouting\s+[a-z]")
# a field with nothing in it: "Terugkoppeling: —", "Reden: geen", a line of only a dash
EMPTY = re.compile(r"(:\s*[—-]\s*$)|(^\s*[—-]\s*$)|(Reden: geen)", re.MULTILINE)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def _edit(config: Path, old: str, new: str) -> None:
    text = config.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    config.write_text(text.replace(old, new), encoding="utf-8")


def _points(
    cmd: InProcessCli, owner: str | None = "Kevin van Pernis", kenmerk: bool = False
) -> list[str]:
    ids = []
    for n, title in enumerate(TITLES):
        extra = ["--owner", owner] if owner else []
        # a kenmerk to go on from the Regieteam, a topic that informs E&I (mode auto)
        extra += ["--kenmerk", f"DOC-2400369{n}", "--topic", "llo"] if kenmerk else []
        item = cmd("new", title, "--flow", "agendapunt-supportteam", *extra,
                   "--now", "2024-02-05T09:00")  # fmt: skip
        ids.append(item.stdout.strip())
        cmd("move", ids[-1], "agenderen", "--now", "2024-02-05T09:00")
    return ids


def _daemon(cmd: InProcessCli, now: str) -> dict[str, object]:
    report = json.loads(cmd("daemon", "--once", "--json", "--now", now).stdout)
    assert isinstance(report, dict)
    return report


def _text(message: email.message.Message) -> str:
    """The readable text (of an invitation: its text/plain part, next to the calendar)."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8").replace("\r\n", "\n")


def _to(inbox: Inbox, address: str) -> list[email.message.Message]:
    return [m for m in inbox.messages if address in str(m["To"])]


def _outbox(cmd: InProcessCli) -> list[dict[str, object]]:
    rows = json.loads(cmd("outbox", "--json").stdout)
    assert isinstance(rows, list)
    return rows


def test_the_overview_comes_at_the_configured_time_once_grouped_by_item(
    config_path: Path, cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail_through(config_path, port, each=False)
    _edit(config_path, 'digest_time = "07:30"', 'digest_time = "08:15"')
    ids = _points(cmd)
    _daemon(cmd, "2024-02-08T12:00")  # three reminders: held for the overview
    assert inbox.messages == []
    # (the feedback item of the supportteam of 17 January has its mail and reminder too)
    held = [r for r in _outbox(cmd) if r["status"] == "held" and str(r["item_id"]) in ids]
    assert sorted((r["kind"], r["recipients"][0]) for r in held) == sorted(  # type: ignore[index]
        [("reminder", SECRETARIAT)] * 3 + [("reminder", OWNER)] * 3
    )
    _daemon(cmd, "2024-02-09T08:14")  # a minute before the overview: nothing yet
    assert inbox.messages == []
    _daemon(cmd, "2024-02-09T08:15")
    # one overview for each address: the secretariat, the owner, the feedback item's owner
    sent = len(inbox.messages)
    assert sent == 3
    assert all(str(m["X-Routing-Key"]).startswith("dagoverzicht:") for m in inbox.messages)
    (overview,) = _to(inbox, SECRETARIAT)
    assert str(overview["X-Routing-Key"]) == f"dagoverzicht:{SECRETARIAT}:2024-02-09"
    assert re.fullmatch(r"Dagoverzicht vrijdag 9 februari 2024: \d+ berichten",
                        str(overview["Subject"])), overview["Subject"]  # fmt: skip
    (own,) = _to(inbox, OWNER)
    assert str(own["Subject"]) == "Dagoverzicht vrijdag 9 februari 2024: 3 berichten"
    assert _text(own).count("- Herinnering:") == 3
    text = _text(overview)
    # grouped by item: each item's name once, its reminder under it, in the items' order
    heads = [text.index(f"#{n} {title}") for n, title in zip(ids, TITLES, strict=True)]
    assert heads == sorted(heads)
    for n, title in zip(ids, TITLES, strict=True):
        assert text.count(f"#{n} {title}\n") == 1, text
    rows = _outbox(cmd)
    (daily_id,) = [r["id"] for r in rows if r["key"] == overview["X-Routing-Key"]]
    reminders = [r for r in rows if r["bundle_id"] == daily_id and r["kind"] == "reminder"]
    assert len(reminders) >= 3 and text.count("- Herinnering:") == len(reminders)
    assert "uiterlijk dinsdag 13 februari 2024 12:00" in " ".join(text.split())
    assert not COMMAND.search(text) and not EMPTY.search(text), text
    # once: later sweeps that day send nothing more, the lines are bundled in it
    _daemon(cmd, "2024-02-09T09:00")
    _daemon(cmd, "2024-02-09T17:00")
    assert len(inbox.messages) == sent
    rows = _outbox(cmd)
    daily = [r for r in rows if r["kind"] == "daily"]
    assert [r["status"] for r in daily] == ["sent"] * 3
    lines = [r for r in rows if r["kind"] == "reminder" and str(r["item_id"]) in ids]
    assert len(lines) == 6 and {r["status"] for r in lines} == {"bundled"}
    listing = cmd("outbox").stdout
    assert "in dagoverzicht" in listing and "dagoverzicht" in listing


def test_an_address_that_wants_each_message_gets_each_at_once(
    config_path: Path, cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail_through(config_path, port, each=False)
    _edit(config_path, '# Mail per bericht in plaats van het dagoverzicht (zie [notify] mail):\n'
          '# mail = "direct"', 'mail = "direct"')  # fmt: skip
    _points(cmd)
    _daemon(cmd, "2024-02-08T12:00")
    # the secretariat: three reminders, one mail each, at once; the owner waits for the overview
    # (and the feedback item's mail, about the new item)
    mails = _to(inbox, SECRETARIAT)
    assert len(mails) == len(inbox.messages)
    ours = [m for m in mails if any(title in str(m["Subject"]) for title in TITLES)]
    assert len(ours) == 3
    assert all(str(m["Subject"]).startswith("Herinnering: stukken") for m in ours)
    assert all(str(m["To"]) == SECRETARIAT for m in mails)  # the owner is not on them
    _daemon(cmd, "2024-02-09T07:30")
    (overview,) = _to(inbox, OWNER)
    assert str(overview["To"]) == OWNER and "3 berichten" in str(overview["Subject"])
    assert not any(SECRETARIAT in str(m["To"]) for m in inbox.messages[len(mails) :])


def test_an_escalation_does_not_wait_and_no_mail_names_a_command_or_an_empty_field(
    config_path: Path, cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail_through(config_path, port, each=False)
    ids = _points(cmd, kenmerk=True)
    # E&I is informed of the first, without a note: no "Terugkoppeling: —"
    for trigger in ("inbrengen", "besproken"):
        cmd("move", ids[0], trigger, "--now", "2024-02-06T09:00")
    cmd("move", ids[0], "terugkoppelen", "--now", "2024-02-06T09:00")
    # a meeting cancelled without a reason, a meeting moved with one
    cmd("meeting", "cancel", "regieteam", "2024-03-05", "--now", "2024-02-06T10:00")
    cmd("meeting", "move", "pfho-wp", "2024-03-14", "2024-03-21T14:00", "--reason",
        "Zaal bezet", "--now", "2024-02-06T10:00")  # fmt: skip
    _daemon(cmd, "2024-02-06T10:01")
    changes = [m for m in inbox.messages if str(m["X-Routing-Key"]).startswith("meeting-")]
    assert len(changes) == 2, "the meeting changes went at once"
    assert all(SECRETARIAT in str(m["To"]) for m in changes)
    cancelled, moved = (_text(m) for m in changes)
    assert "Reden" not in cancelled and "Reden: Zaal bezet" in moved
    _daemon(cmd, "2024-02-13T12:00")  # the papers deadline passed: escalations, at once
    escalations = [
        m for m in inbox.messages
        if str(m["X-Routing-Key"]).startswith("escalation:")
        and any(title in str(m["Subject"]) for title in TITLES)
    ]  # fmt: skip
    assert len(escalations) == 2  # the first item left the Regieteam
    assert {OWNER, SECRETARIAT} <= {a.strip() for a in str(escalations[0]["To"]).split(",")}
    _daemon(cmd, "2024-03-01T08:00")  # overviews, roll-overs, feedback items, all of it
    _daemon(cmd, "2024-03-04T07:30")
    assert any(str(m["X-Routing-Key"]).startswith("dagoverzicht:") for m in inbox.messages)
    ei = [m for m in inbox.messages if "ei.ambtelijk@regiogv.example" in str(m["To"])]
    assert ei, "the E&I body got its overview"
    assert "Terugkoppeling" not in _text(ei[0])
    for message in inbox.messages:
        text = f"{message['Subject']}\n{_text(message)}"
        assert not EMPTY.search(text), text
        if str(message["To"]).strip() != SECRETARIAT:  # a body, an owner: no commands
            assert not COMMAND.search(text), text


def test_the_ei_feedback_is_in_the_mail_when_there_is_one(
    config_path: Path, cmd: InProcessCli, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    mail_through(config_path, port, each=False)
    ids = _points(cmd, owner=None, kenmerk=True)
    for trigger in ("inbrengen", "besproken"):
        cmd("move", ids[1], trigger, "--now", "2024-02-06T09:00")
    cmd("move", ids[1], "terugkoppelen", "--note",
        "Supportteam positief", "--now", "2024-02-06T09:00")  # fmt: skip
    _daemon(cmd, "2024-02-07T07:30")
    (mail,) = _to(inbox, "ei.ambtelijk@regiogv.example")
    text = _text(mail)
    assert "Terugkoppeling:\n    Supportteam positief" in text or (
        "Terugkoppeling:" in text and "Supportteam positief" in text
    ), text
    assert "Doorzetten" in text or "Stap:" in text


def test_the_overview_is_sent_once_across_a_restart(config_path: Path, cmd: InProcessCli) -> None:
    down = free_port()
    mail_through(config_path, down, each=False)
    _points(cmd, owner=None)
    _daemon(cmd, "2024-02-08T12:00")
    first = _daemon(cmd, "2024-02-09T07:30")  # queued, but the mail server is down
    assert first["delivery"]["retried"] >= 1  # type: ignore[index]
    rows = _outbox(cmd)
    (daily,) = [r for r in rows if r["kind"] == "daily" and r["recipients"] == [SECRETARIAT]]
    assert daily["status"] == "pending"
    # restart with the server back: the same overview goes once, with its Message-ID
    with smtp_server(down) as (inbox, _):
        _daemon(cmd, "2024-02-09T07:31")
        _daemon(cmd, "2024-02-09T07:45")
        _daemon(cmd, "2024-02-09T09:00")
    (message,) = _to(inbox, SECRETARIAT)
    assert str(message["Message-ID"]) == daily["message_id"]
    # no line lost: every line bundled in it is in it
    bundled = [r for r in _outbox(cmd) if r["bundle_id"] == daily["id"]]
    assert len(bundled) >= 3 and {r["status"] for r in bundled} == {"bundled"}
    assert _text(message).count("\n- ") == len(bundled)


def test_two_daemons_bundle_the_overview_once(rt: Runtime) -> None:
    from routing.engine import items as engine

    rt.clock = FixedClock(parse_moment("2024-02-05T09:00", rt.config.timezone))
    for title in TITLES:
        item = engine.create_item(
            rt, engine.ItemSpec(title=title, flow="agendapunt-supportteam", owner=OWNER)
        )
        assert item.id is not None
        engine.move(rt, item.id, "agenderen")
    rt.clock = FixedClock(parse_moment("2024-02-08T12:00", rt.config.timezone))
    sweep(rt, rt.config.daemon)
    second = Runtime.open(str(rt.config.path), now="2024-02-09T07:30", actor="routing-daemon")
    rt.clock = FixedClock(parse_moment("2024-02-09T07:30", rt.config.timezone))
    start = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def run(runtime: Runtime) -> None:
        try:
            start.wait()
            sweep(runtime, runtime.config.daemon)
        except BaseException as error:  # reported below
            errors.append(error)

    try:
        threads = [threading.Thread(target=run, args=(r,)) for r in (rt, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        second.close()
    assert errors == []
    with store.session(rt.raw_engine(), write=False) as db:
        found = db.execute(sa.text("SELECT key, status, bundle_id FROM outbox ORDER BY id")).all()
    overviews = [row for row in found if row[0].startswith("dagoverzicht:")]
    assert sorted(row[0] for row in overviews) == [
        f"dagoverzicht:{OWNER}:2024-02-09",
        f"dagoverzicht:{SECRETARIAT}:2024-02-09",
    ]
    lines = [row for row in found if row[0].startswith("reminder:")]
    assert len(lines) == 6 and {row[1] for row in lines} == {"bundled"}


def test_each_address_chooses_in_routing_toml_and_a_wrong_choice_is_named_with_its_line() -> None:
    config = edited_config(
        ('mail = "dagelijks"', 'mail = "direct"'),
        ('"Kevin van Pernis" = "k.vanpernis@regiogv.example"',
         '"Kevin van Pernis" = { email = "k.vanpernis@regiogv.example", mail = "daily" }'),
        ('# mail = "direct"                 # elk bericht apart; zonder: [notify] mail',
         'mail = "dagelijks"'),
        ('digest_time = "07:30"', "digest_time = 06:45:00"),
    )  # fmt: skip
    settings = config.notify
    assert settings.digest_time == dt.time(6, 45)
    assert mail_mode(settings, "K.vanPernis@regiogv.example") == DAILY  # a person's own choice
    assert mail_mode(settings, "regieteam.wp@regiogv.example") == DAILY  # a body's
    assert mail_mode(settings, SECRETARIAT) == DIRECT  # [notify] mail, for everyone else
    with pytest.raises(ConfigError) as caught:
        edited_config(
            ('# mail = "direct"                 # elk bericht apart; zonder: [notify] mail',
             'mail = "wekelijks"'),
            ('digest_time = "07:30"', 'digest_time = "half acht"'),
        )  # fmt: skip
    assert [re.sub(r" \(regel \d+\)", "", p) for p in caught.value.problems] == [
        "notify.digest_time: 'half acht' is geen tijd; schrijf bijvoorbeeld \"07:30\"",
        "bodies.regieteam.mail: 'wekelijks' is onbekend; kies direct of dagelijks "
        "(immediate, daily)",
    ]
    assert all(re.search(r"\(regel \d+\)", p) for p in caught.value.problems)
