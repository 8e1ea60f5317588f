"""Persistence for the routing software: tables, engine set-up, migrations and queries.

The database is the truth. This package holds no business rules and imports nothing of `routing`
or `flows`.
"""

from __future__ import annotations

from store import audit_chain, calendar_stamp, deadlines, outbox, queries
from store.db import (
    SchemaNewerThanCode,
    SchemaOutOfDate,
    concurrency_conflict,
    is_sqlite,
    make_engine,
    migrate,
    read_one,
    reader,
    reads_before_locks,
    require_current_schema,
    schema_state,
    session,
)
from store.models import AuditEvent, AuditHead, FlowVersion, Item

__all__ = [
    "AuditEvent",
    "AuditHead",
    "FlowVersion",
    "Item",
    "SchemaNewerThanCode",
    "SchemaOutOfDate",
    "audit_chain",
    "calendar_stamp",
    "concurrency_conflict",
    "deadlines",
    "is_sqlite",
    "make_engine",
    "migrate",
    "outbox",
    "queries",
    "read_one",
    "reader",
    "reads_before_locks",
    "require_current_schema",
    "schema_state",
    "session",
]
