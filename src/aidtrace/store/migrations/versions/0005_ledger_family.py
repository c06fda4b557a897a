"""Ledger events record their merge family and date precision (what totals group by).

The ledger is derived data: its rows are cleared and every analysed document is queued, so
the next ``ledger.update`` rebuilds it with the new columns.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("ledger_keys", "ledger_members", "ledger_events", "ledger_queue"):
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("ledger_events") as batch:
        batch.add_column(sa.Column("family", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("date_precision", sa.String(16)))
    op.create_index("ix_ledger_events_family", "ledger_events", ["family"])
    op.execute("INSERT INTO ledger_queue (document_id) SELECT id FROM documents WHERE status = 'analysed'")


def downgrade() -> None:
    op.drop_index("ix_ledger_events_family", "ledger_events")
    with op.batch_alter_table("ledger_events") as batch:
        batch.drop_column("date_precision")
        batch.drop_column("family")
