"""The candidate automaton (issue 12) decides like the regular expressions built from the same lists."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from aidtrace.extract import claims, triggers
from aidtrace.extract.candidates import CLAIM_CUE, TRIGGER, WordAutomaton, automaton, is_candidate
from aidtrace.nlp.pipeline import split_sentences


def by_regex(text: str) -> bool:
    """The filter as it was: the trigger regex, or an amount and the claim-cue regex."""
    return triggers.is_candidate(text) or claims.may_hold_claim(text)


def regex_of(words: list[str]) -> re.Pattern[str]:
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def dev_sentences(shared: Path) -> list[str]:
    """Every sentence of the VOA stories, the seeds and the news and PLOVER development sets."""
    texts = [json.loads(line)["text"] for line in
             (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()]
    for folder in (shared / "seeds", shared / "acceptance" / "news_dev"):
        texts += [p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.suffix == ".txt"]
    plover = (shared / "acceptance" / "plover_gsr_dev_input.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [json.loads(line).get("text") or "" for line in plover]
    return [s.text for text in texts for s in split_sentences(text)]


def test_the_same_decision_for_every_development_sentence(dev_sentences: list[str]) -> None:
    assert len(dev_sentences) > 3000
    differ = [s for s in dev_sentences if is_candidate(s) != by_regex(s)]
    assert differ == []
    assert 0.3 < sum(map(is_candidate, dev_sentences)) / len(dev_sentences) < 0.95  # it does filter


def test_the_same_decision_on_hostile_spellings() -> None:
    """Case, hyphens, spacing, neighbouring letters and digits, and the characters that a
    case-insensitive search equates with ASCII letters, around real trigger and cue words."""
    rng = random.Random(12)
    words = sorted(triggers.candidate_words(triggers.load_lexicon())) + sorted(claims.claim_cue_words())
    fillers = ["the", "bank", "x", "é", "_", "1", "€5", "$3 billion", "12 tanks", "ſ", "İ", "ı", "K", "Ⅻ"]
    seps = [" ", "  ", "-", "—", "'", ".", ",", "", "\n", "/"]
    for _ in range(4000):
        pieces = []
        for _ in range(rng.randint(1, 6)):
            word = rng.choice(words + fillers)
            word = rng.choice([word, word.upper(), word.title(), word.replace("i", "İ"), word.replace("s", "ſ"),
                               word.replace(" ", "  "), word.replace("-", " ")])
            pieces += [word, rng.choice(seps)]
        text = "".join(pieces)
        assert is_candidate(text) == by_regex(text), text


def test_a_phrase_needs_its_exact_separators_and_whole_words() -> None:
    auto = WordAutomaton.build([("as many as", CLAIM_CUE), ("co-production", TRIGGER), ("ban", TRIGGER)])
    assert auto.flags("As many as 6 million shells") == CLAIM_CUE
    assert auto.flags("as  many as") == 0 and auto.flags("as many asked") == 0
    assert auto.flags("a joint Co-Production deal") == TRIGGER
    assert auto.flags("the bank and the banned") == 0 and auto.flags("a BAN.") == TRIGGER


def test_entries_it_cannot_spell_are_searched_like_the_regex() -> None:
    entries = ["%", "café", "u.s.", "+1", "naïve deal", "u.k"]
    auto = WordAutomaton.build([(e, TRIGGER) for e in entries])
    assert len(auto.residual) == 5  # all but "u.k" (ASCII, word characters at both ends)
    pattern = regex_of(entries)
    for text in ["5%5", "5 % 5", "Café", "a CAFÉ.", "the U.S. said", "the U.S.A", "+1", "1+1", "naïve deal",
                 "NAÏVE DEAL", "the U.K.", "U.Kx"]:
        assert bool(auto.flags(text)) == bool(pattern.search(text)), text


def test_new_lexicon_words_flow_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """The automaton is built from the lexicon's own word list: a word added there is found."""
    monkeypatch.setattr(triggers, "candidate_words", lambda lex: {"zorbify", "zorbified"})
    from aidtrace.extract import candidates

    built = candidates._build()
    assert built.flags("Ruritania zorbified its neighbour.") & TRIGGER
    assert automaton().flags("Ruritania zorbified its neighbour.") & TRIGGER == 0  # the packaged one
