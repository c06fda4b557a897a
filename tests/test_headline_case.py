"""Title Case headlines are parsed in sentence case, and the headline comma as "and", with the
real spaCy pipeline; the parse keeps the headline's own words and offsets."""

from __future__ import annotations

import pytest

from aidtrace.nlp.headcase import (
    headline_commas,
    is_headline,
    is_title_case,
    proper_words,
    sentence_case,
)
from aidtrace.nlp.pipeline import analyse, load_nlp, split_sentences


def parsed(text: str) -> list:
    (sentences,) = list(analyse([text]))
    return sentences


def test_senate_clears_is_the_verb_of_its_headline() -> None:
    headline = parsed("Senate Clears Stalled Arms Package")[0].parse
    assert headline is not None
    root = next(t for t in headline if t.dep_ == "ROOT")
    assert (root.text, root.pos_, root.lemma_) == ("Clears", "VERB", "clear")
    assert [t.text for t in headline] == ["Senate", "Clears", "Stalled", "Arms", "Package"]
    assert headline.text == "Senate Clears Stalled Arms Package"
    subject = next(t for t in root.children if t.dep_ == "nsubj")
    assert subject.text == "Senate"


def test_listed_subjects_of_a_headline_are_coordinated() -> None:
    headline = parsed("Armenia, France Sign Defense Cooperation Plan")[0].parse
    assert headline is not None
    root = next(t for t in headline if t.dep_ == "ROOT")
    assert root.text == "Sign" and root.pos_ == "VERB"
    subject = next(t for t in root.children if t.dep_ == "nsubj")
    assert subject.text == "Armenia"
    assert [c.text for c in subject.conjuncts] == ["France"]
    assert headline.text == "Armenia, France Sign Defense Cooperation Plan"


def test_offsets_of_a_headline_sentence_hold_in_the_document() -> None:
    text = "Norway Sends Air Defence Systems to Ukraine\n\nNorway said on Monday it would send them."
    first = parsed(text)[0]
    assert first.parse is not None
    for token in first.parse:
        assert text[first.start + token.idx:first.start + token.idx + len(token)] == token.text


def test_sentence_case_keeps_first_word_acronyms_names_and_the_document_s_own_capitals() -> None:
    nlp = load_nlp()
    text = ("Patriot Batteries Arrive as NATO, Germany Pledge More Support in May\n\n"
            "Two Patriot batteries were sent by Germany, a NATO member, officials said.")
    proper = proper_words(split_sentences(text))
    assert "Patriot" in proper and "Germany" in proper
    line = text.split("\n")[0]
    cased = sentence_case(line, proper, nlp)
    assert cased == "Patriot batteries arrive as NATO, Germany pledge more support in May"
    assert len(cased) == len(line)


@pytest.mark.parametrize(("line", "title_case"), [
    ("Senate Clears Stalled Arms Package", True),
    ("UK to Send Challenger 2 Tanks to Ukraine", True),
    ("US approves $11B in weapons sales to Taiwan", False),
    ("The European Union's Foreign Affairs Council met on Monday.", False),
    ("By Jane", False),
])
def test_is_title_case(line: str, title_case: bool) -> None:
    assert is_title_case(line) is title_case


@pytest.mark.parametrize(("line", "copy"), [
    ("Denmark, Sweden, Norway to provide Ukraine with weapons",
     "Denmark& Sweden& Norway to provide Ukraine with weapons"),
    ("Poland, South Korea sign tank deal", "Poland& South Korea sign tank deal"),
    ("Kyiv, Ukraine", "Kyiv, Ukraine"),
    ("Germany, the EU's biggest donor, sends more tanks", "Germany, the EU's biggest donor, sends more tanks"),
])
def test_headline_commas(line: str, copy: str) -> None:
    assert headline_commas(line) == copy and len(copy) == len(line)


def test_sentences_that_are_not_headlines_are_parsed_as_written() -> None:
    sentence = "Germany, France and Britain said they would send more shells to Ukraine."
    assert not is_headline(sentence) and not is_title_case(sentence)
    parse = parsed(sentence)[0].parse
    assert parse is not None and parse.text == sentence
    assert next(t for t in parse if t.dep_ == "ROOT").text == "said"


@pytest.mark.parametrize(("line", "headline"), [
    ("Umerov, Austin discuss need for more air defence systems", True),
    ("'Ukraine needs more shells,' minister says", True),
    # a sentence cut before a quote opens ends with the quote mark, not with a headline's last word
    ("However, North Korea could become a priority if it tests more missiles, experts said. \u201c", False),
    ("Germany sent tanks.", False),
])
def test_is_headline(line: str, headline: bool) -> None:
    assert is_headline(line) is headline
