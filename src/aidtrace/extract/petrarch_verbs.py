"""The CAMEO verb table generated from PETRARCH2's CAMEO.2.0.txt (data/petrarch/verbs.yaml).

requires: data/petrarch/verbs.yaml (scripts/convert_petrarch.py; format in its header)
assigns:  nothing; a read-only table for the coder: per verb lemma, its default CAMEO code and
          PLOVER reading and the patterns (words before/after the verb, prepositional phrases)
          of its synset block, each with its CAMEO code and PLOVER reading

Not wired into the coder: the coder's own lexicon is data/triggers.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..datafiles import load_yaml

Slot = tuple[str, ...]  # alternative phrases for one noun, each "modifier ... head"


@dataclass(frozen=True)
class Coding:
    """A CAMEO code and its PLOVER reading; ``cameo`` None means "no event" ([---])."""

    cameo: str | None
    type: str | None = None
    mode: str | None = None
    context: tuple[str, ...] = ()

    @property
    def no_event(self) -> bool:
        """True for the dictionary's null code: the verb or pattern signals no event."""
        return self.cameo is None

    @classmethod
    def from_yaml(cls, raw: dict[str, Any], key: str = "cameo") -> Coding:
        code = raw.get(key)
        return cls(None if code is None else str(code), raw.get("type"), raw.get("mode"),
                   tuple(raw.get("context") or ()))


@dataclass(frozen=True)
class PrepPhrase:
    """A prepositional phrase of a pattern: "(TO BORDER)" -> prep "to", objects (("border",),)."""

    prep: str
    objects: tuple[Slot, ...]
    role: str | None = None  # "source" or "target" when the pattern marks the phrase's actor


@dataclass(frozen=True)
class VerbPattern:
    """One pattern of a verb block: "- * AID [070]" is after (("aid",),), coding 070 AID."""

    coding: Coding
    reverse: Coding | None  # the second code of "[042:043]" (the event seen from the other side)
    before: tuple[Slot, ...]
    after: tuple[Slot, ...]
    preps: tuple[PrepPhrase, ...]
    source: tuple[str, ...]  # where "$" stands: "before" / "after" the verb
    target: tuple[str, ...]  # where "+" stands
    verb: str  # the verb the pattern was written for (a comment in the source)

    @property
    def no_event(self) -> bool:
        return self.coding.no_event and self.reverse is None


@dataclass(frozen=True)
class VerbEntry:
    """A verb lemma ("ask for" for multi-word verbs), its inflected forms, its block and codes."""

    lemma: str
    head: str  # the word the parser tags as the verb ("ask" in "ask for")
    forms: tuple[str, ...]
    block: str
    coding: Coding  # the verb's own code, else its block's default
    patterns: tuple[VerbPattern, ...]  # the block's patterns, shared by all its verbs


def _expand(phrase: str, sets: dict[str, tuple[str, ...]]) -> list[str]:
    """ "&MILITARY aid" -> "military aid", "army aid", ... (every member of the set)."""
    options = [""]
    for word in phrase.split():
        alts = sets.get(word[1:], (word,)) if word.startswith("&") else (word,)
        options = [f"{o} {a}".strip() for o in options for a in alts]
    return options


def _slots(raw: list[list[str]] | None, sets: dict[str, tuple[str, ...]]) -> tuple[Slot, ...]:
    return tuple(tuple(dict.fromkeys(a for p in slot for a in _expand(str(p), sets))) for slot in raw or [])


def _pattern(raw: dict[str, Any], sets: dict[str, tuple[str, ...]]) -> VerbPattern:
    reverse = None
    if raw.get("reverse_cameo") is not None:
        rev = dict(raw.get("reverse") or {})
        rev["cameo"] = raw["reverse_cameo"]
        reverse = Coding.from_yaml(rev)
    preps = tuple(PrepPhrase(str(p["prep"]), _slots(p.get("objects"), sets), p.get("role"))
                  for p in raw.get("preps", []))
    return VerbPattern(Coding.from_yaml(raw), reverse, _slots(raw.get("before"), sets), _slots(raw.get("after"), sets),
                       preps, tuple(raw.get("source", ())), tuple(raw.get("target", ())), str(raw.get("verb", "")))


@lru_cache(maxsize=1)
def load_verb_patterns() -> dict[str, VerbEntry]:
    """Verb lemma -> entry, parsed once per process; synset references ("&CURRENCY") are expanded
    into their members. A lemma listed in two blocks keeps the first."""
    out: dict[str, VerbEntry] = {}
    data = load_yaml("petrarch", "verbs.yaml")
    sets = {str(k): tuple(str(w) for w in v) for k, v in data.get("sets", {}).items()}
    for block in data["blocks"]:
        patterns = tuple(_pattern(p, sets) for p in block.get("patterns", []))
        default = Coding.from_yaml(block)
        for verb in block.get("verbs", []):
            lemma = str(verb["lemma"])
            coding = Coding.from_yaml(verb) if "cameo" in verb else default
            entry = VerbEntry(lemma, str(verb.get("head", lemma)), tuple(str(f) for f in verb.get("forms", [])),
                              str(block["block"]), coding, patterns)
            out.setdefault(lemma, entry)
    return out


def verb_form_index() -> dict[str, str]:
    """Every surface form ("sped", "asked for") and lemma -> its lemma."""
    index: dict[str, str] = {}
    for lemma, entry in load_verb_patterns().items():
        for form in (lemma, *entry.forms):
            index.setdefault(form, lemma)
    return index
