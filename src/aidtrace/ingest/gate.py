"""Regular expressions with a cheap pre-check: the characters every match must contain.

Requires: a compiled pattern. Assigns: nothing; ``GatedPattern`` answers ``search``,
``finditer`` and ``sub`` exactly as the pattern does, but skips the regular-expression engine
on a text that lacks a character every match needs: the cleaner's caption and credit rules
are tried on every paragraph of every story, and most of them need a slash or a bracket that
almost no paragraph holds ("REUTERS/Jane Doe", "(Getty Images)").

The required characters are read from the pattern's parse tree: the literal characters of its
top-level sequence, of the groups in it, and of repeats that must occur at least once; never
those of alternatives, classes or look-arounds, and, where the pattern ignores case, only the
characters that have no case. A pattern the parser does not read gets no pre-check.

``PrefixGate`` does the same for many patterns tried on one text (the item taxonomy's, on
every candidate sentence): it reads from the parse tree the literal prefixes that every match
starts with ("nig" for "night vision") and runs the pattern only where one of them occurs in
the text's lower case (looked up among the text's character trigrams).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_IGNORECASE = re.IGNORECASE.value


def required_chars(pattern: re.Pattern[str]) -> frozenset[str]:
    """The characters that every match of ``pattern`` contains (a subset of them: possibly none).

    Args:
        pattern: a compiled ``str`` pattern.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]  # what ``re`` itself compiles with (3.11+)

        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - another Python's internals: no pre-check, same results
        return frozenset()
    found: set[str] = set()
    _collect(list(tree), bool(pattern.flags & _IGNORECASE), found)
    return frozenset(found)


def _collect(items: list[tuple[Any, Any]], ignorecase: bool, found: set[str]) -> None:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            char = chr(arg)
            if not ignorecase or _caseless(char):
                found.add(char)
        elif name == "SUBPATTERN":
            _group, add, remove, sub = arg
            _collect(list(sub), (ignorecase or bool(add & _IGNORECASE)) and not remove & _IGNORECASE, found)
        elif name == "ATOMIC_GROUP":
            _collect(list(arg), ignorecase, found)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            _collect(list(arg[2]), ignorecase, found)
        # alternatives, classes, anchors, look-arounds, back-references: nothing certain


def _caseless(char: str) -> bool:
    return char.lower() == char == char.upper() == char.casefold()


class GatedPattern:
    """A compiled pattern that is not run on texts lacking a character its matches all need.

    Args:
        pattern: a compiled ``str`` pattern.
    """

    __slots__ = ("pattern", "needs")

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.needs = tuple(sorted(required_chars(pattern)))

    def possible(self, text: str) -> bool:
        """False when ``text`` cannot hold a match (it lacks a required character)."""
        # a loop, not all(): this runs for every sentence of every story (a generator costs more)
        for char in self.needs:  # noqa: SIM110
            if char not in text:
                return False
        return True

    def search(self, text: str) -> re.Match[str] | None:
        """``pattern.search(text)``."""
        return self.pattern.search(text) if self.possible(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``."""
        return self.pattern.finditer(text) if self.possible(text) else iter(())

    def sub(self, repl: str, text: str) -> str:
        """``pattern.sub(repl, text)``."""
        return self.pattern.sub(repl, text) if self.possible(text) else text

    def __repr__(self) -> str:
        return f"GatedPattern({self.pattern.pattern!r}, needs={''.join(self.needs)!r})"


# ---------------------------------------------------------------------- literal prefixes

# Characters that a case-insensitive pattern may match through something other than their
# lower case: the non-ASCII members of ``re``'s extra case equivalences ("ſ" matches "s", "ı"
# matches "i") and "İ", whose lower case is two characters. A text holding one is searched
# without the pre-check; a pattern naming one gets none. Between the other characters, a
# match implies equal lower cases, so a match's prefix is in the text's lower case.
try:
    from re import _casefix  # type: ignore[attr-defined]

    _SPECIAL_CASES: frozenset[str] | None = frozenset(
        chr(c) for k, v in _casefix._EXTRA_CASES.items() for c in (k, *v) if c > 127) | {"\u0130"}
except Exception:  # noqa: BLE001 - another Python's internals: treat every non-ASCII text as special
    _SPECIAL_CASES = None
GRAM = 3  # characters of the prefixes looked up in a text's character n-grams
_MAX_PREFIXES = 256


def literal_prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case strings, one of which starts every match of ``pattern`` (each at most ``GRAM``
    characters), or None when some match may start otherwise (a class, an optional part, a
    wildcard): "(?i:night\\s+vision|drones?)" gives {"nig", "dro"}.

    Args:
        pattern: a compiled ``str`` pattern.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern.pattern, pattern.flags)
        found, _ = _prefixes(list(tree))
    except Exception:  # noqa: BLE001 - another Python's internals, or a shape not read: no pre-check
        return None
    if found is None or "" in found:
        return None
    return frozenset(found)


def _prefixes(items: list[tuple[Any, Any]]) -> tuple[set[str] | None, bool]:
    """The prefixes of a sequence, and whether they are whole (the sequence matches exactly
    these strings, so what follows it extends them)."""
    current = {""}
    for op, arg in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "AT"):
            continue  # zero width
        alternatives, whole = _item_prefixes(name, arg)
        if alternatives is None:
            return current, False
        current = {(p + a)[:GRAM] for p in current for a in alternatives}
        if len(current) > _MAX_PREFIXES:
            return None, False
        if not whole or all(len(p) >= GRAM for p in current):
            return current, False
    return current, True


def _item_prefixes(name: str, arg: Any) -> tuple[set[str] | None, bool]:
    """The prefixes of one item of a sequence (None: unknown), and whether they are whole."""
    if name == "LITERAL":
        char = chr(arg)
        return ({char.lower()}, True) if _plain(char) else (None, False)
    if name == "SUBPATTERN":
        return _prefixes(list(arg[3]))
    if name == "BRANCH":
        out: set[str] = set()
        whole = True
        for branch in arg[1]:
            got, branch_whole = _prefixes(list(branch))
            if got is None:
                return None, False
            out |= got
            whole = whole and branch_whole
        return out, whole
    if name == "IN" and len(arg) <= 16 and all(str(op) == "LITERAL" for op, _ in arg):
        chars = {chr(c) for _, c in arg}
        return ({c.lower() for c in chars}, True) if all(_plain(c) for c in chars) else (None, False)
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
        got, _ = _prefixes(list(arg[2]))
        return got, False  # its first occurrence starts like this; how many follow is open
    return None, False


def _plain(char: str) -> bool:
    """A pattern character matched only by characters with the same lower case."""
    return char.isascii() or (_SPECIAL_CASES is not None and char not in _SPECIAL_CASES and len(char.lower()) == 1)


class LoweredText:
    """A text prepared for ``PrefixGate.possible``: its lower case and character n-grams."""

    __slots__ = ("lower", "grams", "exact")

    def __init__(self, text: str):
        # exact: every character a pattern could match shows in the lower case (no special cases)
        self.exact = text.isascii() or (_SPECIAL_CASES is not None and _SPECIAL_CASES.isdisjoint(text))
        self.lower = text.lower()
        low = self.lower
        self.grams = frozenset(low[i:i + GRAM] for i in range(len(low) - GRAM + 1)) if self.exact else frozenset()


class PrefixGate:
    """A compiled pattern that is not run on texts where none of its literal prefixes occurs.

    ``possible`` is a pre-check only: where it says True the pattern runs as usual. Built for
    many patterns tried on one text (``LoweredText`` made once per text): the item taxonomy's
    149 regular expressions on every sentence that may report an event.

    Args:
        pattern: a compiled ``str`` pattern.
    """

    __slots__ = ("pattern", "grams", "short")

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        prefixes = literal_prefixes(pattern)
        self.grams = frozenset(p for p in prefixes if len(p) == GRAM) if prefixes is not None else None
        self.short = tuple(sorted(p for p in prefixes if len(p) < GRAM)) if prefixes is not None else ()

    def possible(self, text: LoweredText) -> bool:
        """False when no match can start in the text (none of the prefixes occurs in it)."""
        if self.grams is None or not text.exact:
            return True
        if not self.grams.isdisjoint(text.grams):
            return True
        for prefix in self.short:  # noqa: SIM110 - a loop: cheaper than any() on every sentence
            if prefix in text.lower:
                return True
        return False

    def finditer(self, text: str, lowered: LoweredText | None) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text)``; ``lowered`` is ``LoweredText(text)``, or None to search
        without the pre-check."""
        return self.pattern.finditer(text) if lowered is None or self.possible(lowered) else iter(())

    def __eq__(self, other: object) -> bool:  # compiled taxonomies compare equal after the cache
        return isinstance(other, PrefixGate) and (self.pattern, self.grams, self.short) == (
            other.pattern, other.grams, other.short)

    def __hash__(self) -> int:
        return hash((self.pattern, self.grams, self.short))

    def __repr__(self) -> str:
        shown = None if self.grams is None else sorted([*self.grams, *self.short])
        return f"PrefixGate({self.pattern.pattern[:60]!r}, prefixes={shown!r})"
