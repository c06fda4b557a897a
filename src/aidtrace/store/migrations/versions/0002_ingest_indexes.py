"""Indexes for the ingest path: the latest-version lookup and the queue of documents to analyse.

Almost every document is live and original, so ``superseded_by IS NULL`` and ``duplicate_of
IS NULL`` select nearly the whole table. SQLite keeps no statistics and planned queries with
those conditions through the indexes on these columns: the latest-version lookup scanned
every live document for each new one (quadratic ingest). The two indexes now hold only the
non-null rows, which is what lookups of a given id need; the lookup uses the ``external_id``
and ``url`` indexes.

The documents still to analyse, and those whose analysis failed, are found through partial
indexes holding only them, in ingest order, so each chunk of the analysis reads only its own
rows. They replace the index on ``status``, which the planner preferred to them and which
made every chunk read and sort all pending documents (near-duplicates stay 'new' for ever).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'new' AND duplicate_of IS NULL AND superseded_by IS NULL"
FAILED = "status = 'failed'"
NULLABLE = ("duplicate_of", "superseded_by")


def _partial(name: str, columns: list[str], where: str) -> None:
    op.create_index(name, "documents", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    for column in NULLABLE:
        op.drop_index(f"ix_documents_{column}", table_name="documents")
        _partial(f"ix_documents_{column}", [column], f"{column} IS NOT NULL")
    op.drop_index("ix_documents_status", table_name="documents")
    _partial("ix_documents_pending", ["ingested_at", "id"], PENDING)
    _partial("ix_documents_failed", ["ingested_at", "id"], FAILED)


def downgrade() -> None:
    op.drop_index("ix_documents_failed", table_name="documents")
    op.drop_index("ix_documents_pending", table_name="documents")
    op.create_index("ix_documents_status", "documents", ["status"])
    for column in NULLABLE:
        op.drop_index(f"ix_documents_{column}", table_name="documents")
        op.create_index(f"ix_documents_{column}", "documents", [column])
