"""Covering indexes: one serves every ledger filter, page and total; one every event filter.

A ledger event's row holds its JSON record, a few kilobytes, so any query that has to read
rows reads about a page per ledger event. With every column the filters, sort keys and totals
use in one index (date first, so date ranges are ranges of it), counting, filtering, sorting and
summing read only that index, and a page reads the records of its own rows only. The narrower
indexes it replaces (status, type, family, date) only led the planner to row-by-row reads.

Per-report events get the same (type first, as most event queries name one); their index on
``superseded`` goes: nearly every event is current, so it only ever led to reading most rows.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVER = ["date_start", "id", "family", "type", "types", "status", "category", "actor_codes", "recipient_codes",
         "date_end", "date_precision", "value_eur", "value_usd", "stated", "reports"]
EVENTS_COVER = ["type", "date_start", "superseded", "actor_codes", "recipient_codes", "status", "date_end",
                "document_id", "seq", "id"]
REPLACED = {"ix_ledger_events_status": "status", "ix_ledger_events_type": "type",
            "ix_ledger_events_family": "family", "ix_ledger_events_date_start": "date_start"}


def upgrade() -> None:
    for name in REPLACED:
        op.drop_index(name, "ledger_events")
    op.create_index("ix_ledger_events_cover", "ledger_events", COVER)
    op.drop_index("ix_events_type", "events")
    op.drop_index("ix_events_superseded", "events")
    op.create_index("ix_events_cover", "events", EVENTS_COVER)


def downgrade() -> None:
    op.drop_index("ix_events_cover", "events")
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_superseded", "events", ["superseded"])
    op.drop_index("ix_ledger_events_cover", "ledger_events")
    for name, column in REPLACED.items():
        op.create_index(name, "ledger_events", [column])
