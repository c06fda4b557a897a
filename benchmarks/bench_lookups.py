"""Two table look-ups of the analysis stage against the loops they replace (issue 12).

Each pair runs interleaved round by round in one process (CPU seconds, median of ``--repeat``
rounds), and must give the same answers (checked):

- items: ``extract.items.find_items`` over every sentence of the 89 VOA stories, each taxonomy
  regular expression behind its literal-prefix pre-check (``ingest.gate.PrefixGate``), against
  ``find_items(text, pre_check=False)``, every expression run on every sentence;
- attribute rules: the outcomes of the attribute ruler's tests for every distinct word of the
  VOA stories (what ``nlp.attribute_rules`` computes the first time a worker meets a word), one
  dictionary look-up per word (``_ColumnOutcomes``) against calling each of the ruler's tests.

Usage: .venv/bin/python benchmarks/bench_lookups.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_scale import VOA  # the scripts run from benchmarks/, which is then on sys.path

from aidtrace.extract import items
from aidtrace.nlp.pipeline import load_nlp


def voa_texts() -> list[str]:
    return [json.loads(line)["text"] for line in VOA.read_text(encoding="utf-8").splitlines() if line.strip()]


def cpu(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = voa_texts()
    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    rules = load_nlp().get_pipe("attribute_rules").rules
    column = rules.columns.index("LOWER")
    tests, outcomes = rules.tests[column], rules._outcomes[column]
    words = sorted({w.lower() for text in texts for w in re.findall(r"\w+|[^\w\s]", text)})

    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "items": (lambda: [items.find_items(s) for s in sentences], lambda: [items.find_items(s, pre_check=False) for s in sentences]),
        "attribute rules": (lambda: [outcomes(w) for w in words], lambda: [tuple(t(w) for t in tests) for w in words]),
    }
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in pairs}
    for round_ in range(args.repeat):
        for name, (new, old) in pairs.items():
            order = [(0, new), (1, old)] if round_ % 2 == 0 else [(1, old), (0, new)]
            got = {}
            for slot, fn in order:
                seconds, got[slot] = cpu(fn)
                times[name][slot].append(seconds)
            if got[0] != got[1]:
                sys.exit(f"{name}: the look-up and the loop give different answers")
    print(f"{len(sentences)} VOA sentences, {len(words)} distinct words; CPU s, median of {args.repeat} rounds\n")
    print("| what | with the look-up | without | ratio |")
    print("|---|---:|---:|---:|")
    for name, (new, old) in times.items():
        a, b = statistics.median(new), statistics.median(old)
        print(f"| {name} | {a:.3f} | {b:.3f} | {a / b:.2f}x |")


if __name__ == "__main__":
    main()
