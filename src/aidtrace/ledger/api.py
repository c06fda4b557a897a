"""Reading the ledger: filtered lists, one ledger event, and why its reports were merged.

These are the functions the CLI, the report and the web dashboard call, so every face
shows the same ledger events (with the same near-duplicate copies) for the same filters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import NotFoundError
from ..store import Store


@dataclass(frozen=True)
class LedgerFilter:
    """Which ledger events to read. Codes are country or org codes (DEU, EU); dates ISO.

    ``type`` matches any stage of an event (a halt later resumed is still a SANCTION);
    ``status`` matches the current status; ``since``/``until`` the event's date; ``family``
    the merge family ("aid": aid given, pledged, halted or resumed; see docs/LEDGER.md);
    ``category`` the item category totals group it under ("air defence", "mixed", ...);
    ``q`` a full-text query one of its reports' articles matches (see ``Store.search``).
    """

    type: str | None = None
    actor: str | None = None
    recipient: str | None = None
    status: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    family: str | None = None
    category: str | None = None
    q: str | None = None

    def store_args(self) -> dict[str, Any]:
        """Keyword arguments for ``Store.ledger.records``/``facts`` (which check every value)."""
        args = asdict(self)
        args["statuses"] = tuple(args.pop("status"))
        return args


@dataclass
class Explanation:
    """A ledger event, each of its reports with why it was merged, and uncounted copies."""

    ledger: dict[str, Any]
    reports: list[dict[str, Any]] = field(default_factory=list)
    copies: list[dict[str, Any]] = field(default_factory=list)

    def to_record(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "reports": self.reports, "copies": self.copies}


def query(store: Store, filters: LedgerFilter | None = None, limit: int | None = None,
          newest_first: bool = False, offset: int = 0, order: str | None = None) -> list[dict[str, Any]]:
    """Ledger records matching ``filters``, each with its near-duplicate copies: by date, or in
    ``order`` (a key of ``Store.ledger.ORDERS``, "-" first for descending); ``limit`` records from
    ``offset`` on (the database pages: only those are read)."""
    filters = filters or LedgerFilter()
    records = store.ledger.records(**filters.store_args(), limit=limit, offset=offset, newest_first=newest_first,
                                   order=order)
    return with_copies(store, records)


def page(store: Store, filters: LedgerFilter | None = None, limit: int = 100, offset: int = 0,
         order: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """(``limit`` records of ``query`` from ``offset`` on, with their copies; how many match in all)."""
    records, total = store.ledger.page(limit, offset, order, **(filters or LedgerFilter()).store_args())
    return with_copies(store, records), total


def count(store: Store, filters: LedgerFilter | None = None) -> int:
    """How many ledger events match ``filters``."""
    return store.ledger.count(**(filters or LedgerFilter()).store_args())


def get(store: Store, ref: str) -> dict[str, Any]:
    """One ledger record by ledger id, or the ledger event a per-report event id belongs to.

    Raises:
        NotFoundError: no such ledger event or event.
    """
    ref = ref.strip()
    record = store.ledger.record(ref)
    if record is None:
        owner = store.ledger.ledger_id_of_event(ref)
        record = store.ledger.record(owner) if owner else None
    if record is None:
        raise NotFoundError(f"{ref!r} is neither a ledger id nor an event id of the ledger — list ids with "
                            "`aidtrace ledger --format jsonl` (ledger_id) or `aidtrace events --format jsonl` (id)")
    return with_copies(store, [record])[0]


def explain(store: Store, ref: str) -> Explanation:
    """A ledger event with, for each report, its sentence, stage and the keys that matched."""
    record = get(store, ref)
    members = {m["event_id"]: m for m in store.ledger.members(record["ledger_id"])}
    reports = []
    for entry in record.get("evidence") or []:
        firsts = [{k: entry.get(k) for k in ("event_id", "type", "status", "sentence")}]
        for item in firsts + list(entry.get("also") or []):
            member = members.get(item["event_id"], {})
            stage_no = member.get("stage")
            stages = record.get("status_history") or []
            reports.append({
                "document": entry.get("document"), "event_id": item["event_id"], "type": item.get("type"),
                "status": item.get("status"), "sentence": item.get("sentence"),
                "stage": stages[stage_no]["stage"] if isinstance(stage_no, int) and stage_no < len(stages) else None,
                "how": member.get("how"), "matched": dict(member.get("matched") or {}),
            })
    number = {r["event_id"]: n for n, r in enumerate(reports, start=1)}
    for report in reports:
        against = report["matched"].get("against")
        if against in number:
            ext = (reports[number[against] - 1]["document"] or {}).get("external_id")
            report["matched"]["against"] = f"report {number[against]} ({ext})"
    return Explanation(ledger=record, reports=reports, copies=list(record.get("duplicates") or []))


def with_copies(store: Store, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records with ``duplicates``: near-duplicate copies of their reports (never counted)."""
    doc_ids = {(e.get("document") or {}).get("id") for r in records for e in r.get("evidence") or []}
    copies = store.ledger.near_duplicates(sorted(d for d in doc_ids if d))
    out = []
    for rec in records:
        found = []
        for entry in rec.get("evidence") or []:
            original = entry.get("document") or {}
            for copy in copies.get(original.get("id") or "", []):
                found.append({**copy, "copy_of": original.get("external_id")})
        out.append({**rec, "duplicates": found})
    return out
