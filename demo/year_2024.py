"""`make demo`: the note's year 2024 in fast-forward, on a fresh embedded SQLite database.

The secretariat registers the note's points (Regionaal Werkcentrum, Regionaal Talentfonds, an LLO
exploration, an initiative from the UTA), hands in papers, and closes every meeting of the
Regieteam, the PFHO W&P and the UTA with the outcomes of the items on it. Every evening the
daemon sweeps, as `routing daemon --once --now <day> 18:00` would: reminders, a missed papers
deadline escalated, feedback items after every UTA supportteam and stuurgroep meeting, E&I
informed, the quarterly digest; its e-mails land as .eml files in the file channel's folder.
At the end: the board, one item's timeline, and the documents a secretary hands out.

Every secretary's step is the real `routing` command, echoed first so the demo doubles as a
tutorial; it runs in this process (not one process per step) so the year takes seconds.
Not part of the installed package: it lives beside it and is run by `make demo`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shlex
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from sqlmodel import col, select

from routing.cli import app as cli
from routing.clock import FixedClock, parse_moment
from routing.effects import daemon
from routing.engine.meeting_sync import current_calendars
from routing.engine.meetings import items_on_meeting
from routing.engine.planning import OPEN_STATUSES
from routing.i18n import format_date
from routing.runtime import Runtime
from store import queries
from store.schedule_models import Deadline, Outbox

__all__ = ["main"]

OUTPUT = Path("demo-output")
FIRST_DAY = dt.date(2024, 1, 2)
LAST_DAY = dt.date(2024, 12, 31)
MEETING_BODIES = ("regieteam", "pfho-wp", "uta-supportteam", "uta-stuurgroep")
EVENING = dt.time(18, 0)


@dataclass
class Point:
    """One of the note's points: how it is registered and what each body decides on it."""

    key: str
    title: str
    flow: str
    registered: str
    options: list[str]
    decisions: dict[str, list[str]]  # state → the outcomes of its meetings, in order
    late_papers: set[str] = field(default_factory=set)  # states whose papers come in late
    no_papers: set[str] = field(default_factory=set)  # states whose papers never come
    item_id: str = ""


def _story() -> list[Point]:
    return [
        Point(
            "werkcentrum", "Regionaal Werkcentrum Gooi & Vechtstreek", "agendapunt-stuurgroep",
            "2024-01-08T09:00",
            ["--topic", "werkcentrum", "--kenmerk", "DOC-24003697", "--owner", "Kevin van Pernis",
             "--voor", "besluitvorming"],
            {"regieteam": ["doorzetten: Akkoord met de notitie; door naar het PFHO W&P"],
             "pfho-wp": ["meegeven: Het PFHO steunt het werkcentrum; de wethouder brengt het in"],
             "wethouder-hilversum": ["inbrengen"], "uta-stuurgroep": ["besproken"],
             "terugkoppeling-pfho": ["terugkoppelen: Stuurgroep akkoord; uitwerking in Q3"]},
        ),
        Point(
            "talentfonds", "Regionaal Talentfonds", "agendapunt-supportteam", "2024-01-29T10:00",
            ["--topic", "talentfonds", "--owner", "Annette Keates", "--voor", "besluitvorming"],
            {"regieteam": ["inbrengen"], "uta-supportteam": ["besproken"],
             "terugkoppeling-regieteam": ["terugkoppelen"]},
            late_papers={"regieteam"},
        ),
        Point(
            "llo", "Verkenning leven lang ontwikkelen (LLO)", "initiatief", "2024-03-25T09:00",
            ["--topic", "llo", "--owner", "Anouk Pols", "--voor", "bespreking"],
            {"regieteam": ["voorleggen"], "pfho-wp": ["reageren"],
             "uta-supportteam": ["afronden"]},
        ),
        Point(
            "uta", "UTA-initiatief: regionale leerwerkakkoorden", "initiatief", "2024-09-02T09:00",
            ["--van", "uta-supportteam", "--voor", "bespreking", "--vertrouwelijk"],
            {"regieteam": ["aanhouden", "reageren"], "uta-supportteam": ["afronden"]},
        ),
        Point(
            "praktijkleren", "Regionale aanpak praktijkleren", "agendapunt-stuurgroep",
            "2024-11-12T09:00",
            ["--topic", "arbeidsmarkt", "--kenmerk", "DOC-24011802", "--owner", "Kevin van Pernis",
             "--voor", "besluitvorming"],
            {"regieteam": ["doorzetten"], "pfho-wp": ["meegeven"]},
        ),
        Point(
            "werkgevers", "Werkgeversservicepunt: gezamenlijke dienstverlening",
            "agendapunt-supportteam", "2024-11-28T09:00",
            ["--topic", "werkgevers", "--owner", "Annette Keates", "--voor", "bespreking"],
            {}, no_papers={"regieteam"},
        ),
    ]  # fmt: skip


class _Player:
    """Runs `routing` commands in this process, echoing each one first."""

    def __init__(self, config: Path) -> None:
        self.console = Console(highlight=False)
        os.environ["ROUTING_CONFIG"] = str(config)
        os.environ["ROUTING_ACTOR"] = "secretariaat"
        os.environ.pop("ROUTING_DATABASE_URL", None)
        self.commands = 0

    def say(self, text: str) -> None:
        self.console.rule(f"[bold]{text}")

    def run(self, *args: str, quiet: bool = False) -> tuple[int, str]:
        """The command's exit code and what it printed (shown unless `quiet`)."""
        self.commands += 1
        # soft wrap: a command or path stays on one line, ready to copy
        self.console.print(f"[cyan]$ routing {shlex.join(args)}[/cyan]", soft_wrap=True)
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.run(lambda: cli.app(list(args), prog_name="routing", standalone_mode=False))
            except SystemExit as stop:
                code = int(stop.code or 0)
        if not quiet:
            sys.stdout.write(out.getvalue())
        sys.stdout.write(err.getvalue())
        if code not in (0, 1):
            raise SystemExit(f"demo step failed: routing {shlex.join(args)}")
        return code, out.getvalue().strip()


# (day the secretary hears of it) -> `routing meeting ...` arguments
CALENDAR_CHANGES: dict[dt.date, list[tuple[str, ...]]] = {
    dt.date(2024, 11, 18): [
        ("move", "regieteam", "2024-11-26", "2024-11-28T14:00", "--reason",
         "Begrotingsbehandeling in de raden op 26 november"),
    ],
    dt.date(2024, 12, 2): [
        ("cancel", "regieteam", "2024-12-24", "--reason", "Kerstreces"),
    ],
}  # fmt: skip


def _moment(day: dt.date, at: dt.time) -> str:
    return dt.datetime.combine(day, at).isoformat(timespec="minutes")


class _Year:
    def __init__(self, play: _Player, rt: Runtime) -> None:
        self.play, self.rt = play, rt
        self.points = _story()
        self.by_id: dict[int, Point] = {}

    def days(self) -> Iterator[dt.date]:
        day = FIRST_DAY
        while day <= LAST_DAY:
            yield day
            day += dt.timedelta(days=1)

    def register(self, day: dt.date) -> None:
        for point in self.points:
            when = parse_moment(point.registered)
            if when.date() != day:
                continue
            self.play.say(f"{format_date(day)}: nieuw punt, {point.title}")
            at = ("--now", point.registered)
            _, out = self.play.run("new", point.title, "--flow", point.flow, *point.options, *at)
            point.item_id = out.splitlines()[-1].strip()
            self.by_id[int(point.item_id)] = point
            later = (when + dt.timedelta(minutes=5)).isoformat(timespec="minutes")
            self.play.run("move", point.item_id, "agenderen", "--now", later)

    def calendar_changes(self, day: dt.date) -> None:
        """Meetings move and are cancelled in a real year; the items on them follow."""
        for args in CALENDAR_CHANGES.get(day, []):
            self.play.say(f"{format_date(day)}: de agenda verandert")
            self.play.run("meeting", *args, "--now", _moment(day, dt.time(10, 0)))

    def papers(self, day: dt.date) -> None:
        """Papers come in the day they are due, a little before noon; late ones two days on."""
        with self.rt.session() as db:
            due = db.exec(
                select(Deadline)
                .where(col(Deadline.kind).in_(["papers"]))
                .where(col(Deadline.status).in_(OPEN_STATUSES))
            ).all()
            states = {i.id: i.state for i in queries.list_items(db)}
        for deadline in due:
            point = self.by_id.get(deadline.item_id)
            if point is not None and states[deadline.item_id] in point.no_papers:
                continue
            late = point is not None and states[deadline.item_id] in point.late_papers
            when = deadline.due_at.astimezone(self.rt.config.timezone).date()
            if when + dt.timedelta(days=2 if late else 0) == day:
                if late:
                    self.play.say(f"{format_date(day)}: stukken te laat binnen")
                at = _moment(day, dt.time(11, 30 if late else 0))
                self.play.run("stukken", str(deadline.item_id), "--now", at, quiet=not late)
                if late and point is not None:
                    point.late_papers.discard(states[deadline.item_id])

    def handovers(self, day: dt.date) -> None:
        """The wethouder brings the PFHO's position into the stuurgroep the day before the UTA
        sends out its papers (a week before the meeting)."""
        with self.rt.session() as db:
            due = db.exec(
                select(Deadline).where(
                    Deadline.kind == "meeting",
                    Deadline.body == "wethouder-hilversum",
                    Deadline.status == "open",
                )
            ).all()
        for deadline in due:
            point = self.by_id.get(deadline.item_id)
            bring_in = deadline.meeting_at.astimezone(self.rt.config.timezone).date()
            if point is None or bring_in - dt.timedelta(days=8) != day:
                continue
            self.play.say(f"{format_date(day)}: de wethouder brengt het standpunt in")
            trigger = point.decisions["wethouder-hilversum"].pop(0)
            note = "Standpunt PFHO W&P ingebracht door wethouder Van Hunnik"
            at = _moment(day, dt.time(9, 0))
            self.play.run("move", point.item_id, trigger, "--now", at, "--note", note)

    def meetings(self, day: dt.date) -> None:
        with self.rt.session() as db:
            calendars = current_calendars(self.rt, db)
            today = [
                (body, meeting)
                for body in MEETING_BODIES
                if (meeting := calendars.meeting_on(body, day)) is not None
            ]
            on_it = {
                body: [(i.id, i.state, i.flow_name) for i in items_on_meeting(db, self.rt, body, m)]
                for body, m in today
            }
        for body, meeting in today:
            outcomes = []
            for item_id, state, flow in on_it[body]:
                assert item_id is not None
                point = self.by_id.get(item_id)
                if point is not None and point.decisions.get(state):
                    trigger, _, note = point.decisions[state].pop(0).partition(": ")
                    outcomes += ["-o", f"{item_id}={trigger}"]
                    outcomes += ["--note", f"{item_id}={note}"] if note else []
                elif flow.startswith("terugkoppeling-"):
                    outcomes += ["-o", f"{item_id}=terugkoppelen"]
            if not outcomes:
                continue
            self.play.say(f"{format_date(day)}: vergadering {self.rt.config.bodies[body].name}")
            after = (meeting.start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
            code, _ = self.play.run("meeting", "close", body, day.isoformat(), *outcomes,
                                    "--now", after)  # fmt: skip
            if code == 1:
                self._repair_and_close(body, day, outcomes, after)

    def _repair_and_close(self, body: str, day: dt.date, outcomes: list[str], at: str) -> None:
        """The Talentfonds was registered without kenmerk: inbrengen is refused until it has one.

        `meeting close` is all or nothing: after the refusal nothing of the meeting is recorded.
        """
        point = next(p for p in self.points if p.key == "talentfonds")
        self.play.console.print("[yellow]Geweigerd, er is niets vastgelegd. Kenmerk aanvullen:")
        self.play.run("edit", point.item_id, "--kenmerk", "DOC-24004120", "--now", at)
        self.play.run("meeting", "close", body, day.isoformat(), *outcomes, "--now", at)

    def evening_sweep(self, day: dt.date) -> int:
        self.rt.clock = FixedClock(parse_moment(_moment(day, EVENING)))
        report, sent = daemon.run_once(self.rt)
        with self.rt.session() as db:
            # E&I mails are written by the secretary's step, not by the sweep, and go in the
            # daily overview (or at once, to who asked for that): show them here when they left
            sent_now = select(Outbox.id).where(Outbox.sent_at == report.now)
            informed = db.exec(
                select(Outbox.subject).where(
                    Outbox.kind == "ei",
                    (col(Outbox.sent_at) == report.now) | col(Outbox.bundle_id).in_(sent_now),
                )
            ).all()
        report.lines.extend(f"E-mail verstuurd: {s}" for s in dict.fromkeys(informed))
        if report.lines:
            self.play.console.print(
                f"[magenta]daemon {format_date(day)} 18:00[/magenta] "
                f"({report.summary()}; {sent.sent} e-mail(s) verstuurd)"
            )
            for line in report.lines:
                self.play.console.print(f"  [magenta]·[/magenta] {line}")
        return sent.sent


def main() -> None:
    started = time.perf_counter()
    if OUTPUT.exists():
        shutil.rmtree(OUTPUT)
    OUTPUT.mkdir()
    config = OUTPUT / "routing.toml"
    play = _Player(config)

    play.say("Opzetten: configuratie en database (routing.toml zoals meegeleverd)")
    play.run("init", "--now", _moment(FIRST_DAY, dt.time(8, 0)))
    play.run("meetings", "--body", "uta-stuurgroep", "--from", "2024-01-01", "--to", "2024-12-31")

    rt = Runtime.open(str(config))
    year = _Year(play, rt)
    mails = 0
    for day in year.days():
        year.calendar_changes(day)
        year.register(day)
        year.papers(day)
        year.handovers(day)
        year.meetings(day)
        mails += year.evening_sweep(day)
    rt.close()

    end = "2024-12-31T18:00"
    werkcentrum = year.points[0].item_id
    play.say("31 december 2024: het bord")
    play.run("status", "--now", end)
    play.say("Eén tijdlijn: Regionaal Werkcentrum")
    play.run("show", werkcentrum, "--now", end)
    play.say("Documenten voor anderen")
    files = OUTPUT.resolve()
    play.run("agenda", "regieteam", "--now", end, "-f", "html", "-o", str(files / "agenda.html"))
    play.run("besluitenlijst", "pfho-wp", "--meeting", "2024-04-11", "--now", end, "-f", "html",
             "-o", str(files / "besluitenlijst-pfho-wp-2024-04-11.html"))  # fmt: skip
    play.run("meetings", "--from", "2025-01-01", "--to", "2025-06-30", "--now", end,
             "--ics", str(files / "vergaderingen-2025.ics"))  # fmt: skip
    play.run("show", werkcentrum, "--diagram", str(files / "werkcentrum.svg"))
    eml = sorted((OUTPUT / "outbox").glob("*.eml")) if (OUTPUT / "outbox").exists() else []
    seconds = time.perf_counter() - started
    play.say("Klaar")
    play.console.print(
        f"Een jaar in {seconds:.0f} s: {play.commands} opdrachten, {mails} e-mails verstuurd "
        f"via het bestandskanaal ({len(eml)} .eml-bestanden).\n"
        f"De demo-bestanden staan in {files}:\n"
        f"  routing.toml, routing.db        de configuratie en de database\n"
        f"  outbox/*.eml                    de e-mails van het jaar\n"
        f"  agenda.html, besluitenlijst-…   documenten om te printen\n"
        f"  vergaderingen-2025.ics          de vergaderingen en termijnen voor Outlook\n"
        f"  werkcentrum.svg                 de route van het Werkcentrum, huidige status geel\n"
        f"Zelf verder: ROUTING_CONFIG={config.resolve()} routing status --now {end}",
        soft_wrap=True,
    )


if __name__ == "__main__":
    main()
