"""Cleaning never costs the story (issue 8): every evidence string of the shared gold files
(events, claims, negated events) is still in one sentence of the cleaned text, outside the
document's furniture spans. Articles and gold are read from ../shared at run time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aidtrace.ingest.meta import build_document
from aidtrace.ingest.readers import read_inputs
from aidtrace.model import Document, RawRecord
from aidtrace.nlp.pipeline import split_sentences

SETS = [("seeds", "acceptance/seeds_gold.jsonl"), ("acceptance/news_dev", "acceptance/news_dev_gold.jsonl")]


def norm(text: str) -> str:
    """As ../shared/tools/score_events.py compares evidence: straight quotes, one space, lower case."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def documents(folder: Path) -> dict[str, Document]:
    docs = [build_document(r) for r in read_inputs([str(folder)]) if isinstance(r, RawRecord)]
    return {Path(d.source).name: d for d in docs}


def body_sentences(doc: Document) -> list[str]:
    return [norm(s.text) for s in split_sentences(doc.text)
            if not any(start <= s.start < end for start, end in doc.furniture)]


@pytest.mark.parametrize(("inputs", "gold_name"), SETS)
def test_every_gold_evidence_survives_cleaning(shared: Path, inputs: str, gold_name: str) -> None:
    docs = documents(shared / inputs)
    sentences = {name: body_sentences(doc) for name, doc in docs.items()}
    lost = []
    checked = 0
    for line in (shared / gold_name).read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("kind") not in ("event", "claim", "negated"):
            continue
        evidence = item.get("evidence") or []
        for text in [evidence] if isinstance(evidence, str) else evidence:
            checked += 1
            if not any(norm(text) in s for s in sentences[item["doc"]]):
                lost.append(f"{item['id']}: {text}")
    assert checked > 10
    assert lost == []
