"""Regular expressions with a pre-check (ingest/gate.py): the same answers as the pattern alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidtrace.ingest.captions import caption_rules
from aidtrace.ingest.clean import furniture
from aidtrace.ingest.gate import GatedPattern, required_chars


@pytest.mark.parametrize(("pattern", "flags", "needs"), [
    (r"REUTERS/\w+", 0, "/ERSTU"),
    (r"\((?:Photo|Image)\)", 0, "()"),              # alternatives need nothing for sure
    (r"(?i:photo)\s*:", 0, ":"),                     # letters ignoring case are not required
    (r"photo by", re.IGNORECASE, " "),
    (r"(?-i:AP)/x", re.IGNORECASE, "/AP"),           # case switched back on inside
    (r"(?:ab)+c?", 0, "ab"),                         # a repeat that occurs at least once
    (r"(?:ab)*[/|]", 0, ""),                         # optional repeats and classes: nothing
    (r"[/]", 0, "/"),                                # a class of one character is that character
    (r"(?=.*/)x", 0, "x"),                           # look-arounds: nothing
    (r"(?>ab)c", 0, "abc"),                          # an atomic group
    (r"a|b", 0, ""),
    (r"", 0, ""),
])
def test_required_characters(pattern: str, flags: int, needs: str) -> None:
    assert "".join(sorted(required_chars(re.compile(pattern, flags)))) == "".join(sorted(needs))


def test_the_rules_that_need_a_slash_or_a_bracket_are_gated() -> None:
    rules = caption_rules()
    needs = [set(p.needs) for p in rules.credits]
    assert {"/"} in needs and {"(", ")"} in needs  # the agency credits and the bracketed ones
    assert all({"(", ")"} <= set(p.needs) for _, p in furniture().inline_rules)


def _every_rule() -> list[GatedPattern]:
    rules = caption_rules()
    line = [p for rule in furniture().line_rules for p in rule.patterns]
    return [*rules.credits, *rules.weak_cues, *rules.strong_cues, *line, *(p for _, p in furniture().inline_rules)]


PIECES = ["REUTERS/Jane Doe", "(AP Photo)", "Photo: Reuters", "(left)", ", right, ", "FILE PHOTO:",
          "is seen", "on Sept. 13, 2023.", " / ", "(", ")", "/", ":", "#", "front row:", "epa11935466",
          "The minister said", " poses for a photo", "\n", "Subscribe to our newsletter", "Share"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=8).map("".join))
def test_a_gated_rule_answers_as_its_pattern(text: str) -> None:
    for gated in _every_rule():
        assert bool(gated.search(text)) == bool(gated.pattern.search(text))
        assert [m.span() for m in gated.finditer(text)] == [m.span() for m in gated.pattern.finditer(text)]
        assert gated.sub("", text) == gated.pattern.sub("", text)


def test_gated_rules_answer_as_their_patterns_on_real_paragraphs(shared: Path) -> None:
    paragraphs = [p for path in sorted((shared / "acceptance" / "news_dev").iterdir()) if path.is_file()
                  for p in path.read_text(encoding="utf-8", errors="replace").split("\n") if p.strip()]
    assert len(paragraphs) > 500
    rules = _every_rule()
    skipped = 0
    for paragraph in paragraphs:
        for gated in rules:
            found = [m.span() for m in gated.pattern.finditer(paragraph)]
            assert [m.span() for m in gated.finditer(paragraph)] == found
            skipped += not gated.possible(paragraph)
    assert skipped > len(paragraphs)  # the pre-check spares the engine most of the work
