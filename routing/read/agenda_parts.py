"""The fixed parts of an agenda around its items, as a Dutch municipal agenda has them.

Before the items: opening, mededelingen, vaststellen agenda, verslag of the previous meeting,
ingekomen stukken; after them: rondvraag, sluiting. A body sets its own in `[bodies.X.agenda]`
(`before = [...]`, `after = [...]`; `[]` drops them): a known part by its key (or its Dutch
wording) gets the standard title in the document's language, any other text is a part as
written. The parts and the items are numbered on in one sequence (1., 2., ...), as a published
agenda numbers them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from routing.config.file import Body
from routing.i18n import format_date, t

__all__ = ["DEFAULT_AFTER", "DEFAULT_BEFORE", "KNOWN", "known", "parts"]

DEFAULT_BEFORE = ("opening", "mededelingen", "vaststellen-agenda", "verslag", "ingekomen-stukken")
DEFAULT_AFTER = ("rondvraag", "sluiting")
# the standard parts; `verslag` and `besluitenlijst` name the previous meeting when there is one
KNOWN = (
    "opening",
    "mededelingen",
    "vaststellen-agenda",
    "verslag",
    "besluitenlijst",
    "ingekomen-stukken",
    "wvttk",
    "rondvraag",
    "sluiting",
)
# other ways a secretary writes them (compared without case, spaces as hyphens)
_ALIASES = {
    "opening-en-mededelingen": "opening",
    "vaststelling-agenda": "vaststellen-agenda",
    "vaststellen-van-de-agenda": "vaststellen-agenda",
    "vaststelling-van-de-agenda": "vaststellen-agenda",
    "agenda": "vaststellen-agenda",
    "notulen": "verslag",
    "verslag-vorige-vergadering": "verslag",
    "besluitenlijst-vorige-vergadering": "besluitenlijst",
    "ingekomen": "ingekomen-stukken",
    "w.v.t.t.k.": "wvttk",
    "w.v.t.t.k": "wvttk",
}
_WITH_PREVIOUS = ("verslag", "besluitenlijst")


def known(part: str) -> str | None:
    """The key of a standard part written as `part`, or None for a part of the body's own."""
    key = re.sub(r"[\s_]+", "-", part.strip().casefold())
    return key if key in KNOWN else _ALIASES.get(key)


Parts = list[dict[str, Any]]


def parts(body: Body, previous: dt.date | None) -> tuple[Parts, Parts]:
    """The parts before and after the items of `body`'s agenda, not yet numbered: each a `part`
    (its key; None for a part of the body's own) and a `title`. `previous`: the day of the
    body's previous meeting, which the verslag names."""
    before = DEFAULT_BEFORE if body.agenda_before is None else body.agenda_before
    after = DEFAULT_AFTER if body.agenda_after is None else body.agenda_after
    return [_part(p, previous) for p in before], [_part(p, previous) for p in after]


def _part(written: str, previous: dt.date | None) -> dict[str, Any]:
    key = known(written)
    if key is None:
        return {"part": None, "title": written}
    if key in _WITH_PREVIOUS and previous is not None:
        return {"part": key, "title": t(f"doc.part.{key}_of", date=format_date(previous))}
    return {"part": key, "title": t(f"doc.part.{key}")}
