"""Exports of per-report records (CONTRACT.md) and ledger records: JSON Lines, CSV, Parquet, PLOVER.

- ``jsonl``: the records themselves, one per line.
- ``csv`` and ``parquet``: flat, one row per event (lists joined, objects spread), plus an
  evidence file/table beside it (``NAME.evidence.csv`` / ``NAME.evidence.parquet``): one row per
  evidence sentence (per reporting document for the ledger; the sentence and its
  restatements for per-report events). Parquet columns are typed, and each row also keeps
  its whole record as JSON (column ``json``), so the Parquet file reads back equal to the JSON Lines.
- ``plover``: PLOVER/POLECAT-style event JSON (one object per line) for event-data users:
  event id, date, type, mode, contexts, quad class and score, actor and recipient names,
  countries and sectors, place, source and sentence; aidtrace's own attributes (status,
  value, items, report count, ledger id) under ``aidtrace``.

CSV cells are made safe for spreadsheets (``pipeline.csv_safe``): article text can never run
as a formula.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from .datafiles import load_yaml
from .errors import UsageError
from .pipeline import CSV_FIELDS, csv_safe, flat_record

FORMATS = ("jsonl", "csv", "parquet", "plover")
PLOVER_VERSION = "aidtrace-plover-1"

LEDGER_FIELDS = (
    "ledger_id", "type", "types", "mode", "context", "actor", "actor_names", "recipient", "recipient_names",
    "status", "status_history", "modality", "date_start", "date_end", "date_precision", "date_text",
    "value_amount", "value_currency", "value_eur", "value_usd", "value_approximate", "value_text",
    "items", "category", "reports", "documents", "first_reported", "last_reported", "duplicates",
    "disagreements", "confidence",
)
EVIDENCE_FIELDS = (
    "ledger_id", "n", "external_id", "document_id", "url", "source", "title", "published", "agency",
    "event_id", "type", "status", "date", "sentence", "start", "end", "trigger",
)
REPORT_EVIDENCE_FIELDS = ("id", "n", "document_id", "external_id", "sentence", "start", "end", "trigger")
TOTAL_FIELDS = ("by", "key", "label", "currency", "total", "events", "with_value", "without_value", "unconverted")

# Parquet column types; every other column is a string.
_FLOATS = {"value_amount", "value_eur", "value_usd", "confidence", "total"}
_INTS = {"evidence_start", "evidence_end", "mentions", "reports", "n", "start", "end", "events"}
_BOOLS = {"negated", "value_approximate"}


@dataclass
class ExportResult:
    """What an export wrote."""

    records: int
    files: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- flat rows


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, fields: tuple[str, ...]) -> int:
    """Write flat rows as CSV with formula-safe cells; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(csv_safe(row))
        count += 1
    return count


def _codes(entities: list[dict[str, Any]] | None) -> str:
    return " ".join(e.get("country") or e.get("org") or "?" for e in entities or [])


def _names(entities: list[dict[str, Any]] | None) -> str:
    return "; ".join(e.get("name") or e.get("text") or "" for e in entities or [])


def history_text(rec: dict[str, Any]) -> str:
    """Status history as one line, e.g. 'pledged 2025-06-12 > delivered 2025-09-01'."""
    steps = []
    for step in rec.get("status_history") or []:
        when = (step.get("date") or {}).get("start") or ""
        steps.append(" ".join(filter(None, [step.get("status") or step.get("stage"), when[:10]])))
    return " > ".join(steps)


def flat_ledger(rec: dict[str, Any]) -> dict[str, Any]:
    """A ledger record flattened to ``LEDGER_FIELDS``."""
    when, value = rec.get("date") or {}, rec.get("value") or {}
    return {
        "ledger_id": rec.get("ledger_id"), "type": rec.get("type"), "types": " ".join(rec.get("types") or []),
        "mode": rec.get("mode"), "context": "|".join(rec.get("context") or []),
        "actor": _codes(rec.get("actor")), "actor_names": _names(rec.get("actor")),
        "recipient": _codes(rec.get("recipient")), "recipient_names": _names(rec.get("recipient")),
        "status": rec.get("status"), "status_history": history_text(rec), "modality": rec.get("modality"),
        "date_start": when.get("start"), "date_end": when.get("end"), "date_precision": when.get("precision"),
        "date_text": when.get("text"), "value_amount": value.get("amount"), "value_currency": value.get("currency"),
        "value_eur": value.get("eur"), "value_usd": value.get("usd"), "value_approximate": value.get("approximate"),
        "value_text": value.get("text"),
        "items": "; ".join(filter(None, (_item_text(i) for i in rec.get("items") or []))),
        "category": rec.get("category"), "reports": rec.get("reports"),
        "documents": " ".join(str(d) for d in rec.get("documents") or []),
        "first_reported": rec.get("first_reported"), "last_reported": rec.get("last_reported"),
        "duplicates": " ".join(str(d.get("external_id")) for d in rec.get("duplicates") or []),
        "disagreements": json.dumps(rec["disagreements"], ensure_ascii=False) if rec.get("disagreements") else None,
        "confidence": rec.get("confidence"),
    }


def _item_text(item: dict[str, Any]) -> str:
    name = item.get("canonical") or item.get("text") or ""
    quantity = item.get("quantity")
    return f"{quantity:g} {name}" if isinstance(quantity, int | float) else name


def evidence_rows(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """One flat row per reporting document of a ledger record (``EVIDENCE_FIELDS``)."""
    rows = []
    for n, entry in enumerate(rec.get("evidence") or [], start=1):
        doc = entry.get("document") or {}
        rows.append({
            "ledger_id": rec.get("ledger_id"), "n": n, "external_id": doc.get("external_id"),
            "document_id": doc.get("id"), "url": doc.get("url"), "source": doc.get("source"),
            "title": doc.get("title"), "published": doc.get("published"), "agency": doc.get("agency"),
            "event_id": entry.get("event_id"), "type": entry.get("type"), "status": entry.get("status"),
            "date": entry.get("date"), "sentence": entry.get("sentence"), "start": entry.get("start"),
            "end": entry.get("end"), "trigger": entry.get("trigger"),
        })
    return rows


def report_evidence_rows(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """A per-report record's evidence sentence (n 0) and its restatements (n 1, 2, ...)."""
    doc, ev = rec.get("document") or {}, rec.get("evidence") or {}
    rows = []
    for n, item in enumerate([ev, *(ev.get("also") or [])]):
        rows.append({"id": rec.get("id"), "n": n, "document_id": doc.get("id"), "external_id": doc.get("external_id"),
                     "sentence": item.get("sentence"), "start": item.get("start"), "end": item.get("end"),
                     "trigger": item.get("trigger")})
    return rows


# ---------------------------------------------------------------------- PLOVER / POLECAT


@lru_cache(maxsize=1)
def _scores() -> dict[str, dict[str, float]]:
    return {k: dict(v) for k, v in load_yaml("plover_scores.yaml")["types"].items()}


def plover_record(rec: dict[str, Any]) -> dict[str, Any]:
    """A per-report or ledger record as a PLOVER/POLECAT-style event."""
    is_ledger = rec.get("record") == "ledger"
    when, location = rec.get("date") or {}, rec.get("location") or {}
    score = _scores().get(rec.get("type") or "", {})
    evidence = (rec.get("evidence") or [{}])[0] if is_ledger else rec.get("evidence") or {}
    doc = evidence.get("document") if is_ledger else rec.get("document")
    doc = doc or {}
    out = {
        "event_id": rec.get("ledger_id") if is_ledger else rec.get("id"),
        "event_date": when.get("start"), "event_date_end": when.get("end"),
        "event_date_precision": when.get("precision"),
        "event_type": rec.get("type"), "event_mode": rec.get("mode") or "",
        "event_context": list(rec.get("context") or []),
        "quad_code": score.get("quad"), "intensity": score.get("score"),
        **_party("actor", rec.get("actor")), **_party("recipient", rec.get("recipient")),
        "placename": location.get("text"), "country": location.get("country"),
        "latitude": location.get("lat"), "longitude": location.get("lon"),
        "source": doc.get("agency") or doc.get("source"), "publication_date": doc.get("published"),
        "url": doc.get("url"), "story_id": doc.get("external_id"), "headline": doc.get("title"),
        "sentence": evidence.get("sentence"), "language": "en", "version": PLOVER_VERSION,
        "aidtrace": {
            "record": rec.get("record"), "status": rec.get("status"), "negated": bool(rec.get("negated")),
            "modality": rec.get("modality"), "value": rec.get("value"), "items": rec.get("items") or [],
            "cameo": rec.get("cameo"), "reports": rec.get("reports") if is_ledger else rec.get("mentions"),
            "ledger_id": rec.get("ledger_id"),
        },
    }
    if is_ledger:
        out["aidtrace"].update({"status_history": rec.get("status_history"), "documents": rec.get("documents"),
                                "first_reported": rec.get("first_reported"),
                                "last_reported": rec.get("last_reported")})
    return out


def _party(role: str, entities: list[dict[str, Any]] | None) -> dict[str, Any]:
    ents = entities or []
    return {f"{role}_name": [e.get("name") or e.get("text") for e in ents],
            f"{role}_country": [e.get("country") for e in ents],
            f"{role}_org": [e.get("org") for e in ents],
            f"{role}_sectors": [list(e.get("sector") or []) for e in ents],
            f"{role}_raw": [e.get("text") for e in ents],
            f"{role}_id": [e.get("id") for e in ents]}


# ---------------------------------------------------------------------- writing


def export(store: Any, output: str, fmt: str = "jsonl", ledger: bool = False) -> ExportResult:
    """Write every current per-report event and claim (or, with ``ledger``, every ledger event).

    Args:
        store: an open ``Store`` (its ledger up to date for ``ledger``).
        output: a file path, or "-" for standard output (not for Parquet).
        fmt: one of ``FORMATS``.
    Raises:
        UsageError: unknown format, Parquet to stdout, or a path that cannot be written.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} — use {', '.join(FORMATS)}")
    if fmt == "parquet" and output == "-":
        raise UsageError("Parquet is binary: write it to a file with -o NAME.parquet")
    records = _records(store, ledger)
    files = [] if output == "-" else [output]
    if fmt in ("jsonl", "plover"):
        lines = (plover_record(r) for r in records if r.get("record") in ("event", "ledger")) \
            if fmt == "plover" else iter(records)
        with _open(output) as out:
            count = sum(out.write(json.dumps(r, ensure_ascii=False) + "\n") > 0 for r in lines)
        return ExportResult(count, files)
    flat, fields, evidence, evidence_fields = _flat_views(records, ledger)
    companion = evidence_path(output) if output != "-" else None
    if fmt == "csv":
        with _open(output) as out:
            count = write_csv(flat, out, fields)
        if companion:
            with _open(companion) as out:
                write_csv(evidence, out, evidence_fields)
    else:
        count = write_parquet(flat, output, fields, [json.dumps(r, ensure_ascii=False) for r in records])
        write_parquet(evidence, str(companion), evidence_fields)
    return ExportResult(count, files + ([str(companion)] if companion else []))


def _records(store: Any, ledger: bool) -> list[dict[str, Any]]:
    if ledger:
        from .ledger import query

        return query(store)
    return list(store.export_records())


def _flat_views(records: list[dict[str, Any]], ledger: bool) -> tuple[list[dict[str, Any]], tuple[str, ...],
                                                                       list[dict[str, Any]], tuple[str, ...]]:
    if ledger:
        return ([flat_ledger(r) for r in records], LEDGER_FIELDS,
                [row for r in records for row in evidence_rows(r)], EVIDENCE_FIELDS)
    return ([flat_record(r) for r in records], CSV_FIELDS,
            [row for r in records for row in report_evidence_rows(r)], REPORT_EVIDENCE_FIELDS)


def evidence_path(output: str) -> Path:
    """Where the evidence file of an export goes: ``out.csv`` -> ``out.evidence.csv``."""
    path = Path(output)
    suffix = path.suffix or ".csv"
    return path.with_name(f"{path.stem if path.suffix else path.name}.evidence{suffix}")


@contextmanager
def _open(path: str | Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise UsageError(f"{path}: cannot write ({error.strerror}) — check the directory exists "
                         "and you may write there") from error
    with fh:
        yield fh


def write_parquet(rows: list[dict[str, Any]], path: str, fields: tuple[str, ...],
                  records: list[str] | None = None) -> int:
    """Write flat rows as a typed Parquet table (plus a ``json`` column of whole records when given)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns: dict[str, Any] = {}
    for name in fields:
        kind = pa.float64() if name in _FLOATS else pa.int64() if name in _INTS else \
            pa.bool_() if name in _BOOLS else pa.string()
        values = [_typed(row.get(name), kind) for row in rows]
        columns[name] = pa.array(values, type=kind)
    if records is not None:
        columns["json"] = pa.array(records, type=pa.string())
    try:
        pq.write_table(pa.table(columns), path)
    except OSError as error:
        raise UsageError(f"{path}: cannot write ({error}) — check the directory exists and you may write there") \
            from error
    return len(rows)


def _typed(value: Any, kind: Any) -> Any:
    import pyarrow as pa

    if value is None:
        return None
    if kind == pa.float64():
        return float(value)
    if kind == pa.int64():
        return int(value)
    if kind == pa.bool_():
        return bool(value)
    return value if isinstance(value, str) else str(value)
