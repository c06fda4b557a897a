"""Photo captions and credits inside a paragraph: which pieces of it are not the story.

Requires: one paragraph of page text. Assigns: the spans of that paragraph that are photo
credits or caption sentences, each with its rule name ("photo_credit", "caption"). The rules
are data (the ``captions`` section of ``data/furniture.yaml``); ``clean.drop_captions`` removes
the spans and keeps the rest of the paragraph, so a caption run into a body sentence costs
the body sentence nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ..datafiles import load_yaml
from ..errors import DataFileError
from .gate import GatedPattern


@dataclass(frozen=True)
class CaptionRules:
    """The compiled ``captions`` rules of data/furniture.yaml."""

    max_sentence_words: int
    credits: tuple[GatedPattern, ...]
    weak_cues: tuple[GatedPattern, ...]
    strong_cues: tuple[GatedPattern, ...]
    report_words: re.Pattern[str]
    agency_after_caption: re.Pattern[str]
    abbreviations: frozenset[str]


@dataclass(frozen=True)
class Piece:
    """A span of a paragraph: a credit, or a sentence and whether it reads like a caption."""

    start: int
    end: int
    credit: bool = False
    strong: bool = False  # a caption wherever it stands
    weak: bool = False  # a caption when a credit follows it
    report: bool = False  # reports rather than shows: never a caption


def _expand(pattern: str, spec: dict[str, Any]) -> str:
    """Fill the {sources}, {depiction}, {photo_date} and {month} placeholders of a pattern."""
    sources = sorted((re.escape(str(s)) for s in spec["photo_sources"]), key=len, reverse=True)
    depiction = "|".join(f"(?:{d})" for d in spec["depiction"])
    photo_date = str(spec["photo_date"]).replace("{month}", str(spec["month"]))
    return (pattern.replace("{sources}", "|".join(sources)).replace("{depiction}", f"(?:{depiction})")
            .replace("{photo_date}", photo_date))


@cache
def caption_rules() -> CaptionRules:
    """The caption rules, loaded once from data/furniture.yaml."""
    data = load_yaml("furniture.yaml")
    try:
        spec = data["captions"]

        def compiled(key: str) -> tuple[GatedPattern, ...]:
            return tuple(GatedPattern(re.compile(_expand(str(p), spec))) for p in spec[key])

        return CaptionRules(
            max_sentence_words=int(spec["max_sentence_words"]),
            credits=compiled("credits"),
            weak_cues=compiled("weak_cues"),
            strong_cues=compiled("strong_cues"),
            report_words=re.compile(str(spec["report_words"])),
            agency_after_caption=re.compile(_expand(str(spec["agency_after_caption"]), spec)),
            abbreviations=frozenset(str(a) for a in spec["abbreviations"]),
        )
    except (KeyError, TypeError, ValueError, re.error) as err:
        raise DataFileError("data/furniture.yaml", f"bad caption rule: {err!r}") from err


# A sentence ends at . ! or ? (closing quotes and brackets go with it) before a capital letter;
# after a digit or a lower-case word a lost space does not hide the boundary ("2023.Ben").
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*(?:\s+(?=[\"“‘(\[]?[A-Z])|(?<=[\da-z][.!?])(?=[A-Z][a-z]))")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][\"”’)\]]*$")


def _is_abbreviation(text: str, rules: CaptionRules) -> bool:
    """Whether the full stop that ends ``text`` closes an abbreviation, an initial or "U.S."."""
    match = _WORD_BEFORE.search(text)
    if not match or not text.rstrip("\"”’)]").endswith("."):
        return False
    word = match.group(1)
    return word in rules.abbreviations or (len(word) == 1 and word.isupper()) or "." in word


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as (start, end) offsets into ``text``, spaces trimmed.

    Args:
        text: a paragraph.
        start, end: the part of it to split.
    """
    rules = caption_rules()
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.start() + len(match.group(0).rstrip())
        if not _is_abbreviation(text[begin:stop], rules):
            spans.append((begin, stop))
            begin = match.end()
    spans.append((begin, end))
    return [trimmed for s, e in spans if (trimmed := _trim(text, s, e))[1] > trimmed[0]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _credit_spans(paragraph: str, rules: CaptionRules) -> list[tuple[int, int]]:
    """Non-overlapping credit spans, in order (the earliest, then longest, wins an overlap)."""
    if rules is not caption_rules():
        return _find_credit_spans(paragraph, rules)
    return _credit_spans_of(paragraph)[:]


# ``clean.drop_captions`` asks for a paragraph's credits twice: as the next paragraph (is it a
# credit line?) and as the paragraph split into pieces.
@lru_cache(maxsize=8)
def _credit_spans_of(paragraph: str) -> list[tuple[int, int]]:
    return _find_credit_spans(paragraph, caption_rules())


def _find_credit_spans(paragraph: str, rules: CaptionRules) -> list[tuple[int, int]]:
    found = sorted((m.start(), -m.end()) for p in rules.credits for m in p.finditer(paragraph)
                   if m.group(0).strip())
    spans: list[tuple[int, int]] = []
    for start, neg_end in found:
        if not spans or start >= spans[-1][1]:
            spans.append(_trim(paragraph, start, -neg_end))
    return spans


def _sentence_piece(paragraph: str, start: int, end: int, rules: CaptionRules, weak: bool = True) -> Piece:
    text = paragraph[start:end]
    # A sentence that reports is never a caption, whatever its cues (``caption_spans`` and
    # ``_caption_before`` look at the cues of the others only): most sentences of a story stop here.
    if len(text.split()) > rules.max_sentence_words or rules.report_words.search(text):
        return Piece(start, end, report=True)
    return Piece(start, end, strong=any(p.search(text) for p in rules.strong_cues),
                 weak=weak and any(p.search(text) for p in rules.weak_cues))


def pieces(paragraph: str, weak: bool = True) -> list[Piece]:
    """The paragraph as credits and sentences, in order.

    Args:
        paragraph: one paragraph of page text.
        weak: look for the weak cues (False: every ``weak`` is False; they count only before a credit).
    """
    rules = caption_rules()
    out: list[Piece] = []
    pos = 0
    for start, end in [*_credit_spans(paragraph, rules), (len(paragraph), len(paragraph))]:
        out.extend(_sentence_piece(paragraph, s, e, rules, weak) for s, e in sentence_spans(paragraph, pos, start))
        if end > start:
            out.append(Piece(start, end, credit=True))
        pos = end
    return out


def is_credit_line(paragraph: str) -> bool:
    """Whether a whole paragraph is one photo credit ("Photo: Jane Doe/AFP").

    Args:
        paragraph: one paragraph of page text.
    """
    spans = _credit_spans(paragraph, caption_rules())
    return bool(spans) and spans[0] == _trim(paragraph, 0, len(paragraph))


def caption_spans(paragraph: str, credit_follows: bool = False) -> list[tuple[str, int, int]]:
    """The spans of a paragraph that are photo credits or captions, as (rule, start, end).

    A sentence is a caption when it reads like one wherever it stands (a strong cue), or when
    it stands just before a credit, among the sentences there that do not report, from the
    first of them that reads like a caption at all (a weak or strong cue).

    Args:
        paragraph: one paragraph of page text.
        credit_follows: the next paragraph is a credit line, which counts as one at the end.
    """
    # weak cues count only before a credit: a paragraph with none, and none after it, needs no look
    parts = pieces(paragraph, weak=credit_follows or bool(_credit_spans(paragraph, caption_rules())))
    caption = {i for i, p in enumerate(parts) if p.strong and not p.report}
    ends = [i for i, p in enumerate(parts) if p.credit] + ([len(parts)] if credit_follows else [])
    for end in ends:
        caption.update(_caption_before(parts, end))
    rules = caption_rules()
    credits = {i for i, p in enumerate(parts) if p.credit or (
        i - 1 in caption and rules.agency_after_caption.match(paragraph[p.start:p.end]))}
    return [("photo_credit" if i in credits else "caption", p.start, p.end)
            for i, p in enumerate(parts) if i in credits or i in caption]


def _caption_before(parts: list[Piece], end: int) -> list[int]:
    """The sentences just before ``end`` (a credit) that are its caption: those that do not
    report, from the first of them that reads like a caption."""
    run: list[int] = []
    for i in range(end - 1, -1, -1):
        if parts[i].credit or parts[i].report:
            break
        run.insert(0, i)
    cued = [i for i in run if parts[i].weak or parts[i].strong]
    return [i for i in run if cued and i >= cued[0]]
