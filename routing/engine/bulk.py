"""`routing import`: many items registered at once, all or nothing, as `routing new` registers one.

Two passes in one write transaction. First every row of the file (`routing.engine.item_file`)
is checked, in file order, by the functions `routing new` uses (`routing.text`'s limits, the
owner from [people], a known flow and sending body, the target meeting); the first bad row
raises `BadInput` naming the file, its line, its column and the fix, and the transaction is
rolled back, so nothing is written (not even the calendar sync the checks needed). Then it is
all written: the flow versions pinned, the items' ids reserved, and per chunk of rows one
executemany each for items and deadlines, and the audit events linked into the chain by
`writer.record_many`. The rows are the ones `create_item_in` would write one by one, ids and
hashes included (`tests/test_import.py` compares the two stores). Registering sends nothing,
so no outbox row is written.

All items of one import are created at one moment, so where an item is planned depends only
on its flow's initial state: `planning.choose` is asked once per flow, and the backward plan
to a target meeting (rule 6, the warning `routing new` prints) once per flow and target. The
rows are checked and held in memory before anything is written (a file is at most
`item_file.MAX_BYTES`), with the cyclic garbage collector paused meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from flows import FlowDefinition
from routing import calendar, text
from routing.clock import parse_moment
from routing.config.people import resolve_owner
from routing.engine import item_file, planning
from routing.engine.items import (
    CREATE_TRIGGER,
    ItemSpec,
    check_asked,
    check_sender,
    clean_topics,
    new_item_values,
    target_of,
)
from routing.engine.meeting_sync import current_calendars
from routing.engine.stored_calendars import Calendars
from routing.engine.writer import record_many
from routing.errors import BadInput
from routing.i18n import format_date, t
from routing.runtime import Runtime
from store import Item, bulk
from store.schedule_models import Deadline

__all__ = ["CHUNK", "Imported", "Progress", "import_items"]

CHUNK = 1000  # rows per executemany: the progress bar moves, a statement stays small
Progress = Callable[[str, int, int], None]
_TOPICS = re.compile(r"[\s,;|]+")
_DUTCH_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_YES = frozenset({"ja", "j", "yes", "y", "waar", "true", "1", "x"})
_NO = frozenset({"nee", "n", "no", "onwaar", "false", "0"})
_WARNED_LINES = 10


@dataclass(frozen=True)
class Imported:
    rows: int  # the rows checked (and, unless a dry run, registered)
    ids: list[int]
    warnings: list[str]  # targets already out of reach, as `routing new` warns, with their lines
    dry_run: bool = False


@dataclass(frozen=True)
class _Checked:
    line: int
    spec: ItemSpec
    topics: list[str]
    asked: str
    target_body: str | None
    target: calendar.Meeting | None


def import_items(
    rt: Runtime, path: Path, *, progress: Progress | None = None, dry_run: bool = False
) -> Imported:
    """Register every row of the file at `path`, or none; with `dry_run` only check them."""
    read = item_file.read_item_file(path)
    if not read.rows:
        return Imported(0, [], [], dry_run)
    now = rt.clock.now()
    with _collector_paused(), rt.session() as db:
        calendars = current_calendars(rt, db)
        checker = _Checker(rt, calendars, read)
        checked = []
        for done, row in enumerate(read.rows, start=1):
            checked.append(checker.row(row))
            if progress is not None and (done % CHUNK == 0 or done == len(read.rows)):
                progress("import_check", done, len(read.rows))
        if dry_run:
            db.rollback()  # the calendar sync the checks needed is not this command's to keep
            return Imported(len(checked), [], _warnings(rt, calendars, checked, now), dry_run)
        ids = _write(db, rt, calendars, checked, now, progress)
        warnings = _warnings(rt, calendars, checked, now)
    return Imported(len(checked), ids, warnings)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The rows of an import are many small acyclic dicts and tuples: the cyclic garbage
    collector would scan them over and over while they are built (a fifth of the time), and
    finds nothing to free. Paused for the import only, and only if it was running."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


class _Checker:
    """Checks rows as `routing new` checks one; a value that repeats (an owner, a flow, a date,
    a target) is judged once per import, and a refusal is raised again each time it recurs."""

    def __init__(self, rt: Runtime, calendars: Calendars, read: item_file.ItemFile) -> None:
        self.rt, self.calendars, self.read = rt, calendars, read
        self.flow = functools.cache(rt.catalog.get)
        self.owner = functools.cache(
            lambda written: resolve_owner(rt.config, text.checked_line("owner", written))
        )
        self.topics = functools.cache(self._topics)
        self.day = functools.cache(self._day)
        self.target = functools.cache(self._target)

    def row(self, row: item_file.Row) -> _Checked:
        """The row as `routing new` would take it; `BadInput` naming line, column and fix."""
        cells = row.cells
        column = "title"
        try:
            title = text.checked_line("title", cells.get("title", ""))
            if not title:
                raise BadInput(t("import.value_missing"))
            column = "flow"
            flow = self.flow(_required(cells.get("flow", "")))
            column = "kenmerk"
            kenmerk = text.checked_line("kenmerk", cells["kenmerk"]) if "kenmerk" in cells else None
            column = "owner"
            owner = self.owner(cells["owner"]) if "owner" in cells else None
            column = "topics"
            topics = self.topics(cells.get("topics", ""))
            column = "asked"
            asked = check_asked(cells.get("asked", "bespreking").strip())
            column = "confidential"
            confidential = _yes_no(cells.get("confidential"))
            column = "not_distributed"
            not_distributed = _yes_no(cells.get("not_distributed"))
            column = "date"
            document_date = self.day(cells["date"]) if "date" in cells else None
            column = "sender"
            sender = cells["sender"].strip() if "sender" in cells else None
            check_sender(self.rt, sender)
            column = "note"
            note = text.checked_block("note", cells["note"]) if "note" in cells else None
            column = "target"
            target_body = cells["target"].strip() if "target" in cells else None
            if target_body is not None and "target_meeting" not in cells:
                raise BadInput(t("import.target_needs_meeting"))
            column = "target_meeting"
            target_day = self.day(cells["target_meeting"]) if "target_meeting" in cells else None
            body, target = self.target(flow.name, target_body, target_day)
        except BadInput as problem:
            header = self.read.headers.get(column, item_file.COLUMNS[column][0])
            raise BadInput(
                t("import.row_problem", file=self.read.name, line=row.line, column=f"'{header}'",
                  problem=str(problem))
            ) from None  # fmt: skip
        spec = ItemSpec(
            title=title, flow=flow.name, topics=topics, kenmerk=kenmerk, owner=owner, asked=asked,
            vertrouwelijk=confidential, verspreiden=not not_distributed,
            document_date=document_date, sender=sender, note=note, target_body=target_body,
            target_day=target_day,
        )  # fmt: skip
        return _Checked(row.line, spec, list(topics), asked, body, target)

    def _topics(self, written: str) -> tuple[str, ...]:
        parts = [part for part in _TOPICS.split(written) if part]
        return tuple(clean_topics([text.checked_line("topic", topic) for topic in parts]))

    def _day(self, value: str) -> dt.date:
        """A date as `routing new` takes it (2024-03-14), or as a Dutch spreadsheet writes it
        (14-03-2024, 14/3/2024): the same range and checks either way."""
        written = value.strip()
        dutch = _DUTCH_DAY.match(written)
        if dutch is not None:
            day, month, year = (int(part) for part in dutch.groups())
            try:
                written = dt.date(year, month, day).isoformat()
            except ValueError:
                raise BadInput(t("err.not_a_date", text=written)) from None
        tz = self.rt.config.timezone
        return parse_moment(written, tz).astimezone(tz).date()

    def _target(
        self, flow: str, body: str | None, day: dt.date | None
    ) -> tuple[str | None, calendar.Meeting | None]:
        return target_of(self.rt, self.calendars, self.flow(flow), body, day)


def _required(value: str) -> str:
    if not value.strip():
        raise BadInput(t("import.value_missing"))
    return value.strip()


def _yes_no(value: str | None) -> bool:
    if value is None:
        return False
    word = value.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise BadInput(t("import.not_yes_no", value=value.strip()[:64]))


def _write(
    db: Session,
    rt: Runtime,
    calendars: Calendars,
    checked: list[_Checked],
    now: dt.datetime,
    progress: Progress | None,
) -> list[int]:
    """Write the checked rows: the rows `create_item_in` writes, table by table."""
    flows: dict[str, _Planned] = {}
    for row in checked:  # pinned in order of first use, as `routing new` one by one would
        if row.spec.flow not in flows:
            flows[row.spec.flow] = _planned(db, rt, calendars, row.spec.flow, now)
    ids = bulk.reserve_ids(db, _table(Item), len(checked))
    for start in range(0, len(checked), CHUNK):
        part = zip(ids[start : start + CHUNK], checked[start : start + CHUNK], strict=True)
        items: list[dict[str, Any]] = []
        deadlines: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for item_id, row in part:
            planned = flows[row.spec.flow]
            values = new_item_values(
                row.spec, row.topics, row.asked, planned.flow, planned.version_id,
                row.target_body, row.target, now,
            )  # fmt: skip
            values.update(planned.item, id=item_id)
            items.append(values)
            deadlines.extend({**deadline, "item_id": item_id} for deadline in planned.deadlines)
            events.append({**planned.event, "item_id": item_id, "note": row.spec.note})
        bulk.insert_rows(db, _table(Item), items)
        bulk.insert_rows(db, _table(Deadline), deadlines)
        record_many(db, events)
        if progress is not None:
            progress("import_write", min(start + CHUNK, len(checked)), len(checked))
    return ids


@dataclass(frozen=True)
class _Planned:
    """What every new item of one flow gets: its pinned version, and as `create_item_in` would
    write them, its planning columns, its deadlines and its registration event (no item id)."""

    version_id: int
    flow: FlowDefinition
    item: dict[str, Any]
    deadlines: list[dict[str, Any]]
    event: dict[str, Any]


def _planned(
    db: Session, rt: Runtime, calendars: Calendars, name: str, now: dt.datetime
) -> _Planned:
    version, flow = rt.catalog.pin(db, name, now)
    assert version.id is not None
    initial = flow.state(flow.initial)
    placement = planning.choose(
        rt.config, calendars, initial.body, now, plan=1, needs_papers=initial.papers
    )
    deadlines = []
    meeting, body = placement.meeting, placement.body
    if meeting is not None and body is not None:  # the rows `planning.place` writes
        for kind, due, status in planning.deadline_moments(meeting, now, papers=placement.papers):
            deadlines.append(
                {"plan": placement.plan, "kind": kind, "body": body,
                 "meeting_id": meeting.meeting_id, "meeting_at": meeting.start, "due_at": due,
                 "status": status, "handled_at": now if status != "open" else None,
                 "attempts": 0, "next_attempt_at": None, "last_error": None}
            )  # fmt: skip
    event = {"from_state": None, "to_state": flow.initial, "trigger": CREATE_TRIGGER,
             "actor": rt.actor, "at": now}  # fmt: skip
    item = {"version": 1, **placement.item_values()}
    return _Planned(version.id, flow, item, deadlines, event)


def _table(model: type[Any]) -> Any:
    return model.__table__


def _warnings(
    rt: Runtime, calendars: Calendars, checked: list[_Checked], now: dt.datetime
) -> list[str]:
    """The warning `routing new` prints for a target already out of reach, once per flow and
    target meeting, with the lines it concerns."""
    lines: dict[tuple[str, str, dt.datetime], list[int]] = {}
    found: dict[tuple[str, str, dt.datetime], str | None] = {}
    for row in checked:
        if row.target is None or row.target_body is None:
            continue
        key = (row.spec.flow, row.target_body, row.target.start)
        if key not in found:
            found[key] = _lost(rt, calendars, row, now)
        lines.setdefault(key, []).append(row.line)
    warnings = []
    for key, warning in found.items():
        if warning is None:
            continue
        shown = ", ".join(map(str, lines[key][:_WARNED_LINES]))
        more = len(lines[key]) - _WARNED_LINES
        listed = shown if more <= 0 else t("import.lines_more", lines=shown, more=more)
        warnings.append(t("import.warn_lines", lines=listed, warning=warning))
    return warnings


def _lost(rt: Runtime, calendars: Calendars, row: _Checked, now: dt.datetime) -> str | None:
    assert row.target is not None and row.target_body is not None
    flow = rt.catalog.get(row.spec.flow)
    initial = flow.state(flow.initial)
    placement = planning.choose(
        rt.config, calendars, initial.body, now, plan=1, needs_papers=initial.papers
    )
    item = Item(state=flow.initial, **placement.item_values())
    visited = {initial.body} if initial.body else set()  # its history: the registration only
    status = planning.target_status(
        rt.config, calendars, flow, item, row.target_body, row.target, visited, now
    )
    if status.status != "lost":
        return None
    tz = rt.config.timezone
    target = format_date(row.target.start.astimezone(tz), with_time=True)
    if status.earliest is None:
        return t("plan.warn_lost_none", target=target)
    later = format_date(status.earliest.target.start.astimezone(tz), with_time=True)
    return t("plan.warn_lost", target=target, earliest=later)
