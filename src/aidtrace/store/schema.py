"""The database schema as SQLAlchemy Core tables (the target of the Alembic migrations).

Only portable types are used (Text, String, Integer, Float, Boolean, Date, DateTime, JSON,
LargeBinary) so the same schema runs on SQLite and PostgreSQL. Every change here needs a
new revision under ``migrations/versions``; ``tests/test_store.py`` checks they agree.

Filter columns (types, dates, actor codes) are copied out of each event's JSON record so
queries need no JSON functions; the record itself is the CONTRACT.md export, verbatim.
The ledger tables hold merged cross-document events (see docs/LEDGER.md): one row per ledger
event with its JSON record and filter columns, one row per member report (why it merged),
the members' blocking keys (to find what a new report may join), and a queue of documents
whose events changed since the ledger was last brought up to date.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)

# Deterministic constraint names, so later migrations can drop or alter them on any backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

ID = String(64)

# Documents waiting for analysis (``Store.documents_to_analyse``) and those whose analysis
# failed (``Store.failures``): conditions of partial indexes, which queries repeat literally.
PENDING = "status = 'new' AND duplicate_of IS NULL AND superseded_by IS NULL"
FAILED = "status = 'failed'"
NOT_DUPLICATE = "duplicate_of IS NOT NULL"
NOT_LIVE = "superseded_by IS NOT NULL"
CLAIMED = "claimed_by IS NOT NULL"

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True)),
    Column("counts", JSON),
    Column("args", JSON),
)

documents = Table(
    "documents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("external_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", Date),
    Column("published_precision", String(8)),
    Column("agency", Text),
    Column("dateline_place", Text),
    Column("outlet", Text),
    Column("format", String(16), nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(128), nullable=False, unique=True),
    Column("version", Integer, nullable=False, default=1),
    Column("duplicate_of", ID),
    Column("superseded_by", ID),
    Column("minhash", LargeBinary),
    Column("extra", JSON),
    Column("furniture", JSON),
    Column("status", String(16), nullable=False, default="new"),
    Column("error", Text),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    # which worker is analysing the document (``Store.claim_documents``), and since when
    Column("claimed_by", String(128)),
    Column("claimed_at", DateTime(timezone=True)),
    Index("ix_documents_external_id", "external_id"),
    Index("ix_documents_url", "url"),
    # Only the non-null rows (see migration 0002): lookups give an id, and "IS NULL" holds
    # for nearly every row, so an index of all rows only misleads the planner.
    Index("ix_documents_duplicate_of", "duplicate_of", sqlite_where=text(NOT_DUPLICATE),
          postgresql_where=text(NOT_DUPLICATE)),
    Index("ix_documents_superseded_by", "superseded_by", sqlite_where=text(NOT_LIVE),
          postgresql_where=text(NOT_LIVE)),
    # The documents still to analyse and those whose analysis failed, in ingest order (see
    # migration 0002 for why there is no index on status alone).
    Index("ix_documents_pending", "ingested_at", "id", sqlite_where=text(PENDING), postgresql_where=text(PENDING)),
    Index("ix_documents_failed", "ingested_at", "id", sqlite_where=text(FAILED), postgresql_where=text(FAILED)),
    Index("ix_documents_published", "published"),
    Index("ix_documents_claimed_by", "claimed_by", sqlite_where=text(CLAIMED), postgresql_where=text(CLAIMED)),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("source", Text, nullable=False),
    Column("line", Integer),
    Column("reason", Text, nullable=False),
    Column("hint", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_rejections_run_id", "run_id"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", ID, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("entity_id", Text),
    Column("name", Text),
    Column("country", String(8)),
    Column("org", Text),
    Column("sector", JSON),
    Column("kind", String(32)),
    Column("how", String(32)),
    Index("ix_mentions_document_id", "document_id"),
    Index("ix_mentions_entity_id", "entity_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("document_id", ID, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("mode", String(32)),
    # ISO strings (day, month or year precision); they sort and compare as text.
    Column("date_start", String(32)),
    Column("date_end", String(32)),
    # " USA UKR " — space-padded so ``LIKE '% USA %'`` matches whole codes only.
    Column("actor_codes", Text, nullable=False, default=""),
    Column("recipient_codes", Text, nullable=False, default=""),
    Column("negated", Boolean, nullable=False, default=False),
    Column("modality", String(16), nullable=False),
    Column("status", String(16)),
    Column("value_eur", Float),
    Column("value_usd", Float),
    Column("superseded", Boolean, nullable=False, default=False),
    Column("seq", Integer, nullable=False, default=0),  # order of the event in its document
    Column("record", JSON, nullable=False),
    Index("ix_events_document_id", "document_id"),
    # every column of the event filters and sort keys (migration 0007): filtering, counting and
    # sorting read this index, not the rows with their records
    Index("ix_events_cover", "type", "date_start", "superseded", "actor_codes", "recipient_codes", "status",
          "date_end", "document_id", "seq", "id"),
    Index("ix_events_date_start", "date_start"),
)

claims = Table(
    "claims",
    metadata,
    Column("id", ID, primary_key=True),
    Column("document_id", ID, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("superseded", Boolean, nullable=False, default=False),
    Column("seq", Integer, nullable=False, default=0),
    Column("record", JSON, nullable=False),
    Index("ix_claims_document_id", "document_id"),
    Index("ix_claims_measure", "measure"),
)

feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    # the validators of the last successful fetch, sent back for a conditional GET
    Column("etag", Text),
    Column("last_modified", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("polled_at", DateTime(timezone=True)),
    Column("status", Integer),  # HTTP status of the last poll (304: not modified)
    Column("error", Text),
    Column("entries", Integer, nullable=False, default=0),  # entries read in all polls
)

# Files ``aidtrace watch`` has ingested, so a restart skips what it has already read.
watched_files = Table(
    "watched_files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

ledger_events = Table(
    "ledger_events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("component", ID, nullable=False),  # reports linked by blocking keys; re-merged together
    Column("family", String(64), nullable=False, server_default=""),  # merge family: aid, CONSULT:phone, ...
    Column("type", String(16), nullable=False),
    Column("types", Text, nullable=False),  # " AGREE AID " every type of its reports
    Column("mode", String(32)),
    Column("status", String(16)),
    Column("date_start", String(32)),
    Column("date_end", String(32)),
    Column("date_precision", String(16)),
    Column("actor_codes", Text, nullable=False),
    Column("recipient_codes", Text, nullable=False),
    Column("category", String(64), nullable=False),
    Column("value_eur", Float),
    Column("value_usd", Float),
    Column("stated", Boolean, nullable=False),  # a money value is stated
    Column("reports", Integer, nullable=False),
    Column("first_reported", String(32)),
    Column("last_reported", String(32)),
    Column("record", JSON, nullable=False),
    Index("ix_ledger_events_component", "component"),
    # Every column of the filters, sort keys and totals (migration 0007): those queries read
    # this index only, never the wide rows, except for the records of the page they return.
    Index("ix_ledger_events_cover", "date_start", "id", "family", "type", "types", "status", "category",
          "actor_codes", "recipient_codes", "date_end", "date_precision", "value_eur", "value_usd", "stated",
          "reports"),
)

ledger_members = Table(
    "ledger_members",
    metadata,
    # no foreign key to events: a re-analysis replaces event rows before the ledger follows
    Column("event_id", ID, primary_key=True),
    Column("ledger_id", ID, ForeignKey("ledger_events.id", ondelete="CASCADE"), nullable=False),
    Column("component", ID, nullable=False),
    Column("document_id", ID, nullable=False),
    Column("stage", Integer, nullable=False),
    Column("how", String(16), nullable=False),  # founder, restatement, progression
    Column("matched", JSON, nullable=False),
    Index("ix_ledger_members_ledger_id", "ledger_id"),
    Index("ix_ledger_members_component", "component"),
    Index("ix_ledger_members_document_id", "document_id"),
)

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", Text, nullable=False),
    Column("lo", Integer, nullable=False),  # day interval of the report (proleptic ordinals)
    Column("hi", Integer, nullable=False),
    Column("reach", Integer, nullable=False),  # the key's window in days
    Column("event_id", ID, nullable=False),
    Column("component", ID, nullable=False),
    Index("ix_ledger_keys_key_lo", "key", "lo"),
    Index("ix_ledger_keys_component", "component"),
)

ledger_queue = Table(
    "ledger_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", ID, nullable=False),
)

# Full-text search (migration 0006): SQLite's FTS5 table and its shadow tables, PostgreSQL's
# expression index. Neither is a Core table (no portable type describes them); schema
# comparisons skip these names.
SEARCH_OBJECTS = ("document_search", "document_search_data", "document_search_idx", "document_search_content",
                  "document_search_docsize", "document_search_config", "ix_documents_search")

TABLES = ("runs", "documents", "rejections", "mentions", "events", "claims", "feeds", "watched_files",
          "ledger_events", "ledger_members", "ledger_keys", "ledger_queue")
