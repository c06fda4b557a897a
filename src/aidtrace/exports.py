"""Flat views of per-report and ledger records: CSV rows, evidence rows, safe cells.

CSV and Parquet are flat: one row per event (lists joined, objects spread) plus, for the
ledger, one evidence row per reporting document. Cells are made safe for spreadsheets:
text starting with ``= + - @`` (or a tab/carriage return) is prefixed with ``'`` so
that article text can never run as a formula.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

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


TOTAL_FIELDS = ("by", "key", "label", "currency", "total", "events", "with_value", "without_value", "unconverted")


def safe_cell(value: Any) -> Any:
    """A CSV cell that spreadsheets show as text: formula-like strings get a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO, fields: tuple[str, ...]) -> int:
    """Write flat rows as CSV with safe cells; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
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
