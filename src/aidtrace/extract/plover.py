"""PLOVER tables: nearest CAMEO code and default aid status (data/plover.yaml)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..datafiles import load_yaml


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    table: dict[str, Any] = load_yaml("plover.yaml")
    return table


def cameo_for(etype: str, mode: str | None, context: list[str], hint: str | None = None) -> str | None:
    """The nearest CAMEO code: the most specific table row, else the trigger's own code if its
    type agrees, else the type's default."""
    specific = _table()["specific"]
    for ctx in [*context, "-"]:
        for m in (mode or "-", "-"):
            code = specific.get(f"{etype} {m} {ctx}")
            if code:
                return str(code)
    default = _table()["default"].get(etype)
    if hint and default and hint[:2] == str(default)[:2]:
        return hint
    return str(default) if default else None


def default_status(etype: str, tag: str) -> str | None:
    """Status of an aid/cooperation event whose trigger says none, from the verb's tense tag."""
    row = _table()["status"].get(etype)
    if not row:
        return None
    return row["past"] if tag in ("VBD", "VBN") else row["present"]


def governor_status(verb_lemma: str) -> str | None:
    """Status an event noun takes from the verb carrying it ("completed the delivery": delivered)."""
    value = _table().get("governor_status", {}).get(verb_lemma)
    return str(value) if value else None
