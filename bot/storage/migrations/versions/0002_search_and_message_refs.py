"""full-text search over briefs; platform messages that carry a brief

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER briefs_fts_insert AFTER INSERT ON briefs BEGIN
        INSERT INTO briefs_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER briefs_fts_delete AFTER DELETE ON briefs BEGIN
        INSERT INTO briefs_fts(briefs_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER briefs_fts_update AFTER UPDATE OF search_text ON briefs BEGIN
        INSERT INTO briefs_fts(briefs_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO briefs_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)


def upgrade() -> None:
    with op.batch_alter_table("briefs") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "message_refs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_external_id", sa.String(length=100), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=False),
        sa.Column("brief_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"],
            ["briefs.id"],
            name=op.f("fk_message_refs_brief_id_briefs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_refs")),
        sa.UniqueConstraint(
            "platform",
            "chat_external_id",
            "message_id",
            name="uq_message_refs_platform_chat_message",
        ),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE briefs_fts USING fts5(search_text, content='briefs', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO briefs_fts(briefs_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "CREATE INDEX ix_briefs_search ON briefs USING gin (to_tsvector('simple', search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("briefs_fts_insert", "briefs_fts_delete", "briefs_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS briefs_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_briefs_search")
    op.drop_table("message_refs")
    with op.batch_alter_table("briefs") as batch:
        batch.drop_column("search_text")
