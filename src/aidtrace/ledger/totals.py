"""Totals of ledger events: by donor, recipient, period, status, category, type or donor group.

requires: a ``Store`` whose ledger is up to date
assigns:  ``Totals``: one ``Total`` per group, and the overall total

Totals read ledger events only (never claims, never per-report events), so a pledge told by
twelve outlets counts once. Each grouping but ``group`` puts every ledger event in exactly
one row (an event of several donors is the row "DEU+FRA"; ``flow`` is donor>recipient, e.g.
"DEU>UKR"), so rows add up to the overall
total; donor groups overlap (Germany is in the EU, NATO and the G7), so their rows do not.
Every row says how many ledger events it sums and how many of them state no value (or a
value that could not be converted to the chosen currency): a total is never silently
incomplete. By default only ledger events of the ``aid`` family count (aid given,
committed, halted or resumed; see docs/LEDGER.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from ..errors import UsageError
from ..store import Store
from .api import LedgerFilter
from .groups import donor_groups

BY = ("donor", "recipient", "month", "quarter", "year", "status", "category", "type", "group", "flow")
CURRENCIES = ("EUR", "USD")
AID_FAMILY = "aid"
ALL = "all"


@dataclass
class Total:
    """One row of totals."""

    key: str
    label: str
    events: int = 0          # ledger events summed
    with_value: int = 0      # of which state a value converted to the currency
    without_value: int = 0   # of which state no value
    unconverted: int = 0     # of which state a value with no conversion to the currency
    total: float = 0.0
    currency: str = "EUR"
    ledger_ids: list[str] = field(default_factory=list)

    def add(self, fact: dict[str, Any], amount: float | None) -> None:
        self.events += 1
        self.ledger_ids.append(fact["id"])
        if amount is not None:
            self.with_value += 1
            self.total += amount
        elif fact["stated"]:
            self.unconverted += 1
        else:
            self.without_value += 1

    def to_record(self, by: str) -> dict[str, Any]:
        return {"record": "total", "by": by, **{k: v for k, v in asdict(self).items() if k != "ledger_ids"},
                "total": round(self.total, 2), "ledger_ids": list(self.ledger_ids)}


@dataclass
class Totals:
    """Totals of one grouping, with the overall total and the filters that made them."""

    by: str
    currency: str
    rows: list[Total]
    overall: Total
    filters: dict[str, Any]
    overlapping: bool = False  # rows may share events (donor groups): they do not add up

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON record per row, then the overall row (key "all")."""
        return [r.to_record(self.by) for r in self.rows] + [self.overall.to_record(self.by)]


def totals(store: Store, by: str = "donor", filters: LedgerFilter | None = None, currency: str = "EUR",
           types: Sequence[str] | None = None, family: str | None = AID_FAMILY) -> Totals:
    """Sum the stated values of ledger events, grouped.

    Args:
        by: one of ``BY``.
        filters: which ledger events (actor, recipient, status, since, until; ``type`` any stage).
        currency: EUR or USD (values converted at each event's date by the coder).
        types: only ledger events whose current type is one of these (default: any).
        family: only this merge family (default "aid"; None: every ledger event).
    Raises:
        UsageError: unknown grouping, currency, status or code.
    """
    return totals_many(store, (by,), filters, currency, types, family)[by]


def totals_many(store: Store, bys: Sequence[str], filters: LedgerFilter | None = None, currency: str = "EUR",
                types: Sequence[str] | None = None, family: str | None = AID_FAMILY,
                statuses: Sequence[Sequence[str]] = ()) -> dict[Any, Totals]:
    """``totals`` of several groupings over one read of the ledger (the overview's figures).

    ``statuses``: also, for each tuple of statuses, the totals by ``bys[0]`` of the events whose
    current status is one of them, keyed by that tuple (what ``totals`` gives with
    ``filters.status`` set to it).
    """
    for by in bys:
        if by not in BY:
            raise UsageError(f"cannot total by {by!r} — use one of {', '.join(BY)}")
    currency = currency.upper()
    if currency not in CURRENCIES:
        raise UsageError(f"currency {currency!r} is not supported — use EUR or USD")
    filters = filters or LedgerFilter()
    args = filters.store_args()
    args["family"] = args.get("family") or family
    facts = store.ledger.facts(**args, types=[t.upper() for t in types or ()])
    described = {k: v for k, v in {**asdict(filters), "types": list(types or ()), "family": args["family"]}.items()
                 if v not in (None, (), [])}
    out: dict[Any, Totals] = {by: _grouped(facts, by, currency, described) for by in bys}
    for wanted in statuses:
        chosen = set(wanted)
        out[tuple(wanted)] = _grouped([f for f in facts if f["status"] in chosen], bys[0], currency,
                                      {**described, "status": tuple(wanted)})
    return out


def _grouped(facts: list[dict[str, Any]], by: str, currency: str, described: dict[str, Any]) -> Totals:
    column = "value_eur" if currency == "EUR" else "value_usd"
    overall = Total(ALL, "all ledger events", currency=currency)
    rows: dict[str, Total] = {}
    for fact in facts:
        amount = fact[column]
        overall.add(fact, amount)
        for key, label in _keys(by, fact):
            rows.setdefault(key, Total(key, label, currency=currency)).add(fact, amount)
    ordered = sorted(rows.values(), key=_order(by))
    return Totals(by, currency, ordered, overall, described, overlapping=by == "group")


def _order(by: str) -> Callable[[Total], Any]:
    if by in ("month", "quarter", "year"):
        return lambda t: t.key
    return lambda t: (-t.total, -t.events, t.key)


def _codes(padded: str | None) -> tuple[str, ...]:
    return tuple(sorted((padded or "").split()))


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _keys(by: str, fact: dict[str, Any]) -> list[tuple[str, str]]:
    """The row(s) a ledger event counts in: one, except for overlapping donor groups."""
    if by in ("donor", "recipient"):
        return [_party(fact["actor_codes" if by == "donor" else "recipient_codes"])]
    if by == "flow":
        (donor, donors), (recipient, recipients) = _party(fact["actor_codes"]), _party(fact["recipient_codes"])
        return [(f"{donor}>{recipient}", f"{donors} → {recipients}")]
    if by in ("month", "quarter", "year"):
        return [_period(by, fact)]
    if by == "group":
        when = _day(fact["date_start"])
        codes = _codes(fact["actor_codes"])
        return [(g.code, g.name) for g in donor_groups() if g.holds(codes, when)]
    value = fact[by] or ("unspecified" if by == "category" else "none")
    return [(value, value)]


@lru_cache(maxsize=4096)  # a few hundred distinct parties, summed over for every event
def _party(padded: str | None) -> tuple[str, str]:
    """Row key and label of an event's donors or recipients: ("DEU+FRA", "Germany + France")."""
    codes = _codes(padded)
    return "+".join(codes) or "unknown", " + ".join(country_name(c) for c in codes) or "not identified"


def _period(by: str, fact: dict[str, Any]) -> tuple[str, str]:
    return _period_of(by, fact["date_start"], fact["date_precision"], fact["date_end"])


@lru_cache(maxsize=65536)
def _period_of(by: str, start: str | None, precision: str | None, end: str | None) -> tuple[str, str]:
    start = start or ""
    if not start:
        return "undated", "undated"
    year = start[:4]
    if by == "year":
        return year, year
    if precision == "year" or (precision == "range" and (end or "")[:4] != year):
        return f"{year} (no {by})", f"{year}, {by} not stated"
    if by == "month":
        return start[:7], start[:7]
    quarter = f"{year}-Q{(int(start[5:7]) - 1) // 3 + 1}"
    return quarter, quarter


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    """A readable name for a country code ("DEU" -> "Germany"); org codes stay as they are."""
    if len(code) != 3:
        return code
    import pycountry

    country = pycountry.countries.get(alpha_3=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code
