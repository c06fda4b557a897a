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
