"""Per-report events as the merge sees them: codes, a day interval, stage, family and keys.

requires: CONTRACT.md event records (as stored) and the merge ``Rules``
assigns:  ``Report`` objects with their blocking keys

A report's date is a closed interval of days (proleptic ordinals): a day date is that day,
a month or year date the whole month or year, an event dated only by its publication
(``date.text`` null) any day of the reporting lag before publication. Intervals longer than
``longest_interval`` are cut to it, so no report spans years of the blocking windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .rules import EVENT_STAGE, Rules

PUBLISHED = "published"  # precision of a date taken from the publication date
UNDATED = "none"


@dataclass(frozen=True)
class Value:
    """A stated money value, as the merge compares it."""

    amount: float
    currency: str
    eur: float | None
    usd: float | None
    approximate: bool
    amount_max: float | None = None
    text: str | None = None

    def label(self) -> str:
        """Compact text: "1.9e+09 EUR"."""
        return f"{self.amount:.4g} {self.currency}"


@dataclass(frozen=True)
class ItemRef:
    canonical: str
    category: str | None
    quantity: float | None
    named: bool


@dataclass(eq=False)
class Report:
    """One stored per-report event, reduced to what merging needs (plus its full record)."""

    event_id: str
    document_id: str
    published: int  # ordinal day of the reporting document's publication, 0 if unknown
    position: int   # character offset of the evidence in its document
    type: str
    mode: str | None
    status: str | None
    modality: str
    family: str
    stage: str
    actors: tuple[str, ...]
    recipients: tuple[str, ...]
    lo: int
    hi: int
    precision: str
    value: Value | None
    items: tuple[ItemRef, ...]
    record: dict[str, Any]
    pairs: frozenset[str] = frozenset()
    keys: tuple[tuple[str, int], ...] = ()  # (blocking key, window in days)
    named_items: frozenset[str] = frozenset()  # canonical names of the named systems among its items

    @property
    def order(self) -> tuple[int, int, str, int, str]:
        """The canonical processing order: event date, publication, document, position, id."""
        return (self.lo, self.published, self.document_id, self.position, self.event_id)

    @property
    def explicit(self) -> bool:
        """The date came from the text, not from the publication date."""
        return self.precision not in (PUBLISHED, UNDATED)


@dataclass
class ReportSource:
    """Extra facts about an event's document that its record does not carry."""

    document_id: str
    published: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def codes(entities: list[dict[str, Any]] | None) -> tuple[str, ...]:
    """Distinct country-or-org codes of entities, in order ("USA", "EU", ...)."""
    found: list[str] = []
    for ent in entities or []:
        code = (ent.get("country") or ent.get("org") or "").upper()
        if code and code not in found:
            found.append(code)
    return tuple(found)


def report_from_record(rec: dict[str, Any], rules: Rules) -> Report:
    """A ``Report`` with its family, stage, interval and blocking keys."""
    doc = rec.get("document") or {}
    published = _ordinal(doc.get("published"))
    lo, hi, precision = _interval(rec.get("date") or {}, published, rules)
    items = tuple(_item(i, rules) for i in rec.get("items") or [] if i.get("canonical") or i.get("category"))
    value = _value(rec.get("value"))
    rep = Report(
        event_id=rec["id"], document_id=doc.get("id") or "", published=published,
        position=int((rec.get("evidence") or {}).get("start") or 0), type=rec["type"], mode=rec.get("mode"),
        status=rec.get("status"), modality=rec.get("modality") or "asserted", family="", stage=rules.stage(rec.get("status")),
        actors=codes(rec.get("actor")), recipients=codes(rec.get("recipient")), lo=lo, hi=hi,
        precision=precision, value=value, items=items, record=rec)
    rep.named_items = frozenset(i.canonical for i in items if i.named)
    rep.family = family(rep, rules)
    rep.pairs = pair_keys(rep.actors, rep.recipients)
    rep.keys = blocking_keys(rep, rules)
    return rep


def _ordinal(iso: str | None) -> int:
    if not iso:
        return 0
    try:
        return date.fromisoformat(iso[:10]).toordinal()
    except ValueError:
        return 0


def _interval(when: dict[str, Any], published: int, rules: Rules) -> tuple[int, int, str]:
    start, end = _ordinal(when.get("start")), _ordinal(when.get("end") or when.get("start"))
    if not start:
        if published:
            return published - rules.reporting_lag, published, PUBLISHED
        return 0, 0, UNDATED
    if when.get("text") is None:  # the coder fell back to the publication date
        return start - rules.reporting_lag, start, PUBLISHED
    end = max(start, min(end or start, start + rules.longest_interval))
    return start, end, when.get("precision") or "day"


def _item(rec: dict[str, Any], rules: Rules) -> ItemRef:
    canonical = rec.get("canonical") or rec.get("text") or ""
    quantity = rec.get("quantity")
    return ItemRef(canonical=canonical, category=rec.get("category"),
                   quantity=float(quantity) if isinstance(quantity, int | float) else None,
                   named=canonical in rules.named_items)


def _value(rec: dict[str, Any] | None) -> Value | None:
    if not rec or not isinstance(rec.get("amount"), int | float) or not rec.get("currency"):
        return None
    return Value(amount=float(rec["amount"]), currency=str(rec["currency"]), eur=_float(rec.get("eur")),
                 usd=_float(rec.get("usd")), approximate=bool(rec.get("approximate")),
                 amount_max=_float(rec.get("amount_max")), text=rec.get("text"))


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------- families and keys


def family(rep: Report, rules: Rules) -> str:
    """The merge family: the first matching rule of ``ledger.yaml``, else "TYPE:mode"."""
    for rule in rules.family_rules:
        if rule.type != rep.type or (rule.mode is not None and rule.mode != rep.mode):
            continue
        if rule.stages is not None and rep.stage not in rule.stages:
            continue
        if rule.directed and not rep.recipients:
            continue
        if rule.requires_any and not any(_has(rep, need) for need in rule.requires_any):
            continue
        return rule.family
    return f"{rep.type}:{rep.mode or ''}"


def _has(rep: Report, need: str) -> bool:
    if need == "military":
        return "military" in (rep.record.get("context") or [])
    if need == "items":
        return bool(rep.items)
    if need == "value":
        return rep.value is not None
    raise ValueError(f"unknown requirement {need!r} in ledger.yaml (use military, items or value)")


def pair_keys(actors: tuple[str, ...], recipients: tuple[str, ...]) -> frozenset[str]:
    """Ordered actor>recipient pairs; an event with no recipient pairs its parties both ways."""
    if recipients:
        return frozenset(f"{a}>{r}" for a in actors for r in recipients if a != r)
    if len(actors) == 1:
        return frozenset({f"{actors[0]}>-"})
    return frozenset(f"{a}>{b}" for a in actors for b in actors if a != b)


def blocking_keys(rep: Report, rules: Rules) -> tuple[tuple[str, int], ...]:
    """Keys a report shares with every report it may merge with, each with its window in days.

    Restatement keys name family, stage and party pair; progression keys (families that
    progress) add an anchor: a named system, a value bucket, or "*" for steps without one.
    """
    if not rep.pairs:
        return ()
    keys = [(f"r|{rep.family}|{rep.stage}|{pair}", rules.restatement_window) for pair in sorted(rep.pairs)]
    if rep.family in rules.progress_families and rep.stage != EVENT_STAGE:
        horizon = rules.longest_horizon
        for anchor in sorted(anchors(rep, rules)):
            keys.extend((f"p|{rep.family}|{pair}|{anchor}", horizon) for pair in sorted(rep.pairs))
    return tuple(keys)


def anchors(rep: Report, rules: Rules) -> set[str]:
    """What ties a report to earlier stages of its act: named systems, value buckets, "*"."""
    found = {f"i:{name}" for name in rep.named_items}
    if rep.value is not None:
        found |= value_buckets(rep.value, rules)
    if any(not p.anchor and rep.stage in (p.source, p.target) for p in rules.progressions):
        found.add("*")
    return found


def value_buckets(value: Value, rules: Rules) -> set[str]:
    """Two log-scale buckets per currency, so agreeing amounts always share one."""
    base = math.log(rules.value_bucket_base)
    found = set()
    for currency, amount in ((value.currency, value.amount), ("EUR", value.eur)):
        if amount is not None and amount > 0:
            bucket = math.floor(math.log(amount) / base)
            found |= {f"v:{currency}:{bucket}", f"v:{currency}:{bucket + 1}"}
    return found
