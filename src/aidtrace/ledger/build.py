"""Bring the stored ledger up to date: incrementally after each analysis, or from scratch.

requires: a ``Store`` whose ``ledger_queue`` names the documents whose events changed
assigns:  the ledger tables (ledger events, members, blocking keys), component by component

``update`` re-merges only the components a change touches: those holding an earlier event
of a queued document, and those sharing a blocking key (within its window) with one of the
queued documents' current events. Components are closed under the merge relation, so the
result is exactly what ``rebuild`` gives from all stored events (tests check both agree).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..runtime import gc_paused
from ..store import Store
from .merge import cluster_reports, component_id, components
from .reports import Report, report_from_record
from .rules import Rules, load_rules
from .summary import LedgerRows, ledger_rows


@dataclass
class LedgerUpdate:
    """What one ledger update did."""

    documents: int = 0      # queued documents processed
    reports: int = 0        # per-report events re-merged
    components: int = 0     # components replaced
    ledger_events: int = 0  # ledger events written


# Pause Python's cyclic garbage collector while the merge allocates its many small objects (none
# of which form cycles): its full collections would rescan them all again and again.
without_gc = gc_paused


def merge_reports(reports: Iterable[Report], rules: Rules) -> list[LedgerRows]:
    """Ledger rows of a set of reports made of whole components."""
    rows: list[LedgerRows] = []
    with without_gc():
        for group in components(list(reports)):
            cid = component_id(group)
            rows.extend(ledger_rows(cluster, cid, rules) for cluster in cluster_reports(group, rules))
    return rows


def update(store: Store, rules: Rules | None = None) -> LedgerUpdate:
    """Merge the events of queued documents into the ledger (no full rebuild)."""
    rules = rules or load_rules()
    upto, queued = store.ledger.queue()
    if not queued:
        return LedgerUpdate()
    with without_gc():
        fresh = [report_from_record(rec, rules) for rec in store.ledger.records_of_documents(queued)]
        touched = store.ledger.components_of_documents(queued)
        touched |= store.ledger.neighbour_components((key, r.lo, r.hi) for r in fresh for key, _ in r.keys)
        skip = set(queued)
        kept = [report_from_record(rec, rules) for rec in store.ledger.records_of_components(touched)
                if (rec.get("document") or {}).get("id") not in skip]
        rows = merge_reports(fresh + kept, rules)
    _write(store, touched, rows, upto)
    return LedgerUpdate(documents=len(queued), reports=len(fresh) + len(kept), components=len(touched),
                        ledger_events=len(rows))


def rebuild(store: Store, rules: Rules | None = None) -> LedgerUpdate:
    """Rebuild the whole ledger from every stored current event."""
    rules = rules or load_rules()
    upto, queued = store.ledger.queue()
    with without_gc():
        reports = [report_from_record(rec, rules) for rec in store.ledger.all_records()]
        rows = merge_reports(reports, rules)
    _write(store, None, rows, upto)
    return LedgerUpdate(documents=len(queued), reports=len(reports),
                        components=len({r.event["component"] for r in rows}), ledger_events=len(rows))


def _write(store: Store, touched: set[str] | None, rows: list[LedgerRows], upto: int) -> None:
    store.ledger.replace(touched, [r.event for r in rows], [m for r in rows for m in r.members],
                         [k for r in rows for k in r.keys], upto)
