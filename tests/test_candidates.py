"""The candidate filter (issue 12): its automaton decides like the regular expressions built from the
same lists; the readings' word conditions pass a subset of those sentences and lose no event."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from aidtrace import pipeline
from aidtrace.extract import candidates, claims, triggers
from aidtrace.extract.candidates import CLAIM_CUE, TRIGGER, WordAutomaton, automaton, is_candidate
from aidtrace.ingest.readers import input_units
from aidtrace.nlp.pipeline import analyse, split_sentences


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


@pytest.fixture(scope="module")
def unconditional() -> WordAutomaton:
    """The automaton without the readings' conditions: every trigger word counts."""
    return candidates._build(conditions=False)


def without_conditions(auto: WordAutomaton, text: str) -> bool:
    found = auto.flags(text, wanted=TRIGGER)
    return bool(found & TRIGGER) or (bool(found & CLAIM_CUE) and claims.has_amount_hint(text))


def test_without_conditions_the_same_decision_for_every_development_sentence(
        dev_sentences: list[str], unconditional: WordAutomaton) -> None:
    assert len(dev_sentences) > 3000
    differ = [s for s in dev_sentences if without_conditions(unconditional, s) != by_regex(s)]
    assert differ == []


def test_the_claim_test_by_the_automaton_decides_as_the_regex(dev_sentences: list[str]) -> None:
    """The coder's pre-parse claim test looks the cues up in the automaton: the same decision as
    the regular expression on every development sentence and on hostile spellings."""
    hostile = ["As many as 6 million shells", "a total of $3 billion", "TOTALLING 40 tanks", "ſince 2022, 12 tanks",
               "€5bn in all", "since-2022 12 rounds", "estimated12 000", "12 tanks_since"]
    differ = [s for s in [*dev_sentences, *hostile] if candidates.may_hold_claim(s) != claims.may_hold_claim(s)]
    assert differ == []
    assert sum(map(candidates.may_hold_claim, dev_sentences)) > 100


def test_the_conditions_pass_a_subset_and_filter_more(dev_sentences: list[str]) -> None:
    passed = [s for s in dev_sentences if is_candidate(s)]
    assert [s for s in passed if not by_regex(s)] == []
    by_words = sum(map(by_regex, dev_sentences)) / len(dev_sentences)
    share = len(passed) / len(dev_sentences)
    assert 0.3 < share < by_words - 0.1  # a trigger word alone passed ~76%; its readings' words ~55%


def test_without_conditions_the_same_decision_on_hostile_spellings(unconditional: WordAutomaton) -> None:
    """Case, hyphens, spacing, neighbouring letters and digits, and the characters that a
    case-insensitive search equates with ASCII letters, around real trigger and cue words; with
    the conditions, the filter passes a subset."""
    rng = random.Random(12)
    words = sorted(triggers.candidate_words(triggers.load_lexicon())) + sorted(claims.claim_cue_words())
    fillers = ["the", "bank", "x", "é", "_", "1", "€5", "$3 billion", "12 tanks", "ſ", "İ", "ı", "K", "Ⅻ",
               "for", "aid", "weapons", "talks", "said", "from"]
    seps = [" ", "  ", "-", "—", "'", ".", ",", "", "\n", "/"]
    passed = 0
    for _ in range(4000):
        pieces = []
        for _ in range(rng.randint(1, 6)):
            word = rng.choice(words + fillers)
            word = rng.choice([word, word.upper(), word.title(), word.replace("i", "İ"), word.replace("s", "ſ"),
                               word.replace(" ", "  "), word.replace("-", " ")])
            pieces += [word, rng.choice(seps)]
        text = "".join(pieces)
        assert without_conditions(unconditional, text) == by_regex(text), text
        assert not is_candidate(text) or by_regex(text), text
        passed += is_candidate(text)
    assert passed > 500


@pytest.mark.parametrize(("sentence", "kept"), [
    ("Germany sent 40 tanks to Ukraine.", True),  # "send" with a military object
    ("The minister sent a letter to parliament.", False),  # "send" with nothing it could give
    ("The ministry called for talks.", True),  # "call for"
    ("The ministry called the decision unfortunate.", False),
    ("They held talks in Rome.", True),  # a light verb carries the meeting noun
    ("Talks are difficult.", False),  # the noun alone is a topic
    ("Officials said Kenya should return the land.", True),  # a reported demand
    ("The president said Israel should halt the strikes.", True),  # "said": an irregular speech verb
    ("Israel should halt the strikes.", False),  # no one reports it: no demand, and no aid halted
    ("The weather in Lviv was cold.", False),
])
def test_a_trigger_word_counts_with_the_words_of_one_of_its_readings(sentence: str, kept: bool) -> None:
    assert is_candidate(sentence) is kept


def test_a_conditional_word_needs_every_requirement_of_one_alternative() -> None:
    weapons, to = frozenset({"weapons", "tanks"}), frozenset({"to"})
    auto = WordAutomaton.build([("deliver", TRIGGER), ("ban", TRIGGER), ("ban", CLAIM_CUE)],
                               {"deliver": [(weapons, to)], "ban": [()]}, TRIGGER)
    assert auto.flags("They deliver tanks to the front.") == TRIGGER
    assert auto.flags("They deliver tanks.") == 0 and auto.flags("They deliver to the front.") == 0
    assert auto.flags("a ban") == TRIGGER | CLAIM_CUE  # an empty alternative needs nothing


def test_no_sentence_that_yields_an_event_or_a_claim_is_filtered_out(shared: Path) -> None:
    """Every development document parsed whole: each sentence an event or claim comes from
    passes the filter (so parsing only those cannot lose one)."""
    paths = [shared / "seeds", shared / "acceptance" / "news_dev", shared / "acceptance" / "plover_gsr_dev_input.jsonl",
             shared / "data" / "voa" / "voa_stories.jsonl"]
    items = pipeline.read_partition(list(input_units([str(p) for p in paths], 50_000_000, None)))
    docs = [item.doc for item in items if isinstance(item, pipeline.Prepared)]
    assert len(docs) > 250
    yielding: list[str] = []
    for doc, sentences in zip(docs, analyse([d.text for d in docs], is_candidate=None), strict=True):
        outcome = pipeline._code(doc, sentences)  # before the learned veto: every event the rules find
        assert not isinstance(outcome, Exception), outcome
        _, events, found_claims = outcome
        starts = [e.evidence.start for e in events] + [c.evidence.start for c in found_claims]
        yielding += [s.text for s in sentences if any(s.start <= p < s.end for p in starts)]
    assert len(yielding) > 600
    assert [s for s in yielding if not is_candidate(s)] == []


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


def test_the_conditions_know_every_spelling_the_lemmatizer_maps_to_a_word_they_ask_for() -> None:
    """The coder compares lemmas; the filter compares spellings. Every irregular form that the
    model's lemmatizer maps to a speech verb, a light verb or a class word is among the forms the
    filter looks for ("said" for "say", "has" and "had" for "have", "memoranda")."""
    lex = triggers.load_lexicon()
    exceptions = triggers.lemma_exceptions()
    assert "said" in exceptions["say"] and {"has", "had"} <= exceptions["have"]
    conditions = triggers.candidate_conditions(lex)
    asked = frozenset().union(*(need for alternatives in conditions.values() for alt in alternatives for need in alt))
    wanted = set(lex.speech_verbs) | set(lex.light_verbs) | set().union(*lex.classes.values())
    missing = sorted(form for lemma in wanted for form in exceptions.get(lemma, ()) if form not in asked
                     and lemma in asked)
    assert missing == []
