"""core tables: flow versions, items, audit events

Revision ID: 0001
Revises:
Create Date: 2026-11-22 12:16:44.650289
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("first_used_at", store.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", "content_hash", name="uq_flow_version_hash"),
    )
    with op.batch_alter_table("flow_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flow_version_name"), ["name"], unique=False)

    op.create_table(
        "item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("flow_name", sa.String(), nullable=False),
        sa.Column("flow_version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("kenmerk", sa.String(), nullable=True),
        sa.Column("document_date", sa.Date(), nullable=True),
        sa.Column("sender", sa.String(), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("asked", sa.String(), nullable=False),
        sa.Column("openbaar", sa.Boolean(), nullable=False),
        sa.Column("verspreiden", sa.Boolean(), nullable=False),
        sa.Column("created_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_version_id"],
            ["flow_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index("ix_item_flow_state", ["flow_name", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_item_state"), ["state"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(), nullable=True),
        sa.Column("to_state", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("at", store.types.UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_item_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_state"))
        batch_op.drop_index("ix_item_flow_state")

    op.drop_table("item")
    with op.batch_alter_table("flow_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_version_name"))

    op.drop_table("flow_version")
