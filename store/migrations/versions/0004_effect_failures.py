"""effect failures: a failing sweep effect is recorded, retried with back-off, then failed

Deadline-driven effects (reminder, escalation, roll-over) record on their deadline row: attempts,
the next attempt and the last error, and the status `failed` when they give up. Effects without a
row of their own (feedback item, digest, slip and calendar-end warnings, meeting sync) record in
`effect_failure`, keyed by the effect's natural key. The store also gets its installation id,
which makes Message-IDs unique per installation (stored messages keep theirs).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:30:00
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(), nullable=True))
    op.create_table(
        "effect_failure",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=False),
        sa.Column("failed_at", store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    connection = op.get_bind()
    present = connection.execute(
        sa.text("SELECT 1 FROM setting WHERE name = 'installation_id'")
    ).first()
    if present is None:
        connection.execute(
            sa.text("INSERT INTO setting (name, value) VALUES ('installation_id', :value)"),
            {"value": uuid.uuid4().hex},
        )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("DELETE FROM setting WHERE name = 'installation_id'"))
    connection.execute(sa.text("UPDATE deadline SET status = 'open' WHERE status = 'failed'"))
    op.drop_table("effect_failure")
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_column("last_error")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
