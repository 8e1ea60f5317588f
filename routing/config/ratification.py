"""`[ratification.GROUP]`: the bodies that ratify a decision, by group, configured never coded.

A group (the colleges of the region's municipalities, a gemeenteraad, the Regionaal Beraad) has
a `title` (the word of "3 van 7 colleges akkoord", default the group's key) and `bodies`: a
table of key = name, one entry per body asked. A flow state names a group with
`ratification = { by = "colleges", lead = "30 werkdagen" }` (flows/loader.py); leaving that
state asks every body of the group (`routing.engine.ratification`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from routing.config.schema import Problems

__all__ = ["RatifyGroup", "ratification_groups"]

_KEY = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class RatifyGroup:
    key: str
    title: str
    bodies: Mapping[str, str]  # body key -> its name, in the file's order


def ratification_groups(raw: Mapping[str, Any], problems: Problems) -> dict[str, RatifyGroup]:
    """The groups in force; a group without bodies or a bad key is reported with its line."""
    groups: dict[str, RatifyGroup] = {}
    for key, table in raw.items():
        bodies = {k: v.strip() for k, v in table.get("bodies", {}).items()}
        bad = [k for k in bodies if not _KEY.match(k)] + ([] if _KEY.match(key) else [key])
        for name in bad:
            problems.add(("ratification", key), "config.ratify_key", value=name)
        if not bodies:
            problems.add(("ratification", key, "bodies"), "config.ratify_empty")
            continue
        title = str(table.get("title") or key).strip() or key
        groups[key] = RatifyGroup(key, title, bodies)
    return groups
