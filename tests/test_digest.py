"""The E&I progress digest (rule 5): the period it covers and what it tells an alderman.

One first quarter of 2024 on the shipped calendar: the Regieteam meets on Tuesday 20 February,
the PFHO W&P on Thursday 11 April (after the quarter). Items are moved as the secretariat does:
by closing a meeting (which records its outcomes) or by hand.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from routing import i18n
from routing.clock import FixedClock, parse_moment
from routing.config.daemon import DaemonSettings
from routing.effects.digest import compose_digest, digest_period
from routing.engine import items as engine
from routing.engine.meeting_close import Answer, close_meeting
from routing.runtime import Runtime

AMS = ZoneInfo("Europe/Amsterdam")
K1_START = dt.datetime(2024, 1, 1, tzinfo=AMS)
K1_END = dt.datetime(2024, 4, 1, tzinfo=AMS)
# trigger and state names as the audit trail has them; an alderman should see none of them
RAW_NAMES = ("registreren", "agenderen", "doorzetten", "inbrengen", "terugkoppelen", "pfho-wp")


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def at(rt: Runtime, moment: str) -> None:
    rt.clock = FixedClock(parse_moment(moment, rt.config.timezone))


def create(rt: Runtime, moment: str, title: str, flow: str, **extra: object) -> int:
    at(rt, moment)
    spec = engine.ItemSpec(title=title, flow=flow, **extra)  # type: ignore[arg-type]
    item = engine.create_item(rt, spec)
    assert item.id is not None
    return item.id


def move(rt: Runtime, moment: str, item_id: int, *triggers: str) -> None:
    at(rt, moment)
    for trigger in triggers:
        engine.move(rt, item_id, trigger)


# --- the period -------------------------------------------------------------------------------


def test_installed_mid_quarter_reports_the_quarter_from_the_installation() -> None:
    installed = parse_moment("2024-03-14T10:15")  # UTC, as the store keeps it
    period = digest_period(DaemonSettings(), local("2024-04-02T08:00"), installed)
    assert period == (local("2024-03-14T10:15"), K1_END, "2024-K1")
    start, _, _ = period
    assert start.tzinfo == AMS  # shown as a local date in the text


def test_installed_before_the_quarter_reports_the_whole_quarter() -> None:
    settings = DaemonSettings()
    for installed in ("2023-11-20T09:00", "2024-01-01T00:00"):
        period = digest_period(settings, local("2024-04-02T08:00"), parse_moment(installed))
        assert period == (K1_START, K1_END, "2024-K1"), installed


@pytest.mark.parametrize("installed", ["2024-04-01T00:00", "2024-04-01T09:00"])
def test_installed_after_the_quarter_reports_nothing_yet(installed: str) -> None:
    assert (
        digest_period(DaemonSettings(), local("2024-04-02T08:00"), parse_moment(installed)) is None
    )


def test_a_monthly_rhythm_cuts_the_month_at_the_installation() -> None:
    settings = DaemonSettings(digest_months=1)
    period = digest_period(settings, local("2024-04-02T08:00"), parse_moment("2024-03-14T10:15"))
    assert period == (local("2024-03-14T10:15"), K1_END, "2024-03")


# --- the text ---------------------------------------------------------------------------------


@pytest.fixture
def quarter(rt: Runtime) -> Runtime:
    """A first quarter with points, a confidential point, an initiative and feedback items."""
    werkcentrum = create(
        rt, "2024-02-05T09:00", "Regionaal Werkcentrum Gooi & Vechtstreek", "agendapunt-stuurgroep",
        kenmerk="DOC-24003697", topics=["werkcentrum"],
    )  # fmt: skip
    geheim = create(
        rt, "2024-02-05T09:30", "Geheime reorganisatie UWV", "agendapunt-supportteam",
        kenmerk="DOC-24000001", vertrouwelijk=True,
    )  # fmt: skip
    move(rt, "2024-02-05T10:00", werkcentrum, "agenderen")
    move(rt, "2024-02-05T10:00", geheim, "agenderen")
    at(rt, "2024-02-20T12:00")
    close_meeting(
        rt, "regieteam", dt.date(2024, 2, 20),
        {werkcentrum: Answer("doorzetten", note="Steun voor een werkcentrum per 2026"),
         geheim: Answer("inbrengen", note="Ontslagronde")},
    )  # fmt: skip
    # after the quarter: must not show in the report on the first quarter
    move(rt, "2024-04-11T16:00", werkcentrum, "meegeven")

    initiatief = create(rt, "2024-03-01T09:00", "Reactie op LLO-initiatief", "initiatief")
    move(rt, "2024-03-05T11:00", initiatief, "agenderen", "reageren", "afronden")

    for day, body, flow in [
        ("2024-01-18", "uta-supportteam", "terugkoppeling-supportteam"),
        ("2024-02-22", "uta-supportteam", "terugkoppeling-supportteam"),
        ("2024-03-21", "uta-supportteam", "terugkoppeling-supportteam"),
        ("2024-03-22", "uta-stuurgroep", "terugkoppeling-stuurgroep"),
    ]:
        fed = create(
            rt, f"{day}T08:00", f"Terugkoppeling {body} van {day}", flow, sender=body,
            asked="informatie", origin=f"feedback:{body}@{day}T12:30Z",
        )  # fmt: skip
        if day < "2024-03":
            move(rt, "2024-03-05T11:00", fed, "terugkoppelen")
    return rt


def flat(text: str) -> str:
    """The text with its line wrapping undone, to look for whole sentences."""
    return " ".join(text.split())


def _digest(rt: Runtime, *, since_installation: bool = False) -> tuple[str, str]:
    with rt.session() as db:
        return compose_digest(
            db, rt, K1_START, K1_END, "2024-K1", since_installation=since_installation
        )


def test_the_digest_speaks_in_titles_bodies_and_decisions(quarter: Runtime) -> None:
    subject, text = _digest(quarter)
    assert subject == "Voortgang Werk & Participatie / UTA, 2024-K1, voor PFHO Economie & Innovatie"
    assert text.startswith("Aan: PFHO Economie & Innovatie\n\n")
    assert "over 2024-K1, van 1 januari 2024 tot en met 31 maart 2024." in flat(text)
    assert "In het kort: nieuw 3, onderweg 2, afgerond 1, terugkoppelingen 4." in text
    assert (
        "Nieuw ingebracht (3)\n"
        "- 5 februari 2024: #1 Regionaal Werkcentrum Gooi & Vechtstreek (DOC-24003697) — "
        "Agendapunt voor de\n  UTA stuurgroep\n"
        "- 5 februari 2024: Vertrouwelijk punt DOC-24000001 — Agendapunt voor het UTA supportteam\n"
        "- 1 maart 2024: #3 Reactie op LLO-initiatief — Reactie op een (UTA-)initiatief\n"
    ) in text
    # grouped by where each point stands at the end of the quarter, in route order; the move
    # of 11 April to the wethouder is not part of the first quarter
    assert (
        "Waar de punten staan op 31 maart 2024, met wat er is besloten\n"
        "PFHO Werk & Participatie (1)\n"
        "- #1 Regionaal Werkcentrum Gooi & Vechtstreek (DOC-24003697) — Agendapunt voor de UTA "
        "stuurgroep\n"
        "  · 5 februari 2024: Agenderen in het Regieteam W&P\n"
        "  · 20 februari 2024, Regieteam Werk & Participatie: Doorzetten naar het PFHO W&P\n"
        "    Toelichting: Steun voor een werkcentrum per 2026\n"
        "UTA supportteam (1)\n"
        "- Vertrouwelijk punt DOC-24000001 — Agendapunt voor het UTA supportteam\n"
        "  · 5 februari 2024: Agenderen in het Regieteam W&P\n"
        "  · 20 februari 2024, Regieteam Werk & Participatie: Inbrengen in het UTA supportteam\n"
    ) in text
    assert "meegeven" not in text and "Regionaal standpunt meegeven" not in text
    assert (
        "Afgerond in deze periode (1)\n"
        "- #3 Reactie op LLO-initiatief — Reactie op een (UTA-)initiatief: Afgerond\n"
        "  · 5 maart 2024: Agenderen in het Regieteam W&P\n"
        "  · 5 maart 2024: Reactie geven aan het UTA supportteam\n"
        "  · 5 maart 2024: Afronden\n"
    ) in text
    assert (
        "Terugkoppelingen na vergaderingen\n"
        "- UTA supportteam: 3 terugkoppelingen; 2 teruggekoppeld\n"
        "- UTA stuurgroep: 1 terugkoppeling; nog geen afgerond\n"
    ) in text
    assert "alleen met hun kenmerk; de inhoud is op te vragen bij het secretariaat." in flat(text)
    assert text.endswith("Met vriendelijke groet,\nProgrammasecretariaat Werk & Participatie\n")


def test_the_digest_keeps_confidential_content_and_machine_names_out(quarter: Runtime) -> None:
    _, text = _digest(quarter)
    assert "Geheime reorganisatie" not in text
    assert "Ontslagronde" not in text  # the outcome's note is content too
    assert "→" not in text
    for raw in RAW_NAMES:
        assert raw not in text, raw
    assert "Terugkoppeling uta-" not in text  # feedback items are counted, not listed
    assert all(len(line) <= 100 for line in text.splitlines()), text


def test_a_report_since_the_installation_says_so(quarter: Runtime) -> None:
    start = local("2024-02-05T09:45")
    with quarter.session() as db:
        _, text = compose_digest(db, quarter, start, K1_END, "2024-K1", since_installation=True)
    assert "2024-K1, sinds de ingebruikname op 5 februari 2024 tot en met 31 maart 2024." in flat(
        text
    )
    assert "Het systeem is in deze periode in gebruik genomen; wat daarvóór gebeurde" in flat(text)
    # both points were registered before 09:45 and moved after it: under way, not new
    assert "Nieuw ingebracht (1)\n- 1 maart 2024: #3 Reactie op LLO-initiatief" in text


def test_an_empty_period_says_nothing_happened(quarter: Runtime) -> None:
    with quarter.session() as db:
        _, text = compose_digest(
            db, quarter, local("2024-07-01T00:00"), local("2024-10-01T00:00"), "2024-K3",
            since_installation=False,
        )  # fmt: skip
    assert "In deze periode is er niets gebeurd" in text
    assert "Nieuw ingebracht" not in text and "Waar de punten staan" not in text


def test_the_digest_in_english(quarter: Runtime) -> None:
    i18n.set_language("en")
    subject, text = _digest(quarter)
    assert subject == "Progress Werk & Participatie / UTA, 2024-K1, for PFHO Economie & Innovatie"
    assert "for 2024-K1, from January 1, 2024 to March 31, 2024 inclusive." in flat(text)
    assert "Where the items stand on March 31, 2024, with what was decided" in text
    assert (
        "  · February 20, 2024, Regieteam Werk & Participatie: Doorzetten naar het PFHO W&P"
    ) in text
    assert "- UTA supportteam: 3 feedback items; 2 teruggekoppeld" in text
    assert "Kind regards," in text


def test_a_long_section_lists_its_first_items_and_counts_the_rest(
    quarter: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from routing.effects import digest

    monkeypatch.setattr(digest, "_LISTED", 1)
    _, text = _digest(quarter)
    assert "In het kort: nieuw 3, onderweg 2, afgerond 1, terugkoppelingen 4." in text
    assert (
        "Nieuw ingebracht (3)\n"
        "- 5 februari 2024: #1 Regionaal Werkcentrum Gooi & Vechtstreek (DOC-24003697) — "
        "Agendapunt voor de\n  UTA stuurgroep\n"
        "- … en nog 2 andere\n"
    ) in text
    # the places together list one item; each still counts all of its own
    assert "PFHO Werk & Participatie (1)\n- #1 Regionaal Werkcentrum" in text
    assert "UTA supportteam (1)\n- … en nog 1 andere" in text
