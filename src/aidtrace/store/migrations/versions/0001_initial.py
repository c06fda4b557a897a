"""Initial schema: runs, documents, rejections, mentions, events, claims.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    _runs()
    _documents()
    _rejections()
    _mentions()
    _events()
    _claims()


def downgrade() -> None:
    for table in ("claims", "events", "mentions", "rejections", "documents", "runs"):
        op.drop_table(table)


def _runs() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started", TZ, nullable=False),
        sa.Column("finished", TZ),
        sa.Column("counts", sa.JSON),
        sa.Column("args", sa.JSON),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )


def _documents() -> None:
    op.create_table(
        "documents",
        sa.Column("id", ID, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("published_precision", sa.String(8)),
        sa.Column("agency", sa.Text),
        sa.Column("dateline_place", sa.Text),
        sa.Column("outlet", sa.Text),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("raw_text", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("duplicate_of", ID),
        sa.Column("superseded_by", ID),
        sa.Column("minhash", sa.LargeBinary),
        sa.Column("extra", sa.JSON),
        sa.Column("furniture", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("run_id", sa.Integer),
        sa.Column("ingested_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_documents_content_hash")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_documents_run_id_runs")),
    )
    for col in ("external_id", "url", "duplicate_of", "superseded_by", "status", "published"):
        op.create_index(f"ix_documents_{col}", "documents", [col])


def _rejections() -> None:
    op.create_table(
        "rejections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("hint", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejections")),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_rejections_run_id_runs")),
    )
    op.create_index("ix_rejections_run_id", "rejections", ["run_id"])


def _document_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_document_id_documents"))


def _mentions() -> None:
    op.create_table(
        "mentions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("country", sa.String(8)),
        sa.Column("org", sa.Text),
        sa.Column("sector", sa.JSON),
        sa.Column("kind", sa.String(32)),
        sa.Column("how", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentions")),
        _document_fk("mentions"),
    )
    op.create_index("ix_mentions_document_id", "mentions", ["document_id"])
    op.create_index("ix_mentions_entity_id", "mentions", ["entity_id"])


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("date_start", sa.String(32)),
        sa.Column("date_end", sa.String(32)),
        sa.Column("actor_codes", sa.Text, nullable=False),
        sa.Column("recipient_codes", sa.Text, nullable=False),
        sa.Column("negated", sa.Boolean, nullable=False),
        sa.Column("modality", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16)),
        sa.Column("value_eur", sa.Float),
        sa.Column("value_usd", sa.Float),
        sa.Column("superseded", sa.Boolean, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        _document_fk("events"),
    )
    for col in ("document_id", "type", "date_start", "superseded"):
        op.create_index(f"ix_events_{col}", "events", [col])


def _claims() -> None:
    op.create_table(
        "claims",
        sa.Column("id", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("measure", sa.String(64), nullable=False),
        sa.Column("superseded", sa.Boolean, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        _document_fk("claims"),
    )
    op.create_index("ix_claims_document_id", "claims", ["document_id"])
    op.create_index("ix_claims_measure", "claims", ["measure"])
