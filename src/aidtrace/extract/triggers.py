"""Trigger lexicon: which words signal which PLOVER event, and the cheap candidate filter.

requires: data/triggers.yaml
assigns:  ``Trigger`` objects (token, sense) for a parsed sentence; ``is_candidate`` for raw text

The lexicon is loaded once per process. ``candidate_words`` lists every inflected form of
its triggers; the candidate filter (``extract.candidates``) looks a sentence's words up in
them before parsing, so sentences without any trigger are never parsed. ``is_candidate`` is
the same test as a regular expression (the filter's reference).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from ..cache import cached
from ..datafiles import grammar_words, load_yaml
from ..errors import DataFileError

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Dependency labels whose subtrees hold what a verb acts on (never the clause it reports).
OBJECT_DEPS = {"dobj", "dative", "attr", "oprd", "xcomp", "acomp", "prep", "nsubjpass", "pobj", "obj", "iobj",
               "agent", "prt"}


def _headline_passive(verb: Token) -> bool:
    """"Shell shipments to Kyiv suspended": a headline's bare participle acts on its subject."""
    return verb.dep_ == "ROOT" and verb.tag_ == "VBN" and not any(
        c.dep_ in ("aux", "auxpass") for c in verb.children) and any(c.dep_ == "nsubj" for c in verb.children)


@dataclass(frozen=True)
class Sense:
    """One reading of a trigger word (see the header of data/triggers.yaml)."""

    type: str
    mode: str | None = None
    context: tuple[str, ...] = ()
    cameo: str | None = None
    status: str | None = None
    object: str | None = None
    particle: str | None = None
    no_object_class: str | None = None
    no_particle: str | None = None
    governor: str | None = None  # (nouns) the governing verb's lemma must be in this class
    complement: bool = False  # (verbs) must govern a to-clause
    light: bool = False
    future: bool = False
    reciprocal: bool = False
    topic: bool = False  # the object is what is talked about, not a party ("discussed the deal")
    needs_verb: bool = False  # (nouns) a light verb must carry it; a possessor is not enough
    military: bool = False  # (verbs) the clause must name arms, troops or defence
    subject: str | None = None  # (verbs) the subject must be a word of this class
    source: bool = False  # (verbs) a "from X" phrase names the giver
    converse: bool = False  # (verbs) the receiving end: the "from" party acts, the subject receives
    prep: str | None = None  # (nouns) the noun must have this preposition ("call for")
    destination: bool = False  # (verbs) a "to X"/"for X" phrase names where the subject goes
    official: bool = False  # (verbs) the subject is a person or an institution (checked by the coder)
    party: bool = False  # (verbs) the object or the subject of the to-clause must name a party
    adverb: str | None = None  # (verbs) a modifier of the verb must be a word of this class
    skip: bool = False  # this reading is no event: it stops the later senses ("met with opposition")
    intransitive: bool = False  # (verbs) the verb has no direct object ("seeks to keep", not "sought help to")

    @classmethod
    def from_yaml(cls, raw: dict[str, Any]) -> Sense:
        known = {k: v for k, v in raw.items() if k in cls.__dataclass_fields__}
        known["context"] = tuple(raw.get("context") or ())
        return cls(**known)


@dataclass
class Lexicon:
    verbs: dict[str, list[Sense]]
    nouns: dict[tuple[str, ...], list[Sense]]
    classes: dict[str, frozenset[str]]
    light_verbs: frozenset[str]
    speech_verbs: frozenset[str]
    future_words: frozenset[str]
    hypothetical_words: frozenset[str]
    negation_words: frozenset[str]
    additive_words: frozenset[str] = frozenset()
    expectation_words: frozenset[str] = frozenset()
    max_noun_len: int = 1
    noun_ends: frozenset[str] = frozenset()  # the last word of every noun key
    candidate_re: re.Pattern[str] = field(default=re.compile("(?!)"))

    def in_class(self, lemma: str, name: str) -> bool:
        return lemma in self.classes.get(name, frozenset())


def _split_keys(table: dict[str, Any], path: str) -> dict[str, list[Sense]]:
    out: dict[str, list[Sense]] = {}
    for key, senses in (table or {}).items():
        if not isinstance(senses, list):
            raise DataFileError(path, f"entry {key!r} must be a list of senses")
        if not all(isinstance(s, dict) and isinstance(s.get("type"), str) for s in senses):
            raise DataFileError(path, f"entry {key!r}: every sense needs a type (a skip sense too)")
        for lemma in str(key).split("|"):
            out.setdefault(lemma.strip().lower(), []).extend(Sense.from_yaml(s) for s in senses)
    return out


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged trigger lexicon, once per process (from the compiled cache, ``aidtrace.cache``)."""
    return cached("triggers", _build_lexicon)


def _build_lexicon() -> Lexicon:
    path = "aidtrace/data/triggers.yaml"
    raw = load_yaml("triggers.yaml")
    nouns = {tuple(k.split()): v for k, v in _split_keys(raw.get("nouns", {}), path).items()}
    mod = raw.get("modality", {})
    lex = Lexicon(
        verbs=_split_keys(raw.get("verbs", {}), path),
        nouns=nouns,
        classes={k: frozenset(str(w).lower() for w in v) for k, v in raw.get("classes", {}).items()},
        light_verbs=frozenset(raw.get("light_verbs", [])),
        speech_verbs=frozenset(raw.get("speech_verbs", [])),
        future_words=frozenset(mod.get("future", [])),
        hypothetical_words=frozenset(mod.get("hypothetical", [])),
        negation_words=frozenset(mod.get("negation", [])),
        additive_words=frozenset(raw.get("additive", [])),
        expectation_words=frozenset(mod.get("expectation", [])),
        max_noun_len=max((len(k) for k in nouns), default=1),
        noun_ends=frozenset(k[-1] for k in nouns),
    )
    # money given is aid in any currency: "contribute 7 billion crowns" as much as "500 million euros"
    lex.classes["aid"] = lex.classes.get("aid", frozenset()) | _currency_words()
    lex.candidate_re = _candidate_pattern(lex)
    return lex


def _currency_words() -> frozenset[str]:
    """The one-word currency names of ``currencies.yaml`` ("crowns", "zlotys"), as lemmas."""
    words: set[str] = set()
    for spec in (load_yaml("currencies.yaml").get("currencies") or {}).values():
        for suffix in spec.get("suffixes") or []:
            word = str(suffix).lower()
            if word.isalpha() and len(word) > 3:
                words.add(word)
                if word.endswith("s"):
                    words.add(word[:-1])
    return frozenset(words)


# Irregular past forms of trigger verbs (not derivable by the spelling rules below; the words the
# candidate filter's conditions ask for get theirs from the model's lemma tables: ``lemma_exceptions``).
_IRREGULAR = {"send": "sent", "give": "gave|given", "hold": "held", "meet": "met", "strike": "struck|stricken",
              "shoot": "shot", "fight": "fought", "lend": "lent", "withhold": "withheld", "seek": "sought",
              "bring": "brought", "make": "made", "pay": "paid", "begin": "began|begun", "freeze": "froze|frozen",
              "ring": "rang|rung", "tell": "told", "undertake": "undertook|undertaken", "forgive": "forgave|forgiven",
              "overrun": "overran", "withdraw": "withdrew|withdrawn", "speak": "spoke|spoken", "break": "broke|broken",
              "take": "took|taken", "lead": "led", "fly": "flew|flown", "go": "went|gone", "come": "came",
              "win": "won", "shake": "shook|shaken", "sell": "sold", "buy": "bought", "seize": "seized",
              "mislead": "misled", "oversee": "oversaw|overseen", "undo": "undid|undone", "rebuild": "rebuilt",
              "slay": "slew|slain", "bind": "bound", "sign": "signed", "ship": "shipped"}
# Modal words that turn a reported clause into a demand ("said that Sudan must return ...").
DEONTIC_WORDS = tuple(grammar_words("deontic"))
_VOWELS = set("aeiou")


def inflections(lemma: str, noun: bool = False) -> set[str]:
    """Regular inflected forms of an English verb or noun lemma (over-generating is harmless)."""
    forms = {lemma}
    if noun:
        if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
            return forms | {lemma[:-1] + "ies"}
        return forms | {lemma + "s", lemma + "es"}
    if lemma.endswith("e"):
        return forms | {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
        return forms | {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    forms |= {lemma + "s", lemma + "es", lemma + "ed", lemma + "ing"}
    if len(lemma) >= 3 and lemma[-1] not in _VOWELS | {"w", "x", "y"} and lemma[-2] in _VOWELS \
            and lemma[-3] not in _VOWELS:  # ban -> banned, ship -> shipping
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def candidate_words(lex: Lexicon) -> set[str]:
    """Every word form that makes a sentence a candidate: inflections of the trigger verbs and
    of the last word of the trigger nouns, and the demand words (see ``extract.candidates``)."""
    words: set[str] = set(DEONTIC_WORDS)
    for lemma_ in lex.verbs:
        words |= inflections(lemma_)
        words.update(f for f in _IRREGULAR.get(lemma_, "").split("|") if f)
    for key in lex.nouns:
        words |= inflections(key[-1], noun=True)
    words.discard("")
    return words


Requirement = frozenset[str]
"""Word forms of which a sentence must hold at least one (lower case, runs of word characters)."""
Alternative = tuple[Requirement, ...]
"""Requirements that must all hold for one reading of a trigger word to be possible."""

# What a noun's light support may be written with besides a light verb: a possessor ("Japan's
# talks", "their deal"), "between"/"by" ("talks between", "a pledge by"), or the preposition that
# makes a meeting the occasion of its clause ("at talks with", "during a visit").
_POSSESSIVE_WORDS = ("s", "his", "her", "its", "their", "our", "my", "your", "whose", "between", "by", "during")


def word_forms(word: str, exceptions: dict[str, set[str]] | None = None) -> set[str]:
    """Every spelling of a lemma that a sentence may show: its regular and irregular inflections
    as verb and noun (``exceptions``: more irregular forms by lemma, see ``lemma_exceptions``), and,
    for a word with hyphens or dots ("f-16"), each of its pieces."""
    word = word.lower()
    forms = inflections(word) | inflections(word, noun=True) | {f for f in _IRREGULAR.get(word, "").split("|") if f}
    forms |= (exceptions or {}).get(word, set())
    pieces = re.findall(r"\w+", word)
    if len(pieces) != 1 or pieces[0] != word:
        forms |= set(pieces)
    return forms


def candidate_conditions(lex: Lexicon) -> dict[str, list[Alternative]]:
    """For each word form of ``candidate_words``, the readings that could make it a trigger, each
    as the words its sense needs somewhere in the sentence (``Alternative``); an empty alternative
    needs nothing. A sense can hold only if its words are there: "object: aid" a word of the class
    "aid", "particle: for" the word "for", "source" a "from" (or the "by" of "promised by"), a
    noun of several words its other words, a light noun a light verb or a possessor. Conditions
    on the parse alone (a named party, an official subject) and negative ones need no word;
    readings that never make an event (``skip``) are left out. A sentence whose trigger words
    all lack their words cannot yield an event from them, so it is not parsed
    (``extract.candidates``)."""
    classes: dict[str, Requirement] = {}
    exceptions = lemma_exceptions()

    def of_class(name: str) -> Requirement:
        if name not in classes:
            classes[name] = frozenset(f for w in lex.classes.get(name, ()) for f in word_forms(w, exceptions))
        return classes[name]

    def words(*lemmas: str) -> Requirement:
        return frozenset(f for w in lemmas for f in word_forms(w, exceptions))

    light = words(*lex.light_verbs) | frozenset(_POSSESSIVE_WORDS) | frozenset(OCCASION_PREPS)
    out: dict[str, list[Alternative]] = {}

    def add(forms: set[str], alternative: Alternative) -> None:
        for form in forms:
            alternatives = out.setdefault(form, [])
            if alternative not in alternatives:
                alternatives.append(alternative)

    for lemma_, senses in lex.verbs.items():
        forms = inflections(lemma_) | {f for f in _IRREGULAR.get(lemma_, "").split("|") if f}
        for sense in senses:
            if not sense.skip:
                add(forms, _verb_requirements(sense, lex, of_class))
    for key, senses in lex.nouns.items():
        others = tuple(words(w) for w in key[:-1])
        for sense in senses:
            if not sense.skip:
                add(inflections(key[-1], noun=True), others + ((light,) if sense.light else ()))
    speech = words(*lex.speech_verbs)
    for word in DEONTIC_WORDS:  # "X said that Y must/should do Z" is a demand (coder._demand)
        add({word}, (speech,))
    return out


def lemma_exceptions(model: str | None = None) -> dict[str, set[str]]:
    """lemma -> the forms that the spaCy pipeline's lemmatizer maps to it by exception ("said" ->
    "say", "memoranda" -> "memorandum"): the coder compares lemmas, so the candidate filter must
    know every spelling of the words it asks for. Read from the installed model's lemmatizer
    tables (only that component is loaded; the compiled cache keeps the result); empty when the
    model cannot be loaded, leaving the spelling rules and ``_IRREGULAR``."""
    from ..settings import SETTINGS

    try:
        import spacy

        nlp = spacy.load(model or SETTINGS["spacy_model"][0],
                         exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "ner", "senter"])
        lemmatizer: Any = nlp.get_pipe("lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_exc")
    except (ImportError, OSError, KeyError, ValueError):
        return {}
    out: dict[str, set[str]] = {}
    for pos in table:
        for form, lemmas in table[pos].items():
            for lemma_ in lemmas:
                out.setdefault(str(lemma_).lower(), set()).add(str(form).lower())
    return out


def _verb_requirements(sense: Sense, lex: Lexicon, of_class: Callable[[str], Requirement]) -> Alternative:
    """The words a verb's sense needs in its sentence (see ``_verb_sense``, which checks them on
    the parse)."""
    needs: list[Requirement] = []
    for name in (sense.object, sense.subject, "military" if sense.military else None):
        if name:
            needs.append(of_class(name))
    if sense.particle:
        needs.append(frozenset({sense.particle.lower(), *re.findall(r"\w+", sense.particle.lower())}))
    if sense.source:
        needs.append(frozenset({"from", "by"}))  # "from X", or a giver named by "promised by X"
    if sense.destination:
        needs.append(frozenset({"to", "for"}))
    if sense.complement:
        needs.append(frozenset({"to"}))
    if sense.adverb and not any(w.endswith("-") for w in lex.classes.get(sense.adverb, ())):
        needs.append(of_class(sense.adverb))  # a prefix ("co-") is part of the verb's own word
    return tuple(needs)


def _candidate_pattern(lex: Lexicon) -> re.Pattern[str]:
    words = candidate_words(lex)
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


def is_candidate(text: str) -> bool:
    """Whether a sentence contains a trigger word form and so deserves a full parse."""
    return load_lexicon().candidate_re.search(text) is not None


# --------------------------------------------------------------------------- over a parse


@dataclass
class Trigger:
    """A trigger word found in a parsed sentence, with the sense that applied."""

    token: Token
    sense: Sense
    kind: str  # "verb" or "noun"
    first: int  # index of the first token of a multi-word noun
    governor: Token | None = None  # for nouns: the verb the noun depends on

    @property
    def text(self) -> str:
        doc = self.token.doc
        return doc[self.first:self.token.i + 1].text


def lemma(tok: Token) -> str:
    return tok.lemma_.lower()


@dataclass(frozen=True)
class TokenWords:
    """Every token's lower-cased lemma and text and its part of speech, read from the Doc's arrays:
    a sentence's words are tested without making a ``Token`` object for each."""

    lemmas: list[str]  # ``lemma(token)``
    lowers: list[str]  # ``token.text.lower()``
    pos: list[str]  # ``token.pos_``


_WORDS = "aidtrace.words"
_LOWERED: dict[int, str] = {}  # string hash -> the string, lower-cased (hashes do not depend on the Doc)
_LOWERED_MAX = 500_000  # distinct strings remembered; the memo starts again when full (a long watch)


@cache
def _pos_name(key: int) -> str:
    from spacy.parts_of_speech import NAMES

    return str(NAMES.get(key, ""))


def token_words(doc: Doc) -> TokenWords:
    """The ``TokenWords`` of a parsed Doc (kept in its ``user_data``: made once per Doc)."""
    words: TokenWords | None = doc.user_data.get(_WORDS)
    if words is None:
        from spacy.attrs import LEMMA, LOWER, POS

        strings = doc.vocab.strings
        lowered = _LOWERED
        if len(lowered) > _LOWERED_MAX:
            lowered.clear()

        def text(key: int) -> str:
            found = lowered.get(key)
            if found is None:
                found = lowered[key] = strings[key].lower()
            return found

        rows = doc.to_array([LEMMA, LOWER, POS]).tolist() if len(doc) else []
        words = TokenWords([text(r[0]) for r in rows], [text(r[1]) for r in rows], [_pos_name(r[2]) for r in rows])
        doc.user_data[_WORDS] = words
    return words


def object_tokens(verb: Token) -> list[Token]:
    """Tokens of what a verb acts on: its object-like dependents' subtrees (not reported clauses)."""
    out: list[Token] = []
    passive = _headline_passive(verb)
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in CIRCUMSTANCE_PREPS:
            continue  # "after signing the law, which ... armed Britain": a circumstance, not the object
        if child.dep_ in OBJECT_DEPS or (child.dep_ == "ccomp" and lemma(verb) not in load_lexicon().speech_verbs) \
                or (passive and child.dep_ == "nsubj") or _misparsed_object(child):
            out.extend(child.subtree)
    return out


def _misparsed_object(child: Token) -> bool:
    """"declared [new sanctions targeting air transport]": a noun phrase with a participle that the
    parser took for a reported clause is the verb's object."""
    return child.dep_ == "ccomp" and child.tag_ == "VBG" and not any(
        c.dep_ in ("aux", "auxpass", "mark") for c in child.children) and any(
        c.dep_ == "nsubj" and c.pos_ == "NOUN" for c in child.children)


def _is_modifier(tok: Token) -> bool:
    """A compound or adjective modifying a noun ("war" in "war games"): not what is acted on."""
    return tok.dep_ in ("compound", "amod", "nmod") and tok.head.pos_ == "NOUN"


def particles(verb: Token) -> set[str]:
    return {c.text.lower() for c in verb.children if c.dep_ in ("prt", "prep", "dobj", "advmod")}


def _verb_sense(tok: Token, lex: Lexicon) -> Sense | None:
    senses = lex.verbs.get(lemma(tok))
    if not senses:
        return None
    acted_on = object_tokens(tok)
    described = {t.i for o in acted_on if o.dep_ in ("relcl", "acl") and o.pos_ in ("VERB", "AUX")
                 for t in o.subtree}
    heads = [t for t in acted_on if not _is_modifier(t) and t.i not in described]
    # the small model leaves some plurals unlemmatised ("euros"): try the bare singular too
    objs = {lemma(t) for t in heads} | {t.text.lower() for t in heads} | {
        t.lower_[:-1] for t in heads if t.lower_.endswith("s") and not t.lower_.endswith("ss")}
    parts = particles(tok)
    for sense in senses:
        if sense.object and not (objs & lex.classes.get(sense.object, frozenset())):
            continue
        if sense.particle and sense.particle not in parts:
            continue
        if sense.no_particle and sense.no_particle in parts:
            continue
        if sense.no_object_class and objs & lex.classes.get(sense.no_object_class, frozenset()):
            continue
        if sense.military and not _military_clause(tok, lex):
            continue
        if sense.subject and not _subject_in(tok, lex.classes.get(sense.subject, frozenset())):
            continue
        if sense.source and source_phrase(tok) is None:
            continue
        if sense.party and not _names_party(tok):
            continue
        if sense.destination and not any(c.dep_ == "prep" and c.lower_ in ("to", "for") and any(
                g.dep_ == "pobj" and g.pos_ == "PROPN" for g in c.children) for c in tok.children):
            continue
        if sense.adverb and not _has_adverb(tok, lex.classes.get(sense.adverb, frozenset())):
            continue
        if sense.complement and not any(_to_clause(tok, c) for c in tok.children):
            continue
        if sense.intransitive and any(c.dep_ in ("dobj", "dative") for c in tok.children):
            continue
        return None if sense.skip else sense
    return None


def _to_clause(verb: Token, child: Token) -> bool:
    """A to-clause the verb governs ("asked Russia to accept"); after an object, one the parser
    hung as a purpose clause counts too ("pressuring workers in Alexandria to end their strike")."""
    if not any(g.dep_ == "aux" and g.lower_ == "to" for g in child.children):
        return False
    if child.dep_ in ("xcomp", "ccomp"):
        return True
    return child.dep_ == "advcl" and any(c.dep_ in ("dobj", "dative") and c.i < child.i for c in verb.children)


def _names_party(verb: Token) -> bool:
    """The verb's object, or the subject of its to-clause, names someone ("allowed Ukraine to
    strike", "told Washington to stop"), not just an activity ("will allow scaling up")."""
    heads = [c for c in verb.children if c.dep_ in ("dobj", "dative", "iobj")]
    heads += [g for c in verb.children if c.dep_ in ("xcomp", "ccomp") for g in c.children if g.dep_ == "nsubj"]
    return any(t.pos_ in ("PROPN", "PRON") for h in heads
               for t in [h, *(c for c in h.children if c.dep_ in ("compound", "poss", "appos"))])


def _subject_in(verb: Token, words: frozenset[str]) -> bool:
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subj is not None and (lemma(subj) in words or subj.lower_ in words)


def source_phrase(verb: Token) -> Token | None:
    """The X of "from X" on a verb or inside what it acts on ("took delivery of jets from Y"); else
    the giver of what arrives or is received, named by a giving participle ("the systems promised
    by Germany arrived", "received the jets donated by Norway")."""
    for tok in [*verb.children, *(t for c in verb.children if c.dep_ in ("dobj", "prep", "pobj") for t in c.subtree)]:
        if tok.dep_ == "prep" and tok.lower_ == "from":
            pobj = next((g for g in tok.children if g.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    giving = load_lexicon().classes.get("giving", frozenset())
    goods = [c for c in verb.children if c.dep_ in ("nsubj", "dobj")]
    goods += [g for c in goods if c.dep_ == "nsubj" for p in c.children if p.dep_ == "prep" and p.lower_ == "of"
              for g in p.children if g.dep_ == "pobj"]  # "the first two of six systems promised by X"
    for noun in goods:
        for part in noun.children:
            if part.dep_ == "acl" and part.tag_ == "VBN" and lemma(part) in giving:
                agent = next((a for a in part.children if a.dep_ == "agent"), None)
                pobj = next((g for g in agent.children if g.dep_ == "pobj"), None) if agent is not None else None
                if pobj is not None:
                    return pobj
    return None


def _military_clause(verb: Token, lex: Lexicon) -> bool:
    """The verb's own words name arms, troops or defence ("signed a defence deal")."""
    words = lex.classes.get("military", frozenset())
    return any(lemma(t) in words or t.lower_ in words for t in verb.subtree)


def _has_adverb(verb: Token, words: frozenset[str]) -> bool:
    """A modifier of the verb is one of ``words`` ("jointly produce"); a verb written with the
    prefix ("co-produce") counts too."""
    if any(verb.lower_.startswith(w) for w in words if w.endswith("-")):
        return True
    return any(c.dep_ in ("advmod", "prt", "npadvmod") and c.lower_ in words for c in verb.children) or (
        verb.dep_ == "xcomp" and any(c.dep_ == "advmod" and c.lower_ in words for c in verb.head.children))


def _noun_sense(noun: Token, senses: list[Sense], governor: Token | None, lex: Lexicon) -> Sense:
    gov = lemma(governor) if governor is not None else ""
    preps = {c.lower_ for c in noun.children if c.dep_ == "prep"}
    for sense in senses:
        if sense.prep and sense.prep not in preps:
            continue
        if not sense.governor or lex.in_class(gov, sense.governor):
            return sense
    return senses[-1]


def governing_verb(tok: Token) -> Token | None:
    """The nearest verb above a noun (through prepositions, compounds, conjunctions)."""
    cur = tok
    for _ in range(8):
        if cur.head == cur:
            return None
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            return cur
    return None


def _noun_match(tok: Token, lex: Lexicon) -> tuple[int, list[Sense]] | None:
    """Longest lexicon noun ending at ``tok``: the preceding words, or a modifier of the head
    with other words between ("joint weapons production" matches "joint production")."""
    if lemma(tok) not in lex.noun_ends and tok.text.lower() not in lex.noun_ends:
        return None  # every key tried below ends with one of these two words
    doc = tok.doc
    for n in range(min(lex.max_noun_len, tok.i + 1), 0, -1):
        for key in (tuple(lemma(t) for t in doc[tok.i - n + 1: tok.i + 1]),
                    tuple(t.text.lower() for t in doc[tok.i - n + 1: tok.i + 1])):
            if key in lex.nouns:
                return tok.i - n + 1, lex.nouns[key]
    for mod in sorted(_modifiers(tok), key=lambda t: t.i):
        key = (lemma(mod), lemma(tok))
        if key in lex.nouns:
            return mod.i, lex.nouns[key]
    return None


def _modifiers(tok: Token) -> list[Token]:
    """Adjectival and compound modifiers of a noun, including those of its compounds."""
    out = []
    for child in tok.children:
        if child.dep_ in ("amod", "compound", "nmod") and child.i < tok.i:
            out.append(child)
            out.extend(g for g in child.children if g.dep_ in ("amod", "compound") and g.i < child.i)
    return out


def find_triggers(sent: Span) -> list[Trigger]:
    """Every trigger in a parsed sentence, verbs and nominal triggers, in text order."""
    lex = load_lexicon()
    found: list[Trigger] = []
    doc = sent.doc
    words = token_words(doc)
    for i in range(sent.start, sent.end):  # only the words the lexicon knows become Tokens
        pos = words.pos[i]
        if pos in ("VERB", "AUX"):
            if words.lemmas[i] not in lex.verbs:
                continue
        elif pos not in ("NOUN", "PROPN") or (words.lemmas[i] not in lex.noun_ends
                                              and words.lowers[i] not in lex.noun_ends):
            continue
        tok = doc[i]
        if tok.pos_ in ("VERB",) or (tok.pos_ == "AUX" and tok.dep_ != "aux"):
            sense = _verb_sense(tok, lex)
            if sense:
                found.append(Trigger(tok, sense, "verb", tok.i))
        elif tok.pos_ in ("NOUN", "PROPN") and not _inside_compound(tok):
            match = _noun_match(tok, lex)
            if match:
                first, senses = match
                gov = governing_verb(tok)
                sense = _noun_sense(tok, senses, gov, lex)
                trig = Trigger(tok, sense, "noun", first, gov)
                if not sense.light or has_light_support(trig, lex):
                    found.append(trig)
    return found


# Prepositions that make a noun a circumstance of the clause ("during a visit"), not its event.
CIRCUMSTANCE_PREPS = frozenset(grammar_words("circumstance_preps"))
# Prepositions whose noun is a point in time the clause is counted from ("since the invasion").
TIME_ANCHOR_PREPS = frozenset(grammar_words("time_anchor_preps"))
# Dependency labels a light verb's event noun may hang by ("held talks", "forged ahead with plans for").
LIGHT_PATH_DEPS = {"dobj", "pobj", "prep", "compound", "conj", "appos", "attr", "nsubjpass", "nsubj", "oprd",
                   "dative"}


# Prepositions that put a meeting round the clause ("at a meeting with X, Y announced ..."):
# the clause's subject took part in it.
OCCASION_PREPS = frozenset(grammar_words("occasion_preps"))
# ... and those of them that place the meeting after the clause ("ahead of talks with X").
LATER_PREPS = frozenset(grammar_words("later_preps"))
# A second party of a meeting noun: "talks with X", "a call between X and Y", "a meeting of the UDCG".
PARTY_PREPS = frozenset(grammar_words("party_preps"))


def occasion_prep(noun: Token) -> str | None:
    """The preposition that makes a noun the occasion of its clause ("at", "following",
    "ahead" for "ahead of"), or None."""
    if noun.dep_ != "pobj":
        return None
    prep = noun.head
    word = prep.lower_
    if word == "of" and prep.head.lower_ in ("ahead", "prior"):  # "ahead of the summit"
        word = prep.head.lower_
    elif word == "to" and prep.head.lower_ == "prior":
        word = "prior"
    return word if word in OCCASION_PREPS else None


def meeting_party(noun: Token) -> bool:
    """A meeting noun names a party besides the clause's subject ("with his counterpart")."""
    return any(c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in PARTY_PREPS) for c in noun.children)


def has_light_support(trig: Trigger, lex: Lexicon) -> bool:
    """A nominal trigger is an event when a light verb carries it or its phrase names its actor.
    A meeting round a clause ("at a meeting with X", "following talks with X") is an event too."""
    noun = trig.token
    if noun.dep_ == "pobj" and noun.head.lower_ in TIME_ANCHOR_PREPS:
        return False  # "one year since Russia's invasion": a point in time, not a report of it
    if not trig.sense.needs_verb and any(
            c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("between", "by")) for c in noun.children):
        return True
    if trig.sense.type == "CONSULT" and occasion_prep(noun) and meeting_party(noun):
        return True
    return light_path(noun, lex, allow_during=not trig.sense.needs_verb)


def light_path(noun: Token, lex: Lexicon, allow_during: bool = False) -> bool:
    """Whether a noun hangs from a light verb ("held talks", "forged ahead with plans for ...")."""
    cur = noun
    for _ in range(6):
        if cur.dep_ not in LIGHT_PATH_DEPS or cur.head == cur:
            return False
        if cur.dep_ == "pobj" and cur.head.lower_ in CIRCUMSTANCE_PREPS:
            return False
        if cur.dep_ == "pobj" and cur.head.lower_ == "during":
            return allow_during  # "said during a visit to Kyiv": the subject took part in it
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            return lemma(cur) in lex.light_verbs
    return False


def _inside_compound(tok: Token) -> bool:
    """A compound modifier ("production" in "production deal") is matched by its head noun."""
    return tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN") and tok.head.i > tok.i
