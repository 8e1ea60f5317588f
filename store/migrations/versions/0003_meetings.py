"""meetings with an identity: the meeting table, its changes, deadlines and items pointing at it

Meetings imported from .ics move from `imported_meeting` into `meeting` (source "ics"); meetings
of routing.toml are written by the first calendar sync after the upgrade, which also links the
open deadlines planned on them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:00:00
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("original_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("start_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("location", sa.String(), nullable=True),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body", "source", "source_key", name="uq_meeting_source"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index("ix_meeting_body_start", ["body", "start_at"], unique=False)
    op.create_table(
        "meeting_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("from_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("to_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_change_meeting_id"), ["meeting_id"], unique=False
        )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_deadline_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_foreign_key("fk_deadline_meeting", "meeting", ["meeting_id"], ["id"])
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_meeting_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target_meeting_id", sa.Integer(), nullable=True))

    connection = op.get_bind()
    # the calendar sync locks this row; it exists from the start so there is a row to lock
    connection.execute(sa.text("INSERT INTO setting (name, value) VALUES ('calendar_sync', '{}')"))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # noqa: TID251 - a migration's own moment
    rows = connection.execute(
        sa.text("SELECT body, uid, start_at, summary FROM imported_meeting ORDER BY id")
    ).all()
    for body, uid, start_at, summary in rows:
        connection.execute(
            sa.text(
                "INSERT INTO meeting (body, source, source_key, original_at, start_at, status,"
                " summary, sequence, created_at, updated_at) VALUES (:body, 'ics', :uid, :start,"
                " :start, 'scheduled', :summary, 0, :now, :now)"
            ),
            {"body": body, "uid": uid, "start": start_at, "summary": summary, "now": now},
        )
    with op.batch_alter_table("imported_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_meeting_body"))
    op.drop_table("imported_meeting")


def downgrade() -> None:
    op.create_table(
        "imported_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("start_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("imported_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body", "uid", name="uq_imported_meeting"),
    )
    with op.batch_alter_table("imported_meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_meeting_body"), ["body"], unique=False)
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("target_meeting_id")
        batch_op.drop_column("planned_meeting_id")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_constraint("fk_deadline_meeting", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_deadline_meeting_id"))
        batch_op.drop_column("meeting_id")
    op.drop_table("meeting_change")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_body_start")
    op.drop_table("meeting")
