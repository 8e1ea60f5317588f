"""the audit trail as one hash chain: prev_hash and hash on every event, and the chain head

The existing events are chained in id order, exactly as `store.audit_chain.append` would have
written them, so `routing audit verify` passes on an upgraded store.

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-24 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types
from store import audit_chain

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("item_id", sa.Integer()),
    sa.column("from_state", sa.String()),
    sa.column("to_state", sa.String()),
    sa.column("trigger", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("at", store.types.UTCDateTime()),
    sa.column("note", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    connection = op.get_bind()
    fields = [_events.c[name] for name in audit_chain.FIELDS]
    rows = connection.execute(sa.select(*fields).order_by(_events.c.id)).mappings().all()
    previous, last_id = audit_chain.GENESIS, None
    for row in rows:
        own = audit_chain.event_hash(dict(row), previous)
        connection.execute(
            _events.update().where(_events.c.id == row["id"]).values(prev_hash=previous, hash=own)
        )
        previous, last_id = own, row["id"]
    connection.execute(
        sa.text("INSERT INTO audit_head (id, last_id, hash) VALUES (:id, :last, :hash)"),
        {"id": audit_chain.HEAD_ID, "last": last_id, "hash": previous},
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(), nullable=False)


def downgrade() -> None:
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
