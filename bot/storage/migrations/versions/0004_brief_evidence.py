"""brief evidence: per report, the language-independent facts that join one story's reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: briefs stored before this keep joining by their signature only.
    with op.batch_alter_table("briefs") as batch:
        batch.add_column(sa.Column("evidence", sa.JSON(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("0004 is forward only")
