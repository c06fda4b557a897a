"""Claims: statistics an article quotes (totals, running sums, period sums, estimates).

requires: a parsed sentence, the document's mentions
assigns:  Claim records (subject, measure, value, period, reported_by, evidence), each with the
          tokens of the clause it was read from (the coder codes no aid event from them)

Every amount of a sentence (money, or a counted quantity such as "1 million shells") is read
with the words around it. It is a statistic when:

- a construction makes it a total: "bringing the total to X", "has reached X", "remain
  unchanged at X", "the US total of X", "averaged X";
- its clause marks a running figure: "so far", "to date", "since the start of the war",
  "as of 29 February", "over the past two years";
- its clause spans a period ("between February 2022 and June 2025", "in May and June
  alone") and no single occasion ("at the meeting");
- it is a sum ("a total of X", "in total") over a period or in the perfect;
- the perfect states an approximate running figure with no sign of novelty ("has committed
  more than $44 billion", never "has pledged a new $500 million");
- a counted quantity is hedged as an estimate ("as many as 6 million shells");
- the sentence is attributed to a body that publishes figures ("according to the report",
  "the analysis notes", a research institute).

Each claim's subject is the entity named right after the amount ("€67 billion from the
United States"), the owner of the total ("the US total of", "Australia's assistance"), the
subject of the amount's clause, or, for a pronoun ("They remain unchanged at ..."), the last
party named before the sentence. No claim depends on a named tracker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..datafiles import load_yaml
from ..model import Claim, DateSpan, Document, Evidence, Mention, Money, Quantity, Role
from ..nlp.pipeline import Sentence
from .roles import (
    PERSONAL_PRONOUNS,
    SentenceContext,
    according_to,
    left_subject,
    phrase_mentions,
    speech_head,
    subject_of,
)
from .triggers import lemma, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

MEASURES = (
    ("military_aid_total", re.compile(r"\bmilitary|weapons?|arms\b|defen[cs]e|security assistance", re.I)),
    ("financial_aid_total", re.compile(r"\bfinancial|budget|loans?\b|macro", re.I)),
    ("humanitarian_aid_total", re.compile(r"\bhumanitarian", re.I)),
)
PUBLISHER_SECTORS = {"RES", "NGO", "EDU"}
FOLLOWING_SUBJECT_PREPS = {"from", "by"}
# Scale words that belong to a counted number ("1.8 million rounds").
SCALE_WORDS = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_YEAR = re.compile(r"(?:19|20)\d\d")


@dataclass(frozen=True)
class _Cues:
    cumulative: tuple[str, ...]
    since_heads: frozenset[str]
    total_nouns: frozenset[str]
    total_verbs: frozenset[str]
    sum_verbs: frozenset[str]
    bring_verbs: frozenset[str]
    stand_verbs: frozenset[str]
    aggregation: tuple[str, ...]
    approximate: tuple[str, ...]
    novelty: frozenset[str]
    estimate: tuple[str, ...]
    publisher_nouns: frozenset[str]
    occasion_nouns: frozenset[str]
    period_nouns: frozenset[str]
    count_units: frozenset[str]
    quantity_units: frozenset[str]
    duration_units: frozenset[str]
    report_verbs: frozenset[str]
    perception_verbs: frozenset[str] = frozenset()


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    raw = load_yaml("claims.yaml")

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key, []))

    def phrases(key: str) -> tuple[str, ...]:
        return tuple(sorted((str(w).lower() for w in raw.get(key, [])), key=len, reverse=True))

    return _Cues(
        cumulative=phrases("cumulative_phrases"), since_heads=words("since_heads"),
        total_nouns=words("total_nouns"), total_verbs=words("total_verbs"), sum_verbs=words("sum_verbs"),
        bring_verbs=words("bring_verbs"),
        stand_verbs=words("stand_verbs"), aggregation=phrases("aggregation"), approximate=phrases("approximate"),
        novelty=words("novelty"), estimate=phrases("estimate"), publisher_nouns=words("publisher_nouns"),
        occasion_nouns=words("occasion_nouns"), period_nouns=words("period_nouns"),
        count_units=words("count_units"), quantity_units=words("quantity_units"), duration_units=words("duration_units"),
        report_verbs=words("report_verbs"), perception_verbs=words("perception_verbs"),
    )


# Cheap pre-parse test (the candidate filter): an amount, and a word that may make it a statistic.
_CURRENCY_SIGNS = "$€£¥₴"
_CURRENCY_NAMES = r"\b(?:USD|EUR|GBP|UAH)\b|\b(?:euros?|dollars?|pounds|hryvnias?|rubles?|roubles?|yen)\b"
_MONEY_HINT = re.compile(
    rf"[{_CURRENCY_SIGNS}]|{_CURRENCY_NAMES}"
    r"|\b\d[\d,.]*\s*(?:million|billion|thousand|trillion|percent|per cent|%|bn|mn)\b", re.IGNORECASE)
# A counted quantity: a number of two or more digits, or a number with a scale word.
_COUNT_HINT = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+(?:\.\d+)?\s+(?:million|thousand|billion)\b|\b\d{2,}\s+[a-z]",
                         re.IGNORECASE)


@lru_cache(maxsize=1)
def _hint_words() -> re.Pattern[str]:
    """Words that may make an amount a statistic (approximate qualifiers only right before a number)."""
    alternation = "|".join(sorted((re.escape(w) for w in claim_cue_words()), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


def claim_cue_words() -> set[str]:
    """Words and phrases that may make an amount a statistic (the candidate filter's claim cues)."""
    cues = _cues()
    words = {w for p in (*cues.cumulative, *cues.aggregation) for w in [p]}
    words |= {"since", "between", "total", "according", "alone", "period", "past", "estimated", "as many as"}
    words |= cues.total_nouns | cues.publisher_nouns | cues.stand_verbs
    words |= {f for v in cues.total_verbs | cues.bring_verbs | cues.sum_verbs
              for f in (v, v + "s", v + "ed", v + "ing", v + "es", v + "led", v + "ling")}
    words |= {"reached", "brought", "brings", "bringing", "averaged", "totalled", "totaled", "stood", "rose", "grew"}
    words |= cues.report_verbs | {"has", "have", "had"}
    return words


# Without a digit or a currency sign, only a currency's code or name can make a hint.
_DIGIT_OR_SIGN = re.compile(rf"[\d{_CURRENCY_SIGNS}]")
_CURRENCY_WORD = re.compile(_CURRENCY_NAMES, re.IGNORECASE)


def has_amount_hint(text: str) -> bool:
    """Whether a text may state an amount: money, or a counted quantity."""
    if _DIGIT_OR_SIGN.search(text) is None:  # most sentences: the alternatives that need neither
        return _CURRENCY_WORD.search(text) is not None
    return _MONEY_HINT.search(text) is not None or _COUNT_HINT.search(text) is not None


def may_hold_claim(text: str) -> bool:
    """Cheap pre-parse test: an amount (money or a counted quantity) and a word that may make it a
    statistic."""
    return has_amount_hint(text) and _hint_words().search(text) is not None


# --------------------------------------------------------------------------- amounts


@dataclass
class Amount:
    """A money amount or a counted quantity of one sentence, with its head token."""

    start: int  # offsets in the sentence text
    end: int
    value: Money | Quantity
    head: Token

    @property
    def text(self) -> str:
        return self.value.text


def _tokens_in(span: Span, start: int, end: int) -> list[Token]:
    return [t for t in span if start <= t.idx < end]


def _phrase_head(tokens: list[Token]) -> Token:
    """The token of a span whose head lies outside the span (the span's syntactic head)."""
    ids = {t.i for t in tokens}
    for tok in tokens:
        if tok.head.i not in ids or tok.head == tok:
            return tok
    return tokens[-1]


def sentence_amounts(sent: Sentence, published: object = None) -> list[Amount]:
    """Money amounts and counted quantities of a parsed sentence, in text order."""
    from .money import find_money

    assert sent.parse is not None
    span = sent.parse[:]
    out: list[Amount] = []
    taken: set[int] = set()
    for money in find_money(sent.text, on=published):  # type: ignore[arg-type]
        if money.start is None or money.end is None:
            continue
        toks = _tokens_in(span, money.start, money.end)
        if toks:
            out.append(Amount(money.start, money.end, money, _phrase_head(toks)))
            taken.update(t.i for t in toks)
    out.extend(_quantities(span, taken))
    out.extend(_shares(span, taken))
    return sorted(out, key=lambda a: a.start)


PERCENT_WORDS = {"percent", "per cent", "%", "pct"}


def _shares(span: Span, taken: set[int]) -> list[Amount]:
    """Shares of something ("12 percent of its howitzers", "44% of this aid"): always statistics."""
    from .money import parse_number

    out = []
    for tok in span:
        if tok.i in taken or tok.lower_ not in PERCENT_WORDS:
            continue
        number = next((c for c in tok.children if c.dep_ in ("nummod", "quantmod", "compound") and _is_number(c)),
                      None)
        if number is None and tok.i > span.start and _is_number(tok.doc[tok.i - 1]):
            number = tok.doc[tok.i - 1]
        share_of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None) or next(
            (c for t in tok.children if t.lower_ == "each" for c in t.children if c.dep_ == "prep"), None)
        if number is None or share_of is None:
            continue
        value = parse_number(number.text.replace(",", ""))
        if value is None:
            continue
        base = span[0].idx
        text = span.doc.text[number.idx:tok.idx + len(tok.text)]
        out.append(Amount(number.idx - base, tok.idx + len(tok.text) - base,
                          Quantity(value, "percent", text, False), tok))
        taken.update((number.i, tok.i))
    return out


def _quantities(span: Span, taken: set[int]) -> list[Amount]:
    """Counted quantities: a number before the common noun it counts ("13,000 containers"),
    never a unit of time, a year, a date or a name ("Channel 12")."""
    from .money import parse_number

    cues = _cues()
    out = []
    for tok in span:
        if tok.i in taken or tok.dep_ not in ("nummod", "quantmod", "compound") or not _is_number(tok):
            continue
        noun = tok.head
        while noun.lower_ in SCALE_WORDS and noun.head != noun and noun.dep_ in ("nummod", "compound", "quantmod"):
            noun = noun.head
        if noun.pos_ != "NOUN" or noun.i <= tok.i or noun.i in taken or _YEAR.fullmatch(tok.text):
            continue
        if noun.lower_ in cues.count_units or not _countable(noun):
            continue
        value = parse_number(tok.text.replace(",", ""))
        if value is None:
            continue
        for scale in (t for t in span[tok.i - span.start + 1: noun.i - span.start] if t.lower_ in SCALE_WORDS):
            value *= SCALE_WORDS[scale.lower_]
        first = min([t for t in tok.subtree if t.i <= tok.i], key=lambda t: t.i)
        base = span[0].idx
        text = span.doc.text[first.idx:noun.idx + len(noun.text)]
        approx = any(text.lower().startswith(q + " ") for q in cues.approximate + cues.estimate)
        out.append(Amount(first.idx - base, noun.idx + len(noun.text) - base,
                          Quantity(value, lemma(noun), text, approx), noun))
        taken.update(range(first.i, noun.i + 1))
    return out


def _countable(noun: Token) -> bool:
    """What aid statistics count: weapons, aid and transport units ("shells", "tons", "containers")."""
    classes = load_lexicon().classes
    name = lemma(noun)
    return any(name in words or noun.lower_ in words for words in (
        _cues().quantity_units, classes.get("military", frozenset()), classes.get("aid", frozenset())))


def _is_number(tok: Token) -> bool:
    from .money import NUMBER_WORDS

    if tok.lower_ in ("a", "an", "single", "one", "half"):
        return False
    return tok.tag_ == "CD" and bool(tok.like_num or tok.lower_ in NUMBER_WORDS)


# --------------------------------------------------------------------------- cues


def clause_head(tok: Token) -> Token:
    """The verb of the clause a token belongs to (the sentence root if none)."""
    cur = tok
    for _ in range(12):
        if cur.pos_ in ("VERB", "AUX") and cur.dep_ not in ("amod", "aux", "auxpass", "prep"):
            return cur
        if cur.head == cur:
            return cur
        cur = cur.head
    return cur


def _words(tokens: list[Token]) -> str:
    return " " + " ".join(t.lower_ for t in tokens) + " "


def _has_phrase(tokens: list[Token], phrases: tuple[str, ...]) -> str | None:
    text = _words(tokens)
    return next((p for p in phrases if f" {p} " in text), None)


# Clauses of their own inside a clause: their words do not describe the clause's amounts.
NESTED_CLAUSES = {"relcl", "ccomp", "advcl", "acl", "parataxis", "csubj", "xcomp", "conj"}


def _clause_tokens(head: Token, keep: set[int] = frozenset()) -> list[Token]:  # type: ignore[assignment]
    """A clause's own tokens: its subtree without nested clauses, except those on ``keep``
    (the path to an amount) and "since" clauses, which date the clause itself."""
    out: list[Token] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        out.append(tok)
        for child in tok.children:
            nested = child.dep_ in NESTED_CLAUSES and child.pos_ in ("VERB", "AUX")
            since = any(g.dep_ == "mark" and g.lower_ == "since" for g in child.children)
            if nested and child.i not in keep and not since:
                continue
            stack.append(child)
    return sorted(out, key=lambda t: t.i)


def _amount_clause(amount: Amount, head: Token) -> list[Token]:
    """The words that describe an amount: its clause (nested clauses cut off) and its own
    noun phrase in full ("13,000 containers being shipped ... since mid-2022")."""
    tokens = {t.i: t for t in _clause_tokens(head, {t.i for t in _path(amount, head)})}
    tokens.update((t.i, t) for t in amount.head.subtree)
    return sorted(tokens.values(), key=lambda t: t.i)


def _path(amount: Amount, head: Token) -> list[Token]:
    """Tokens from the amount's head up to (and including) its clause head."""
    out, cur = [amount.head], amount.head
    while cur != head and cur.head != cur:
        cur = cur.head
        out.append(cur)
    return out


def _construction(amount: Amount, head: Token) -> str | None:
    """A total by construction: "bringing the total to X", "reached X", "the US total of X"."""
    cues = _cues()
    path = _path(amount, head)
    for below, tok in zip(path, path[1:], strict=False):
        word, lem = tok.lower_, lemma(tok)
        if tok.pos_ == "ADP" and word == "to" and lemma(tok.head) in cues.bring_verbs:
            return "bringing to"
        if tok.pos_ == "ADP" and word == "at" and lemma(tok.head) in cues.stand_verbs:
            return "stands at"
        if tok.pos_ == "ADP" and word == "of" and lemma(tok.head) in cues.total_nouns and not _indefinite(tok.head):
            return f"{lemma(tok.head)} of"
        if tok.pos_ in ("VERB", "AUX") and lem in cues.total_verbs and below.dep_ in ("dobj", "attr", "npadvmod",
                                                                                    "prep", "pobj", "advmod"):
            return lem
    return None


def _summed(amount: Amount, head: Token, tokens: list[Token]) -> bool:
    """A sum ("a total of X", "totalling X", "in total"): a statistic over a period or in the perfect."""
    cues = _cues()
    return bool(_has_phrase(tokens, cues.aggregation)) or any(
        lemma(t) in cues.sum_verbs and t.pos_ == "VERB" for t in _path(amount, head))


def _indefinite(noun: Token) -> bool:
    """"a total of": a sum, weaker than "the total of"."""
    return any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


def _since(tokens: list[Token]) -> bool:
    cues = _cues()
    for tok in tokens:
        if tok.lower_ != "since":
            continue
        obj = [t for t in tok.subtree if t != tok]
        if any(t.lower_ in cues.since_heads or lemma(t) in cues.since_heads or _YEAR.search(t.text)
               or t.lower_.split("-")[0] in cues.since_heads for t in obj[:6]):
            return True
        if tok.dep_ == "mark":  # "since Russia invaded": a clause
            return True
    return False


_JOINERS = re.compile(r"^\s*(?:to|and|through|until|till|-|–|—)\s*$", re.IGNORECASE)
_DURATION = re.compile(r"\b(?:in|over|within|during)\s+(?:just|only|the\s+(?:past|last|first)\s+)?"
                       r"(?:\d[\d.,/-]*|\w+)\s+(\w+)", re.IGNORECASE)


def _period(tokens: list[Token], times: list[DateSpan], clause: tuple[int, int], sent: Sentence) -> bool:
    """A period longer than a day in the clause: "between February 2022 and June 2025",
    "in May and June", "(August 4 to October 3)", "over the same period", "in just five days"."""
    cues = _cues()
    text = _words(tokens)
    if re.search(r" (?:over|in|during|for) the (?:same|past|last|previous|first|whole) ", text) and any(
            t.lower_ in cues.period_nouns or lemma(t) in cues.period_nouns for t in tokens):
        return True
    if any(m.group(1).lower() in cues.duration_units for m in _DURATION.finditer(" ".join(t.text for t in tokens))):
        return True
    inside = sorted((s for s in times if s.offset and clause[0] <= s.offset[0] < clause[1] and s.text),
                    key=lambda s: s.offset[0] if s.offset else 0)
    for span in inside:
        assert span.text is not None
        if re.match(r"(?i)(?:between|from)\b", span.text) or (
                re.search(r"(?i)\b(?:and|to|through|until)\b", span.text) and span.start != span.end):
            return True
    for a, b in zip(inside, inside[1:], strict=False):
        assert a.offset is not None and b.offset is not None
        if _JOINERS.match(sent.text[a.offset[1]:b.offset[0]]):
            return True
    # "Between the attack of October 7, 2023, ... and May this year, X approved ...": a period
    # opening the sentence, however the parser attached it
    opening = re.match(r"\s*(?:Between|From)\b(.{0,160}?)\b(?:and|to|until)\b(.{0,60}?),", sent.text)
    if opening and any(s.offset and s.offset[0] < opening.end() for s in times):
        return True
    return any(t.lower_ == "between" and any(
        s.offset and t.idx - sent.parse[0].idx <= s.offset[0] for s in inside) and any(
        g.dep_ == "cc" for g in t.subtree) for t in tokens if sent.parse is not None)


def _occasion(tokens: list[Token], times: list[DateSpan], clause: tuple[int, int], period: bool) -> bool:
    """A single occasion: "at the meeting", a named day (unless it bounds a period)."""
    cues = _cues()
    if any(t.lower_ in ("at", "during") and any(lemma(g) in cues.occasion_nouns for g in t.subtree) for t in tokens):
        return True
    return not period and any(s.offset and clause[0] <= s.offset[0] < clause[1] and s.precision == "day" for s in times)


def _perfect(head: Token) -> bool:
    return any(c.dep_ == "aux" and lemma(c) == "have" for c in head.children)


def _novel(amount: Amount, tokens: list[Token]) -> bool:
    """A word of novelty before the amount or in its noun phrase ("a new $400 million package")."""
    cues = _cues()
    noun = amount.head
    nearby = list(noun.subtree) + list(noun.head.subtree if noun.dep_ == "pobj" else [])
    return any(t.lower_ in cues.novelty for t in nearby) or any(
        t.lower_ in cues.novelty and t.i < amount.head.i for t in tokens)


def _approximate(amount: Amount, sent: Sentence) -> bool:
    cues = _cues()
    if isinstance(amount.value, Money) and amount.value.approximate:
        return True
    before = sent.text[max(0, amount.start - 25):amount.start].lower()
    assert sent.parse is not None
    base = sent.parse[0].idx
    prior = [t for t in sent.parse if t.idx - base < amount.start and not t.is_space]
    if prior and prior[-1].dep_ == "prt":
        return amount.value.approximate  # "handed over four jets": a verb's particle, no qualifier
    return any(before.rstrip().endswith(q) for q in cues.approximate) or amount.value.approximate


def _estimate(amount: Amount, sent: Sentence, head: Token) -> bool:
    cues = _cues()
    before = sent.text[max(0, amount.start - 40):amount.start + len(amount.text)].lower()
    return any(q in before for q in cues.estimate) or lemma(head) == "estimate" or (
        speech_head(head) is not None and lemma(speech_head(head)) == "estimate")  # type: ignore[arg-type]


def _publisher(sent: Sentence, ctx: SentenceContext) -> Mention | Token | None:
    """A body that publishes figures, reporting this sentence: a research body named in it, the
    subject of its reporting verb, or the X of "according to X"."""
    assert sent.parse is not None
    cues = _cues()
    for m in ctx.index.within(sent.start, sent.end):
        if m.entity.kind == "research" or PUBLISHER_SECTORS & set(m.entity.sector):
            return m
    span = sent.parse[:]
    acc = according_to(span)
    heads = [acc] if acc is not None else []
    speech = load_lexicon().speech_verbs
    heads += [c for t in span if lemma(t) in speech and t.pos_ == "VERB" for c in t.children if c.dep_ == "nsubj"]
    for head in heads:
        found = phrase_mentions(head, ctx, strict=True)
        if any(m.entity.kind == "research" for m in found):
            return found[0]
        if lemma(head) in cues.publisher_nouns or head.lower_ in cues.publisher_nouns:
            return head
    return _trailing_publisher(span)


def _trailing_publisher(span: Span) -> Token | None:
    """"..., the analysis notes." / "...," the authors of the study note.": a trailing report by
    a publisher noun (the parser often reads the reporting verb as a noun)."""
    cues = _cues()
    words = [t for t in span if not t.is_punct]
    if len(words) < 3 or words[-1].lower_ not in cues.report_verbs:
        return None
    tail = []
    for tok in reversed(words[:-1]):
        if tok.i + 1 < len(span.doc) and span.doc[tok.i + 1].is_punct and span.doc[tok.i + 1].text in ",\"”'’":
            break
        tail.append(tok)
        if len(tail) > 6:
            return None
    return next((t for t in tail if t.lower_ in cues.publisher_nouns or lemma(t) in cues.publisher_nouns), None)


def claim_reason(amount: Amount, sent: Sentence, times: list[DateSpan], publisher: object) -> str | None:
    """Why an amount is a statistic, or None when it is the value of an event."""
    assert sent.parse is not None
    cues = _cues()
    head = clause_head(amount.head)
    tokens = _amount_clause(amount, head)
    base = sent.parse[0].idx
    clause = (tokens[0].idx - base, tokens[-1].idx - base + len(tokens[-1].text))
    period = _period(tokens, times, clause, sent)
    occasion = _occasion(tokens, times, clause, period)
    found = _construction(amount, head)
    if found:
        return found
    phrase = _has_phrase(tokens, cues.cumulative)
    if phrase:
        return phrase
    if _since(tokens):
        return "since"
    if period and not occasion:
        return "period"
    perfect = _perfect(head)
    if _summed(amount, head, tokens) and (perfect or period) and not occasion:
        return "sum"
    if perfect and not occasion and not _novel(amount, tokens) and (
            _approximate(amount, sent) or _year_long(times, clause)):
        return "running figure"
    if _agentless_year(head, times, clause):
        return "yearly figure"
    if isinstance(amount.value, Quantity) and _estimate(amount, sent, head):
        return "estimate"
    if isinstance(amount.value, Quantity) and amount.value.unit == "percent":
        return "share"
    if publisher is not None and not occasion:
        return "published"
    return None


def _year_long(times: list[DateSpan], clause: tuple[int, int]) -> bool:
    """A whole year in the clause ("this year", "in 2025")."""
    return any(s.offset and clause[0] <= s.offset[0] < clause[1] and s.precision == "year" for s in times)


def _agentless_year(head: Token, times: list[DateSpan], clause: tuple[int, int]) -> bool:
    """"only €32.5 billion was allocated in 2025": a passive with no agent over a whole year."""
    passive = any(c.dep_ == "auxpass" for c in head.children)
    agent = any(c.dep_ == "agent" for c in head.children)
    return passive and not agent and _year_long(times, clause)


# --------------------------------------------------------------------------- subjects


def _following_subject(amount: Amount, ctx: SentenceContext) -> list[Mention]:
    """An entity named just after the amount ("€67 billion from the United States")."""
    for child in amount.head.children:
        if child.dep_ == "prep" and child.lower_ in FOLLOWING_SUBJECT_PREPS:
            pobj = [g for g in child.children if g.dep_ == "pobj"]
            if pobj:
                return phrase_mentions(pobj[0], ctx, strict=True)
    return []


def _owner(amount: Amount, head: Token, ctx: SentenceContext) -> list[Mention]:
    """The owner of a total noun: "the US total of X", "bring the total value of Australia's
    aid to X"."""
    cues = _cues()
    nouns = [t for t in _path(amount, head) if t.pos_ == "NOUN"]
    nouns += [c for c in head.children if c.dep_ in ("dobj", "nsubj", "nsubjpass")]
    for tok in nouns:
        if lemma(tok) not in cues.total_nouns:
            continue
        mods = [c for c in tok.children if c.dep_ in ("compound", "amod", "poss", "nmod")]
        found = [m for c in mods for m in ctx.span_mentions(c.subtree)]
        if found:
            return found
        for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"):
            for pobj in (g for g in prep.children if g.dep_ == "pobj" and g.i != amount.head.i):
                owners = [c for c in pobj.children if c.dep_ in ("poss", "compound", "amod")]
                owners += [g for c in pobj.children if c.dep_ == "prep" and c.lower_ == "by" for g in c.children]
                found = [m for c in owners for m in ctx.span_mentions(c.subtree)]
                if found:
                    return found
    return []


def _clause_subject(head: Token, ctx: SentenceContext, sent: Sentence) -> list[Mention]:
    """The subject of the amount's clause; for a participle modifying a noun ("assistance ...,
    totalling X") the subject of the clause above; a pronoun in reported speech is the speaker
    ("the government said it had completed ..."), elsewhere the party named last; with no
    subject in the parse, the entity right before the verb."""
    for _ in range(3):
        subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
        first, _passive = subject_of(head)
        if first is not None and first not in subjects:
            subjects.insert(0, first)
        for subj in subjects:
            found = phrase_mentions(subj, ctx)
            if found:
                return found
        pronoun = next((s for s in subjects if s.lower_ in PERSONAL_PRONOUNS), None)
        if pronoun is not None:
            return _pronoun_subject(head, ctx, sent)
        if subjects:
            return []
        if head.dep_ not in ("acl", "advcl", "relcl") or head.head == head:
            return left_subject(head, ctx)
        head = clause_head(head.head)
    return []


def _pronoun_subject(head: Token, ctx: SentenceContext, sent: Sentence) -> list[Mention]:
    speaker = speech_head(head)
    if speaker is not None:
        subj, _ = subject_of(speaker)
        if subj is not None:
            found = [m for m in phrase_mentions(subj, ctx) if m.entity.country or m.entity.org]
            if found:
                return found[:1]
    earlier = [m for m in ctx.index.before(sent.start) if m.entity.country or m.entity.org]
    return earlier[-1:]


def _sentence_agent(sent: Sentence, ctx: SentenceContext) -> list[Mention]:
    """A "by X" agent anywhere in the sentence ("the forty-third approved by the United States")."""
    assert sent.parse is not None
    for tok in sent.parse:
        if tok.dep_ == "agent":
            for pobj in (g for g in tok.children if g.dep_ == "pobj"):
                found = [m for m in phrase_mentions(pobj, ctx, strict=True) if m.entity.country or m.entity.org]
                if found:
                    return found
    return []


def _government_speaker(sent: Sentence, ctx: SentenceContext) -> list[Mention]:
    """Officials reporting their own government's figure ("..., Blinken and Austin told Congress")."""
    assert sent.parse is not None
    speech = load_lexicon().speech_verbs
    for tok in sent.parse:
        if lemma(tok) in speech and tok.pos_ == "VERB":
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None:
                continue
            found = [m for m in phrase_mentions(subj, ctx) if m.entity.country
                     and {"GOV", "MIL", "DIP"} & set(m.entity.sector)]
            if found:
                return found[:1]
    return []


def _subject(amount: Amount, head: Token, ctx: SentenceContext, sent: Sentence) -> list[Mention]:
    return (_following_subject(amount, ctx) or _owner(amount, head, ctx) or _perceived(amount, head, ctx)
            or _clause_subject(head, ctx, sent) or _sentence_agent(sent, ctx) or _government_speaker(sent, ctx))


def _perceived(amount: Amount, head: Token, ctx: SentenceContext) -> list[Mention]:
    """A figure someone observed ("Seoul spotted 13,000 containers being shipped through the North
    Korean port"): the party named in the counted thing's own phrase, not the observer."""
    if lemma(head) not in _cues().perception_verbs:
        return []
    observer = {m.entity.id for s in head.children if s.dep_ == "nsubj" for m in phrase_mentions(s, ctx)}
    inside = [t for c in amount.head.children if c.dep_ in ("acl", "relcl", "prep") for t in c.subtree]
    return [m for m in ctx.span_mentions(inside) if (m.entity.country or m.entity.org)
            and m.entity.id not in observer][:1]


def _observer(amount: Amount, ctx: SentenceContext) -> Role | None:
    """Who observed a perceived figure (the subject of "spotted", "detected")."""
    head = clause_head(amount.head)
    if lemma(head) not in _cues().perception_verbs:
        return None
    found = [m for s in head.children if s.dep_ == "nsubj" for m in phrase_mentions(s, ctx)
             if m.entity.country or m.entity.org]
    return Role(found[0].text, found[0].entity) if found else None


# --------------------------------------------------------------------------- claims


@dataclass
class SentenceClaims:
    """The claims of one sentence and the tokens of the clauses they were read from."""

    claims: list[Claim] = field(default_factory=list)
    clause_tokens: set[int] = field(default_factory=set)  # token indices (parse) of claim clauses
    amounts: list[tuple[int, int]] = field(default_factory=list)  # sentence offsets of claimed amounts


def _measure(text: str, value: Money | Quantity) -> str:
    if isinstance(value, Quantity):
        return "share" if value.unit == "percent" else f"{value.unit}_total"
    for name, pattern in MEASURES:
        if pattern.search(text):
            return name
    return "aid_total"


def _period_span(sent: Sentence, times: list[DateSpan]) -> DateSpan | None:
    for span in times:
        if span.text and re.match(r"(since|between|from|in|during|as of|over)\b", span.text, re.I):
            return span
    return None


def find_claims(doc: Document, sent: Sentence, ctx: SentenceContext) -> SentenceClaims:
    """Quoted statistics of one parsed sentence."""
    from .candidates import may_hold_claim as by_automaton  # the same test, by the candidate automaton
    from .when import find_times

    out = SentenceClaims()
    if sent.parse is None or not by_automaton(sent.text):
        return out
    amounts = sentence_amounts(sent, doc.published)
    if not amounts:
        return out
    times = find_times(sent.text, doc.published)
    publisher = _publisher(sent, ctx)
    reporter = _reporter(publisher, sent, ctx)
    for amount in amounts:
        reason = claim_reason(amount, sent, times, publisher)
        if reason is None:
            continue
        head = clause_head(amount.head)
        subject = _subject(amount, head, ctx, sent)
        clause_text = sent.text
        subject = [m for m in subject if m.entity.country or m.entity.org]
        out.claims.append(Claim(
            document_id=doc.id, measure=_measure(clause_text, amount.value), value=amount.value,
            evidence=Evidence(sent.text, sent.start, sent.end, amount.text),
            subject=[Role(m.text, m.entity) for m in subject],
            period=_period_span(sent, times), reported_by=reporter or _observer(amount, ctx),
        ))
        out.clause_tokens.update(t.i for t in _amount_clause(amount, head))
        out.amounts.append((amount.start, amount.end))
    return out


def _reporter(publisher: Mention | Token | None, sent: Sentence, ctx: SentenceContext) -> Role | None:
    if isinstance(publisher, Mention):
        return Role(publisher.text, publisher.entity)
    assert sent.parse is not None
    acc = according_to(sent.parse[:])
    if acc is not None:
        found = phrase_mentions(acc, ctx)
        if found:
            return Role(found[0].text, found[0].entity)
    return None
