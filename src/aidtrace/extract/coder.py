"""Event coder: from parsed sentences and resolved mentions to PLOVER events and claims.

requires: Document (text, published), Sentence list (candidates parsed), Mention list
assigns:  Event list (one per real-world event in the document) and Claim list

Per candidate sentence: find triggers, drop those nested inside another trigger's
arguments (one clause, one event), read roles and modality, apply the PLOVER coding rules
(future aid/meetings/cooperation -> AGREE), attach date, value and items found inside the
trigger's clause, and skip sentences that only quote a statistic (those become claims).
Events restated in the same document are merged, the first statement kept as evidence.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from ..datafiles import grammar_words
from ..model import Claim, DateSpan, Document, Entity, Event, Evidence, Item, Mention, Money, Role
from ..nlp.pipeline import Sentence
from . import claims as claim_rules
from .candidates import is_candidate as candidate_filter
from .modality import Modality, read_modality
from .plover import cameo_for, default_status, governor_status
from .roles import (
    MentionIndex,
    SentenceContext,
    actor_mentions,
    attribution_mentions,
    is_relational,
    phrase_mentions,
    recipient_mentions,
    relational_owner,
    speech_head,
    subject_of,
)
from .triggers import (
    LATER_PREPS,
    OCCASION_PREPS,
    Sense,
    Trigger,
    find_triggers,
    lemma,
    load_lexicon,
    object_tokens,
    occasion_prep,
    source_phrase,
    token_words,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

# PLOVER: a promise or plan of these is coded AGREE (future-tense cooperation) ...
FUTURE_TO_AGREE = {"CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE"}
# ... and an announced future hostile act is a THREATEN (the gold standard's usage).
FUTURE_TO_THREATEN = {"SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "PROTEST"}
# Saying one will not do something cooperative is a refusal.
NEGATED_FUTURE_TO_REJECT = {"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "RETREAT", "CONCEDE"}
# Attacks by an unnamed perpetrator are coded with the country where they happened as actor.
LOCATED_ACTOR_TYPES = {"ASSAULT", "PROTEST", "COERCE"}
PLACE_PREPS = frozenset(grammar_words("place_preps"))
# Types whose recipient is another party than the actor (aid to oneself is a parse error).
OUTWARD_TYPES = {"AID", "COOPERATE", "CONSULT", "SANCTION"}
# Types whose actor may also be the recipient when no target is named (domestic politics).
SELF_DIRECTED_TYPES = {"PROTEST", "CONCEDE", "COERCE", "MOBILIZE"}
# ... and those that are domestic only when their target is the populace or the actor a local body
# ("pressured workers to end their strike", "the district administration denied land")
LOCALLY_DIRECTED_TYPES = {"REQUEST", "REJECT"}
# Mostly domestic event types: without a named target, the place or the actor's own country
# is the recipient (PLOVER gold codes "Nigerians rallied in Lagos" NGA -> NGA).
DOMESTIC_TYPES = {"PROTEST", "CONCEDE", "COERCE", "RETREAT", "MOBILIZE", "ASSAULT", "REQUEST", "REJECT",
                  "THREATEN", "ACCUSE"}
# Verbs whose subject receives what their noun names ("Kyiv received a shipment from ...").
RECEIVING_VERBS = frozenset(grammar_words("receiving_verbs"))
# Verbal events addressed to someone: with no addressee named, the party met on the occasion.
ADDRESSEE_TYPES = {"REQUEST", "SUPPORT", "ACCUSE", "REJECT", "THREATEN"}
# Trigger types whose giver may be an unnamed group defined by whom it backs ("Ukraine's allies").
AID_SENSES = {"AID", "AGREE"}
# Types whose recipient PLOVER requires; without one the event is not coded.
RECIPIENT_REQUIRED = {"AID"}
# Modal verbs that turn a reported clause into a demand ("said that Sudan must return ...").
DEONTIC = frozenset(grammar_words("deontic"))
# Clauses inside another trigger's argument that still report their own event.
SEPARATE_CLAUSES = {"relcl", "advcl"}
# Plural noun phrases that point back to two parties named earlier ("the two leaders").
PAIR_NOUNS = frozenset(grammar_words("pair_nouns"))
# Conjunctions of a clause that contrasts with or explains the main one: its tense and time are its own.
CONTRAST_MARKS = frozenset(grammar_words("contrast_marks"))
# Modalities whose events are kept. Hypothetical events ("could provide") are not reports
# of anything that happened or was decided, so they are not coded.
KEPT_MODALITIES = {"asserted", "future", "historical"}


@dataclass
class _Found:
    """An event being built, with what merging needs to compare."""

    event: Event
    key: tuple[object, ...]
    lemma: str = ""
    anaphoric: bool = False  # "their conversation": refers back to an event already reported
    sense_type: str = ""  # the trigger's own type, before the coding rules (future AID -> AGREE)
    additive: bool = False  # "also", "another": a further event, never a restatement
    pledge: bool = False  # a pledge word (pledge, promise): aid to come, whatever its type
    clause_span: tuple[int, int] | None = None  # what the trigger acts on, in sentence offsets
    clause: set[int] = field(default_factory=set)  # tokens of a demanded clause (coded as its content)
    parties: tuple[list[Mention], list[Mention]] = ([], [])  # the actor and recipient mentions


def is_candidate(text: str) -> bool:
    """Whether a sentence must be parsed: it has a trigger word, or may quote a statistic
    (one automaton of both, ``extract.candidates``)."""
    return candidate_filter(text)


def code_document(doc: Document, sentences: list[Sentence], mentions: list[Mention]) -> tuple[list[Event], list[Claim]]:
    """All events and claims of one document (events merged within the document)."""
    doc = dated(doc)
    index = MentionIndex(mentions)
    focus: dict[str, list[Mention]] = {}
    events: list[_Found] = []
    claims: list[Claim] = []
    last_aid: tuple[list[Mention], list[Mention]] | None = None
    for sent in sentences:
        if sent.parse is None or _is_furniture(doc, sent):
            last_aid = None if sent.parse is not None else last_aid
            continue
        ctx = SentenceContext(sent.start, index, focus, last_aid)
        last_aid = None
        sent_claims = claim_rules.find_claims(doc, sent, ctx)
        _add_claims(claims, sent_claims.claims)
        kept: list[_Found] = []
        anchor: DateSpan | None = None
        for found in _sentence_events(doc, sent, ctx, sent_claims):
            if _continues_aid(found.event) and found.parties[0]:
                last_aid = found.parties
            into = _merge_into(events, found)
            if into is None:
                kept.append(found)
            elif found.anaphoric and into.event.date and into.event.date.text:
                anchor = into.event.date
        # "during their conversation, X underlined ...": the sentence happens at that event's time
        for found in kept:
            if anchor is not None and (found.event.date is None or not found.event.date.text):
                found.event.date = anchor
    out = [f.event for f in events]
    _implicit_recipients(out, focus)
    # PLOVER requires a recipient of aid: one neither stated nor given by the article is not coded
    out = [e for e in out if e.recipient or e.type not in RECIPIENT_REQUIRED]
    if doc.published_precision in ("month", "year"):
        _coarse_relative_dates(doc, out)
    return out, claims


def _one_sided_agreement(trig: Trigger, etype: str | None, actors: list[Mention], recipients: list[Mention],
                         context: list[str]) -> bool:
    """"the military push agreed by the security cabinet": agreeing with no other party is a
    government's own decision, not an AGREE between parties (pledges and joint plans aside)."""
    return etype == "AGREE" and trig.sense.type == "AGREE" and not trig.sense.future \
        and not trig.sense.reciprocal and not recipients and len(_codes_of(actors)) <= 1 and "military" in context


def dated(doc: Document) -> Document:
    """An undated document gets the date its own text gives (a page stamp, else the latest year
    it names) to resolve times against; the stored document is not changed."""
    if doc.published is not None:
        return doc
    from .actors import office_spans
    from .when import infer_publication

    found = infer_publication(doc.text, office_spans(doc.text))
    if found is None:
        return doc
    return replace(doc, published=found[0], published_precision=found[1])


def _coarse_relative_dates(doc: Document, events: list[Event]) -> None:
    """With only the year of publication known, "on Monday" or "last week" cannot be placed:
    such events take the publication span instead of a day that would be made up."""
    from .when import is_relative, publication_span

    for e in events:
        if e.date is not None and e.date.text and is_relative(e.date.text):
            e.date = replace(publication_span(doc.published, doc.published_precision), text=e.date.text)


def _is_aid_domain(event: Event) -> bool:
    return event.type in ("AID", "COOPERATE") or (event.type in ("AGREE", "SANCTION") and "military" in event.context)


def _implicit_recipients(events: list[Event], focus: dict[str, list[Mention]]) -> None:
    """An aid or defence-cooperation event that names no recipient ("Britain will also fund air
    defence missiles") is for the article's main recipient of such support, when there is one:
    the country its aid events go to, or that its aid sentences name as receiving aid."""
    counts: dict[str, int] = {}
    roles: dict[str, Role] = {}
    for e in events:
        if _gives(e) and not e.negated:
            for r in e.recipient:
                if r.entity.country:
                    counts[r.entity.country] = counts.get(r.entity.country, 0) + 1
                    roles.setdefault(r.entity.country, r)
    for country, named in focus.items():
        counts[country] = counts.get(country, 0) + len(named)
        roles.setdefault(country, Role(named[0].text, named[0].entity))
    main = max(counts, key=lambda c: counts[c]) if counts else None
    for e in events:
        if not ((_is_aid_domain(e) or _gives(e)) and e.type != "THREATEN" and not e.recipient and len(e.actor) == 1):
            continue
        near = _sentence_recipient(e, events)
        if near is not None:  # "Israel will receive jets, while Washington has delayed a shipment"
            e.recipient = [near]
            e.confidence = max(0.3, e.confidence - 0.1)
        elif main is not None and main not in _codes(e.actor):
            e.recipient = [roles[main]]
            e.confidence = max(0.3, e.confidence - 0.2)
        elif main is None and _gives(e):
            partner = _counterpart(e, events)  # "Berlin is providing another package" in a story of
            if partner is not None:            # Germany and Ukraine meeting and signing a deal
                e.recipient = [partner]
                e.confidence = max(0.3, e.confidence - 0.3)


def _sentence_recipient(event: Event, events: list[Event]) -> Role | None:
    """The receiver of the aid another event of the same sentence gives, when it is not the
    event's own actor: the sentence's focus comes before the article's."""
    own = _codes(event.actor)
    for other in events:
        if other is event or other.negated or not _gives(other) or other.evidence.start != event.evidence.start:
            continue
        for r in other.recipient:
            if r.entity.country and r.entity.country not in own:
                return r
    return None


def _counterpart(event: Event, events: list[Event]) -> Role | None:
    """The country an article pairs a donor with most often (met, agreed with, called), when the
    article names no recipient of aid at all."""
    own = _codes(event.actor)
    counts: dict[str, int] = {}
    roles: dict[str, Role] = {}
    for other in events:
        parties = other.actor + other.recipient
        if other is event or not own & _codes(parties):
            continue
        for r in parties:
            if r.entity.country and r.entity.country not in own:
                counts[r.entity.country] = counts.get(r.entity.country, 0) + 1
                roles.setdefault(r.entity.country, r)
    if not counts:
        return None
    best = max(counts, key=lambda c: counts[c])
    return roles[best] if list(counts.values()).count(counts[best]) == 1 else None


def _gives(event: Event) -> bool:
    """Aid given, pledged, or halted, in any field (the article's recipients of support); not
    agreements or meetings that happen to be coded AGREE."""
    if event.type == "AGREE":
        return event.sense == "AID" or event.status == "pledged"
    return event.type == "AID" or (event.type in ("SANCTION", "THREATEN") and event.status in ("halted", "planned"))


def _is_furniture(doc: Document, sent: Sentence) -> bool:
    return any(s <= sent.start < e for s, e in doc.furniture)


def _add_claims(claims: list[Claim], new: list[Claim]) -> None:
    """Add a sentence's claims; a figure restated in the same document (same subject, same
    amount) is one claim, the restatement kept as extra evidence."""
    for claim in new:
        key = (_codes(claim.subject), claim.value.amount, getattr(claim.value, "currency", None))
        same = next((c for c in claims if (_codes(c.subject), c.value.amount,
                                           getattr(c.value, "currency", None)) == key), None)
        if same is None:
            claims.append(claim)
        else:
            same.evidence.extra.append({"sentence": claim.evidence.sentence, "start": claim.evidence.start,
                                        "end": claim.evidence.end, "trigger": claim.evidence.trigger})


def _claimed(found: _Found, trig_index: int, claimed: claim_rules.SentenceClaims) -> bool:
    """An aid event read from a clause that states a statistic, or valued by a claimed amount."""
    if found.event.type not in ("AID", "AGREE"):
        return False
    if trig_index in claimed.clause_tokens:
        return True
    span = found.clause_span
    if span and any(span[0] <= start < span[1] for start, _ in claimed.amounts):
        return True  # "sent containers that could hold as many as 6 million shells"
    value = found.event.value
    return value is not None and value.start is not None and any(
        start <= value.start < end for start, end in claimed.amounts)


def _sentence_events(doc: Document, sent: Sentence, ctx: SentenceContext,
                     claimed: claim_rules.SentenceClaims) -> list[_Found]:
    assert sent.parse is not None
    span = sent.parse[:]
    triggers = _outside_times(_outermost(find_triggers(span)), sent, doc)
    words, speech = token_words(sent.parse), load_lexicon().speech_verbs
    speakers = [sent.parse[i] for i, (w, pos) in enumerate(zip(words.lemmas, words.pos, strict=True))
                if pos == "VERB" and w in speech]
    out: list[_Found] = [f for f in (_demand(doc, sent, ctx, tok) for tok in speakers) if f is not None]
    demanded = {i for f in out for i in f.clause}
    triggers = [t for t in triggers if t.token.i not in demanded]
    for trig in triggers:
        found = _code_trigger(doc, sent, ctx, trig)
        if found is None:
            continue
        if _claimed(found, trig.token.i, claimed):
            continue
        out.append(found)
        if found.event.type == "COERCE" and trig.kind == "verb" and _on_charges(trig.token):
            out.append(_accusation(found))
    return out


def _outside_times(triggers: list[Trigger], sent: Sentence, doc: Document) -> list[Trigger]:
    """Drop nominal triggers that are words of a time expression ("on March 6" is a date, not a
    march; "the spring offensive" keeps "offensive")."""
    if not any(t.kind == "noun" for t in triggers):
        return triggers
    # the arguments exactly as ``_times`` passes them, so that the event's own date search hits the cache
    spans = [t.offset for t in _times_cached(sent.text, doc.published, False, False) if t.offset]
    return [t for t in triggers if t.kind != "noun" or not any(a <= t.token.idx < b for a, b in spans)]


def _on_charges(verb: Token) -> bool:
    """An arrest or a sentence "on charges of treason", "on suspicion of spying", "for
    collaborating with Israel": it carries an accusation."""
    lex = load_lexicon()
    for prep in (c for c in verb.children if c.dep_ == "prep"):
        objs = [g for g in prep.children if g.dep_ in ("pobj", "pcomp")]
        if prep.lower_ in ("on", "over", "for") and any(lex.in_class(lemma(o), "accusation") for o in objs):
            return True
        if prep.lower_ == "for" and any(o.dep_ == "pcomp" and o.tag_ == "VBG" for o in objs):
            return True
    return False


def _accusation(found: _Found) -> _Found:
    """The accusation an arrest on charges carries: same parties, same sentence (PLOVER ACCUSE)."""
    event = copy(found.event)
    event.type, event.mode, event.status = "ACCUSE", "allege", None
    event.cameo = cameo_for("ACCUSE", "allege", event.context, "112")
    return _Found(event, ("ACCUSE", "allege", *found.key[2:]), found.lemma, sense_type="ACCUSE")


def _demand(doc: Document, sent: Sentence, ctx: SentenceContext, verb: Token) -> _Found | None:
    """ "X said that Y must do Z" reports a demand by X on Y (PLOVER REQUEST)."""
    lex = load_lexicon()
    if lemma(verb) not in lex.speech_verbs or verb.pos_ != "VERB":
        return None
    clause = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if clause is None or not any(c.dep_ == "aux" and c.lower_ in DEONTIC for c in clause.children):
        return None
    speaker, _ = subject_of(verb)
    target, _ = subject_of(clause)
    if speaker is None or target is None:
        return None
    actors = [m for m in phrase_mentions(speaker, ctx) if m.entity.country or m.entity.org]
    recipients = [m for m in phrase_mentions(target, ctx) if m.entity.country or m.entity.org]
    if not actors or not recipients:
        return None
    trig = Trigger(verb, Sense(type="REQUEST", cameo="100"), "verb", verb.i)
    mod = read_modality(trig)
    if mod.modality not in KEPT_MODALITIES:
        return None
    evidence = Evidence(sent.text, sent.start, sent.end, f"{verb.text} ... {clause.text}")
    event = Event(document_id=doc.id, type="REQUEST", evidence=evidence, cameo="100",
                  actor=_roles(actors), recipient=_roles([m for m in recipients if m not in actors]),
                  negated=mod.negated, modality=mod.modality,  # type: ignore[arg-type]
                  confidence=0.6)
    event.context = _context(trig, _clause_span(trig), "REQUEST")
    _attach_details(event, doc, sent, _clause_span(trig), trig, mod)
    found = _Found(event, ("REQUEST", None, *_merge_key(event)), lemma(verb))
    found.clause = {t.i for t in clause.subtree}
    return found


def _argument_tokens(trig: Trigger) -> set[int]:
    """Token indices inside a trigger's arguments (object, complements, purpose clause, own phrase)."""
    if trig.kind == "verb":
        out = {t.i for t in object_tokens(trig.token)}
    else:  # a noun's own phrase, not what is coordinated with it ("threats and the plans to cut aid")
        out = {t.i for t in trig.token.subtree} - {trig.token.i}
        for conj in (c for c in trig.token.children if c.dep_ in ("conj", "cc")):
            out -= {t.i for t in conj.subtree}
    # a relative or adverbial clause inside an argument is a clause of its own ("Trump, who met ...")
    for i in sorted(out):
        tok = trig.token.doc[i]
        if tok.dep_ in SEPARATE_CLAUSES and tok.pos_ in ("VERB", "AUX") and not _infinitival(tok):
            out -= {t.i for t in tok.subtree}
    if trig.kind == "verb":  # "summoned the envoy to discuss ...": the purpose is part of the event
        for child in trig.token.children:
            if child.dep_ == "advcl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in child.children):
                out |= {t.i for t in child.subtree}
    return out


def _infinitival(verb: Token) -> bool:
    """"an initiative to supply Ukraine": a purpose, part of the phrase it belongs to."""
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _outermost(triggers: list[Trigger]) -> list[Trigger]:
    """Drop triggers nested inside another trigger's arguments ("agreed to send": AGREE only)."""
    keep = []
    covered: set[int] = set()
    for trig in triggers:
        covered |= _argument_tokens(trig)
    for trig in triggers:
        occasion = trig.kind == "noun" and trig.sense.type == "CONSULT" and occasion_prep(trig.token) is not None
        if (trig.token.i not in covered or occasion) and not _elaborates(trig, triggers):
            keep.append(trig)
    return keep


def _elaborates(trig: Trigger, triggers: list[Trigger]) -> bool:
    """A participle clause adding detail to an event of the same type ("shelled the city,
    killing 20 people") is part of that event, not a second one."""
    tok = trig.token
    if trig.kind != "verb" or tok.tag_ != "VBG":
        return False
    if tok.dep_ == "pcomp" and tok.head.lower_ == "by":  # "will increase its support by supplying arms"
        verb = tok.head.head
        return any(t is not trig and (t.token.i == verb.i or (t.governor is not None and t.governor.i == verb.i))
                   for t in triggers)
    if tok.dep_ != "advcl":
        return False
    return any(t.token.i == tok.head.i and t.sense.type == trig.sense.type for t in triggers)


def _roles(mentions: list[Mention]) -> list[Role]:
    out: list[Role] = []
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for m in mentions:
        key = (m.entity.id, m.entity.country, m.entity.org)
        if key not in seen:
            seen.add(key)
            out.append(Role(m.text, m.entity))
    return out


def _code_trigger(doc: Document, sent: Sentence, ctx: SentenceContext, trig: Trigger) -> _Found | None:
    mod = read_modality(trig)
    if trig.kind == "noun" and trig.sense.type == "CONSULT" and occasion_prep(trig.token):
        mod = _occasion_modality(trig, mod)
    if mod.modality not in KEPT_MODALITIES:
        return None
    actors, how = actor_mentions(trig, ctx)
    among = _among(trig, ctx)
    if among is not None:  # "Turkey is not among the NATO members that have sent weapons": Turkey has not
        actors, how = among[0], "among"
        mod = Modality(among[1], mod.modality, "among" if not among[1] else "not among")
    if trig.sense.converse:
        return _code_converse(doc, sent, ctx, trig, mod, actors)
    if trig.kind == "noun" and trig.governor is not None and lemma(trig.governor) in RECEIVING_VERBS \
            and trig.sense.type in ("AID", "SANCTION"):
        return _code_received(doc, sent, ctx, trig, mod, actors)  # "Russia received shipments from Iran"
    if not actors:
        actors = _fallback_actor(trig, ctx, doc)
        how = "context" if actors else how
    inherited: list[Mention] = []
    if not actors and trig.kind == "verb" and trig.sense.subject and ctx.last_aid is not None:
        actors, inherited = ctx.last_aid  # "Deliveries resumed on Friday": the aid just told of
        how = "continued" if actors else how
    if not actors and trig.sense.type in LOCATED_ACTOR_TYPES and how in ("passive", "unresolved", "agent", "agent-unnamed",
                                                                      "pronoun"):
        # "a journalist was killed in a car bomb in Beirut": an unnamed attacker is coded by place
        actors = _place_mentions(trig, ctx)
        how = "location" if actors else how
    if not actors and trig.sense.type == "CONSULT":
        actors = _forum_mentions(trig, ctx)  # "following the third meeting of the contact group"
        how = "forum" if actors else how
    owners: list[Mention] = []
    if not actors and trig.sense.type in AID_SENSES:
        actors, owners = _relational_subject(trig, ctx)  # "Ukraine's allies pledged ..."
        how = "relational" if actors else how
    if trig.sense.official:  # a journey makes a visit when an official or a government travels
        actors = [m for m in actors if m.entity.kind in ("person", "institution", "igo")
                  or {"GOV", "DIP"} & set(m.entity.sector)]
    if not actors:
        _note_focus(trig, ctx)
        return None
    recipients = [m for m in recipient_mentions(trig, ctx, actors) if m.entity.country or m.entity.org]
    recipients = recipients or owners or inherited
    if how == "passive" and _codes_of(actors) <= _codes_of(recipients):
        # "Zelensky confirms the jets have been delivered to Ukraine": the official who reports an
        # agentless delivery is the one receiving it, not its giver
        _note_focus(trig, ctx)
        return None
    if how != "relational":
        actors = [m for m in _with_country(actors, ctx, sent, recipients, trig.sense.type in DOMESTIC_TYPES)
                  if m.entity.country or m.entity.org]
    if not actors:  # a person the dictionary cannot place gives no codable event
        return None
    orgs = {a.entity.org for a in actors if a.entity.org}
    recipients = [m for m in recipients if not (m.entity.org and m.entity.org in orgs)]
    own = {a.entity.country for a in actors if a.entity.country}
    if len(own) > 1 or trig.sense.type in OUTWARD_TYPES or trig.sense.future or \
            (trig.sense.type == "AGREE" and trig.sense.military and not trig.sense.reciprocal):
        # a law for military aid is signed at home: the lawmaker handed the pen is not its recipient
        # a party of a joint action, or the giver of aid, is not also its recipient
        recipients = [m for m in recipients if m.entity.country not in own or not m.entity.country]
    forum = False
    if trig.sense.type == "CONSULT":
        actors, recipients, forum = _meeting_parties(trig, ctx, doc, actors, recipients)
    if trig.sense.reciprocal and trig.sense.type in ("AGREE", "COOPERATE"):
        # a deal signed or a venture formed by two parties: both are its actors
        actors, recipients = _distinct_parties(actors + recipients + _deal_parties(trig, ctx)), []
    etype, mode, status = _apply_rules(trig, mod, recipients, actors)
    if etype == "MOBILIZE" and len(_codes_of(actors)) > 1:
        etype, mode, status = "COOPERATE", None, "ongoing"  # "French and Egyptian warships held war games"
    if forum and etype == "CONSULT":
        mode = "multilateral"
    elif etype in ("CONSULT", "AGREE") and trig.sense.type == "CONSULT":
        mode = _meeting_mode(trig, ctx, actors, recipients, mode)
    if etype == "CONSULT" and not recipients and _single_state(actors):
        return None  # "met with resistance", "his meetings": a meeting needs a second party
    if etype in ("AID", "AGREE") and not recipients:
        recipients = _beneficiary(trig, ctx, actors)  # "agree on EUR 5 bn military aid for Ukraine"
    if etype in ("SANCTION", "ACCUSE") and not recipients:
        recipients = _shared_target(trig, ctx, actors)  # "condemned Iran's transfers and declared sanctions"
    if etype in ADDRESSEE_TYPES and (not recipients or _codes_of(recipients) <= _codes_of(actors)):
        # "in a call with X, Y pointed out the need for air defence for Ukraine": said to X
        recipients = _occasion_partner(trig, ctx, actors) or recipients
    if etype in DOMESTIC_TYPES and not recipients:
        recipients, how = _domestic_recipient(trig, ctx, sent, actors, etype), how + "+domestic"
    if etype is None:
        return None
    return _make_found(doc, sent, ctx, trig, mod, (etype, mode, status), actors, recipients, how)


def _among(trig: Trigger, ctx: SentenceContext) -> tuple[list[Mention], bool] | None:
    """ "X is (not) among the countries that have sent ...": X is (not) one who did it. The
    mentions of X and whether the membership is denied; None for other constructions."""
    verb = trig.token
    if trig.kind != "verb" or verb.dep_ != "relcl":
        return None
    group, prep = verb.head, verb.head.head
    if group.dep_ != "pobj" or prep.lower_ != "among" or prep.head.pos_ not in ("AUX", "VERB"):
        return None
    subj, _ = subject_of(prep.head)
    if subj is None:
        return None
    found = [m for m in phrase_mentions(subj, ctx) if m.entity.country or m.entity.org]
    negated = any(c.dep_ == "neg" for c in prep.head.children)
    return (found, negated) if found else None


def _build_event(doc: Document, sent: Sentence, ctx: SentenceContext, trig: Trigger, mod: Modality,
                 actors: list[Mention], recipients: list[Mention], how: str) -> _Found | None:
    """An event from roles already read: the PLOVER rules, then the attributes."""
    coding = _apply_rules(trig, mod, recipients, actors)
    if coding[0] is None:
        return None
    return _make_found(doc, sent, ctx, trig, mod, coding, actors, recipients, how)


def _make_found(doc: Document, sent: Sentence, ctx: SentenceContext, trig: Trigger, mod: Modality,
                coding: tuple[str | None, str | None, str | None], actors: list[Mention],
                recipients: list[Mention], how: str) -> _Found | None:
    etype, mode, status = coding
    assert etype is not None
    clause = _clause_span(trig)
    context = _context(trig, clause, etype)
    if _one_sided_agreement(trig, etype, actors, recipients, context):
        return None
    evidence = Evidence(sent.text, sent.start, sent.end, trig.text)
    event = Event(
        document_id=doc.id, type=etype, mode=mode, context=context,
        cameo=cameo_for(etype, mode, context, trig.sense.cameo),
        actor=_roles(actors), recipient=_roles(recipients), status=status,
        negated=mod.negated, modality=mod.modality,  # type: ignore[arg-type]
        evidence=evidence, attribution=_attribution(trig, ctx),
        confidence=_confidence(how, bool(recipients), mod), sense=trig.sense.type,
    )
    _attach_details(event, doc, sent, clause, trig, mod)
    anaphoric = trig.kind == "noun" and how == "context"
    return _Found(event, (trig.sense.type, trig.sense.mode, *_merge_key(event)), lemma(trig.token), anaphoric,
                  sense_type=trig.sense.type, additive=_additive(trig), clause_span=_acts_on(trig),
                  pledge=trig.sense.future, parties=(actors, recipients))


def _continues_aid(event: Event) -> bool:
    """An event whose aid a following sentence can continue: aid given, pledged or halted."""
    return not event.negated and (event.type == "AID" or (event.type == "SANCTION" and event.mode == "discontinue")
                                  or (event.type == "AGREE" and "military" in event.context))


def _acts_on(trig: Trigger) -> tuple[int, int] | None:
    """Sentence offsets of what a verb trigger acts on (its object phrases)."""
    if trig.kind != "verb":
        return None
    tokens = object_tokens(trig.token)
    if not tokens:
        return None
    base = trig.token.sent.start_char
    return min(t.idx for t in tokens) - base, max(t.idx + len(t.text) for t in tokens) - base


def _additive(trig: Trigger) -> bool:
    """The statement says its event comes on top of one already told ("Britain also said it would
    fund ...", "separately, ..."): the verb's own modifiers, or those of the verb it depends on.
    "an additional Patriot system" describes the goods, not the statement."""
    head = trig.token if trig.kind == "verb" else (trig.governor or trig.token)
    words = load_lexicon().additive_words
    verbs = [head] + ([head.head] if head.dep_ in ("xcomp", "ccomp") else [])
    return any(c.dep_ in ("advmod", "npadvmod") and c.lower_ in words for v in verbs for c in v.children)


def _occasion_modality(trig: Trigger, mod: Modality) -> Modality:
    """A meeting round a clause happened when the clause says so: "at the meeting, allies pledged
    ..." is a past meeting though pledging looks ahead; "ahead of talks" puts them later."""
    if occasion_prep(trig.token) in LATER_PREPS:
        return Modality(mod.negated, "future", "occasion ahead")
    if trig.governor is None:
        return mod
    clause = read_modality(Trigger(trig.governor, trig.sense, "verb", trig.governor.i))
    if clause.modality == "future" and clause.reason.startswith(("intent", "pledge")):
        return Modality(mod.negated, "asserted", "occasion of an intention")
    return Modality(mod.negated, clause.modality, "occasion")


def _meeting_parties(trig: Trigger, ctx: SentenceContext, doc: Document, actors: list[Mention],
                     recipients: list[Mention]) -> tuple[list[Mention], list[Mention], bool]:
    """Parties of a meeting: a forum stands for those who convene it ("a meeting of the Ukraine
    Defense Contact Group"); the visitor is the actor and the host the recipient, the host being
    the party whose country the meeting is in ("met with Zelensky in Berlin": Germany hosts)."""
    from .actors import ActorDictionary

    dictionary = ActorDictionary.load()
    on = doc.published or date.today()
    until = _publication_end(doc)
    partners = _with_party(trig, ctx)
    if partners:  # "at a meeting with his counterpart X, Y said": X is met, never the one meeting
        met = _codes_of(partners)
        actors = [m for m in actors if m not in partners and m.entity.country not in met] or actors
        recipients = partners + [m for m in recipients if m not in partners]
    named = list(actors) + list(recipients) + _forum_mentions(trig, ctx)
    parties = [(m, dictionary.forum_parties(m.entity.org, on, until) if m.entity.org else []) for m in named]
    if any(found for _, found in parties):
        members = [Mention(m.start, m.end, m.text, e, how="forum") for m, found in parties for e in found]
        others = [m for m, found in parties if not found and m in actors]
        everyone = _distinct_parties(members + others)
        return everyone, [], True
    place = _meeting_place(trig, ctx)
    own, hosts = _codes_of(actors), _codes_of(recipients)
    if len(own) > 1:  # "US and Russian negotiators return to Geneva for talks": a venue, not a party
        recipients = [m for m in recipients if m.entity.kind != "place"]
    if place and place in own and place not in hosts and recipients:
        return recipients, actors, False
    return actors, recipients, False


def _meeting_mode(trig: Trigger, ctx: SentenceContext, actors: list[Mention], recipients: list[Mention],
                  mode: str | None) -> str | None:
    """A meeting of one organisation's members is multilateral; one held in the country of the
    party met is a visit to it."""
    if mode:
        return mode
    parties = actors + recipients
    if parties and all(m.entity.org and not m.entity.country for m in parties):
        return "multilateral"
    place = _meeting_place(trig, ctx)
    if place and place in _codes_of(recipients) and place not in _codes_of(actors):
        return "visit"
    return mode


# Prepositions naming the other side of a deal ("a contract with X", "to buy tanks from X").
DEAL_PREPS = grammar_words("deal_preps")


def _code_received(doc: Document, sent: Sentence, ctx: SentenceContext, trig: Trigger, mod: Modality,
                   subject: list[Mention]) -> _Found | None:
    """An aid noun carried by a verb of receiving: the subject receives, the "from" party gives;
    with no giver named there is no codable event."""
    assert trig.governor is not None
    source = source_phrase(trig.governor) or next(
        (g for c in trig.token.children if c.dep_ == "prep" and c.lower_ == "from"
         for g in c.children if g.dep_ == "pobj"), None)
    givers = [m for m in phrase_mentions(source, ctx) if m.entity.country or m.entity.org] if source else []
    receivers = [m for m in subject if m not in givers and m.entity.country not in _codes_of(givers)]
    if not givers or not receivers:
        return None
    return _build_event(doc, sent, ctx, trig, mod, givers, receivers, "source")


def _code_converse(doc: Document, sent: Sentence, ctx: SentenceContext, trig: Trigger, mod: Modality,
                   subject: list[Mention]) -> _Found | None:
    """Aid from the receiving end: the "from" party gives; the subject receives ("Kyiv took delivery
    of howitzers from Sweden"), or, when the subject is the goods ("jets arrived in Ukraine from
    Norway"), the place they arrive in."""
    source = source_phrase(trig.token)
    givers = [m for m in phrase_mentions(source, ctx) if m.entity.country or m.entity.org] if source else []
    if not givers:
        return None
    if trig.sense.subject:  # an arrival: the subject is what arrived, the place receives it
        receivers = [m for c in trig.token.children if c.dep_ == "prep" and c.lower_ in ("in", "to", "into", "at")
                     for g in c.children if g.dep_ == "pobj" for m in phrase_mentions(g, ctx) if m.entity.country]
    else:
        receivers = [m for m in subject if m not in givers and (m.entity.country or m.entity.org)]
    own = _codes_of(givers)
    receivers = [m for m in receivers if m.entity.country not in own]
    if not receivers and not trig.sense.subject:
        return None  # a purchase by someone unnamed says nothing codable
    return _build_event(doc, sent, ctx, trig, mod, givers, receivers, "source")


def _note_focus(trig: Trigger, ctx: SentenceContext) -> None:
    """Aid with no giver named ("the first jets have been delivered to Ukraine") still says who
    the article's aid goes to."""
    if ctx.focus is None or trig.sense.type != "AID":
        return
    for m in recipient_mentions(trig, ctx, []):
        if m.entity.country:
            ctx.focus.setdefault(m.entity.country, []).append(m)


def _relational_subject(trig: Trigger, ctx: SentenceContext) -> tuple[list[Mention], list[Mention]]:
    """An unnamed group defined by whom it backs ("Ukraine's allies", "Kyiv's partners") as the
    giver of aid: the group, with no country of its own, and its owner as the one it backs."""
    verb = trig.token if trig.kind == "verb" else trig.governor
    if verb is None:
        return [], []
    subj, passive = subject_of(verb)
    if subj is None or passive or not is_relational(subj):
        return [], []
    owners = [m for m in relational_owner(subj, ctx) if m.entity.kind != "igo"]
    if not owners:  # "a NATO member" is one of NATO, not a backer of it
        return [], []
    words = [t for t in subj.subtree if t.dep_ not in ("relcl", "acl")]
    start, end = ctx.offset + words[0].idx, ctx.offset + words[-1].idx + len(words[-1].text)
    group = Entity(None, " ".join(t.text for t in words), None, None, [], "group")
    return [Mention(start, end, group.name or "", group, how="relational")], owners


def _deal_parties(trig: Trigger, ctx: SentenceContext) -> list[Mention]:
    """The other sides of a deal, anywhere in what the verb acts on: "signed a deal with X",
    "a deal to purchase K2 tanks from X", "between X and Y"."""
    out: list[Mention] = []
    for tok in object_tokens(trig.token) if trig.kind == "verb" else list(trig.token.subtree):
        if tok.dep_ == "prep" and tok.lower_ in DEAL_PREPS:
            for pobj in (g for g in tok.children if g.dep_ == "pobj"):
                out.extend(m for m in phrase_mentions(pobj, ctx) if (m.entity.country or m.entity.org)
                           and m not in out)
    return out


def _shared_target(trig: Trigger, ctx: SentenceContext, actors: list[Mention]) -> list[Mention]:
    """A verb coordinated with another takes the party that other verb acts on ("condemned what
    they said was Iran's delivery ... and declared new sanctions")."""
    verb = trig.token
    if trig.kind != "verb" or verb.dep_ != "conj":
        return []
    own = _codes_of(actors)
    for tok in object_tokens(verb.head):
        found = [m for m in ctx.span_mentions([tok]) if m.entity.country and m.entity.country not in own]
        if found:
            return found[:1]
    return []


def _beneficiary(trig: Trigger, ctx: SentenceContext, actors: list[Mention]) -> list[Mention]:
    """The party an agreed or approved aid is for, named deep in what was agreed ("agreed on a
    package of military aid for Ukraine")."""
    own = _codes_of(actors)
    words = object_tokens(trig.token) if trig.kind == "verb" else list(trig.token.subtree)
    for prep in (t for t in words if t.dep_ == "prep" and t.lower_ in ("for", "to")):
        for pobj in (g for g in prep.children if g.dep_ == "pobj"):
            found = [m for m in phrase_mentions(pobj, ctx, strict=True) if m.entity.country
                     and m.entity.country not in own]
            if found:
                return found
    return []


def _occasion_partner(trig: Trigger, ctx: SentenceContext, actors: list[Mention]) -> list[Mention]:
    """The party met on the occasion of a statement ("in a telephone call with his American
    counterpart, Umerov pointed out the need ..."): whom the statement was made to."""
    head = trig.token if trig.kind == "verb" else (trig.governor or trig.token)
    subject, _ = subject_of(head)
    places = [*head.children, *(subject.children if subject is not None else [])]
    lex = load_lexicon()
    own = _codes_of(actors)
    for prep in (p for p in places if p.dep_ == "prep" and p.lower_ in OCCASION_PREPS):
        for noun in (g for g in prep.children if g.dep_ == "pobj"):
            senses = lex.nouns.get((lemma(noun),)) or []
            if not any(s.type == "CONSULT" for s in senses):
                continue
            partners = [m for c in noun.children if c.dep_ == "prep" and c.lower_ == "with"
                        for g in c.children if g.dep_ == "pobj" for m in phrase_mentions(g, ctx)
                        if m.entity.country and m.entity.country not in own]
            if partners:
                return partners
    return []


def _with_party(trig: Trigger, ctx: SentenceContext) -> list[Mention]:
    """The parties a meeting noun is "with" ("talks with his Ukrainian counterpart")."""
    if trig.kind != "noun":
        return []
    out: list[Mention] = []
    for prep in (c for c in trig.token.children if c.dep_ == "prep" and c.lower_ == "with"):
        for pobj in (g for g in prep.children if g.dep_ == "pobj"):
            out.extend(m for m in phrase_mentions(pobj, ctx) if (m.entity.country or m.entity.org) and m not in out)
    return out


def _forum_mentions(trig: Trigger, ctx: SentenceContext) -> list[Mention]:
    """Organisations in a meeting noun's "of" phrase ("the third meeting of the UDCG")."""
    if trig.kind != "noun":
        return []
    out: list[Mention] = []
    for prep in (c for c in trig.token.children if c.dep_ == "prep" and c.lower_ == "of"):
        for pobj in (g for g in prep.children if g.dep_ == "pobj"):
            out.extend(m for m in phrase_mentions(pobj, ctx, strict=True) if m.entity.org)
    return out


def _distinct_parties(mentions: list[Mention]) -> list[Mention]:
    out: list[Mention] = []
    for m in mentions:
        key = m.entity.country or m.entity.org
        if key and all((o.entity.country or o.entity.org) != key for o in out):
            out.append(m)
    return out


def _codes_of(mentions: list[Mention]) -> set[str]:
    return {m.entity.country for m in mentions if m.entity.country}


def _meeting_place(trig: Trigger, ctx: SentenceContext) -> str | None:
    """The country a meeting takes place in: "in Berlin", "in Linkoping, Sweden" in the meeting
    noun's phrase, or next to its verb or to the parties the verb names."""
    heads = [trig.token]
    if trig.kind == "noun" and trig.governor is not None:
        heads.append(trig.governor)
    preps = [t for t in trig.token.subtree if t.dep_ == "prep"] if trig.kind == "noun" else []
    for head in heads:
        nested = {t.i for c in head.children if c.dep_ in ("xcomp", "ccomp", "advcl", "relcl", "conj")
                  for t in c.subtree}
        preps += [t for t in head.subtree if t.dep_ == "prep" and t.i not in nested]
    for prep in (p for p in preps if p.lower_ in ("in", "at")):
        for pobj in (g for g in prep.children if g.dep_ == "pobj"):
            found = [m for m in phrase_mentions(pobj, ctx) if m.entity.country
                     and m.entity.kind in ("state", "institution", "place", "capital")]
            if found:
                return found[0].entity.country
    return None


def _fallback_actor(trig: Trigger, ctx: SentenceContext, doc: Document) -> list[Mention]:
    """No entity in the actor slot: "their conversation" and "the two leaders" point back to the
    last two parties named before this sentence, "its/his/her" to the last one."""
    tok = trig.token
    poss = [c for c in tok.children if c.dep_ == "poss" and c.lower_ in ("their", "its", "his", "her")]
    verb = tok if trig.kind == "verb" else trig.governor
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None) if verb is not None else None
    pair = subj is not None and subj.lemma_.lower() in PAIR_NOUNS and any(
        c.lower_ in ("two", "both") for c in subj.children)
    if poss and not trig.sense.reciprocal:
        poss = []  # "their own deliveries" says nothing about who "they" are
    if not poss and not pair:
        return []
    if poss and poss[0].lower_ in ("his", "her", "its"):
        # "Rubio told reporters after his meetings ...": the clause's own subject comes first
        own = _sentence_subject_mentions(tok, ctx)
        if own:
            return own[:1]
    if poss and poss[0].lower_ == "their":
        # "at their meeting in July, Tokyo and Washington shared concerns": the sentence's own subject
        root = tok.sent.root
        subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        own = [m for m in phrase_mentions(subj, ctx) if m.entity.country or m.entity.org] if subj is not None else []
        if len({m.entity.country or m.entity.org for m in own}) >= 2:
            return own
    earlier = [m for m in ctx.index.before(ctx.offset) if m.entity.kind in ("person", "state")]
    if pair or poss[0].lower_ == "their":
        if pair and subj is not None and subj.lemma_.lower() in ("leader", "president", "minister", "head"):
            earlier = [m for m in earlier if m.entity.kind == "person"]
        # "their call": the parties just named; "the two sides": the story's main parties
        return _distinct_countries(earlier, 2) if pair else _recent_countries(earlier, 2)
    if poss[0].lower_ in ("his", "her"):
        # a person, and not the one met ("in his meeting with President X": X is met)
        met = {m.entity.id for m in _with_party(trig, ctx)}
        earlier = [m for m in earlier if m.entity.kind == "person" and m.entity.id not in met]
    return earlier[-1:]


def _sentence_subject_mentions(tok: Token, ctx: SentenceContext) -> list[Mention]:
    root = tok.sent.root
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return [m for m in phrase_mentions(subj, ctx) if m.entity.kind == "person"] if subj is not None else []


def _recent_countries(mentions: list[Mention], n: int) -> list[Mention]:
    """The last ``n`` mentions of distinct countries."""
    out: list[Mention] = []
    for m in reversed(mentions):
        if m.entity.country and all(o.entity.country != m.entity.country for o in out):
            out.append(m)
        if len(out) == n:
            break
    return list(reversed(out)) if len(out) == n else []


def _distinct_countries(mentions: list[Mention], n: int) -> list[Mention]:
    """The ``n`` countries named most often so far ("the two leaders", "the two sides" are the
    story's main parties), ties going to the most recent; one mention of each, in text order."""
    freq: dict[str, int] = {}
    last: dict[str, Mention] = {}
    for m in mentions:
        if m.entity.country:
            freq[m.entity.country] = freq.get(m.entity.country, 0) + 1
            last[m.entity.country] = m
    if len(freq) < n:
        return []
    top = sorted(freq, key=lambda c: (freq[c], last[c].start), reverse=True)[:n]
    return sorted((last[c] for c in top), key=lambda m: m.start)


def _single_state(actors: list[Mention]) -> bool:
    """One country and no international organisation or group among the actors."""
    return len({m.entity.country for m in actors}) == 1 and not any(m.entity.org for m in actors)


def _place_mentions(trig: Trigger, ctx: SentenceContext) -> list[Mention]:
    """Countries named as the place of a clause ("in Beirut", "outside the Iraqi city of Basra")."""
    head = trig.token if trig.kind == "verb" else (trig.governor or trig.token)
    for tok in head.subtree:
        if tok.dep_ in ("prep", "advmod") and tok.lower_ in PLACE_PREPS:
            found = [m for m in ctx.span_mentions(list(tok.subtree)[1:]) if m.entity.country]
            if found:
                return found[:1]
    return []


def _with_country(actors: list[Mention], ctx: SentenceContext, sent: Sentence, recipients: list[Mention],
                  domestic: bool = False) -> list[Mention]:
    """A titled person the dictionary does not place ("President X") takes the country named
    elsewhere in the sentence (not as the recipient), if exactly one such country is named; in
    domestic politics, the only country named at all ("President X shortened the curfew imposed
    in Sudan")."""
    if not actors or any(m.entity.country or m.entity.org for m in actors):
        return actors
    mentioned = [m for m in ctx.index.within(sent.start, sent.end) if m.entity.country]
    taken = {m.entity.country for m in recipients}
    others = {m.entity.country for m in mentioned if m.entity.kind in ("state", "place")} - taken
    named = {m.entity.country for m in mentioned}
    if not others and domestic and len(named) == 1:
        others = named
    if len(others) != 1:
        return actors
    country = others.pop()
    return [Mention(m.start, m.end, m.text, replace(m.entity, country=country), how="sentence-country")
            for m in actors]


def _domestic_recipient(trig: Trigger, ctx: SentenceContext, sent: Sentence, actors: list[Mention],
                        etype: str) -> list[Mention]:
    """Where a mostly domestic event names no target: a place it happens in, else the actor."""
    head = trig.token if trig.kind == "verb" else (trig.governor or trig.token)
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "at", "across", "throughout"):
            for pobj in (g for g in child.children if g.dep_ == "pobj"):
                found = [m for m in ctx.span_mentions(pobj.subtree) if m.entity.country]
                if found:
                    return found[:1]
    # the actor's own country, but only when the sentence names no other country and the event is
    # not addressed to others ("Kyiv asks its partners to pay")
    if any(c.dep_ in ("dobj", "dative") and is_relational(c) for c in head.children):
        return []
    own = {m.entity.country for m in actors if m.entity.country}
    named = {m.entity.country for m in ctx.index.within(sent.start, sent.end) if m.entity.country}
    domestic = etype in SELF_DIRECTED_TYPES or (etype in LOCALLY_DIRECTED_TYPES and _local_affair(head, actors))
    if domestic and len(own) == 1 and named <= own:
        return [m for m in actors if m.entity.country][:1]
    return []


def _local_affair(head: Token, actors: list[Mention]) -> bool:
    """A request or refusal addressed to the populace ("pressured workers to ...") or made by a
    local body ("the district administration denied ...")."""
    lex = load_lexicon()
    objects = [c for c in head.children if c.dep_ in ("dobj", "dative")]
    if any(lex.in_class(lemma(o), "populace") for o in objects):
        return True
    subj, _ = subject_of(head)
    words = [lemma(t) for t in subj.subtree] if subj is not None else []
    words += [w.lower().strip(".,'’") for m in actors for w in m.text.split()]
    return any(lex.in_class(w, "local_body") for w in words)


def _apply_rules(trig: Trigger, mod: Modality, recipients: list[Mention], actors: list[Mention]
                 ) -> tuple[str | None, str | None, str | None]:
    """PLOVER coding rules on top of the trigger sense: future cooperation -> AGREE, status."""
    sense = trig.sense
    etype, mode = sense.type, sense.mode
    carried = governor_status(lemma(trig.governor)) if trig.kind == "noun" and trig.governor is not None else None
    status = sense.status or carried or default_status(etype, trig.token.tag_)
    if mod.modality == "future" and mod.negated and etype in NEGATED_FUTURE_TO_REJECT:
        mod.negated = False
        return "REJECT", None, None
    conditional = any(c.dep_ == "advcl" and any(g.dep_ == "mark" and g.lower_ == "unless" for g in c.children)
                      for c in trig.token.children)
    if mod.modality == "future" and (conditional or etype in FUTURE_TO_THREATEN) and sense.status != "halted":
        return "THREATEN", None, "planned" if etype == "SANCTION" else None
    if mod.modality == "future" and etype in FUTURE_TO_AGREE:
        # aid still to come is pledged (a sale agreed stays approved); other cooperation planned
        status = (sense.status if sense.status == "approved" else "pledged") if etype == "AID" else "planned"
        etype, mode = "AGREE", mode if etype == "CONSULT" else None
    elif etype == "AID" and _progressive(trig):
        status = "announced"  # "Biden is providing Ukraine with a new munition"
    if etype == "AGREE" and sense.future and not sense.status:
        status = "pledged"  # "promised", "committed", "earmarked"
    if etype == "AGREE" and sense.type == "AGREE" and _agrees_to_aid(trig):
        status = "pledged"  # "agreed to send 31 tanks"
    if etype == "AGREE" and sense.reciprocal and status == "completed" and _intent_only(trig):
        status = "planned"  # "signed a letter of intent to purchase", "an agreement to begin production"
    if etype == "AGREE" and sense.reciprocal and mod.modality == "future" and status in ("approved", "completed"):
        status = "planned"  # "will formalize the agreements tomorrow"
    if etype == "AGREE" and status is None:
        status = "planned" if mod.modality == "future" else "approved"
    if etype == "COOPERATE" and not recipients and len(actors) < 2:
        etype, mode, status = "AGREE", None, status or "planned"
    if etype in ("REJECT", "REQUEST") and _about_aid(trig):
        mode = "assist"  # "declined to approve the package", "asked for air defence"
        status = "denied" if etype == "REJECT" else "requested"
    if etype not in ("AID", "COOPERATE", "AGREE", "SANCTION", "THREATEN", "REJECT", "REQUEST"):
        status = None
    return etype, mode, status


def _progressive(trig: Trigger) -> bool:
    tok = trig.token
    return trig.kind == "verb" and tok.tag_ == "VBG" and any(
        c.dep_ == "aux" and lemma(c) == "be" for c in tok.children)


def _agrees_to_aid(trig: Trigger) -> bool:
    """"agreed to send tanks": an agreement whose content is aid is a pledge."""
    lex = load_lexicon()
    for comp in (c for c in trig.token.children if c.dep_ in ("xcomp", "ccomp")):
        if any(s.type == "AID" for s in lex.verbs.get(lemma(comp), [])):
            return True
    return False


def _intent_only(trig: Trigger) -> bool:
    """A signed document that only states an intention ("a letter of intent", "an agreement to
    begin joint production")."""
    for obj in (t for t in object_tokens(trig.token) if t.dep_ in ("dobj", "nsubjpass", "pobj")):
        if any(t.lower_ in ("intent", "intention", "intentions") for t in obj.subtree):
            return True
        if any(c.dep_ in ("acl", "relcl") and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children)
               for c in obj.children):
            return True
    return False


def _about_aid(trig: Trigger) -> bool:
    lex = load_lexicon()
    words = lex.classes.get("aid", frozenset()) | lex.classes.get("military", frozenset())
    return any(lemma(t) in words for t in _own_words(trig) if t is not trig.token)


def _clause_span(trig: Trigger) -> tuple[int, int]:
    """Character span (in the sentence) of the clause a trigger belongs to, without a clause
    coordinated after it ("agrees a deal and reveals a £950m package": the sum is the package's)."""
    head = trig.token if trig.kind == "verb" else (trig.governor or trig.token)
    later = {t.i for c in head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i > head.i
             and trig.token not in c.subtree for t in c.subtree}
    toks = [t for t in head.subtree if t.i not in later]
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _context(trig: Trigger, clause: tuple[int, int], etype: str) -> list[str]:
    lex = load_lexicon()
    ctx = list(trig.sense.context)
    if etype in ("AID", "COOPERATE", "AGREE", "SANCTION", "REQUEST", "CONSULT", "SUPPORT", "REJECT", "THREATEN"):
        words = _own_words(trig)
        military = any(lemma(t) in lex.classes["military"] or t.lower_ in lex.classes["military"] for t in words)
        if military and "military" not in ctx:
            ctx.append("military")
    return ctx


def _own_words(trig: Trigger) -> list[Token]:
    """The words of the trigger's own event: the trigger, what it acts on, and (for a noun) its
    phrase and its verb; not the relative clauses of its subject ("Trump, who criticised military
    aid, promised to end the war" is no military pledge)."""
    if trig.kind == "noun":
        head = trig.governor if trig.governor is not None else trig.token
        return [*trig.token.subtree, *object_tokens(head), head]
    return [trig.token, *object_tokens(trig.token)]


def _attribution(trig: Trigger, ctx: SentenceContext) -> Role | None:
    found = attribution_mentions(trig, ctx)
    return Role(found[0].text, found[0].entity) if found else None


def _confidence(how: str, has_recipient: bool, mod: Modality) -> float:
    base = {"subject": 0.8, "agent": 0.8, "possessor": 0.75, "by": 0.75, "modifier": 0.7,
            "speaker": 0.6, "context": 0.5}.get(how, 0.5)
    return min(1.0, base + (0.1 if has_recipient else 0.0) - (0.1 if mod.modality != "asserted" else 0.0))


def _elsewhere(time: DateSpan, trig: Trigger, published: date | None = None) -> bool:
    """A time expression that dates something else: one that belongs to a clause of its own which
    does not hold the trigger ("Scholz, who faces elections in February"; "as funding runs out by
    the end of the month"), or, for an agreement or pledge, a time still to come inside what is
    agreed ("agreed to allocate EUR 40 billion in 2025": the agreement is not in 2025)."""
    if time.offset is None:
        return False
    sent = trig.token.sent
    tok = next((t for t in sent if t.idx - sent.start_char >= time.offset[0]), None)
    if tok is None:
        return False
    verb = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
    own = {trig.token.i} | ({trig.governor.i} if trig.governor is not None else set())
    # a time that modifies another noun dates that noun's thing ("braces for winter strikes",
    # "condemned Friday's attack"), not the event
    end = time.offset[1]
    inside = [t for t in sent if time.offset[0] <= t.idx - sent.start_char < end]
    last = inside[-1] if inside else tok
    if last.dep_ in ("compound", "amod", "nmod", "poss") and last.head.pos_ in ("NOUN", "PROPN") \
            and last.head.i not in own and last.head.idx - sent.start_char >= end:
        return True
    head = trig.token if trig.kind == "verb" else trig.governor
    if head is not None and head.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS
                                                          for c in head.children) and tok not in head.subtree:
        return True  # "X will get jets next year, while Washington has delayed bombs": not next year
    if verb is not None and verb.i not in own and verb.dep_ in ("relcl", "advcl") \
            and any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in verb.children) \
            and trig.token not in verb.subtree and not (trig.governor is not None and trig.governor in verb.subtree):
        return True
    if trig.sense.type == "AGREE" and published is not None and time.start and time.start > published.isoformat():
        return any(a.dep_ in ("xcomp", "ccomp") and a.head == trig.token for a in [tok, *tok.ancestors])
    if trig.sense.type == "REQUEST" and trig.kind == "verb":
        # "urged allies to send missiles before winter": when it is wanted, not when it was asked
        return any(a.dep_ in ("xcomp", "ccomp", "advcl") and a.head == trig.token and a.i > trig.token.i
                   for a in [tok, *tok.ancestors])
    return False


def _within(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
    return outer[0] <= inner[0] and inner[1] <= outer[1]


def _within_tokens(offset: tuple[int, int], tokens: Iterable[Token]) -> bool:
    toks = list(tokens)
    return bool(toks) and toks[0].idx <= offset[0] < toks[-1].idx + len(toks[-1].text)


def _publication_end(doc: Document) -> date | None:
    """The last day the publication date allows (a year-precision date ends on 31 December)."""
    span = _publication(doc)
    return date.fromisoformat(span.end[:10]) if span.end else None


def _publication(doc: Document) -> DateSpan:
    from .when import publication_span

    return publication_span(doc.published, doc.published_precision)


def _attach_details(event: Event, doc: Document, sent: Sentence, clause: tuple[int, int],
                    trig: Trigger, mod: Modality) -> None:
    """Date, value and items found inside the trigger's clause."""
    future = mod.modality == "future" and mod.reason != "pledge word"  # "on Tuesday, Belgium pledged"
    speech = _speech_span(trig)
    times = _times(sent.text, doc.published, future, past=not future and _past_tense(trig))
    if future and speech:  # "on Tuesday it was announced that X would send ...": the telling is past
        told = [t for t in _times(sent.text, doc.published, False) if t.offset and _within(t.offset, speech)]
        times = [t for t in times if not (t.offset and _within(t.offset, speech))] + told
    times = [t for t in times if not _elsewhere(t, trig, doc.published)]
    meeting = trig.kind == "noun" and trig.sense.type == "CONSULT" and occasion_prep(trig.token) is not None
    if meeting and trig.governor is not None:
        # a meeting round a clause: its own words date it, or the clause's, never what the
        # clause is about ("at the summit, leaders agreed to provide aid next year")
        about = {t.i for t in object_tokens(trig.governor)} - {t.i for t in trig.token.subtree}
        times = [t for t in times if t.offset and not any(
            tok.i in about for tok in trig.token.sent if tok.idx <= t.offset[0] < tok.idx + len(tok.text))]
        own = [t for t in times if t.offset and _within_tokens(t.offset, trig.token.subtree)]
        clause = (0, len(sent.text)) if not own else clause
        times = own or times
    inside = [t for t in times if t.offset and clause[0] <= t.offset[0] < clause[1]]
    if inside:
        event.date = _nearest(inside, trig)
    elif meeting:
        event.date = _publication(doc)
    else:  # the first time outside the reporting clause, else the reporting clause's ("officials said
        # Tuesday"), else the publication date
        ordered = sorted(times, key=lambda t: t.offset or (0, 0))
        own = [t for t in ordered if not (speech and t.offset and _within(t.offset, speech))]
        event.date = (own or ordered or [_publication(doc)])[0]
    if event.date and event.date.start and doc.published and mod.modality == "asserted" \
            and event.date.end and event.date.end < _years_before(doc, 1):
        event.modality = "historical"
    if event.date and event.date.text and event.date.start and doc.published and \
            event.date.start > doc.published.isoformat() and event.modality == "asserted":
        event.modality = "future"  # "the talks on September 30", in a story of September 24
        if event.type in FUTURE_TO_AGREE:
            event.type, event.mode, event.status = "AGREE", None, "planned"
            event.cameo = cameo_for("AGREE", None, event.context)
    on = _date_of(event.date) or doc.published
    monies = [m for m in _money(sent.text, on) if m.start is not None and clause[0] <= m.start < clause[1]]
    if monies:
        event.value = monies[0]
    event.items = [i for i in _items(sent.text) if i.start is None or clause[0] <= i.start < clause[1]]


# A sentence with several triggers is searched for dates, amounts and items once; copies are
# handed out because events own (and may later change) what they hold.
@lru_cache(maxsize=256)
def _times_cached(text: str, published: date | None, future: bool, past: bool = False) -> tuple[DateSpan, ...]:
    from .when import find_times

    return tuple(find_times(text, published, future=future, past=past))


@lru_cache(maxsize=256)
def _money_cached(text: str, on: date | None) -> tuple[Money, ...]:
    from .money import find_money

    return tuple(find_money(text, on=on))


@lru_cache(maxsize=256)
def _items_cached(text: str) -> tuple[Item, ...]:
    from .items import find_items

    return tuple(find_items(text))


def _times(text: str, published: date | None, future: bool, past: bool = False) -> list[DateSpan]:
    return [copy(t) for t in _times_cached(text, published, future, past)]


def _past_tense(trig: Trigger) -> bool:
    """The trigger's clause tells of what happened ("came after the attack", "has sent")."""
    verb = trig.token if trig.kind == "verb" else trig.governor
    if verb is None:
        return False
    return verb.tag_ == "VBD" or (verb.tag_ == "VBN" and any(
        c.dep_ in ("aux", "auxpass") and lemma(c) in ("have", "be") and c.tag_ in ("VBD", "VBZ", "VBP")
        for c in verb.children))


def _money(text: str, on: date | None) -> list[Money]:
    return [copy(m) for m in _money_cached(text, on)]


def _items(text: str) -> list[Item]:
    return [copy(i) for i in _items_cached(text)]


def _nearest(times: list[DateSpan], trig: Trigger) -> DateSpan:
    pos = trig.token.idx
    return min(times, key=lambda t: abs((t.offset or (pos, pos))[0] - pos))


def _speech_span(trig: Trigger) -> tuple[int, int] | None:
    head = speech_head(trig.token if trig.kind == "verb" else (trig.governor or trig.token))
    if head is None:
        return None
    toks = [t for t in head.subtree if t.dep_ != "ccomp" and not _under_ccomp(t, head)]
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _under_ccomp(tok: Token, head: Token) -> bool:
    cur = tok
    while cur != head and cur.head != cur:
        if cur.dep_ == "ccomp" and cur.head == head:
            return True
        cur = cur.head
    return False


def _date_of(span: DateSpan | None) -> date | None:
    if span is None or not span.start:
        return None
    try:
        return date.fromisoformat(span.start[:10])
    except ValueError:
        return None


def _years_before(doc: Document, years: int) -> str:
    assert doc.published is not None
    p = doc.published
    return p.replace(year=p.year - years).isoformat() if not (p.month == 2 and p.day == 29) else \
        p.replace(year=p.year - years, day=28).isoformat()


# --------------------------------------------------------------------------- merging


def _codes(roles: list[Role]) -> frozenset[str]:
    return frozenset(c for r in roles for c in (r.entity.country, r.entity.org) if c)


def _merge_key(event: Event) -> tuple[object, ...]:
    parties = _codes(event.actor) | _codes(event.recipient)
    if event.type == "CONSULT":
        return (event.type, event.negated, parties)
    return (event.type, event.mode, event.negated, _codes(event.actor), _codes(event.recipient))


def _same_value(a: Money | None, b: Money | None) -> bool:
    """Amounts that do not conflict: one missing, or equal in some currency they state
    ("13 billion kronor (USD 1.23 billion)" and "$1.23 billion"), or within 5% once converted."""
    if a is None or b is None:
        return True
    return _equal_value(a, b)


def _equal_value(a: Money, b: Money) -> bool:
    for x in (a, *a.equivalents):
        for y in (b, *b.equivalents):
            if x.currency == y.currency and abs(x.amount - y.amount) <= 0.01 * max(x.amount, 1.0):
                return True
    if a.eur and b.eur:
        return abs(a.eur - b.eur) <= 0.05 * max(a.eur, b.eur)
    return False


# Two reports of one decision may date it a few days apart ("decided yesterday", "announced on
# Tuesday"): restatements within this many days of each other agree.
RESTATEMENT_DAYS = 3


def _same_time(a: DateSpan | None, b: DateSpan | None) -> bool:
    """Dates that both come from the text must overlap, give or take a few days; a default
    (publication) date fits any."""
    if a is None or b is None or not (a.text and b.text and a.start and b.start):
        return True
    slack = timedelta(days=RESTATEMENT_DAYS)
    try:
        a0, a1 = date.fromisoformat(a.start[:10]), date.fromisoformat((a.end or a.start)[:10])
        b0, b1 = date.fromisoformat(b.start[:10]), date.fromisoformat((b.end or b.start)[:10])
    except ValueError:
        return (a.start or "") <= (b.end or b.start or "") and (b.start or "") <= (a.end or a.start or "")
    return a0 - slack <= b1 and b0 - slack <= a1


def _merge_into(events: list[_Found], new: _Found) -> _Found | None:
    """Add an event, or fold it into an earlier statement of the same event in this document
    (returning that earlier one)."""
    for old in events:
        restated = old.lemma == new.lemma or new.anaphoric
        same = (restated and old.key == new.key) or _restatement(old, new)
        valued = old.event.value is not None and new.event.value is not None
        if same and _same_value(old.event.value, new.event.value) and _same_items(old.event.items, new.event.items) \
                and (valued or _same_time(old.event.date, new.event.date)):
            _fold(old.event, new.event)
            return old
    events.append(new)
    return None


# Item categories that name no system ("weapons", "equipment"): they agree with any.
GENERIC_ITEMS = {None, "other"}
# Classes of statement that can report one deal in different words.
DEAL_CLASSES = {"aid", "agreement", "cooperation"}
# An event stated this near the top of an article is its headline or lede.
HEADLINE_CHARS = 300
# Event types that restate one another when the parties agree: a pledge reported as "will
# send" in the headline and "pledged" in the body; a deal "agreed" and "signed"; a visit
# and the meeting it was for.
RESTATEMENT_CLASSES = {"AID": "aid", "AGREE": "aid", "COOPERATE": "cooperation", "CONSULT": "meeting",
                       "SANCTION": "halt"}


def _restatement_class(found: _Found) -> str | None:
    """What kind of real-world event a statement reports, from its trigger's own type: a
    future meeting coded AGREE is still a meeting, a pledge coded AGREE still aid."""
    event = found.event
    if found.sense_type != "AGREE":
        return RESTATEMENT_CLASSES.get(found.sense_type)
    if "military" not in event.context:
        return None  # an agreement of any other kind is not an aid pledge
    return "aid" if found.pledge else "agreement"  # "pledged aid" / "agreed" or "signed a deal"


def _restatement(old_found: _Found, new_found: _Found) -> bool:
    """Two events of one document that report the same thing in other words: the same class
    of event (aid, cooperation, meeting, halt), the same parties, the same negation, and a sign
    that it is the same: the earlier one is the headline, or they share a stated detail."""
    cls, other = _restatement_class(old_found), _restatement_class(new_found)
    old, new = old_found.event, new_found.event
    if new_found.additive or cls is None or other is None or old.negated != new.negated:
        return False
    if cls != other:
        # a sale pledged and the contract signed, a deal agreed and the joint production it sets
        # up: one event when the same parties share a stated detail
        a, b = _codes(old.actor) | _codes(old.recipient), _codes(new.actor) | _codes(new.recipient)
        return {cls, other} <= DEAL_CLASSES and bool(a) and bool(b) and (a <= b or b <= a) \
            and _shared_detail(old, new)
    a1, r1, a2, r2 = _codes(old.actor), _codes(old.recipient), _codes(new.actor), _codes(new.recipient)
    if cls in ("meeting", "cooperation", "agreement"):
        parties = bool(a1 | r1) and (a1 | r1) == (a2 | r2)
    else:
        parties = a1 == a2 and (r1 == r2 or not r1 or not r2)
    return parties and (_headline(old) or _shared_detail(old, new))


def _headline(event: Event) -> bool:
    """An event read from the title or the first lines of the article: the body restates it."""
    return event.evidence.start < HEADLINE_CHARS


def _shared_detail(a: Event, b: Event) -> bool:
    """Positive signs that two statements are about one event: the same stated amount, the same
    system or class of equipment, or overlapping dates that both come from the text."""
    if a.value is not None and b.value is not None:
        return _equal_value(a.value, b.value)
    if [i for i in a.items if i.category not in GENERIC_ITEMS] and [i for i in b.items if i.category not in GENERIC_ITEMS]:
        return _same_items(a.items, b.items)
    return bool(a.date and b.date and a.date.text and b.date.text) and _same_time(a.date, b.date)


def _same_items(a: list[Item], b: list[Item]) -> bool:
    """Items of two statements agree when one names none or they share a system or a category."""
    a, b = [i for i in a if i.category not in GENERIC_ITEMS], [i for i in b if i.category not in GENERIC_ITEMS]
    if not a or not b:
        return True
    keys = {k for i in a for k in (i.canonical, i.category) if k}
    return any(k in keys for i in b for k in (i.canonical, i.category) if k)


def _fold(keep: Event, extra: Event) -> None:
    keep.evidence.extra.append({"sentence": extra.evidence.sentence, "start": extra.evidence.start,
                                "end": extra.evidence.end, "trigger": extra.evidence.trigger})
    if keep.value is None or (extra.value is not None and extra.value.equivalents and not keep.value.equivalents
                              and _equal_value(keep.value, extra.value)):
        keep.value = extra.value  # "1.1 billion euros (£950 million)" is the figure as stated
    known = {(i.canonical or i.text).lower() for i in keep.items}
    keep.items = keep.items + [i for i in extra.items if (i.canonical or i.text).lower() not in known]
    keep.recipient = keep.recipient or extra.recipient
    if (keep.date is None or keep.date.text is None) and extra.date is not None and extra.date.text:
        keep.date = extra.date
    keep.context = sorted(set(keep.context) | set(extra.context))
    keep.confidence = min(1.0, max(keep.confidence, extra.confidence) + 0.05)
    keep.status = keep.status or extra.status
    keep.attribution = keep.attribution or extra.attribution


