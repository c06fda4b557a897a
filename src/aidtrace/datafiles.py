"""Packaged data files (dictionaries, lexicons, taxonomies under ``aidtrace/data``): one reader.

A malformed file is a bug in aidtrace's own data, reported as ``DataFileError`` naming it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import DataFileError

# libyaml's loader parses the larger dictionaries (people_historical.yaml) about 5x faster;
# fall back to the pure-Python one where PyYAML was built without it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_text(*parts: str) -> str:
    """Text of ``aidtrace/data/<parts>``."""
    path = "/".join(("aidtrace/data", *parts))
    try:
        return resources.files("aidtrace").joinpath("data", *parts).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataFileError(path, f"cannot read ({err})") from err


def load_yaml(*parts: str) -> Any:
    """Parsed YAML of ``aidtrace/data/<parts>``."""
    try:
        return yaml.load(read_text(*parts), Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as err:
        raise DataFileError("/".join(("aidtrace/data", *parts)), f"not valid YAML ({err})") from err


_grammar: dict[str, Any] | None = None


def _grammar_table() -> dict[str, Any]:
    global _grammar
    if _grammar is None:
        doc = load_yaml("grammar.yaml")
        if not isinstance(doc, dict):
            raise DataFileError("aidtrace/data/grammar.yaml", "expected a mapping of word lists")
        _grammar = doc
    return _grammar


def _words(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
        raise DataFileError("aidtrace/data/grammar.yaml", f"{key}: expected a list of words (quote yes/no/on/off)")
    return tuple(value)


def grammar_words(key: str) -> tuple[str, ...]:
    """The word list ``key`` of ``data/grammar.yaml``, in its order."""
    table = _grammar_table()
    if key not in table:
        raise DataFileError("aidtrace/data/grammar.yaml", f"no word list {key!r}")
    return _words(key, table[key])


def grammar_table(key: str) -> dict[str, tuple[str, ...]]:
    """The per-key word lists ``key`` of ``data/grammar.yaml`` (e.g. prepositions per event type)."""
    table = _grammar_table().get(key)
    if not isinstance(table, dict):
        raise DataFileError("aidtrace/data/grammar.yaml", f"{key}: expected a mapping of word lists")
    return {str(k): _words(f"{key}.{k}", v) for k, v in table.items()}
