"""The one class through which aidtrace reads and writes its database.

``Store.open`` takes a file path (SQLite, WAL mode, foreign keys on) or an SQLAlchemy URL
(``sqlite://``, ``postgresql+psycopg://...``) and brings the schema to the newest Alembic
revision in one locked transaction (``setup.py``). Every write is one transaction, so one bad
document never rolls back another; read commands open the database read-only.

Analysis work is shared between concurrent processes by claims: ``claim_documents`` marks
pending documents as taken by one worker, so two ingests never analyse the same document.
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..errors import StoreError, UsageError
from ..model import PLOVER_TYPES, Claim, Document, Entity, Event, Mention, Rejection, Role
from . import schema as t
from .ledger import LedgerTables, enqueue
from .setup import (
    PG_DOCUMENT_LOCK,
    JsonText,
    check_readable,
    database_url,
    dump_json,
    known_revisions,
    make_engine,
    migrate,
    short_error,
    write_transaction,
)

NEW, DUPLICATE, NEAR_DUPLICATE, NEW_VERSION = "new", "duplicate", "near-duplicate", "new-version"

_CODE = re.compile(r"^[A-Za-z0-9_.-]+$")
# A claim on a document expires after this long even when its owner cannot be checked.
CLAIM_LEASE = timedelta(minutes=30)


def _now() -> datetime:
    return datetime.now(UTC)


def worker_id() -> str:
    """This process as a claim owner: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_alive(owner: str) -> bool:
    """False when the owner ran on this host and its process is gone; True when unknown."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """aidtrace's database: documents, rejections, runs, mentions, events and claims."""

    def __init__(self, engine: Engine, display: str | None = None):
        self.engine = engine
        self.display_url = display or engine.url.render_as_string(hide_password=True)
        self.ledger = LedgerTables(self)

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, url_or_path: str, create: bool = True, readonly: bool = False,
             force: bool = False) -> Store:
        """Open (and create or migrate) a database.

        Args:
            url_or_path: a file path (SQLite) or an SQLAlchemy URL, used as is.
            create: when False, a missing SQLite file is an error instead of a new database.
            readonly: open without writing anything (read commands; read-only files and roles).
                A database whose schema is older than this aidtrace is migrated first if it can be.
            force: set up aidtrace's tables even in a database holding another application's.
        Raises:
            UsageError: bad path. StoreError: the database cannot be opened or migrated, or is
                not an aidtrace database.
        """
        url = database_url(url_or_path, create=create and not readonly)
        display = make_url(url).render_as_string(hide_password=True)
        if readonly:
            store = cls._open_readonly(url, display)
            if store.revision() == known_revisions()[1]:
                return store
            store.close()  # an older schema: bring it up to date, which needs write access
        store = cls(make_engine(url), display)
        try:
            migrate(store.engine, store.display_url, force=force)
        except StoreError:
            store.close()
            raise
        return store

    @classmethod
    def _open_readonly(cls, url: str, display: str) -> Store:
        store = cls(make_engine(url, readonly=True), display)
        try:
            store.revision()
        except StoreError:
            if store.engine.dialect.name != "sqlite":
                raise
            # A WAL file in a folder we may not write: SQLite cannot create its shared-memory
            # file, so read the file as it is (no other process can be writing it either).
            store.close()
            store = cls(make_engine(url, readonly=True, immutable=True), display)
        return store

    def revision(self) -> str | None:
        """The schema revision of the database (after checking it is an aidtrace database)."""
        with self._read() as conn:
            return check_readable(conn, self.display_url)

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One write transaction; database failures become a ``StoreError``."""
        try:
            with write_transaction(self.engine) as conn:
                yield conn
        except SQLAlchemyError as err:
            raise StoreError(f"{self.display_url}: database write failed ({short_error(err)}) — "
                             "check disk space and permissions, then run again") from err

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as err:
            if "readonly" in short_error(err) or "read-only" in short_error(err):
                raise StoreError(f"{self.display_url}: the database is read-only and needs an update "
                                 "this aidtrace cannot make — open it once with write access") from err
            raise StoreError(f"{self.display_url}: database read failed ({short_error(err)}) — "
                             "check the database is an aidtrace database") from err

    # ------------------------------------------------------------------ runs and rejections

    def start_run(self, args: dict[str, Any]) -> int:
        """Record the start of an ingest run; returns its id."""
        with self._tx() as conn:
            key = conn.execute(insert(t.runs).values(started=_now(), args=args)).inserted_primary_key
        if key is None:
            raise StoreError(f"{self.display_url}: the database gave no id for the new run — check it is writable")
        return int(key[0])

    def finish_run(self, run_id: int, counts: dict[str, Any]) -> None:
        """Record the end of a run and what it did."""
        with self._tx() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(finished=_now(), counts=counts))

    def runs(self) -> list[dict[str, Any]]:
        """All runs, oldest first."""
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(t.runs).order_by(t.runs.c.id))]

    def add_rejection(self, rejection: Rejection, run_id: int | None = None) -> None:
        """Record an input that could not be read."""
        self.add_rejections([rejection], run_id)

    def add_rejections(self, rejections: list[Rejection], run_id: int | None = None) -> None:
        """Record many rejections in one transaction (20,000 bad lines take a second, not minutes)."""
        if not rejections:
            return
        now = _now()
        rows = [{"run_id": run_id, "source": _safe_text(r.source), "line": r.line,
                 "reason": _safe_text(r.reason), "hint": _safe_text(r.hint), "created_at": now}
                for r in rejections]
        with self._tx() as conn:
            conn.execute(insert(t.rejections), rows)

    def rejections(self, run_id: int | None = None) -> list[Rejection]:
        """Recorded rejections, of one run or all."""
        query = select(t.rejections).order_by(t.rejections.c.id)
        if run_id is not None:
            query = query.where(t.rejections.c.run_id == run_id)
        with self._read() as conn:
            return [Rejection(source=r.source, reason=r.reason, hint=r.hint, line=r.line)
                    for r in conn.execute(query)]

    # ------------------------------------------------------------------ documents

    def add_document(self, doc: Document, minhash: bytes | None = None,
                     near_duplicates: Iterable[str] = (), run_id: int | None = None) -> str:
        """Store a document unless its content is already stored.

        Args:
            doc: the cleaned document; ``version`` and ``duplicate_of`` are set here.
            minhash: its MinHash signature (see ``ingest.dedup``), kept for later runs.
            near_duplicates: ids of stored documents whose signature is close to this one.
            run_id: the ingest run that brought it.
        Returns:
            'duplicate' (nothing written), 'new-version' (an earlier document with the same
            external_id or url is marked superseded), 'near-duplicate', or 'new'.
        """
        _refuse_nul(doc)
        try:
            with self._tx() as conn:
                if self.is_postgresql:  # versions of one article must not be decided concurrently
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_DOCUMENT_LOCK})
                return self._add_document(conn, doc, minhash, list(near_duplicates), run_id)
        except StoreError as err:
            # Another writer stored the same content between our check and our insert.
            if isinstance(err.__cause__, IntegrityError) and self._has_content(doc.content_hash):
                return DUPLICATE
            raise

    @contextmanager
    def document_batch(self, run_id: int | None = None) -> Iterator[DocumentBatch]:
        """``add_document`` for many documents in one transaction (an ingest stores a partition at
        a time: one commit instead of one per document), all stored or none.

        Raises:
            StoreError: from ``add`` or at the end of the block; nothing of the batch is stored
            (the caller stores its documents one by one to find the one refused).
        """
        with self._tx() as conn:
            if self.is_postgresql:  # versions of one article must not be decided concurrently
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_DOCUMENT_LOCK})
            batch = DocumentBatch(self, conn, run_id)
            yield batch
            batch.flush()

    def _add_document(self, conn: Connection, doc: Document, minhash: bytes | None,
                      candidates: list[str], run_id: int | None) -> str:
        stored = conn.execute(_BY_CONTENT, {"content_hash": doc.content_hash}).first()
        previous = self._latest_version(conn, doc)
        if stored is not None:
            if (stored.superseded_by is None or previous is None or previous.id == stored.id
                    or not _same_article_row(stored, doc) or self._older_than(conn, doc, previous.id)):
                return DUPLICATE
            # an edit reverted: the earlier content (and its analysis) is current again; it keeps
            # its version number, so re-reading versions in their order leaves them as they were
            doc.id, doc.version = stored.id, stored.version
            self._restore(conn, stored.id, previous.id)
            return NEW_VERSION
        if previous is not None:
            doc.version = self._last_version_number(conn, doc) + 1
        doc.duplicate_of = self._original(conn, doc, candidates) or doc.duplicate_of
        conn.execute(insert(t.documents), _document_row(doc, minhash, run_id))
        if previous is None:
            return NEAR_DUPLICATE if doc.duplicate_of else NEW
        self._supersede(conn, previous.id, doc.id)
        return NEW_VERSION

    @staticmethod
    def _older_than(conn: Connection, doc: Document, current_id: str) -> bool:
        """Whether ``doc`` is dated before the current version (a stale copy, not a revert)."""
        current = conn.execute(select(t.documents.c.published).where(t.documents.c.id == current_id)).scalar()
        return doc.published is not None and current is not None and doc.published < current

    def _last_version_number(self, conn: Connection, doc: Document) -> int:
        same, params = self._same_article(doc)
        return int(conn.execute(select(func.max(t.documents.c.version)).where(same), params).scalar() or 0)

    def _restore(self, conn: Connection, old_id: str, current_id: str) -> None:
        """Make a superseded version current again (its analysis is still valid: same content)."""
        self._supersede(conn, current_id, old_id)
        conn.execute(update(t.documents).where(t.documents.c.id == old_id).values(superseded_by=None))
        for table in (t.events, t.claims):
            conn.execute(update(table).where(table.c.document_id == old_id).values(superseded=False))
        enqueue(conn, [old_id])

    def _has_content(self, content_hash: str) -> bool:
        with self._read() as conn:
            return conn.execute(select(t.documents.c.id).where(
                t.documents.c.content_hash == content_hash)).first() is not None

    @staticmethod
    def _same_article(doc: Document) -> tuple[Any, dict[str, str]]:
        """SQL condition: a stored document with the same external id or url as ``doc``; and its
        parameters."""
        if not doc.url:
            return _SAME_ID, {"external_id": doc.external_id}
        return _SAME_ID_OR_URL, {"external_id": doc.external_id, "url": doc.url}

    def _latest_version(self, conn: Connection, doc: Document) -> Row[Any, Any] | None:
        _, params = self._same_article(doc)
        return conn.execute(_LATEST_BY_ID_OR_URL if doc.url else _LATEST_BY_ID, params).first()

    def _original(self, conn: Connection, doc: Document, candidates: list[str]) -> str | None:
        """The earliest stored original among near-duplicate candidates (not earlier versions)."""
        if not candidates:
            return None
        same, params = self._same_article(doc)
        rows = conn.execute(
            select(t.documents.c.id, t.documents.c.duplicate_of, t.documents.c.superseded_by)
            .where(t.documents.c.id.in_(candidates), ~same)
            .order_by(t.documents.c.ingested_at, t.documents.c.id), params).all()
        for row in rows:
            return row.duplicate_of or row.superseded_by or row.id
        return None

    def _supersede(self, conn: Connection, old_id: str, new_id: str) -> None:
        conn.execute(update(t.documents).where(t.documents.c.id == old_id).values(superseded_by=new_id))
        for table in (t.events, t.claims):
            conn.execute(update(table).where(table.c.document_id == old_id).values(superseded=True))
        enqueue(conn, [old_id])

    def document(self, doc_id: str) -> Document | None:
        """One document by id."""
        with self._read() as conn:
            row = conn.execute(select(t.documents).where(t.documents.c.id == doc_id)).first()
        return _row_document(row) if row else None

    def documents(self, include_duplicates: bool = True, include_superseded: bool = True,
                  limit: int | None = None, offset: int = 0) -> list[Document]:
        """Stored documents in the order they were ingested (``limit`` of them from ``offset`` on)."""
        query = select(t.documents).order_by(t.documents.c.ingested_at, t.documents.c.id)
        query = query.where(*self._document_filters(include_duplicates, include_superseded))
        with self._read() as conn:
            return [_row_document(r) for r in conn.execute(query.limit(limit).offset(offset or None))]

    def count_documents(self, include_duplicates: bool = True, include_superseded: bool = True) -> int:
        """How many documents ``documents`` would return with no limit."""
        where = self._document_filters(include_duplicates, include_superseded)
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.documents).where(*where)).scalar_one())

    @staticmethod
    def _document_filters(include_duplicates: bool, include_superseded: bool) -> list[Any]:
        d = t.documents.c
        return ([] if include_duplicates else [d.duplicate_of.is_(None)]) + \
            ([] if include_superseded else [d.superseded_by.is_(None)])

    @staticmethod
    def _pending() -> Any:
        # The partial index's own condition, written out literally: a bound parameter for the
        # status would keep SQLite from using that index.
        return text(t.PENDING)

    def documents_to_analyse(self, limit: int | None = None) -> list[Document]:
        """Documents not yet analysed (neither duplicates nor superseded), oldest first."""
        query = (select(t.documents).where(self._pending())
                 .order_by(t.documents.c.ingested_at, t.documents.c.id).limit(limit))
        with self._read() as conn:
            return [_row_document(r) for r in conn.execute(query)]

    def count_to_analyse(self) -> int:
        """How many documents ``documents_to_analyse`` would return."""
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.documents)
                                    .where(self._pending())).scalar_one())

    def claim_documents(self, owner: str, limit: int) -> list[Document]:
        """Take up to ``limit`` pending documents for ``owner`` to analyse, oldest first.

        A document claimed by another live worker is skipped; a claim whose owner died (same
        host, process gone) or that is older than ``CLAIM_LEASE`` is taken over. Claims end
        when the analysis is saved or marked failed, or with ``release_claims``.
        """
        d = t.documents.c
        # Not the owner's own claims: those are partitions still in its workers (``--jobs``
        # claims the next partitions while the first ones are analysed).
        free = or_(d.claimed_by.is_(None), d.claimed_at < _now() - CLAIM_LEASE)
        with self._tx() as conn:
            query = (select(d.id, d.claimed_by).where(self._pending())
                     .order_by(d.ingested_at, d.id).limit(limit * 4 + 16))
            if self.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            ids: list[str] = []
            for row in [*conn.execute(query.where(free)).all(), *self._orphans(conn, limit)]:
                if row.id not in ids and len(ids) < limit:
                    ids.append(row.id)
            if not ids:
                return []
            conn.execute(update(t.documents).where(d.id.in_(ids))
                         .values(claimed_by=owner, claimed_at=_now()))
            rows = conn.execute(select(t.documents).where(d.id.in_(ids))).all()
        order = {doc_id: i for i, doc_id in enumerate(ids)}
        return sorted((_row_document(r) for r in rows), key=lambda doc: order[doc.id])

    def _orphans(self, conn: Connection, limit: int) -> list[Any]:
        """Pending documents claimed by processes of this host that no longer run."""
        d = t.documents.c
        # Through the index of claimed documents (few: those in some worker right now), sorted
        # here: ordering in SQL would walk every pending document in ingest order instead.
        rows = conn.execute(select(d.id, d.claimed_by, d.ingested_at)
                            .where(self._pending(), d.claimed_by.is_not(None))).all()
        dead = sorted((r for r in rows if not _owner_alive(r.claimed_by)), key=lambda r: (r.ingested_at, r.id))
        return dead[:limit]

    def release_claims(self, owner: str) -> None:
        """Give back the claims of ``owner`` that were not finished (a run that stops early)."""
        with self._tx() as conn:
            conn.execute(update(t.documents).where(t.documents.c.claimed_by == owner)
                         .values(claimed_by=None, claimed_at=None))

    def minhashes(self) -> Iterator[tuple[str, bytes]]:
        """(id, signature) of every original document, for the near-duplicate index.

        Earlier versions are included: a run's own index keeps a version it superseded, and a
        copy that matches it is a duplicate of its current version (``_original``); a later run,
        or one resumed after a crash, must decide the same way.
        """
        d = t.documents.c
        query = select(d.id, d.minhash).where(d.minhash.is_not(None), d.duplicate_of.is_(None))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return ((r.id, bytes(r.minhash)) for r in rows)

    def failures(self) -> list[tuple[str, str, str]]:
        """(id, external_id, error) of current documents whose analysis failed."""
        d = t.documents.c
        with self._read() as conn:
            rows = conn.execute(select(d.id, d.external_id, d.error)
                                .where(text(t.FAILED), d.superseded_by.is_(None))
                                .order_by(d.ingested_at, d.id)).all()
        return [(r.id, r.external_id, r.error or "") for r in rows]

    def count_failed(self) -> int:
        """How many current documents wait for a retry of their failed analysis."""
        d = t.documents.c
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.documents)
                                    .where(text(t.FAILED), d.superseded_by.is_(None))).scalar_one())

    def reset_failed(self) -> int:
        """Make every failed analysis pending again (``aidtrace reanalyse --failed``); returns how many."""
        return self.reset_for_reanalysis(failed_only=True)

    def reset_for_reanalysis(self, failed_only: bool = False, since: str | None = None) -> int:
        """Make current original documents pending again, to be re-coded; returns how many.

        Args:
            failed_only: only documents whose analysis failed.
            since: only documents published on or after this ISO date.
        """
        d = t.documents.c
        query = update(t.documents).where(d.duplicate_of.is_(None), d.superseded_by.is_(None))
        if failed_only:
            query = query.where(d.status == "failed")
        if since:
            query = query.where(d.published >= date.fromisoformat(_iso_date(since, "since")))
        with self._tx() as conn:
            result = conn.execute(query.values(status="new", error=None, claimed_by=None, claimed_at=None))
        return int(result.rowcount or 0)

    # ------------------------------------------------------------------ analysis results

    def save_analysis(self, doc_id: str, mentions: list[Mention], events: list[Event],
                      claims: list[Claim]) -> tuple[int, int]:
        """Store a document's analysis and mark it analysed (one transaction).

        Mentions are replaced. Events and claims the analysis gives again (same id) are
        replaced; those of an earlier analysis it no longer gives are kept, marked superseded
        (a re-analysis with a newer coder leaves a trace). The document is queued for the ledger.

        Returns:
            how many events and claims were stored (repeats of one id are stored once).
        """
        return self.save_analyses([(doc_id, mentions, events, claims)])[0]

    def save_analyses(self, analyses: Sequence[tuple[str, list[Mention], list[Event], list[Claim]]],
                      ) -> list[tuple[int, int]]:
        """``save_analysis`` for several documents in one transaction and a few statements (an
        ingest saves a partition at a time): all are stored, or none.

        Args:
            analyses: (document id, mentions, events, claims), each document once.
        Returns:
            for each, how many events and claims were stored.
        """
        if not analyses:
            return []
        ids = [a[0] for a in analyses]
        with self._tx() as conn:
            rows = {r.id: r for start in range(0, len(ids), 500) for r in conn.execute(
                select(t.documents).where(t.documents.c.id.in_(ids[start:start + 500])))}
            missing = [doc_id for doc_id in ids if doc_id not in rows]
            if missing:
                raise StoreError(f"document {missing[0]} is not stored — ingest it before saving its analysis")
            mention_rows: list[dict[str, Any]] = []
            event_rows: list[dict[str, Any]] = []
            claim_rows: list[dict[str, Any]] = []
            counts = []
            for doc_id, mentions, events, claims in analyses:
                row = rows[doc_id]
                doc, superseded = _row_document(row), row.superseded_by is not None
                mention_rows += [_mention_row(doc_id, m) for m in mentions]
                mine = _unique([_event_row(e, doc, i, superseded) for i, e in enumerate(events)])
                theirs = _unique([_claim_row(c, doc, i, superseded) for i, c in enumerate(claims)])
                event_rows += mine
                claim_rows += theirs
                counts.append((len(mine), len(theirs)))
            for start in range(0, len(ids), 500):
                conn.execute(delete(t.mentions).where(t.mentions.c.document_id.in_(ids[start:start + 500])))
            if mention_rows:
                conn.execute(insert(t.mentions), mention_rows)
            self._replace_rows(conn, t.events, ids, event_rows)
            self._replace_rows(conn, t.claims, ids, claim_rows)
            for start in range(0, len(ids), 500):
                conn.execute(update(t.documents).where(t.documents.c.id.in_(ids[start:start + 500]))
                             .values(status="analysed", error=None, claimed_by=None, claimed_at=None))
            enqueue(conn, ids)
        return counts

    @staticmethod
    def _replace_rows(conn: Connection, table: Any, doc_ids: list[str], rows: list[dict[str, Any]]) -> None:
        """Insert the documents' new rows; their earlier rows with other ids stay, superseded.

        Every earlier row of the documents is marked superseded, then those the new rows
        replace (same id) are deleted: what stays marked is exactly what the analysis no longer
        gives. On a first analysis there is nothing to mark or delete.
        """
        for start in range(0, len(doc_ids), 500):
            conn.execute(update(table).where(table.c.document_id.in_(doc_ids[start:start + 500]),
                                             table.c.superseded.is_(False)).values(superseded=True))
        ids = [r["id"] for r in rows]
        for start in range(0, len(ids), 500):
            conn.execute(delete(table).where(table.c.id.in_(ids[start:start + 500])))
        if rows:
            conn.execute(insert(table), rows)

    def mark_failed(self, doc_id: str, error: str) -> None:
        """Record that a document's analysis raised ``error`` (retried by ``reset_failed``)."""
        with self._tx() as conn:
            self._set_status(conn, doc_id, "failed", error)

    @staticmethod
    def _set_status(conn: Connection, doc_id: str, status: str, error: str | None) -> None:
        conn.execute(update(t.documents).where(t.documents.c.id == doc_id)
                     .values(status=status, error=_safe_text(error) if error else None,
                             claimed_by=None, claimed_at=None))

    # ------------------------------------------------------------------ feeds and watched files

    def add_feed(self, url: str) -> bool:
        """Register a feed to poll; returns False when it was registered already."""
        try:
            with self._tx() as conn:
                if conn.execute(select(t.feeds.c.id).where(t.feeds.c.url == url)).first():
                    return False
                conn.execute(insert(t.feeds).values(url=url, added_at=_now(), entries=0))
        except StoreError as err:
            if isinstance(err.__cause__, IntegrityError):  # added at the same moment elsewhere
                return False
            raise
        return True

    def remove_feed(self, url: str) -> bool:
        """Forget a feed (its documents stay); returns False when it was not registered."""
        with self._tx() as conn:
            return bool(conn.execute(delete(t.feeds).where(t.feeds.c.url == url)).rowcount)

    def feeds(self) -> list[dict[str, Any]]:
        """Every registered feed with its polling state, in the order they were added."""
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(t.feeds).order_by(t.feeds.c.id))]

    def update_feed(self, url: str, status: int | None, error: str | None = None, etag: str | None = None,
                    last_modified: str | None = None, title: str | None = None, entries: int = 0) -> None:
        """Record one poll of a feed; validators and title are kept unless new ones are given."""
        values: dict[str, Any] = {"polled_at": _now(), "status": status,
                                  "error": _safe_text(error) if error else None,
                                  "entries": t.feeds.c.entries + entries}
        if status == 200:
            values.update(etag=etag, last_modified=last_modified)
        if title:
            values["title"] = _safe_text(title)
        with self._tx() as conn:
            conn.execute(update(t.feeds).where(t.feeds.c.url == url).values(**values))

    def watched(self, paths: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(size, mtime in ns) recorded when each of ``paths`` was last ingested by ``watch``."""
        wanted = list(paths)
        found: dict[str, tuple[int, int]] = {}
        w = t.watched_files.c
        with self._read() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(select(w.path, w.size, w.mtime_ns).where(w.path.in_(wanted[start:start + 500])))
                found.update((r.path, (int(r.size), int(r.mtime_ns))) for r in rows)
        return found

    def mark_watched(self, files: dict[str, tuple[int, int]], run_id: int | None) -> None:
        """Record files ``watch`` has ingested, with the size and mtime they had."""
        if not files:
            return
        with self._tx() as conn:
            conn.execute(delete(t.watched_files).where(t.watched_files.c.path.in_(list(files))))
            conn.execute(insert(t.watched_files), [
                {"path": path, "size": size, "mtime_ns": mtime, "run_id": run_id, "ingested_at": _now()}
                for path, (size, mtime) in files.items()])

    # ------------------------------------------------------------------ queries

    def events(self, type: str | None = None, actor: str | None = None, recipient: str | None = None,
               since: str | None = None, until: str | None = None,
               include_superseded: bool = False, limit: int | None = None,
               document_id: str | None = None, status: str | None = None, category: str | None = None,
               q: str | None = None, offset: int = 0) -> list[dict[str, Any]]:
        """Event records (CONTRACT.md) matching all given filters, by date then document order.

        Args:
            type: PLOVER type, e.g. AID. actor, recipient: a country or org code, e.g. USA, EU.
            since, until: ISO dates (YYYY-MM-DD); events whose dates overlap the interval.
            include_superseded: also events of replaced document versions.
            limit: only the first this many (None: all), after skipping ``offset``.
            document_id: only the events of this document.
            status: aid status (pledged, delivered, ...). category: the item category of the
                event's ledger event. q: a full-text query its document must match (``search``).
        """
        e, d = t.events.c, t.documents.c
        order = (e.date_start.is_(None), e.date_start, d.ingested_at, e.document_id, e.seq)
        where = self._event_filters(type, actor, recipient, since, until, include_superseded, status, category, q)
        if document_id is not None:
            where.append(e.document_id == document_id)
        with self._read() as conn:
            if limit is None and not offset:
                query = select(e.record).join(t.documents, d.id == e.document_id).where(*where).order_by(*order)
                return list(self._with_report_counts(r.record for r in conn.execute(query)))
            # Sort the keys alone, of the events up to the page's last date only (the tie-break
            # by ingest time reads each document's row), and read the records of the page only.
            last = conn.execute(select(e.date_start).where(*where).order_by(*order[:2])
                                .limit(1).offset(offset + limit - 1)).first() if limit else None
            if last is not None and last.date_start is not None:
                where = [*where, e.date_start.is_not(None), e.date_start <= last.date_start]
            ids = [r.id for r in conn.execute(select(e.id).join(t.documents, d.id == e.document_id)
                                              .where(*where).order_by(*order).limit(limit).offset(offset or None))]
            found = {r.id: r.record for r in conn.execute(select(e.id, e.record).where(e.id.in_(ids)))}
        return list(self._with_report_counts((found[i] for i in ids), ids))

    def count_events(self, type: str | None = None, actor: str | None = None, recipient: str | None = None,
                     since: str | None = None, until: str | None = None, include_superseded: bool = False,
                     status: str | None = None, category: str | None = None, q: str | None = None) -> int:
        """How many events ``events`` would return with the same filters and no limit."""
        where = self._event_filters(type, actor, recipient, since, until, include_superseded, status, category, q)
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(t.events).where(*where)).scalar_one())

    def _event_filters(self, type: str | None, actor: str | None, recipient: str | None, since: str | None,
                       until: str | None, include_superseded: bool, status: str | None = None,
                       category: str | None = None, q: str | None = None) -> list[Any]:
        from .search import matching_ids

        e = t.events.c
        where: list[Any] = [] if include_superseded else [e.superseded.is_(False)]
        if type:
            where.append(e.type == _plover_type(type))
        if actor:
            where.append(e.actor_codes.contains(f" {_code(actor, 'actor')} ", autoescape=True))
        if recipient:
            where.append(e.recipient_codes.contains(f" {_code(recipient, 'recipient')} ", autoescape=True))
        if since:
            where.append(func.coalesce(e.date_end, e.date_start) >= _iso_date(since, "since"))
        if until:
            where.append(e.date_start <= _iso_date(until, "until"))
        if status:
            where.append(e.status == _status(status))
        if category:
            m, le = t.ledger_members.c, t.ledger_events.c
            where.append(e.id.in_(select(m.event_id).join(t.ledger_events, le.id == m.ledger_id)
                                  .where(le.category == _category(category))))
        if q:
            where.append(e.document_id.in_(matching_ids(self, q)))
        return where

    def search(self, q: str, limit: int = 20, offset: int = 0) -> tuple[int, list[Any]]:
        """Full-text search of current documents: (how many match, one page of ``search.Hit``).

        Raises:
            UsageError: the query has no word to look for or is too long.
        """
        from .search import search

        return search(self, q, limit, offset)

    def _with_report_counts(self, records: Iterable[dict[str, Any]],
                            event_ids: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Event records with ``mentions`` = their ledger event's report count, and its ``ledger_id``
        (``event_ids``: the events among ``records``, when only those need looking up)."""
        counts = self.ledger.report_counts(event_ids)
        for rec in records:
            if rec.get("record") == "event" and rec.get("id") in counts:
                ledger_id, reports = counts[rec["id"]]
                rec = {**rec, "mentions": reports, "ledger_id": ledger_id}
            yield rec

    def claims(self, include_superseded: bool = False, document_id: str | None = None) -> list[dict[str, Any]]:
        """Claim records (CONTRACT.md) in document order (``document_id``: of that document only)."""
        c = t.claims.c
        query = (select(c.record).join(t.documents, t.documents.c.id == c.document_id)
                 .order_by(t.documents.c.ingested_at, c.document_id, c.seq))
        if not include_superseded:
            query = query.where(c.superseded.is_(False))
        if document_id is not None:
            query = query.where(c.document_id == document_id)
        with self._read() as conn:
            return [r.record for r in conn.execute(query)]

    def mentions(self, document_id: str | None = None) -> list[dict[str, Any]]:
        """Actor mentions of current documents (or of the document ``document_id``, current or not):
        document ids, text, offsets and entity."""
        m, d = t.mentions.c, t.documents.c
        query = (select(t.mentions, d.external_id).join(t.documents, d.id == m.document_id)
                 .where(d.superseded_by.is_(None) if document_id is None else m.document_id == document_id)
                 .order_by(d.ingested_at, m.id))
        with self._read() as conn:
            return [_mention_record(r) for r in conn.execute(query)]

    def actor_counts(self) -> list[dict[str, Any]]:
        """How often each resolved actor is mentioned in current documents, most frequent first."""
        m, d = t.mentions.c, t.documents.c
        count = func.count().label("count")
        query = (select(m.entity_id, m.name, m.country, m.org, count)
                 .join(t.documents, d.id == m.document_id)
                 .where(d.superseded_by.is_(None), or_(m.entity_id.is_not(None), m.name.is_not(None)))
                 .group_by(m.entity_id, m.name, m.country, m.org)
                 .order_by(count.desc(), m.name))
        with self._read() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def export_records(self) -> Iterator[dict[str, Any]]:
        """Every current event, then every current claim, as CONTRACT.md records.

        Events of superseded versions and of near-duplicate documents are left out. An event
        in the ledger carries its ledger event's report count as ``mentions`` and its ``ledger_id``.
        """
        d = t.documents.c
        live = [d.superseded_by.is_(None), d.duplicate_of.is_(None)]
        for table in (t.events, t.claims):
            query = (select(table.c.record).join(t.documents, d.id == table.c.document_id)
                     .where(table.c.superseded.is_(False), *live)
                     .order_by(d.ingested_at, table.c.document_id, table.c.seq))
            with self._read() as conn:
                rows = conn.execute(query).all()
            yield from self._with_report_counts(r.record for r in rows)

    def counts(self) -> dict[str, int]:
        """Row count of every table."""
        tables = [t.metadata.tables[name] for name in t.TABLES]
        with self._read() as conn:
            return {tb.name: int(conn.execute(select(func.count()).select_from(tb)).scalar_one())
                    for tb in tables}


# ---------------------------------------------------------------------- row conversion


_TEXT_FIELDS = ("external_id", "source", "url", "title", "agency", "dateline_place", "outlet",
                "raw_text", "text")


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 100:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


# The statements run for every document stored, built once (SQLAlchemy then skips building and
# compiling them: a third of the cost of storing a document).
_BY_CONTENT = (select(t.documents.c.id, t.documents.c.superseded_by, t.documents.c.external_id,
                      t.documents.c.url, t.documents.c.version)
               .where(t.documents.c.content_hash == bindparam("content_hash")))
# Another version of the same article: the same external id, or the same url (null-safe, so
# that NOT(...) keeps documents without a url). Parameters: ``Store._same_article``.
_SAME_ID = t.documents.c.external_id == bindparam("external_id")
_SAME_ID_OR_URL = or_(_SAME_ID, and_(t.documents.c.url.is_not(None), t.documents.c.url == bindparam("url")))
_LATEST_BY_ID, _LATEST_BY_ID_OR_URL = (
    select(t.documents.c.id, t.documents.c.version)
    .where(same, t.documents.c.superseded_by.is_(None))
    .order_by(t.documents.c.version.desc(), t.documents.c.ingested_at.desc())
    for same in (_SAME_ID, _SAME_ID_OR_URL))


class DocumentBatch:
    """The documents added in one ``Store.document_batch`` transaction.

    Most documents of a batch are new articles: after ``expect``, one that shares no content
    hash, external id or url with a stored document or with one added before it, and has no
    near-duplicate candidates, is stored without a query of its own (its row waits, and all
    such rows are inserted together before anything else reads the table). Every other
    document is decided by ``Store.add_document``'s own statements, as alone.
    """

    def __init__(self, store: Store, conn: Connection, run_id: int | None) -> None:
        self._store, self._conn, self._run_id = store, conn, run_id
        self._new_hashes: set[str] = set()  # known to be in no stored document
        self._new_ids: set[str] = set()
        self._new_urls: set[str] = set()
        self._rows: list[dict[str, Any]] = []  # rows of new documents, not yet inserted

    def expect(self, docs: Sequence[Document]) -> None:
        """Look up at once which of the documents about to be added share nothing with the
        stored ones (three queries for the batch instead of two for each document)."""
        d = t.documents.c
        for column, keys, known in ((d.content_hash, [doc.content_hash for doc in docs], self._new_hashes),
                                    (d.external_id, [doc.external_id for doc in docs], self._new_ids),
                                    (d.url, [doc.url for doc in docs if doc.url], self._new_urls)):
            unique = sorted(set(keys))
            stored: set[str] = set()
            for start in range(0, len(unique), 500):
                chunk = unique[start:start + 500]
                stored.update(row[0] for row in self._conn.execute(select(column).where(column.in_(chunk))))
            known.update(key for key in unique if key not in stored)

    def add(self, doc: Document, minhash: bytes | None = None, near_duplicates: Iterable[str] = ()) -> str:
        """As ``Store.add_document``, inside the batch's transaction (which a ``StoreError``
        raised here must end)."""
        _refuse_nul(doc)  # a database error propagates: the batch's transaction makes it a StoreError
        candidates = list(near_duplicates)
        fresh = (not candidates and doc.content_hash in self._new_hashes and doc.external_id in self._new_ids
                 and (not doc.url or doc.url in self._new_urls))
        # whatever comes after this document with the same hash, id or url is decided in full
        self._new_hashes.discard(doc.content_hash)
        self._new_ids.discard(doc.external_id)
        if doc.url:
            self._new_urls.discard(doc.url)
        if fresh:  # what ``_add_document`` decides for an article it has never seen
            self._rows.append(_document_row(doc, minhash, self._run_id))
            return NEAR_DUPLICATE if doc.duplicate_of else NEW
        self.flush()
        return self._store._add_document(self._conn, doc, minhash, candidates, self._run_id)

    def flush(self) -> None:
        """Insert the rows of the new documents added so far."""
        if self._rows:
            self._conn.execute(insert(t.documents), self._rows)
            self._rows = []


def _refuse_nul(doc: Document) -> None:
    """PostgreSQL cannot store NUL characters in text; refuse them on every backend alike."""
    if any(_has_nul(getattr(doc, name)) for name in _TEXT_FIELDS) or _has_nul(doc.extra):
        raise StoreError(f"{doc.source}: the document contains NUL characters (U+0000), which "
                         "aidtrace does not store — remove them from the input")


def _safe_text(value: str) -> str:
    """Log text (rejections, errors) with NUL characters shown as U+FFFD, on every backend."""
    return value.replace("\x00", "\ufffd")


def _same_article_row(row: Any, doc: Document) -> bool:
    """Whether a stored row is a version of the same article as ``doc`` (same id or url)."""
    return row.external_id == doc.external_id or bool(doc.url and row.url == doc.url)



def _document_row(doc: Document, minhash: bytes | None, run_id: int | None) -> dict[str, Any]:
    return {
        "id": doc.id, "external_id": doc.external_id, "source": doc.source, "url": doc.url,
        "title": doc.title, "published": doc.published, "published_precision": doc.published_precision,
        "agency": doc.agency, "dateline_place": doc.dateline_place, "outlet": doc.outlet,
        "format": doc.format, "raw_text": doc.raw_text, "text": doc.text,
        "content_hash": doc.content_hash, "version": doc.version, "duplicate_of": doc.duplicate_of,
        "superseded_by": None, "minhash": minhash, "extra": doc.extra or {},
        "furniture": [list(span) for span in doc.furniture], "status": "new", "error": None,
        "claimed_by": None, "claimed_at": None,
        "run_id": run_id, "ingested_at": _now(),
    }


def _row_document(row: Row[Any]) -> Document:
    return Document(
        id=row.id, external_id=row.external_id, source=row.source, raw_text=row.raw_text,
        text=row.text, content_hash=row.content_hash, url=row.url, title=row.title,
        published=row.published, published_precision=row.published_precision, agency=row.agency,
        dateline_place=row.dateline_place, outlet=row.outlet, format=row.format, version=row.version,
        duplicate_of=row.duplicate_of, extra=row.extra or {},
        furniture=[(int(a), int(b)) for a, b in row.furniture or []],
    )


def _mention_row(doc_id: str, m: Mention) -> dict[str, Any]:
    ent = m.entity
    return {"document_id": doc_id, "start": m.start, "end": m.end, "text": m.text, "entity_id": ent.id,
            "name": ent.name, "country": ent.country, "org": ent.org, "sector": _sectors(tuple(ent.sector)),
            "kind": ent.kind, "how": m.how}


@lru_cache(maxsize=4096)
def _sectors(sector: tuple[str, ...]) -> JsonText:
    """A mention's sector codes as JSON, serialised once per distinct list (tens of thousands of
    mentions share a few hundred)."""
    return JsonText(dump_json(list(sector)))


def _mention_record(row: Row[Any]) -> dict[str, Any]:
    entity = Entity(id=row.entity_id, name=row.name, country=row.country, org=row.org,
                    sector=list(row.sector or []), kind=row.kind or "group")
    rec = entity.to_record(row.text)
    return {"document_id": row.document_id, "external_id": row.external_id, "text": row.text,
            "start": row.start, "end": row.end, "how": row.how,
            "entity": {k: rec[k] for k in ("name", "id", "country", "org", "sector")}}


def _codes(roles: list[Role]) -> str:
    """Space-padded codes (country and org) of the entities in ``roles``."""
    found: list[str] = []
    for role in roles:
        for code in (role.entity.country, role.entity.org):
            if code and code.upper() not in found:
                found.append(code.upper())
    return f" {' '.join(found)} " if found else ""


def _event_row(ev: Event, doc: Document, seq: int, superseded: bool) -> dict[str, Any]:
    return {
        "id": ev.id, "document_id": doc.id, "type": ev.type, "mode": ev.mode,
        "date_start": ev.date.start if ev.date else None, "date_end": ev.date.end if ev.date else None,
        "actor_codes": _codes(ev.actor), "recipient_codes": _codes(ev.recipient),
        "negated": ev.negated, "modality": ev.modality, "status": ev.status,
        "value_eur": ev.value.eur if ev.value else None, "value_usd": ev.value.usd if ev.value else None,
        "superseded": superseded or ev.superseded, "seq": seq, "record": ev.to_record(doc),
    }


def _claim_row(claim: Claim, doc: Document, seq: int, superseded: bool) -> dict[str, Any]:
    return {"id": claim.id, "document_id": doc.id, "measure": claim.measure, "superseded": superseded,
            "seq": seq, "record": claim.to_record(doc)}


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with distinct ids, first kept (one sentence, type and trigger is one event)."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        seen.setdefault(row["id"], row)
    return list(seen.values())


def _code(value: str, what: str) -> str:
    if not _CODE.match(value):
        raise UsageError(f"{what} code {value!r} is not a code — use a country or org code like USA, UKR or EU")
    return value.upper()


def _plover_type(value: str) -> str:
    if value.upper() not in PLOVER_TYPES:
        raise UsageError(f"event type {value!r} is not a PLOVER type — use one of {', '.join(PLOVER_TYPES)}")
    return value.upper()


_CATEGORY = re.compile(r"^[a-z][a-z0-9 /_-]{0,63}$")


def _category(value: str) -> str:
    value = " ".join(value.lower().replace("_", " ").split())
    if not _CATEGORY.match(value):
        raise UsageError(f"category {value[:40]!r} is not a category name — use one like 'air defence', "
                         "'artillery', 'mixed' or 'unspecified' (see `aidtrace totals --by category`)")
    return value


def _status(value: str) -> str:
    from ..model import STATUSES

    if value not in STATUSES:
        raise UsageError(f"status {value[:40]!r} is not a status — use one of {', '.join(STATUSES)}")
    return value


def _iso_date(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as err:
        raise UsageError(f"--{what} {value!r} is not a date — write it as YYYY-MM-DD, e.g. 2025-07-01") from err
