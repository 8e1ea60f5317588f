"""Closing a meeting as it happens: the interactive close on a real pseudo-terminal (only the
steps the rules allow, the answers visible, a refused item fixed without losing the others),
a meeting closed once, an outcome added later, the besluit and the attendance on the
besluitenlijst."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import col, select

from routing import i18n
from routing.clock import FixedClock, parse_moment
from routing.config.flows import FlowCatalog
from routing.engine import items as engine
from routing.engine.meeting_close import Answer, close_meeting, record_outcome
from routing.errors import RefusedByRules
from routing.read.decisions import decision_phrase
from routing.runtime import Runtime
from store.schedule_models import MeetingClose, MeetingOutcome
from tests.conftest import ROUTING, InProcessCli, Terminal, edited_config

AT = ("--now", "2024-02-05T09:00")
CLOSE = ("--now", "2024-02-20T13:00")


@pytest.fixture
def items(cmd: InProcessCli) -> dict[str, str]:
    """Four items on the Regieteam of 20 February 2024; `zonder` lacks the kenmerk `inbrengen`
    needs (guard heeft_kenmerk), `banen` has one."""
    made = {
        "llo": cmd("new", "Initiatief LLO-hub", "--flow", "initiatief", *AT),
        "werkcentrum": cmd("new", "Regionaal Werkcentrum", "--flow", "agendapunt-stuurgroep",
                           "--kenmerk", "DOC-1", *AT),
        "banen": cmd("new", "Banenafspraak", "--flow", "agendapunt-supportteam", "--kenmerk",
                     "DOC-2", *AT),
        "zonder": cmd("new", "Zonder kenmerk", "--flow", "agendapunt-supportteam", *AT),
    }  # fmt: skip
    ids = {name: result.stdout.strip() for name, result in made.items()}
    for item in ids.values():
        cmd("move", item, "agenderen", *AT)
    return ids


def _dump(store: Path) -> list[str]:
    with closing(sqlite3.connect(store)) as db:
        return list(db.iterdump())


def _synced_dump(cmd: InProcessCli, store: Path) -> list[str]:
    """The store once the day's calendar sync (housekeeping any command does first on a new
    day, refused or not) has run at the close's moment."""
    cmd("meetings", *CLOSE)
    return _dump(store)


def _answer(term: Terminal, step: str, decision: str = "", note: str = "") -> None:
    term.type(step)
    term.expect("Besluit:")
    term.type(decision)
    term.expect("Toelichting")
    term.type(note)


def _state(cmd: InProcessCli, item: str) -> str:
    return str(json.loads(cmd("show", item, "--json").stdout)["state"])


def _env(config_path: Path) -> dict[str, str]:
    env = {**os.environ, "ROUTING_CONFIG": str(config_path), "COLUMNS": "200"}
    env.pop("ROUTING_DEBUG", None)
    return env


def _answer_each_item(term: Terminal, items: dict[str, str]) -> None:
    """Attendance, then the four items: a number, a name, a wrong answer, a skip."""
    term.expect(
        "Vergadering Regieteam Werk & Participatie, dinsdag 20 februari 2024 10:00: 4 punten"
    )
    term.expect("Voorzitter: Anouk Pols")
    term.expect("Aanwezig [Anouk Pols, Kevin van Pernis, Annette Keates]:")
    term.type("")
    term.expect("Afwezig met kennisgeving:")
    term.type("annette keates")
    shown = term.expect("Uitkomst [0]:")
    assert f"#{items['llo']} Initiatief LLO-hub" in shown
    assert "Nu: Reactie vormen in Regieteam W&P · Regieteam Werk & Participatie" in shown
    assert "voorleggen" in shown and "→ PFHO Werk & Participatie" in shown  # names, not keys
    _answer(term, "1", "Ingestemd; het PFHO beslist op 14 maart")
    shown = term.expect("Uitkomst [0]:")
    assert f"#{items['werkcentrum']} Regionaal Werkcentrum" in shown
    _answer(term, "doorzetten")  # by name as well as by number
    shown = term.expect("Uitkomst [0]:")
    assert f"#{items['banen']} Banenafspraak" in shown and "inbrengen" in shown
    term.type("9")  # not in the list: asked again, nothing lost
    term.expect("'9' is geen uitkomst uit de lijst")
    term.expect("Uitkomst [0]:")
    _answer(term, "inbrengen", note="Stukken nagezonden")
    shown = term.expect("Uitkomst [0]:")
    assert f"#{items['zonder']} Zonder kenmerk" in shown
    assert "inbrengen" not in shown  # refused by its guard: not offered
    assert "aanhouden" in shown and "intrekken" in shown
    term.type("0")


def test_an_interactive_close_in_a_terminal_keeps_the_answers_when_one_item_is_refused(
    cmd: InProcessCli, items: dict[str, str], config_path: Path
) -> None:
    llo, werk, banen, zonder = (items[k] for k in ("llo", "werkcentrum", "banen", "zonder"))
    command = [ROUTING, "meeting", "close", "regieteam", "2024-02-20", *CLOSE]
    with Terminal(command, _env(config_path)) as term:
        _answer_each_item(term, items)
        summary = term.expect("Opslaan? ja / nee / wijzig ITEMNUMMER [ja]:")
        assert "Samenvatting" in summary and "Ingestemd; het PFHO beslist op 14 maart" in summary
        assert "Ingestemd; doorgezet naar PFHO Werk & Participatie" in summary
        assert "Aanwezig: Anouk Pols, Kevin van Pernis. Afwezig met kennisgeving: Annette " in (
            summary
        )
        # meanwhile a colleague takes the kenmerk off Banenafspraak: 'inbrengen' is refused
        cmd("edit", banen, "--kenmerk", "", "--now", "2024-02-20T13:01")
        term.type("ja")
        refused = " ".join(term.expect("Uitkomst [0]:").split())  # as one line, unwrapped
        assert f"Item {banen} wordt geweigerd:" in refused
        assert "'inbrengen' wordt geweigerd: er is eerst een kenmerk nodig" in refused
        assert "Nu mogelijk: aanhouden, intrekken." in refused  # not the refused step itself
        assert "De antwoorden bij de andere items blijven bewaard" in refused
        assert "inbrengen" not in refused.split(f"#{banen} Banenafspraak")[-1]
        _answer(term, "aanhouden", "Aangehouden: eerst een kenmerk")
        assert term.finish() == 0, term.screen
    assert "Toelichting [Stukken nagezonden]:" in term.screen  # the note typed before is kept
    # what the user typed was on the screen, and no progress bar drew over the questions
    assert "Uitkomst [0]: doorzetten" in term.screen
    assert "Besluit: Ingestemd; het PFHO beslist op 14 maart" in term.screen
    assert "━" not in term.raw
    assert _state(cmd, llo) == "pfho-wp" and _state(cmd, werk) == "pfho-wp"
    assert _state(cmd, banen) == "regieteam" and _state(cmd, zonder) == "regieteam"
    listed = json.loads(
        cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f", "json").stdout
    )
    assert listed["attendees"] == ["Anouk Pols", "Kevin van Pernis"]
    assert listed["absent"] == ["Annette Keates"]
    by_id = {str(row["id"]): row for row in listed["items"]}
    assert set(by_id) == {llo, werk, banen, zonder}
    assert by_id[zonder]["outcome"] is None  # skipped: listed as not dealt with
    assert by_id[zonder]["decision"] == "Niet behandeld; schuift door naar de volgende vergadering"
    assert by_id[zonder]["follow_up"]["body_name"] == "Regieteam Werk & Participatie"
    assert by_id[llo]["decision"] == "Ingestemd; het PFHO beslist op 14 maart"
    assert by_id[werk]["decision"] == "Ingestemd; doorgezet naar PFHO Werk & Participatie"
    assert by_id[banen]["outcome"] == "aanhouden"
    assert by_id[banen]["decision"] == "Aangehouden: eerst een kenmerk"
    assert by_id[banen]["note"] == "Stukken nagezonden"
    assert cmd("audit", "verify").stdout.startswith("Audittrail intact")


def test_stopping_an_interactive_close_saves_nothing(
    cmd: InProcessCli, items: dict[str, str], config_path: Path, migrated_store: Path
) -> None:
    before = _synced_dump(cmd, migrated_store)
    command = [ROUTING, "meeting", "close", "regieteam", "2024-02-20", *CLOSE]
    with Terminal(command, _env(config_path)) as term:
        term.expect("Aanwezig")
        term.type("")
        term.expect("Afwezig met kennisgeving")
        term.type("")
        for _ in items:
            term.expect("Uitkomst [0]:")
            _answer(term, "intrekken")
        term.expect("Opslaan?")
        term.type("wijzig 99")  # not an item of the meeting: asked again
        term.expect("'wijzig 99' begrijp ik niet")
        term.type(f"wijzig {items['llo']}")
        term.expect("Uitkomst [4]:")  # the answer given before is the default
        _answer(term, "aanhouden")
        term.expect("Opslaan?")
        term.type("nee")
        assert term.finish() == 1
    assert "Niet opgeslagen: het sluiten is afgebroken." in term.screen
    assert _dump(migrated_store) == before


def test_closing_twice_is_refused_in_one_line_and_changes_nothing(
    cmd: InProcessCli, items: dict[str, str], migrated_store: Path
) -> None:
    llo, banen = items["llo"], items["banen"]
    cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{llo}=voorleggen", *CLOSE)
    before = _dump(migrated_store)
    again = cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{banen}=inbrengen",
                "--now", "2024-02-20T15:00", check=False)  # fmt: skip
    assert again.returncode == 1
    assert again.stderr == (
        "routing: De vergadering van Regieteam Werk & Participatie van 20 februari 2024 is al "
        "gesloten op 20 februari 2024 13:00 door root; er is niets opgeslagen. Een uitkomst "
        "alsnog vastleggen: 'routing meeting outcome regieteam 2024-02-20 ID STAP'.\n"
    )
    assert _dump(migrated_store) == before


def test_an_outcome_added_later_is_an_audited_step_refused_twice(
    cmd: InProcessCli, items: dict[str, str], migrated_store: Path
) -> None:
    banen, llo = items["banen"], items["llo"]
    early = cmd("meeting", "outcome", "regieteam", "2024-02-20", banen, "inbrengen", check=False)
    assert early.returncode == 1
    assert "is nog niet gesloten; sluit haar met 'routing meeting close regieteam 2024-02-20'" in (
        early.stderr
    )
    cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{llo}=aanhouden", *CLOSE)
    added = cmd("meeting", "outcome", "regieteam", "2024-02-20", banen, "inbrengen",
                "--besluit", "Ingebracht bij het supportteam", "--note", "Nagekomen",
                "--now", "2024-02-21T09:00")  # fmt: skip
    assert added.stdout.startswith(f"Item {banen}: uitkomst 'inbrengen' vastgelegd bij de ")
    shown = json.loads(cmd("show", banen, "--json").stdout)
    assert shown["state"] == "uta-supportteam"
    assert shown["history"][-1]["trigger"] == "inbrengen"
    assert shown["history"][-1]["note"] == "Nagekomen"
    before = _dump(migrated_store)
    twice = cmd("meeting", "outcome", "regieteam", "2024-02-20", banen, "aanhouden", check=False)
    assert twice.returncode == 1
    assert f"Item {banen} heeft bij de vergadering van Regieteam Werk & Participatie" in (
        twice.stderr
    )
    assert len(twice.stderr.splitlines()) == 1
    stranger = cmd("meeting", "outcome", "regieteam", "2024-02-20", "999", "aanhouden", check=False)
    assert stranger.returncode == 2 and "Item 999 staat niet op de vergadering" in stranger.stderr
    guarded = cmd("meeting", "outcome", "regieteam", "2024-02-20", items["zonder"], "inbrengen",
                  check=False)  # fmt: skip
    assert guarded.returncode == 1
    assert "Nu mogelijk: aanhouden, intrekken." in guarded.stderr
    assert _dump(migrated_store) == before
    text = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20").stdout
    assert "Besluit: Ingebracht bij het supportteam" in text
    assert cmd("audit", "verify").stdout.startswith("Audittrail intact")


def test_the_besluitenlijst_prints_the_besluit_in_markdown_and_html(
    cmd: InProcessCli, items: dict[str, str]
) -> None:
    llo, werk, banen = items["llo"], items["werkcentrum"], items["banen"]
    cmd("meeting", "close", "regieteam", "2024-02-20",
        "-o", f"{llo}=intrekken", "-o", f"{werk}=doorzetten", "-o", f"{banen}=aanhouden",
        "--besluit", f"{werk}=Ingestemd met <het> voorstel & de planning",
        "--note", f"{werk}=Akkoord", *CLOSE)  # fmt: skip
    text = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20").stdout
    lines = text.splitlines()
    first = lines.index("2. **Regionaal Werkcentrum**")  # agenda order: as on the agenda
    assert lines[first + 1 : first + 5] == [
        "   - Kenmerk: DOC-1",
        "   - Besluit: Ingestemd met \\<het\\> voorstel & de planning",
        "   - Toelichting: Akkoord",
        "   - Vervolg: PFHO Werk & Participatie, vergadering van 14 maart 2024",
    ]
    # no routing step where a decision belongs
    assert "→" not in text and "Doorzetten naar het PFHO" not in text
    assert "   - Besluit: Aangehouden tot de volgende vergadering" in lines
    assert "   - Vervolg: Regieteam Werk & Participatie, vergadering van 5 maart 2024" in lines
    assert "   - Besluit: Ingetrokken" in lines and "   - Vervolg: afgehandeld" in lines
    assert "Voorzitter: Anouk Pols  " in lines
    assert "Aanwezig: Anouk Pols, Kevin van Pernis, Annette Keates  " in lines
    html = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f", "html").stdout
    assert (
        '<dd class="decision"><strong>Ingestemd met &lt;het&gt; voorstel &amp; de planning'
        "</strong></dd>" in html
    )
    assert '<dd class="present">Anouk Pols, Kevin van Pernis, Annette Keates</dd>' in html
    # the chair once, in the page's head as on the agenda
    assert html.count("Anouk Pols</dd>") == 1 and "<dt>Voorzitter</dt><dd>Anouk Pols</dd>" in html
    assert "PFHO Werk &amp; Participatie, vergadering van 14 maart 2024" in html
    english = cmd("--lang", "en", "besluitenlijst", "regieteam", "--meeting", "2024-02-20").stdout
    assert "   - Decision: Held over to the next meeting" in english.splitlines()


def test_a_confidential_items_besluit_stays_out_of_the_openbaar_list(
    cmd: InProcessCli, items: dict[str, str]
) -> None:
    geheim = cmd("new", "Reorganisatie", "--flow", "agendapunt-stuurgroep", "--kenmerk",
                 "DOC-9", "--vertrouwelijk", *AT).stdout.strip()  # fmt: skip
    cmd("move", geheim, "agenderen", *AT)
    cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{geheim}=doorzetten",
        "--besluit", f"{geheim}=Ontslagronde gaat door", *CLOSE)  # fmt: skip
    public = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "--openbaar").stdout
    assert "Ontslagronde" not in public and "Reorganisatie" not in public
    assert "Besluit: Ingestemd; doorgezet naar PFHO Werk & Participatie" in public
    internal = cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20").stdout
    assert "Besluit: Ontslagronde gaat door" in internal


def test_attendees_come_from_the_config_and_are_edited_at_the_close(
    cmd: InProcessCli, items: dict[str, str], migrated_store: Path
) -> None:
    before = _synced_dump(cmd, migrated_store)
    bad = cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{items['llo']}=aanhouden",
              "--aanwezig", "Piet\x1b[31m", *CLOSE, check=False)  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.splitlines()) == 1
    loose = cmd("meeting", "close", "regieteam", "2024-02-20", "--besluit",
                f"{items['llo']}=Zonder stap", *CLOSE, check=False)  # fmt: skip
    assert loose.returncode == 2
    assert "zonder uitkomst voor item" in loose.stderr and "-o ID=STAP" in loose.stderr
    assert _dump(migrated_store) == before
    closed = cmd("meeting", "close", "regieteam", "2024-02-20", "-o", f"{items['llo']}=aanhouden",
                 "--afwezig", "KEVIN VAN PERNIS", "--aanwezig", "Piet Jansen (UWV)",
                 "--aanwezig", "anouk pols", *CLOSE)  # fmt: skip
    assert (
        "Aanwezig: Anouk Pols, Annette Keates, Piet Jansen (UWV). Afwezig met kennisgeving: "
        "Kevin van Pernis." in " ".join(closed.stdout.split())
    )
    listed = json.loads(
        cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f", "json").stdout
    )
    assert listed["attendees"] == ["Anouk Pols", "Annette Keates", "Piet Jansen (UWV)"]
    assert listed["absent"] == ["Kevin van Pernis"]
    assert listed["chair"] == "Anouk Pols"


def test_a_body_without_attendees_says_they_were_not_recorded(cmd: InProcessCli) -> None:
    item = cmd("new", "Standpunt", "--flow", "agendapunt-stuurgroep", "--kenmerk", "DOC-3",
               *AT).stdout.strip()  # fmt: skip
    cmd("move", item, "agenderen", *AT)
    cmd("move", item, "doorzetten", "--now", "2024-02-20T13:00")
    cmd("meeting", "close", "pfho-wp", "2024-03-14", "-o", f"{item}=meegeven",
        "--now", "2024-03-14T17:00")  # fmt: skip
    text = cmd("besluitenlijst", "pfho-wp", "--meeting", "2024-03-14").stdout
    assert "Aanwezig: niet vastgelegd" in text
    assert "Besluit: Regionaal standpunt vastgesteld; meegegeven aan Wethouder Hilversum" in text
    assert "Voorzitter" not in text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_step_out_of_a_body_has_a_decision_not_a_routing_step(lang: str) -> None:
    """Each shipped step out of a body's state: worded as a decision, in both languages, never
    as the step's own title nor naming a body by its key."""
    config = edited_config()
    i18n.set_language(lang)
    try:
        for flow in FlowCatalog(config).current.values():
            for state in flow.states:
                if state.body is None or state.final:
                    continue
                for trigger in flow.triggers_from(state.name):
                    dest = flow.state(trigger.target_from(state.name))
                    body = config.bodies[dest.body].name if dest.body else None
                    phrase = decision_phrase(
                        trigger.name, stays=trigger.dest == "=",
                        to_body=None if dest.final else body, to_state=dest.title,
                    )  # fmt: skip
                    assert phrase and phrase != trigger.title and "→" not in phrase
                    assert not any(f" {key}" in phrase for key in config.bodies), phrase
    finally:
        i18n.set_language("nl")


def test_the_interactive_close_asks_about_informing_ei_where_the_flow_leaves_it_to_the_secretary(
    cmd: InProcessCli, config_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "eigen-flows"
    folder.mkdir()
    shipped = (Path(__file__).resolve().parent.parent / "flows" / "initiatief.toml").read_text()
    own = shipped.replace('name = "initiatief"', 'name = "signaal"')
    own = own.replace(
        'trigger = "afronden"\nmode = "auto"', 'trigger = "voorleggen"\nmode = "secretary"'
    )
    assert 'mode = "secretary"' in own
    (folder / "signaal.toml").write_text(own, encoding="utf-8")
    text = config_path.read_text(encoding="utf-8").replace("paths = []", f'paths = ["{folder}"]')
    config_path.write_text(text, encoding="utf-8")
    item = cmd("new", "Signaal", "--flow", "signaal", *AT).stdout.strip()
    cmd("move", item, "agenderen", *AT)
    command = [ROUTING, "meeting", "close", "regieteam", "2024-02-20", *CLOSE]
    with Terminal(command, _env(config_path)) as term:
        term.expect("Aanwezig")
        term.type("")
        term.expect("Afwezig met kennisgeving")
        term.type("")
        term.expect("Uitkomst [0]:")
        _answer(term, "voorleggen")
        term.expect("Ambtelijk overleg Economie & Innovatie informeren? ja / nee:")
        term.type("misschien")
        term.expect("'misschien': typ ja of nee.")
        term.type("nee")
        term.expect("Opslaan?")
        term.type("ja")
        assert term.finish() == 0, term.screen
    decisions = json.loads(cmd("show", item, "--json").stdout)["ei"]
    assert [(d["inform"], d["decided_by"]) for d in decisions] == [(False, "root")]


def test_a_control_character_in_a_typed_besluit_is_asked_again_not_a_lost_close(
    cmd: InProcessCli, config_path: Path
) -> None:
    item = cmd("new", "Plakwerk", "--flow", "initiatief", *AT).stdout.strip()
    cmd("move", item, "agenderen", *AT)
    command = [ROUTING, "meeting", "close", "regieteam", "2024-02-20", *CLOSE]
    with Terminal(command, _env(config_path)) as term:
        term.expect("Aanwezig")
        term.type("")
        term.expect("Afwezig met kennisgeving")
        term.type("")
        term.expect("Uitkomst [0]:")
        # a right-to-left override, as a paste from elsewhere may carry it (typed as itself:
        # no key of the terminal or of line editing, unlike Esc, which needs Ctrl-V first and
        # made this test depend on how the two keys arrived)
        _answer(term, "aanhouden", "Akkoord\u202e", "Toelichting blijft")
        again = " ".join(term.expect("Uitkomst [3]:").split())
        assert "Item " + item + " wordt geweigerd: Besluit: teken U+202E op positie 8" in again
        _answer(term, "", "Akkoord", "")
        term.expect("Opslaan?")
        term.type("ja")
        assert term.finish() == 0, term.screen
    listed = json.loads(
        cmd("besluitenlijst", "regieteam", "--meeting", "2024-02-20", "-f", "json").stdout
    )
    assert [(row["outcome"], row["decision"]) for row in listed["items"]] == [
        ("aanhouden", "Akkoord")
    ]


def test_close_and_a_later_outcome_on_both_databases(rt: Runtime) -> None:
    """The engine's path, on SQLite and PostgreSQL: attendance as JSON lists, the besluit, a
    later outcome, the close row that makes a second close a refusal."""
    tz = rt.config.timezone
    rt.clock = FixedClock(parse_moment("2024-02-05T09:00", tz))
    first = engine.create_item(rt, engine.ItemSpec(title="Een", flow="initiatief"))
    second = engine.create_item(rt, engine.ItemSpec(title="Twee", flow="initiatief"))
    assert first.id is not None and second.id is not None
    for item in (first.id, second.id):
        engine.move(rt, item, "agenderen")
    rt.clock = FixedClock(parse_moment("2024-02-20T13:00", tz))
    day = dt.date(2024, 2, 20)
    report = close_meeting(
        rt, "regieteam", day, {first.id: Answer("voorleggen", "Ingestemd")},
        present=["Gast van UWV"], absent=["kevin van pernis"],
    )  # fmt: skip
    assert [(c.item_id, c.trigger, c.decision) for c in report.closed] == [
        (first.id, "voorleggen", "Ingestemd"),
        (second.id, None, None),
    ]
    later = record_outcome(rt, "regieteam", day, second.id, Answer("intrekken", None, "Vervallen"))
    assert later.to_state == "ingetrokken"
    with pytest.raises(RefusedByRules):
        close_meeting(rt, "regieteam", day, {})
    with rt.session(read=True) as db:
        closes = db.exec(select(MeetingClose)).all()
        outcomes = db.exec(select(MeetingOutcome).order_by(col(MeetingOutcome.id))).all()
    assert [(c.attendees, c.absent) for c in closes] == [
        (["Anouk Pols", "Annette Keates", "Gast van UWV"], ["Kevin van Pernis"])
    ]
    assert [(o.item_id, o.trigger, o.decision, o.note) for o in outcomes] == [
        (first.id, "voorleggen", "Ingestemd", None),
        (second.id, "intrekken", None, "Vervallen"),
    ]
