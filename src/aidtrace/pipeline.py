"""Library entry points: ingest inputs into the store, code one text, export, evaluate.

The CLI, the web app and the Dask engine call these functions; they never re-implement
a stage. Stages run in order (read -> clean + metadata -> dedupe -> store -> analyse ->
actors -> coder -> store) and a failure costs one record or one document, never the run:
inputs that cannot be read become rejections, documents whose analysis raises are marked
failed with the error and reported.

Heavy modules are imported where they are used: the analysis stages load spaCy, lexicons
and exchange rates, de-duplication needs numpy, and the store SQLAlchemy; ``aidtrace --help``
and ``aidtrace docs`` should wait for none of them.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date as Date
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TextIO, TypeVar

from .errors import HINT_BUG, AidtraceError, InputError, StoreError, UsageError
from .model import Claim, Document, Event, Mention, Notice, RawRecord, Rejection
from .runtime import gc_paused, gc_relaxed, one_blas_thread, relax_gc
from .settings import Settings

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .ingest.dedup import NearDuplicateIndex
    from .store import Store

# Store.add_document outcomes (the same strings as aidtrace.store's; kept here so that
# importing the pipeline does not import SQLAlchemy).
NEW, DUPLICATE, NEAR_DUPLICATE, NEW_VERSION = "new", "duplicate", "near-duplicate", "new-version"

Progress = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``: stage is "read" (total unknown) or "analyse"."""

Analysis = tuple[list[Mention], list[Event], list[Claim]]

T = TypeVar("T")
R = TypeVar("R")

# Rejections are written in batches of this many (one transaction each).
REJECTION_BATCH = 2000
# How many rejections and warnings a summary keeps to show; the store keeps every rejection.
SHOWN = 200


class AnalysisFailed(AidtraceError):
    """A document's analysis raised; carries the description, so it pickles from any worker."""


@dataclass
class RunSummary:
    """What one ingest run did."""

    read: int = 0
    new: int = 0
    duplicate: int = 0
    near_duplicate: int = 0
    new_version: int = 0
    rejected: int = 0
    analysed: int = 0
    failed: int = 0
    events: int = 0
    claims: int = 0
    warnings: int = 0
    pending_failures: int = 0  # failed analyses in the store waiting for ``reanalyse --failed``
    rejections: list[Rejection] = field(default_factory=list)  # the first SHOWN
    notices: list[Notice] = field(default_factory=list)  # the first SHOWN
    failures: list[tuple[str, str]] = field(default_factory=list)  # (external_id, error)
    run_id: int | None = None
    document_ids: list[str] = field(default_factory=list)  # new and new-version documents
    ledger_events: int = 0  # ledger events (re)written by the run's ledger update

    def counts(self) -> dict[str, int]:
        """The counters alone (stored with the run)."""
        names = ("read", "new", "duplicate", "near_duplicate", "new_version", "rejected", "analysed",
                 "failed", "events", "claims", "warnings")
        return {name: getattr(self, name) for name in names}

    def add_outcome(self, outcome: str) -> None:
        """Count a ``Store.add_document`` outcome."""
        from .store import DUPLICATE, NEAR_DUPLICATE, NEW, NEW_VERSION

        attr = {NEW: "new", DUPLICATE: "duplicate", NEAR_DUPLICATE: "near_duplicate",
                NEW_VERSION: "new_version"}[outcome]
        setattr(self, attr, getattr(self, attr) + 1)

    def add_notice(self, notice: Notice) -> None:
        self.warnings += 1
        if len(self.notices) < SHOWN:
            self.notices.append(notice)


# ---------------------------------------------------------------------- executors


class Executor(Protocol):
    """Where partitions run: in this process, a process pool (``--jobs``) or a Dask cluster.

    ``map`` applies a picklable function to each partition and yields the results in the
    order of the partitions, keeping only a bounded number in flight; the caller consumes
    them in this process and writes them through the one store writer.
    """

    @property
    def partition_size(self) -> int | None:
        """Documents per analysis partition (None: the pipeline decides)."""

    def worker_count(self) -> int:
        """How many partitions run at once."""

    def map(self, fn: Callable[[T], R], partitions: Iterable[T]) -> Iterator[R]: ...


class LocalExecutor:
    """Runs every partition in this process, one after the other (``--jobs 1``)."""

    partition_size: int | None = None

    def worker_count(self) -> int:
        return 1

    def map(self, fn: Callable[[T], R], partitions: Iterable[T]) -> Iterator[R]:
        return map(fn, partitions)

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class ProcessExecutor:
    """Runs partitions in worker processes on this machine (``--jobs N``, the default).

    Each worker loads spaCy and the dictionaries once: given ``preload`` (a spaCy model name), in
    a thread of its own as soon as it starts, while this process opens the store and the
    workers read; else at its first analysis. A bounded window of partitions is submitted ahead,
    and results are yielded in submission order, so the one writer in this process stores them
    exactly as a serial run would.
    """

    # Documents per analysis partition: small enough to keep every worker busy to the end of
    # a short run, large enough for spaCy's batching (a news story has ~30 sentences).
    partition_size: int | None = 16

    def __init__(self, jobs: int, preload: str | None = None) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork starts a worker in milliseconds with this process's modules already imported;
        # elsewhere (macOS, Windows) fork is unsafe or missing.
        method = "fork" if sys.platform == "linux" else "spawn"
        if method == "fork":
            _preload_reading()
        self.jobs = jobs
        self.ahead = 2 * jobs
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method),
                                         initializer=_start_worker, initargs=(preload,))
        # Start the workers now, before the caller starts threads (a progress display): a fork
        # copies any lock another thread holds at that moment.
        for started in [self._pool.submit(os.getpid) for _ in range(jobs)]:
            started.result()

    def worker_count(self) -> int:
        return self.jobs

    def map(self, fn: Callable[[T], R], partitions: Iterable[T]) -> Iterator[R]:
        window: deque[Future[R]] = deque()
        try:
            for partition in partitions:
                window.append(self._pool.submit(fn, partition))
                if len(window) > self.ahead:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for future in window:
                future.cancel()

    def close(self) -> None:
        """Stop the workers (partitions not yet started are dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def executor_for(settings: Settings) -> LocalExecutor | ProcessExecutor:
    """The executor ``settings.jobs`` asks for (0: one worker per core); use it as a context manager."""
    jobs = settings.jobs if settings.jobs > 0 else available_cores()
    return ProcessExecutor(jobs, preload=settings.spacy_model) if jobs > 1 else LocalExecutor()


def _preload_reading() -> None:
    """Import what every worker needs to read, clean and sign documents, once, in this process
    before the workers are forked: they inherit it instead of each importing it at its first
    partition (numpy, the readers and the cleaner; this process needs them anyway)."""
    one_blas_thread()  # before numpy is first imported, here or in a worker
    from .ingest import dedup, meta, readers  # noqa: F401


def _start_worker(preload: str | None = None) -> None:
    # One worker per core: matrix products must not start threads of their own. A forked worker
    # inherits numpy from the parent, which asked for one BLAS thread before importing it
    # (``_preload_reading``); a spawned one asks here, before it imports numpy.
    one_blas_thread()
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    if preload is not None:
        start_loading_models(preload)


def start_loading_models(model: str) -> None:
    """Load the parser and the dictionaries in a thread of this process's own; the first
    analysis waits for it (``_load_models`` holds a lock) instead of loading them again."""
    threading.Thread(target=_load_models, args=(model,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker when its parent is gone (killed by SIGKILL, it cannot stop its pool):
    an orphaned worker would otherwise wait on its queue for ever, holding its memory."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


# ---------------------------------------------------------------------- ingest


def ingest(
    paths: Sequence[str],
    settings: Settings,
    fmt: str = "auto",
    date: str | None = None,
    stdin: TextIO | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
    executor: Executor | None = None,
    force_db: bool = False,
) -> RunSummary:
    """Read, clean, de-duplicate and store inputs, then analyse every document not yet analysed.

    Args:
        paths: files, directories, globs, or "-" for stdin.
        settings: db, max_bytes, near_duplicate_threshold, batch_size, jobs, candidate_filter.
        fmt: input format (auto, seed, text, jsonl, json, csv, html, feed).
        date: publication date (YYYY-MM-DD) for inputs that carry none.
        stdin: stream read for "-".
        progress: called as records are read and documents analysed.
        store: an open store; by default ``settings.db`` is opened and closed here.
        executor: where reading and analysis partitions run (default: ``executor_for(settings)``,
            worker processes on this machine, one per core unless ``settings.jobs`` says otherwise).
        force_db: set up aidtrace's tables even in a database holding other tables.
    Raises:
        UsageError: unknown format or bad database path. StoreError: the database fails.
    """
    from .ingest.readers import check_format, input_units

    check_format(fmt)
    if date is not None:
        _check_date(date)
    units = input_units(list(paths), settings.max_bytes, stdin)
    return ingest_units(units, settings, {"paths": list(paths), "format": fmt, "date": date}, fmt, date,
                        progress, store, executor, force_db)


def ingest_units(units: Iterable[Any], settings: Settings, args: dict[str, Any], fmt: str = "auto",
                 date: str | None = None, progress: Progress | None = None, store: Store | None = None,
                 executor: Executor | None = None, force_db: bool = False) -> RunSummary:
    """``ingest`` over input units (``readers.InputUnit`` or ``Rejection``), e.g. fetched feeds.

    Args:
        units: the inputs, in order; args: what the run records about its arguments.
        The others: as for ``ingest``.
    """
    if executor is None:  # made before the store is opened, so workers inherit no connection
        with executor_for(settings) as made:
            return ingest_units(units, settings, args, fmt, date, progress, store, made, force_db)
    if store is None:
        from .store import Store

        with Store.open(settings.db, force=force_db) as opened:
            return ingest_units(units, settings, args, fmt, date, progress, opened, executor)
    summary = RunSummary()
    summary.run_id = store.start_run(args)
    try:
        with gc_relaxed():  # the writer unpickles and stores every partition's results
            store_units(store, units, settings, summary, fmt, date, progress, executor)
            analyse_pending(store, settings, summary, progress, executor)
            after_ingest(store, summary)
    finally:
        summary.pending_failures = store.count_failed()
        store.finish_run(summary.run_id, summary.counts())
    return summary


def after_ingest(store: Store, summary: RunSummary) -> None:
    """Bring what is derived from the documents up to date as they arrive (the ledger's call site).

    ``aidtrace ingest``, ``watch`` and ``feeds poll`` all end here after each batch.
    """
    from .ledger import update as ledger_update

    summary.ledger_events = ledger_update(store).ledger_events


@dataclass
class Prepared:
    """A cleaned document and its MinHash signature, ready for the store (made in a worker)."""

    doc: Document
    minhash: bytes | None


ReadItem = Prepared | Rejection | Notice


def read_partition(units: list[Any], fmt: str = "auto", date: str | None = None,
                   max_bytes: int = 20_000_000) -> list[ReadItem]:
    """Read, clean and sign the documents of some inputs in one go (``read_records`` then
    ``prepare_partition``).

    Args:
        units: ``readers.InputUnit``s (files are read here) or ``Rejection``s (passed through).
        fmt, date, max_bytes: as for ``ingest``.
    """
    return prepare_partition(read_records(units, fmt, date, max_bytes))


def prepare(rec: RawRecord) -> list[ReadItem]:
    """The document of a record (with warnings about dropped dates), or its rejection."""
    from .ingest.dedup import signature, to_bytes

    doc = _build(rec)
    if isinstance(doc, Rejection):
        return [doc]
    sig = signature(doc.text)
    notes: list[ReadItem] = [Notice(rec.source, note, rec.line) for note in doc.notes]
    return [*notes, Prepared(doc, to_bytes(sig) if sig else None)]


def read_records(units: list[Any], fmt: str = "auto", date: str | None = None,
                 max_bytes: int = 20_000_000) -> list[RawRecord | Rejection | Notice]:
    """The records of some inputs, not yet cleaned (reading one JSON Lines file is cheap; cleaning
    its thousands of records is not, so ``store_units`` cleans them in partitions of their own)."""
    from .ingest.readers import read_unit

    out: list[RawRecord | Rejection | Notice] = []
    for unit in units:
        out.extend([unit] if isinstance(unit, Rejection) else read_unit(unit, fmt, date, max_bytes))
    return out


def prepare_partition(items: list[RawRecord | Rejection | Notice]) -> list[ReadItem]:
    """Clean and sign the records among ``items`` (``prepare``); the others pass through."""
    return [out for item in items for out in (prepare(item) if isinstance(item, RawRecord) else [item])]


def _partitions(items: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def store_units(store: Store, units: Iterable[Any], settings: Settings, summary: RunSummary,
                fmt: str = "auto", date: str | None = None, progress: Progress | None = None,
                executor: Executor | None = None) -> None:
    """Read inputs (on the executor, one input per partition), clean their records (on the
    executor, in partitions), and store the documents of each partition (one transaction per
    partition) and the rejections (in batches), in input order."""
    from .ingest.dedup import NearDuplicateIndex

    executor = executor or LocalExecutor()
    index = NearDuplicateIndex.from_store(store.minhashes(), settings.near_duplicate_threshold)
    pending: list[Rejection] = []
    read = partial(read_records, fmt=fmt, date=date, max_bytes=settings.max_bytes)
    records = (item for items in executor.map(read, ([unit] for unit in units)) for item in items)
    size = executor.partition_size or max(1, settings.batch_size) * 4
    try:
        for items in executor.map(prepare_partition, _partitions(records, size)):
            stored = iter(_store_documents(store, index, [i for i in items if isinstance(i, Prepared)],
                                           summary.run_id))
            for item in items:
                if isinstance(item, Notice):
                    summary.add_notice(item)
                    continue
                summary.read += 1
                if isinstance(item, Rejection):
                    _reject(store, summary, item, pending)
                else:
                    _record_stored(store, summary, item.doc, next(stored), pending)
                if progress:
                    progress("read", summary.read, None)
    finally:
        store.add_rejections(pending, summary.run_id)


def _reject(store: Store, summary: RunSummary, rejection: Rejection, pending: list[Rejection]) -> None:
    pending.append(rejection)
    summary.rejected += 1
    if len(summary.rejections) < SHOWN:
        summary.rejections.append(rejection)
    if len(pending) >= REJECTION_BATCH:
        store.add_rejections(pending, summary.run_id)
        pending.clear()


def _build(rec: RawRecord) -> Document | Rejection:
    """A document from a raw record, or a rejection saying why not."""
    from .ingest.meta import build_document

    try:
        return build_document(rec)
    except InputError as err:
        return Rejection(source=err.source, reason=err.reason, hint=err.hint, line=err.line)
    except Exception as err:  # a cleaning bug must cost this record, not the run
        return Rejection(source=rec.source, line=rec.line, hint=HINT_BUG,
                         reason=f"cannot clean this record ({_describe(err)})")


Stored = tuple[Document, str] | StoreError


def _store_documents(store: Store, index: NearDuplicateIndex, items: list[Prepared],
                     run_id: int | None) -> list[Stored]:
    """Store a partition's documents in one transaction, each checked against the index and the
    documents before it; for each, the stored document and its outcome, or the error that
    refused it. If the database refuses any, the transaction is rolled back and the documents
    are stored one by one, so that only the refused one fails."""
    from .ingest.dedup import from_bytes

    if not items:
        return []
    results: list[Stored] = []
    indexed: list[str] = []
    try:
        with store.document_batch(run_id) as batch:
            batch.expect([item.doc for item in items])
            for item in items:
                doc = replace(item.doc)  # the batch sets version, duplicate_of and (a revert) id
                sig = from_bytes(item.minhash) if item.minhash else None
                outcome = batch.add(doc, item.minhash, index.query(sig) if sig is not None else [])
                results.append((doc, outcome))
                if _indexable(doc, sig, outcome) and doc.id not in index:
                    index.add(doc.id, sig)  # type: ignore[arg-type]
                    indexed.append(doc.id)
        return results
    except StoreError:
        for doc_id in indexed:
            index.remove(doc_id)
    return [_store_document(store, index, item, run_id) for item in items]


def _store_document(store: Store, index: NearDuplicateIndex, item: Prepared, run_id: int | None) -> Stored:
    """``_store_documents`` for one document, in a transaction of its own."""
    from .ingest.dedup import from_bytes

    doc = replace(item.doc)
    sig = from_bytes(item.minhash) if item.minhash else None
    try:
        outcome = store.add_document(doc, item.minhash, index.query(sig) if sig is not None else [], run_id)
    except StoreError as err:
        return err
    if _indexable(doc, sig, outcome):
        index.add(doc.id, sig)  # type: ignore[arg-type]
    return doc, outcome


def _indexable(doc: Document, sig: Any, outcome: str) -> bool:
    """Whether a stored document joins the near-duplicate index (an original, just stored)."""
    return sig is not None and outcome in (NEW, NEW_VERSION) and doc.duplicate_of is None


def _record_stored(store: Store, summary: RunSummary, read: Document, stored: Stored,
                   pending: list[Rejection]) -> None:
    if isinstance(stored, StoreError):
        _reject(store, summary, Rejection(source=read.source, line=read.line, reason=str(stored),
                                          hint="fix the database problem and ingest again"), pending)
        return
    doc, outcome = stored
    summary.add_outcome(outcome)
    if outcome in (NEW, NEW_VERSION):
        summary.document_ids.append(doc.id)


# ---------------------------------------------------------------------- analysis


def analyse_pending(store: Store, settings: Settings, summary: RunSummary,
                    progress: Progress | None = None, executor: Executor | None = None) -> None:
    """Analyse every stored document not yet analysed; record each result or failure.

    Documents are claimed in partitions (``Store.claim_documents``), so concurrent ingests
    share the work instead of analysing the same documents twice; partitions run on the
    executor and their results are written here, in this process.
    """
    executor = executor or LocalExecutor()
    total = store.count_to_analyse()
    # Several spaCy batches per partition in one process (fewer, longer nlp.pipe calls).
    from .store.db import worker_id

    size = executor.partition_size or max(1, settings.batch_size) * 4
    workers = executor.worker_count()
    owner = worker_id()
    done = 0

    def partitions() -> Iterator[list[Document]]:
        # Guided sizes: the full size while much is left, then smaller partitions towards the
        # end (down to a quarter of the first, at most TAIL_PARTITION documents), so that the
        # workers finish together instead of one idling while the other ends a long last
        # partition. The count is taken again when it runs out (documents stored meanwhile by
        # a concurrent ingest).
        nonlocal total
        claimed = 0
        smallest = min(TAIL_PARTITION, -(-analysis_partition_size(size, total, workers) // 4))
        while True:
            if claimed >= total:
                total = claimed + store.count_to_analyse()
            docs = store.claim_documents(owner, max(smallest, analysis_partition_size(size, total - claimed, workers)))
            if not docs:
                return
            claimed += len(docs)
            yield docs

    try:
        for outcomes in executor.map(partial(analyse_partition, settings=settings), partitions()):
            save_outcomes(store, outcomes, summary)
            done += len(outcomes)
            if progress:
                progress("analyse", done, max(total, done))
    finally:
        store.release_claims(owner)


# What is left to claim is cut into at least this many partitions per worker, so that no worker
# waits idle while another finishes a long last partition.
PARTITIONS_PER_WORKER = 4
# The smallest partitions at the end of a run need not be larger than this (documents): a
# 128-document Dask partition's quarter, 32 stories, is a second of one worker's time that the
# other would spend idle.
TAIL_PARTITION = 4


def analysis_partition_size(size: int, pending: int, workers: int) -> int:
    """Documents in the next analysis partition: ``size``, or fewer when the ``pending``
    documents not yet claimed would otherwise make fewer than ``PARTITIONS_PER_WORKER``
    partitions per worker."""
    share = -(-pending // (PARTITIONS_PER_WORKER * max(1, workers)))
    return max(1, min(size, share))


@dataclass(frozen=True)
class Analysed:
    """What the writer needs of an analysed document: its id, and its external id for messages.
    A partition's results travel back to the writer without the documents' texts."""

    id: str
    external_id: str


def analyse_partition(docs: list[Document], settings: Settings) -> list[tuple[Analysed, Analysis | Exception]]:
    """``analyse_documents`` as a list, failures as ``AnalysisFailed`` (picklable): the partition
    function every executor runs."""
    return [(Analysed(doc.id, doc.external_id),
             outcome if not isinstance(outcome, Exception) else AnalysisFailed(_describe(outcome)))
            for doc, outcome in analyse_documents(docs, settings)]


def analyse_documents(docs: list[Document], settings: Settings) -> Iterator[tuple[Document, Analysis | Exception]]:
    """Each document with its (mentions, events, claims), or the exception its analysis raised.

    A batch whose parse fails is retried one document at a time, so only the bad one fails.
    """
    _load_models(settings.spacy_model)
    try:
        parsed = _parse(docs, settings)
    except Exception as err:  # spaCy or the trigger filter failed on some text of the batch
        if len(docs) == 1:
            yield docs[0], err
            return
        for doc in docs:
            yield from analyse_documents([doc], settings)
        return
    outcomes = [_code(doc, sentences) for doc, sentences in zip(docs, parsed, strict=True)]
    if settings.learned:
        outcomes = _vet(outcomes, settings)
    yield from zip(docs, outcomes, strict=True)


_LOADED: set[str] = set()
_LOADING = threading.Lock()


def _load_models(model: str) -> None:
    """Load the parser and the dictionaries once per process, then freeze them: the garbage
    collector's full collections no longer walk their millions of objects (they live as long
    as the process). A worker may start this in a thread of its own; a call meanwhile waits."""
    with _LOADING:
        if model not in _LOADED:
            _LOADED.add(model)
            _load_models_now(model)


def _load_models_now(model: str) -> None:
    from .extract import items, money
    from .extract.actors import ActorDictionary
    from .extract.candidates import automaton
    from .extract.triggers import load_lexicon
    from .nlp.pipeline import load_nlp

    try:
        with gc_paused():  # millions of long-lived objects: no collection needs to look at them
            load_nlp(model)
            ActorDictionary.load()
            load_lexicon()
            automaton()
            items._taxonomy()
            money._converter()
            _load_classifier()
    except Exception:  # noqa: S110 - the same error is raised again, and recorded, per document
        return
    gc.freeze()
    relax_gc()  # this process analyses from now on


def _load_classifier() -> None:
    """The learned classifier, when this process's settings switch it on (its first use would
    otherwise load it in the middle of a worker's first partition). A run whose own settings
    differ does not use it; one that cannot be loaded is reported where it is used."""
    settings = Settings.load()
    if settings.learned:
        from .extract.learned import load_classifier

        with suppress(Exception):
            load_classifier(settings.learned_model)


def _parse(docs: list[Document], settings: Settings) -> list[Any]:
    from .nlp.pipeline import analyse

    is_candidate: Callable[[str], bool] | None = None
    if settings.candidate_filter:
        from .extract.coder import is_candidate as trigger_filter

        is_candidate = trigger_filter
    return list(analyse([d.text for d in docs], is_candidate=is_candidate, model=settings.spacy_model,
                        batch_size=settings.batch_size))


def _code(doc: Document, sentences: list[Any]) -> Analysis | Exception:
    from .extract.actors import resolve_mentions
    from .extract.coder import code_document, dated

    try:
        reference = dated(doc)  # an undated article is read as of the date its own text gives
        mentions = resolve_mentions(reference, sentences)
        events, claims = code_document(reference, sentences, mentions)
    except UsageError:
        raise  # a missing model is the user's setting to fix, not one document's failure
    except Exception as err:  # recorded per document, like spaCy's error handler
        return err
    return mentions, events, claims


def _vet(outcomes: list[Analysis | Exception], settings: Settings) -> list[Analysis | Exception]:
    """The analyses with the events the learned classifier vetoes removed (``extract.learned``,
    the one place it joins in), the documents' doubtful sentences classified in one batch; if
    that fails, one document at a time, so that only the one it fails on is marked failed."""
    from .extract.learned import vet, vet_documents

    coded = [o for o in outcomes if not isinstance(o, Exception)]
    try:
        kept = iter(vet_documents([events for _, events, _ in coded], settings.learned_model))
        return [o if isinstance(o, Exception) else (o[0], next(kept), o[2]) for o in outcomes]
    except UsageError:
        raise  # a missing model is the user's setting to fix
    except Exception:  # noqa: BLE001 - retried per document below, where the error is recorded
        pass
    out: list[Analysis | Exception] = []
    for o in outcomes:
        try:
            out.append(o if isinstance(o, Exception) else (o[0], vet(o[1], settings.learned_model), o[2]))
        except UsageError:
            raise
        except Exception as err:  # recorded per document, like spaCy's error handler
            out.append(err)
    return out


def save_outcomes(store: Store, outcomes: Sequence[tuple[Analysed | Document, Analysis | Exception]],
                  summary: RunSummary) -> None:
    """Store a partition's analyses in one transaction (``Store.save_analyses``) and record its
    failures; should the batch fail, each document is saved on its own, so that only the one the
    database refuses is marked failed."""
    analysed = [(doc, outcome) for doc, outcome in outcomes if not isinstance(outcome, Exception)]
    try:
        counts = store.save_analyses([(doc.id, *outcome) for doc, outcome in analysed])
    except StoreError:
        for doc, outcome in outcomes:
            _save_outcome(store, doc, outcome, summary)
        return
    summary.analysed += len(analysed)
    summary.events += sum(n for n, _ in counts)
    summary.claims += sum(n for _, n in counts)
    for doc, outcome in outcomes:
        if isinstance(outcome, Exception):
            _save_outcome(store, doc, outcome, summary)


def _save_outcome(store: Store, doc: Analysed | Document, outcome: Analysis | Exception, summary: RunSummary) -> None:
    if not isinstance(outcome, Exception):
        mentions, events, claims = outcome
        try:
            n_events, n_claims = store.save_analysis(doc.id, mentions, events, claims)
        except StoreError as err:
            outcome = err
        else:
            summary.analysed += 1
            summary.events += n_events
            summary.claims += n_claims
            return
    error = _describe(outcome)
    store.mark_failed(doc.id, error)
    summary.failed += 1
    if len(summary.failures) < SHOWN:
        summary.failures.append((doc.external_id, error))


def _describe(err: BaseException) -> str:
    if isinstance(err, AnalysisFailed):
        return str(err)
    text = " ".join(str(err).split()) or "(no message)"
    return f"{type(err).__name__}: {text}"[:500]


def reanalyse(settings: Settings, scope: str = "all", since: str | None = None,
              progress: Progress | None = None, executor: Executor | None = None) -> RunSummary:
    """Re-code stored documents with the current coder, then bring the ledger up to date.

    The chosen documents become pending again and go through the ingest's own analysis
    (``analyse_pending``: claimed partitions on the executor, one writer). Events and claims
    the coder no longer finds are kept, marked superseded; a run that stops early leaves the
    rest pending for the next ingest or re-analysis.

    Args:
        scope: "all" (every current original document) or "failed" (analyses that failed).
        since: only documents published on or after this date (YYYY-MM-DD).
        progress, executor: as for ``ingest``.
    Raises:
        UsageError: unknown scope or bad date. StoreError: the database fails.
    """
    from .store import Store

    if scope not in ("all", "failed"):
        raise UsageError(f"unknown re-analysis scope {scope!r} — use all or failed")
    if since is not None:
        _check_date(since)
    if executor is None:
        with executor_for(settings) as made:
            return reanalyse(settings, scope, since, progress, made)
    with Store.open(settings.db, create=False) as store:
        summary = RunSummary()
        summary.run_id = store.start_run({"reanalyse": scope, "since": since})
        try:
            store.reset_for_reanalysis(failed_only=scope == "failed", since=since)
            analyse_pending(store, settings, summary, progress, executor)
            after_ingest(store, summary)
        finally:
            summary.pending_failures = store.count_failed()
            store.finish_run(summary.run_id, summary.counts())
    return summary


def reanalyse_failed(settings: Settings, progress: Progress | None = None,
                     executor: Executor | None = None) -> RunSummary:
    """Retry every failed analysis (``aidtrace reanalyse --failed``)."""
    return reanalyse(settings, "failed", None, progress, executor)


# ---------------------------------------------------------------------- one text


def code_text(text: str, date: str | None = None,
              settings: Settings | None = None) -> tuple[Document, list[Event], list[Claim]]:
    """Clean, analyse and code one text without a store (``aidtrace code``).

    Args:
        text: the article or sentence.
        date: its publication date (YYYY-MM-DD), against which relative dates resolve.
    """
    from .ingest.meta import build_document

    if not text.strip():
        raise UsageError("nothing to code — pass the text in quotes, e.g. aidtrace code \"Germany sent tanks\"")
    if date is not None:
        _check_date(date)
    if "\x00" in text:
        raise UsageError("the text contains NUL characters — remove them")
    doc = build_document(RawRecord(source="<text>", text=text, external_id="text", published=date))
    _, outcome = next(analyse_documents([doc], settings or Settings.load()))
    if isinstance(outcome, Exception):
        raise outcome
    _, events, claims = outcome
    return doc, events, claims


def _check_date(value: str) -> None:
    try:
        Date.fromisoformat(value)
    except ValueError as err:
        raise UsageError(f"--date {value!r} is not a date — write it as YYYY-MM-DD, e.g. 2025-07-02") from err


# ---------------------------------------------------------------------- views and exports

DOCUMENT_FIELDS = ("id", "external_id", "source", "url", "title", "published", "published_precision",
                   "agency", "dateline_place", "text", "duplicate_of", "version")

CSV_FIELDS = (
    "record", "id", "document_id", "external_id", "published", "type", "mode", "context", "cameo",
    "actor", "actor_text", "recipient", "recipient_text", "status", "negated", "modality",
    "date_start", "date_end", "date_precision", "date_text", "value_amount", "value_currency",
    "value_eur", "value_usd", "value_text", "items", "measure", "subject", "subject_text",
    "period_start", "period_end", "reported_by", "attribution", "evidence", "evidence_start",
    "evidence_end", "trigger", "confidence", "mentions",
)


def document_record(doc: Document) -> dict[str, Any]:
    """The JSON form of a stored document (``aidtrace docs --format jsonl``)."""
    rec = {name: getattr(doc, name) for name in DOCUMENT_FIELDS}
    rec["published"] = doc.published.isoformat() if doc.published else None
    return rec


def _codes(entities: list[dict[str, Any]] | None) -> str:
    return " ".join(e.get("country") or e.get("org") or "?" for e in entities or [])


def _texts(entities: list[dict[str, Any]] | None) -> str:
    return "; ".join(e.get("text") or "" for e in entities or [])


def _entity(entity: dict[str, Any] | None) -> str:
    return (entity.get("name") or entity.get("text") or "") if entity else ""


def flat_record(rec: dict[str, Any]) -> dict[str, Any]:
    """One CONTRACT record flattened to the CSV columns (lists joined, objects spread)."""
    doc, value = rec.get("document") or {}, rec.get("value") or {}
    when, period, ev = rec.get("date") or {}, rec.get("period") or {}, rec.get("evidence") or {}
    return {
        "record": rec.get("record"), "id": rec.get("id"), "document_id": doc.get("id"),
        "external_id": doc.get("external_id"), "published": doc.get("published"),
        "type": rec.get("type"), "mode": rec.get("mode"), "context": "|".join(rec.get("context") or []),
        "cameo": rec.get("cameo"), "actor": _codes(rec.get("actor")), "actor_text": _texts(rec.get("actor")),
        "recipient": _codes(rec.get("recipient")), "recipient_text": _texts(rec.get("recipient")),
        "status": rec.get("status"), "negated": rec.get("negated"), "modality": rec.get("modality"),
        "date_start": when.get("start"), "date_end": when.get("end"), "date_precision": when.get("precision"),
        "date_text": when.get("text"), "value_amount": value.get("amount"),
        "value_currency": value.get("currency"), "value_eur": value.get("eur"), "value_usd": value.get("usd"),
        "value_text": value.get("text"), "items": "; ".join(i.get("text", "") for i in rec.get("items") or []),
        "measure": rec.get("measure"), "subject": _codes(rec.get("subject")),
        "subject_text": _texts(rec.get("subject")), "period_start": period.get("start"),
        "period_end": period.get("end"), "reported_by": _entity(rec.get("reported_by")),
        "attribution": _entity(rec.get("attribution")), "evidence": ev.get("sentence"),
        "evidence_start": ev.get("start"), "evidence_end": ev.get("end"), "trigger": ev.get("trigger"),
        "confidence": rec.get("confidence"), "mentions": rec.get("mentions"),
    }


# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(...), +cmd|...).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row whose text cells cannot run as spreadsheet formulas: such cells get a leading
    apostrophe (OWASP's advice); numbers are left alone."""
    return {key: f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_STARTS) else value
            for key, value in row.items()}


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str = "jsonl") -> int:
    """Write records as JSON Lines or CSV; returns how many were written."""
    if fmt == "jsonl":
        return sum(out.write(json.dumps(rec, ensure_ascii=False) + "\n") > 0 for rec in records)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        return sum(writer.writerow(csv_safe(flat_record(rec))) >= 0 for rec in records)
    raise UsageError(f"unknown export format {fmt!r} — use jsonl or csv")


def export(store: Store, out: TextIO, fmt: str = "jsonl") -> int:
    """Write every current event and claim (CONTRACT.md) to ``out``; returns the record count."""
    return write_records(store.export_records(), out, fmt)


def evaluate(gold_path: str, db: str | None = None, pred_path: str | None = None) -> dict[str, Any]:
    """Score predictions (a database's export, or a JSONL file) against a gold file.

    Args:
        gold_path: gold JSONL (see ../shared/tools/score_events.py for its kinds).
        db: database path or URL whose export is scored (used when ``pred_path`` is None).
        pred_path: a JSONL export to score instead of a database.
    """
    from .eval import load_gold, load_jsonl, score
    from .store import Store

    gold = load_gold(gold_path)
    if pred_path is not None:
        preds = load_jsonl(pred_path)
    elif db is not None:
        with Store.open(db, create=False, readonly=True) as store:
            preds = list(store.export_records())
    else:
        raise UsageError("give the predictions: --db DB or --pred FILE")
    return score(preds, gold)


# The development sets under the shared folder: name, input (file or folder), gold file.
DEV_SETS = (
    ("seeds", "seeds", "acceptance/seeds_gold.jsonl"),
    ("news_dev", "acceptance/news_dev", "acceptance/news_dev_gold.jsonl"),
    ("plover_dev", "acceptance/plover_gsr_dev_input.jsonl", "acceptance/plover_gsr_dev_gold.jsonl"),
)


@dataclass
class DevSetResult:
    """One development set scored: the scorer's figures and the errors grouped by cause."""

    name: str
    documents: int
    result: dict[str, Any]
    causes: dict[str, dict[str, list[str]]]


def evaluate_dev_sets(shared: str, settings: Settings, workdir: str,
                      names: Sequence[str] | None = None,
                      progress: Progress | None = None) -> list[DevSetResult]:
    """Ingest every development set into a fresh database under ``workdir`` and score it.

    Args:
        shared: the shared folder holding ``seeds/`` and ``acceptance/``.
        settings: analysis settings (``db`` is ignored: each set gets ``workdir/NAME.db``).
        workdir: an existing directory for the databases (left there for inspection).
        names: only these sets (default: all of ``DEV_SETS``).
    Raises:
        UsageError: the shared folder or one of its files is missing, or an unknown set name.
    """
    from dataclasses import replace
    from pathlib import Path

    from .eval import diagnose, load_gold, score
    from .store import Store

    root = Path(shared)
    wanted = list(names or [n for n, _, _ in DEV_SETS])
    unknown = sorted(set(wanted) - {n for n, _, _ in DEV_SETS})
    if unknown:
        raise UsageError(f"unknown dev set {', '.join(unknown)} — use "
                         f"{', '.join(n for n, _, _ in DEV_SETS)}")
    results = []
    for name, source, gold_name in DEV_SETS:
        if name not in wanted:
            continue
        inputs, gold_path = root / source, root / gold_name
        if not inputs.exists() or not gold_path.exists():
            raise UsageError(f"{inputs if not inputs.exists() else gold_path} is missing — pass the shared "
                             "folder with --shared (it holds seeds/ and acceptance/)")
        db = Path(workdir) / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        summary = ingest([str(inputs)], replace(settings, db=str(db)), progress=progress)
        with Store.open(str(db), create=False) as store:
            preds = list(store.export_records())
        gold = load_gold(gold_path)
        results.append(DevSetResult(name, summary.read, score(preds, gold), diagnose(preds, gold)))
    return results


__all__ = [
    "DEV_SETS", "Analysed", "AnalysisFailed", "DevSetResult", "Executor", "LocalExecutor", "RunSummary", "analyse_documents",
    "analyse_partition", "analyse_pending", "code_text", "csv_safe", "document_record", "evaluate",
    "evaluate_dev_sets", "export", "flat_record", "ingest", "ingest_units", "read_partition", "reanalyse",
    "reanalyse_failed", "store_units", "write_records",
]
