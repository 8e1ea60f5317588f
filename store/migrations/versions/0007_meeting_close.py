"""a closed meeting as a row of its own, with attendance; a decision text on each outcome

`meeting_close` (body, meeting_at unique) is what "closed" means: who closed it, when, who
attended and who sent apologies. Until now a close was an `effect` row keyed
`closed:<body>:<meeting id or start>`; every such close, and every meeting with outcomes
recorded before that effect existed, becomes a `meeting_close` row (attendance unknown: empty).
`meeting_outcome.decision` holds the besluit as minuted; empty, the besluitenlijst derives the
decision from the step taken.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 16:30:00
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_effects = sa.table(
    "effect",
    sa.column("key", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("at", store.types.UTCDateTime()),
    sa.column("detail", sa.String()),
)
_meetings = sa.table(
    "meeting", sa.column("id", sa.Integer()), sa.column("start_at", store.types.UTCDateTime())
)
_outcomes = sa.table(
    "meeting_outcome",
    sa.column("body", sa.String()),
    sa.column("meeting_at", store.types.UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("at", store.types.UTCDateTime()),
)
_closes = sa.table(
    "meeting_close",
    sa.column("body", sa.String()),
    sa.column("meeting_at", store.types.UTCDateTime()),
    sa.column("closed_at", store.types.UTCDateTime()),
    sa.column("actor", sa.String()),
    sa.column("attendees", sa.JSON()),
    sa.column("absent", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("meeting_outcome", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(), nullable=True))
    op.create_table(
        "meeting_close",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("meeting_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("closed_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("absent", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body", "meeting_at", name="uq_meeting_close"),
    )
    connection = op.get_bind()
    starts = dict(connection.execute(sa.select(_meetings.c.id, _meetings.c.start_at)).all())
    closes: dict[tuple[str, dt.datetime], dict[str, Any]] = {}
    effects = connection.execute(
        sa.select(_effects.c.key, _effects.c.at, _effects.c.detail)
        .where(_effects.c.kind == "meeting_closed")
        .order_by(_effects.c.at)
    ).all()
    for key, at, detail in effects:
        _, body, anchor = key.split(":", 2)
        start = starts.get(int(anchor)) if anchor.isdigit() else dt.datetime.fromisoformat(anchor)
        if start is not None:
            closes.setdefault((body, start.astimezone(dt.UTC)), {"at": at, "actor": detail})
    outcomes = connection.execute(
        sa.select(
            _outcomes.c.body, _outcomes.c.meeting_at, _outcomes.c.actor, _outcomes.c.at
        ).order_by(_outcomes.c.at)
    ).all()
    for body, meeting_at, actor, at in outcomes:
        closes.setdefault((body, meeting_at.astimezone(dt.UTC)), {"at": at, "actor": actor})
    for (body, meeting_at), close in closes.items():
        connection.execute(
            _closes.insert().values(
                body=body, meeting_at=meeting_at, closed_at=close["at"],
                actor=close["actor"] or "?", attendees=[], absent=[],
            )
        )  # fmt: skip


def downgrade() -> None:
    op.drop_table("meeting_close")
    with op.batch_alter_table("meeting_outcome", schema=None) as batch_op:
        batch_op.drop_column("decision")
