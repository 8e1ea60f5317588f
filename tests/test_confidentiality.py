"""One rule for what a confidential item reveals, per audience."""

from __future__ import annotations

import pytest

from routing import i18n
from routing.engine.confidentiality import Audience, label, redacted
from store import Item


def _item(openbaar: bool, kenmerk: str | None = "DOC-9") -> Item:
    return Item(id=7, title="Geheim dossier", flow_name="f", flow_version_id=1, state="s",
                kenmerk=kenmerk, openbaar=openbaar)  # fmt: skip


@pytest.mark.parametrize(
    ("audience", "public", "secret"),
    [
        (Audience.SECRETARIAT, "#7 Geheim dossier (DOC-9)", "#7 Geheim dossier (DOC-9)"),
        (Audience.OTHER_BODY, "#7 Geheim dossier (DOC-9)", "Vertrouwelijk punt DOC-9"),
        (Audience.OPENBAAR, "#7 Geheim dossier (DOC-9)", "Vertrouwelijk punt DOC-9"),
        (Audience.CALENDAR, "Geheim dossier (DOC-9)", "Vertrouwelijk punt DOC-9"),
    ],
)
def test_each_audience_sees_what_it_may(audience: Audience, public: str, secret: str) -> None:
    assert label(_item(True), audience) == public
    assert label(_item(False), audience) == secret
    assert redacted(False, audience) is (audience is not Audience.SECRETARIAT)


def test_without_kenmerk_the_number_is_the_reference_in_both_languages() -> None:
    assert label(_item(False, None), Audience.CALENDAR) == "Vertrouwelijk punt nr. 7"
    i18n.set_language("en")
    assert label(_item(False, None), Audience.OTHER_BODY) == "Confidential item no. 7"
