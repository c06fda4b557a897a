"""The ledger: one row per real-world pledge, delivery, halt or deal across all reports.

Library API (the CLI, the HTML report and the web dashboard all call these):

- ``update(store)`` / ``rebuild(store)``: merge queued documents' events / everything
- ``query(store, LedgerFilter(...))``: ledger records (``count`` them); ``get(store, id)``; ``explain(store, id)``
- ``totals(store, by="donor", filters=LedgerFilter(...), currency="EUR")``: sums of ledger events

The merge model (stages, progressions, keys) is described in docs/LEDGER.md.
"""

from .api import Explanation, LedgerFilter, count, explain, get, page, query, with_copies
from .build import LedgerUpdate, rebuild, update
from .groups import DonorGroup, donor_groups
from .totals import BY, CURRENCIES, Total, Totals, totals

__all__ = ["BY", "CURRENCIES", "DonorGroup", "Explanation", "LedgerFilter", "LedgerUpdate", "Total", "Totals",
           "count", "donor_groups", "explain", "get", "page", "query", "rebuild", "totals", "update", "with_copies"]
