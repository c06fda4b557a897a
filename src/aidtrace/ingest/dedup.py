"""Near-duplicate detection: MinHash signatures of word 5-shingles and an LSH index.

requires: Document.text (cleaned)
assigns:  nothing on the document; ``NearDuplicateIndex.query`` gives the ids of stored
          documents whose estimated Jaccard similarity is above the threshold, and the store
          sets ``duplicate_of``. Exact duplicates are caught earlier by the content hash.

The index lives in memory: it is rebuilt from the signatures kept in the store at the start
of a run (about a second per hundred thousand documents) and grows as documents arrive.

Signatures are stored, so their scheme is fixed: the "affine32" MinHash of datasketch 2 with
seed 1 (each shingle's SHA-1, its first four bytes little-endian, mixed by the MurmurHash3
finaliser, then 128 affine permutations h -> a*h + b modulo 2^32, the minimum of each kept).
It is computed here with numpy alone, so that neither datasketch nor the scipy it imports is
loaded by every ingest; the permutation parameters are drawn as datasketch draws them, and
tests/test_dedup.py checks signatures and LSH parameters against datasketch itself. The LSH
index splits a signature into ``b`` bands of ``r`` values (the (b, r) that minimises the
false-positive and false-negative probabilities at the threshold, weighted equally, as
datasketch's ``MinHashLSH`` chooses them); documents sharing a band are candidates, and a
candidate is kept when the share of equal values reaches the threshold.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate

import numpy as np

NUM_PERM = 128
SHINGLE_WORDS = 5
SCHEME = "affine32"  # the name datasketch gives the stored scheme
SEED = 1
_DTYPE = np.uint32

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Word ``size``-shingles of the lower-cased text (a shorter text is one shingle)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    # Slices of the words joined once, encoded once: as " ".join(words[i:i + size]) encoded,
    # without building and encoding every shingle apart. Byte offsets from the words' lengths
    # (characters, when every word is ASCII).
    joined = " ".join(words).encode("utf-8")
    lengths = [len(w) for w in words]
    if len(joined) != len(words) - 1 + sum(lengths):
        lengths = [len(w.encode("utf-8")) for w in words]
    starts = [0, *accumulate(n + 1 for n in lengths)]
    return {joined[starts[i]:starts[i + size] - 1] for i in range(len(words) - size + 1)}


class Signature:
    """A MinHash signature: ``NUM_PERM`` unsigned 32-bit values."""

    __slots__ = ("hashvalues",)

    def __init__(self, hashvalues: np.ndarray):
        self.hashvalues = np.asarray(hashvalues, dtype=_DTYPE)

    def jaccard(self, other: Signature) -> float:
        """The Jaccard similarity the two signatures estimate (the share of equal values)."""
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(self.hashvalues)


def signature(text: str) -> Signature | None:
    """The MinHash signature of a text, or None when it has no words to compare."""
    grams = shingles(text)
    if not grams:
        return None
    sha1 = hashlib.sha1
    # each shingle's first four SHA-1 bytes, read as little-endian 32-bit values all at once
    hv = np.frombuffer(b"".join([sha1(g).digest()[:4] for g in grams]), dtype="<u4").astype(_DTYPE)
    a, b = _permutations()
    with np.errstate(over="ignore"):  # products wrap modulo 2^32, as intended
        return Signature((_fmix32(hv)[:, None] * a + b).min(axis=0))


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finaliser, element-wise (multiplications wrap modulo 2^32)."""
    hv = hv ^ (hv >> _DTYPE(16))
    hv = hv * _DTYPE(0x85EBCA6B)
    hv = hv ^ (hv >> _DTYPE(13))
    hv = hv * _DTYPE(0xC2B2AE35)
    return hv ^ (hv >> _DTYPE(16))


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations (a odd, b), drawn from numpy's RandomState(1) in datasketch's order."""
    gen = np.random.RandomState(SEED)
    a = gen.randint(0, 1 << 31, NUM_PERM, dtype=_DTYPE) * _DTYPE(2) + _DTYPE(1)
    b = gen.randint(0, 1 << 32, NUM_PERM, dtype=_DTYPE)
    return a, b


def to_bytes(sig: Signature) -> bytes:
    """A signature as bytes, for the store."""
    return np.asarray(sig.hashvalues, dtype=_DTYPE).tobytes()


def from_bytes(data: bytes) -> Signature:
    """A signature back from ``to_bytes``."""
    return Signature(np.frombuffer(data, dtype=_DTYPE))


@lru_cache(maxsize=16)
def lsh_bands(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) that minimise the false-positive plus false-negative probability
    of a threshold (each the integral of the banding's collision curve below / above it; the
    curves are polynomials, integrated exactly by Gauss-Legendre quadrature)."""
    nodes, weights = np.polynomial.legendre.leggauss(num_perm // 2 + 2)

    def integral(f: np.ndarray, low: float, high: float) -> float:
        return float((high - low) / 2 * np.dot(weights, f))

    below = (threshold - 0.0) / 2 * nodes + threshold / 2
    above = (1.0 - threshold) / 2 * nodes + (1.0 + threshold) / 2
    best, chosen = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = integral(1 - (1 - below ** r) ** b, 0.0, threshold)
            fn = integral((1 - above ** r) ** b, threshold, 1.0)
            if 0.5 * fp + 0.5 * fn < best:
                best, chosen = 0.5 * fp + 0.5 * fn, (b, r)
    return chosen


class NearDuplicateIndex:
    """An LSH index of document signatures, keyed by document id.

    LSH only proposes candidates; each is checked against the signatures' Jaccard
    estimate, so the threshold the user set is the one applied.
    """

    def __init__(self, threshold: float):
        self.threshold = threshold
        bands, rows = lsh_bands(threshold)
        if bands < 2:
            raise ValueError(f"a near-duplicate threshold of {threshold} leaves fewer than two LSH bands")
        self._ranges = [(i * rows, (i + 1) * rows) for i in range(bands)]
        self._tables: list[dict[bytes, set[str]]] = [{} for _ in self._ranges]
        self._values: dict[str, np.ndarray] = {}

    @classmethod
    def from_store(cls, signatures: Iterable[tuple[str, bytes]], threshold: float) -> NearDuplicateIndex:
        """An index of stored signatures, e.g. ``Store.minhashes()``."""
        index = cls(threshold)
        for doc_id, data in signatures:
            index.add(doc_id, from_bytes(data))
        return index

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._values

    def _bands(self, values: np.ndarray) -> list[bytes]:
        data = values.tobytes()
        return [data[start * 4:end * 4] for start, end in self._ranges]

    def add(self, doc_id: str, sig: Signature) -> None:
        """Index a document's signature (a second add of the same id is ignored)."""
        if doc_id in self._values:
            return
        values = np.asarray(sig.hashvalues, dtype=_DTYPE)
        self._values[doc_id] = values
        for band, table in zip(self._bands(values), self._tables, strict=True):
            table.setdefault(band, set()).add(doc_id)

    def remove(self, doc_id: str) -> None:
        """Forget a document (e.g. one replaced by a newer version)."""
        values = self._values.pop(doc_id, None)
        if values is None:
            return
        for band, table in zip(self._bands(values), self._tables, strict=True):
            keys = table.get(band)
            if keys is not None:
                keys.discard(doc_id)
                if not keys:
                    del table[band]

    def query(self, sig: Signature) -> list[str]:
        """Ids of indexed documents whose estimated similarity to ``sig`` reaches the threshold."""
        values = np.asarray(sig.hashvalues, dtype=_DTYPE)
        candidates: set[str] = set()
        for band, table in zip(self._bands(values), self._tables, strict=True):
            candidates |= table.get(band, set())
        return sorted(key for key in candidates
                      if np.count_nonzero(self._values[key] == values) / NUM_PERM >= self.threshold)
