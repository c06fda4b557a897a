"""Share of ConfliBERT cameo_ner actor spans (source/target/reciprocal) that overlap a resolved mention.

Reads ../shared/data/conflibert/cameo_ner/train.txt (CoNLL: ``token tag``, blank line between
sentences; tags B-/I- S, T, R; see that folder's README), rebuilds each sentence with character
offsets, runs ``resolve_mentions`` on it and counts the gold actor spans that any resolved mention
overlaps. The sentences carry no date, so roles resolve as of today. Prints the figures, with and
without the spaCy parse, and the time taken.

Usage: .venv/bin/python benchmarks/conflibert_actor_coverage.py [path/to/train.txt]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from aidtrace.extract.actors import entity_at, resolve_mentions
from aidtrace.model import Document
from aidtrace.nlp.pipeline import analyse

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "conflibert" / "cameo_ner" / "train.txt"
NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "%", "'s", "’", "'", "”", "-", "n't"}
NO_SPACE_AFTER = {"(", "$", "€", "“", "-", "’", "'"}


@dataclass
class Sample:
    """One rebuilt sentence and its gold actor spans as (tag, start, end)."""

    text: str
    spans: list[tuple[str, int, int]]


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences as lists of (token, tag)."""
    sentences: list[list[tuple[str, str]]] = [[]]
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            sentences[-1].append((parts[0], parts[-1]))
        elif sentences[-1]:
            sentences.append([])
    return [s for s in sentences if s]


def _glued(prev: str, tok: str) -> bool:
    """True when ``tok`` joins ``prev`` without a space (undoing the Penn-style split)."""
    accent = len(tok) == 1 and not tok.isascii() and tok.isalpha()
    after_accent = len(prev) == 1 and not prev.isascii() and prev.isalpha() and tok[:1].islower()
    return tok in NO_SPACE_BEFORE or prev in NO_SPACE_AFTER or accent or after_accent


def rebuild(tokens: list[tuple[str, str]]) -> Sample:
    """Detokenise a sentence and turn BIO tags into character spans."""
    text, spans = "", []
    open_span: list[object] | None = None
    prev = ""
    for tok, tag in tokens:
        if text and not _glued(prev, tok):
            text += " "
        start = len(text)
        text += tok
        prev = tok
        if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
            open_span = [tag[2:], start, len(text)]
            spans.append(open_span)
        elif tag.startswith("I-") and open_span is not None:
            open_span[2] = len(text)
        else:
            open_span = None
    return Sample(text, [(str(s[0]), int(s[1]), int(s[2])) for s in spans])  # type: ignore[call-overload]


def coverage(samples: list[Sample], parse: bool) -> tuple[Counter[str], Counter[str], float]:
    """(spans per tag, covered spans per tag, seconds) over all samples."""
    t0 = time.perf_counter()
    parsed = list(analyse([s.text for s in samples], is_candidate=None if parse else (lambda _: False)))
    total, hit = Counter[str](), Counter[str]()
    for sample, sentences in zip(samples, parsed, strict=True):
        doc = Document(id="c", external_id="c", source="conflibert", raw_text=sample.text,
                       text=sample.text, content_hash="c")
        mentions = resolve_mentions(doc, sentences)
        for tag, start, end in sample.spans:
            total[tag] += 1
            hit[tag] += bool(entity_at(mentions, start, end))
    return total, hit, time.perf_counter() - t0


def report(label: str, total: Counter[str], hit: Counter[str], seconds: float) -> None:
    """Print one line per tag and the overall share."""
    names = {"S": "source", "T": "target", "R": "reciprocal"}
    print(f"{label} ({seconds:.1f} s)")
    for tag in ("S", "T", "R"):
        share = hit[tag] / total[tag] if total[tag] else 0.0
        print(f"  {names[tag]:<10} {hit[tag]:>5} / {total[tag]:<5} = {share:6.1%}")
    all_total, all_hit = sum(total.values()), sum(hit.values())
    print(f"  {'all':<10} {all_hit:>5} / {all_total:<5} = {all_hit / all_total:6.1%}")


def main(argv: list[str]) -> None:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    samples = [rebuild(s) for s in read_conll(path)]
    print(f"{len(samples)} sentences, {sum(len(s.spans) for s in samples)} actor spans from {path}")
    report("with parse", *coverage(samples, parse=True))
    report("without parse (gazetteer + surface composition)", *coverage(samples, parse=False))


if __name__ == "__main__":
    main(sys.argv)
