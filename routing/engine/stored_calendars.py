"""The bodies' calendars as the rest of the program sees them: the stored meetings.

`routing.calendar` does the pure date arithmetic. The meetings themselves are rows of the store
(`meeting`): routing.toml's calendars are written there by `routing.engine.meeting_sync`, meetings
imported from .ics too, and moved, cancelled and added meetings are changes of those rows. A
calendar read here is the config's lead times and closed days with the stored, scheduled meetings;
a person's calendar is the one of the body it hands over to.

Reading the meetings and working out their deadlines costs more than a transition's own writes,
so a runtime keeps the calendars it read (`kept`) with the stamp they were read under: the
meetings' stamp (`store.calendar_stamp`, new with every change of a meeting row, in any process)
and the state of routing.toml's sync. Every transaction reads the stamp (one row) and reads the
meetings again only when it differs, so a daemon running for weeks sees a meeting moved by a
command at its next transaction. A store whose meetings have no stamp yet gets one from the
first write path; until then nothing is kept.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from routing import calendar
from routing.config.file import Config, handover_time
from routing.errors import NotFound
from routing.i18n import t
from store import calendar_stamp
from store.schedule_models import MeetingRow

__all__ = ["Calendars", "base_calendar", "kept", "load_calendars"]

_MEMO = "stored_calendars"


class Calendars:
    def __init__(self, config: Config, own: Mapping[str, calendar.BodyCalendar]) -> None:
        self._config = config
        self._own = dict(own)
        self._persons: dict[str, calendar.BodyCalendar | None] = {}

    def for_body(self, key: str) -> calendar.BodyCalendar | None:
        """A body's calendar; a person's is the one of the body it hands over to."""
        body = self._config.body(key)
        if body.is_person:
            if key not in self._persons:  # made once: it remembers its meetings
                self._persons[key] = self._person(key)
            return self._persons[key]
        return self._own.get(key)

    def _person(self, key: str) -> calendar.BodyCalendar | None:
        body = self._config.body(key)
        if body.handover_to is None:
            return None
        target = self.for_body(body.handover_to)
        if target is None:
            return None
        lead = calendar.Lead.parse(body.handover_lead or "0 dagen")
        via_key = body.handover_at if body.handover_at in self._config.bodies else None
        via = self.for_body(via_key) if via_key is not None else None
        return calendar.handover_calendar(key, target, lead, at=handover_time(body), via=via)

    def require(self, key: str) -> calendar.BodyCalendar:
        found = self.for_body(key)
        if found is None:
            raise NotFound(t("what.calendar"), f"'{key}'", t("hint.calendar", key=key))
        return found

    def meetings_between(
        self, start: dt.datetime, end: dt.datetime, bodies: Sequence[str] | None = None
    ) -> list[calendar.Meeting]:
        found: list[calendar.Meeting] = []
        for key in bodies or list(self._config.bodies):
            cal = self.for_body(key)
            if cal is not None and not self._config.bodies[key].is_person:
                found.extend(calendar.meetings_between(cal, start, end))
        return sorted(found, key=lambda m: (m.start, m.body))

    def meetings_on(self, body: str, day: dt.date) -> list[calendar.Meeting]:
        cal = self.require(body)
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=cal.tz)
        return calendar.meetings_between(cal, start, start + dt.timedelta(days=1))

    def meeting_on(self, body: str, day: dt.date) -> calendar.Meeting | None:
        found = self.meetings_on(body, day)
        return found[0] if found else None

    def by_id(self, body: str, meeting_id: int) -> calendar.Meeting | None:
        """The meeting with this id as `body` sees it (a person: the hand-over to it)."""
        cal = self.for_body(body)
        if cal is None:
            return None
        for slot in cal.slots:
            if slot.meeting_id == meeting_id:
                return calendar.meetings_between(
                    cal, slot.start, slot.start + dt.timedelta(microseconds=1)
                )[0]
        return None

    def calendar_end(self, body: str) -> dt.datetime | None:
        cal = self.for_body(body)
        return cal.last_start if cal is not None else None


def base_calendar(config: Config, body: str) -> calendar.BodyCalendar:
    """The lead times and closed days of `body`, without meetings (for a body with none in
    routing.toml, whose meetings all come from .ics files or `routing meeting add`)."""
    own = config.calendars.get(body)
    location = config.body(body).location
    if own is not None:
        return dataclasses.replace(own, location=location)
    return calendar.BodyCalendar(
        body=body, tz=config.timezone, workdays=config.workdays, location=location
    )


def load_calendars(config: Config, db: Session) -> Calendars:
    slots: dict[str, list[calendar.Slot]] = {}
    rows = db.exec(
        select(MeetingRow.body, MeetingRow.id, MeetingRow.start_at, MeetingRow.location)
        .where(MeetingRow.status == "scheduled")
        .order_by(col(MeetingRow.start_at))
    ).all()
    for body, meeting_id, start_at, location in rows:
        if body in config.bodies:
            slots.setdefault(body, []).append(
                calendar.Slot(start_at.astimezone(config.timezone), meeting_id, location)
            )
    own = {
        key: base_calendar(config, key).with_slots(slots.get(key, []))
        for key, body in config.bodies.items()
        if not body.is_person and (key in config.calendars or key in slots)
    }
    return Calendars(config, own)


def kept(
    memo: dict[str, Any],
    config: Config,
    db: Session,
    stamp: Mapping[str, str | None],
    *,
    write: bool,
) -> Calendars:
    """The stored calendars, read again only when `stamp` (`store.calendar_stamp.read`, taken in
    this transaction) differs from the one they were kept under (see the module's docstring).
    `write`: the caller's transaction may write, so a store without a stamp gets one."""
    key = tuple(sorted(stamp.items()))
    found = memo.get(_MEMO)
    if found is not None and found[0] is config and found[1] == key:
        return found[2]  # type: ignore[no-any-return]
    if stamp.get(calendar_stamp.MEETINGS_VERSION) is None:
        if not write:
            return load_calendars(config, db)
        calendar_stamp.touch(db)
        others = [name for name in stamp if name != calendar_stamp.MEETINGS_VERSION]
        return kept(memo, config, db, calendar_stamp.read(db, *others), write=write)
    calendars = load_calendars(config, db)
    memo[_MEMO] = (config, key, calendars)
    return calendars
