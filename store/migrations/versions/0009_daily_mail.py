"""daily mail: outbox rows held for a recipient's daily overview

An address that gets its mail once a day has its messages written as rows with status `held`
(one per message and address), due at the next overview moment; `due_at` is the moment a
message is about (a deadline, a meeting), by which the overview sorts its lines. When the
overview is queued, as an outbox row of its own, its lines get status `bundled` and
`bundle_id`, the overview's row, in the same transaction. Existing rows keep theirs (null).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", store.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("bundle_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_bundle_id"), ["bundle_id"], unique=False)


def downgrade() -> None:
    # a held line goes out on its own after a downgrade rather than never
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'held'")
    op.execute("UPDATE outbox SET status = 'sent' WHERE status = 'bundled'")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_bundle_id"))
        batch_op.drop_column("bundle_id")
        batch_op.drop_column("due_at")
