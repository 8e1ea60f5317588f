"""A stamp that changes whenever a stored meeting changes, so a process may keep the calendars.

Every flush that adds, changes or removes a `meeting` row also writes a new random token into
the `setting` row `meetings_version`, in the same transaction (a listener on every ORM session;
the meetings are only ever written through the ORM). A process that keeps the calendars it read
keeps them with the stamp it read them under and reads them again when the stored stamp differs:
a daemon running for weeks sees a meeting a command moved in another process at its next
transaction. The token is random, not a counter, so a change that was rolled back, or a store
put back from a backup, can never show the stamp of other meetings.

`read` returns the stamp together with other setting rows the caller names, in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import Session

from store import driver
from store.schedule_models import MeetingRow, Setting

__all__ = ["MEETINGS_VERSION", "read", "touch"]

MEETINGS_VERSION = "meetings_version"
_TABLE = Setting.__table__  # type: ignore[attr-defined]
# by the number of names: a fixed list of parameters compiles once and is cached; an expanding
# one (`IN` over a list) is rendered again at every execution, which cost more than the read
_READS: dict[int, Any] = {}


def _read_statement(count: int) -> Any:
    statement = _READS.get(count)
    if statement is None:
        names: list[Any] = [bindparam(f"name{n}") for n in range(count)]
        statement = select(_TABLE.c.name, _TABLE.c.value).where(_TABLE.c.name.in_(names))
        _READS[count] = statement
    return statement


def read(db: Session, *others: str) -> dict[str, str | None]:
    """The meetings' stamp (under MEETINGS_VERSION) and the setting rows `others`, by name;
    None for a row that does not exist (a store whose meetings never changed since 0005)."""
    names = (MEETINGS_VERSION, *others)
    params = {f"name{n}": name for n, name in enumerate(names)}
    rows = driver.all_rows(db, _read_statement(len(names)), params)
    found: dict[str, str | None] = dict.fromkeys(names)
    found.update({name: value for name, value in rows})
    return found


def touch(db: OrmSession) -> None:
    """A new stamp, in the caller's transaction (one atomic upsert: no race on a fresh store)."""
    values = {"name": MEETINGS_VERSION, "value": uuid.uuid4().hex}
    connection = db.connection()
    dialect = connection.dialect.name
    if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the two supported ones
        raise RuntimeError(f"no upsert for {dialect}")
    insert: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_TABLE)
    connection.execute(
        insert.values(**values).on_conflict_do_update(
            index_elements=["name"], set_={"value": insert.excluded.value}
        )
    )


def _touches_meetings(objects: Iterable[object]) -> bool:
    return any(isinstance(obj, MeetingRow) for obj in objects)


@event.listens_for(OrmSession, "before_flush")
def _before_flush(db: OrmSession, _flush: UOWTransaction, _instances: Any) -> None:
    if (
        _touches_meetings(db.new)
        or _touches_meetings(db.deleted)
        or any(isinstance(obj, MeetingRow) and db.is_modified(obj) for obj in db.dirty)
    ):
        touch(db)
