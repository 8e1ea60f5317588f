"""The bodies' calendars as the rest of the program sees them: config plus imported meetings.

`routing.calendar` does the pure date arithmetic; this module binds it to the configuration (the
`[bodies.X.calendar]` tables, a person's hand-over to another body) and to the meetings imported
from .ics files, which live in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from sqlmodel import Session, col, select

from routing import calendar
from routing.config import Config
from routing.errors import CalendarError, NotFound
from routing.i18n import t
from store.schedule_models import ImportedMeeting

__all__ = ["Calendars", "import_ics", "load_calendars"]


class Calendars:
    def __init__(self, config: Config, own: Mapping[str, calendar.BodyCalendar]) -> None:
        self._config = config
        self._own = dict(own)

    def for_body(self, key: str) -> calendar.BodyCalendar | None:
        """A body's calendar; a person's is the one of the body it hands over to."""
        body = self._config.body(key)
        if body.kind == "persoon":
            if body.handover_to is None:
                return None
            target = self.for_body(body.handover_to)
            if target is None:
                return None
            lead = calendar.Lead.parse(body.handover_lead or "0 dagen")
            return calendar.handover_calendar(key, target, lead)
        return self._own.get(key)

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
            if cal is not None and self._config.bodies[key].kind != "persoon":
                found.extend(calendar.meetings_between(cal, start, end))
        return sorted(found, key=lambda m: (m.start, m.body))

    def meeting_on(self, body: str, day: dt.date) -> calendar.Meeting | None:
        cal = self.require(body)
        tz = cal.tz
        start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        found = calendar.meetings_between(cal, start, start + dt.timedelta(days=1))
        return found[0] if found else None


def load_calendars(config: Config, db: Session) -> Calendars:
    own = dict(config.calendars)
    imported: dict[str, list[dt.datetime]] = {}
    for row in db.exec(select(ImportedMeeting).order_by(col(ImportedMeeting.start_at))):
        imported.setdefault(row.body, []).append(row.start_at.astimezone(config.timezone))
    for key, starts in imported.items():
        base = own.get(key) or calendar.BodyCalendar(body=key, tz=config.timezone)
        own[key] = base.with_imported(starts)
    return Calendars(config, own)


def import_ics(
    db: Session,
    config: Config,
    body: str,
    path: Path,
    now: dt.datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[int, int]:
    """Store the meetings of an .ics file for `body`; returns (new, already known).

    `progress(stage, done, total)` is told about every meeting (a year of a body's
    calendar exported from Outlook can hold hundreds).
    """
    if config.body(body).kind == "persoon":
        raise CalendarError(
            t("err.import_person", body=body, target=config.bodies[body].handover_to)
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarError(t("err.file_unreadable", path=path, reason=exc.strerror)) from None
    horizon_start = now - dt.timedelta(days=366)
    horizon_end = now + dt.timedelta(days=3 * 366)
    meetings = calendar.read_ics(data, config.timezone, horizon_start, horizon_end)
    known = set(db.exec(select(ImportedMeeting.uid).where(ImportedMeeting.body == body)).all())
    new = 0
    for done, meeting in enumerate(meetings, start=1):
        if progress is not None:
            progress("import", done, len(meetings))
        if meeting.uid in known:
            continue
        db.add(
            ImportedMeeting(
                body=body,
                uid=meeting.uid,
                start_at=meeting.start,
                summary=meeting.summary,
                imported_at=now,
            )
        )
        known.add(meeting.uid)
        new += 1
    return new, len(meetings) - new
