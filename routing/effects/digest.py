"""The periodic progress digest for the PFHO E&I (rule 5): which period, and what it says.

Written for aldermen, not for the secretariat: items by title (a confidential item by its
reference only, as to any other body), where each stands at the end of the period, and what was
decided in the words of its flow (trigger titles), never state or trigger names. Feedback items
are counted, not listed: one after every UTA meeting says little one by one. Read-only: the sweep
decides when a digest is due and records it as an effect.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from flows import FlowDefinition
from routing.config.daemon import DaemonSettings
from routing.config.file import Config
from routing.engine import notify
from routing.engine.items import CREATE_TRIGGER
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import AuditEvent, Item, queries
from store.schedule_models import MeetingOutcome

__all__ = ["FEEDBACK_ORIGIN", "compose_digest", "digest_period"]

FEEDBACK_ORIGIN = "feedback:"
_WIDTH = 100
# Bookkeeping rather than decisions: an edit, papers received, the daemon's roll-over. None of
# them changes where an item stands, so an alderman has nothing to learn from them.
_NOT_DECISIONS = frozenset({CREATE_TRIGGER, "wijzigen", "stukken", "doorschuiven"})


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
    tracks = _tracks(db, rt, start, end)
    points = [track for track in tracks if not track.is_feedback]
    fed_back = sum(1 for track in tracks if track.is_feedback and track.registered)
    new = [track for track in points if track.registered]
    moving = [track for track in points if track.decisions and not track.final_at_end]
    finished = [track for track in points if track.finished]
    feedback = _feedback_lines(config, [track for track in tracks if track.is_feedback])
    last_day = format_date((end - dt.timedelta(days=1)).astimezone(config.timezone))

    span_key = "digest.span_installed" if since_installation else "digest.span"
    span = t(span_key, start=format_date(start.astimezone(config.timezone)), end=last_day)
    intro = t("digest.intro", body=to_name, region=config.region, period=label, span=span)
    parts = [intro]
    if since_installation:
        parts.append(t("digest.partial"))
    if new or moving or finished or feedback:
        parts.append(
            t("digest.in_short", new=len(new), moving=len(moving), finished=len(finished),
              feedback=fed_back)
        )  # fmt: skip
    else:
        parts.append(t("digest.nothing_happened"))
    sections = [
        _new_section(config, new),
        _standing_section(config, moving, last_day),
        _finished_section(config, finished),
        [t("digest.feedback_heading"), *feedback] if feedback else [],
    ]
    paragraphs = [_wrap_paragraph(text) for text in parts]
    paragraphs.extend("\n".join(section) for section in sections if section)
    if any(not track.item.openbaar for track in (*new, *moving, *finished)):
        paragraphs.append(_wrap_paragraph(t("digest.confidential")))
    paragraphs.append(t("digest.closing", secretariat=config.secretariat_name))
    subject = t("digest.subject", body=to_name, period=label)
    return subject, "\n\n".join(paragraphs) + "\n"


# --- what happened, per item ----------------------------------------------------------------


@dataclass(frozen=True)
class _Decision:
    event: AuditEvent
    outcome: MeetingOutcome | None


@dataclass(frozen=True)
class _Track:
    """One item and its events inside the period (ordered); the last one says where it ended."""

    item: Item
    flow: FlowDefinition
    events: Sequence[AuditEvent]
    decisions: Sequence[_Decision]

    @property
    def is_feedback(self) -> bool:
        return (self.item.origin or "").startswith(FEEDBACK_ORIGIN)

    @property
    def registered(self) -> bool:
        return any(event.trigger == CREATE_TRIGGER for event in self.events)

    @property
    def end_state(self) -> str:
        # the state at the end of the period, not today's: a late sweep must not report
        # what happened after the period as if it happened in it
        return self.events[-1].to_state

    @property
    def final_at_end(self) -> bool:
        return self.flow.state(self.end_state).final

    @property
    def finished(self) -> bool:
        end_state = self.end_state
        return self.final_at_end and any(
            event.to_state == end_state and event.from_state != end_state for event in self.events
        )


def _tracks(db: Session, rt: Runtime, start: dt.datetime, end: dt.datetime) -> list[_Track]:
    events = db.exec(
        select(AuditEvent)
        .where(col(AuditEvent.at) >= start, col(AuditEvent.at) < end)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    ).all()
    by_item: dict[int, list[AuditEvent]] = {}
    for event in events:
        by_item.setdefault(event.item_id, []).append(event)
    if not by_item:
        return []
    outcomes = db.exec(
        select(MeetingOutcome)
        .where(col(MeetingOutcome.item_id).in_(list(by_item)))
        .where(col(MeetingOutcome.at) >= start, col(MeetingOutcome.at) < end)
    ).all()
    # closing a meeting writes the outcome and the transition with one "now": that pairs them
    by_move = {(o.item_id, o.trigger, o.at): o for o in outcomes}
    tracks = []
    for item in queries.list_items(db, ids=set(by_item)):
        assert item.id is not None
        item_events = by_item[item.id]
        decisions = [
            _Decision(event, by_move.get((event.item_id, event.trigger, event.at)))
            for event in item_events
            if event.trigger not in _NOT_DECISIONS
        ]
        flow = rt.catalog.pinned(db, item.flow_version_id)
        tracks.append(_Track(item, flow, item_events, decisions))
    return tracks


# --- the sections ---------------------------------------------------------------------------


def _new_section(config: Config, new: Sequence[_Track]) -> list[str]:
    if not new:
        return []
    lines = [t("digest.new_heading", count=len(new))]
    for track in new:
        registered = next(e for e in track.events if e.trigger == CREATE_TRIGGER)
        day = format_date(registered.at.astimezone(config.timezone))
        lines.extend(_wrap(f"{day}: {_name(track)} — {track.flow.title}", "- ", "  "))
    return lines


def _standing_section(config: Config, moving: Sequence[_Track], last_day: str) -> list[str]:
    """Items still under way, grouped by where they stand, in the order of the configured
    bodies (the route order), so a reader follows the chain from Regieteam to stuurgroep."""
    if not moving:
        return []
    order = {key: n for n, key in enumerate(config.bodies)}
    groups: dict[tuple[int, str], list[_Track]] = {}
    for track in moving:
        body = track.flow.state(track.end_state).body
        rank = order.get(body or "", len(order))
        groups.setdefault((rank, _place(config, track.flow, track.end_state)), []).append(track)
    lines = [t("digest.standing_heading", day=last_day)]
    for (_, place), tracks in sorted(groups.items()):
        lines.append(f"{place} ({len(tracks)})")
        for track in tracks:
            lines.extend(_item_lines(config, track, f"{_name(track)} — {track.flow.title}"))
    return lines


def _finished_section(config: Config, finished: Sequence[_Track]) -> list[str]:
    if not finished:
        return []
    lines = [t("digest.finished_heading", count=len(finished))]
    for track in finished:
        outcome = track.flow.state(track.end_state).title
        head = f"{_name(track)} — {track.flow.title}: {outcome}"
        lines.extend(_item_lines(config, track, head))
    return lines


def _item_lines(config: Config, track: _Track, head: str) -> list[str]:
    lines = _wrap(head, "- ", "  ")
    for decision in track.decisions:
        lines.extend(_wrap(_decided(config, track.flow, decision), "  · ", "    "))
        note = decision.event.note
        # a confidential item's notes are its content: they stay with the secretariat
        if note and track.item.openbaar:
            lines.extend(_wrap(t("digest.note", note=" ".join(note.split())), "    ", "    "))
    return lines


def _decided(config: Config, flow: FlowDefinition, decision: _Decision) -> str:
    event, outcome = decision.event, decision.outcome
    what = _trigger_title(flow, event)
    if outcome is None:
        # moved by hand: the date of the move, without claiming which meeting decided it
        return f"{format_date(event.at.astimezone(config.timezone))}: {what}"
    day = format_date(outcome.meeting_at.astimezone(config.timezone))
    return f"{day}, {_body_name(config, outcome.body)}: {what}"


def _feedback_lines(config: Config, tracks: Iterable[_Track]) -> list[str]:
    """One line per body whose meetings are fed back: how many came in, how many were closed."""
    came_in: Counter[str] = Counter()
    closed: dict[str, Counter[str]] = {}
    for track in tracks:
        source = _feedback_source(track.item)
        if track.registered:
            came_in[source] += 1
        if track.finished:
            title = track.flow.state(track.end_state).title.lower()
            closed.setdefault(source, Counter())[title] += 1
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


def _feedback_source(item: Item) -> str:
    """The body whose meeting is fed back: the sender, else the body in the meeting key."""
    if item.sender:
        return item.sender
    return (item.origin or "")[len(FEEDBACK_ORIGIN) :].partition("@")[0]


# --- names and text -------------------------------------------------------------------------


def _name(track: _Track) -> str:
    return notify.item_label(track.item, to_other_body=True)


def _body_name(config: Config, key: str) -> str:
    body = config.bodies.get(key)
    return body.name if body is not None else key


def _place(config: Config, flow: FlowDefinition, state_name: str) -> str:
    """Where an item stands: its body's name, else the state's title ("Concept")."""
    body = flow.state(state_name).body
    return _body_name(config, body) if body is not None else flow.state(state_name).title


def _trigger_title(flow: FlowDefinition, event: AuditEvent) -> str:
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
