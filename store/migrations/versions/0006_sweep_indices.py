"""indices for a sweep whose cost grows with due work, not with stored items; the slip watch

`audit_event.at` lets the periodic digest read one period's events instead of all of them;
`item.target_meeting_at` finds the items with a target ahead, `item.target_meeting_id` those
aiming at a meeting that moves or is cancelled (the calendar sync); `deadline (status,
next_attempt_at)` finds the next retry of a failing deadline, `meeting_outcome.item_id` the
outcomes of the items a digest lists. `slip_watch` holds, per item with
a target, when its backward plan must be checked again (rule 6): an item is checked when it
changed, when the calendars changed, or when one of its plan's deadlines passed, not on every
tick. Empty after the upgrade: the first sweep checks every item with a target once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_target_meeting_at"), ["target_meeting_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_item_target_meeting_id"), ["target_meeting_id"], unique=False
        )
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.create_index("ix_deadline_retry", ["status", "next_attempt_at"], unique=False)
    with op.batch_alter_table("meeting_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_outcome_item_id"), ["item_id"], unique=False)
    op.create_table(
        "slip_watch",
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("check_at", store.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("slip_watch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slip_watch_check_at"), ["check_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slip_watch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slip_watch_check_at"))
    op.drop_table("slip_watch")
    op.execute("DELETE FROM setting WHERE name = 'slip_watch'")
    with op.batch_alter_table("meeting_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_outcome_item_id"))
    with op.batch_alter_table("deadline", schema=None) as batch_op:
        batch_op.drop_index("ix_deadline_retry")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_target_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_item_target_meeting_at"))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
