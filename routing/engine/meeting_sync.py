"""Keeping the stored meetings equal to their sources: routing.toml and imported .ics files.

The store's `meeting` rows are the calendar every other module reads. routing.toml's calendars are
expanded over the planning horizon and compared with the rows that came from it: a meeting gone
from the file is cancelled, one that appears near a gone one is that meeting moved, a new one is
added, each through `routing.engine.meeting_changes`, exactly as the commands do it. A
re-imported .ics file is compared the same way by its UIDs. What a person changed by command
wins over the file until the file says the same.

The comparison runs when routing.toml's calendars changed since the last one, and once a day as
the horizon moves on (`current_calendars`); `routing check` and the daemon report what it did.
Afterwards no open deadline points at a meeting that does not exist: such an item is re-planned.

Reading paths and the sync. A command that only reads (`list`, `show`, `plan`, `status`,
`meetings`, `agenda`) runs in a read session, which takes no write lock and refuses to write; but
the calendars it shows must be the synced ones, and the sync writes. So such a path does not call
`current_calendars` (which may write); it opens `reading(rt)`: a read session asks the one cheap
question `needs_sync` (one row: did routing.toml's calendars or the day change?) and, nearly
always, reads on in that same session with `load_calendars`. Only when a sync is due does it end
the read, sync in a short write session of its own (`sync_if_needed`, which asks again under the
lock, so two processes never both apply it), and read in a fresh read session that sees the
result. A day that turns between the question and the read leaves the calendars of the day
before for that one command, never a write in a read session; the next writer or sweep syncs.
Write paths keep calling `current_calendars` inside their own write session.

Both ask their one question together with the meetings' stamp, in one statement, and keep the
calendars they read on the runtime until either changes (`stored_calendars.kept`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from routing import calendar
from routing.config.access import require_body
from routing.engine import invitations, meeting_changes
from routing.engine.stored_calendars import Calendars, kept, load_calendars
from routing.errors import CalendarError
from routing.i18n import t
from routing.runtime import Runtime
from store import Item, calendar_stamp, deadlines
from store.schedule_models import MeetingRow, Setting

if TYPE_CHECKING:  # the .ics reader (icalendar) is imported only where a file is read
    from routing.calendar.ics_read import IcsMeeting, IcsSkipped

__all__ = [
    "ImportReport",
    "current_calendars",
    "import_ics",
    "needs_sync",
    "reading",
    "sync_config",
    "sync_if_needed",
]

SYNC_SETTING = "calendar_sync"
SYNC_ACTOR = meeting_changes.SYNC_ACTOR
# a meeting that disappears and one that appears within this distance: the same meeting, moved
MOVE_WINDOW = dt.timedelta(days=28)
# meetings of routing.toml are kept from this long before the installation (history, lists)
PAST = dt.timedelta(days=5 * 366)


def _window(db: Session, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    installed = db.get(Setting, "installed_at")
    start = min(dt.datetime.fromisoformat(installed.value), now) if installed else now
    return start - PAST, now + calendar.HORIZON


def _fingerprint(rt: Runtime) -> str:
    found = rt.memo.get(SYNC_SETTING)
    if found is not None and found[0] is rt.config:
        return str(found[1])
    raw = rt.config.raw
    shape = {
        "region": raw.get("region", {}),
        "bodies": {k: v.get("calendar", {}) for k, v in raw.get("bodies", {}).items()},
    }
    text = json.dumps(shape, sort_keys=True, default=str)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
    rt.memo[SYNC_SETTING] = (rt.config, fingerprint)  # the config of a runtime never changes
    return fingerprint


def _needed(rt: Runtime, state: str | None, now: dt.datetime) -> bool:
    known = json.loads(state) if state is not None else {}
    return bool(
        known.get("fingerprint") != _fingerprint(rt) or known.get("day") != now.date().isoformat()
    )


def _stamp(db: Session) -> dict[str, str | None]:
    """The sync's state and the meetings' stamp, in one statement."""
    return calendar_stamp.read(db, SYNC_SETTING)


def needs_sync(rt: Runtime, db: Session) -> bool:
    """Whether routing.toml's calendars or the day changed since the last sync (reads one row)."""
    return _needed(rt, _stamp(db)[SYNC_SETTING], rt.clock.now())


def sync_if_needed(rt: Runtime, db: Session) -> list[meeting_changes.ChangeResult]:
    """Compare with routing.toml when it changed since the last time, or on a new day."""
    now = rt.clock.now()
    if not _needed(rt, _stamp(db)[SYNC_SETTING], now):
        return []
    state = _locked_state(db)
    if not _needed(rt, state.value if state else None, now):  # another process synced meanwhile
        return []
    return sync_config(rt, db, now)


def _locked_state(db: Session) -> Setting | None:
    """The sync's own row, locked: two processes never apply the same change twice (on
    PostgreSQL the row lock orders them; SQLite's write lock already does)."""
    return db.exec(
        select(Setting)
        .where(Setting.name == SYNC_SETTING)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def current_calendars(rt: Runtime, db: Session) -> Calendars:
    """The stored calendars, brought in line with routing.toml first when it changed."""
    stamp = _stamp(db)
    if _needed(rt, stamp[SYNC_SETTING], rt.clock.now()):
        sync_if_needed(rt, db)
        stamp = _stamp(db)
    return kept(rt.memo, rt.config, db, stamp, write=True)


@contextmanager
def reading(rt: Runtime) -> Iterator[tuple[Session, Calendars]]:
    """A read session with the stored calendars in line with routing.toml (see the module's
    docstring): synced first in a short write session of its own only when that is due."""
    with rt.session(read=True) as db:
        stamp = _stamp(db)
        if not _needed(rt, stamp[SYNC_SETTING], rt.clock.now()):
            yield db, kept(rt.memo, rt.config, db, stamp, write=False)
            return
    with rt.session() as db:
        sync_if_needed(rt, db)
    with rt.session(read=True) as db:
        yield db, kept(rt.memo, rt.config, db, _stamp(db), write=False)


def sync_config(rt: Runtime, db: Session, now: dt.datetime) -> list[meeting_changes.ChangeResult]:
    """Compare routing.toml's meetings with the stored ones and apply the differences."""
    state = _locked_state(db)
    known = json.loads(state.value) if state is not None else {}
    previous_end = (
        dt.datetime.fromisoformat(known["until"]) if "until" in known else None
    )  # meetings beyond it are the horizon moving on, not additions
    low, high = _window(db, now)
    changes: list[meeting_changes.ChangeResult] = []
    for key, body in rt.config.bodies.items():
        if body.is_person or key not in rt.config.calendars:
            continue
        changes.extend(_sync_body(rt, db, key, low, high, now, previous_end))
    changes.extend(repair_orphans(rt, db, now))
    value = json.dumps(
        {"fingerprint": _fingerprint(rt), "day": now.date().isoformat(), "until": high.isoformat()}
    )
    if state is None:
        db.add(Setting(name=SYNC_SETTING, value=value))
    else:
        state.value = value
        db.add(state)
    db.flush()
    return changes


def _key(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"


def _sync_body(
    rt: Runtime,
    db: Session,
    body: str,
    low: dt.datetime,
    high: dt.datetime,
    now: dt.datetime,
    previous_end: dt.datetime | None,
) -> list[meeting_changes.ChangeResult]:
    definition = rt.config.calendars[body]
    wanted = {_key(m.start): m.start for m in calendar.meetings_between(definition, low, high)}
    rows = db.exec(select(MeetingRow).where(MeetingRow.body == body)).all()
    first_time = not any(row.source == "config" for row in rows)
    ours = {row.source_key: row for row in rows if row.source == "config"}
    taken = {row.start_at for row in rows if row.status == "scheduled"}
    gone = [
        row
        for key, row in ours.items()
        if key not in wanted and row.status == "scheduled" and row.start_at > now
        and low <= row.original_at < high
    ]  # fmt: skip
    new = {k: s for k, s in wanted.items() if k not in ours}
    # a row a person moved by command to where the file now puts it: the same meeting
    for row in list(gone):
        key = _key(row.start_at)
        if key in new:
            del ours[row.source_key]
            row.source_key = key
            db.add(row)
            del new[key]
            gone.remove(row)
    changes = []
    for row, key in _pairs(gone, new, previous_end):
        start = new.pop(key)
        row.source_key = key
        changes.append(
            meeting_changes.move_meeting(
                db,
                rt,
                row,
                start,
                now=now,
                actor=SYNC_ACTOR,
                reason=t("meeting.reason_config"),
                origin="config",
            )
        )
        gone.remove(row)
    for row in gone:
        changes.append(
            meeting_changes.cancel_meeting(
                db,
                rt,
                row,
                now=now,
                actor=SYNC_ACTOR,
                reason=t("meeting.reason_config"),
                origin="config",
            )
        )
    for key, start in sorted(new.items(), key=lambda pair: pair[1]):
        if start.astimezone(dt.UTC) in {s.astimezone(dt.UTC) for s in taken}:
            continue  # imported or added at this very moment already
        announce = (
            not first_time and start > now and (previous_end is None or start <= previous_end)
        )
        result = meeting_changes.add_meeting(
            db, rt, body, start, now=now, actor=SYNC_ACTOR, reason=t("meeting.reason_config"),
            origin="config", source="config", source_key=key, announce=announce,
        )  # fmt: skip
        if announce:
            changes.append(result)
    return changes


def _pairs(
    gone: list[MeetingRow], new: dict[str, dt.datetime], previous_end: dt.datetime | None
) -> list[tuple[MeetingRow, str]]:
    """Each gone meeting with the nearest new one within `MOVE_WINDOW`, nearest pairs first."""
    candidates = sorted(
        (abs(start - row.start_at), row.id or 0, key, row)
        for row in gone
        for key, start in new.items()
        if abs(start - row.start_at) <= MOVE_WINDOW
        and (previous_end is None or start <= previous_end + MOVE_WINDOW)
    )
    used_rows: set[int] = set()
    used_keys: set[str] = set()
    pairs = []
    for _distance, row_id, key, row in candidates:
        if row_id in used_rows or key in used_keys:
            continue
        used_rows.add(row_id)
        used_keys.add(key)
        pairs.append((row, key))
    return pairs


def repair_orphans(
    rt: Runtime, db: Session, now: dt.datetime
) -> list[meeting_changes.ChangeResult]:
    """Link deadlines written before meetings had ids; re-plan items on meetings that are gone."""
    calendars = load_calendars(rt.config, db)
    for deadline in deadlines.without_meeting(db):
        body = rt.config.bodies.get(deadline.body)
        target = body.handover_to if body is not None and body.is_person else deadline.body
        match = db.exec(
            select(MeetingRow.id).where(
                MeetingRow.body == target,
                MeetingRow.start_at == deadline.meeting_at,
                MeetingRow.status == "scheduled",
            )
        ).first()
        if match is not None:
            deadline.meeting_id = match
            db.add(deadline)
            item = db.get(Item, deadline.item_id)
            if item is not None and item.planned_meeting_id is None:
                item.planned_meeting_id = match
                db.add(item)
    db.flush()
    stranded = deadlines.stranded_item_ids(db)
    lines = [
        meeting_changes.replan_stranded(db, rt, calendars, item_id, now) for item_id in stranded
    ]
    if not lines:
        return []
    return [meeting_changes.ChangeResult(0, "", "replanned", "config", None, None,
                                         list(stranded), lines)]  # fmt: skip


# --- .ics import: a sync by UID --------------------------------------------------------------


@dataclass
class ImportReport:
    body: str
    added: list[dt.datetime] = field(default_factory=list)
    moved: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    cancelled: list[dt.datetime] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[IcsSkipped] = field(default_factory=list)
    changes: list[meeting_changes.ChangeResult] = field(default_factory=list)
    dry_run: bool = False


def import_ics(
    rt: Runtime,
    db: Session,
    body: str,
    path: Path,
    now: dt.datetime,
    *,
    dry_run: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> ImportReport:
    """Bring a body's imported meetings in line with an .ics file.

    New UIDs are added, a changed start is a move, a UID gone from the file (or cancelled in it)
    is a cancellation; past meetings are history and stay as they were. With `dry_run` nothing
    is written (the caller rolls back) but the report says what would change.
    """
    config = rt.config
    if config.body(body).is_person:
        raise CalendarError(
            t("err.import_person", body=body, target=config.bodies[body].handover_to)
        )
    require_body(config.access, rt.identity, body, config.bodies[body].name, "meetings")
    # here, not at the top: icalendar and its dependencies cost every command that reads the
    # calendars (status, list) a few tens of milliseconds, and only an import reads a file
    from routing.calendar.ics_read import MAX_BYTES, read_ics  # noqa: PLC0415

    try:
        with path.open("rb") as handle:  # bounded: a device or a huge file is not read whole
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CalendarError(t("err.file_unreadable", path=path, reason=exc.strerror)) from None
    low, high = _window(db, now)
    reading = read_ics(data, config.timezone, low, high)
    current_calendars(rt, db)  # routing.toml first, so duplicates are recognised
    report = ImportReport(body=body, skipped=list(reading.skipped), dry_run=dry_run)
    rows = db.exec(
        select(MeetingRow).where(MeetingRow.body == body, MeetingRow.source == "ics")
    ).all()
    ours = {row.source_key: row for row in rows}
    others = {
        row.start_at.astimezone(dt.UTC)
        for row in db.exec(
            select(MeetingRow).where(
                MeetingRow.body == body,
                MeetingRow.source != "ics",
                MeetingRow.status == "scheduled",
            )
        ).all()
    }
    seen: set[str] = set()
    for done, meeting in enumerate(reading.meetings, start=1):
        if progress is not None:
            progress("import", done, len(reading.meetings))
        seen.add(meeting.key)
        _import_one(rt, db, body, meeting, ours.get(meeting.key), others, now, report)
    for key, row in ours.items():
        if key in seen or row.status != "scheduled" or row.start_at <= now:
            continue
        report.cancelled.append(row.start_at)
        if not dry_run:
            report.changes.append(
                meeting_changes.cancel_meeting(
                    db,
                    rt,
                    row,
                    now=now,
                    actor=rt.actor,
                    reason=t("meeting.reason_import"),
                    origin="import",
                )
            )
    return report


def _import_one(
    rt: Runtime,
    db: Session,
    body: str,
    meeting: IcsMeeting,
    row: MeetingRow | None,
    others: set[dt.datetime],
    now: dt.datetime,
    report: ImportReport,
) -> None:
    if row is None:
        if meeting.start.astimezone(dt.UTC) in others:
            from routing.calendar.ics_read import IcsSkipped  # noqa: PLC0415 - see import_ics

            report.skipped.append(
                IcsSkipped(meeting.key, meeting.summary, meeting.start.date(), "duplicate")
            )
            return
        report.added.append(meeting.start)
        if not report.dry_run:
            meeting_changes.add_meeting(
                db, rt, body, meeting.start, now=now, actor=rt.actor,
                reason=t("meeting.reason_import"), origin="import", source="ics",
                source_key=meeting.key, location=meeting.location, summary=meeting.summary,
                announce=meeting.start > now,
            )  # fmt: skip
        return
    if row.status == "cancelled" or (row.start_at <= now and meeting.start <= now):
        report.unchanged += 1  # history, or cancelled here by a person: that stays
        return
    if row.start_at == meeting.start and (row.location or None) == (meeting.location or None):
        report.unchanged += 1
        return
    if row.start_at == meeting.start:  # only the place changed
        report.unchanged += 1
        if not report.dry_run:
            row.location = meeting.location
            row.sequence += 1
            row.updated_at = now
            db.add(row)
            if row.start_at > now:  # calendars that have it learn the new place
                invitations.invite(db, rt.config, row, now)
        return
    report.moved.append((row.start_at, meeting.start))
    if not report.dry_run:
        report.changes.append(
            meeting_changes.move_meeting(
                db,
                rt,
                row,
                meeting.start,
                now=now,
                actor=rt.actor,
                reason=t("meeting.reason_import"),
                origin="import",
                location=meeting.location,
            )
        )
