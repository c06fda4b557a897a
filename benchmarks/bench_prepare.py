"""The storing stage per document (issues 11 and 12): cleaning, signing, and the writer's inserts.

Each piece runs with its shortcut and without it, interleaved round by round, in one process
(CPU seconds of this process, median of ``--repeat`` rounds):

- preparing: ``pipeline.prepare_partition`` (clean -> MinHash) with the caption, credit and
  furniture rules' pre-check (``ingest/gate.py``) and with it switched off (every rule runs
  its regular expression on every paragraph);
- signing: ``dedup.signature`` against a reference written as the signature used to be computed
  (each shingle joined and encoded apart, each SHA-1 prefix converted apart);
- storing: ``pipeline._store_documents`` into a fresh SQLite file, a partition of 16 documents
  per transaction, with ``DocumentBatch.expect`` and with it switched off (two queries and an
  insert per document).

Every pair must give the same documents, signatures and storing decisions (checked). The input
is ``bench_scale.py``'s corpus: distinct articles made from the 89 VOA stories
(``../shared/data/voa/voa_stories.jsonl``), none a near-duplicate of another.

Usage: .venv/bin/python benchmarks/bench_prepare.py [--repeat 5] [--articles 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from aidtrace import pipeline
from aidtrace.ingest import dedup, readers
from aidtrace.ingest.captions import caption_rules
from aidtrace.ingest.clean import furniture
from aidtrace.model import RawRecord
from aidtrace.settings import Settings
from aidtrace.store import Store
from aidtrace.store.db import DocumentBatch


def corpus(folder: Path, articles: int) -> list[Any]:
    """Input units: ``articles`` distinct articles made from the VOA stories as ``bench_scale.py``
    makes its corpus (halves of two stories, then thirds of three)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scale import make_corpus

    make_corpus(articles, folder / "corpus")
    return list(readers.input_units([str(folder / "corpus")]))


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def gated_rules() -> list[Any]:
    rules = caption_rules()
    return [*rules.credits, *rules.weak_cues, *rules.strong_cues,
            *(p for rule in furniture().line_rules for p in rule.patterns), *(p for _, p in furniture().inline_rules)]


def clean_without_gate(records: list[Any]) -> list[Any]:
    rules = gated_rules()
    saved = [rule.needs for rule in rules]
    for rule in rules:
        rule.needs = ()
    try:
        return pipeline.prepare_partition(records)
    finally:
        for rule, needs in zip(rules, saved, strict=True):
            rule.needs = needs


def reference_signature(text: str) -> dedup.Signature | None:
    """The signature computed as before: shingles built apart, prefixes converted one by one."""
    words = dedup._WORD.findall(text.lower())
    if len(words) <= dedup.SHINGLE_WORDS:
        grams = {" ".join(words).encode("utf-8")} if words else set()
    else:
        grams = {" ".join(words[i:i + dedup.SHINGLE_WORDS]).encode("utf-8")
                 for i in range(len(words) - dedup.SHINGLE_WORDS + 1)}
    if not grams:
        return None
    hv = np.fromiter((int.from_bytes(hashlib.sha1(g).digest()[:4], "little") for g in grams),
                     dtype=np.uint32, count=len(grams))
    a, b = dedup._permutations()
    with np.errstate(over="ignore"):
        return dedup.Signature((dedup._fmix32(hv)[:, None] * a + b).min(axis=0))


def store_all(items: list[Any], folder: Path, name: str, expect: bool) -> list[tuple[str, str]]:
    prepared = [i for i in items if isinstance(i, pipeline.Prepared)]
    original = DocumentBatch.expect
    if not expect:
        DocumentBatch.expect = lambda self, docs: None  # type: ignore[method-assign]
    try:
        with Store.open(str(folder / f"{name}.db")) as store:
            index = dedup.NearDuplicateIndex.from_store(store.minhashes(), Settings().near_duplicate_threshold)
            out = []
            for start in range(0, len(prepared), 16):
                stored = pipeline._store_documents(store, index, prepared[start:start + 16], None)
                out += [(s[0].id, s[1]) for s in stored if isinstance(s, tuple)]
            return out
    finally:
        DocumentBatch.expect = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        records = pipeline.read_records(corpus(folder, args.articles))
        texts = [r.text for r in records if isinstance(r, RawRecord)]
        pipeline.prepare_partition(records[:20])  # rules compiled, modules imported
        times: dict[str, list[float]] = {k: [] for k in
                                         ("prepare", "prepare, no pre-check", "sign", "sign, reference",
                                          "store", "store, no expect")}
        for round_ in range(args.repeat):
            seconds, fast = cpu(lambda: pipeline.prepare_partition(records))
            times["prepare"].append(seconds)
            seconds, slow = cpu(lambda: clean_without_gate(records))
            times["prepare, no pre-check"].append(seconds)
            if repr(fast) != repr(slow):
                raise SystemExit("the pre-check changed a cleaned document")
            seconds, sigs = cpu(lambda: [dedup.signature(t) for t in texts])
            times["sign"].append(seconds)
            seconds, refs = cpu(lambda: [reference_signature(t) for t in texts])
            times["sign, reference"].append(seconds)
            if any((a is None) != (b is None) or (a is not None and b is not None
                                                  and not np.array_equal(a.hashvalues, b.hashvalues))
                   for a, b in zip(sigs, refs, strict=True)):
                raise SystemExit("the signature differs from the reference")
            seconds, batched = cpu(partial(store_all, fast, folder, f"expect{round_}", True))
            times["store"].append(seconds)
            seconds, single = cpu(partial(store_all, fast, folder, f"single{round_}", False))
            times["store, no expect"].append(seconds)
            if batched != single:
                raise SystemExit("expect changed a storing decision")
        docs = len(texts)
        print(f"{docs} documents, {args.repeat} rounds, CPU ms per document (median)\n")
        print("| step | with the shortcut | without | ratio |")
        print("|---|---:|---:|---:|")
        for step, base in (("prepare", "prepare, no pre-check"), ("sign", "sign, reference"), ("store", "store, no expect")):
            fast_ms = statistics.median(times[step]) / docs * 1000
            slow_ms = statistics.median(times[base]) / docs * 1000
            print(f"| {step} | {fast_ms:.2f} | {slow_ms:.2f} | {fast_ms / slow_ms:.2f}x |")


if __name__ == "__main__":
    main()
