"""A merged cluster of reports as one ledger record: best attributes, history, evidence.

requires: ``merge.Cluster`` objects
assigns:  ledger records (the ``aidtrace ledger --format jsonl`` lines) and the rows the
          store keeps for each ledger event, its members and their blocking keys

Best attributes: the most precise date of the first stage; the value stated for the first
stage that states one (unhedged before "about ..."); the most specific status of the
latest stage. Where reports disagree (dates, amounts, quantities) every variant is kept in
``disagreements`` with the documents that say it; nothing is averaged.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..model import CONTRACT_VERSION, stable_id
from .merge import Cluster, Stage, date_text
from .reports import Report
from .rules import Rules

LEDGER_RECORD = "ledger"


@dataclass
class LedgerRows:
    """What the store keeps for one ledger event."""

    event: dict[str, Any]
    members: list[dict[str, Any]]
    keys: list[dict[str, Any]]


def ledger_id(founder: Report) -> str:
    """A ledger event's id, derived from its founding report (its earliest in canonical order)."""
    return "L" + stable_id("ledger", founder.event_id, length=11)


def ledger_rows(cluster: Cluster, component: str, rules: Rules) -> LedgerRows:
    """The ledger record of a cluster and the rows that store it."""
    rec = ledger_record(cluster, rules)
    lid = rec["ledger_id"]
    value = rec["value"] or {}
    event = {
        "id": lid, "component": component, "family": rec["family"], "type": rec["type"],
        "types": _padded(rec["types"]), "mode": rec["mode"], "status": rec["status"],
        "date_start": rec["date"].get("start"), "date_end": rec["date"].get("end"),
        "date_precision": rec["date"].get("precision"), "actor_codes": _padded(_entity_codes(rec["actor"])),
        "recipient_codes": _padded(_entity_codes(rec["recipient"])), "category": rec["category"],
        "value_eur": value.get("eur"), "value_usd": value.get("usd"), "stated": bool(value),
        "reports": rec["reports"], "first_reported": rec["first_reported"],
        "last_reported": rec["last_reported"], "record": rec,
    }
    position = {id(stage): i for i, stage in enumerate(cluster.stages)}
    members = [{"event_id": m.report.event_id, "ledger_id": lid, "component": component,
                "document_id": m.report.document_id, "stage": position[id(m.stage)], "how": m.how,
                "matched": m.matched}
               for m in cluster.members]
    keys = [{"key": key, "lo": m.report.lo, "hi": m.report.hi, "reach": window,
             "event_id": m.report.event_id, "component": component}
            for m in cluster.members for key, window in m.report.keys]
    return LedgerRows(event, members, keys)


def _padded(codes: list[str]) -> str:
    return f" {' '.join(codes)} " if codes else ""


def _entity_codes(entities: list[dict[str, Any]]) -> list[str]:
    return [(e.get("country") or e.get("org") or "").upper() for e in entities
            if e.get("country") or e.get("org")]


def ledger_record(cluster: Cluster, rules: Rules) -> dict[str, Any]:
    """The JSON record of one ledger event (fields documented in docs/LEDGER.md)."""
    reports = [m.report for m in cluster.members]
    current = _current(cluster.last, rules)
    first = cluster.stages[0]
    assert first.best_date is not None
    by_document = _by_document(cluster)
    published = sorted(p for p in (_published(r) for r in reports) if p)
    return {
        "record": LEDGER_RECORD, "contract": CONTRACT_VERSION, "ledger_id": ledger_id(cluster.founder),
        "family": cluster.family, "type": current.type, "mode": current.mode, "types": sorted({r.type for r in reports}),
        "context": _ranked(c for r in reports for c in r.record.get("context") or []),
        "cameo": current.record.get("cameo"),
        "actor": _entities(reports, "actor"), "recipient": _entities(reports, "recipient"),
        "status": current.status, "modality": current.modality,
        "status_history": [_stage_record(s, rules) for s in cluster.stages],
        "date": dict(first.best_date.record.get("date") or {}),
        "value": _best_value(cluster), "items": _items(reports),
        "category": _category(reports, rules),
        "reports": len(by_document), "documents": [_doc(rs[0]).get("external_id") for rs in by_document],
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
        "evidence": [_evidence(rs) for rs in by_document],
        "events": [r.event_id for r in reports],
        "disagreements": _disagreements(cluster, by_document),
        "confidence": max(float(r.record.get("confidence") or 0) for r in reports),
    }


def _current(stage: Stage, rules: Rules) -> Report:
    """The report of a stage with its most specific status (the earliest on ties)."""
    best = stage.reports[0]
    for rep in stage.reports[1:]:
        if rules.specificity.get(rep.status or "", -1) > rules.specificity.get(best.status or "", -1):
            best = rep
    return best


def _doc(rep: Report) -> dict[str, Any]:
    return rep.record.get("document") or {}


def _published(rep: Report) -> str | None:
    return _doc(rep).get("published")


def _by_document(cluster: Cluster) -> list[list[Report]]:
    """Member reports grouped by document, documents in order of publication then id."""
    groups: dict[str, list[Report]] = {}
    for member in cluster.members:
        groups.setdefault(member.report.document_id, []).append(member.report)
    return sorted(groups.values(), key=lambda rs: (_published(rs[0]) or "9999", rs[0].document_id))


def _ranked(values: Any) -> list[str]:
    counts = Counter(values)
    return sorted(counts, key=lambda v: (-counts[v], v))


def _entities(reports: list[Report], role: str) -> list[dict[str, Any]]:
    """One entity per distinct code, most often named first; the first report's wording."""
    seen: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    for rep in reports:
        for ent in rep.record.get(role) or []:
            code = (ent.get("country") or ent.get("org") or "").upper()
            if not code:
                continue
            counts[code] += 1
            if code not in seen or (seen[code].get("name") is None and ent.get("name")):
                seen[code] = ent
    return [seen[c] for c in sorted(seen, key=lambda c: (-counts[c], list(seen).index(c)))]


def _stage_record(stage: Stage, rules: Rules) -> dict[str, Any]:
    current = _current(stage, rules)
    assert stage.best_date is not None
    docs = sorted({(_published(r) or "9999", r.document_id, _doc(r).get("external_id")) for r in stage.reports})
    published = [p for p, _, _ in docs if p != "9999"]
    return {
        "stage": stage.name, "status": current.status,
        "statuses": sorted({r.status for r in stage.reports if r.status},
                           key=lambda s: rules.specificity.get(s, -1)),
        "type": current.type, "mode": current.mode,
        "date": dict(stage.best_date.record.get("date") or {}),
        "value": stage.best_value.record.get("value") if stage.best_value else None,
        "reports": len(stage.documents), "documents": [ext for _, _, ext in docs],
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
    }


def _best_value(cluster: Cluster) -> dict[str, Any] | None:
    for stage in cluster.stages:
        if stage.best_value is not None:
            return dict(stage.best_value.record.get("value") or {})
    return None


def _items(reports: list[Report]) -> list[dict[str, Any]]:
    """Items by canonical name, first wording kept; quantity: the one most reports give."""
    merged: dict[str, dict[str, Any]] = {}
    quantities: dict[str, Counter[float]] = {}
    for rep in reports:
        for item in rep.record.get("items") or []:
            key = item.get("canonical") or item.get("text") or ""
            merged.setdefault(key, dict(item))
            if isinstance(item.get("quantity"), int | float):
                quantities.setdefault(key, Counter())[float(item["quantity"])] += 1
    for key, counts in quantities.items():
        merged[key]["quantity"] = sorted(counts, key=lambda q: (-counts[q], q))[0]
    return list(merged.values())


def _category(reports: list[Report], rules: Rules) -> str:
    """The item category totals group the event under: one category, "mixed" or "unspecified"."""
    cats = {i.category for r in reports for i in r.items if i.category} - rules.generic_categories
    if len(cats) == 1:
        return next(iter(cats))
    return "mixed" if cats else "unspecified"


def _informative(rep: Report) -> tuple[int, int, int, tuple[int, int, str, int, str]]:
    """Sort key putting a document's most telling report first: a value, named systems, a date."""
    return (rep.value is None, -len(rep.named_items), not rep.explicit, rep.order)


def _evidence(reports: list[Report]) -> dict[str, Any]:
    """One evidence entry per reporting document: its most telling report, others as ``also``."""
    ranked = sorted(reports, key=_informative)
    first, rest = ranked[0], ranked[1:]
    ev = first.record.get("evidence") or {}
    entry = {"document": _doc(first), "event_id": first.event_id, "type": first.type, "status": first.status,
             "date": date_text(first), "sentence": ev.get("sentence"), "start": ev.get("start"),
             "end": ev.get("end"), "trigger": ev.get("trigger")}
    if rest:
        entry["also"] = [{"event_id": r.event_id, "type": r.type, "status": r.status,
                          "sentence": (r.record.get("evidence") or {}).get("sentence")} for r in rest]
    return entry


def _disagreements(cluster: Cluster, by_document: list[list[Report]]) -> dict[str, Any]:
    """Attributes the reports of one stage state differently, each variant with its documents."""
    found: dict[str, Any] = {}
    for stage in cluster.stages:
        for name, variants in (("date", _variants(stage, _explicit_date)), ("value", _variants(stage, _value_key)),
                               ("status", _variants(stage, lambda r: r.status))):
            if len(variants) > 1:
                found.setdefault(name, []).append({"stage": stage.name, "variants": variants})
    quantities = _quantity_variants([r for rs in by_document for r in rs])
    if quantities:
        found["quantity"] = quantities
    return found


def _explicit_date(rep: Report) -> str | None:
    return date_text(rep) if rep.explicit else None


def _value_key(rep: Report) -> str | None:
    return rep.value.label() if rep.value else None


def _variants(stage: Stage, key: Any) -> list[dict[str, Any]]:
    seen: dict[str, list[str]] = {}
    for rep in stage.reports:
        value = key(rep)
        if value is not None:
            ext = str(_doc(rep).get("external_id"))
            docs = seen.setdefault(value, [])
            if ext not in docs:
                docs.append(ext)
    return [{"value": v, "documents": d} for v, d in seen.items()]


def _quantity_variants(reports: list[Report]) -> list[dict[str, Any]]:
    per_item: dict[str, dict[float, list[str]]] = {}
    for rep in reports:
        for item in rep.items:
            if item.quantity is not None:
                docs = per_item.setdefault(item.canonical, {}).setdefault(item.quantity, [])
                ext = str(_doc(rep).get("external_id"))
                if ext not in docs:
                    docs.append(ext)
    return [{"item": name, "variants": [{"value": q, "documents": d} for q, d in sorted(qs.items())]}
            for name, qs in sorted(per_item.items()) if len(qs) > 1]
