"""Latency of the REST API and the dashboard on a store of 200k ledger events (issue 10).

A synthetic store is written once (no spaCy): acts between 40 donors and 11 recipients, each
told by 1 to 3 outlets (one article per report, with text of its own so full-text search has
something to find), merged by the real ledger code into about 200k ledger events. Then a real
``aidtrace serve`` (uvicorn, one process) answers over loopback and each request below is sent
``--requests`` times (bounded by ``--seconds`` per request), cycling through several parameter
values so no answer is simply repeated; p50 and p95 are printed in milliseconds. The baseline,
measured in the same run, is ``/api/health``: the framework's floor on this machine.

Requests: the ledger's first page (unfiltered, and filtered by donor and status, by recipient
and dates sorted by value, by category and donor, by article text and donor), totals
(unfiltered, and filtered by donor and dates), full-text search, per-report events filtered
by donor and type, the ledger page filtered by donor, and the overview page (its first request
after the server starts computes it, timed apart; later ones are served from the cache until
the database changes).

Usage: .venv/bin/python benchmarks/bench_web.py [--events 200000] [--requests 40] [--seconds 60]
       [--db PATH (keep the store there and reuse it on the next run)]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from aidtrace.ledger.build import merge_reports, without_gc
from aidtrace.ledger.reports import report_from_record
from aidtrace.ledger.rules import load_rules
from aidtrace.model import Document
from aidtrace.store import Store
from aidtrace.store import schema as t
from aidtrace.store.db import _document_row

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ledger import DONORS, OUTLETS, RECIPIENTS, SYSTEMS, _date, record  # noqa: E402

FIRST_DAY = date(2016, 1, 1)
NAMES = {"USA": "the United States", "DEU": "Germany", "GBR": "Britain", "FRA": "France", "POL": "Poland",
         "UKR": "Ukraine", "MDA": "Moldova", "ISR": "Israel", "TWN": "Taiwan", "ARM": "Armenia", "GEO": "Georgia"}
PLACES = ["Kharkiv", "Odesa", "Lviv", "Dnipro", "Zaporizhzhia", "Rzeszow", "Ramstein", "Brussels", "Vilnius"]
# Sentences written for this benchmark, to give the articles a vocabulary to search.
FILLER = [
    "Officials declined to say when the equipment would reach the front line.",
    "The announcement followed a meeting of defence ministers at {place}.",
    "Air raid alerts sounded across {place} overnight as drones approached the city.",
    "Engineers are expected to train crews on maintenance before the winter.",
    "The government will ask parliament to approve the spending next month.",
    "Analysts said the package would strengthen air defence around {place}.",
    "Part of the money is earmarked for ammunition produced by European firms.",
    "A logistics hub near {place} will handle the shipments, a spokesman said.",
]
FILTERED = [
    ("/api/ledger?actor={donor}&status=delivered", "ledger: donor + status"),
    ("/api/ledger?recipient=UKR&since={year}-01-01&until={year}-06-30&sort=-value", "ledger: recipient + dates, by value"),
    ("/api/ledger?category=air%20defence&actor={donor}", "ledger: category + donor"),
    ("/api/ledger?q={system}&actor={donor}", "ledger: article text + donor"),
    ("/api/totals?by=month&actor={donor}&since={year}-01-01", "totals: donor + since, by month"),
    ("/api/search?q={system}%20{place}", "search: two words"),
    ("/api/events?actor={donor}&type=AID", "events: donor + type"),
]
UNFILTERED = [
    ("/api/ledger", "ledger: first page"),
    ("/api/totals?by=donor", "totals: by donor, everything"),
    ("/ledger?actor={donor}", "page: ledger filtered by donor"),
    ("/", "page: overview"),
]


def article(act: int, n: int, donor: str, recipient: str, system: str | None, category: str,
            rng: random.Random) -> str:
    place = rng.choice(PLACES)
    what = system or category
    lead = (f"{place.upper()} ({OUTLETS[(act + n) % len(OUTLETS)]}) {NAMES.get(donor, donor)} will provide {what} "
            f"to {NAMES.get(recipient, recipient)}, officials said, in a package announced after talks in {place}.")
    rest = " ".join(rng.choice(FILLER).format(place=rng.choice(PLACES)) for _ in range(rng.randint(2, 5)))
    return f"{lead}\n\n{rest}"


def build(path: str, target: int, seed: int = 11) -> tuple[int, int]:
    """Write about ``target`` ledger events (and their documents and events) to ``path``."""
    rng = random.Random(seed)
    span = 10 * 365  # ten years of acts: about half a ledger event per act after merging
    records: list[dict[str, Any]] = []
    docs: list[dict[str, Any]] = []
    act = 0
    rules = load_rules()
    while act < target:
        act += 1
        donor, recipient = rng.choice(DONORS), rng.choice(RECIPIENTS)
        day = FIRST_DAY + timedelta(days=rng.randrange(span))
        system, category = rng.choice(SYSTEMS)
        items = [{"text": system or category, "category": category, "canonical": system or category,
                  "quantity": rng.choice([None, 2, 4, 10])}]
        kind, status = rng.choice([("AGREE", "pledged"), ("AID", "delivered"), ("SANCTION", "halted")])
        amount = round(rng.lognormvariate(19, 1.5), -6) if rng.random() < 0.7 else None
        for n in range(rng.choice([1, 1, 1, 2, 3])):
            published = day + timedelta(days=rng.randrange(0, 3))
            doc_id = f"d{act:07d}n{n}"
            value = None if amount is None else {"amount": amount, "currency": "EUR", "eur": amount,
                                                 "usd": amount * 1.1, "approximate": False, "text": f"{amount:g} euros"}
            rec = record(act, n, doc_id, published, kind, status, donor, recipient, _date(rng, day, published), value,
                         items)
            records.append(rec)
            text = article(act, n, donor, recipient, system, category, rng)
            doc = Document(id=doc_id, external_id=doc_id, source=f"/bench/{doc_id}.txt", raw_text=text, text=text,
                           content_hash=doc_id, url=f"https://news.example/{doc_id}", title=text.split(",")[0][:80],
                           published=published, published_precision="day", agency=rec["document"]["agency"])
            docs.append({**_document_row(doc, None, None), "status": "analysed"})
    with without_gc():
        rows = merge_reports([report_from_record(r, rules) for r in records], rules)
    with Store.open(path) as store, store._tx() as conn:
        for i in range(0, len(docs), 5000):
            conn.execute(insert(t.documents), docs[i:i + 5000])
        for i in range(0, len(records), 5000):
            conn.execute(insert(t.events), [_event_row(r, seq) for seq, r in enumerate(records[i:i + 5000])])
    with Store.open(path) as store:
        store.ledger.replace(None, [r.event for r in rows], [m for r in rows for m in r.members],
                             [k for r in rows for k in r.keys], 0)
    return len(records), len(rows)


def _event_row(rec: dict[str, Any], seq: int) -> dict[str, Any]:
    when, value = rec["date"] or {}, rec["value"] or {}
    return {"id": rec["id"], "document_id": rec["document"]["id"], "type": rec["type"], "mode": rec["mode"],
            "date_start": when.get("start"), "date_end": when.get("end"),
            "actor_codes": f" {rec['actor'][0]['country']} ", "recipient_codes": f" {rec['recipient'][0]['country']} ",
            "negated": False, "modality": "asserted", "status": rec["status"], "value_eur": value.get("eur"),
            "value_usd": value.get("usd"), "superseded": False, "seq": seq, "record": rec}


def serve(db: str) -> tuple[subprocess.Popen[str], str]:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    aidtrace = Path(sys.executable).with_name("aidtrace")
    proc = subprocess.Popen([str(aidtrace), "serve", "--db", db, "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2).close()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("aidtrace serve did not answer within 60 s")


def timings(base: str, template: str, requests: int, seconds: float, rng: random.Random) -> list[float]:
    out: list[float] = []
    stop = time.monotonic() + seconds
    for i in range(requests + 2):
        path = template.format(donor=rng.choice(DONORS[:12]), year=rng.choice([2022, 2023, 2024, 2025]),
                               system=urllib.parse.quote(rng.choice([s for s, _ in SYSTEMS if s])),
                               place=rng.choice(PLACES))
        started = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=120) as response:
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
        if i >= 2:  # the first two warm the caches
            out.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > stop:
            break
    return out


def row(label: str, ms: list[float], floor: float) -> str:
    ms = sorted(ms)
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"| {label} | {len(ms)} | {p50:.1f} | {p95:.1f} | {p95 / floor:.0f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="ledger events to aim for")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per endpoint")
    parser.add_argument("--seconds", type=float, default=60.0, help="time bound per endpoint")
    parser.add_argument("--db", help="keep the store here (reused when it exists)")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="aidtrace-bench-web-")
    db = args.db or os.path.join(tmp.name, "web.db")
    if not Path(db).exists():
        started = time.perf_counter()
        reports, events = build(db, int(args.events * 2.0))
        print(f"# built {db}: {reports:,} per-report events -> {events:,} ledger events "
              f"in {time.perf_counter() - started:.0f} s")
    with Store.open(db, readonly=True) as store:
        counts = store.counts()
    print(f"# aidtrace web latency — Python {platform.python_version()}, {os.cpu_count()} cores; "
          f"{counts['ledger_events']:,} ledger events, {counts['events']:,} events, {counts['documents']:,} documents; "
          f"loopback, one uvicorn process, {args.requests} requests per row after 2 warm-ups")
    proc, base = serve(db)
    rng = random.Random(5)
    try:
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/", timeout=300) as response:
            response.read()
        cold = (time.perf_counter() - started) * 1000
        floor_ms = timings(base, "/api/health", args.requests, args.seconds, rng)
        floor = statistics.median(floor_ms)
        print("\n| request | n | p50 ms | p95 ms | p95 / health p50 |\n|---|---:|---:|---:|---:|")
        print(row("baseline: /api/health", floor_ms, floor))
        for template, label in FILTERED + UNFILTERED:
            print(row(f"{label} (`{template}`)", timings(base, template, args.requests, args.seconds, rng), floor),
                  flush=True)
        print(f"| page: overview, first request after start (computed; then kept until the database changes) "
              f"| 1 | {cold:.1f} | {cold:.1f} | {cold / floor:.0f}x |")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        tmp.cleanup()


if __name__ == "__main__":
    main()
