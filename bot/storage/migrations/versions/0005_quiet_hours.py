"""quiet hours: a daily period, on the chat's clock, in which its alerts are held

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: every existing chat keeps hearing alerts at any hour. Held alerts
    # need no column of their own: they are deliveries in the status "held", released by
    # their not_before.
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("quiet_start", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("quiet_end", sa.String(length=5), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("0005 is forward only")
