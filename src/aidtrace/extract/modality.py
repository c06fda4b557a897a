"""Modality of a trigger: negated, future/intended, hypothetical, or historical background.

requires: a trigger in a parsed sentence; the lexicon's modality word lists
assigns:  ``Modality`` (negated flag + one of asserted/future/hypothetical/historical)

The words that decide are looked for on the trigger's own clause: its auxiliaries and
negation, the chain of governing verbs up to the first reporting verb (so "officials said"
never makes an event hypothetical), determiners of its object ("no new aid"), and
modifiers such as "upcoming" or "plans for".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..datafiles import grammar_words
from .roles import PLAN_NOUNS, headline_infinitive, speech_head
from .triggers import Trigger, lemma, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Token

# Verbs that, governing the trigger, make it an intention ("aims to help").
INTENT_VERBS = frozenset(grammar_words("intent_verbs"))
# In reported speech these are the future of the original statement ("said it would").
REPORTED_FUTURE_AUX = frozenset(grammar_words("reported_future_aux"))
OBLIGATION_VERBS = frozenset(grammar_words("obligation_verbs"))


@dataclass
class Modality:
    negated: bool = False
    modality: str = "asserted"
    reason: str = ""


def clause_chain(tok: Token) -> list[Token]:
    """The trigger and the verbs/nouns governing it, up to (not including) a reporting verb."""
    lex = load_lexicon()
    chain = [tok]
    cur = tok
    for _ in range(8):
        if cur.head == cur or cur.dep_ in ("ccomp", "parataxis") and lemma(cur.head) in lex.speech_verbs:
            break
        if cur.dep_ in ("advcl", "relcl", "acl") and cur.pos_ in ("VERB", "AUX"):
            break
        cur = cur.head
        chain.append(cur)
    return chain


def _negated(chain: list[Token], trigger: Trigger) -> bool:
    lex = load_lexicon()
    for tok in chain:
        for child in tok.children:
            if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ == "no"):
                return True
    for child in trigger.token.children:
        if child.dep_ in ("dobj", "nsubjpass", "attr") and any(
                g.dep_ == "det" and g.lower_ in ("no", "none") for g in child.children):
            return True
    # "failed to deliver": the governing verb denies the event
    return any(lemma(t) in lex.negation_words and t != trigger.token for t in chain)


def _conjunct_of(tok: Token, chain: list[Token]) -> bool:
    """The chain reached ``tok`` from a verb coordinated with it ("agrees a deal and reveals a
    package"): agreeing is not the intent of revealing."""
    index = chain.index(tok)
    return index > 0 and chain[index - 1].dep_ == "conj" and chain[index - 1].head == tok


def _future(chain: list[Token], trigger: Trigger) -> str:
    lex = load_lexicon()
    for tok in chain:
        for child in tok.children:
            if child.dep_ in ("aux", "auxpass") and child.lower_ in ("will", "shall", "'ll", "wo"):
                return "auxiliary"
            if child.dep_ in ("amod", "advmod", "compound") and child.lower_ in lex.future_words:
                return f"modifier {child.lower_}"
        if tok != trigger.token and lemma(tok) in INTENT_VERBS and not _conjunct_of(tok, chain):
            return f"intent {lemma(tok)}"
        if tok != trigger.token and tok.pos_ == "ADJ" and tok.lower_ in lex.future_words \
                and any(c.dep_ == "xcomp" for c in tok.children):
            return f"due {tok.lower_}"  # "is due to meet", "is poised to approve"
        if tok != trigger.token and lemma(tok) == "plan" and tok.pos_ == "NOUN":
            return "plans"
    if trigger.sense.future:
        return "pledge word"
    return ""


def _going_to(chain: list[Token]) -> bool:
    return any(lemma(t) == "go" and any(c.dep_ == "xcomp" for c in t.children) and
               any(c.dep_ == "aux" and c.lower_ in ("is", "are", "am", "'s", "'re") for c in t.children)
               for t in chain)


def _hypothetical(chain: list[Token], reported: bool) -> str:
    for tok in chain[1:]:
        # "had to convince", "needs to send": an obligation, not an act
        if lemma(tok) in OBLIGATION_VERBS and any(c.dep_ == "xcomp" for c in tok.children):
            return f"obligation {lemma(tok)}"
    words = load_lexicon().hypothetical_words
    if _question(chain[0]):
        return "question"
    judge = chain[-1].head if chain[-1].dep_ == "advcl" else chain[-1]
    for tok in [*chain, judge]:
        if tok.lower_ in words and tok.pos_ == "ADJ":
            return f"judged {tok.lower_}"  # "makes it unlikely that Washington will end the freeze"
        for child in tok.children:
            if child.dep_ == "aux" and child.lower_ in words:
                if reported and child.lower_ in REPORTED_FUTURE_AUX:
                    continue  # "they said they would boycott": future in the past, not a condition
                return f"auxiliary {child.lower_}"
            if child.dep_ == "mark" and child.lower_ in words:
                return f"condition {child.lower_}"
    return ""


def _question(tok: Token) -> bool:
    """The clause asks rather than tells ("why doesn't the US give us the missiles?")."""
    sent = tok.sent
    last = next((t for t in reversed(list(sent)) if not (t.is_punct and t.text != "?") or t.text == "?"), None)
    if last is None or last.text != "?":
        return False
    # the clause itself is asked: an auxiliary before its subject ("will it send", "why doesn't
    # the US give") or a question word in front; "Germany sent tanks, but will it send more?" asks
    # only the second clause
    subj = next((c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    inverted = subj is not None and any(c.dep_ in ("aux", "auxpass") and c.i < subj.i for c in tok.children)
    asked = any(c.lower_ in _QUESTION_WORDS and c.i < tok.i for c in tok.children)
    return inverted or asked


_QUESTION_WORDS = {"why", "what", "how", "when", "where", "who", "whom", "which", "whether"}


def _historical(trigger: Trigger) -> bool:
    """Background in a "since ..." clause ("since Russia launched its invasion")."""
    tok = trigger.token if trigger.kind == "verb" else (trigger.governor or trigger.token)
    for _ in range(3):
        if any(c.dep_ == "mark" and c.lower_ == "since" for c in tok.children):
            return True
        if tok.head == tok:
            break
        tok = tok.head
    return False


def _unrealised(trigger: Trigger) -> str:
    """A to-clause that is a purpose ("came to Turkey to agree on terms") or that belongs to a noun
    of possibility ("explore ways to support the army"): nothing is reported as done."""
    noun = trigger.token
    if trigger.kind == "noun" and noun.dep_ == "pobj" and noun.head.lower_ in ("for", "of") \
            and load_lexicon().in_class(lemma(noun.head.head), "possibility"):
        return f"possibility ({lemma(noun.head.head)})"  # "opportunities for cooperation"
    verb = trigger.token if trigger.kind == "verb" else trigger.governor
    if verb is None or not any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children):
        return ""
    if verb.dep_ == "advcl" and verb.head.pos_ in ("VERB", "AUX"):
        return "purpose"
    if verb.dep_ == "acl" and verb.head.pos_ == "NOUN" and lemma(verb.head) not in PLAN_NOUNS:
        return f"possibility ({lemma(verb.head)})"
    return ""


def _reported_by_participle(verb: Token) -> bool:
    """"..., announcing Germany would deliver ...": a reporting participle the parser hung under
    the reported verb instead of above it."""
    speech = load_lexicon().speech_verbs
    return any(c.dep_ in ("csubj", "advcl") and c.i < verb.i and lemma(c) in speech for c in verb.children)


def _plan_noun_clause(trigger: Trigger) -> bool:
    """"the Pentagon's plans to cut funding": a to-clause of a plan is still to come."""
    verb = trigger.token if trigger.kind == "verb" else trigger.governor
    return verb is not None and verb.dep_ == "acl" and verb.head.pos_ == "NOUN" \
        and lemma(verb.head) in PLAN_NOUNS and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _expected_of_others(trigger: Trigger) -> str:
    """"The EU expected Hungary to unblock the tranche": what one party expects, hopes or wants
    another to do has not happened (one's own plans are future, not this)."""
    verb = trigger.token if trigger.kind == "verb" else trigger.governor
    if verb is None or verb.dep_ not in ("xcomp", "ccomp") or verb.head == verb:
        return ""
    head = verb.head
    if lemma(head) not in load_lexicon().expectation_words:
        return ""
    other = any(c.dep_ == "dobj" for c in head.children) or any(c.dep_ == "nsubj" for c in verb.children)
    return f"expected of another ({lemma(head)})" if other else ""


def read_modality(trigger: Trigger) -> Modality:
    """Negation and modality of one trigger."""
    start = trigger.token
    chain = clause_chain(start)
    if trigger.kind == "noun" and trigger.governor is not None and trigger.governor not in chain:
        chain.extend(clause_chain(trigger.governor))
    negated = _negated(chain, trigger)
    if _historical(trigger):
        return Modality(negated, "historical", "since-clause")
    reported = speech_head(start) is not None or _reported_by_participle(start)
    hyp = _hypothetical(chain, reported) or _expected_of_others(trigger) or _unrealised(trigger)
    if hyp:
        return Modality(negated, "hypothetical", hyp)
    fut = _future(chain, trigger) or ("going to" if _going_to(chain) else "") \
        or ("plan" if _plan_noun_clause(trigger) else "")
    if not fut and any(headline_infinitive(t) for t in chain if t.pos_ == "VERB"):
        fut = "headline infinitive"  # "UK to send tanks to Ukraine"
    if not fut and reported and any(c.dep_ == "aux" and c.lower_ in REPORTED_FUTURE_AUX
                                    for t in chain for c in t.children):
        fut = "reported would"
    if fut:
        return Modality(negated, "future", fut)
    return Modality(negated, "asserted", "")
