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
