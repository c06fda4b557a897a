"""Roles: who acts and who receives, read from the dependency parse.

requires: a parsed sentence (spaCy Span with offsets), resolved mentions of the document
assigns:  actor / recipient / attribution mention lists for a trigger

Rules (PETRARCH-like, on dependencies rather than phrase trees): subject or passive agent
is the actor; direct/indirect object and "to/with/for/against X" the recipient; relative
pronouns take their antecedent; controlled and conjoined verbs inherit their head's
subject; a pronoun subject of a reported clause is the reporter; "X said that Y did Z"
makes Y the actor and X the attribution.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..datafiles import grammar_table, grammar_words, load_yaml
from ..model import Mention
from .triggers import Trigger, lemma, light_path, load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECT_DEPS = ("nsubj", "csubj", "expl")
RECIPIENT_PREPS = grammar_table("recipient_preps")
# Verbal event types addressed to someone (the addressee is the recipient).
ADDRESSEE_TYPES = {"REQUEST", "SUPPORT", "ACCUSE", "REJECT", "THREATEN", "AGREE"}
DIRECTIONAL_PREPS = grammar_words("directional_preps")
# Types whose recipient is never the actor itself.
EXTERNAL_TYPES = {"AID", "COOPERATE", "CONSULT", "SANCTION", "SUPPORT", "AGREE"}
# Verbs whose object does not control their to-clause ("promised Kyiv to send jets": the promiser sends).
SUBJECT_CONTROL = frozenset(grammar_words("subject_control"))
# Prepositions that name a recipient inside a complement clause, whatever the event type.
COMPLEMENT_PREPS = grammar_words("complement_preps")
RELATIVE_PRONOUNS = {"who", "which", "that", "whom", "whose"}
PERSONAL_PRONOUNS = {"it", "they", "we", "he", "she", "i", "its", "their", "our", "his", "her", "us", "them"}
GENERIC_PEOPLE = frozenset(grammar_words("generic_people"))
# Nouns for the channels aid goes through (funds, initiatives): its "for X" is the recipient.
AID_VEHICLES = frozenset(grammar_words("aid_vehicles"))
# Nouns whose to-clause is a plan ("plans to send"; modality reads them too).
PLAN_NOUNS = frozenset(grammar_words("plan_nouns"))
# Verbs whose subject makes the plan it acts on, and so carries out its to-clause.
PLAN_MAKERS = frozenset(grammar_words("plan_makers"))
# A same-country company, outlet or institute deep in a phrase ("weapons made by Ukrainian
# manufacturers") is what the event is about, not whom it addresses.
BYSTANDER_SECTORS = {"BUS", "MED", "RES", "EDU"}
# Sectors of officials who speak for their government.
OFFICIAL_SECTORS = {"GOV", "MIL", "DIP"}
# Passive forms that describe the subject's own stance ("Vietnam is committed to ..."): the
# grammatical subject is the actor.
STATIVE_PASSIVES = frozenset(grammar_words("stative_passives"))
# Prepositions that name a party taking part ("talks with X", "a deal between X and Y"), never
# only the target of an event noun.
PARTY_PREPS = frozenset(grammar_words("party_preps"))
# Event types whose noun's "of" phrase names the target ("the shelling of Kharkiv").
OBJECTIVE_OF_TYPES = frozenset(grammar_words("objective_of_types"))
# Tokens below these dependencies belong to another phrase (a place, a clause), not the head's entity.
_DETACHED = {"prep", "relcl", "acl", "advcl", "ccomp", "xcomp", "punct", "cc", "conj", "dep"}


class MentionIndex:
    """Mentions of one document, looked up by character range."""

    def __init__(self, mentions: Iterable[Mention]):
        self.items = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.items]

    def within(self, start: int, end: int) -> list[Mention]:
        """Mentions overlapping [start, end)."""
        i = bisect.bisect_left(self.starts, start)
        # a mention starting before ``start`` may still overlap
        j = max(0, i - 1)
        return [m for m in self.items[j:bisect.bisect_left(self.starts, end)] if m.end > start and m.start < end]

    def before(self, pos: int) -> list[Mention]:
        return self.items[:bisect.bisect_left(self.starts, pos)]


@dataclass
class SentenceContext:
    """What role reading needs: the sentence's document offset and the document's mentions."""

    offset: int  # char offset of the parsed sentence in the document text
    index: MentionIndex
    # recipients of aid the document names, coded or not ("the jets have been delivered to
    # Ukraine"): the article's focus, shared by all its sentences
    focus: dict[str, list[Mention]] | None = None
    # the giver and receiver of the aid the previous sentences told of: "Deliveries resumed on
    # Friday" continues it
    last_aid: tuple[list[Mention], list[Mention]] | None = None

    def span_mentions(self, tokens: Iterable[Token]) -> list[Mention]:
        toks = list(tokens)
        if not toks:
            return []
        out: list[Mention] = []
        for tok in toks:
            start = self.offset + tok.idx
            for m in self.index.within(start, start + len(tok.text)):
                if m not in out:
                    out.append(m)
        return out


@lru_cache(maxsize=1)
def relational_nouns() -> frozenset[str]:
    """Role nouns that name other parties than their owner ("Ukraine's allies", "US partners"),
    from the agents dictionary."""
    forms: set[str] = set()
    for role in load_yaml("agents.yaml").get("roles", []):
        if role.get("relational"):
            forms.update(str(f).lower() for f in role.get("forms", []))
    return frozenset(forms)


def is_relational(head: Token) -> bool:
    return head.lower_ in relational_nouns() or head.lemma_.lower() in relational_nouns()


def relational_owner(head: Token, ctx: SentenceContext) -> list[Mention]:
    """The owner of a relational noun: Ukraine in "Ukraine's allies" or "the Ukraine partners"."""
    if not is_relational(head):
        return []
    owners = [c for c in head.children if c.dep_ in ("poss", "compound", "nmod")]
    return [m for c in owners for m in ctx.span_mentions(c.subtree) if m.entity.country or m.entity.org]


def core_tokens(head: Token) -> list[Token]:
    """The head's own phrase: modifiers, possessors and appositions, not attached places or clauses.
    A relational noun's owner is not part of it ("Ukraine's allies", "US partners" are not Ukraine
    or the US), though its adjective is ("his Ukrainian counterpart", "European partners")."""
    out = [head]
    relational = is_relational(head)
    for child in head.children:
        if child.dep_ == "appos":
            out.extend(core_tokens(child))
        elif relational and child.dep_ in ("poss", "compound", "nmod"):
            continue
        elif child.dep_ not in _DETACHED:
            out.extend(child.subtree)
    return sorted(out, key=lambda t: t.i)


def conjuncts(head: Token) -> list[Token]:
    """A head and the heads coordinated with it ("France and Germany"), also through an
    apposition ("the German concern Rheinmetall and Ukrainian Defense Industry")."""
    out, stack = [], [head]
    while stack:
        cur = stack.pop()
        out.append(cur)
        stack.extend(c for c in cur.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "PRON"))
        stack.extend(g for c in cur.children if c.dep_ == "appos"
                     for g in c.children if g.dep_ == "conj" and g.pos_ in ("NOUN", "PROPN"))
    return sorted(out, key=lambda t: t.i)


def phrase_mentions(head: Token, ctx: SentenceContext, strict: bool = False, actor: bool = False) -> list[Mention]:
    """Mentions naming the entity (or entities, if coordinated) a noun phrase stands for.

    Args:
        head: the phrase's head token.
        ctx: sentence offsets and document mentions.
        strict: only the phrase's own words, never an entity buried deeper inside it.
        actor: the phrase is who acts (a subject, an agent): an entity buried in the target of an
            event noun inside it is not taken ("the attack on a Turkish convoy killed ...").
    """
    found: list[Mention] = []
    for conj in conjuncts(head):
        for m in ctx.span_mentions(core_tokens(conj)):
            if m not in found:
                found.append(m)
    if not found and not strict and not is_relational(head):
        # "some arms shipments promised to help Ukraine": the first entity inside, but not one
        # buried in the purpose of a clause inside it ("the demonstration staged by students to
        # protest the decision of sending troops to Iraq" is not against Iraq)
        inside = ctx.span_mentions(_outside_purposes(head, targets=actor))
        found = [m for m in inside if (m.start, m.end) == (inside[0].start, inside[0].end)] if inside else []
    return found


def _outside_purposes(head: Token, targets: bool = False) -> list[Token]:
    """``head``'s subtree without the adverbial clauses of the verbs inside it (what they were
    done for, or when), without the owners of relational nouns ("the chief of Israel's ally"
    is not Israel's) and, given ``targets``, without the target phrases of event nouns ("the
    attack on a Turkish convoy" is not by Turkey), in text order."""
    out, stack = [], [head]
    while stack:
        tok = stack.pop()
        out.append(tok)
        relational = tok is not head and is_relational(tok)
        aimed = target_preps(tok) if targets and tok.pos_ == "NOUN" else frozenset()
        stack.extend(c for c in tok.children
                     if not (c.dep_ == "advcl" and tok is not head and tok.pos_ == "VERB")
                     and not (relational and c.dep_ in ("poss", "compound", "nmod"))
                     and not (c.dep_ == "prep" and c.lower_ in aimed))
    return sorted(out, key=lambda t: t.i)


def target_preps(noun: Token) -> frozenset[str]:
    """Prepositions whose object an event noun is aimed at: the recipient prepositions of its
    senses' types ("strikes on X", "aid to X") except those naming a party ("talks with X"), and
    "of" for the types whose "of" names the target ("the shelling of X"); none for a reciprocal
    sense ("talks between X and Y")."""
    return _target_preps(lemma(noun))


@lru_cache(maxsize=4096)
def _target_preps(word: str) -> frozenset[str]:
    senses = load_lexicon().nouns.get((word,), [])
    preps: set[str] = set()
    for sense in senses:
        if sense.reciprocal or sense.skip:
            continue  # "talks between X and Y": the parties themselves
        preps.update(p for p in RECIPIENT_PREPS.get(sense.type, ()) if p not in PARTY_PREPS)
        if sense.type in OBJECTIVE_OF_TYPES:
            preps.add("of")
    return frozenset(preps)


def participle_passive(verb: Token) -> bool:
    """A bare past participle modifying or following its patient ("a leader, killed in an
    airstrike"; "was arrested and charged"): passive although it has no auxiliary of its own."""
    if verb.tag_ != "VBN" or any(c.dep_ in ("aux", "auxpass", "nsubj") for c in verb.children):
        return False
    if verb.dep_ in ("acl", "advcl", "amod"):
        return True
    return verb.dep_ == "conj" and any(c.dep_ == "auxpass" for c in verb.head.children)


def subject_of(verb: Token) -> tuple[Token | None, bool]:
    """The subject token of a verb (following relatives, control and coordination); passive flag."""
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or participle_passive(verb) \
        or headline_passive(verb)
    headline = headline_subject(verb)
    if headline is not None:
        return headline, passive
    own = verb
    for _ in range(6):
        if verb != own and any(c.dep_ == "auxpass" for c in verb.children):
            # "was attacked by X, killing ...": the inherited subject of a passive head is its agent
            agent = passive_agent(verb)
            if agent is not None:
                return agent, False
        for child in verb.children:
            if child.dep_ in SUBJECT_DEPS or child.dep_ == "nsubjpass":
                if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                    return verb.head, passive
                return child, passive
        if verb.dep_ == "relcl":
            return verb.head, passive
        if verb.dep_ == "xcomp" and verb.head != verb:
            # object control: "convince Russia to accept" -> Russia accepts
            controller = next((c for c in verb.head.children if c.dep_ in ("dobj", "dative")), None)
            if controller is not None and lemma(verb.head) not in SUBJECT_CONTROL:
                return controller, passive
        if verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ not in ("to",) for c in verb.children):
            break  # "after Niger suspended ...": a subordinate clause never borrows the main subject
        if verb.dep_ in ("xcomp", "conj", "advcl", "pcomp") and verb.head != verb:
            verb = verb.head
            while verb.pos_ == "ADP" and verb.head != verb:  # "resorted to throwing": over the preposition
                verb = verb.head
            continue
        if verb.dep_ == "acl" and verb.head.pos_ in ("NOUN", "PROPN"):
            return None, passive
        break
    return None, passive


def headline_infinitive(verb: Token) -> bool:
    """A headline's "X to V" ("UK to send tanks to Ukraine", "Denmark, Sweden, Norway to provide
    ..."): a verb with its own "to" after a noun phrase that opens the sentence, parsed either as
    the root with the noun phrase below it, or below the noun phrase taken for the root."""
    if verb.tag_ != "VB" or not any(c.dep_ == "aux" and c.lower_ == "to" and c.i < verb.i for c in verb.children):
        return False
    if verb.dep_ == "ROOT":
        return any(c.dep_ in ("nsubj", "dep", "npadvmod", "compound") and c.i < verb.i
                   and c.pos_ in ("PROPN", "NOUN") for c in verb.children)
    head = verb.head
    return verb.dep_ in ("xcomp", "acl", "relcl", "advcl") and head.dep_ == "ROOT" and head.pos_ in ("PROPN", "NOUN") \
        and head.i < verb.i and head.i == head.sent.start


def headline_subject(verb: Token) -> Token | None:
    """The X of a headline's "X to V" when the parser did not take it for the subject."""
    if not headline_infinitive(verb) or any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None
    if verb.dep_ != "ROOT":
        return verb.head
    return next((c for c in verb.children if c.dep_ in ("dep", "npadvmod", "compound") and c.i < verb.i
                 and c.pos_ in ("PROPN", "NOUN")), None)


def headline_parties(verb: Token, ctx: SentenceContext) -> list[Mention]:
    """Every party named before a headline's "to" ("Denmark, Sweden, Norway to provide ...")."""
    to = next(c for c in verb.children if c.dep_ == "aux" and c.lower_ == "to")
    found = [m for m in ctx.span_mentions(verb.doc[verb.sent.start:to.i]) if m.entity.country or m.entity.org]
    return found


def headline_passive(verb: Token) -> bool:
    """A headline's bare participle ("Shell shipments to Kyiv suspended"): passive, its subject the
    thing acted on."""
    return verb.dep_ == "ROOT" and verb.tag_ == "VBN" and not any(
        c.dep_ in ("aux", "auxpass") for c in verb.children) and any(c.dep_ == "nsubj" for c in verb.children) \
        and not _ends_sentence(verb.sent[-1])


def _ends_sentence(tok: Token) -> bool:
    """A full stop (or a closing quote after one): a sentence of the story, not a headline."""
    return tok.text in (".", "!", "?") or (tok.is_quote and tok.i > tok.sent.start
                                           and tok.doc[tok.i - 1].text in (".", "!", "?"))


def passive_agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            for g in child.children:
                if g.dep_ == "pobj":
                    return g
    return None


def speech_head(tok: Token) -> Token | None:
    """The reporting verb above a clause ("X said that ..."), if any."""
    lex = load_lexicon()
    cur = tok
    for _ in range(8):
        if cur.dep_ in ("ccomp", "parataxis") and lemma(cur.head) in lex.speech_verbs:
            return cur.head
        if cur.head == cur:
            return None
        cur = cur.head
    return None


def according_to(sent_tokens: Iterable[Token]) -> Token | None:
    """The X of "according to X" in a sentence."""
    for tok in sent_tokens:
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        pobj = next((g for g in nxt.children if g.dep_ == "pobj"), None) if nxt is not None else None
        if tok.lower_ == "according" and nxt is not None and nxt.lower_ == "to" and pobj is not None:
            return pobj
    return None


def actor_mentions(trigger: Trigger, ctx: SentenceContext) -> tuple[list[Mention], str]:
    """Actor mentions of a trigger and how they were found; a town or region is where things
    happen, never who does them ("Basra" alone is no actor; "Basra police" is)."""
    found, how = _actor_mentions(trigger, ctx)
    kept = [m for m in found if m.entity.kind != "place"]
    return (kept, how) if kept or not found else ([], "unresolved")


def _actor_mentions(trigger: Trigger, ctx: SentenceContext) -> tuple[list[Mention], str]:
    verb = trigger.token if trigger.kind == "verb" else None
    if trigger.kind == "noun":
        noun_found = _noun_actor(trigger, ctx)
        if noun_found[0]:
            return noun_found
        if noun_found[1] == "pronoun-possessor" and not _light_governed(trigger):
            return noun_found  # "during their conversation": the coder looks back for "their"
        if noun_found[1] == "agent-unnamed":
            return noun_found
        verb = trigger.governor
    if verb is None:
        return [], "none"
    subj, passive = subject_of(verb)
    if passive and lemma(verb) in STATIVE_PASSIVES and subj is not None:
        passive = False
    if passive:
        agent = passive_agent(verb)
        if agent is not None:
            return phrase_mentions(agent, ctx, actor=True), "agent"
        return _official_speaker(verb, ctx), "passive"
    if subj is None:
        owner = _plan_owner(verb, ctx)  # "the Pentagon's plans to cut funding"
        if owner:
            return owner, "possessor"
        left = left_subject(verb, ctx)  # "announcing Germany would deliver ...": a lost subject
        return (left, "left") if left else ([], "none")
    if headline_subject(verb) is subj:
        found = headline_parties(verb, ctx)
        if found:
            return found, "subject"
    found = phrase_mentions(subj, ctx, actor=True)
    if found:
        return found, "subject"
    if subj.lower_ in PERSONAL_PRONOUNS or lemma(subj) in GENERIC_PEOPLE:
        speaker = speech_head(verb)
        if speaker is not None:
            s, _ = subject_of(speaker)
            if s is not None and s.i != subj.i:
                return phrase_mentions(s, ctx, actor=True), "speaker"
        return [], "pronoun"
    return [], "unresolved"


def _plan_owner(verb: Token, ctx: SentenceContext) -> list[Mention]:
    """The owner of a plan, decision or bid whose content the verb is ("the Pentagon's plans to cut
    funding", "Germany's decision to send tanks")."""
    if verb.dep_ != "acl" or verb.head.pos_ != "NOUN":
        return []
    plan = verb.head
    owners = [m for c in plan.children if c.dep_ == "poss" for m in phrase_mentions(c, ctx)
              if m.entity.country or m.entity.org]
    if owners or plan.dep_ != "dobj" or lemma(plan.head) not in PLAN_MAKERS or lemma(plan) not in PLAN_NOUNS:
        return owners
    # "Paris unveiled a plan to train Ukrainian pilots": who makes the plan carries it out
    subj, passive = subject_of(plan.head)
    return [] if subj is None or passive else [m for m in phrase_mentions(subj, ctx, actor=True)
                                               if m.entity.country or m.entity.org]


def left_subject(verb: Token, ctx: SentenceContext) -> list[Mention]:
    """The nearest party before a verb whose subject the parser lost ("..., the EU and its member
    states have extended ...", "announcing Germany would deliver ..."), looking no further back
    than the previous verb."""
    if verb.tag_ in ("VBG", "VBN") and not any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return []  # a bare participle has no subject of its own
    for tok in reversed(list(verb.doc[verb.sent.start:verb.i])):
        if tok.pos_ == "VERB" and tok.dep_ not in ("aux", "auxpass", "amod"):
            return []
        found = [m for m in ctx.span_mentions([tok]) if m.entity.country or m.entity.org]
        if found:
            return found[:1]
    return []


def _official_speaker(verb: Token, ctx: SentenceContext) -> list[Mention]:
    """An agentless passive in the words of an official ("Thirty million euros have been allocated,"
    the minister said): the official's government did it."""
    speaker = speech_head(verb)
    if speaker is None:
        return []
    subj, _ = subject_of(speaker)
    if subj is None:
        return []
    return [m for m in phrase_mentions(subj, ctx) if m.entity.country and OFFICIAL_SECTORS & set(m.entity.sector)]


def _noun_actor(trigger: Trigger, ctx: SentenceContext) -> tuple[list[Mention], str]:
    noun = trigger.token
    for acl in (c for c in noun.children if c.dep_ == "acl" and c.tag_ == "VBN"):
        # "a rally held by students": those who held it, named or not (never who broke it up)
        for agent in (g for g in acl.children if g.dep_ == "agent"):
            pobj = [g for g in agent.children if g.dep_ == "pobj"]
            found = phrase_mentions(pobj[0], ctx) if pobj else []
            return (found, "by") if found else ([], "agent-unnamed")
    for child in noun.children:
        if child.dep_ == "poss":
            found = phrase_mentions(child, ctx)
            if found:
                return found, "possessor"
            if child.lower_ in PERSONAL_PRONOUNS:
                return [], "pronoun-possessor"
        if child.dep_ == "prep" and child.lower_ in ("by", "from", "between", "among"):
            pobj = [g for g in child.children if g.dep_ == "pobj"]
            if pobj:
                found = phrase_mentions(pobj[0], ctx)
                if found:
                    return found, "by"
    # "US military aid", "a Ukrainian delegation": an entity modifying the noun itself
    mods = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < trigger.first]
    for mod in mods:
        found = ctx.span_mentions([mod])
        if found:
            return found, "modifier"
    return [], "none"


def _beneficiary_of_vehicle(tok: Token) -> Token | None:
    """A fund, initiative or facility is the way aid goes, not where: the X of its "for X" ("the
    PURL initiative, which buys weapons for Ukraine"; "a fund for Ukraine's reconstruction")."""
    if lemma(tok) not in AID_VEHICLES:
        return None
    for sub in tok.subtree:
        if sub.dep_ == "prep" and sub.lower_ == "for":
            pobj = next((g for g in sub.children if g.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ == "PROPN" or pobj is not None and any(
                    c.dep_ == "poss" and c.pos_ == "PROPN" for c in pobj.children):
                return pobj
    return None


def recipient_mentions(trigger: Trigger, ctx: SentenceContext, actors: list[Mention]) -> list[Mention]:
    """Recipient mentions: objects, then "to/with/for ... X" phrases, never an actor mention."""
    heads: list[Token] = [trigger.token]
    if trigger.kind == "noun" and trigger.governor is not None and _light_governed(trigger):
        heads.append(trigger.governor)
    preps = RECIPIENT_PREPS.get(trigger.sense.type, ("to",))
    topic = trigger.sense.topic
    # every head's own objects and prepositions first, then what their complement clauses name
    candidates = [tok for head in heads for tok in _recipient_heads(head, preps, topic=topic, depth=2)]
    candidates += [tok for head in heads for tok in _recipient_heads(head, preps, topic=topic)
                   if tok not in candidates]
    verb = trigger.token
    if trigger.kind == "verb" and participle_passive(verb):
        # "a leader ..., killed in an airstrike": the one it happened to is the recipient
        patient = verb.head if verb.dep_ in ("acl", "amod") else subject_of(verb.head)[0]
        if patient is not None:
            candidates.insert(0, patient)
    if trigger.kind == "verb" and verb.dep_ == "conj" and trigger.sense.type in ADDRESSEE_TYPES:
        # "thanked the US ... but stressed the need to ...": coordinated verbs share the addressee
        own = {m.entity.country for m in actors}
        shared = [c for c in verb.head.children if c.dep_ in ("dobj", "dative")]
        candidates.extend(c for c in shared
                          if not any(m.entity.country in own for m in phrase_mentions(c, ctx, strict=True)))
    if trigger.sense.type == "THREATEN":  # "threatened to strike unless Israel rescinded ...": Israel
        cond = condition_subject(trigger.token)
        if cond is not None:
            candidates.insert(0, cond)
    candidates = [_beneficiary_of_vehicle(tok) or tok for tok in candidates]
    # never the actor's own entity, except in domestic politics ("Croatia is investigating
    # crimes by Croatian extremists" is HRV -> HRV in PLOVER's gold standard)
    actor_ids = {m.entity.id for m in actors} if trigger.sense.type in EXTERNAL_TYPES else set()
    # an organisation is not its own recipient ("EU ministers demanded ..., quoting an EC declaration")
    actor_ids |= {m.entity.org for m in actors if m.entity.org}
    for tok in candidates:
        found = [m for m in phrase_mentions(tok, ctx, strict=True) if m not in actors
                 and m.entity.id not in actor_ids and m.entity.org not in actor_ids]
        if found:
            return found
    # looser pass: an entity buried inside the phrase
    own = {m.entity.country for m in actors if m.entity.country}
    for tok in candidates:
        found = [m for m in phrase_mentions(tok, ctx) if m not in actors and m.entity.id not in actor_ids
                 and m.entity.org not in actor_ids
                 and not (m.entity.country in own and BYSTANDER_SECTORS & set(m.entity.sector))]
        if found:
            return found
    if trigger.kind == "verb" and not topic:  # last resort: a directional preposition of any kind
        kids = [c for c in trigger.token.children]
        kids += [g for c in kids if c.dep_ == "prt" for g in c.children]  # "kidnapped up to 16 ..."
        for child in kids:
            if child.dep_ == "prep" and child.lower_ in DIRECTIONAL_PREPS:
                pobjs = [g for g in child.children if g.dep_ == "pobj"]
                for pobj in pobjs:
                    found = [m for m in phrase_mentions(pobj, ctx, strict=True) if m not in actors]
                    if found:
                        return found
                if not pobjs:  # a dangling "to" (parse error): the noun phrase right after it
                    found = [m for m in ctx.span_mentions(_phrase_after(child)) if m not in actors]
                    if found:
                        return found[:1]
    return []


def _light_governed(trigger: Trigger) -> bool:
    return trigger.governor is not None and light_path(trigger.token, load_lexicon())


def _recipient_heads(head: Token, preps: tuple[str, ...], depth: int = 0, topic: bool = False) -> list[Token]:
    """Objects, then prepositional objects, then those of a complement clause
    ("offered to hand over to Great Britain", "threatened to cut off electricity to X").
    With ``topic`` the direct object is what is discussed, not a party."""
    objs: list[Token] = []
    pps: list[Token] = []
    deeper: list[Token] = []
    for child in head.children:
        if child.dep_ in ("dobj", "dative", "iobj", "obj", "attr", "oprd", "nsubjpass"):
            if topic and child.dep_ in ("dobj", "obj", "attr"):
                continue
            objs.append(child)
        elif child.dep_ == "prep" and child.lower_ in preps:
            pps.extend(g for g in child.children if g.dep_ == "pobj")
        elif (child.dep_ in ("xcomp", "ccomp", "acl") and child.pos_ in ("VERB", "AUX") and child.i > head.i) \
                or _purpose(child):
            # "help Ukraine manufacture": the controlled clause's subject
            pps.extend(g for g in child.children if g.dep_ == "nsubj")
            if depth < 2 and not topic:
                deeper.extend(_recipient_heads(child, COMPLEMENT_PREPS, depth + 1))
    return objs + pps + deeper


def _purpose(tok: Token) -> bool:
    """An "in order to" clause ("opened the bridge to allow deliveries to Afghanistan")."""
    return tok.dep_ == "advcl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in tok.children)


def condition_subject(verb: Token) -> Token | None:
    """The subject of an "unless/if" clause under a verb: the party a threat is aimed at."""
    for child in verb.subtree:
        if child.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ in ("unless", "if") for g in child.children):
            subj, _ = subject_of(child)
            if subj is not None:
                return subj
    return None


def _phrase_after(tok: Token) -> list[Token]:
    """Tokens after ``tok`` up to the next verb or punctuation."""
    out = []
    for nxt in tok.doc[tok.i + 1:]:
        if nxt.pos_ in ("VERB", "AUX", "PUNCT", "ADP"):
            break
        out.append(nxt)
    return out


def attribution_mentions(trigger: Trigger, ctx: SentenceContext) -> list[Mention]:
    """Who reports the event: the subject of a reporting verb above it, or "according to X"."""
    head = speech_head(trigger.token if trigger.kind == "verb" else (trigger.governor or trigger.token))
    if head is not None:
        subj, _ = subject_of(head)
        if subj is not None:
            found = phrase_mentions(subj, ctx)
            if found:
                return found[:1]
    acc = according_to(trigger.token.sent)
    return phrase_mentions(acc, ctx)[:1] if acc is not None else []
