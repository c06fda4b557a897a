"""Near-duplicate detection: MinHash signatures of word 5-shingles and an LSH index.

requires: Document.text (cleaned)
assigns:  nothing on the document; ``NearDuplicateIndex.query`` gives the ids of stored
          documents whose estimated Jaccard similarity is above the threshold, and the store
          sets ``duplicate_of``. Exact duplicates are caught earlier by the content hash.

The index lives in memory: it is rebuilt from the signatures kept in the store at the start
of a run (about a second per hundred thousand documents) and grows as documents arrive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
# Signatures are persisted, so the permutation scheme is fixed explicitly (datasketch 2 default).
SCHEME = "affine32"
_DTYPE = np.uint32

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Word ``size``-shingles of the lower-cased text (a shorter text is one shingle)."""
    words = _WORD.findall(text.lower())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str) -> MinHash | None:
    """The MinHash signature of a text, or None when it has no words to compare."""
    grams = shingles(text)
    if not grams:
        return None
    mh = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations())
    mh.update_batch(grams)
    return mh


@lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """The permutation parameters every signature uses (seed 1), drawn once per process instead of
    once per document."""
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def to_bytes(mh: MinHash) -> bytes:
    """A signature as bytes, for the store."""
    return np.asarray(mh.hashvalues, dtype=_DTYPE).tobytes()


def from_bytes(data: bytes) -> LeanMinHash:
    """A signature back from ``to_bytes`` (lean: no permutation tables, little memory)."""
    return LeanMinHash(hashvalues=np.frombuffer(data, dtype=_DTYPE), seed=1, scheme=SCHEME)


class NearDuplicateIndex:
    """An LSH index of document signatures, keyed by document id.

    LSH only proposes candidates; each is checked against the signatures' Jaccard
    estimate, so the threshold the user set is the one applied.
    """

    def __init__(self, threshold: float):
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
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

    def add(self, doc_id: str, mh: MinHash) -> None:
        """Index a document's signature (a second add of the same id is ignored)."""
        if doc_id not in self._values:
            self._lsh.insert(doc_id, mh)
            self._values[doc_id] = np.asarray(mh.hashvalues, dtype=_DTYPE)

    def remove(self, doc_id: str) -> None:
        """Forget a document (e.g. one replaced by a newer version)."""
        if self._values.pop(doc_id, None) is not None:
            self._lsh.remove(doc_id)

    def query(self, mh: MinHash) -> list[str]:
        """Ids of indexed documents whose estimated similarity to ``mh`` reaches the threshold."""
        values = np.asarray(mh.hashvalues, dtype=_DTYPE)
        return sorted(key for key in self._lsh.query(mh)
                      if np.count_nonzero(self._values[key] == values) / NUM_PERM >= self.threshold)
