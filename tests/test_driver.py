"""store.driver: a statement run on the driver writes what SQLAlchemy would have written, raises
SQLAlchemy's errors, and steps aside when the statements are being watched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

import store
from routing.engine import items as engine
from routing.errors import ConcurrentWrite
from routing.runtime import Runtime
from store import driver
from store.schedule_models import Deadline, Setting

_DEADLINES = Deadline.__table__  # type: ignore[attr-defined]
_SETTINGS = Setting.__table__  # type: ignore[attr-defined]
_INSERT_DEADLINE = _DEADLINES.insert()
_INSERT_SETTING = _SETTINGS.insert()
_READ_SETTING = select(_SETTINGS.c.value).where(_SETTINGS.c.name == "driver-test")
MOMENT = dt.datetime(2024, 3, 5, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _deadline(item_id: int, plan: int) -> dict[str, Any]:
    return {
        "item_id": item_id, "plan": plan, "kind": "meeting", "body": "regieteam",
        "meeting_id": None, "meeting_at": MOMENT, "due_at": MOMENT, "status": "open",
        "handled_at": None, "attempts": 0, "next_attempt_at": None, "last_error": None,
    }  # fmt: skip


def test_rows_written_bare_equal_rows_written_by_sqlalchemy(rt: Runtime) -> None:
    item = engine.create_item(rt, engine.ItemSpec(title="Bare", flow="initiatief"))
    assert item.id is not None
    with rt.session() as db:
        assert driver.execute(db, _INSERT_DEADLINE, [_deadline(item.id, 7), _deadline(item.id, 8)])
        db.connection().execute(_INSERT_DEADLINE, _deadline(item.id, 9))
    with rt.session(read=True) as db:
        stored = db.connection().exec_driver_sql(
            "SELECT plan, meeting_at, due_at FROM deadline WHERE plan IN (7, 8, 9) ORDER BY plan"
        )
        rows = [tuple(row) for row in stored]
        loaded = db.execute(select(Deadline).where(Deadline.plan == 8)).scalars().one()
    assert [row[1:] for row in rows] == [rows[2][1:]] * 3  # stored alike, to the character
    assert loaded.due_at == MOMENT  # and read back as the same moment, in UTC


def test_a_driver_error_is_sqlalchemys(rt: Runtime) -> None:
    with pytest.raises(IntegrityError), store.session(rt.engine) as db:
        driver.execute(db, _INSERT_SETTING, {"name": "driver-test", "value": "1"})
        assert driver.first(db, _READ_SETTING, {}) == ("1",)
        driver.execute(db, _INSERT_SETTING, {"name": "driver-test", "value": "2"})
    with rt.session(read=True) as db:
        assert driver.all_rows(db, _READ_SETTING, {}) == []  # rolled back with the error
    # so a unique key taken is a lost race to the rules, as for every other statement
    with pytest.raises(ConcurrentWrite), rt.session() as db:
        driver.execute(db, _INSERT_SETTING, {"name": "driver-test", "value": "1"})
        driver.execute(db, _INSERT_SETTING, {"name": "driver-test", "value": "2"})


def test_statement_listeners_see_every_statement(rt: Runtime) -> None:
    seen: list[str] = []

    def capture(*args: Any) -> None:
        seen.append(args[2])

    event.listen(rt.engine, "before_cursor_execute", capture)
    try:
        with rt.session() as db:
            driver.execute(db, _INSERT_SETTING, {"name": "driver-test", "value": "1"})
            assert driver.first(db, _READ_SETTING, {}) == ("1",)
    finally:
        event.remove(rt.engine, "before_cursor_execute", capture)
    assert [s.split()[0] for s in seen if "driver-test" in s or "setting" in s] == [
        "INSERT",
        "SELECT",
    ]
