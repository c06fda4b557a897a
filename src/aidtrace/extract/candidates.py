"""The candidate filter: which sentences may yield an event or a claim, and so are parsed.

requires: a sentence's raw text; the trigger lexicon and the claim cues
assigns:  nothing; ``is_candidate(text)`` is True when the sentence holds a trigger word form
          with the words one of its readings needs, or an amount together with a word that may
          make it a statistic

One automaton holds every trigger word form (``triggers.candidate_words``, derived from the
lexicon, so every change to it flows through) and every claim cue (``claims.claim_cue_words``).
A sentence's words (runs of word characters, lower-cased) are looked up in it once; a phrase
("as many as", "co-production") continues over the exact text between its words. A trigger
word counts only when one of its readings could hold: the words that the lexicon's senses ask
of the parse must be in the sentence somewhere ("send" with a word of the class "aid" or
"military", "call" with "for" or "on", a light noun with a light verb or a possessor;
``triggers.candidate_conditions``). About a quarter of the sentences that hold a trigger word
hold none of its readings' words, and are not parsed.

Without those conditions, the automaton makes the same decisions as searching the regular
expressions that ``triggers.is_candidate`` and ``claims.may_hold_claim`` build from the same
word lists; with them, it passes a subset of those sentences (tests/test_candidates.py checks
both on the development sets, and that every sentence an event or claim comes from is kept),
in a time that does not grow with the lexicon.

Word boundaries and case follow Python's regular expressions exactly: a word of the lists is
found when it spans whole runs of ``\\w`` characters, compared case-insensitively. The few
characters that such a search equates with an ASCII letter although ``str.lower`` does not
("İ", "ı", "ſ") are mapped to it first; entries the automaton cannot express (starting or
ending with a non-word character, or not ASCII) are searched with a regular expression.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ..cache import cached
from . import claims, triggers
from .triggers import Alternative

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
    # one-word entries found only with other words: word -> (flag, alternatives), see ``add``
    conditional: dict[str, tuple[int, tuple[Alternative, ...]]] = field(default_factory=dict)
    folding: dict[int, str] = field(default_factory=dict)  # characters a case-insensitive search equates
    all_flags: int = 0

    @classmethod
    def build(cls, entries: Iterable[tuple[str, int]],
              conditions: dict[str, list[Alternative]] | None = None, conditional_flag: int = 0) -> WordAutomaton:
        """An automaton of (entry, flag) pairs; an entry may appear with several flags.

        Args:
            entries: the (entry, flag) pairs.
            conditions: for entries with ``conditional_flag``, the alternatives of words one of
                which must hold in the text for the entry to count (absent: it always counts).
        """
        conditions = conditions or {}
        auto = cls(folding=_case_folding())
        for entry, flag in entries:
            entry = entry.lower()
            auto.add(entry, flag, conditions.get(entry) if flag == conditional_flag else None)
        return auto

    def add(self, entry: str, flag: int, alternatives: Sequence[Alternative] | None = None) -> None:
        """Add an entry (lower case). With ``alternatives`` (a one-word entry), it counts only in a
        text whose words meet every requirement of one of them (a requirement: a set of words of
        which one must be there); an empty alternative, or none given, makes it count always."""
        self.all_flags |= flag
        pieces = _PIECES.findall(entry)
        if not pieces or not entry.isascii() or not _RUN.fullmatch(pieces[0]) or not _RUN.fullmatch(pieces[-1]):
            self.residual.append((re.compile(rf"\b(?:{re.escape(entry)})\b", re.IGNORECASE), flag))
        elif len(pieces) == 1 and alternatives and all(alternatives):
            old_flag, old = self.conditional.get(entry, (flag, ()))
            if old_flag != flag:
                raise ValueError(f"{entry!r}: conditions for two flags")
            self.conditional[entry] = (flag, (*old, *(a for a in alternatives if a not in old)))
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
        pending: list[tuple[int, tuple[Alternative, ...]]] = []
        for i, run in enumerate(runs):
            word = run.group()
            found |= self.words.get(word, 0)
            for rest, flag in self.phrases.get(word, ()):
                if flag & ~found and _continues(lowered, runs, i, rest):
                    found |= flag
            if word in self.conditional:
                pending.append(self.conditional[word])
            if found & wanted == wanted:
                return found
        if pending:
            words = {run.group() for run in runs}
            for flag, alternatives in pending:
                if flag & ~found and any(all(need & words for need in alt) for alt in alternatives):
                    found |= flag
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


def _build(conditions: bool = True) -> WordAutomaton:
    """The automaton of the packaged lexicon and claim cues; ``conditions=False``: every trigger
    word counts on its own (the decisions of the regular expressions)."""
    lex = triggers.load_lexicon()
    words = [(w, TRIGGER) for w in triggers.candidate_words(lex)]
    words += [(w, CLAIM_CUE) for w in claims.claim_cue_words()]
    return WordAutomaton.build(words, triggers.candidate_conditions(lex) if conditions else None, TRIGGER)


@lru_cache(maxsize=1)
def automaton() -> WordAutomaton:
    """The candidate automaton, once per process (from the compiled cache, ``aidtrace.cache``)."""
    return cached("candidates", _build)


def is_candidate(text: str) -> bool:
    """Whether a sentence must be parsed: it has a trigger word form with the words one of its
    readings needs, or an amount and a word that may make it a statistic."""
    found = automaton().flags(text, wanted=TRIGGER)
    if found & TRIGGER:
        return True
    return bool(found & CLAIM_CUE) and claims.has_amount_hint(text)


def may_hold_claim(text: str) -> bool:
    """``claims.may_hold_claim`` (an amount and a word that may make it a statistic) with the
    claim cues looked up in the automaton instead of searched with their regular expression:
    the same decisions (tests/test_candidates.py)."""
    return claims.has_amount_hint(text) and bool(automaton().flags(text, wanted=CLAIM_CUE) & CLAIM_CUE)
