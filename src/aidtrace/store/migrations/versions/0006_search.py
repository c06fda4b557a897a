"""Full-text search over documents' titles and cleaned text.

SQLite: an FTS5 table ``document_search`` (Porter stemming, diacritics folded) holding each
document's id, title and text, kept in step with ``documents`` by triggers, so every way a
document is written (ingest, feeds, the API, a worker) indexes it. It keeps its own copy of
the text: an external-content index would follow the documents' implicit rowids, which VACUUM
may renumber.

PostgreSQL: a GIN index on the English ``tsvector`` of title and text, which the search query
repeats literally (``Store.search``).

Existing documents are indexed by the upgrade itself.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The indexed expression of PostgreSQL, repeated literally by the query so the index serves it.
PG_VECTOR = "to_tsvector('english', coalesce(title, '') || ' ' || text)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE document_search USING fts5("
                   "document_id UNINDEXED, title, text, tokenize = 'porter unicode61 remove_diacritics 2')")
        op.execute("INSERT INTO document_search (document_id, title, text) "
                   "SELECT id, coalesce(title, ''), text FROM documents")
        op.execute("CREATE TRIGGER document_search_insert AFTER INSERT ON documents BEGIN "
                   "INSERT INTO document_search (document_id, title, text) "
                   "VALUES (new.id, coalesce(new.title, ''), new.text); END")
        op.execute("CREATE TRIGGER document_search_delete AFTER DELETE ON documents BEGIN "
                   "DELETE FROM document_search WHERE document_id = old.id; END")
        op.execute("CREATE TRIGGER document_search_update AFTER UPDATE OF title, text ON documents BEGIN "
                   "DELETE FROM document_search WHERE document_id = old.id; "
                   "INSERT INTO document_search (document_id, title, text) "
                   "VALUES (new.id, coalesce(new.title, ''), new.text); END")
    else:
        op.execute(f"CREATE INDEX ix_documents_search ON documents USING gin ({PG_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("document_search_insert", "document_search_delete", "document_search_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS document_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_documents_search")
