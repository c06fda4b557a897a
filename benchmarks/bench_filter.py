"""What the candidate filter keeps: sentences parsed, events and gold events, on every dev set (issue 12).

For each development set (the seeds, the news dev set, the PLOVER dev sentences) and the 89 VOA
stories, the input is ingested twice into fresh SQLite files, with the filter (the default) and
with ``--no-filter`` (every sentence parsed), and both exports are compared:

- sentences: how many the filter passes to the parser, of all sentences of the stored documents;
- events: how many events each export holds, and how many of the unfiltered run's are missing
  from the filtered one ("lost": the filter kept the parser from a sentence that yields an event;
  events are compared by document, type, actor, recipient and evidence sentence);
- gold: the required gold events and claims found, scored by ../shared/tools/score_events.py
  (the acceptance scorer, run as a separate process on each export).

It also times the filter itself on all those sentences: the automaton (``extract.candidates``)
against the regular expressions it replaced (``triggers.is_candidate or claims.may_hold_claim``):
the regular expressions pass every sentence with a trigger word, the automaton only those that
also hold the words one of its readings needs, so it passes fewer; a sentence it passes that the
regular expressions do not would be a fault (reported as "passed only by the automaton").

Usage: .venv/bin/python benchmarks/bench_filter.py [--jobs N] [--sets seeds news_dev plover_dev voa]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aidtrace import pipeline
from aidtrace.extract import claims, triggers
from aidtrace.extract.candidates import is_candidate
from aidtrace.nlp.pipeline import split_sentences
from aidtrace.settings import Settings
from aidtrace.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCORER = SHARED / "tools" / "score_events.py"
SETS = {
    "seeds": ("seeds", "acceptance/seeds_gold.jsonl"),
    "news_dev": ("acceptance/news_dev", "acceptance/news_dev_gold.jsonl"),
    "plover_dev": ("acceptance/plover_gsr_dev_input.jsonl", "acceptance/plover_gsr_dev_gold.jsonl"),
    "voa": ("data/voa/voa_stories.jsonl", None),
}


def run(inputs: Path, db: Path, settings: Settings, candidate_filter: bool) -> list[dict[str, Any]]:
    """Ingest into a fresh database; the export's records."""
    pipeline.ingest([str(inputs)], replace(settings, db=str(db), candidate_filter=candidate_filter))
    with Store.open(str(db), create=False) as store:
        return list(store.export_records())


def texts_of(db: Path) -> list[str]:
    with Store.open(str(db), create=False) as store:
        return [d.text for d in store.documents(include_duplicates=False, include_superseded=False)]


def event_key(rec: dict[str, Any]) -> tuple[Any, ...]:
    codes = [tuple(sorted((e.get("country") or e.get("org") or "") for e in rec.get(side) or []))
             for side in ("actor", "recipient")]
    return (rec["document"]["id"], rec.get("type"), *codes, (rec.get("evidence") or {}).get("sentence"))


def scored(records: list[dict[str, Any]], gold: Path, workdir: Path, name: str) -> dict[str, Any]:
    export = workdir / f"{name}.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = subprocess.run([sys.executable, str(SCORER), str(export), str(gold), "--json"],
                         capture_output=True, text=True, check=True).stdout
    return dict(json.loads(out))


def measure(name: str, settings: Settings, workdir: Path) -> tuple[dict[str, Any], list[str]]:
    source, gold_name = SETS[name]
    inputs = SHARED / source
    filtered = run(inputs, workdir / f"{name}-filter.db", settings, True)
    unfiltered = run(inputs, workdir / f"{name}-all.db", settings, False)
    sentences = [s.text for text in texts_of(workdir / f"{name}-all.db") for s in split_sentences(text)]
    events = [[r for r in recs if r["record"] == "event"] for recs in (filtered, unfiltered)]
    kept_keys = {event_key(r) for r in events[0]}
    lost = [r for r in events[1] if event_key(r) not in kept_keys]
    row: dict[str, Any] = {
        "set": name, "sentences": len(sentences), "kept": sum(map(is_candidate, sentences)),
        "events_filter": len(events[0]), "events_all": len(events[1]), "lost": len(lost),
        "gained": len({event_key(r) for r in events[0]} - {event_key(r) for r in events[1]}),
    }
    if gold_name:
        on, off = (scored(recs, SHARED / gold_name, workdir, f"{name}-{tag}")
                   for recs, tag in ((filtered, "filter"), (unfiltered, "all")))
        row["gold"] = f"{on['required_found']}/{on['required']}"
        row["gold_all"] = f"{off['required_found']}/{off['required']}"
        row["recall"], row["recall_all"] = on["recall"], off["recall"]
    for rec in lost:
        print(f"  lost in {name}: {rec['type']} {(rec.get('evidence') or {}).get('sentence')!r}", file=sys.stderr)
    return row, sentences


def filter_speed(sentences: list[str]) -> str:
    """Both filters over the same sentences: time, how many each passes, and any sentence that only
    the automaton passes."""
    is_candidate(sentences[0])
    by_regex = [triggers.is_candidate(s) or claims.may_hold_claim(s) for s in sentences[:5]]
    start = time.perf_counter()
    by_regex = [triggers.is_candidate(s) or claims.may_hold_claim(s) for s in sentences]
    regex_s = time.perf_counter() - start
    start = time.perf_counter()
    by_automaton = [is_candidate(s) for s in sentences]
    auto_s = time.perf_counter() - start
    only_automaton = sum(b and not a for a, b in zip(by_regex, by_automaton, strict=True))
    return (f"filter over {len(sentences):,} sentences: regular expressions {1000 * regex_s / len(sentences):.3f} "
            f"ms/sentence, {sum(by_regex):,} passed; automaton {1000 * auto_s / len(sentences):.3f} ms/sentence "
            f"({regex_s / auto_s:.0f}x), {sum(by_automaton):,} passed; passed only by the automaton: "
            f"{only_automaton}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    args = parser.parse_args()
    settings = Settings.load(jobs=args.jobs)
    rows, sentences = [], []
    with tempfile.TemporaryDirectory(prefix="bench_filter_") as tmp:
        for name in args.sets:
            row, sents = measure(name, settings, Path(tmp))
            rows.append(row)
            sentences += sents
    print(f"{'set':<11} {'sentences':>9} {'parsed':>14} {'events':>13} {'lost':>4} {'gained':>6} "
          f"{'gold found (filter / all)':>26}")
    for r in rows:
        share = f"{r['kept']} ({100 * r['kept'] / r['sentences']:.1f}%)"
        gold = f"{r['gold']} / {r['gold_all']}" if "gold" in r else "-"
        print(f"{r['set']:<11} {r['sentences']:>9} {share:>14} {r['events_filter']:>6}/{r['events_all']:<6} "
              f"{r['lost']:>4} {r['gained']:>6} {gold:>26}")
    print()
    print(filter_speed(sentences))


if __name__ == "__main__":
    main()
