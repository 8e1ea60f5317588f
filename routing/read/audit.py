"""The audit trail's proof: the hash chain recomputed, and the trail exported with its hashes.

The chain itself (what is hashed, how a link is checked) is a storage invariant and lives in
`store.audit_chain`; this module reads it in one read session and says in words what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from routing.config.access import require_administrator
from routing.errors import RefusedByRules
from routing.i18n import t, tn
from routing.runtime import Runtime
from store import audit_chain

__all__ = ["TrailBroken", "export", "finding_text", "verify"]

# a trail torn everywhere is reported by its first breaks, not by a screen per event
MAX_LISTED = 50


@dataclass(frozen=True)
class Verified:
    report: audit_chain.Report

    def as_dict(self) -> dict[str, Any]:
        report = self.report
        return {
            "intact": report.intact,
            "events": report.events,
            "head": {"last_id": report.head_id, "hash": report.head_hash},
            "findings": [
                {"kind": f.kind, "event_id": f.event_id, "other_id": f.other_id,
                 "message": finding_text(f)}
                for f in report.findings
            ],
        }  # fmt: skip


class TrailBroken(RefusedByRules):
    """The chain does not hold: one line for each break found, the first breaks first."""

    def __init__(self, report: audit_chain.Report) -> None:
        self.report = report
        count = len(report.findings)
        lines = [finding_text(f) for f in report.findings[:MAX_LISTED]]
        if count > MAX_LISTED:
            lines.append(t("audit.more", count=count - MAX_LISTED))
        listed = "".join(f"\n  {line}" for line in lines)
        super().__init__(tn("audit.broken", count, count=count) + listed)


def finding_text(finding: audit_chain.Finding) -> str:
    other = "—" if finding.other_id is None else finding.other_id
    if finding.kind == "removed" and finding.other_id is None:
        return t("audit.removed_first", id=finding.event_id)
    return t(f"audit.{finding.kind}", id=finding.event_id, other=other)


def verify(rt: Runtime) -> Verified:
    """The chain recomputed from the first event to the head, in one consistent snapshot."""
    with rt.session(read=True) as db:
        return Verified(audit_chain.verify(db))


def export(rt: Runtime) -> Iterator[dict[str, Any]]:
    """Every event with `prev_hash` and `hash`, oldest first, read in one snapshot.

    The trail holds every note, confidential items' too: once routing.toml names
    administrators, only they may export it (checked here, before the first line is written).
    """
    require_administrator(rt.config.access, rt.identity, "routing audit export")
    return _exported(rt)


def _exported(rt: Runtime) -> Iterator[dict[str, Any]]:
    with rt.session(read=True) as db:
        yield from audit_chain.export_rows(db)
