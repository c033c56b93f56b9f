"""outbox claims: who holds a delivery, how often it went out again, a per-chat queue index

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("resends", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_deliveries_chat_status", ["chat_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_chat_status")
        batch.drop_column("resends")
        batch.drop_column("claimed_by")
