"""time and effects: deadlines, outbox, E&I decisions, effects, meetings, heartbeat

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:25:08.723102
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "heartbeat",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("sweeps", sa.Integer(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
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

    op.create_table(
        "setting",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "deadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("meeting_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("due_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("handled_at", store.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "kind", "body", "meeting_at", "plan", name="uq_deadline"),
    )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deadline_item_id"), ["item_id"], unique=False)
        batch_op.create_index("ix_deadline_open_due", ["status", "due_at"], unique=False)

    op.create_table(
        "effect",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "meeting_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("meeting_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("body", "meeting_at", "item_id", name="uq_outcome"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("sent_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_item_id"), ["item_id"], unique=False)
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)

    op.create_table(
        "ei_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("inform", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "body", name="uq_ei_decision"),
    )
    with op.batch_alter_table("ei_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ei_decision_item_id"), ["item_id"], unique=False)

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_body", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("planned_meeting_at", store.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("plan", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("target_body", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("target_meeting_at", store.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("origin", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("origin")
        batch_op.drop_column("target_meeting_at")
        batch_op.drop_column("target_body")
        batch_op.drop_column("plan")
        batch_op.drop_column("planned_meeting_at")
        batch_op.drop_column("planned_body")

    with op.batch_alter_table("ei_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ei_decision_item_id"))

    op.drop_table("ei_decision")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_next")
        batch_op.drop_index(batch_op.f("ix_outbox_item_id"))

    op.drop_table("outbox")
    op.drop_table("meeting_outcome")
    op.drop_table("effect")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index("ix_deadline_open_due")
        batch_op.drop_index(batch_op.f("ix_deadline_item_id"))

    op.drop_table("deadline")
    op.drop_table("setting")
    with op.batch_alter_table("imported_meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imported_meeting_body"))

    op.drop_table("imported_meeting")
    op.drop_table("heartbeat")
