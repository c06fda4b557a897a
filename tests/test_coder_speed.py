"""Mechanical speed-ups in the coder (issue 12) make the decisions of the code they replace.

Each shortcut is compared with the plain computation on real text (every position of the
news development set's articles) and on constructed cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aidtrace.extract.actors import _ATTITUDE, _attitude_before
from aidtrace.extract.triggers import load_lexicon


@pytest.fixture(scope="module")
def texts(shared: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((shared / "acceptance" / "news_dev").iterdir())
            if p.suffix == ".txt"]


# Attitude words with the spacing and line breaks a page may put before a name.
ATTITUDES = ["an anti-Russia protest", "pro-\nRussian forces", "ethnic   Albanians", "Ethnic\t\nSerbs", "the\u00a0ethnic\u00a0Uzbek",
             "a non-pro-Kyiv view", "bioethnic Turks", "anti-\u2003Syria", "ethnic-Armenian", "Pro- Ukraine"]


def test_the_attitude_before_a_name_is_found_as_by_searching_the_whole_text(texts: list[str]) -> None:
    checked = 0
    for text in [*texts, *ATTITUDES]:
        for end in range(len(text) + 1):
            assert _attitude_before(text, end) == bool(_ATTITUDE.search(text, 0, end)), (text[max(0, end - 30):end], end)
            checked += 1
    assert checked > 50_000
    assert _attitude_before("ethnic   Albanians", len("ethnic   ")) and not _attitude_before("bioethnic Turks", 10)


def test_noun_ends_hold_the_last_word_of_every_trigger_noun() -> None:
    lex = load_lexicon()
    assert lex.noun_ends == {key[-1] for key in lex.nouns}
    assert lex.noun_ends and all(word == word.lower() for word in lex.noun_ends)


def test_token_words_read_from_the_arrays_are_the_tokens_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each token's lemma, text and part of speech read from the Doc's arrays equal what its
    ``Token`` says; the memo of lower-cased strings starts again when full."""
    from aidtrace.extract import triggers
    from aidtrace.nlp.pipeline import load_nlp

    monkeypatch.setattr(triggers, "_LOWERED_MAX", 10)
    nlp = load_nlp()
    for text in ("The U.S. said it would SEND Patriot missiles to Ukraine, officials told VOA.",
                 "İstanbul hosted talks; Ankara's envoys met Kyiv's delegation on Tuesday.", ""):
        doc = nlp(text)
        words = triggers.token_words(doc)
        assert words.lemmas == [triggers.lemma(t) for t in doc]
        assert words.lowers == [t.text.lower() for t in doc]
        assert words.pos == [t.pos_ for t in doc]
        assert triggers.token_words(doc) is words  # made once per Doc
        assert len(triggers._LOWERED) <= 10 + 2 * len(doc)
