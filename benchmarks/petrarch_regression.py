"""Structural regression of ``code_text`` on the PETRARCH2 unit-test records (a report, not a gate).

Reads ../shared/data/petrarch2_unittest/petr2_unittest.jsonl (see its README). The actors there
are mostly fictional and the event codes are not CAMEO, so only structure is measured:

- (i)   records with >= 1 gold coding for which ``code_text`` produced >= 1 event;
- (ii)  ``noevents`` records for which it produced none;
- (iii) gold codings whose (has source, has target) pattern some produced event shares
        (an event "has" a side when its actor / recipient list is not empty; a gold side is
        empty only when it is ``---`` alone);
- (iv)  for gold sides that are real ISO-3 country codes (three upper-case letters pycountry
        knows, minus the two the test dictionaries reuse for fictional places), whether some
        produced event carries that code as actor (source) or recipient (target); pairs count
        when both sides are real codes and one event carries both;
- and exceptions raised, over every record.

Prints the summary and a per-``category`` table; ``--show N`` also prints up to N records that
miss (i)-(iv), for reading (the dataset sentences are not to be copied into the repo).
``--real-names`` is a diagnostic: it first replaces the most frequent fictional place names with
real country names (``REAL_NAMES``), to separate "the actor is unknown" from grammar failures.

Usage: .venv/bin/python benchmarks/petrarch_regression.py [--no-filter] [--real-names] [--show N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry

from aidtrace.model import Event
from aidtrace.pipeline import code_text
from aidtrace.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "petrarch2_unittest" / "petr2_unittest.jsonl"
# ISO-3 codes that PETRARCH's test dictionaries give to fictional places: ERI is Eriador
# (named in the dataset README), FRO is the Shire. They are not Eritrea and the Faroe Islands.
FICTIONAL_ISO = {"ERI", "FRO"}
NO_ACTOR = "---"
# --real-names only: fictional places swapped for arbitrary real countries. Derived forms
# ("Eriadorian", "Dagolathi") and persons (hobbits, wizards) are deliberately left alone.
REAL_NAMES = {"Arnor": "France", "Gondor": "Germany", "Osgiliath": "Poland", "Eriador": "Spain",
              "Mordor": "Russia", "Dagolath": "Hungary", "Calenardhon": "Italy", "Ithilen": "Austria",
              "Fornost": "Belgium", "Bree": "Greece", "Rohan": "Romania", "Minas Tirith": "Berlin",
              "Lorien": "Portugal", "the Shire": "Norway", "The Shire": "Norway"}
REAL_NAMES_RE = re.compile(r"\b(" + "|".join(map(re.escape, REAL_NAMES)) + r")\b")


@dataclass
class Outcome:
    """One record coded: its gold, what we produced, and where the structure differs."""

    record: dict[str, Any]
    events: list[Event] = field(default_factory=list)
    error: str | None = None
    pattern_hits: list[bool] = field(default_factory=list)  # per gold coding
    iso_hits: list[tuple[str, bool]] = field(default_factory=list)  # ("source"/"target"/"pair", hit)

    @property
    def category(self) -> str:
        return str(self.record.get("category") or "?")

    @property
    def has_gold(self) -> bool:
        return bool(self.record["events"])

    @property
    def noevents(self) -> bool:
        return bool(self.record.get("noevents"))

    def ok(self) -> bool:
        """No exception, the right presence of events, every pattern and ISO side matched."""
        presence = bool(self.events) == self.has_gold if (self.has_gold or self.noevents) else True
        return (self.error is None and presence and all(self.pattern_hits)
                and all(hit for _, hit in self.iso_hits))


def real_iso(code: str) -> bool:
    """Whether a PETRARCH actor code is a real ISO-3 country code."""
    return (re.fullmatch(r"[A-Z]{3}", code) is not None and code not in FICTIONAL_ISO
            and pycountry.countries.get(alpha_3=code) is not None)


def has_side(code: str) -> bool:
    return code.strip() not in ("", NO_ACTOR)


def countries(event: Event, side: str) -> set[str]:
    roles = event.actor if side == "source" else event.recipient
    return {r.entity.country for r in roles if r.entity.country}


def score(outcome: Outcome) -> None:
    """Fill the pattern and ISO hits of one coded record."""
    produced = [(bool(e.actor), bool(e.recipient)) for e in outcome.events]
    for gold in outcome.record["events"]:
        src, tgt = gold["source"], gold["target"]
        outcome.pattern_hits.append((has_side(src), has_side(tgt)) in produced)
        for side, code in (("source", src), ("target", tgt)):
            if real_iso(code):
                outcome.iso_hits.append((side, any(code in countries(e, side) for e in outcome.events)))
        if real_iso(src) and real_iso(tgt):
            pair = any(src in countries(e, "source") and tgt in countries(e, "target") for e in outcome.events)
            outcome.iso_hits.append(("pair", pair))


def iso_date(value: str | None) -> str | None:
    """YYYYMMDD as YYYY-MM-DD (None when it is not eight digits)."""
    if not value or not re.fullmatch(r"\d{8}", value):
        return None
    return f"{value[:4]}-{value[4:6]}-{value[6:]}"


def run(records: list[dict[str, Any]], settings: Settings, real_names: bool = False) -> list[Outcome]:
    """Code every record, keeping exceptions as outcomes rather than stopping."""
    outcomes = []
    for rec in records:
        outcome = Outcome(rec)
        text = REAL_NAMES_RE.sub(lambda m: REAL_NAMES[m.group(1)], rec["text"]) if real_names else rec["text"]
        try:
            _, outcome.events, _ = code_text(text, date=iso_date(rec.get("date")), settings=settings)
        except Exception as err:  # the point is to count them
            outcome.error = f"{type(err).__name__}: {err}"
        score(outcome)
        outcomes.append(outcome)
    return outcomes


@dataclass
class Tally:
    """Counts for one group of outcomes."""

    records: int = 0
    errors: int = 0
    gold: int = 0
    gold_any: int = 0
    noevents: int = 0
    noevents_ok: int = 0
    codings: int = 0
    pattern: int = 0
    iso: Counter[str] = field(default_factory=Counter)
    iso_hit: Counter[str] = field(default_factory=Counter)

    def add(self, o: Outcome) -> None:
        self.records += 1
        self.errors += o.error is not None
        self.gold += o.has_gold
        self.gold_any += o.has_gold and bool(o.events)
        self.noevents += o.noevents
        self.noevents_ok += o.noevents and not o.events
        self.codings += len(o.pattern_hits)
        self.pattern += sum(o.pattern_hits)
        for side, hit in o.iso_hits:
            self.iso[side] += 1
            self.iso_hit[side] += hit


def frac(num: int, den: int) -> str:
    return f"{num}/{den} ({num / den:.0%})" if den else "-"


def print_summary(total: Tally, seconds: float, settings: Settings, real_names: bool) -> None:
    print(f"{total.records} records in {seconds:.1f} s; candidate_filter={settings.candidate_filter}; "
          f"real_names={real_names}")
    print(f"exceptions:                                 {total.errors}")
    print(f"(i)   gold >= 1 coding, some event produced: {frac(total.gold_any, total.gold)}")
    print(f"(ii)  noevents records, none produced:       {frac(total.noevents_ok, total.noevents)}")
    print(f"(iii) gold codings, source/target pattern:   {frac(total.pattern, total.codings)}")
    for side in ("source", "target", "pair"):
        print(f"(iv)  real ISO-3 {side:<6} matched:             {frac(total.iso_hit[side], total.iso[side])}")


def print_categories(tallies: dict[str, Tally]) -> None:
    print(f"\n{'category':<10} {'recs':>4} {'exc':>3} {'(i) any event':>14} {'(ii) none':>10} "
          f"{'(iii) pattern':>14} {'(iv) ISO sides':>14} {'(iv) pairs':>10}")
    for name in sorted(tallies):
        t = tallies[name]
        sides = t.iso_hit["source"] + t.iso_hit["target"], t.iso["source"] + t.iso["target"]
        print(f"{name:<10} {t.records:>4} {t.errors:>3} {t.gold_any:>6}/{t.gold:<7} {t.noevents_ok:>4}/{t.noevents:<5} "
              f"{t.pattern:>6}/{t.codings:<7} {sides[0]:>6}/{sides[1]:<7} {t.iso_hit['pair']:>4}/{t.iso['pair']:<5}")


def describe(event: Event) -> str:
    def side(roles: list[Any]) -> str:
        return "+".join(r.entity.country or r.entity.org or "?" for r in roles) or NO_ACTOR

    return f"{event.type}({side(event.actor)} -> {side(event.recipient)}; {event.evidence.trigger!r})"


def print_failures(outcomes: list[Outcome], limit: int) -> None:
    """Records that miss something, for a human to read and classify."""
    failing = [o for o in outcomes if not o.ok()]
    print(f"\n{len(failing)} records miss something; the first {min(limit, len(failing))}:")
    for o in failing[:limit]:
        gold = " ".join(f"{g['source']}->{g['target']}:{g['code']}" for g in o.record["events"]) or "(none)"
        ours = o.error or " ".join(describe(e) for e in o.events) or "(none)"
        print(f"- {o.record['id']} [{o.category}] gold {gold}\n    ours {ours}\n    text {o.record['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="petr2_unittest.jsonl")
    parser.add_argument("--no-filter", action="store_true", help="parse every sentence (candidate_filter off)")
    parser.add_argument("--real-names", action="store_true",
                        help="diagnostic: swap fictional place names for real countries first")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print up to N failing records")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = Settings(candidate_filter=not args.no_filter)
    start = time.perf_counter()
    outcomes = run(records, settings, args.real_names)
    seconds = time.perf_counter() - start
    total, tallies = Tally(), dict[str, Tally]()
    for o in outcomes:
        total.add(o)
        tallies.setdefault(o.category, Tally()).add(o)
    print_summary(total, seconds, settings, args.real_names)
    print_categories(tallies)
    if args.show:
        print_failures(outcomes, args.show)


if __name__ == "__main__":
    main()
