"""Claims: statistics an article quotes (totals, shares, rankings), kept apart from events.

requires: a parsed sentence, the document's mentions, money found in the sentence
assigns:  Claim records (subject, measure, value, period, reported_by, evidence)

A sentence is a claim sentence when it carries an amount, a word that marks a statistic
("total", "so far", "compared with", a share) and a body that publishes figures (a
research or tracking institute, "according to ...", or an official source). Each amount
gets its own subject: the entity named right after it ("from the US"), else the subject of
the sentence. Such sentences never yield aid events (the coder skips them).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import Claim, DateSpan, Document, Evidence, Mention, Money, Role
from ..nlp.pipeline import Sentence
from .roles import SentenceContext, according_to, phrase_mentions
from .triggers import load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Token

STATISTIC_CUES = re.compile(
    r"\b(total(?:l?ing|l?ed|s)?|in all|altogether|cumulative(?:ly)?|overall|so far|to date|combined|"
    r"compared (?:with|to)|surpass\w*|overtook|outstrip\w*|share|biggest|largest|top donor|ranking|"
    r"per ?cent|percent|since (?:the start|the beginning|(?:January|February|March|April|May|June|July|"
    r"August|September|October|November|December) )?(?:19|20)\d\d)\b|%",
    re.IGNORECASE,
)
MEASURES = (
    ("military_aid_total", re.compile(r"\bmilitary|weapons?|arms\b|defen[cs]e", re.I)),
    ("financial_aid_total", re.compile(r"\bfinancial|budget|loans?\b|macro", re.I)),
    ("humanitarian_aid_total", re.compile(r"\bhumanitarian", re.I)),
)
PUBLISHER_SECTORS = {"RES", "NGO", "EDU"}
FOLLOWING_SUBJECT_PREPS = {"from", "by", "of"}


# An amount of money in any common spelling (the full parser is in money.py; this only decides
# whether a sentence is worth parsing).
_AMOUNT_HINT = re.compile(r"[$€£¥₴]|\b(?:USD|EUR|GBP|UAH)\b|\b(?:euros?|dollars?|pounds|hryvnias?|rubles?|roubles?)\b",
                          re.IGNORECASE)


def may_hold_claim(text: str) -> bool:
    """Cheap pre-parse test: an amount and a statistic cue, so the sentence must be parsed."""
    return _AMOUNT_HINT.search(text) is not None and STATISTIC_CUES.search(text) is not None


def _publisher(sent: Sentence, ctx: SentenceContext, mentions: list[Mention]) -> Mention | None:
    for m in mentions:
        if m.entity.kind == "research" or PUBLISHER_SECTORS & set(m.entity.sector):
            return m
    assert sent.parse is not None
    acc = according_to(sent.parse[:])
    if acc is not None:
        found = phrase_mentions(acc, ctx)
        if found:
            return found[0]
    return None


def _measure(text: str) -> str:
    for name, pattern in MEASURES:
        if pattern.search(text):
            return name
    return "aid_total"


def _token_at(sent: Sentence, offset: int) -> Token | None:
    assert sent.parse is not None
    for tok in sent.parse:
        if tok.idx <= offset < tok.idx + len(tok.text) or tok.idx >= offset:
            return tok
    return None


def _following_subject(sent: Sentence, money: Money, ctx: SentenceContext) -> list[Mention]:
    """An entity named just after the amount ("65 billion euros from the US")."""
    assert sent.parse is not None and money.end is not None
    tok = _token_at(sent, money.end)
    for _ in range(6):
        if tok is None or tok.i + 1 >= len(sent.parse):
            return []
        if tok.lower_ in FOLLOWING_SUBJECT_PREPS:
            pobj = [c for c in tok.children if c.dep_ == "pobj"]
            found = phrase_mentions(pobj[0], ctx) if pobj else ctx.span_mentions([tok.nbor(1)])
            return found
        if tok.text in (",", ";", "compared", "while"):
            return []
        tok = tok.nbor(1)
    return []


def _sentence_subject(sent: Sentence, ctx: SentenceContext, exclude: Mention | None) -> list[Mention]:
    assert sent.parse is not None
    root = sent.parse[:].root
    # "..., the institute said": the figure's subject is in the reported clause
    reported = [c for c in root.children if c.dep_ in ("ccomp", "parataxis")]
    if reported and root.lemma_.lower() in load_lexicon().speech_verbs:
        root = reported[0]
    for child in root.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return [m for m in phrase_mentions(child, ctx) if m is not exclude]
    return []


def _period(sent: Sentence, doc: Document) -> DateSpan | None:
    from .when import find_times

    for span in find_times(sent.text, doc.published):
        if span.text and re.match(r"(since|between|from|in|during)\b", span.text, re.I):
            return span
    return None


def find_claims(doc: Document, sent: Sentence, ctx: SentenceContext) -> list[Claim]:
    """Quoted statistics of one parsed sentence (empty when it is not a claim sentence)."""
    from .money import find_money

    if not STATISTIC_CUES.search(sent.text):
        return []
    monies = find_money(sent.text, on=doc.published)
    if not monies:
        return []
    mentions = ctx.index.within(sent.start, sent.end)
    publisher = _publisher(sent, ctx, mentions)
    if publisher is None:
        return []
    period = _period(sent, doc)
    out = []
    for money in monies:
        subject = _following_subject(sent, money, ctx) or _sentence_subject(sent, ctx, publisher)
        out.append(Claim(
            document_id=doc.id, measure=_measure(sent.text), value=money,
            evidence=Evidence(sent.text, sent.start, sent.end, money.text),
            subject=[Role(m.text, m.entity) for m in subject],
            period=period, reported_by=Role(publisher.text, publisher.entity),
        ))
    return out
