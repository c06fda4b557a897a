"""spaCy's rule lemmatizer with its answers remembered: the same lemmas at a fraction of the cost.

requires: a Doc tagged, parsed and with the attribute rules applied (POS, MORPH; some LEMMA)
assigns:  LEMMA, exactly as spaCy's ``lemmatizer`` component does

spaCy's ``Lemmatizer`` visits every token as a Python ``Token`` object and, for a word it has
seen with the same part of speech and morphology, returns the lemma from its cache (keyed by
``(orth, pos, morph)``, ``Lemmatizer.rule_lemmatize``) — but only after building the object, and
not at all for base forms ("is_base_form"), which it works out again every time. The lemma is
a function of those three values alone, so ``MemoLemmatizer`` reads them for the whole Doc as
one array, looks each triple up in a memo, asks the wrapped lemmatizer only for triples it has
not seen, and writes the lemmas back as one array. Tokens that already have a lemma (set by the
attribute rules) keep it, as with spaCy's ``overwrite = False``.

The word lists the rules check a candidate lemma against (``lemma_index``, up to 57,000 words
per part of speech) are Python lists, searched from the start for every candidate; ``install``
makes them frozensets, which answer the same ``in`` in constant time (the tables are only read,
never saved).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

FACTORY = "aidtrace_memo_lemmatizer"
# Distinct (word, part of speech, morphology) triples remembered (cleared when full).
MEMO_SIZE = 500_000


class MemoLemmatizer:
    """A pipeline component wrapping a rule-mode ``Lemmatizer`` (its ``lookups`` stay readable)."""

    def __init__(self) -> None:
        self.lemmatizer: Any = None
        self._memo: dict[tuple[int, int, int], int] = {}

    @property
    def lookups(self) -> Any:
        """The wrapped lemmatizer's tables (headline casing reads its word lists)."""
        return self.lemmatizer.lookups

    def __call__(self, doc: Doc) -> Doc:
        import numpy
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if not len(doc):
            return doc
        strings, memo, lemmatize = doc.vocab.strings, self._memo, self.lemmatizer.lemmatize
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()):
            if lemma:  # set by the attribute rules; spaCy's lemmatizer does not overwrite it
                lemmas.append(lemma)
                continue
            key = (orth, pos, morph)
            found = memo.get(key)
            if found is None:
                found = strings.add(lemmatize(doc[i])[0])
                if pos:  # without a part of speech spaCy warns every time; let it
                    if len(memo) >= MEMO_SIZE:
                        memo.clear()
                    memo[key] = found
            lemmas.append(found)
        column: Any = numpy.array(lemmas, dtype=numpy.uint64).reshape(-1, 1)
        doc.from_array([LEMMA], column)
        return doc


def install(nlp: Language) -> bool:
    """Wrap the pipeline's ``lemmatizer`` in a ``MemoLemmatizer`` (same name and place); False,
    and nothing changed, when there is none or it is not a rule lemmatizer that keeps lemmas."""
    if "lemmatizer" not in nlp.pipe_names:
        return False
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", None) != "rule" or getattr(lemmatizer, "overwrite", True):
        return False
    index = lemmatizer.lookups.get_table("lemma_index", {})
    for pos, words in list(index.items()):
        index[pos] = frozenset(words)
    _register()
    names = nlp.component_names
    following = names[names.index("lemmatizer") + 1:]
    nlp.remove_pipe("lemmatizer")
    place: dict[str, Any] = {"before": following[0]} if following else {"last": True}
    component: Any = nlp.add_pipe(FACTORY, name="lemmatizer", **place)
    component.lemmatizer = lemmatizer
    return True


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory(FACTORY):
        Language.factory(FACTORY, func=lambda nlp, name: MemoLemmatizer())
