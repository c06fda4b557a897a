"""Headlines, rewritten for the parser in the prose it was trained on.

The small English model reads "Senate Clears Stalled Arms Package" as five proper nouns, and
the headline comma of "Armenia, France sign plan" (for "and") as an apposition. The parser is
given a copy of such a line in sentence case, with the headline comma as "&" ("Armenia& France
sign defense cooperation plan"), of the same length so that every offset holds; the parse is
then put back on the line's own words.

requires: the sentences of a document (``Sentence`` from nlp/pipeline.py) and the loaded
          spaCy pipeline (its lemmatizer's word lists tell common words from names).
assigns:  nothing; ``parse_texts`` says what to parse, ``with_words_of`` restores the words.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ..datafiles import load_yaml, read_text

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from .pipeline import Sentence

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
# a word that may be lower-cased: one capital, then lower-case letters ("Clears", not "US" or "McCain")
_PLAIN_CAPITALISED = re.compile(r"[A-Z][a-z]+")
# a word after one of these starts a phrase of its own, like the first word of a sentence
_PHRASE_START = re.compile(r"(?:^|[:—–“\"‘(]|\s-)\s*$")
_POSSESSIVE = re.compile(r"['’]s$")
# A headline opening with a list of names and then its verb: "Denmark, Sweden, Norway to provide",
# "Armenia, France sign" (after sentence casing). Group 1 is the list.
_NAME = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}"
_LISTED_SUBJECTS = re.compile(rf"^((?:{_NAME}, ){{1,5}}(?:and )?{_NAME}) (?=[a-z])")


@cache
def _minor_words() -> frozenset[str]:
    return frozenset(str(w) for w in load_yaml("headline_case.yaml")["minor_words"])


@cache
def _name_words() -> frozenset[str]:
    """Words of country names, adjectives and capitals (data/actors/countries.tsv and ISO 3166),
    months and weekdays: names that an English word list also holds ("Ukraine", "Turkey", "May")."""
    import pycountry

    lines = [ln for ln in read_text("actors", "countries.tsv").splitlines() if ln and not ln.startswith("#")]
    cells = [cell for row in csv.reader(lines, delimiter="\t") for cell in row[1:]]
    cells += [c.name for c in pycountry.countries] + [getattr(c, "common_name", "") for c in pycountry.countries]
    cells += [str(name) for name in load_yaml("headline_case.yaml")["names"]]
    return frozenset(w for cell in cells for w in re.findall(r"[A-Z][a-z]+", cell))


def is_title_case(line: str) -> bool:
    """Whether a line is written in Title Case: every word after the first is capitalised, but
    for short function words, and at least two are.

    Args:
        line: one sentence or headline.
    """
    words = [m.group(0) for m in _WORD.finditer(line)][1:]
    if not 2 <= len(words) <= 30:
        return False
    minor = _minor_words()
    capitalised = 0
    for word in words:
        if word.casefold() in minor:
            continue
        if not word[0].isupper():
            return False
        capitalised += 1
    return capitalised >= 2


def proper_words(sentences: Iterable[Sentence]) -> frozenset[str]:
    """Words a document writes capitalised inside its sentences (not first, not in a Title Case
    line, not opening a quote or a phrase): the names it uses.

    Args:
        sentences: the document's sentences.
    """
    found: set[str] = set()
    for sent in sentences:
        if is_title_case(sent.text):
            continue
        for match in list(_WORD.finditer(sent.text))[1:]:
            if match.group(0)[0].isupper() and not _PHRASE_START.search(sent.text[:match.start()]):
                found.add(_POSSESSIVE.sub("", match.group(0)))
    return frozenset(found)


_POS = ("noun", "verb", "adj", "adv")


@lru_cache(maxsize=4)
def _word_lists(nlp: Language) -> tuple[dict[str, frozenset[str]], dict[str, Any], dict[str, Any]]:
    """The lemmatizer's English word lists per part of speech, its suffix rules and exceptions."""
    lookups = nlp.get_pipe("lemmatizer").lookups  # type: ignore[attr-defined]
    index, rules, exceptions = (lookups.get_table(t) for t in ("lemma_index", "lemma_rules", "lemma_exc"))
    return ({pos: frozenset(index[pos]) for pos in _POS}, {pos: rules.get(pos, []) for pos in _POS},
            {pos: exceptions.get(pos, {}) for pos in _POS})


def _is_common_word(word: str, nlp: Language) -> bool:
    """Whether the lemmatizer's English word lists hold the word, or a lemma of it by its rules."""
    words, rules, exceptions = _word_lists(nlp)
    lower = word.lower()
    for pos in _POS:
        if lower in words[pos] or lower in exceptions[pos]:
            return True
        if any(lower.endswith(old) and lower[: len(lower) - len(old)] + new in words[pos]
               for old, new in rules[pos]):
            return True
    return False


def sentence_case(line: str, proper: frozenset[str], nlp: Language) -> str:
    """A copy of a Title Case line with its capitalised common words in lower case; the first
    word, acronyms, names (the document's ``proper`` words, country names) stay. Same length.

    Args:
        line: a Title Case line.
        proper: words the document writes capitalised inside sentences.
        nlp: the loaded pipeline (its lemmatizer's word lists).
    """
    chars = list(line)
    names = _name_words()
    for match in _WORD.finditer(line):
        word = _POSSESSIVE.sub("", match.group(0))
        if (_PHRASE_START.search(line[:match.start()]) or not _PLAIN_CAPITALISED.fullmatch(word)
                or word in proper or word in names or not _is_common_word(word, nlp)):
            continue
        chars[match.start():match.start() + len(word)] = word.lower()
    return "".join(chars)


def is_headline(line: str) -> bool:
    """A short line without final punctuation, as headlines are written.

    Args:
        line: one sentence or headline.
    """
    # quotes both ways: a sentence split before a quote opens ends with one ('... said. “')
    stripped = line.rstrip().rstrip("\"'“”‘’«»)]").rstrip()
    return 2 < len(line.split()) <= 25 and bool(stripped) and stripped[-1] not in ".!?;:,"


def headline_commas(line: str) -> str:
    """A headline whose subjects are listed with commas ("Armenia, France sign ...") with each of
    those commas as "&", the way the parser reads a coordination. Same length.

    Args:
        line: a headline (already sentence-cased, so that its verb is in lower case).
    """
    match = _LISTED_SUBJECTS.match(line)
    if not match:
        return line
    return match.group(1).replace(", ", "& ") + line[match.end(1):]


def headline_copy(line: str, proper: frozenset[str], nlp: Language) -> str:
    """What the parser should read for a headline: sentence case for Title Case, "&" for the
    commas of its listed subjects. Same length as ``line``.

    Args:
        line: a sentence or headline.
        proper: words the document writes capitalised inside sentences.
        nlp: the loaded pipeline.
    """
    if is_title_case(line):
        line = sentence_case(line, proper, nlp)
    return headline_commas(line) if is_headline(line) else line


def parse_texts(docs: Sequence[Sequence[Sentence]], wanted: Sequence[Sentence], nlp: Language) -> list[str]:
    """What to give the parser for each wanted sentence: the ``headline_copy`` of a headline, else
    the sentence itself.

    Args:
        docs: every document's sentences (the document tells which words are names).
        wanted: the sentences to parse, each one of ``docs``.
        nlp: the loaded pipeline.
    """
    owner = {id(s): i for i, sents in enumerate(docs) for s in sents}
    propers: dict[int, frozenset[str]] = {}
    out: list[str] = []
    for sent in wanted:
        if not (is_title_case(sent.text) or is_headline(sent.text)):
            out.append(sent.text)
            continue
        doc = owner[id(sent)]
        if doc not in propers:
            propers[doc] = proper_words(docs[doc])
        out.append(headline_copy(sent.text, propers[doc], nlp))
    return out


def with_words_of(parsed: Doc, text: str) -> Doc:
    """The parse of a sentence-cased copy, put back on the words of ``text`` (same length).

    Args:
        parsed: the parse of the copy.
        text: the original line.
    """
    from spacy.tokens import Doc

    if parsed.text == text:
        return parsed
    return Doc(parsed.vocab, words=[text[t.idx:t.idx + len(t)] for t in parsed],
               spaces=[bool(t.whitespace_) for t in parsed], tags=[t.tag_ for t in parsed],
               pos=[t.pos_ for t in parsed], morphs=[str(t.morph) for t in parsed],
               lemmas=[t.lemma_ for t in parsed], heads=[t.head.i for t in parsed],
               deps=[t.dep_ for t in parsed])
