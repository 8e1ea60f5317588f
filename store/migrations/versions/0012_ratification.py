"""ratification: the bodies asked to ratify a decision, each with a child item and a due date

One row per ratifying body per decision (a flow state with `ratification = {...}` left): the
parent item, the step that decided (its audit event), the group and body asked, the child item
in the `bekrachtiging` flow, and the date the answer is due. (parent, body, event) is unique:
created exactly once. Empty after the upgrade.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("grp", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("body_name", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["child_id"], ["item.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("parent_id", "body", "event_id", name="uq_ratification"),
    )
    with op.batch_alter_table("ratification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratification_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratification_child_id"), ["child_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ratification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratification_child_id"))
        batch_op.drop_index(batch_op.f("ix_ratification_parent_id"))
    op.drop_table("ratification")
