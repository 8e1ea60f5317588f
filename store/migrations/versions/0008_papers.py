"""papers: the links and copied files recorded with `routing stukken ID --link/--file`

One row per paper of an item: a link (`url`), or a file copied into the papers folder (`file`,
relative to that folder, with the copy's `sha256` and `size`); who added it and when. Empty after
the upgrade: papers handed in before were recorded only as an audit event.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 16:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=True),
        sa.Column("file", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("added_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_paper_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_item_id"))
    op.drop_table("paper")
