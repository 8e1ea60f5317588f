"""A meeting's outcome in the words of a besluitenlijst: what was decided, not which routing
step was taken ("Aangehouden tot de volgende vergadering", not "aanhouden → regieteam").

The steps of the shipped flows each have their phrase in the catalogue (`decision.<step>`);
a step of a flow of one's own is worded by where it leads: held over, ended, or on to a body.
A besluit given at the close is the decision itself; this wording stands in where none was.
"""

from __future__ import annotations

from routing.i18n import t

__all__ = ["decision_phrase"]

# the shipped flows' steps out of a body's state, each in decision wording; True: it names
# the body the item goes to
_PHRASES = {
    "aanhouden": ("decision.aanhouden", False),
    "afronden": ("decision.afronden", False),
    "besproken": ("decision.besproken", True),
    "doorzetten": ("decision.doorzetten", True),
    "inbrengen": ("decision.inbrengen", True),
    "intrekken": ("decision.intrekken", False),
    "meegeven": ("decision.meegeven", True),
    "reageren": ("decision.reageren", True),
    "terugkoppelen": ("decision.terugkoppelen", False),
    "terugverwijzen": ("decision.terugverwijzen", True),
    "voorleggen": ("decision.voorleggen", True),
}


def decision_phrase(trigger: str, *, stays: bool, to_body: str | None, to_state: str) -> str:
    """The decision an outcome stands for. `to_body` is the name of the body the item goes to
    (None: an end state), `to_state` the title of that state, `stays` a step that holds it."""
    known = _PHRASES.get(trigger)
    if known is not None and (to_body is not None or not known[1]):
        key, names_body = known
        return t(key, body=to_body) if names_body else t(key)
    if stays:
        return t("decision.held")
    if to_body is None:
        return t("decision.ended", state=to_state)
    return t("decision.onward", body=to_body)
