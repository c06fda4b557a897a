"""The candidate filter: which sentences may yield an event or a claim, and so are parsed.

requires: a sentence's raw text; the trigger lexicon and the claim cues
assigns:  nothing; ``is_candidate(text)`` is True when the sentence holds a trigger word form,
          or an amount together with a word that may make it a statistic

One automaton holds every trigger word form (``triggers.candidate_words``, derived from the
lexicon, so every change to it flows through) and every claim cue (``claims.claim_cue_words``).
A sentence's words (runs of word characters, lower-cased) are looked up in it once; a phrase
("as many as", "co-production") continues over the exact text between its words. This makes
the same decisions as searching the regular expressions that ``triggers.is_candidate`` and
``claims.may_hold_claim`` build from the same word lists (tests/test_candidates.py checks it
sentence by sentence on the development sets), in a time that does not grow with the lexicon.

Word boundaries and case follow Python's regular expressions exactly: a word of the lists is
found when it spans whole runs of ``\\w`` characters, compared case-insensitively. The few
characters that such a search equates with an ASCII letter although ``str.lower`` does not
("İ", "ı", "ſ") are mapped to it first; entries the automaton cannot express (starting or
ending with a non-word character, or not ASCII) are searched with a regular expression.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ..cache import cached
from . import claims, triggers

TRIGGER, CLAIM_CUE = 1, 2
_RUN = re.compile(r"\w+")
_PIECES = re.compile(r"\w+|\W+")


@dataclass
class WordAutomaton:
    """Word sequences mapped to flags, found in a text by one pass over its words."""

    words: dict[str, int] = field(default_factory=dict)  # one-word entries
    # phrases by their first word: the rest as (separator, word, separator, word, ...)
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = field(default_factory=dict)
    residual: list[tuple[re.Pattern[str], int]] = field(default_factory=list)
    folding: dict[int, str] = field(default_factory=dict)  # characters a case-insensitive search equates
    all_flags: int = 0

    @classmethod
    def build(cls, entries: Iterable[tuple[str, int]]) -> WordAutomaton:
        """An automaton of (entry, flag) pairs; an entry may appear with several flags."""
        auto = cls(folding=_case_folding())
        for entry, flag in entries:
            auto.add(entry.lower(), flag)
        return auto

    def add(self, entry: str, flag: int) -> None:
        self.all_flags |= flag
        pieces = _PIECES.findall(entry)
        if not pieces or not entry.isascii() or not _RUN.fullmatch(pieces[0]) or not _RUN.fullmatch(pieces[-1]):
            self.residual.append((re.compile(rf"\b(?:{re.escape(entry)})\b", re.IGNORECASE), flag))
        elif len(pieces) == 1:
            self.words[entry] = self.words.get(entry, 0) | flag
        else:
            self.phrases.setdefault(pieces[0], []).append((tuple(pieces[1:]), flag))

    def flags(self, text: str, wanted: int = -1) -> int:
        """The flags of every entry found in ``text`` (stops early once all of ``wanted`` are found)."""
        wanted &= self.all_flags
        lowered = (text if text.isascii() else text.translate(self.folding)).lower()
        runs = list(_RUN.finditer(lowered))
        found = 0
        for i, run in enumerate(runs):
            word = run.group()
            found |= self.words.get(word, 0)
            for rest, flag in self.phrases.get(word, ()):
                if flag & ~found and _continues(lowered, runs, i, rest):
                    found |= flag
            if found & wanted == wanted:
                return found
        for pattern, flag in self.residual:
            if flag & ~found and pattern.search(text):
                found |= flag
        return found


def _continues(text: str, runs: list[re.Match[str]], i: int, rest: tuple[str, ...]) -> bool:
    """Whether the words after ``runs[i]``, and the text between them, spell ``rest``."""
    end = runs[i].end()
    for k in range(0, len(rest), 2):
        j = i + 1 + k // 2
        if j >= len(runs) or text[end:runs[j].start()] != rest[k] or runs[j].group() != rest[k + 1]:
            return False
        end = runs[j].end()
    return True


def _case_folding() -> dict[int, str]:
    """Non-ASCII characters that Python's case-insensitive search equates with an ASCII letter
    but ``str.lower`` does not map to it (the Turkish dotted and dotless i, the long s)."""
    chars = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folding = {}
    for char in re.findall("[a-z]", chars, re.IGNORECASE):
        letter = next(a for a in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(a, char, re.IGNORECASE))
        if char.lower() != letter:
            folding[ord(char)] = letter
    return folding


def _build() -> WordAutomaton:
    words = [(w, TRIGGER) for w in triggers.candidate_words(triggers.load_lexicon())]
    words += [(w, CLAIM_CUE) for w in claims.claim_cue_words()]
    return WordAutomaton.build(words)


@lru_cache(maxsize=1)
def automaton() -> WordAutomaton:
    """The candidate automaton, once per process (from the compiled cache, ``aidtrace.cache``)."""
    return cached("candidates", _build)


def is_candidate(text: str) -> bool:
    """Whether a sentence must be parsed: it has a trigger word form, or an amount and a word
    that may make it a statistic (the decision of ``triggers.is_candidate(text) or
    claims.may_hold_claim(text)``)."""
    found = automaton().flags(text, wanted=TRIGGER)
    if found & TRIGGER:
        return True
    return bool(found & CLAIM_CUE) and claims.has_amount_hint(text)
