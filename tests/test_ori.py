"""The open-standard export (`--format ori`): agenda and besluitenlijst of a real store as VNG
ORI API v2 resources, each validated against the published OpenAPI schema, read from
`../shared/standards/ori-openapi.yaml` (never copied into the project), plus the ZGW besluiten.

The schema's $refs are resolved by openapi-schema-validator (jsonschema with OpenAPI 3.0's
`nullable` and formats); uri and date-time are checked by its format checker, which these tests
first show to reject a bad value, so a passing validation means something.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests import test_documents
from tests.conftest import Cli
from tests.test_documents import _edit

yaml = pytest.importorskip("yaml")
validators = pytest.importorskip("openapi_schema_validator")

SPEC = Path(__file__).resolve().parents[2] / "shared" / "standards" / "ori-openapi.yaml"
NOW = ("--now", "2024-02-14T09:00")
AFTER = ("--now", "2024-02-21T09:00")
RSIN = "123456782"  # passes the elfproef: 9*1+8*2+7*3+6*4+5*5+4*6+3*7+2*8-2 = 154 = 14*11


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(
            f"ORI SCHEMA MISSING: {SPEC} is absent, so the ORI export is NOT validated against the "
            "published standard (check out ../shared/standards next to the repository)"
        )
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert loaded["info"]["version"] == "2.0.0-beta.4"
    return loaded


@pytest.fixture
def meeting(cli: Cli) -> dict[str, str]:
    """The three items of tests/test_documents.py on the Regieteam of 20 Feb 2024: one of them
    confidential (DOC-9), one for a decision (DOC-24003697)."""
    made: dict[str, str] = test_documents.meeting.__wrapped__(cli)
    return made


def _validator(spec: dict[str, Any], name: str) -> Any:
    """A validator of one component schema; its $refs (#/components/...) resolve in the spec."""
    schema = {**spec["components"]["schemas"][name], "components": spec["components"]}
    return validators.OAS30ReadValidator(schema, format_checker=validators.oas30_format_checker)


def _check(spec: dict[str, Any], name: str, resource: dict[str, Any]) -> None:
    errors = [e.message for e in _validator(spec, name).iter_errors(resource)]
    assert errors == [], (name, resource, errors)
    uuid.UUID(resource["id"])  # the ids are uuids, and the url ends with it
    assert resource["url"].endswith("/" + resource["id"])


def _validate_all(spec: dict[str, Any], shaped: dict[str, Any]) -> None:
    assert shaped["standaard"] == {"naam": "ORI", "versie": spec["info"]["version"]}
    _check(spec, "Vergadering", shaped["vergadering"])
    for point in shaped["agendapunten"]:
        _check(spec, "Agendapunt", point)
    for decision in shaped["besluiten"]:
        _check(spec, "Besluit", decision)
    for info in shaped["informatieobjecten"]:
        _check(spec, "InformatieObject", info)
    urls = [p["url"] for p in shaped["agendapunten"]]
    assert shaped["vergadering"]["agendapunten"] == urls and len(set(urls)) == len(urls)


def _close(cli: Cli, ids: dict[str, str]) -> None:
    cli("meeting", "close", "regieteam", "2024-02-20",
        "-o", f"{ids['besluit']}=doorzetten", "--note", f"{ids['besluit']}=Akkoord, door naar PFHO",
        "-o", f"{ids['geheim']}=aanhouden", "--note", f"{ids['geheim']}=Wacht op advies",
        "-o", f"{ids['info']}=voorleggen",
        "--now", "2024-02-20T12:00")  # fmt: skip


def _ori(cli: Cli, command: str, *args: str) -> dict[str, Any]:
    out = cli(command, "regieteam", "--meeting", "2024-02-20", "--format", "ori", *args).stdout
    shaped: dict[str, Any] = json.loads(out)
    return shaped


def test_the_validator_rejects_what_the_schema_forbids(spec: dict[str, Any]) -> None:
    """Without this, a validation that passes could be one that checks nothing."""
    good = {"url": "https://x.example/vergaderingen/1", "id": "1", "vergaderingstype": "presidium"}
    assert not list(_validator(spec, "Vergadering").iter_errors(good))
    broken = [
        {k: v for k, v in good.items() if k != "vergaderingstype"},  # required
        {**good, "vergaderingstype": "portefeuillehoudersoverleg"},  # enum
        {**good, "url": "niet een url"},  # format uri
        {**good, "geplandeAanvangVergadering": "20-02-2024 10:00"},  # format date-time
        {**good, "georganiseerdDoorGremium": {"gremiumnaam": "X"}},  # a $ref's required field
        {
            **good,
            "georganiseerdDoorGremium": {"gremiumidentificatie": "12345678901", "gremiumnaam": "X"},
        },  # maxLength 10
    ]
    for resource in broken:
        assert list(_validator(spec, "Vergadering").iter_errors(resource)), resource


def test_agenda_as_ori_is_valid_and_names_every_point(
    cli: Cli, meeting: dict[str, str], spec: dict[str, Any]
) -> None:
    cli("stukken", meeting["besluit"], "--link", "https://example.org/notitie.pdf",
        "--title", "Notitie werkcentrum", "--now", "2024-02-12T10:00")  # fmt: skip
    shaped = _ori(cli, "agenda", *NOW)
    _validate_all(spec, shaped)
    assert shaped["vergadering"]["status"] == "gepland"
    assert shaped["vergadering"]["geplandeAanvangVergadering"] == "2024-02-20T10:00:00+01:00"
    titles = [p["agendapuntTitel"] for p in shaped["agendapunten"]]
    assert "Regionaal Werkcentrum" in titles and "Geheim <dossier> & co" in titles
    assert titles[0] == "Opening" and titles[-1] == "Sluiting"
    secret = next(p for p in shaped["agendapunten"] if p["agendapuntTitel"].startswith("Geheim"))
    assert secret["indicatorBesloten"] is True
    [paper] = shaped["informatieobjecten"]
    assert paper["titel"] == "Notitie werkcentrum"
    assert paper["link"] == "https://example.org/notitie.pdf"
    point = next(
        p for p in shaped["agendapunten"] if p["agendapuntTitel"] == "Regionaal Werkcentrum"
    )
    assert point["informatieobjecten"] == [paper["url"]]
    assert paper["agendapunten"] == [{"url": point["url"], "id": point["id"]}]


def test_besluitenlijst_as_ori_with_zgw_besluiten(
    cli: Cli, meeting: dict[str, str], spec: dict[str, Any], config_path: Path
) -> None:
    _edit(config_path, 'bevrijdingsdag = "lustrum"\n',
          f'bevrijdingsdag = "lustrum"\nrsin = "{RSIN}"\n'
          '[ori]\nbase_url = "https://open.regiogv.example/ori/"\n'
          'vergaderingstype = "algemene_bestuursvergadering"\n')  # fmt: skip
    # [ori] is declared once: the starter's commented table goes
    text = config_path.read_text(encoding="utf-8")
    head, tail = text.split("\n[ori]\n# The open-standard export", 1)
    config_path.write_text(head + "\n# (ori)\n# The open-standard export" + tail, encoding="utf-8")
    _close(cli, meeting)
    shaped = _ori(cli, "besluitenlijst", *AFTER)
    _validate_all(spec, shaped)
    meeting_ori = shaped["vergadering"]
    assert meeting_ori["status"] == "gehouden"
    assert meeting_ori["vergaderingstype"] == "algemene_bestuursvergadering"
    assert meeting_ori["url"].startswith("https://open.regiogv.example/ori/vergaderingen/")
    results = [d["besluitresultaat"] for d in shaped["besluiten"]]
    assert results[0] == "Ingestemd; doorgezet naar PFHO Werk & Participatie"
    assert shaped["besluiten"][0]["besluittoelichting"] == "Akkoord, door naar PFHO"
    assert len(results) == 3
    [minutes] = shaped["informatieobjecten"]
    assert minutes["genotuleerdeVergadering"] == meeting_ori["url"]
    assert meeting_ori["informatieobject"] == {"url": minutes["url"], "id": minutes["id"]}
    zgw = shaped["zgwBesluiten"]
    assert [z["url"].rsplit("/", 1)[1] for z in zgw] == [d["id"] for d in shaped["besluiten"]]
    first = zgw[0]
    assert first["verantwoordelijkeOrganisatie"] == RSIN
    assert first["identificatie"] == "regieteam-2024-02-20-DOC-24003697"
    assert first["besluittype"] == "https://open.regiogv.example/ori/besluittypen/regieteam"
    assert first["datum"] == first["ingangsdatum"] == "2024-02-20"
    required = {"verantwoordelijkeOrganisatie", "besluittype", "datum", "ingangsdatum"}
    assert all(required <= z.keys() and len(z["identificatie"]) <= 50 for z in zgw)


def test_ids_are_the_same_in_a_second_export(cli: Cli, meeting: dict[str, str]) -> None:
    first = _ori(cli, "agenda", *NOW)
    second = _ori(cli, "agenda", "--now", "2024-02-15T11:00")
    assert first["vergadering"] == second["vergadering"]
    assert [p["id"] for p in first["agendapunten"]] == [p["id"] for p in second["agendapunten"]]
    _close(cli, meeting)
    listed = _ori(cli, "besluitenlijst", *AFTER)
    again = _ori(cli, "besluitenlijst", "--now", "2024-03-01T09:00")
    assert listed["besluiten"] == again["besluiten"]
    # the same meeting is the same resource in both documents; so is an item's point
    assert listed["vergadering"]["id"] == first["vergadering"]["id"]
    item_points = {p["id"] for p in first["agendapunten"]}
    assert {p["id"] for p in listed["agendapunten"]} <= item_points


def test_openbaar_ori_leaves_confidential_titles_out(
    cli: Cli, meeting: dict[str, str], spec: dict[str, Any], tmp_path: Path
) -> None:
    for command, now in (("agenda", NOW), ("besluitenlijst", AFTER)):
        if command == "besluitenlijst":
            _close(cli, meeting)
        target = tmp_path / f"{command}.json"
        written = cli(command, "regieteam", "--meeting", "2024-02-20", "--format", "ori",
                      "--openbaar", "-o", str(target), *now)  # fmt: skip
        assert str(target) in written.stdout
        text = target.read_text(encoding="utf-8")
        shaped = json.loads(text)
        _validate_all(spec, shaped)
        assert "Geheim" not in text and "dossier" not in text and "Wacht op advies" not in text
        assert shaped["openbaar"] is True
        assert "zgwBesluiten" not in shaped  # no [region] rsin: no ZGW records
        titles = [p["agendapuntTitel"] for p in shaped["agendapunten"]]
        assert "Vertrouwelijk punt DOC-9" in titles
        assert "Regionaal Werkcentrum" in titles  # a public item keeps its title
    internal = _ori(cli, "besluitenlijst", *AFTER)
    assert "Wacht op advies" in json.dumps(internal)  # not leaving out everything


def _dump(config_path: Path) -> list[str]:
    with sqlite3.connect(config_path.parent / "routing.db") as db:
        return list(db.iterdump())


def test_bad_input_exits_2_and_changes_nothing(
    cli: Cli, meeting: dict[str, str], config_path: Path, tmp_path: Path
) -> None:
    cli("agenda", "regieteam", *NOW)  # a read keeps the stored calendars current: once
    before = _dump(config_path)
    wrong = cli("agenda", "regieteam", "--format", "orii", *NOW, check=False)
    assert wrong.returncode == 2
    assert "--format: 'orii' kan niet; kies uit md, html, pdf, json, ori." in wrong.stderr
    # an -o whose extension names no format still needs --format: ori is never guessed
    guessed = cli("agenda", "regieteam", "-o", str(tmp_path / "a.ori"), *NOW, check=False)
    assert guessed.returncode == 2 and "Traceback" not in guessed.stderr
    assert "eindig op .md, .html, .pdf, .json of geef --format (md, html, pdf, json, ori)" in (
        guessed.stderr
    )
    assert _dump(config_path) == before
    assert not list(tmp_path.glob("a.*"))
    plain = cli("agenda", "regieteam", "-o", str(tmp_path / "a.json"), *NOW)
    assert plain.returncode == 0
    assert "standaard" not in (tmp_path / "a.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ('rsin = "123456789"', "'123456789' is geen RSIN"),
        ('rsin = "12345678"', "'12345678' is geen RSIN"),
        ('[ori]\nbase_url = "open.example/ori"', "'open.example/ori' is geen volledige"),
        ('[ori]\nvergaderingstype = "pfho"', "'pfho' is geen vergaderingstype"),
    ],
)
def test_wrong_ori_settings_are_refused_with_their_line(
    cli: Cli, config_path: Path, edit: str, message: str
) -> None:
    text = config_path.read_text(encoding="utf-8").replace("\n[ori]\n", "\n# [ori]\n", 1)
    config_path.write_text(text, encoding="utf-8")
    anchor = 'bevrijdingsdag = "lustrum"\n'
    _edit(config_path, anchor, anchor + edit + "\n")
    found = cli("agenda", "regieteam", *NOW, check=False)
    assert found.returncode == 2
    assert message in found.stderr and "regel" in found.stderr


def test_rsin_elfproef() -> None:
    from routing.config.ori import rsin_valid

    assert rsin_valid(RSIN) and rsin_valid("002564440")
    for bad in ("123456789", "12345678a", "1234567820", "000000000", "１２３４５６７８２"):
        assert not rsin_valid(bad), bad


def test_a_long_title_is_cut_to_the_schema_and_kept_whole_in_the_description(
    spec: dict[str, Any],
) -> None:
    from routing.config.ori import OriSettings
    from routing.render.ori import ori_document

    title = "Regionale samenwerking " * 10
    doc = {
        "kind": "agenda", "body": "uta-stuurgroep-lang", "body_name": "Stuurgroep", "location": None,
        "meeting": "2024-02-20T10:00:00+01:00", "openbaar": False, "parts_before": [],
        "items": [{"number": 1, "id": 7, "kenmerk": None, "vertrouwelijk": False, "title": title,
                   "paper_links": []}],
        "parts_after": [],
    }  # fmt: skip
    shaped = ori_document(copy.deepcopy(doc), OriSettings(), "Gooi en Vechtstreek")
    _validate_all(spec, shaped)
    [point] = shaped["agendapunten"]
    assert len(point["agendapuntTitel"]) == 100 and point["agendapuntTitel"].endswith("…")
    assert point["agendapuntOmschrijving"] == " ".join(title.split())
    gremium = shaped["vergadering"]["georganiseerdDoorGremium"]["gremiumidentificatie"]
    assert len(gremium) == 10 and gremium == ori_document(doc, OriSettings(), "x")[
        "vergadering"]["georganiseerdDoorGremium"]["gremiumidentificatie"]  # fmt: skip
