"""The compiled cache of the packaged dictionaries (issue 12): loaded instead of rebuilt, never stale."""

from __future__ import annotations

import json
import multiprocessing
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidtrace import cache
from aidtrace.extract.actors import ActorDictionary
from aidtrace.extract.items import _build_taxonomy, find_items
from aidtrace.extract.money import _build_converter, convert


@pytest.fixture
def cache_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache directory for this test (the user's cache is left alone)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("AIDTRACE_CACHE_DIR", str(folder))
    cache.cache_dir.cache_clear()
    yield folder
    cache.cache_dir.cache_clear()


class Builder:
    """Counts its calls; builds a value holding regexes of several kinds."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, object]:
        self.calls += 1
        return {"plain": re.compile(r"(?<![\w.])(?:Kyiv|Kiev)(?![\w])"),
                "named": re.compile(r"(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>billion|million)", re.I),
                "verbose": re.compile(r"""  (?:the\s+)?   # article
                                            (?i:ministers?)  # noun""", re.VERBOSE),
                "bytes": re.compile(rb"\x00+"), "n": 3}


def test_the_second_load_comes_from_the_file(cache_in: Path) -> None:
    build = Builder()
    first = cache.cached("sample", build)
    second = cache.cached("sample", build)
    assert build.calls == 1
    assert [p.name.split("-")[0] for p in cache_in.iterdir()] == ["sample"]
    assert second == first  # compiled patterns compare equal by source and flags


def test_loaded_patterns_match_like_the_originals(cache_in: Path) -> None:
    built = Builder()()
    cache.cached("sample", Builder())
    loaded = cache.cached("sample", Builder())
    text = "In Kyiv, the Minister said 2.5 billion; Kiev.x and kyiv and MINISTERS 12 million"
    for key in ("plain", "named", "verbose"):
        pattern, original = loaded[key], built[key]
        assert isinstance(pattern, re.Pattern) and isinstance(original, re.Pattern)
        assert (pattern.pattern, pattern.flags, pattern.groupindex) == (original.pattern, original.flags,
                                                                         original.groupindex)
        assert [m.groupdict() or m.span() for m in pattern.finditer(text)] == \
               [m.groupdict() or m.span() for m in original.finditer(text)]
    assert loaded["bytes"].sub(b"-", b"a\x00\x00b") == b"a-b"


def test_a_damaged_file_is_rebuilt_and_replaced(cache_in: Path) -> None:
    build = Builder()
    cache.cached("sample", build)
    (path,) = cache_in.iterdir()
    path.write_bytes(b"not a pickle")
    assert cache.cached("sample", build)["n"] == 3 and build.calls == 2
    assert cache.cached("sample", build)["n"] == 3 and build.calls == 2


def test_off_builds_in_memory_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDTRACE_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache.cache_dir.cache_clear()
    build = Builder()
    try:
        cache.cached("sample", build)
        cache.cached("sample", build)
    finally:
        cache.cache_dir.cache_clear()
    assert build.calls == 2 and list(tmp_path.iterdir()) == []


def test_an_unusable_directory_only_means_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("AIDTRACE_CACHE_DIR", str(blocker / "cache"))  # below a file: cannot be created
    cache.cache_dir.cache_clear()
    try:
        assert cache.cached("sample", Builder())["n"] == 3
    finally:
        cache.cache_dir.cache_clear()


def test_the_fingerprint_changes_with_any_package_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "aidtrace"
    shutil.copytree(Path(cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_PACKAGE", package)
    prints = []
    for edit in (None, "data/items.yaml", "extract/actors.py"):
        if edit:
            with (package / edit).open("a", encoding="utf-8") as fh:
                fh.write("\n# edited\n")
        cache.fingerprint.cache_clear()
        prints.append(cache.fingerprint())
    cache.fingerprint.cache_clear()
    assert len(set(prints)) == 3


def _write_concurrently(folder: str) -> None:
    import os

    os.environ["AIDTRACE_CACHE_DIR"] = folder
    cache.cache_dir.cache_clear()
    for _ in range(20):
        assert cache.cached("shared", Builder())["n"] == 3


def test_concurrent_processes_never_read_a_partial_file(cache_in: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_concurrently, args=(str(cache_in),)) for _ in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert [p.name.split("-")[0] for p in cache_in.iterdir()] == ["shared"]  # no temporary file left


def test_cached_dictionaries_behave_like_fresh_ones(cache_in: Path) -> None:
    """The real caches: actor names, items and exchange rates from a file give the same answers."""
    fresh = ActorDictionary()
    cache.cached("actors", ActorDictionary)
    loaded = cache.cached("actors", ActorDictionary)
    assert loaded is not fresh and len(loaded.entries) == len(fresh.entries)
    text = ("French President Emmanuel Macron met Ukrainian Prime Minister Yulia Svyrydenko in Paris, "
            "and the Kiel Institute said NATO allies and the European Union had pledged more.")
    assert [m.span() for m in loaded.name_re.finditer(text)] == [m.span() for m in fresh.name_re.finditer(text)]
    assert [m.span() for m in loaded.role_re.finditer(text)] == [m.span() for m in fresh.role_re.finditer(text)]
    assert loaded.lookup("the US") == fresh.lookup("the US")
    taxonomy = cache.cached("items", _build_taxonomy)
    assert cache.cached("items", _build_taxonomy) == taxonomy
    assert [i.canonical for i in find_items("two more Patriot batteries and 155mm shells")]
    rates = cache.cached("exchange-rates", _build_converter)
    assert json.dumps(sorted(rates.currencies)) == json.dumps(sorted(_build_converter().currencies))
    assert convert(100.0, "GBP", None)[0] is not None


# ---------------------------------------------------------------------- values made on use

MADE: list[str] = []


class Counted:
    """A value that records when it is unpickled."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __reduce__(self) -> tuple[object, ...]:
        return _make_counted, (self.name,)


def _make_counted(name: str) -> Counted:
    MADE.append(name)
    return Counted(name)


def test_lazy_values_are_unpickled_when_first_read_and_shared_ones_once() -> None:
    import pickle

    MADE.clear()
    x, y = Counted("x"), Counted("y")
    built = cache.LazyValues({"a": x, "b": x, "c": y})
    assert built["a"] is x and list(built) == ["a", "b", "c"]  # as built: the values themselves
    loaded = pickle.loads(cache.dumps(built))
    assert MADE == []
    assert list(loaded) == ["a", "b", "c"] and len(loaded) == 3 and "b" in loaded and "z" not in loaded
    assert loaded["b"].name == "x" and MADE == ["x"]
    assert loaded["a"] is loaded["b"] and MADE == ["x"]  # one value for both names, made once
    with pytest.raises(KeyError):
        loaded["z"]
    again = pickle.loads(cache.dumps(loaded))  # a loaded mapping pickles without making its values
    assert MADE == ["x"] and again["c"].name == "y" and MADE == ["x", "y"]


def test_every_cached_actor_entry_equals_the_built_one(cache_in: Path) -> None:
    fresh = ActorDictionary()
    cache.cached("actors", ActorDictionary)
    loaded = cache.cached("actors", ActorDictionary)
    assert list(loaded.entries) == list(fresh.entries)
    assert all(loaded.entries[name] == entry for name, entry in fresh.entries.items())


def test_cached_exchange_rates_convert_like_the_library(cache_in: Path) -> None:
    from datetime import date

    fresh = _build_converter()
    cache.cached("exchange-rates", _build_converter)
    loaded = cache.cached("exchange-rates", _build_converter)
    assert loaded.bounds == fresh.bounds
    for currency in sorted(fresh.currencies):
        for day in (date(2014, 3, 3), date(2022, 2, 24), date(2025, 7, 10), None):
            assert loaded.convert(1000, currency, "USD", date=day) == fresh.convert(1000, currency, "USD", date=day)


def test_old_cache_files_are_pruned_beyond_the_most_recently_used(cache_in: Path) -> None:
    import os
    import time

    cache_in.mkdir(parents=True)
    now = time.time()
    for age in range(10):  # file n was last used n hours ago
        old = cache_in / f"shared-old{age}.pickle"
        old.write_bytes(b"x")
        os.utime(old, (now - 3600 * (age + 1), now - 3600 * (age + 1)))
    other = cache_in / "other-old.pickle"
    other.write_bytes(b"x")
    os.utime(other, (now - 86400 * 365, now - 86400 * 365))
    assert cache.cached("shared", Builder())["n"] == 3
    kept = sorted(p.name for p in cache_in.glob("shared-*.pickle"))
    assert len(kept) == cache.KEEP_FILES and f"shared-{cache.fingerprint()}.pickle" in kept
    assert {f"shared-old{age}.pickle" for age in range(cache.KEEP_FILES - 1)} < set(kept)
    assert other.exists()  # another cache's files are left to that cache
