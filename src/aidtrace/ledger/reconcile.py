"""Reconcile the ledger with the Kiel Ukraine Support Tracker, per donor and per month, and
check the statistics articles quote (claims) against Kiel's own figures and the ledger's.

requires: an up-to-date ledger and ``kiel.KielData``
assigns:  ``Reconciliation``: donor rows, month rows, claim rows and a summary

What is compared: aid ledger events (family ``aid``) to Ukraine, over Kiel's period (its
first month to the release's last), their best values in EUR, against Kiel's allocations
(and commitments). A ledger event of several donors counts for each, its value split
evenly between them. Kiel records bilateral government aid by allocation month; the ledger
records acts by the date the reports give, so a month that differs by one is common:
the month rows say where each side has something the other lacks, not who is right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ..store import Store
from .api import LedgerFilter
from .groups import donor_groups
from .kiel import KielData, _layout
from .totals import country_name

KIEL_RECIPIENT = "UKR"


@dataclass
class DonorRow:
    donor: str
    name: str
    kiel_allocated_eur: float = 0.0
    kiel_military_eur: float = 0.0
    kiel_committed_eur: float = 0.0
    ledger_eur: float = 0.0
    ledger_events: int = 0
    ledger_without_value: int = 0
    ledger_joint_events: int = 0
    coverage: float | None = None  # ledger / Kiel allocations
    kiel_months: int = 0
    matched_months: list[str] = field(default_factory=list)
    gap_months: list[str] = field(default_factory=list)          # Kiel allocated, the ledger has nothing
    ledger_only_months: list[str] = field(default_factory=list)  # the ledger has events, Kiel allocated nothing
    ledger_only_events: list[str] = field(default_factory=list)


@dataclass
class MonthRow:
    month: str
    kiel_allocated_eur: float = 0.0
    kiel_military_eur: float = 0.0
    ledger_eur: float = 0.0
    ledger_events: int = 0
    kiel_donors: int = 0
    ledger_donors: int = 0


@dataclass
class ClaimRow:
    claim_id: str
    document: str | None
    sentence: str | None
    subject: str
    measure: str
    claimed_eur: float | None
    period_start: str
    period_end: str
    reported_by: str | None
    kiel_eur: float | None
    kiel_ratio: float | None      # claimed / Kiel
    ledger_eur: float
    ledger_events: int
    ledger_ratio: float | None    # ledger / claimed
    note: str | None = None


@dataclass
class Reconciliation:
    source: str
    release: str | None
    first_month: str | None
    last_month: str | None
    donors: list[DonorRow]
    months: list[MonthRow]
    claims: list[ClaimRow]
    summary: dict[str, Any]
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def to_records(self) -> list[dict[str, Any]]:
        """JSON lines: a summary, then one per donor, month and claim (``record`` says which)."""
        head = {"record": "reconcile_summary", "source": self.source, "release": self.release,
                "first_month": self.first_month, "last_month": self.last_month, **self.summary,
                "kiel_rows_skipped": self.skipped, "kiel_problems": self.problems}
        return [head, *({"record": "reconcile_donor", **asdict(d)} for d in self.donors),
                *({"record": "reconcile_month", **asdict(m)} for m in self.months),
                *({"record": "reconcile_claim", **asdict(c)} for c in self.claims)]


def reconcile_kiel(store: Store, kiel: KielData, filters: LedgerFilter | None = None) -> Reconciliation:
    """Compare the ledger's aid to Ukraine with Kiel's figures per donor and month, and every claim."""
    first, last = kiel.first_month, kiel.last_month
    base = filters or LedgerFilter()
    facts = store.ledger.facts(**{**base.store_args(), "family": "aid",
                                  "recipient": base.recipient or KIEL_RECIPIENT})
    inside = [f for f in facts if _month(f) is None or (first or "") <= (_month(f) or "") <= (last or "9999")]
    donors = _donor_rows(kiel, inside)
    months = _month_rows(kiel, inside)
    claims = [_claim_row(c, kiel, facts) for c in store.claims()]
    kiel_total = sum(m.total for m in kiel.months)
    ledger_total = sum(d.ledger_eur for d in donors)
    summary = {
        "kiel_allocated_eur": kiel_total, "ledger_eur": ledger_total,
        "coverage": ledger_total / kiel_total if kiel_total else None,
        "ledger_events": len(inside), "ledger_events_outside_kiel_period": len(facts) - len(inside),
        "donors_in_both": sum(1 for d in donors if d.kiel_allocated_eur and d.ledger_events),
        "donors_only_in_kiel": sum(1 for d in donors if d.kiel_allocated_eur and not d.ledger_events),
        "donors_only_in_ledger": sum(1 for d in donors if d.ledger_events and not d.kiel_allocated_eur),
    }
    return Reconciliation(kiel.source, kiel.release, first, last, donors, months, claims, summary,
                          kiel.skipped, kiel.problems)


def _month(fact: dict[str, Any]) -> str | None:
    """The month of a ledger event, when its date says one."""
    start = fact.get("date_start") or ""
    if not start or fact.get("date_precision") == "year":
        return None
    return start[:7]


def _shares(fact: dict[str, Any]) -> list[tuple[str, float | None]]:
    codes = sorted(set((fact.get("actor_codes") or "").split()))
    value = fact.get("value_eur")
    return [(c, value / len(codes) if value is not None else None) for c in codes]


def _donor_rows(kiel: KielData, facts: list[dict[str, Any]]) -> list[DonorRow]:
    rows: dict[str, DonorRow] = {}
    kiel_months: dict[str, set[str]] = defaultdict(set)
    for m in kiel.months:
        row = rows.setdefault(m.donor, DonorRow(m.donor, m.name))
        row.kiel_allocated_eur += m.total
        row.kiel_military_eur += m.military
        row.kiel_committed_eur += m.committed
        if m.total > 0:
            kiel_months[m.donor].add(m.month)
    ledger_months: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        shares = _shares(fact)
        for code, share in shares:
            row = rows.setdefault(code, DonorRow(code, country_name(code)))
            row.ledger_events += 1
            row.ledger_joint_events += len(shares) > 1
            if share is None:
                row.ledger_without_value += 1
            else:
                row.ledger_eur += share
            month = _month(fact)
            if month:
                ledger_months[code][month].append(fact["id"])
    for code, row in rows.items():
        theirs, ours = kiel_months.get(code, set()), ledger_months.get(code, {})
        row.kiel_months = len(theirs)
        row.matched_months = sorted(theirs & set(ours))
        row.gap_months = sorted(theirs - set(ours))
        row.ledger_only_months = sorted(set(ours) - theirs)
        row.ledger_only_events = sorted(i for m in row.ledger_only_months for i in ours[m])
        row.coverage = row.ledger_eur / row.kiel_allocated_eur if row.kiel_allocated_eur else None
    return sorted(rows.values(), key=lambda r: (-r.kiel_allocated_eur, -r.ledger_eur, r.donor))


def _month_rows(kiel: KielData, facts: list[dict[str, Any]]) -> list[MonthRow]:
    rows: dict[str, MonthRow] = {}
    donors: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for m in kiel.months:
        row = rows.setdefault(m.month, MonthRow(m.month))
        row.kiel_allocated_eur += m.total
        row.kiel_military_eur += m.military
        if m.total > 0:
            donors[m.month][0].add(m.donor)
    for fact in facts:
        month = _month(fact)
        if month is None:
            continue
        row = rows.setdefault(month, MonthRow(month))
        row.ledger_events += 1
        row.ledger_eur += fact.get("value_eur") or 0.0
        donors[month][1].update((fact.get("actor_codes") or "").split())
    for month, row in rows.items():
        row.kiel_donors, row.ledger_donors = len(donors[month][0]), len(donors[month][1])
    return sorted(rows.values(), key=lambda r: r.month)


# ---------------------------------------------------------------------- claims


def _claim_row(claim: dict[str, Any], kiel: KielData, facts: list[dict[str, Any]]) -> ClaimRow:
    subject = [(e.get("country") or e.get("org") or "").upper() for e in claim.get("subject") or []]
    subject = [s for s in subject if s]
    measure = claim.get("measure") or "aid_total"
    column = _layout()["measures"].get(measure, "total")
    start, end = _claim_period(claim, kiel)
    donors = _subject_donors(subject, kiel, end)
    value = (claim.get("value") or {}).get("eur")
    note = None
    if not subject:
        note = "the claim names no subject"
    elif not donors:
        note = f"Kiel has no donor for {'+'.join(subject)}"
    elif kiel.last_month and end > kiel.last_month:
        note = f"the claim's period ends after Kiel's release ({kiel.last_month})"
    kiel_eur = sum(m.value(column) for m in kiel.months if m.donor in donors and start <= m.month <= end) \
        if donors else None
    ours = [f for f in facts if (_month(f) or "") and start <= (_month(f) or "") <= end
            and set((f.get("actor_codes") or "").split()) & donors]
    ledger_eur = sum(f.get("value_eur") or 0.0 for f in ours)
    doc, ev, by = claim.get("document") or {}, claim.get("evidence") or {}, claim.get("reported_by") or {}
    return ClaimRow(
        claim_id=claim.get("id") or "", document=doc.get("external_id"), sentence=ev.get("sentence"),
        subject="+".join(subject) or "?", measure=measure, claimed_eur=value, period_start=start, period_end=end,
        reported_by=by.get("name") or by.get("text"), kiel_eur=kiel_eur,
        kiel_ratio=value / kiel_eur if value is not None and kiel_eur else None,
        ledger_eur=ledger_eur, ledger_events=len(ours),
        ledger_ratio=ledger_eur / value if value else None, note=note)


def _claim_period(claim: dict[str, Any], kiel: KielData) -> tuple[str, str]:
    """The months a claim's figure covers: its stated period, else Kiel's start to the article's month."""
    period = claim.get("period") or {}
    published = ((claim.get("document") or {}).get("published") or "")[:7]
    start = (period.get("start") or "")[:7] or kiel.first_month or "0000-00"
    end = (period.get("end") or "")[:7] or published or kiel.last_month or "9999-12"
    return start, end


def _subject_donors(subject: list[str], kiel: KielData, end_month: str) -> set[str]:
    """Kiel donors a claim's subject stands for: a country, the EU institutions, or a donor group."""
    known = {m.donor for m in kiel.months}
    groups = {g.code: g for g in donor_groups()}
    group_of_org = {org: g for g in groups.values() for org in g.orgs if org not in known}
    when = _month_end(end_month)
    found: set[str] = set()
    for code in subject:
        if code in known:
            found.add(code)
        elif code in groups or code in group_of_org:
            group = groups.get(code) or group_of_org[code]
            found |= {d for d in known if group.member(d, when)}
    return found


def _month_end(month: str) -> date | None:
    try:
        year, mon = int(month[:4]), int(month[5:7])
    except ValueError:
        return None
    return date(year + mon // 12, mon % 12 + 1, 1) if 1 <= mon <= 12 else None
