"""`[ori]` and `[region] rsin`: what the open-standard exports (`--format ori`) need to name
things the way the VNG standards ask (docs/ori.md).

- `[ori] base_url`: where the resources would be published; every `url` of the export starts
  with it (default `https://routing.invalid/ori`: the reserved .invalid domain, so an export
  made without it can never point at a real site).
- `[ori] vergaderingstype`: one of the standard's meeting types (default
  `commissievergadering`: a regional body is no council; the standard has no better fit).
- `[ori] besluittype`: the URL of the besluittype in a ZGW catalogue; default derived from
  `base_url` and the body (`<base_url>/besluittypen/<body>`).
- `[region] rsin`: the RSIN of the organisation that takes the decisions (9 digits, passing
  the elfproef); without it the ZGW records are left out (their required
  `verantwoordelijkeOrganisatie`).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any

from routing.config.schema import Problems

__all__ = ["MEETING_TYPES", "OriSettings", "ori_settings", "rsin_valid"]

DEFAULT_BASE_URL = "https://routing.invalid/ori"
MEETING_TYPES = (
    "raadsvergadering", "commissievergadering", "presidium", "statenvergadering",
    "algemene_bestuursvergadering",
)  # fmt: skip


@dataclass(frozen=True)
class OriSettings:
    base_url: str = DEFAULT_BASE_URL
    vergaderingstype: str = "commissievergadering"
    besluittype: str | None = None
    rsin: str | None = None


def rsin_valid(value: str) -> bool:
    """Nine digits passing the elfproef (9*d1 + 8*d2 + ... + 2*d8 - d9, a multiple of 11)."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    digits = [int(c) for c in value]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0 and value != "000000000"


def _absolute_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and value.strip() == value


def ori_settings(ori: dict[str, Any], region: dict[str, Any], problems: Problems) -> OriSettings:
    """The settings in force; a wrong value is reported with its line."""
    base_url = DEFAULT_BASE_URL
    base = ori.get("base_url")
    if base is not None:
        if _absolute_url(base):
            base_url = base.rstrip("/")
        else:
            problems.add(("ori", "base_url"), "config.ori_url", value=base)
    kind = ori.get("vergaderingstype", "commissievergadering")
    if kind not in MEETING_TYPES:
        problems.add(
            ("ori", "vergaderingstype"),
            "config.ori_meeting_type",
            value=kind,
            choices=", ".join(MEETING_TYPES),
        )
        kind = "commissievergadering"
    besluittype = ori.get("besluittype")
    if besluittype is not None and not _absolute_url(besluittype):
        problems.add(("ori", "besluittype"), "config.ori_url", value=besluittype)
        besluittype = None
    rsin = region.get("rsin")
    if rsin is not None and not rsin_valid(rsin):
        problems.add(("region", "rsin"), "config.rsin", value=rsin)
        rsin = None
    return OriSettings(base_url, kind, besluittype, rsin)
