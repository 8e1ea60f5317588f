"""The periodic progress digest for the PFHO E&I (rule 5): which period, and what it says.

Written for aldermen, not for the secretariat: items by title (a confidential item by its
reference only, as to any other body), where each stands at the end of the period, and what was
decided in the words of its flow (trigger titles), never state or trigger names. Feedback items
are counted, not listed: one after every UTA meeting says little one by one. Read-only: the sweep
decides when a digest is due and records it as an effect.

The database does the counting (`store.activity`: one row per item that had an event in the
period, never the events themselves), so the cost and the memory follow the period's items, not
the stored history; only the items listed (at most `_LISTED` per section) have their events read.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from flows import FlowDefinition
from routing import i18n
from routing.config.daemon import DaemonSettings
from routing.config.file import Config
from routing.engine import commitments, notify
from routing.engine.items import CREATE_TRIGGER
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import AuditEvent, Item, activity, queries
from store.schedule_models import MeetingOutcome

__all__ = ["FEEDBACK_ORIGIN", "compose_digest", "digest_period"]

FEEDBACK_ORIGIN = "feedback:"
_WIDTH = 100
# Bookkeeping rather than decisions: an edit, papers received, the daemon's roll-over. None of
# them changes where an item stands, so an alderman has nothing to learn from them.
_NOT_DECISIONS = frozenset(
    {CREATE_TRIGGER, "wijzigen", "stukken", "doorschuiven", commitments.ADDED, commitments.CLOSED}
)
# items listed per section (and per place where items stand); more are counted: at the scale of
# a national roll-out a digest of every item would be a book, and would not fit in memory
_LISTED = 100


def digest_period(
    settings: DaemonSettings, local_now: dt.datetime, installed: dt.datetime
) -> tuple[dt.datetime, dt.datetime, str] | None:
    """The last whole period before `local_now` (start, end exclusive, label), cut to the
    installation when the software came into use during it; None when it came later."""
    start, end, label = settings.digest_period_before(local_now)
    if installed >= end:
        return None  # nothing of that period is in the store; the next period will be
    if installed > start:
        # A partial report beats none: the first quarter after going live would otherwise
        # stay silent, and the text says from when it counts (compose_digest).
        start = installed.astimezone(start.tzinfo)
    return start, end, label


def compose_digest(
    db: Session,
    rt: Runtime,
    start: dt.datetime,
    end: dt.datetime,
    label: str,
    *,
    since_installation: bool,
    to: str | None = None,
) -> tuple[str, str]:
    """(subject, plain-text body) of the digest over [start, end) for body `to` (by default
    the configured digest body)."""
    config = rt.config
    # rule 5 names the PFHO E&I; the sweep passes the configured body explicitly
    to_name = _body_name(config, to or config.daemon.digest_body or "pfho-ei")
    period = _period(db, rt, start, end)
    new, moving, finished = period.new, period.moving, period.finished
    feedback = _feedback_lines(config, period)
    last_day = format_date((end - dt.timedelta(days=1)).astimezone(config.timezone))

    span_key = "digest.span_installed" if since_installation else "digest.span"
    span = t(span_key, start=format_date(start.astimezone(config.timezone)), end=last_day)
    intro = t("digest.intro", body=to_name, region=config.region, period=label, span=span)
    parts = [intro]
    if since_installation:
        parts.append(t("digest.partial"))
    if new.count or moving.count or finished.count or feedback:
        parts.append(
            t("digest.in_short", new=new.count, moving=moving.count, finished=finished.count,
              feedback=period.fed_back)
        )  # fmt: skip
    else:
        parts.append(t("digest.nothing_happened"))
    sections = [
        _new_section(config, new),
        _standing_section(config, period.groups, moving.count, last_day),
        _finished_section(config, finished),
        [t("digest.feedback_heading"), *feedback] if feedback else [],
    ]
    paragraphs = [_wrap_paragraph(text) for text in parts]
    paragraphs.extend("\n".join(section) for section in sections if section)
    if period.confidential:
        paragraphs.append(_wrap_paragraph(t("digest.confidential")))
    paragraphs.append(t("digest.closing", secretariat=config.secretariat_name))
    subject = t("digest.subject", body=to_name, period=label)
    return subject, "\n\n".join(paragraphs) + "\n"


# --- what happened, per item ----------------------------------------------------------------


class _Event(NamedTuple):
    item_id: int
    trigger: str
    to_state: str
    at: dt.datetime
    note: str | None


class _Outcome(NamedTuple):
    body: str
    meeting_at: dt.datetime


@dataclass(frozen=True)
class _Decision:
    event: _Event
    outcome: _Outcome | None


@dataclass
class _Track:
    """One item as the period left it: where it ended, and (when listed) what was decided."""

    row: activity.PeriodRow
    flow: FlowDefinition
    item: Item | None = None  # loaded for the listed ones only
    decisions: Sequence[_Decision] = ()

    @property
    def end_state(self) -> str:
        # the state at the end of the period, not today's: a late sweep must not report
        # what happened after the period as if it happened in it
        return self.row.end_state


@dataclass
class _Section:
    """How many items a section has, and the first `_LISTED` of them, which are shown."""

    count: int = 0
    listed: list[_Track] = field(default_factory=list)

    def add(self, track: _Track) -> None:
        self.count += 1
        if len(self.listed) < _LISTED:
            self.listed.append(track)


@dataclass
class _Period:
    new: _Section = field(default_factory=_Section)
    moving: _Section = field(default_factory=_Section)
    finished: _Section = field(default_factory=_Section)
    groups: dict[tuple[int, str], _Section] = field(default_factory=dict)
    fed_back: int = 0
    came_in: Counter[str] = field(default_factory=Counter)
    closed: dict[str, Counter[str]] = field(default_factory=dict)
    confidential: bool = False


def _period(db: Session, rt: Runtime, start: dt.datetime, end: dt.datetime) -> _Period:
    """One pass over the database's per-item summary of the period (never its events), then
    the events of the listed items only."""
    config = rt.config
    order = {key: n for n, key in enumerate(config.bodies)}
    flows: dict[int, FlowDefinition] = {}
    period = _Period()
    for row in activity.period_rows(db, start, end, CREATE_TRIGGER, sorted(_NOT_DECISIONS)):
        flow = flows.get(row.flow_version_id)
        if flow is None:
            flow = flows[row.flow_version_id] = rt.catalog.pinned(db, row.flow_version_id)
        state = flow.state(row.end_state)
        finished = state.final and row.arrived
        if (row.origin or "").startswith(FEEDBACK_ORIGIN):
            source = _feedback_source(row)
            if row.registered_at is not None:
                period.fed_back += 1
                period.came_in[source] += 1
            if finished:
                period.closed.setdefault(source, Counter())[state.title.lower()] += 1
            continue
        track = _Track(row, flow)
        shown = False
        if row.registered_at is not None:
            period.new.add(track)
            shown = True
        if row.decisions and not state.final:
            period.moving.add(track)
            rank = order.get(state.body or "", len(order))
            period.groups.setdefault((rank, _place(config, flow, row.end_state)), _Section()).add(
                track
            )
            shown = True
        if finished:
            period.finished.add(track)
            shown = True
        period.confidential = period.confidential or (shown and not row.openbaar)
    budget = _LISTED  # the places together list no more than one section does
    for key in sorted(period.groups):
        group = period.groups[key]
        group.listed = group.listed[:budget]
        budget -= len(group.listed)
    listed = {
        id(track): track
        for section in (period.new, period.finished, *period.groups.values())
        for track in section.listed
    }
    _load_listed(db, list(listed.values()), start, end)
    return period


def _load_listed(db: Session, tracks: list[_Track], start: dt.datetime, end: dt.datetime) -> None:
    """The items, decisions and meeting outcomes of the tracks shown (a bounded number)."""
    by_id = {track.row.item_id: track for track in tracks}
    if not by_id:
        return
    items = {item.id: item for item in queries.list_items(db, ids=set(by_id))}
    ids = list(by_id)
    events = db.connection().execute(
        sa_select(col(AuditEvent.item_id), col(AuditEvent.trigger), col(AuditEvent.to_state),
                  col(AuditEvent.at), col(AuditEvent.note))
        .where(col(AuditEvent.item_id).in_(ids))
        .where(col(AuditEvent.at) >= start, col(AuditEvent.at) < end)
        .where(col(AuditEvent.trigger).not_in(sorted(_NOT_DECISIONS)))
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()  # fmt: skip
    outcomes = db.connection().execute(
        sa_select(col(MeetingOutcome.item_id), col(MeetingOutcome.trigger),
                  col(MeetingOutcome.at), col(MeetingOutcome.body), col(MeetingOutcome.meeting_at))
        .where(col(MeetingOutcome.item_id).in_(ids))
        .where(col(MeetingOutcome.at) >= start, col(MeetingOutcome.at) < end)
    ).all()  # fmt: skip
    # closing a meeting writes the outcome and the transition with one "now": that pairs them
    by_move = {(o[0], o[1], o[2]): _Outcome(o[3], o[4]) for o in outcomes}
    decisions: dict[int, list[_Decision]] = {}
    for row in events:
        event = _Event(row[0], row[1], row[2], row[3], row[4])
        outcome = by_move.get((event.item_id, event.trigger, event.at))
        decisions.setdefault(event.item_id, []).append(_Decision(event, outcome))
    for item_id, track in by_id.items():
        track.item = items[item_id]
        track.decisions = decisions.get(item_id, [])


# --- the sections ---------------------------------------------------------------------------


def _new_section(config: Config, new: _Section) -> list[str]:
    if not new.count:
        return []
    lines = [t("digest.new_heading", count=new.count)]
    for track in new.listed:
        assert track.row.registered_at is not None
        day = _day(track.row.registered_at, config)
        lines.extend(_wrap(f"{day}: {_name(track)} — {track.flow.title}", "- ", "  "))
    return lines + _more(new)


def _standing_section(
    config: Config, groups: dict[tuple[int, str], _Section], count: int, last_day: str
) -> list[str]:
    """Items still under way, grouped by where they stand, in the order of the configured
    bodies (the route order), so a reader follows the chain from Regieteam to stuurgroep."""
    if not count:
        return []
    lines = [t("digest.standing_heading", day=last_day)]
    for (_, place), group in sorted(groups.items()):
        lines.append(f"{place} ({group.count})")
        for track in group.listed:
            lines.extend(_item_lines(config, track, f"{_name(track)} — {track.flow.title}"))
        lines.extend(_more(group))
    return lines


def _finished_section(config: Config, finished: _Section) -> list[str]:
    if not finished.count:
        return []
    lines = [t("digest.finished_heading", count=finished.count)]
    for track in finished.listed:
        outcome = track.flow.state(track.end_state).title
        head = f"{_name(track)} — {track.flow.title}: {outcome}"
        lines.extend(_item_lines(config, track, head))
    return lines + _more(finished)


def _more(section: _Section) -> list[str]:
    """A section longer than an alderman reads: the rest counted, not listed."""
    rest = section.count - len(section.listed)
    return _wrap(t("mail.digest_more", count=rest), "- ", "  ") if rest > 0 else []


def _item_lines(config: Config, track: _Track, head: str) -> list[str]:
    lines = _wrap(head, "- ", "  ")
    for decision in track.decisions:
        lines.extend(_wrap(_decided(config, track.flow, decision), "  · ", "    "))
        note = decision.event.note
        # a confidential item's notes are its content: they stay with the secretariat
        if note and track.row.openbaar:
            lines.extend(_wrap(t("digest.note", note=" ".join(note.split())), "    ", "    "))
    return lines


def _decided(config: Config, flow: FlowDefinition, decision: _Decision) -> str:
    event, outcome = decision.event, decision.outcome
    what = _trigger_title(flow, event)
    if outcome is None:
        # moved by hand: the date of the move, without claiming which meeting decided it
        return f"{_day(event.at, config)}: {what}"
    day = _day(outcome.meeting_at, config)
    return f"{day}, {_body_name(config, outcome.body)}: {what}"


def _feedback_lines(config: Config, period: _Period) -> list[str]:
    """One line per body whose meetings are fed back: how many came in, how many were closed."""
    came_in, closed = period.came_in, period.closed
    order = {key: n for n, key in enumerate(config.bodies)}
    lines = []
    for source in sorted(set(came_in) | set(closed), key=lambda s: (order.get(s, len(order)), s)):
        count = came_in[source]
        new = t("digest.feedback_one" if count == 1 else "digest.feedback_many", count=count)
        done = ", ".join(f"{n} {title}" for title, n in sorted(closed.get(source, {}).items()))
        line = t(
            "digest.feedback_line",
            body=_body_name(config, source),
            new=new,
            closed=done or t("digest.feedback_none_closed"),
        )
        lines.extend(_wrap(line, "- ", "  "))
    return lines


def _feedback_source(row: activity.PeriodRow) -> str:
    """The body whose meeting is fed back: the sender, else the body in the meeting key."""
    if row.sender:
        return row.sender
    return (row.origin or "")[len(FEEDBACK_ORIGIN) :].partition("@")[0]


# --- names and text -------------------------------------------------------------------------


def _name(track: _Track) -> str:
    assert track.item is not None
    return notify.item_label(track.item, to_other_body=True)


def _day(moment: dt.datetime, config: Config) -> str:
    """The local date as a reader writes it (Babel is slow, and many moments share a day)."""
    return _format_day(moment.astimezone(config.timezone).date(), i18n.current_language())


@lru_cache(maxsize=1024)
def _format_day(day: dt.date, _language: str) -> str:
    return format_date(day)


def _body_name(config: Config, key: str) -> str:
    body = config.bodies.get(key)
    return body.name if body is not None else key


def _place(config: Config, flow: FlowDefinition, state_name: str) -> str:
    """Where an item stands: its body's name, else the state's title ("Concept")."""
    body = flow.state(state_name).body
    return _body_name(config, body) if body is not None else flow.state(state_name).title


def _trigger_title(flow: FlowDefinition, event: _Event) -> str:
    for trigger in flow.triggers:
        if trigger.name == event.trigger and trigger.title:
            return trigger.title
    # a trigger without a title still has a destination a reader can understand
    return t("digest.moved_to", state=flow.state(event.to_state).title)


def _wrap(text: str, first: str, rest: str) -> list[str]:
    # e-mail clients re-flow long lines unpredictably; wrap ourselves, never inside a word
    return textwrap.wrap(
        text, width=_WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    ) or [first.rstrip()]  # fmt: skip


def _wrap_paragraph(text: str) -> str:
    return "\n".join(
        "\n".join(_wrap(line, "", "")) if line.strip() else "" for line in text.split("\n")
    )
