"""late_exception: a late item's request to join a meeting, and the chair's answer

One row per request (`[bodies.X] late = "uitzondering"`): the item, the body and meeting it asks
to join, the planning round, who asked and when, the chair's deadline and the answer (asked,
granted, refused, expired) with who gave it, when and a note. Empty after the upgrade.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "late_exception",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("meeting_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("plan", sa.Integer(), nullable=False),
        sa.Column("asked_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("asked_by", sa.String(), nullable=False),
        sa.Column("due", store.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("decided_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("late_exception", schema=None) as batch_op:
        batch_op.create_index("ix_late_exception_status_due", ["status", "due"], unique=False)
        batch_op.create_index("ix_late_exception_meeting", ["body", "meeting_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_late_exception_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("late_exception", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_late_exception_item_id"))
        batch_op.drop_index("ix_late_exception_meeting")
        batch_op.drop_index("ix_late_exception_status_due")
    op.drop_table("late_exception")
