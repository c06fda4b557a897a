"""Regular expressions with a pre-check (ingest/gate.py): the same answers as the pattern alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidtrace.ingest.captions import caption_rules
from aidtrace.ingest.clean import furniture
from aidtrace.ingest.gate import GatedPattern, LoweredText, PrefixGate, literal_prefixes, required_chars


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


# ---------------------------------------------------------------------- literal prefixes


@pytest.mark.parametrize(("pattern", "prefixes"), [
    (r"(?<![\w-])(?i:night\s+vision|drones?)(?![\w-])", {"nig", "dro"}),  # look-arounds take no room
    (r"(?P<name>F-16|Su-24)(?:s|'s)?", {"f-1", "su-"}),  # names keep their case only in the pattern
    (r"jets?", {"jet"}),
    (r"ab?c", {"a"}),                                  # an optional part ends the prefix
    (r"a+bc", {"a"}),                                  # so does a repeat
    (r"(?:x|y)z[qr]", {"xzq", "xzr", "yzq", "yzr"}),  # alternatives and small classes multiply
    (r"[A-Z]\d+", None),                               # a range: any start
    (r"(?:ab)?c", None),
    (r"ſab", None),                                    # matched by "s" too, ignoring case
    (r"İx", None),                                     # its lower case is two characters
    (r"", None),
])
def test_literal_prefixes(pattern: str, prefixes: set[str] | None) -> None:
    got = literal_prefixes(re.compile(pattern))
    assert (None if got is None else set(got)) == prefixes


def _item_gates() -> list[PrefixGate]:
    from aidtrace.extract.items import _taxonomy

    gates = [gate for entry in _taxonomy().entries for gate in entry.patterns]
    assert sum(gate.grams is not None for gate in gates) > 0.9 * len(gates)  # nearly all are gated
    return gates


def _same_matches(gates: list[PrefixGate], text: str) -> None:
    lowered = LoweredText(text)
    for gate in gates:
        assert [m.span() for m in gate.finditer(text, lowered)] == [m.span() for m in gate.pattern.finditer(text)], \
            (gate, text)


ITEM_PIECES = ["HIMARS", "Patriot", "patriot systems", "F-16s", "NIGHT VISION", "night  vision goggles", "drones",
               "Leopard 2A6", "155mm shells", "155-mm", "K", "ſ", "ı", "İ", "é", "Ü", " ", "-", "'s", "\n"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(ITEM_PIECES), st.text(max_size=8)), max_size=8).map("".join))
def test_a_prefix_gate_finds_what_its_pattern_finds(text: str) -> None:
    _same_matches(_item_gates(), text)


def test_prefix_gates_find_what_their_patterns_find_in_real_sentences(shared: Path) -> None:
    import json

    texts = [p.read_text(encoding="utf-8") for folder in (shared / "seeds", shared / "acceptance" / "news_dev")
             for p in sorted(folder.iterdir()) if p.suffix == ".txt"]
    voa = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [json.loads(line)["text"] for line in voa]
    gates = _item_gates()
    sentences = [s for text in texts for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]
    assert len(sentences) > 3000
    for sentence in sentences:
        _same_matches(gates, sentence)


@pytest.mark.parametrize("text", ["ſniper rifles were sent", "sent ſniper rifles", "two ASSAULT RIFLES",
                                  "İstanbul got drones", "Kelvin: \u212aamikaze drones", "dronеs (Cyrillic е)"])
def test_a_prefix_gate_runs_the_pattern_where_case_is_special(text: str) -> None:
    """"ſ" matches "s" when case is ignored, but its lower case is not "s": such texts are searched."""
    gates = _item_gates()
    _same_matches(gates, text)
    assert any(gate.pattern.search(text) for gate in gates) or "е" in text
    _same_matches([PrefixGate(re.compile(r"(?i)(?:sniper|assault|istanbul|kamikaze|drone)"))], text)
