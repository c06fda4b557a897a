"""Builders for ledger tests: documents and per-report events made with the real data model."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from aidtrace.ledger.reports import Report, report_from_record
from aidtrace.ledger.rules import load_rules
from aidtrace.model import DateSpan, Document, Entity, Event, Evidence, Item, Money, Role

ENTITIES = {
    code: Entity(id=code, name=name, country=code if len(code) == 3 else None,
                 org=None if len(code) == 3 else code, sector=["GOV"], kind="state")
    for code, name in [("NOR", "Norway"), ("UKR", "Ukraine"), ("SWE", "Sweden"), ("USA", "United States"),
                       ("DEU", "Germany"), ("GBR", "United Kingdom"), ("FRA", "France"), ("POL", "Poland"),
                       ("CAN", "Canada"), ("JPN", "Japan"), ("EU", "European Union"), ("NATO", "NATO")]
}
CATEGORY = {"NASAMS": "air defence", "CV90": "armour", "Patriot": "air defence", "Leopard 2": "armour",
            "drone": "drones", "missile": "missiles", "IRIS-T": "air defence", "equipment": "other"}
# EUR and USD per unit of each currency used in tests (fixed, so sums are easy to check by hand)
RATES = {"EUR": (1.0, 1.1), "NOK": (0.085, 0.0935), "USD": (0.9, 1.0), "GBP": (1.2, 1.32)}


def document(name: str, published: str, outlet: str = "NTB", text: str | None = None) -> Document:
    """A cleaned document; its id derives from its name, so tests can refer to it."""
    body = text or f"{name}: a report by {outlet}."
    digest = hashlib.sha256(body.encode()).hexdigest()
    return Document(id=hashlib.sha256((name + (text or "")).encode()).hexdigest()[:16], external_id=name, source=f"/in/{name}",
                    raw_text=body, text=body, content_hash=digest, url=f"https://news.example/{name}",
                    title=f"title of {name}", published=date.fromisoformat(published), published_precision="day",
                    agency=outlet, outlet=outlet)


def event(doc: Document, kind: str = "AID", status: str | None = "approved", actor: tuple[str, ...] = ("NOR",),
          recipient: tuple[str, ...] = ("UKR",), when: str | None = "2025-09-02", precision: str = "day",
          amount: float | None = None, currency: str = "NOK", approximate: bool = False,
          items: tuple[tuple[str, float | None], ...] = (("NASAMS", 2),), mode: str | None = None,
          start: int = 0, trigger: str = "approved", sentence: str | None = None, negated: bool = False,
          modality: str = "asserted", end: str | None = None) -> Event:
    """A per-report event; ``when`` None means dated by publication (no date words)."""
    if when is None:
        span = DateSpan(doc.published.isoformat() if doc.published else None,
                        doc.published.isoformat() if doc.published else None, "day", None)
    else:
        span = DateSpan(when, end or _end(when, precision), precision, when)
    value = None
    if amount is not None:
        eur, usd = RATES.get(currency, (None, None))
        value = Money(amount, currency, f"{amount:g} {currency}", approximate=approximate,
                      eur=amount * eur if eur is not None else None, usd=amount * usd if usd is not None else None)
    text = sentence or f"{' and '.join(actor)} {trigger} {kind} for {' and '.join(recipient)} ({doc.external_id})."
    return Event(document_id=doc.id, type=kind, mode=mode, status=status, negated=negated,
                 modality=modality,  # type: ignore[arg-type]
                 evidence=Evidence(text, start, start + len(text), trigger), context=["military"],
                 actor=[Role(ENTITIES[c].name or c, ENTITIES[c]) for c in actor],
                 recipient=[Role(ENTITIES[c].name or c, ENTITIES[c]) for c in recipient],
                 date=span, value=value,
                 items=[Item(name, CATEGORY.get(name), name, qty) for name, qty in items], confidence=0.8)


def _end(start: str, precision: str) -> str:
    if precision == "month":
        year, month = int(start[:4]), int(start[5:7])
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1).isoformat()
    if precision == "year":
        return f"{start[:4]}-12-31"
    return start


def record(doc: Document, **kwargs: Any) -> dict[str, Any]:
    return event(doc, **kwargs).to_record(doc)


def report(doc: Document, **kwargs: Any) -> Report:
    return report_from_record(record(doc, **kwargs), load_rules())
