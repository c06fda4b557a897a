"""The aidtrace data model: plain dataclasses that every stage takes and returns.

Offsets (``start``/``end``) are always character offsets into ``Document.text`` (the
cleaned text), never into the raw text, which is kept untouched beside it.
Export field names follow ../shared/CONTRACT.md; ``to_record`` methods build them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

CONTRACT_VERSION = 1

Precision = Literal["day", "month", "year", "range"]
Modality = Literal["asserted", "future", "hypothetical", "historical"]

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
STATUSES = (
    "announced", "planned", "proposed", "pledged", "approved", "delivered", "ongoing",
    "halted", "resumed", "cancelled", "requested", "denied", "completed",
)


def stable_id(*parts: object, length: int = 16) -> str:
    """A short content-derived id: the same inputs always give the same id."""
    joined = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:length]


# --------------------------------------------------------------------------- input


@dataclass
class RawRecord:
    """One article as a reader found it, before cleaning.

    ``line`` is the 1-based line (JSONL/CSV row) or None for whole files.
    ``published`` is whatever the input said (ISO string or None); cleaning parses it.
    """

    source: str
    text: str
    line: int | None = None
    external_id: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    format: str = "text"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Rejection:
    """An input that could not be read: where, why, and what the user should do."""

    source: str
    reason: str
    hint: str
    line: int | None = None

    def message(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason} — {self.hint}"


@dataclass
class Notice:
    """Something a reader or the cleaner changed or dropped that the user should know about
    (text decoded with replacements, a date that could not be read); the record is kept."""

    source: str
    message: str
    line: int | None = None

    def text(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass
class Document:
    """A cleaned article with its metadata. ``raw_text`` is never modified."""

    id: str
    external_id: str
    source: str
    raw_text: str
    text: str
    content_hash: str
    url: str | None = None
    title: str | None = None
    published: date | None = None
    published_precision: Precision | None = None
    agency: str | None = None
    dateline_place: str | None = None
    outlet: str | None = None
    format: str = "text"
    version: int = 1
    duplicate_of: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # spans of the cleaned text that are page furniture kept for context (none by default);
    # the coder never grounds an event in them.
    furniture: list[tuple[int, int]] = field(default_factory=list)
    # what building the document dropped or guessed (unreadable dates); reported, not stored
    notes: list[str] = field(default_factory=list, compare=False, repr=False)
    line: int | None = field(default=None, compare=False, repr=False)  # the record's line in its file

    def ref(self) -> dict[str, Any]:
        """The ``document`` object embedded in every exported record."""
        return {
            "id": self.id,
            "external_id": self.external_id,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "agency": self.agency,
        }


# --------------------------------------------------------------------------- language


@dataclass
class Entity:
    """A resolved actor (PLOVER style): country and/or org plus sectors."""

    id: str | None
    name: str | None
    country: str | None = None
    org: str | None = None
    sector: list[str] = field(default_factory=list)
    kind: str = "group"  # person, state, institution, igo, company, research, group

    def to_record(self, text: str) -> dict[str, Any]:
        return {
            "text": text,
            "name": self.name,
            "id": self.id,
            "country": self.country,
            "org": self.org,
            "sector": list(self.sector),
        }


@dataclass
class Mention:
    """A stretch of cleaned text that refers to an entity."""

    start: int
    end: int
    text: str
    entity: Entity
    how: str = "dictionary"  # dictionary, composition, coreference, metonym

    def to_record(self) -> dict[str, Any]:
        return self.entity.to_record(self.text)


@dataclass
class DateSpan:
    """A resolved time: ISO start/end strings, precision, and the words it came from."""

    start: str | None
    end: str | None
    precision: Precision | None
    text: str | None = None
    offset: tuple[int, int] | None = None  # char offsets of ``text`` in the sentence, if found there

    def to_record(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "precision": self.precision, "text": self.text}


@dataclass
class Money:
    """An amount of money as written, with conversions at the event date."""

    amount: float
    currency: str
    text: str
    approximate: bool = False
    eur: float | None = None
    usd: float | None = None
    start: int | None = None  # offsets within the string searched
    end: int | None = None
    amount_max: float | None = None  # upper bound of a range
    note: str | None = None  # why eur/usd are missing, or how they were converted
    equivalents: list[Money] = field(default_factory=list)  # "(USD 85 billion)"

    def to_record(self) -> dict[str, Any]:
        rec = {
            "amount": self.amount,
            "currency": self.currency,
            "eur": self.eur,
            "usd": self.usd,
            "approximate": self.approximate,
            "text": self.text,
        }
        if self.amount_max is not None:
            rec["amount_max"] = self.amount_max
        if self.note:
            rec["note"] = self.note
        if self.equivalents:
            rec["equivalents"] = [
                {"amount": m.amount, "currency": m.currency, "text": m.text} for m in self.equivalents
            ]
        return rec


@dataclass
class Quantity:
    """A counted amount that is not money ("over 1 million shells", "13,000 containers")."""

    amount: float
    unit: str
    text: str
    approximate: bool = False

    def to_record(self) -> dict[str, Any]:
        """The same shape as a money value, with no currency and the counted unit."""
        return {"amount": self.amount, "currency": None, "eur": None, "usd": None,
                "approximate": self.approximate, "text": self.text, "unit": self.unit}


@dataclass
class Item:
    """A weapon system, equipment class or programme named in an event."""

    text: str
    category: str | None
    canonical: str | None = None
    quantity: float | None = None
    start: int | None = None
    end: int | None = None

    def to_record(self) -> dict[str, Any]:
        return {"text": self.text, "category": self.category, "canonical": self.canonical,
                "quantity": self.quantity}


@dataclass
class Evidence:
    """Where an event was read: sentence text, its offsets, and the trigger words."""

    sentence: str
    start: int
    end: int
    trigger: str
    extra: list[dict[str, Any]] = field(default_factory=list)  # restatements in the same document

    def to_record(self) -> dict[str, Any]:
        rec: dict[str, Any] = {"sentence": self.sentence, "start": self.start, "end": self.end,
                               "trigger": self.trigger}
        if self.extra:
            rec["also"] = self.extra
        return rec


@dataclass
class Role:
    """An actor/recipient slot filled by a mention (text kept as written)."""

    text: str
    entity: Entity

    def to_record(self) -> dict[str, Any]:
        return self.entity.to_record(self.text)


@dataclass
class Event:
    """A PLOVER event coded from one sentence (see CONTRACT.md)."""

    document_id: str
    type: str
    evidence: Evidence
    mode: str | None = None
    context: list[str] = field(default_factory=list)
    cameo: str | None = None
    actor: list[Role] = field(default_factory=list)
    recipient: list[Role] = field(default_factory=list)
    status: str | None = None
    negated: bool = False
    modality: Modality = "asserted"
    date: DateSpan | None = None
    location: dict[str, Any] | None = None
    items: list[Item] = field(default_factory=list)
    value: Money | None = None
    attribution: Role | None = None
    confidence: float = 0.5
    mentions: int = 1
    superseded: bool = False
    # what the trigger word itself signals (AID for "will send" coded AGREE); not exported
    sense: str | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return stable_id("event", self.document_id, self.type, self.evidence.start, self.evidence.trigger)

    def to_record(self, doc: Document) -> dict[str, Any]:
        return {
            "record": "event",
            "contract": CONTRACT_VERSION,
            "id": self.id,
            "document": doc.ref(),
            "type": self.type,
            "mode": self.mode,
            "context": list(self.context),
            "cameo": self.cameo,
            "actor": [r.to_record() for r in self.actor],
            "recipient": [r.to_record() for r in self.recipient],
            "status": self.status,
            "negated": self.negated,
            "modality": self.modality,
            "date": self.date.to_record() if self.date else
            {"start": None, "end": None, "precision": None, "text": None},
            "location": self.location,
            "items": [i.to_record() for i in self.items],
            "value": self.value.to_record() if self.value else None,
            "evidence": self.evidence.to_record(),
            "attribution": self.attribution.to_record() if self.attribution else None,
            "confidence": round(self.confidence, 3),
            "mentions": self.mentions,
        }


@dataclass
class Claim:
    """A statistic quoted from a tracker, institute or government; never an aid event."""

    document_id: str
    measure: str
    value: Money | Quantity
    evidence: Evidence
    subject: list[Role] = field(default_factory=list)
    period: DateSpan | None = None
    reported_by: Role | None = None

    @property
    def id(self) -> str:
        return stable_id("claim", self.document_id, self.evidence.start, self.value.text)

    def to_record(self, doc: Document) -> dict[str, Any]:
        return {
            "record": "claim",
            "contract": CONTRACT_VERSION,
            "id": self.id,
            "document": doc.ref(),
            "subject": [r.to_record() for r in self.subject],
            "measure": self.measure,
            "value": self.value.to_record(),
            "period": self.period.to_record() if self.period else None,
            "reported_by": self.reported_by.to_record() if self.reported_by else None,
            "evidence": self.evidence.to_record(),
        }
