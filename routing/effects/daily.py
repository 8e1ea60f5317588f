"""The daily overview: one mail per recipient per day with the messages held for it.

A message to an address that takes its mail once a day is held in the outbox, one row per
address, until the next overview moment (`routing.engine.notify`). When that moment has come,
the sweep bundles each address's due lines, in one transaction per address: the lines are locked
and still held, the overview is queued as an outbox row of its own with the key
`dagoverzicht:ADDRESS:DATE`, and its lines become `bundled` with its id. A second daemon waits for
that lock and finds nothing left to bundle; a crash before the commit leaves every line held for
the next sweep. From there the overview is a message like any other (delivery, Message-ID,
retries). The overview groups its lines by item (the item's name, then its messages), the item
with the earliest moment first; messages about no item come last.

Not to be confused with `routing.effects.digest`, the periodic progress report to the PFHO E&I.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence

from sqlmodel import Session

from routing.config.file import Config
from routing.effects.failures import Found, Isolated
from routing.engine import notify
from routing.i18n import format_date, t, tn
from routing.runtime import Runtime
from store import Item, queries
from store import outbox as outbox_queries
from store.schedule_models import Outbox

__all__ = ["KIND", "bundle_due", "compose"]

KIND = "daily"
_WIDTH = 78
_LAST = dt.datetime.max.replace(tzinfo=dt.UTC)


def bundle_due(rt: Runtime, now: dt.datetime, effects: Isolated) -> None:
    """Queue the overview of every address whose held lines are due."""
    with rt.session(read=True) as db:
        due = outbox_queries.held_due(db, now)
    day = now.astimezone(rt.config.timezone).date()
    for address, ids in due.items():
        key = f"dagoverzicht:{address}:{day.isoformat()}"

        def work(db: Session, address: str = address, ids: list[int] = ids) -> Found:
            return _bundle(db, rt.config, address, ids, now)

        effects.run(key, KIND, work)


def _bundle(db: Session, config: Config, address: str, ids: list[int], now: dt.datetime) -> Found:
    lines = outbox_queries.held_lines(db, ids)
    if not lines:
        return []  # another daemon bundled them first
    items = {
        item.id: item
        for item in queries.list_items(db, ids={r.item_id for r in lines if r.item_id})
    }
    subject, body = compose(config, address, lines, items, now)
    day = now.astimezone(config.timezone).date().isoformat()
    key = f"dagoverzicht:{address}:{day}"
    for n in range(2, 100):  # a second overview the same day (digest_time moved later)
        if not outbox_queries.written(db, key):
            break
        key = f"dagoverzicht:{address}:{day}:{n}"
    row = notify.enqueue(
        db, config, key=key, kind=KIND, recipients=[address], subject=subject, body=body,
        now=now, may_wait=False,
    )  # fmt: skip
    assert row is not None and row.id is not None
    for line in lines:
        line.status, line.bundle_id = "bundled", row.id
        db.add(line)
    db.flush()
    return [(KIND, f"{subject} → {address}")]


def compose(
    config: Config,
    address: str,
    lines: Sequence[Outbox],
    items: dict[int | None, Item],
    now: dt.datetime,
) -> tuple[str, str]:
    """(subject, plain-text body) of `address`'s overview of `lines`."""
    to_other_body = _is_other_body(config, address)
    groups: dict[int | None, list[Outbox]] = {}
    for line in sorted(lines, key=lambda r: (r.due_at or _LAST, r.id or 0)):
        groups.setdefault(line.item_id if line.item_id in items else None, []).append(line)
    order = sorted(groups, key=lambda g: (g is None, groups[g][0].due_at or _LAST))
    day = format_date(now.astimezone(config.timezone), with_time=False, weekday=True)
    count = tn("daily.count", len(lines), count=len(lines))
    parts = [_wrap(t("daily.intro", day=day, count=count, region=config.region), "", "")]
    for key in order:
        if key is None:
            head = t("daily.general")
        else:
            head = notify.item_label(items[key], to_other_body=to_other_body)
        block = _wrap(head, "", "")
        for line in groups[key]:
            block.extend(_line(line))
        parts.append(block)
    parts.append([t("digest.closing", secretariat=config.secretariat_name)])
    subject = t("daily.subject", day=day, count=count)
    return subject, "\n\n".join("\n".join(part) for part in parts) + "\n"


def _line(line: Outbox) -> list[str]:
    """One message in the overview: what kind it is, then its text."""
    word = t(f"mail.{line.kind}")
    addressed = t("daily.addressed")  # "Aan: ..." of a letter: the overview is addressed itself
    paragraphs = [
        p.strip() for p in line.body.strip().split("\n")
        if p.strip() and not p.startswith(addressed)
    ] or [""]  # fmt: skip
    out = _wrap(f"{word[:1].upper()}{word[1:]}: {paragraphs[0]}", "- ", "  ")
    for paragraph in paragraphs[1:]:
        out.extend(_wrap(paragraph, "  ", "  "))
    return out


def _is_other_body(config: Config, address: str) -> bool:
    """A body's address (not the secretariat's): it sees a confidential item by reference."""
    wanted = address.casefold()
    if any(a.casefold() == wanted for a in config.secretariat_email):
        return False
    return any(a.casefold() == wanted for body in config.bodies.values() for a in body.email)


def _wrap(text: str, first: str, rest: str) -> list[str]:
    # mail clients re-flow long lines unpredictably; wrap ourselves, never inside a word
    return textwrap.wrap(
        text, width=_WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    ) or [first.rstrip()]  # fmt: skip
