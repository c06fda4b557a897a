"""Near-duplicate detection with MinHash LSH on texts written for these tests."""

from __future__ import annotations

import pytest

from aidtrace.ingest.dedup import NUM_PERM, NearDuplicateIndex, from_bytes, shingles, signature, to_bytes

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
