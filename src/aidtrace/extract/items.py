"""Weapon systems and equipment named in text, with their category and quantity.

requires: a string (a sentence or a clause)
assigns:  ``Item`` objects (words, category, canonical name, quantity, offsets into the string)

The taxonomy (names, generic classes, head nouns, quantity fillers) is ``data/items.yaml``.
Matching is leftmost-longest over all entries, so "Patriot air defence systems" is one
Patriot, not a Patriot plus a generic air defence system. A quantity is read from the words
right before the item ("two more Patriot batteries" -> 2, "1 million shells" -> 1e6,
"a Patriot system" -> 1); vague counts ("hundreds of drones", "dozens of") give None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..cache import cached
from ..datafiles import load_yaml
from ..errors import DataFileError
from ..ingest.gate import LoweredText, PrefixGate
from ..model import Item
from .money import NUMBER_RE, parse_number

_DATA = "items.yaml"
_EDGE_BEFORE = r"(?<![\w-])"
_EDGE_AFTER = r"(?![\w-])"
_MULTIPLIERS = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9}


@dataclass(frozen=True)
class _Entry:
    """One taxonomy entry and the regexes that find it."""

    canonical: str
    category: str
    patterns: tuple[PrefixGate, ...]  # each regex with the literal prefixes its matches start with
    needs_head: bool


@dataclass(frozen=True)
class _Taxonomy:
    entries: tuple[_Entry, ...]
    quantity: re.Pattern[str]


@lru_cache(maxsize=1)
def _taxonomy() -> _Taxonomy:
    """The compiled taxonomy, from the cache (``aidtrace.cache``) or built from items.yaml."""
    return cached("items", _build_taxonomy)


def _build_taxonomy() -> _Taxonomy:
    """Read items.yaml and compile every entry."""
    try:
        data = load_yaml(_DATA)
        categories = set(data["categories"])
        heads = "|".join(data["heads"])
        entries = tuple(_entry(spec, heads, categories) for spec in data["items"])
        quantity = _quantity_pattern(data["fillers"])
    except (KeyError, TypeError, re.error) as err:
        raise DataFileError(_DATA, f"cannot read the item taxonomy ({err})") from err
    return _Taxonomy(entries, quantity)


def _entry(spec: dict[str, Any], heads: str, categories: set[str]) -> _Entry:
    if spec["category"] not in categories:
        raise KeyError(f"{spec['canonical']}: unknown category {spec['category']!r}")
    head = rf"(?P<head>\s+(?i:{heads}){_EDGE_AFTER})?"
    sources = []
    names = [str(n) for n in spec.get("names", [])]
    names += [n.upper() for n in names if n.upper() not in names]
    if names:
        alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        sources.append(rf"{_EDGE_BEFORE}(?P<core>(?P<name>{alt})(?:s|'s)?){_EDGE_AFTER}{head}")
    if spec.get("words"):
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(spec["words"], key=len, reverse=True))
        sources.append(rf"{_EDGE_BEFORE}(?P<core>(?i:{alt})){_EDGE_AFTER}")
    for pat in spec.get("patterns", []):
        sources.append(rf"{_EDGE_BEFORE}(?P<core>{pat}){_EDGE_AFTER}{head}")
    return _Entry(str(spec["canonical"]), str(spec["category"]), tuple(PrefixGate(re.compile(s)) for s in sources),
                  bool(spec.get("needs_head")))


def _quantity_pattern(fillers: list[str]) -> re.Pattern[str]:
    """Words ending right before an item that give its count ("two more", "1 million")."""
    filler = "|".join(f"(?:{f})" for f in fillers)
    count = rf"(?P<n>{NUMBER_RE})(?:\s+(?P<mult>hundred|thousand|million|billion))?"
    vague = (r"(?P<vague>(?:(?:tens|hundreds)\s+of\s+)?(?:dozens|hundreds|thousands|millions|scores|several|many"
             r"|numerous|multiple|some|more)(?:\s+of)?)")
    unit = r"(?:(?:units|pieces|rounds|sets|batches|kits|systems|batteries|items)\s+of\s+)"
    return re.compile(rf"(?<![\w$€£¥₴.,])(?:{count}|{vague})\s+{unit}?(?:(?:{filler})\s+){{0,3}}$")


# --------------------------------------------------------------------------- finding


def find_items(text: str, *, pre_check: bool = True) -> list[Item]:
    """All weapon systems and equipment classes named in ``text``, in order.

    Args:
        text: the string searched (a sentence); ``start``/``end`` point into it.
        pre_check: skip the expressions whose literal prefixes occur nowhere in ``text`` (most
            entries' names; the same items either way, benchmarks/bench_lookups.py compares).
    """
    tax = _taxonomy()
    candidates = []
    lowered = LoweredText(text) if pre_check else None
    for order, entry in enumerate(tax.entries):
        for pattern in entry.patterns:
            for m in pattern.finditer(text, lowered):
                if entry.needs_head and m["name"] and m["name"].isalpha() and not m["head"]:
                    continue
                candidates.append((m.start(), -(m.end() - m.start()), order, m, entry))
    items: list[Item] = []
    last_end = -1
    for start, _, _, m, entry in sorted(candidates, key=lambda c: c[:3]):
        if start >= last_end:
            items.append(_item(m, entry, text, tax))
            last_end = m.end()
    return items


def _item(m: re.Match[str], entry: _Entry, text: str, tax: _Taxonomy) -> Item:
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    canonical = entry.canonical.format(**groups) if "{" in entry.canonical else entry.canonical
    return Item(text=m.group(0), category=entry.category, canonical=canonical,
                quantity=_quantity(text[max(0, m.start() - 80):m.start()], tax), start=m.start(), end=m.end())


def _quantity(before: str, tax: _Taxonomy) -> float | None:
    """The count written right before an item, or None when absent or vague."""
    m = tax.quantity.search(before)
    if m is None or m["vague"]:
        return None
    n = parse_number(m["n"])
    if n is None or _looks_like_year(m["n"], before[: m.start()]):
        return None
    return n * _MULTIPLIERS[m["mult"].lower()] if m["mult"] else n


def _looks_like_year(number: str, before: str) -> bool:
    """"in 2024 drones were...": a year before an item is not its count."""
    return bool(re.fullmatch(r"(?:19|20)\d\d", number)) and bool(
        re.search(r"\b(?:in|since|by|until|of|from|during|before|after)\s+$", before, re.IGNORECASE))
