"""A meeting's agenda and besluitenlijst in the shape of the VNG "Open Raads-, Staten- en
Bestuursinformatie" (ORI) API v2 resources, with every decision also as a Besluit of the ZGW
Besluiten API (`--format ori`; docs/ori.md says where each field comes from).

Fed by the document dicts of `routing.read.documents`, so what they leave out of an openbaar
document (a confidential item's title, its note, its papers) is never here either. Identifiers
are derived, not stored: a uuid5 over a namespace of the region and the identity of the meeting
(body and start), the agenda point (meeting and position, or item number), the decision
(meeting and item), so a second export gives the same ids and urls.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

from routing.config.ori import OriSettings
from routing.i18n import t
from routing.text import clean

__all__ = ["ORI_VERSION", "ori_document"]

ORI_VERSION = "2.0.0-beta.4"
# field lengths of the ORI schema; a longer text is cut with an ellipsis (the full title stays
# in agendapuntOmschrijving)
_MAX_NAME = 100
_MAX_TITLE = 100
_MAX_RESULT = 200
_MAX_GREMIUM_ID = 10
_MAX_ZGW_ID = 50
_MAX_ORGAAN = 50


def ori_document(document: dict[str, Any], settings: OriSettings, region: str) -> dict[str, Any]:
    """The agenda or besluitenlijst `document` as ORI resources (and ZGW besluiten)."""
    ids = _Ids(settings.base_url, region, document["body"], document["meeting"])
    meeting = _vergadering(document, settings, ids)
    if document["kind"] == "agenda":
        points, objects = _agenda_points(document, ids)
        decisions: list[dict[str, Any]] = []
        zgw: list[dict[str, Any]] | None = None
    else:
        points, decisions, zgw = _decision_points(document, settings, ids)
        objects = [_besluitenlijst_object(document, ids)]
        meeting["informatieobject"] = _ref(objects[0])
    meeting["agendapunten"] = [p["url"] for p in points]
    shaped: dict[str, Any] = {
        "standaard": {"naam": "ORI", "versie": ORI_VERSION},
        "soort": document["kind"],
        "openbaar": document["openbaar"],
        "vergadering": meeting,
        "agendapunten": points,
        "besluiten": decisions,
        "informatieobjecten": objects,
    }
    if zgw is not None:
        shaped["zgwBesluiten"] = zgw
    return shaped


class _Ids:
    """Stable ids and urls of one meeting's resources."""

    def __init__(self, base_url: str, region: str, body: str, meeting: str) -> None:
        self.base = base_url
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"routing:{region}")
        start = dt.datetime.fromisoformat(meeting).astimezone(dt.UTC)
        self.meeting = f"{body}/{start.strftime('%Y-%m-%dT%H:%MZ')}"

    def of(self, collection: str, *identity: object) -> tuple[str, str]:
        name = "/".join([collection, self.meeting, *(str(part) for part in identity)])
        found = str(uuid.uuid5(self.namespace, name))
        return found, f"{self.base}/{collection}/{found}"


def _resource(ids: _Ids, collection: str, *identity: object) -> dict[str, Any]:
    found, url = ids.of(collection, *identity)
    return {"url": url, "id": found}


def _ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"url": resource["url"], "id": resource["id"]}


def _cut(text: str, limit: int) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _gremium(body: str, name: str) -> dict[str, str]:
    """The body as a gremium: its key when that fits the 10 characters the schema allows, else
    "g" and 9 hex digits of the key's SHA-256 (stable, and the same for every export)."""
    key = (
        body
        if len(body) <= _MAX_GREMIUM_ID
        else "g" + hashlib.sha256(body.encode()).hexdigest()[:9]
    )
    return {"gremiumidentificatie": key, "gremiumnaam": _cut(name, _MAX_NAME)}


def _vergadering(document: dict[str, Any], settings: OriSettings, ids: _Ids) -> dict[str, Any]:
    start = dt.datetime.fromisoformat(document["meeting"])
    held = document["kind"] == "besluitenlijst"
    meeting = {
        **_resource(ids, "vergaderingen"),
        "naam": _cut(document["body_name"], _MAX_NAME),
        "vergaderingstype": settings.vergaderingstype,
        "status": "gehouden" if held else "gepland",
        "georganiseerdDoorGremium": _gremium(document["body"], document["body_name"]),
        "geplandeAanvangVergadering": start.isoformat(),
        "geplandeVergaderdatum": start.date().isoformat(),
    }
    if held:
        meeting["vergaderdatum"] = start.date().isoformat()
    if document.get("location"):
        meeting["locatie"] = _cut(document["location"], _MAX_NAME)
    return meeting


def _point(
    ids: _Ids, meeting: dict[str, str], number: int, title: str, *identity: object
) -> dict[str, Any]:
    return {
        **_resource(ids, "agendapunten", *identity),
        "vergadering": meeting,
        "agendapuntvolgnummer": str(number),
        "agendapuntKenmerk": str(number),
        "agendapuntTitel": _cut(title, _MAX_TITLE) or "-",
    }


def _item_title(entry: dict[str, Any]) -> str:
    """What an item is called in the export: the document already redacted it (title None)."""
    if entry["title"] is None:
        reference = entry["kenmerk"] or t("doc.item_number", id=entry["id"])
        return f"{t('doc.confidential_point')} {reference}"
    return str(entry["title"])


def _item_point(
    ids: _Ids, meeting: dict[str, str], entry: dict[str, Any], number: int
) -> dict[str, Any]:
    title = _item_title(entry)
    point = _point(ids, meeting, number, title, "item", entry["id"])
    described = f"{title} ({entry['kenmerk']})" if entry["kenmerk"] and entry["title"] else title
    point["agendapuntOmschrijving"] = clean(described).strip()
    point["indicatorBesloten"] = bool(entry["vertrouwelijk"])
    return point


def _agenda_points(
    document: dict[str, Any], ids: _Ids
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    meeting = _ref(_resource(ids, "vergaderingen"))
    points: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    for part in document["parts_before"]:
        points.append(
            _point(
                ids, meeting, part["number"], part["title"], "deel", part["part"] or part["title"]
            )
        )
    for entry in document["items"]:
        point = _item_point(ids, meeting, entry, entry["number"])
        attached = [_paper(ids, point, link) for link in entry["paper_links"]]
        point["informatieobjecten"] = list(dict.fromkeys(o["url"] for o in attached))
        objects += attached
        points.append(point)
    for part in document["parts_after"]:
        points.append(
            _point(
                ids, meeting, part["number"], part["title"], "deel", part["part"] or part["title"]
            )
        )
    return points, objects


def _paper(ids: _Ids, point: dict[str, Any], link: dict[str, str]) -> dict[str, Any]:
    """A paper of an agenda point; `link` only for a paper on the web (a copied file's path
    means nothing outside this machine)."""
    paper = {
        **_resource(ids, "informatieobjecten", point["id"], link["href"]),
        "titel": _cut(link["title"], _MAX_RESULT),
        "taal": "dut",
        "agendapunten": [_ref(point)],
    }
    if link["href"].startswith(("https://", "http://")):
        paper["link"] = link["href"]
    return paper


def _decision_points(
    document: dict[str, Any], settings: OriSettings, ids: _Ids
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]] | None]:
    meeting = _ref(_resource(ids, "vergaderingen"))
    points: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    zgw: list[dict[str, Any]] = []
    for entry in document["items"]:
        point = _item_point(ids, meeting, entry, entry["number"])
        point["indicatorBehandeld"] = entry["outcome"] is not None
        points.append(point)
        if entry["outcome"] is None:
            continue  # not dealt with: no decision
        decision = {
            **_resource(ids, "besluiten", "item", entry["id"]),
            "besluitresultaat": _cut(entry["decision"], _MAX_RESULT),
        }
        if entry["note"]:
            decision["besluittoelichting"] = _cut(entry["note"], _MAX_RESULT)
        decisions.append(decision)
        if settings.rsin is not None:
            zgw.append(_zgw(document, settings, decision, entry))
    return points, decisions, zgw if settings.rsin is not None else None


def _zgw(
    document: dict[str, Any], settings: OriSettings, decision: dict[str, Any], entry: dict[str, Any]
) -> dict[str, Any]:
    """The decision as a Besluit of the ZGW Besluiten API."""
    day = dt.datetime.fromisoformat(document["meeting"]).date().isoformat()
    besluittype = settings.besluittype or f"{settings.base_url}/besluittypen/{document['body']}"
    reference = entry["kenmerk"] or f"{entry['id']}"
    record: dict[str, Any] = {
        "url": f"{settings.base_url}/zgw/besluiten/{decision['id']}",
        "identificatie": _cut(f"{document['body']}-{day}-{reference}", _MAX_ZGW_ID),
        "verantwoordelijkeOrganisatie": settings.rsin,
        "besluittype": besluittype,
        "datum": day,
        "toelichting": clean(
            f"{entry['decision']}\n{entry['note']}" if entry["note"] else entry["decision"]
        ),
        "bestuursorgaan": _cut(document["body_name"], _MAX_ORGAAN),
        "ingangsdatum": day,
    }
    return record


def _besluitenlijst_object(document: dict[str, Any], ids: _Ids) -> dict[str, Any]:
    """The besluitenlijst itself: the minutes (notulen) of the meeting in ORI's terms."""
    meeting = _resource(ids, "vergaderingen")
    day = dt.datetime.fromisoformat(document["meeting"]).date().isoformat()
    closed = dt.datetime.fromisoformat(document["closed_at"]).date().isoformat()
    return {
        **_resource(ids, "informatieobjecten", "besluitenlijst"),
        "titel": _cut(f"Besluitenlijst {document['body_name']} {day}", _MAX_RESULT),
        "taal": "dut",
        "creatiedatum": closed,
        "vergaderingen": [_ref(meeting)],
        "genotuleerdeVergadering": meeting["url"],
        "vertrouwelijkheidsaanduiding": "openbaar" if document["openbaar"] else "vertrouwelijk",
    }
