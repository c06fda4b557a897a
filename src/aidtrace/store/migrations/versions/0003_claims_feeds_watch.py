"""Claims on documents, feed state, watched files; content hashes keep letter case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

The content hash (the de-duplication key) used to lower-case the text, so an edit that only
changed letter case was taken as a duplicate; it is recomputed here from the stored clean
text with whitespace collapsed and case kept (``ingest.meta.content_hash`` at this revision).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
CLAIMED = "claimed_by IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(128)))
        batch.add_column(sa.Column("claimed_at", TZ))
    op.create_index("ix_documents_claimed_by", "documents", ["claimed_by"], sqlite_where=sa.text(CLAIMED),
                    postgresql_where=sa.text(CLAIMED))
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("polled_at", TZ),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("url", name=op.f("uq_feeds_url")),
    )
    op.create_table(
        "watched_files",
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("mtime_ns", sa.BigInteger, nullable=False),
        sa.Column("run_id", sa.Integer),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_watched_files")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_watched_files_run_id_runs")),
    )
    _rehash_keeping_case()


def _rehash_keeping_case() -> None:
    conn = op.get_bind()
    documents = sa.table("documents", sa.column("id"), sa.column("text"), sa.column("content_hash"))
    for row in conn.execute(sa.select(documents.c.id, documents.c.text)).all():
        digest = hashlib.sha256(" ".join(row.text.split()).encode("utf-8")).hexdigest()
        conn.execute(sa.update(documents).where(documents.c.id == row.id).values(content_hash=digest))


def downgrade() -> None:
    op.drop_table("watched_files")
    op.drop_table("feeds")
    op.drop_index("ix_documents_claimed_by", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
