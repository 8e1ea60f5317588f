"""invitations: an outbox message may carry an iCalendar object

Meeting invitations (iTIP, RFC 5546) are outbox rows whose `calendar` holds the VCALENDAR sent
as a text/calendar part next to the text. Existing rows keep theirs (null): text only.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 17:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("calendar")
