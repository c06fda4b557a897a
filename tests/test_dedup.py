"""Near-duplicate detection with MinHash LSH on texts written for these tests."""

from __future__ import annotations

import pytest

from aidtrace.ingest.dedup import (
    NUM_PERM,
    NearDuplicateIndex,
    from_bytes,
    lsh_bands,
    shingles,
    signature,
    to_bytes,
)

STORY = (
    "Norway will donate two more NASAMS air defence systems to Ukraine and pay for missiles for them, "
    "the defence ministry in Oslo said on Thursday. The package is worth about 2.5 billion crowns and "
    "is part of a larger plan agreed with Germany and the Netherlands to strengthen Ukrainian air "
    "defences before winter. Defence Minister Tore Sandvik said the systems would be delivered over "
    "the coming months and that Norwegian crews would train Ukrainian soldiers to operate them. "
    "Ukraine has asked its partners for more air defence after repeated Russian drone and missile "
    "strikes on its power grid and cities over the summer."
)
# The same wire story as a second outlet runs it: another dateline, one word changed.
RERUN = "OSLO (Reuters) - " + STORY.replace("Thursday", "Friday")
OTHER = (
    "The European Union agreed on Monday to extend its training mission for Ukrainian troops by two "
    "years, diplomats in Brussels said, after member states settled a dispute over who pays for "
    "ammunition used in exercises held in Poland and Germany."
)


def test_shingles_are_lower_cased_word_five_grams() -> None:
    grams = shingles("Ukraine Gets More Air Defence Today")
    assert grams == {b"ukraine gets more air defence", b"gets more air defence today"}


def test_a_short_text_is_one_shingle_and_an_empty_one_none() -> None:
    assert shingles("Ukraine asks for help") == {b"ukraine asks for help"}
    assert shingles(" ... ") == set()
    assert signature("  ") is None


def test_signatures_survive_the_store_round_trip() -> None:
    sig = signature(STORY)
    assert sig is not None
    data = to_bytes(sig)
    assert len(data) == NUM_PERM * 4
    assert from_bytes(data).jaccard(sig) == 1.0


def test_the_same_story_from_another_outlet_is_found() -> None:
    index = NearDuplicateIndex(threshold=0.8)
    index.add("story", signature(STORY))
    index.add("other", signature(OTHER))
    assert index.query(signature(RERUN)) == ["story"]
    assert index.query(signature(OTHER)) == ["other"]


def test_an_unrelated_text_is_not_a_near_duplicate() -> None:
    index = NearDuplicateIndex(threshold=0.8)
    index.add("story", signature(STORY))
    assert index.query(signature(OTHER)) == []


@pytest.mark.parametrize(("threshold", "found"), [(0.5, True), (0.95, False)])
def test_the_threshold_is_the_one_applied(threshold: float, found: bool) -> None:
    half = STORY + " " + OTHER  # about three quarters shared
    index = NearDuplicateIndex(threshold=threshold)
    index.add("story", signature(STORY))
    similarity = signature(STORY).jaccard(signature(half))
    assert 0.5 < similarity < 0.95
    assert (index.query(signature(half)) == ["story"]) is found


def test_the_index_is_rebuilt_from_stored_signatures_and_can_forget() -> None:
    index = NearDuplicateIndex.from_store([("story", to_bytes(signature(STORY))),
                                           ("other", to_bytes(signature(OTHER)))], threshold=0.8)
    assert len(index) == 2
    assert index.query(signature(RERUN)) == ["story"]
    index.add("story", signature(STORY))  # a repeated add is ignored
    index.remove("story")
    index.remove("never-added")
    assert index.query(signature(RERUN)) == [] and len(index) == 1


# ---------------------------------------------------------------------- the same as datasketch's

def _texts() -> list[str]:
    """Texts of every length and alphabet, and the stories above."""
    import random

    rng = random.Random(5)
    words = (STORY + " " + OTHER + " Київ Zürich 北京 ٢٠٢٥ naïve").split()
    texts = [STORY, RERUN, OTHER, "a", "Ukraine asks for help", "x " * 60]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 400))) for _ in range(60)]
    return texts


def test_signatures_are_datasketchs_affine32_minhash() -> None:
    """Signatures stored by earlier versions (made with datasketch 2's "affine32" scheme, seed 1)
    stay comparable: every value is the one datasketch computes."""
    datasketch = pytest.importorskip("datasketch")
    for text in _texts():
        theirs = datasketch.MinHash(num_perm=NUM_PERM, scheme="affine32", seed=1)
        theirs.update_batch(shingles(text))
        ours = signature(text)
        assert ours is not None
        assert to_bytes(ours) == theirs.hashvalues.astype("uint32").tobytes(), text[:60]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95])
def test_lsh_bands_are_the_ones_datasketch_chooses(threshold: float) -> None:
    lsh = pytest.importorskip("datasketch.lsh")
    assert lsh_bands(threshold) == lsh._optimal_param(threshold, NUM_PERM, 0.5, 0.5)


def test_candidates_are_those_of_datasketchs_lsh_index() -> None:
    """The index proposes what datasketch's MinHashLSH proposes (then keeps those at the threshold)."""
    datasketch = pytest.importorskip("datasketch")
    texts = _texts()
    lsh = datasketch.MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
    index = NearDuplicateIndex(threshold=0.5)
    for n, text in enumerate(texts):
        sig = signature(text)
        theirs = datasketch.MinHash(num_perm=NUM_PERM, scheme="affine32", hashvalues=sig.hashvalues)
        lsh.insert(str(n), theirs)
        index.add(str(n), sig)
    for text in texts:
        sig = signature(text)
        theirs = datasketch.MinHash(num_perm=NUM_PERM, scheme="affine32", hashvalues=sig.hashvalues)
        kept = sorted(k for k in lsh.query(theirs) if signature(texts[int(k)]).jaccard(sig) >= 0.5)
        assert index.query(sig) == kept


def test_ingest_does_not_import_scipy() -> None:
    """De-duplication needs numpy only: an ingest's start-up no longer waits for scipy."""
    import subprocess
    import sys

    code = "import sys\nfrom aidtrace import pipeline\npipeline._preload_reading()\nprint('scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr
