"""Actor resolution: who is who in a document, as of its publication date.

requires: Document (text, published, dateline_place), Sentence list from nlp.pipeline
          (``parse`` used when present: PERSON entities, apposition, subjects for "he/she")
assigns:  Mention list with offsets into Document.text, sorted, non-overlapping

Four passes over the cleaned text:

1. gazetteer: one pre-compiled trie regex over every name in data/actors/ (countries and
   demonyms, capitals as metonyms, institutions, IGOs, companies, research bodies, people),
   then the names of data/petrarch/actors.tsv the project's own tables do not already take;
2. composition (PETRARCH "agents"): nationality or possessor + role noun from data/agents.yaml
   ("Ukraine's Foreign Ministry", "Kremlin spokesman Dmitry Peskov", "the US chargé
   d'affaires, John Hinkel"); a bare government title takes the dateline country;
3. selection: longest match wins, then dictionary before composition;
4. coreference-lite: office titles ("the French leader") to a person already mentioned,
   definite descriptions ("the alliance", "the institute"), surname repeats, and "he/she"
   right after a person subject (parsed sentences only).

People carry date-ranged roles, so "Trump" in 2020, 2023 and 2025 resolves differently.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache, lru_cache
from typing import Any

from ..cache import LazyValues, cached
from ..datafiles import grammar_words, load_yaml, read_text
from ..model import Document, Entity, Mention
from ..nlp.pipeline import Sentence

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)?\s+")
_FORMER = re.compile(r"(?:^|\W)(?:former|Former|ex-|Ex-)\s*$")
# A nationality that names an ethnic group or an attitude, not the state ("ethnic Turks", "anti-US").
_ATTITUDE = re.compile(r"(?:(?<![\w-])(?:[Aa]nti|[Pp]ro)-|(?<![\w-])[Ee]thnic\s+)$")
_THE = re.compile(r"(?:^|\W)((?:the|The)\s+)$")
_PARTICLES = frozenset(grammar_words("name_particles"))
_NOT_NAMES = frozenset(grammar_words("not_names"))
# modifiers that make a title someone other than the office holder
_NOT_HOLDER = frozenset(grammar_words("not_holder"))


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Role:
    """One dated role of a person: country or org, sectors, offices, [start, end)."""

    country: str | None
    org: str | None
    sector: tuple[str, ...]
    office: tuple[str, ...]
    title: str
    start: date | None
    end: date | None

    def active(self, on: date) -> bool:
        """True when the role is held on ``on`` (start inclusive, end exclusive)."""
        return (self.start is None or self.start <= on) and (self.end is None or on < self.end)


@dataclass(frozen=True)
class Person:
    """A person in the actor dictionary with dated roles."""

    id: str
    name: str
    gender: str | None
    roles: tuple[Role, ...]

    def role_on(self, on: date) -> Role | None:
        """The first role active on ``on``, or None."""
        return next((r for r in self.roles if r.active(on)), None)

    def entity_on(self, on: date) -> Entity:
        """The person as an Entity on a date; out of office means ELI (former official)."""
        role = self.role_on(on)
        if role is not None:
            return self._entity(role, list(role.sector))
        ended = [r for r in self.roles if r.end is not None and r.end <= on]
        if ended:
            last = max(ended, key=lambda r: r.end or on)
            return self._entity(last, ["ELI"])
        return self._entity(self.roles[0], []) if self.roles else Entity(self.id, self.name, kind="person")

    def holds(self, office: str, country: str | None, on: date) -> bool:
        """True when an active role is ``office`` for ``country`` on ``on``."""
        role = self.role_on(on)
        return role is not None and office in role.office and (country is None or role.country == country)

    def _entity(self, role: Role, sector: list[str]) -> Entity:
        return Entity(self.id, self.name, role.country, role.org, sector, "person")


@dataclass(frozen=True)
class Place:
    """A town or region and the country it belonged to over time (data/petrarch/places.tsv)."""

    name: str
    spells: tuple[tuple[str, date | None, date | None], ...]  # (ISO3, from inclusive, to exclusive)

    def country_on(self, on: date) -> str:
        """The country the place belonged to on ``on`` (Juba: Sudan until 9 July 2011)."""
        for country, start, end in self.spells:
            if (start is None or start <= on) and (end is None or on < end):
                return country
        return self.spells[-1][0]

    def entity_on(self, on: date) -> Entity:
        return Entity(f"place:{_slug(self.name)}", self.name, self.country_on(on), None, [], "place")


@dataclass(frozen=True)
class Entry:
    """What a gazetteer name stands for.

    kind: state, adjective (demonym), capital, named (institution/IGO/company/research),
    region (EUROPE/WEST names), region_adj ("European": composes, never alone), person, surname,
    place (a town or region: where something happens, never an actor by itself), feature (a sea,
    strait or peninsula named after an actor, "the South China Sea": hides the name, never a mention).
    """

    kind: str
    entity: Entity | None = None
    person: Person | None = None
    metonym: bool = False
    place: Place | None = None


@dataclass(frozen=True)
class RoleNoun:
    """A role noun from agents.yaml."""

    canonical: str
    sector: tuple[str, ...]
    kind: str
    office: tuple[str, ...] = ()
    gov_title: bool = False
    relational: bool = False
    named: bool = False


@dataclass
class _Hit:
    start: int
    end: int
    entry: Entry


@dataclass
class _RoleHit:
    start: int
    end: int
    role: RoleNoun
    modifiers: tuple[str, ...]


@dataclass
class _Cand:
    """A candidate mention before selection; ``office``/``anaphor`` are resolved in order."""

    start: int
    end: int
    how: str
    rank: int
    entity: Entity | None = None
    office: tuple[str, str | None] | None = None  # (office, country) to find a holder for
    anaphor: dict[str, str] | None = None
    person: Person | None = None  # dictionary person, for surname coreference
    surname: bool = False
    name_span: tuple[int, int] | None = None  # the name words of a composed person


@dataclass
class _Context:
    """Per-document state for resolution."""

    text: str
    on: date
    dateline: str | None
    sentences: list[Sentence] = field(default_factory=list)
    persons: list[tuple[int, int]] = field(default_factory=list)  # PERSON entities of parsed sentences


# --------------------------------------------------------------------------- loading


_data_text = read_text
_yaml = load_yaml


# People files, current office holders first; ids are unique across them (tests/test_people_historical.py).
PEOPLE_FILES = ("people.yaml", "people_historical.yaml")


def _people_file(name: str) -> list[dict[str, Any]]:
    """Entries of one people file; the historical file is optional."""
    from importlib import resources

    if not resources.files("aidtrace").joinpath("data", "actors", name).is_file():
        return []
    return list(_yaml("actors", name) or [])


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _trie_regex(words: Iterable[str]) -> str:
    """One regex alternation as a character trie: fast, and prefers the longest word."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    return _trie_node(trie)


def _trie_node(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_node(sub) for ch, sub in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return "(?:" + body + ")?"
    return body


def _split(cell: str) -> list[str]:
    return [x.strip() for x in cell.split("|") if x.strip()]


def _country_rows() -> Iterator[dict[str, str]]:
    lines = [ln for ln in _data_text("actors", "countries.tsv").splitlines() if ln and not ln.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t")


def _pycountry_names(alpha3: str) -> list[str]:
    import pycountry

    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        return []
    names = [getattr(country, a, None) for a in ("name", "common_name", "official_name")]
    return [n for n in names if n and "," not in n and "(" not in n]


class ActorDictionary:
    """The actor gazetteer, role nouns and people, compiled once per process."""

    def __init__(self) -> None:
        self._names: dict[str, Entry] = {}  # the gazetteer while it is built; then ``entries``
        self.states: dict[str, Entity] = {}
        self.people: list[Person] = []
        self.roles: dict[str, RoleNoun] = {}
        self.modifiers: list[str] = []
        self.anaphora: dict[str, dict[str, str]] = {}
        self.locatives: set[str] = set()
        self.by_id: dict[str, Entity] = {}
        self.conveners: dict[str, list[dict[str, Any]]] = {}
        # countries that once belonged to another (South Sudan to Sudan until 2011): the history
        # most of their places share in places.tsv
        self.formerly: dict[str, Place] = {}
        self._load_features()
        self._load_countries()
        for part in ("institutions.yaml", "igos.yaml", "research.yaml", "companies.yaml", "nonstate.yaml"):
            self._load_named(part)
        self._load_people()
        self._load_generated_actors()
        self._load_places()
        self._load_agents()
        self._compile()
        # Loaded from the cache, an entry is made when its name is first met (``LazyValues``).
        self.entries: Mapping[str, Entry] = LazyValues(self._names)
        del self._names

    @classmethod
    @cache
    def load(cls) -> ActorDictionary:
        """The dictionary, shared by the whole process: from the cache (``aidtrace.cache``), or built."""
        return cached("actors", cls)

    # ------------------------------------------------------------------ loaders

    def _add(self, name: str, entry: Entry) -> None:
        self._names.setdefault(name, entry)

    def _load_features(self) -> None:
        """Seas, straits and peninsulas named after an actor (data/actors/features.yaml)."""
        for name in _yaml("actors", "features.yaml"):
            self._add(str(name), Entry("feature"))

    def _load_countries(self) -> None:
        for row in _country_rows():
            code = row["alpha3"]
            names = _split(row["names"])
            pyc = _pycountry_names(code)
            canonical = names[0] if names else (pyc[0] if pyc else code)
            state = Entity(code, canonical, code, None, [], "state")
            self.states[code] = state
            self.by_id[code] = state
            gov = Entity(f"{code}-GOV", f"Government of {canonical}", code, None, ["GOV"], "institution")
            for name in [*names, *pyc]:
                self._add(name, Entry("state", state))
            for adj in _split(row["adjectives"]):
                self._add(adj, Entry("adjective", state))
            for cap in _split(row["capitals"]):
                self._add(cap, Entry("capital", gov, metonym=True))
        self._load_other_countries()

    def _load_other_countries(self) -> None:
        import pycountry

        for country in pycountry.countries:
            if country.alpha_3 in self.states:
                continue
            names = _pycountry_names(country.alpha_3)
            if not names:
                continue
            state = Entity(country.alpha_3, names[0], country.alpha_3, None, [], "state")
            self.states[country.alpha_3] = state
            for name in names:
                self._add(name, Entry("state", state))

    def forum_parties(self, org: str, on: date, until: date | None = None) -> list[Entity]:
        """The parties that convene a meeting of a forum on a date, or the first time they did
        in [on, until] ("conveners" in igos.yaml): countries as states, organisations as
        themselves; empty for other organisations."""
        out: list[Entity] = []
        last = until or on
        for span in self.conveners.get(org, []):
            if out:
                break
            if span["from"] <= last and (span.get("to") is None or on < span["to"]):
                for code in span["parties"]:
                    entity = self.states.get(code) or self.by_id.get(code)
                    if entity is not None:
                        out.append(entity)
        return out

    def _load_named(self, part: str) -> None:
        kind_default = {"research.yaml": "research", "companies.yaml": "company"}.get(part, "institution")
        sector_default = {"research.yaml": ["RES"], "companies.yaml": ["BUS"]}.get(part, [])
        for item in _yaml("actors", part):
            entity = Entity(item["id"], item["name"], item.get("country"), item.get("org"),
                            list(item.get("sector", sector_default)), item.get("kind", kind_default))
            self.by_id.setdefault(entity.id or "", entity)
            if item.get("conveners") and entity.org:
                self.conveners[entity.org] = list(item["conveners"])
            kind = "region" if item.get("region") else "named"
            for name in item.get("names", []):
                self._add(name, Entry(kind, entity, metonym=bool(item.get("metonym"))))
            for adj in item.get("adjectives", []):
                self._add(adj, Entry("region_adj", entity))

    def _load_people(self) -> None:
        surnames: dict[str, list[Person]] = {}
        for item in (i for name in PEOPLE_FILES for i in _people_file(name)):
            person = _person(item)
            self.people.append(person)
            for name in item["names"]:
                self._add(name, Entry("person", person=person))
            if item.get("surname", True) is not False:
                for sn in item.get("surnames") or {n.split()[-1] for n in item["names"]}:
                    surnames.setdefault(sn, []).append(person)
        for sn, owners in surnames.items():
            if len({p.id for p in owners}) == 1 and sn not in self._names:
                self._add(sn, Entry("surname", person=owners[0]))

    def _load_generated_actors(self) -> None:
        """The PETRARCH2/Phoenix actors (data/petrarch/actors.tsv) after the project's own: a
        generated entry only adds names not yet taken, and a person any of whose names the
        project's tables already resolve is left out whole (docs/DATA.md)."""
        for row in _generated_rows():
            names = row.names
            if any(n in self._names for n in names):
                continue
            if row.kind == "person":
                person = Person(row.id, row.name, None, row.roles)
                entry = Entry("person", person=person)
            else:
                entity = Entity(row.id, row.name, row.country, row.org, list(row.sector), row.kind)
                entry = Entry("named", entity)
            for name in names:
                self._add(name, entry)

    def _load_places(self) -> None:
        """Towns and regions (data/petrarch/places.tsv) under names no other table takes."""
        histories: dict[str, Counter[tuple[tuple[str, date | None, date | None], ...]]] = {}
        for name, place in _generated_places():
            if len(place.spells) > 1:
                histories.setdefault(place.spells[-1][0], Counter())[place.spells] += 1
            if name not in self._names:
                self._add(name, Entry("place", place.entity_on(date.today()), place=place))
        for country, counts in histories.items():
            self.formerly[country] = Place(country, counts.most_common(1)[0][0])

    def state_on(self, entity: Entity, on: date) -> Entity:
        """A country's capital or state as of a date: before independence, the state it was part of
        ("Juba" in 2000 is Sudan's)."""
        history = self.formerly.get(entity.country or "")
        if history is None or entity.kind not in ("state", "institution") or entity.org:
            return entity
        then = history.country_on(on)
        return self.states.get(then, entity) if then != entity.country else entity

    def _load_agents(self) -> None:
        data = _yaml("agents.yaml")
        self.modifiers = list(data["modifiers"])
        self.anaphora = {k.lower(): v for k, v in data["anaphora"].items()}
        self.locatives = set(data["locatives"])
        for item in data["roles"]:
            noun = RoleNoun(item["forms"][0].lower(), tuple(item["sector"]), item["kind"],
                            tuple(item.get("office", ())), bool(item.get("gov_title")),
                            bool(item.get("relational")), bool(item.get("named")))
            for form in item["forms"]:
                key = form if any(c.isupper() for c in form) else form.lower()
                self.roles.setdefault(key, noun)

    def _compile(self) -> None:
        names = sorted(self._names, key=len, reverse=True)
        self.name_re = re.compile(r"(?<![\w.])(?:" + _trie_regex(names) + r")(?![\w])")
        lower = [f for f in self.roles if f == f.lower()]
        exact = [f for f in self.roles if f != f.lower()]
        mods = "|".join(re.escape(m) for m in sorted(self.modifiers, key=len, reverse=True))
        self.role_re = re.compile(
            rf"(?<![\w])(?P<mods>(?:(?i:{mods})\s+)*)"
            rf"(?P<role>(?i:{_trie_regex(lower)})|{_trie_regex(exact)})(?![\w])"
        )
        self.anaphor_re = re.compile(
            r"(?<![\w])(?i:" + _trie_regex(sorted(self.anaphora, key=len, reverse=True)) + r")(?![\w])"
        )

    # ------------------------------------------------------------------ queries

    def role_of(self, form: str) -> RoleNoun | None:
        """The role noun for a matched form (case-insensitive unless written with capitals)."""
        form = " ".join(form.split())
        return self.roles.get(form) or self.roles.get(form.lower())

    def holder(self, office: str, country: str | None, on: date) -> Person | None:
        """Who held ``office`` for ``country`` on ``on`` according to the dictionary."""
        return next((p for p in self.people if p.holds(office, country, on)), None)

    def country_of_place(self, place: str | None) -> str | None:
        """The ISO alpha-3 of a dateline place ("Kyiv", "Kyiv, Ukraine"), or None."""
        if not place:
            return None
        for match in self.name_re.finditer(place):
            entry = self.entries[match.group(0)]
            if entry.kind in ("state", "adjective", "capital", "place") and entry.entity is not None:
                return entry.entity.country
        return None

    def lookup(self, text: str, on: date | None = None) -> Entity | None:
        """The entity of a single name or phrase ("the US", "European countries", "Zelenskyy").

        Args:
            text: the words to resolve.
            on: the date roles are resolved at (None: today).
        """
        return _lookup_cached(self, text.strip(), on or date.today())


@lru_cache(maxsize=4096)
def _lookup_cached(dictionary: ActorDictionary, text: str, on: date) -> Entity | None:
    ctx = _Context(text, on, None)
    mentions = _resolve(dictionary, ctx)
    if not mentions:
        return None
    best = max(mentions, key=lambda m: m.end - m.start)
    return best.entity


@dataclass(frozen=True)
class _GeneratedRow:
    """One row of data/petrarch/actors.tsv (format in its header)."""

    id: str
    kind: str
    name: str
    country: str | None
    org: str | None
    sector: tuple[str, ...]
    names: tuple[str, ...]
    roles: tuple[Role, ...]


def _generated_rows() -> Iterator[_GeneratedRow]:
    lines = (ln for ln in _data_text("petrarch", "actors.tsv").splitlines() if ln and not ln.startswith("#"))
    next(lines, None)  # the column names
    for line in lines:
        cid, kind, name, country, org, sector, names, roles = line.split("\t")
        yield _GeneratedRow(cid, kind, name, country or None, org or None, tuple(filter(None, sector.split("+"))),
                            tuple(names.split(" | ")), tuple(_generated_role(r) for r in roles.split(" ; ") if r))


def _generated_places() -> Iterator[tuple[str, Place]]:
    lines = (ln for ln in _data_text("petrarch", "places.tsv").splitlines() if ln and not ln.startswith("#"))
    next(lines, None)  # the column names
    for line in lines:
        name, spells = line.split("\t")
        parsed = []
        for spell in spells.split(" ; "):
            country, start, end = spell.split(":")
            parsed.append((country, date.fromisoformat(start) if start else None,
                           date.fromisoformat(end) if end else None))
        yield name, Place(name, tuple(parsed))


def _generated_role(text: str) -> Role:
    """'PLACE:SECTORS:FROM:TO' (PLACE an ISO3 code or @ORG; empty dates are open)."""
    place, sector, start, end = text.split(":")
    country, org = (None, place[1:]) if place.startswith("@") else (place, None)
    return Role(country, org, tuple(filter(None, sector.split("+"))), (), "",
                date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None)


def _person(item: dict[str, Any]) -> Person:
    roles = tuple(
        Role(r.get("country"), r.get("org"), tuple(r.get("sector", [])), tuple(r.get("office", [])),
             r.get("title", ""), r.get("from"), r.get("to"))
        for r in item.get("roles", [])
    )
    return Person(item["id"], item["name"], item.get("gender"), roles)


# --------------------------------------------------------------------------- public API


def resolve_mentions(doc: Document, sentences: list[Sentence]) -> list[Mention]:
    """All actor mentions of a document, resolved as of its publication date.

    Args:
        doc: the cleaned document; ``published`` (None: today) dates the roles and
            ``dateline_place`` gives the country of bare government titles.
        sentences: its sentences; parsed ones add PERSON names, apposition and pronouns.
    """
    dictionary = ActorDictionary.load()
    on = doc.published or date.today()
    ctx = _Context(doc.text, on, dictionary.country_of_place(doc.dateline_place), sentences)
    ctx.persons = _parsed_persons(sentences)
    return _resolve(dictionary, ctx)


def office_spans(text: str) -> list[tuple[date | None, date | None]] | None:
    """When the text can have been written: the spans [from, to) in which every person it names
    with a title ("US Defense Secretary Lloyd Austin", not "former President X") held some role
    of the dictionary; None when it names no such person, [] when no time fits them all."""
    d = ActorDictionary.load()
    spans: list[tuple[date | None, date | None]] | None = None
    for m in d.name_re.finditer(text):
        entry = d.entries[m.group(0)]
        if entry.kind != "person" or entry.person is None or not _titled_before(d, text, m.start()):
            continue
        own = [(r.start, r.end) for r in entry.person.roles if "ELI" not in r.sector]
        if not own:
            continue
        spans = own if spans is None else [
            (_later(a0, b0), _earlier(a1, b1)) for a0, a1 in spans for b0, b1 in own
            if _later(a0, b0) is None or _earlier(a1, b1) is None or _later(a0, b0) < _earlier(a1, b1)]  # type: ignore[operator]
    return spans


def _titled_before(d: ActorDictionary, text: str, start: int) -> bool:
    """A title right before a name ("Defense Secretary Lloyd Austin"), not a former one."""
    before = text[max(0, start - 60):start]
    m = re.search(r"([A-Za-z][\w\-]*(?:\s+[A-Za-z][\w\-]*){0,3})\s+$", before)
    if m is None:
        return False
    words = m.group(1).split()
    for i in range(len(words)):
        role = d.role_of(" ".join(words[i:]))
        if role is not None and role.named:
            mods = {w.lower() for w in words[:i]}
            return not (mods & (_NOT_HOLDER | {"ex", "late"})) and not _former_before(before, m.start(1) + 1)
    return False


def _later(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def entity_at(mentions: list[Mention], start: int, end: int) -> list[Mention]:
    """The mentions overlapping the character range [start, end)."""
    return [m for m in mentions if m.start < end and start < m.end]


# --------------------------------------------------------------------------- resolution


def _resolve(d: ActorDictionary, ctx: _Context) -> list[Mention]:
    # "ethnic Albanians", "an anti-Syria journalist", "pro-Russian forces": not the state
    hits = [h for h in _name_hits(d, ctx.text)
            if not (h.entry.kind in ("state", "adjective", "capital", "place") and _attitude_before(ctx.text, h.start))]
    cands = [c for h in hits if (c := _hit_candidate(d, ctx, h))]
    cands += _compositions(d, ctx, hits)
    cands += _anaphor_candidates(d, ctx.text)
    # a feature ("the Indian Ocean") takes its span from the names inside it, then is dropped
    chosen = [c for c in _select(cands) if c.how != "feature"]
    mentions = _finalise(d, ctx, chosen)
    mentions = _surname_repeats(ctx, mentions)
    mentions = _pronouns(ctx, mentions)
    return sorted(mentions, key=lambda m: m.start)


def _attitude_before(text: str, end: int) -> bool:
    """Whether ``_ATTITUDE`` matches ending at ``end``; searched from just before the whitespace
    that precedes ``end`` (a match starts there at the earliest), not from the start of the text."""
    start = end
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return _ATTITUDE.search(text, max(0, start - 8), end) is not None


_WORD_START = re.compile(r"(?<=\s)\S")


def _name_hits(d: ActorDictionary, text: str) -> list[_Hit]:
    """Every dictionary name in ``text``, including a longer one that starts inside another
    ("the Ukraine Support Tracker": "the Ukraine" and "Ukraine Support Tracker"); selection
    later keeps the longest."""
    hits = []
    for m in d.name_re.finditer(text):
        hits.append(_Hit(m.start(), m.end(), d.entries[m.group(0)]))
        for inner in _WORD_START.finditer(text, m.start() + 1, m.end()):
            longer = d.name_re.match(text, inner.start())
            if longer is not None and longer.end() > m.end():
                hits.append(_Hit(longer.start(), longer.end(), d.entries[longer.group(0)]))
    return hits


def _with_the(text: str, start: int) -> int:
    """Extend a span leftwards over a preceding "the"."""
    m = _THE.search(text[max(0, start - 6):start])
    return start - len(m.group(1)) if m else start


def _is_place(d: ActorDictionary, text: str, start: int) -> bool:
    """True when the word before ``start`` is locative ("in Kyiv", "a visit to Kyiv")."""
    before = text[max(0, start - 20):start].split()
    return bool(before) and before[-1].lower() in d.locatives


def _hit_candidate(d: ActorDictionary, ctx: _Context, hit: _Hit) -> _Cand | None:
    entry = hit.entry
    if entry.kind == "region_adj":
        return None
    if entry.kind == "feature":
        return _Cand(hit.start, hit.end, "feature", 0)
    if entry.kind in ("person", "surname") and entry.person is not None:
        return _Cand(hit.start, hit.end, "dictionary", 1, entry.person.entity_on(ctx.on),
                     person=entry.person, surname=entry.kind == "surname")
    if entry.place is not None:
        return _Cand(hit.start, hit.end, "place", 2, entry.place.entity_on(ctx.on))
    assert entry.entity is not None
    start = _with_the(ctx.text, hit.start)
    if entry.metonym and _is_place(d, ctx.text, start):
        # "a visit to Kyiv" is a place: the country, not its government
        state = d.states.get(entry.entity.country or "") if entry.kind == "capital" else None
        return _Cand(start, hit.end, "dictionary", 2, d.state_on(state or entry.entity, ctx.on))
    how = "metonym" if entry.metonym else "dictionary"
    entity = d.state_on(entry.entity, ctx.on) if entry.kind == "capital" else entry.entity
    return _Cand(start, hit.end, how, 2, entity)


# ------------------------------------------------------------------ composition


def _compositions(d: ActorDictionary, ctx: _Context, hits: list[_Hit]) -> list[_Cand]:
    hits = [h for h in hits if h.entry.kind != "feature"]  # "Persian Gulf states" are no Persians
    ends = {h.end: h for h in hits}
    starts = {h.start: h for h in hits}
    out: list[_Cand] = []
    for m in d.role_re.finditer(ctx.text):
        role = d.role_of(m.group("role"))
        if role is None:
            continue
        mods = tuple(x.lower() for x in m.group("mods").split())
        left = _left_of(ctx.text, m.start(), ends)
        if _former_before(ctx.text, left.start if left else m.start()):
            mods = (*mods, "former")  # "former Ukrainian Prime Minister X"
        out.extend(_compose(d, ctx, _RoleHit(m.start(), m.end(), role, mods), left, starts))
    return out


def _former_before(text: str, pos: int) -> bool:
    return bool(_FORMER.search(text[max(0, pos - 12):pos]))


def _left_of(text: str, start: int, ends: dict[int, _Hit]) -> _Hit | None:
    """The gazetteer hit right before a role noun ("Ukraine's", "German", "Kremlin")."""
    for end in range(start - 1, start - 5, -1):
        hit = ends.get(end)
        if hit is not None and _POSSESSIVE.fullmatch(text[end:start]):
            return hit
    return None


def _compose(d: ActorDictionary, ctx: _Context, rh: _RoleHit, left: _Hit | None,
             starts: dict[int, _Hit]) -> list[_Cand]:
    """Candidates for one role noun: a titled person, an apposed person, or a group."""
    owner = _owner(d, ctx, rh, left)
    start = _span_start(ctx.text, rh, left)
    name = _name_after(ctx, rh.end, starts) if rh.role.named else None
    if name is not None:
        return _titled_person(ctx, rh, owner, name, start)
    if owner is None:
        return _bare_office(ctx, rh, start)
    group = _group_candidate(d, rh, owner, start)
    appos = _apposed_name_before(ctx, start, starts) if rh.role.named else None
    if appos is not None and group.office is None:
        person = _person_from_title(ctx, rh, owner, appos)
        return [person, replace(person, start=start, end=rh.end, name_span=None)]
    return [group]


def _bare_office(ctx: _Context, rh: _RoleHit, start: int) -> list[_Cand]:
    """ "the president" with no nationality: the last person named who holds that office; "the
    minister" (a title of no particular office): the last official named, else the dateline's
    government."""
    if start == rh.start or _NOT_HOLDER & set(rh.modifiers):
        return []
    if rh.role.office:
        return [_Cand(start, rh.end, "coreference", 3, None, office=(rh.role.office[0], None))]
    if rh.role.gov_title and _definite_lower(ctx.text, rh):
        return [_Cand(start, rh.end, "coreference", 3, None, office=(ANY_OFFICIAL, ctx.dateline))]
    return []


def _span_start(text: str, rh: _RoleHit, left: _Hit | None) -> int:
    return _with_the(text, left.start if left else rh.start)


@dataclass(frozen=True)
class _Owner:
    """Whose role it is: country or org plus sectors inherited from an institution."""

    country: str | None
    org: str | None
    sector: tuple[str, ...] = ()
    region: Entity | None = None


def _owner(d: ActorDictionary, ctx: _Context, rh: _RoleHit, left: _Hit | None) -> _Owner | None:
    if left is not None:
        return _owner_from_hit(ctx, rh, left)
    after = re.match(r"\s+of\s+(?:the\s+)?", ctx.text[rh.end:rh.end + 12])
    if after:
        hit = next((h for h in _name_hits(d, ctx.text[rh.end + after.end():rh.end + after.end() + 60])
                    if h.start == 0), None)
        if hit is not None and hit.entry.kind in ("state", "capital", "named", "place"):
            return _owner_from_hit(ctx, rh, hit)
    if rh.role.gov_title and ctx.dateline and _titled(ctx.text, rh) and not _definite_lower(ctx.text, rh):
        return _Owner(ctx.dateline, None)
    return None


def _definite_lower(text: str, rh: _RoleHit) -> bool:
    """"the minister said": a definite, lower-case title points back to someone already named."""
    return text[rh.start].islower() and bool(_THE.search(text, 0, rh.start))


def _titled(text: str, rh: _RoleHit) -> bool:
    """A bare title counts when capitalised or definite ("the Defense Ministry")."""
    return text[rh.start].isupper() or bool(_THE.search(text, 0, rh.start))


def _owner_from_hit(ctx: _Context, rh: _RoleHit, hit: _Hit) -> _Owner | None:
    """The owner named by the hit before a role ("Ukraine's", "Kremlin", "Macron's")."""
    entry = hit.entry
    if entry.kind in ("region", "region_adj") and entry.entity is not None:
        return _Owner(None, entry.entity.org, region=entry.entity)
    if (rh.role.relational or _relational_after(ctx.text, rh.end)) and not (entry.entity and entry.entity.kind == "igo"):
        return None  # "Ukraine's allies", "US partners", "Israel's militia ally" are other parties
    if rh.role.relational and ctx.text[rh.start:rh.end].lower().split()[-1] in _ONE_MEMBER:
        return None  # "NATO allies" act as NATO; "the first NATO member to send jets" is one state of it
    if entry.person is not None:
        who = entry.person.entity_on(ctx.on)
        return _Owner(who.country, who.org, tuple(s for s in who.sector if s in ("GOV", "BUS", "IGO")))
    ent = entry.place.entity_on(ctx.on) if entry.place is not None else entry.entity
    if ent is None:
        return None
    inherited = tuple(s for s in ent.sector if s != "IGO") if ent.kind in ("institution", "company", "igo") else ()
    return _Owner(ent.country, ent.org, inherited)


def _relational_after(text: str, end: int) -> bool:
    """A role noun followed by a relational one ("Israel's militia ally", "Iran's proxy forces"
    is not; "militia ally" is)."""
    m = re.match(r"\s+([a-z]+)\b", text[end:end + 30])
    if m is None:
        return False
    role = ActorDictionary.load().role_of(m.group(1))
    return role is not None and role.relational and role.kind == "group" and m.group(1) not in _GROUP_HEADS


# Relational words that head a group named by what precedes them ("allied countries" are).
_GROUP_HEADS = frozenset(grammar_words("group_heads"))
# Singular relational nouns after an organisation: one of its members, not the organisation.
_ONE_MEMBER = frozenset(grammar_words("one_member"))


def _sectors(rh: _RoleHit, owner: _Owner) -> list[str]:
    if "former" in rh.modifiers:
        return ["ELI"]
    out: list[str] = []
    for s in (*rh.role.sector, *owner.sector):
        if s not in out:
            out.append(s)
    return out


def _group_candidate(d: ActorDictionary, rh: _RoleHit, owner: _Owner, start: int) -> _Cand:
    """A role without a name: an office holder (looked up later) or a group/institution."""
    if owner.region is not None and (rh.role.relational or not rh.role.sector):
        return _Cand(start, rh.end, "composition", 3, owner.region)
    office = rh.role.office[0] if rh.role.office and not _NOT_HOLDER & set(rh.modifiers) else None
    entity = _group_entity(d, rh, owner)
    cand = _Cand(start, rh.end, "composition", 3, entity)
    if office and owner.country:
        cand.office = (office, owner.country)
    return cand


def _group_entity(d: ActorDictionary, rh: _RoleHit, owner: _Owner) -> Entity:
    code = owner.country or owner.org or ""
    sectors = _sectors(rh, owner)
    if rh.role.relational:
        return Entity(f"{code}-MEMBERS", f"{code} members", owner.country, owner.org, [], "group")
    ent_id = "-".join([code, *sorted(sectors)]) if sectors else f"{code}-{_slug(rh.role.canonical)}"
    state = d.states.get(owner.country or "")
    label = state.name if state else code
    kind = "group" if rh.role.kind == "person" else rh.role.kind
    return Entity(ent_id, f"{label} {rh.role.canonical}", owner.country, owner.org, sectors, kind)


def _titled_person(ctx: _Context, rh: _RoleHit, owner: _Owner | None,
                   name: tuple[int, int, Person | None], start: int) -> list[_Cand]:
    """A title then a name: one mention ("Foreign Minister Johann Wadephul"), or two when a
    comma sets the name apart ("the US chargé d'affaires, John Hinkel")."""
    ns, ne, person = name
    comma = "," in ctx.text[rh.end:ns]
    if person is not None:
        cand = _Cand(start, ne, "dictionary", 0, person.entity_on(ctx.on), person=person)
    else:
        cand = _person_from_title(ctx, rh, owner or _Owner(None, None), (ns, ne))
        cand.start = start
    if not comma:
        return [cand]
    title = replace(cand, end=rh.end, how="composition", name_span=None, person=None)
    return [title, replace(cand, start=ns)]


def _person_from_title(ctx: _Context, rh: _RoleHit, owner: _Owner, name: tuple[int, int]) -> _Cand:
    """A person not in the dictionary, coded from the title next to the name."""
    ns, ne = name
    full = " ".join(ctx.text[ns:ne].split())
    entity = Entity(f"person:{_slug(full)}", full, owner.country, owner.org, _sectors(rh, owner), "person")
    return _Cand(ns, ne, "composition", 0, entity, name_span=(ns, ne))


# ------------------------------------------------------------------ names


_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")


def _name_after(ctx: _Context, pos: int, starts: dict[int, _Hit]) -> tuple[int, int, Person | None] | None:
    """A person's name right after a title: "Minister Johann Wadephul", "d'affaires, John Hinkel,"."""
    gap = re.match(r"(,)?\s+", ctx.text[pos:pos + 3])
    if not gap:
        return None
    start = pos + gap.end()
    hit = starts.get(start)
    if hit is not None and hit.entry.kind in ("person", "surname"):
        return start, hit.end, hit.entry.person
    if hit is not None:
        return None
    span = _person_span_at(ctx, start) or _capitalised_name(ctx.text, start)
    if span is None:
        return None
    if gap.group(1) and not _closes_apposition(ctx.text, span[1]):
        return None
    return span[0], span[1], None


def _person_span_at(ctx: _Context, start: int) -> tuple[int, int] | None:
    """The end of a parsed PERSON entity covering ``start`` (spaCy sometimes adds the title)."""
    return next(((start, e) for s, e in ctx.persons if s <= start < e), None)


def _capitalised_name(text: str, start: int) -> tuple[int, int] | None:
    """Two to four capitalised words (particles allowed), the fallback for unparsed text."""
    words: list[re.Match[str]] = []
    pos = start
    while len(words) < 5:
        m = _WORD.match(text, pos)
        if not m:
            break
        word = m.group(0).rstrip(".")
        if not (word[:1].isupper() or word in _PARTICLES) or word in _NOT_NAMES:
            break
        words.append(m)
        gap = re.match(r" +", text[m.end():m.end() + 2])
        if not gap:
            break
        pos = m.end() + gap.end()
    while words and words[-1].group(0) in _PARTICLES:
        words.pop()
    if len(words) < 2:
        return None
    end = words[-1].end()
    end -= len(words[-1].group(0)) - len(words[-1].group(0).rstrip("."))
    return start, _strip_possessive(text, start, end)


def _strip_possessive(text: str, start: int, end: int) -> int:
    for suffix in ("'s", "’s"):
        if text[start:end].endswith(suffix):
            return end - len(suffix)
    return end


def _closes_apposition(text: str, end: int) -> bool:
    return end >= len(text) or text[end] in ",.;:)"


def _apposed_name_before(ctx: _Context, title_start: int, starts: dict[int, _Hit]) -> tuple[int, int] | None:
    """ "John Hinkel, the US chargé d'affaires": a name not in the dictionary, a comma, the title."""
    window = max(0, title_start - 6)
    m = re.search(r",\s+(?:an?\s+)?$", ctx.text[window:title_start])
    if not m:
        return None
    comma = window + m.start()
    span = next(((s, e) for s, e in ctx.persons if e == comma), None) or _name_ending_at(ctx.text, comma)
    if span is None or span[0] in starts:
        return None
    return span


def _name_ending_at(text: str, comma: int) -> tuple[int, int] | None:
    """Two to four capitalised words ending at ``comma``."""
    back = re.search(r"((?:[A-Z][\w'’\-]+ ){1,3}[A-Z][\w'’\-]+)$", text[max(0, comma - 60):comma])
    if back is None:
        return None
    start = comma - len(back.group(1))
    if text[start:comma].split()[0] in _NOT_NAMES:
        return None
    return start, comma


def _parsed_persons(sentences: list[Sentence]) -> list[tuple[int, int]]:
    """Candidate personal names of parsed sentences, as document offsets: runs of two or more
    proper-noun tokens (the tagger's PROPN; the pipeline runs without its NER component, which
    would double the parse time for this one use)."""
    out: list[tuple[int, int]] = []
    for s in sentences:
        if s.parse is None:
            continue
        run: list[Any] = []
        for tok in [*s.parse, None]:
            if tok is not None and tok.pos_ == "PROPN" and tok.text[:1].isupper():
                run.append(tok)
                continue
            if len(run) >= 2:
                out.append((s.start + run[0].idx, s.start + run[-1].idx + len(run[-1].text)))
            run = []
    return out


# ------------------------------------------------------------------ anaphora and selection


def _anaphor_candidates(d: ActorDictionary, text: str) -> list[_Cand]:
    return [_Cand(m.start(), m.end(), "coreference", 1, anaphor=d.anaphora[m.group(0).lower()])
            for m in d.anaphor_re.finditer(text)]


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest match wins; at equal length the lower rank (dictionary) wins."""
    taken: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, c.rank, c.start)):
        if all(c.end <= t.start or t.end <= c.start for t in taken):
            taken.append(c)
    return sorted(taken, key=lambda c: c.start)


def _finalise(d: ActorDictionary, ctx: _Context, chosen: list[_Cand]) -> list[Mention]:
    """Resolve office titles and anaphora in text order, against what came before."""
    out: list[Mention] = []
    for c in chosen:
        entity, how = c.entity, c.how
        if c.anaphor is not None and "last_states" in c.anaphor:
            # "the two countries", "both nations": the last two countries named, one mention each
            for state in _last_states(out, int(c.anaphor["last_states"])):
                out.append(Mention(c.start, c.end, ctx.text[c.start:c.end], state, "coreference"))
            continue
        if c.anaphor is not None:
            entity = _anaphor_entity(d, c.anaphor, out)
        elif c.office is not None:
            entity, how = _office_entity(d, ctx, c, out)
        elif c.surname and c.person is not None and _seen(out, c.person.id):
            how = "coreference"
        if entity is not None:
            out.append(Mention(c.start, c.end, ctx.text[c.start:c.end], replace(entity, sector=list(entity.sector)), how))
    return out


def _seen(mentions: list[Mention], entity_id: str | None) -> bool:
    return any(m.entity.id == entity_id for m in mentions)


def _last_states(before: list[Mention], n: int) -> list[Entity]:
    """The last ``n`` different countries named (as states or their people and institutions)."""
    found: dict[str, Entity] = {}
    for m in reversed(before):
        country = m.entity.country
        if country and not m.entity.org and country not in found:
            found[country] = Entity(country, country, country, None, [], "state")
            if len(found) == n:
                break
    return list(found.values()) if len(found) == n else []


def _anaphor_entity(d: ActorDictionary, spec: dict[str, str], before: list[Mention]) -> Entity | None:
    if "id" in spec:
        return d.by_id.get(spec["id"])
    kind = spec.get("last_kind")
    return next((m.entity for m in reversed(before) if m.entity.kind == kind), None)


def _office_entity(d: ActorDictionary, ctx: _Context, c: _Cand, before: list[Mention]) -> tuple[Entity | None, str]:
    """ "the French leader": a person already named who holds the office, else the dictionary holder."""
    office, country = c.office or ("", None)
    if office == ANY_OFFICIAL:
        return _last_official(d, ctx, c, before)
    offices = ("head_of_state", "head_of_government", "leader") if office == "leader" else (office,)
    for m in reversed(before):
        person = _person_by_id(d, m.entity.id)
        if person is not None and any(person.holds(o, country, ctx.on) for o in offices):
            return person.entity_on(ctx.on), "coreference"
    if country is None:
        return None, c.how
    holder = next((p for o in offices if (p := d.holder(o, country, ctx.on))), None)
    if holder is not None:
        return holder.entity_on(ctx.on), "composition"
    return c.entity, c.how


# A bare title with no office of its own ("the minister"): any official.
ANY_OFFICIAL = "*"


def _last_official(d: ActorDictionary, ctx: _Context, c: _Cand, before: list[Mention]) -> tuple[Entity | None, str]:
    """The last person named who held a government post then; else the dateline's government."""
    for m in reversed(before):
        if m.entity.kind == "person" and "GOV" in m.entity.sector:
            return m.entity, "coreference"
    country = c.office[1] if c.office else None
    if country is None:
        return None, c.how
    state = d.states.get(country)
    name = state.name if state else country
    return Entity(f"{country}-GOV", f"{name} government official", country, None, ["GOV"], "person"), "composition"


@lru_cache(maxsize=1)
def _people_index(d: ActorDictionary) -> dict[str, Person]:
    return {p.id: p for p in d.people}


def _person_by_id(d: ActorDictionary, entity_id: str | None) -> Person | None:
    return _people_index(d).get(entity_id or "")


# ------------------------------------------------------------------ coreference-lite


def _surname_repeats(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """"Betsa said" after "Deputy Foreign Minister Maryana Betsa": composed people's surnames."""
    out = list(mentions)
    for m in mentions:
        if m.how != "composition" or m.entity.kind != "person" or not m.entity.name:
            continue
        words = m.entity.name.split()
        if len(words) < 2:
            continue
        pattern = rf"(?<![\w])(?:{re.escape(m.entity.name)}|{re.escape(words[-1])})(?![\w])"
        for again in re.finditer(pattern, ctx.text[m.end:]):
            s, e = m.end + again.start(), m.end + again.end()
            if not entity_at(out, s, e):
                out.append(Mention(s, e, ctx.text[s:e], replace(m.entity, sector=list(m.entity.sector)), "coreference"))
    return sorted(out, key=lambda x: x.start)


_PRONOUN_GENDER = {"he": "m", "she": "f"}


def _pronouns(ctx: _Context, mentions: list[Mention]) -> list[Mention]:
    """ "He/she" as subject right after a sentence whose subject is a resolved person."""
    out = list(mentions)
    for prev, sent in zip(ctx.sentences, ctx.sentences[1:], strict=False):
        if sent.parse is None:
            continue
        antecedent = _subject_person(prev, mentions)
        if antecedent is None:
            continue
        for tok in sent.parse:
            gender = _PRONOUN_GENDER.get(tok.lower_)
            if gender and tok.dep_ in ("nsubj", "nsubjpass") and _gender_ok(antecedent, gender):
                s = sent.start + tok.idx
                out.append(Mention(s, s + len(tok.text), tok.text,
                                   replace(antecedent.entity, sector=list(antecedent.entity.sector)), "coreference"))
    return sorted(out, key=lambda x: x.start)


def _subject_person(sent: Sentence, mentions: list[Mention]) -> Mention | None:
    inside = [m for m in mentions if sent.start <= m.start < sent.end and m.entity.kind == "person"]
    if not inside:
        return None
    if sent.parse is None:
        return inside[0] if len(inside) == 1 else None
    for tok in sent.parse:
        if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT":
            s = sent.start + tok.idx
            hit = entity_at(inside, s, s + len(tok.text))
            if hit:
                return hit[0]
    return None


def _gender_ok(mention: Mention, gender: str) -> bool:
    person = _person_by_id(ActorDictionary.load(), mention.entity.id)
    return person is None or person.gender in (None, gender)
