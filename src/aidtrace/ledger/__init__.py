"""The ledger: one row per real-world pledge, delivery, halt or deal across all reports.

Library API (the CLI, the HTML report and the web dashboard all call these):

- ``update(store)`` / ``rebuild(store)``: merge queued documents' events / everything
- ``query(store, LedgerFilter(...))``: ledger records; ``get(store, id)``; ``explain(store, id)``

The merge model (stages, progressions, keys) is described in docs/LEDGER.md.
"""

from .api import Explanation, LedgerFilter, explain, get, query, with_copies
from .build import LedgerUpdate, rebuild, update

__all__ = ["Explanation", "LedgerFilter", "LedgerUpdate", "explain", "get", "query", "rebuild", "update",
           "with_copies"]
