"""How the ledger's merge and totals grow with the number of per-report events (issue 9).

A synthetic corpus of N per-report events is made in memory (no spaCy): real-world acts
(pledges, deliveries, halts and resumptions between 40 donors and 6 recipients, some with a
named weapon system, most with a value) each told by 1 to 8 outlets over 0 to 3 days, with
day, month and publication-only dates, hedged and rounded amounts; a fifth of the pledges is
later delivered, some halts are later resumed. Events are CONTRACT.md records, as the store
holds them. Two corpora are measured:

- ``constant density``: the period grows with N (a year per 25,000 events), so each donor
  sees about as many distinct acts per week at every N. This is how a growing archive
  looks, and where the merge is meant to cost n log n.
- ``fixed period``: four years whatever N, so acts per week and per donor grow with N (the
  worst case for the blocking windows).

For each N (12.5k, 25k, 50k, 100k) the script times, in one process and interleaved over
``--repeat`` rounds (median kept):

- ``merge``: ``report_from_record`` for every record, components, clustering and ledger rows
  (``ledger.build.merge_reports``), all in memory;
- ``totals``: ``ledger.totals`` by donor, month, status and group on a SQLite file holding
  that ledger (written once, outside the timing).

It prints seconds, microseconds per event, and the growth against n log n: for sizes a < b,
``t(b)/t(a)`` next to ``(b log b)/(a log a)``; a ratio at or below 1.0 means no worse than
n log n.

Usage: .venv/bin/python benchmarks/bench_ledger.py [--repeat 3] [--sizes 12500,25000,50000,100000]
"""

from __future__ import annotations

import argparse
import math
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aidtrace import ledger
from aidtrace.ledger.build import merge_reports, without_gc
from aidtrace.ledger.reports import report_from_record
from aidtrace.ledger.rules import load_rules
from aidtrace.store import Store

DONORS = ["USA", "DEU", "GBR", "FRA", "POL", "NLD", "DNK", "SWE", "NOR", "CAN", "ITA", "ESP", "FIN", "BEL",
          "CZE", "EST", "LVA", "LTU", "ROU", "PRT", "AUT", "IRL", "GRC", "SVK", "SVN", "HRV", "BGR", "LUX",
          "JPN", "KOR", "AUS", "NZL", "TUR", "CHE", "ISL", "HUN", "CYP", "MLT", "IND", "BRA"]
RECIPIENTS = ["UKR"] * 6 + ["MDA", "ISR", "TWN", "ARM", "GEO"]
SYSTEMS = [("IRIS-T", "air defence"), ("Patriot", "air defence"), ("NASAMS", "air defence"),
           ("Leopard 2", "armour"), ("CV90", "armour"), ("HIMARS", "rocket artillery"), ("CAESAR", "artillery"),
           ("F-16", "aircraft"), (None, "drones"), (None, "ammunition"), (None, "artillery ammunition")]
OUTLETS = ["AP", "Reuters", "AFP", "dpa", "PAP", "NTB", "TT", "Ritzau", "Ukrinform", "Interfax", "BBC", "ANP"]
EVENTS_PER_YEAR = 25_000
START = date(2022, 1, 1)


def entity(code: str) -> dict[str, Any]:
    return {"text": code, "name": code, "id": code, "country": code, "org": None, "sector": ["GOV"]}


def record(act: int, n: int, doc: str, published: date, kind: str, status: str, donor: str, recipient: str,
           when: dict[str, Any], value: dict[str, Any] | None, items: list[dict[str, Any]]) -> dict[str, Any]:
    sentence = f"{donor} {status} aid to {recipient} ({act}/{n})."
    return {
        "record": "event", "contract": 1, "id": f"e{act:07d}{n:02d}{status[:3]}",
        "document": {"id": doc, "external_id": doc, "source": doc, "url": f"https://news.example/{doc}",
                     "title": None, "published": published.isoformat(), "agency": OUTLETS[(act + n) % len(OUTLETS)]},
        "type": kind, "mode": "discontinue" if kind == "SANCTION" else None, "context": ["military"],
        "cameo": None, "actor": [entity(donor)], "recipient": [entity(recipient)], "status": status,
        "negated": False, "modality": "asserted", "date": when, "location": None, "items": items,
        "value": value, "evidence": {"sentence": sentence, "start": 0, "end": len(sentence), "trigger": status},
        "attribution": None, "confidence": 0.8, "mentions": 1,
    }


def corpus(size: int, span_days: int, seed: int = 9) -> list[dict[str, Any]]:
    """About ``size`` per-report records of acts spread over ``span_days``."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    act = 0
    while len(records) < size:
        act += 1
        records.extend(_act(rng, act, span_days))
    return records[:size]


def _act(rng: random.Random, act: int, span_days: int) -> list[dict[str, Any]]:
    donor, recipient = rng.choice(DONORS), rng.choice(RECIPIENTS)
    day = START + timedelta(days=rng.randrange(span_days))
    system = rng.choice(SYSTEMS)
    items = [{"text": system[0] or system[1], "category": system[1], "canonical": system[0] or system[1],
              "quantity": rng.choice([None, 2, 4, 10])}]
    amount = round(rng.lognormvariate(19, 1.5), -6) if rng.random() < 0.7 else None
    roll = rng.random()
    steps = [("AGREE", "pledged")] if roll < 0.5 else [("AID", "delivered")] if roll < 0.85 else \
        [("SANCTION", "halted")]
    if steps[0][1] == "pledged" and rng.random() < 0.2:
        steps.append(("AID", "delivered"))
    if steps[0][1] == "halted" and rng.random() < 0.5:
        steps.append(("AID", "resumed"))
    out = []
    for stage_no, (kind, status) in enumerate(steps):
        when_day = day + timedelta(days=stage_no * rng.randrange(20, 200))
        for n in range(rng.randint(1, 8)):
            published = when_day + timedelta(days=rng.randrange(0, 4))
            doc = f"d{act:07d}s{stage_no}n{n}"
            value = None
            if amount is not None and stage_no == 0 and rng.random() < 0.8:
                stated = amount * rng.choice([1.0, 1.0, 1.02, 0.97])
                value = {"amount": stated, "currency": "EUR", "eur": stated, "usd": stated * 1.1,
                         "approximate": rng.random() < 0.3, "text": f"{stated:g} euros"}
            out.append(record(act, n, doc, published, kind, status, donor, recipient,
                              _date(rng, when_day, published), value, items if rng.random() < 0.7 else []))
    return out


def _date(rng: random.Random, day: date, published: date) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.7:
        return {"start": day.isoformat(), "end": day.isoformat(), "precision": "day", "text": "on Tuesday"}
    if roll < 0.85:
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return {"start": first.isoformat(), "end": last.isoformat(), "precision": "month", "text": "this month"}
    return {"start": published.isoformat(), "end": published.isoformat(), "precision": "day", "text": None}


def merge_seconds(records: list[dict[str, Any]]) -> tuple[float, int]:
    rules = load_rules()
    started = time.perf_counter()
    with without_gc():  # as ledger.build.rebuild does
        rows = merge_reports([report_from_record(r, rules) for r in records], rules)
    return time.perf_counter() - started, len(rows)


def totals_seconds(path: str) -> float:
    with Store.open(path) as store:
        started = time.perf_counter()
        for by in ("donor", "month", "status", "group"):
            ledger.totals(store, by=by)
        return time.perf_counter() - started


def write_ledger(records: list[dict[str, Any]], path: str) -> None:
    rules = load_rules()
    rows = merge_reports([report_from_record(r, rules) for r in records], rules)
    with Store.open(path) as store:
        store.ledger.replace(None, [r.event for r in rows], [m for r in rows for m in r.members],
                             [k for r in rows for k in r.keys], 0)


def nlogn(n: int) -> float:
    return n * math.log(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="12500,25000,50000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"# aidtrace ledger benchmark — {platform.python_version()} on {platform.machine()}, "
          f"{args.repeat} interleaved rounds, median kept")
    with tempfile.TemporaryDirectory(prefix="aidtrace-bench-ledger-") as tmp:
        for name, span in (("constant density", lambda n: max(30, round(365 * n / EVENTS_PER_YEAR))),
                           ("fixed period", lambda n: 4 * 365)):
            corpora = {n: corpus(n, span(n)) for n in sizes}
            dbs = {n: str(Path(tmp) / f"{name[:5]}-{n}.db") for n in sizes}
            for n in sizes:
                write_ledger(corpora[n], dbs[n])
            merge: dict[int, list[float]] = {n: [] for n in sizes}
            total: dict[int, list[float]] = {n: [] for n in sizes}
            events: dict[int, int] = {}
            for _ in range(args.repeat):
                for n in sizes:  # interleaved: every size once per round
                    seconds, events[n] = merge_seconds(corpora[n])
                    merge[n].append(seconds)
                    total[n].append(totals_seconds(dbs[n]))
            _print(name, span, sizes, merge, total, events)


def _print(name: str, span: Any, sizes: list[int], merge: dict[int, list[float]], total: dict[int, list[float]],
           events: dict[int, int]) -> None:
    print(f"\n## {name}")
    print("| per-report events | days | ledger events | merge s | merge µs/event | growth vs n log n "
          "| totals s | totals µs/event | growth vs n log n |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    previous = None
    for n in sizes:
        m, t = statistics.median(merge[n]), statistics.median(total[n])
        if previous is None:
            growth_m = growth_t = "—"
        else:
            p, pm, pt = previous
            bound = nlogn(n) / nlogn(p)
            growth_m = f"{m / pm:.2f}x / {bound:.2f}x = {m / pm / bound:.2f}"
            growth_t = f"{t / pt:.2f}x / {bound:.2f}x = {t / pt / bound:.2f}"
        print(f"| {n:,} | {span(n):,} | {events[n]:,} | {m:.2f} | {m / n * 1e6:.1f} | {growth_m} "
              f"| {t:.3f} | {t / n * 1e6:.1f} | {growth_t} |")
        previous = (n, m, t)
    a, b = sizes[0], sizes[-1]
    if a != b:
        bound = nlogn(b) / nlogn(a)
        m_a, m_b = statistics.median(merge[a]), statistics.median(merge[b])
        t_a, t_b = statistics.median(total[a]), statistics.median(total[b])
        print(f"\n{a:,} -> {b:,} events: merge {m_b / m_a:.2f}x, totals {t_b / t_a:.2f}x, n log n {bound:.2f}x "
              f"(merge {m_b / m_a / bound:.2f}, totals {t_b / t_a / bound:.2f} of n log n)")


if __name__ == "__main__":
    main()
