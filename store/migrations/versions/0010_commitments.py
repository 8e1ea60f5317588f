"""commitments: toezeggingen made on an item, by whom, by when, in which meeting

One row per commitment (`routing toezegging`): its text, owner (a name from [people] or an
address) and that owner's address, the date it is due, the meeting it was made in (body and
start, null when recorded outside a meeting), who recorded it and when, and how it was closed.
The daemon reads open rows by (status, due). Empty after the upgrade.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commitment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("owner_email", sa.String(), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("meeting_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("made_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("closed_at", store.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(), nullable=True),
        sa.Column("close_note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.create_index("ix_commitment_status_due", ["status", "due"], unique=False)
        batch_op.create_index(batch_op.f("ix_commitment_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("commitment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_commitment_item_id"))
        batch_op.drop_index("ix_commitment_status_due")
    op.drop_table("commitment")
