"""Library entry points: ingest inputs into the store, code one text, export, evaluate.

The CLI, the web app and the Dask engine call these functions; they never re-implement
a stage. Stages run in order (read -> clean + metadata -> dedupe -> store -> analyse ->
actors -> coder -> store) and a failure costs one record or one document, never the run:
inputs that cannot be read become rejections, documents whose analysis raises are marked
failed with the error and reported.

Heavy modules are imported where they are used: the analysis stages load spaCy, lexicons
and exchange rates, de-duplication needs numpy and datasketch (which pulls in scipy), and
the store SQLAlchemy; ``aidtrace --help`` and ``aidtrace docs`` should wait for none of them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from typing import TYPE_CHECKING, Any, TextIO

from .errors import InputError, StoreError, UsageError
from .model import Claim, Document, Event, Mention, RawRecord, Rejection
from .settings import Settings

if TYPE_CHECKING:
    from .ingest.dedup import NearDuplicateIndex
    from .store import Store

Progress = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)``: stage is "read" (total unknown) or "analyse"."""

Analysis = tuple[list[Mention], list[Event], list[Claim]]

HINT_BUG = "this is a bug in aidtrace: report it with the input attached"


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
    rejections: list[Rejection] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (external_id, error)
    run_id: int | None = None

    def counts(self) -> dict[str, int]:
        """The counters alone (stored with the run)."""
        names = ("read", "new", "duplicate", "near_duplicate", "new_version", "rejected", "analysed",
                 "failed", "events", "claims")
        return {name: getattr(self, name) for name in names}

    def add_outcome(self, outcome: str) -> None:
        """Count a ``Store.add_document`` outcome."""
        from .store import DUPLICATE, NEAR_DUPLICATE, NEW, NEW_VERSION

        attr = {NEW: "new", DUPLICATE: "duplicate", NEAR_DUPLICATE: "near_duplicate",
                NEW_VERSION: "new_version"}[outcome]
        setattr(self, attr, getattr(self, attr) + 1)


# ---------------------------------------------------------------------- ingest


def ingest(
    paths: Sequence[str],
    settings: Settings,
    fmt: str = "auto",
    date: str | None = None,
    stdin: TextIO | None = None,
    progress: Progress | None = None,
    store: Store | None = None,
) -> RunSummary:
    """Read, clean, de-duplicate and store inputs, then analyse every document not yet analysed.

    Args:
        paths: files, directories, globs, or "-" for stdin.
        settings: db, max_bytes, near_duplicate_threshold, batch_size, n_process, candidate_filter.
        fmt: input format (auto, seed, text, jsonl, json, csv, html, feed).
        date: publication date (YYYY-MM-DD) for inputs that carry none.
        stdin: stream read for "-".
        progress: called as records are read and documents analysed.
        store: an open store; by default ``settings.db`` is opened and closed here.
    Raises:
        UsageError: unknown format or bad database path. StoreError: the database fails.
    """
    from .store import Store

    if date is not None:
        _check_date(date)
    if store is None:
        with Store.open(settings.db) as opened:
            return ingest(paths, settings, fmt, date, stdin, progress, opened)
    summary = RunSummary()
    summary.run_id = store.start_run({"paths": list(paths), "format": fmt, "date": date})
    try:
        store_inputs(store, paths, settings, summary, fmt=fmt, date=date, stdin=stdin, progress=progress)
        analyse_pending(store, settings, summary, progress)
    finally:
        store.finish_run(summary.run_id, summary.counts())
    return summary


def store_inputs(store: Store, paths: Sequence[str], settings: Settings, summary: RunSummary,
                 fmt: str = "auto", date: str | None = None, stdin: TextIO | None = None,
                 progress: Progress | None = None) -> None:
    """Read inputs and store each as a document (one transaction each) or a rejection."""
    from .ingest.dedup import NearDuplicateIndex
    from .ingest.readers import read_inputs

    index = NearDuplicateIndex.from_store(store.minhashes(), settings.near_duplicate_threshold)
    for item in read_inputs(list(paths), fmt=fmt, date=date, max_bytes=settings.max_bytes, stdin=stdin):
        summary.read += 1
        if isinstance(item, Rejection):
            _reject(store, summary, item)
        else:
            _store_record(store, index, item, summary)
        if progress:
            progress("read", summary.read, None)


def _reject(store: Store, summary: RunSummary, rejection: Rejection) -> None:
    store.add_rejection(rejection, summary.run_id)
    summary.rejected += 1
    summary.rejections.append(rejection)


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


def _store_record(store: Store, index: NearDuplicateIndex, rec: RawRecord, summary: RunSummary) -> None:
    from .ingest.dedup import signature, to_bytes
    from .store import NEW, NEW_VERSION

    doc = _build(rec)
    if isinstance(doc, Rejection):
        _reject(store, summary, doc)
        return
    sig = signature(doc.text)
    candidates = index.query(sig) if sig else []
    try:
        outcome = store.add_document(doc, to_bytes(sig) if sig else None, candidates, summary.run_id)
    except StoreError as err:
        _reject(store, summary, Rejection(source=rec.source, line=rec.line, reason=str(err),
                                          hint="fix the database problem and ingest again"))
        return
    summary.add_outcome(outcome)
    if sig and outcome in (NEW, NEW_VERSION) and doc.duplicate_of is None:
        index.add(doc.id, sig)


# ---------------------------------------------------------------------- analysis


def analyse_pending(store: Store, settings: Settings, summary: RunSummary,
                    progress: Progress | None = None) -> None:
    """Analyse every stored document not yet analysed, in chunks; record each result or failure."""
    total = store.count_to_analyse()
    # Several spaCy batches per chunk: nlp.pipe starts its worker processes once per call.
    chunk = max(1, settings.batch_size) * max(1, settings.n_process) * 4
    seen: set[str] = set()
    while batch := [d for d in store.documents_to_analyse(limit=chunk) if d.id not in seen]:
        seen.update(d.id for d in batch)
        for doc, outcome in analyse_documents(batch, settings):
            _save_outcome(store, doc, outcome, summary)
        if progress:
            progress("analyse", len(seen), total)


def analyse_documents(docs: list[Document], settings: Settings) -> Iterator[tuple[Document, Analysis | Exception]]:
    """Each document with its (mentions, events, claims), or the exception its analysis raised.

    A batch whose parse fails is retried one document at a time, so only the bad one fails.
    """
    try:
        parsed = _parse([d.text for d in docs], settings)
    except Exception as err:  # spaCy or the trigger filter failed on some text of the batch
        if len(docs) == 1:
            yield docs[0], err
            return
        for doc in docs:
            yield from analyse_documents([doc], settings)
        return
    for doc, sentences in zip(docs, parsed, strict=True):
        yield doc, _code(doc, sentences)


def _parse(texts: list[str], settings: Settings) -> list[Any]:
    from .nlp.pipeline import analyse

    is_candidate: Callable[[str], bool] | None = None
    if settings.candidate_filter:
        from .extract.coder import is_candidate as trigger_filter

        is_candidate = trigger_filter
    return list(analyse(texts, is_candidate=is_candidate, model=settings.spacy_model,
                        batch_size=settings.batch_size, n_process=settings.n_process))


def _code(doc: Document, sentences: list[Any]) -> Analysis | Exception:
    from .extract.actors import resolve_mentions
    from .extract.coder import code_document

    try:
        mentions = resolve_mentions(doc, sentences)
        events, claims = code_document(doc, sentences, mentions)
    except Exception as err:  # recorded per document, like spaCy's error handler
        return err
    return mentions, events, claims


def _save_outcome(store: Store, doc: Document, outcome: Analysis | Exception, summary: RunSummary) -> None:
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
    summary.failures.append((doc.external_id, error))


def _describe(err: BaseException) -> str:
    text = " ".join(str(err).split()) or "(no message)"
    return f"{type(err).__name__}: {text}"[:500]


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


def write_records(records: Iterable[dict[str, Any]], out: TextIO, fmt: str = "jsonl") -> int:
    """Write records as JSON Lines or CSV; returns how many were written."""
    if fmt == "jsonl":
        return sum(out.write(json.dumps(rec, ensure_ascii=False) + "\n") > 0 for rec in records)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        return sum(writer.writerow(flat_record(rec)) >= 0 for rec in records)
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
    from .eval import load_jsonl, score
    from .store import Store

    gold = load_jsonl(gold_path)
    if pred_path is not None:
        preds = load_jsonl(pred_path)
    elif db is not None:
        with Store.open(db, create=False) as store:
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

    from .eval import diagnose, load_jsonl, score
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
        gold = load_jsonl(gold_path)
        results.append(DevSetResult(name, summary.read, score(preds, gold), diagnose(preds, gold)))
    return results


__all__ = [
    "DEV_SETS", "DevSetResult", "RunSummary", "analyse_documents", "analyse_pending", "code_text", "document_record",
    "evaluate", "evaluate_dev_sets", "export", "flat_record", "ingest", "store_inputs", "write_records",
]
