"""The ledger: merged cross-document events, their member reports, blocking keys and a queue.

Every document analysed before this revision is queued, so the first ``ledger.update``
builds the ledger of an existing database.

Revision ID: 0004
Revises: 0003
Create Date: 2025-06-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(64)


def upgrade() -> None:
    _ledger_events()
    _ledger_members()
    _ledger_keys()
    op.create_table(
        "ledger_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_queue")),
    )
    op.execute("INSERT INTO ledger_queue (document_id) SELECT id FROM documents WHERE status = 'analysed'")


def downgrade() -> None:
    for table in ("ledger_queue", "ledger_keys", "ledger_members", "ledger_events"):
        op.drop_table(table)


def _ledger_events() -> None:
    op.create_table(
        "ledger_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("component", ID, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("types", sa.Text, nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("status", sa.String(16)),
        sa.Column("date_start", sa.String(32)),
        sa.Column("date_end", sa.String(32)),
        sa.Column("actor_codes", sa.Text, nullable=False),
        sa.Column("recipient_codes", sa.Text, nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("value_eur", sa.Float),
        sa.Column("value_usd", sa.Float),
        sa.Column("stated", sa.Boolean, nullable=False),
        sa.Column("reports", sa.Integer, nullable=False),
        sa.Column("first_reported", sa.String(32)),
        sa.Column("last_reported", sa.String(32)),
        sa.Column("record", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
    )
    for col in ("component", "date_start", "type", "status"):
        op.create_index(f"ix_ledger_events_{col}", "ledger_events", [col])


def _ledger_members() -> None:
    op.create_table(
        "ledger_members",
        sa.Column("event_id", ID, nullable=False),
        sa.Column("ledger_id", ID, nullable=False),
        sa.Column("component", ID, nullable=False),
        sa.Column("document_id", ID, nullable=False),
        sa.Column("stage", sa.Integer, nullable=False),
        sa.Column("how", sa.String(16), nullable=False),
        sa.Column("matched", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_ledger_members")),
        sa.ForeignKeyConstraint(["ledger_id"], ["ledger_events.id"], ondelete="CASCADE",
                                name=op.f("fk_ledger_members_ledger_id_ledger_events")),
    )
    for col in ("ledger_id", "component", "document_id"):
        op.create_index(f"ix_ledger_members_{col}", "ledger_members", [col])


def _ledger_keys() -> None:
    op.create_table(
        "ledger_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("lo", sa.Integer, nullable=False),
        sa.Column("hi", sa.Integer, nullable=False),
        sa.Column("reach", sa.Integer, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("component", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_keys")),
    )
    op.create_index("ix_ledger_keys_key_lo", "ledger_keys", ["key", "lo"])
    op.create_index("ix_ledger_keys_component", "ledger_keys", ["component"])
