"""Documents built from records: hashes, dates, datelines, agencies, titles; seeds and examples."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from aidtrace.ingest.clean import Dateline
from aidtrace.ingest.meta import (
    build_document,
    content_hash,
    dateline_place,
    parse_published,
    refine_with_dateline,
)
from aidtrace.ingest.readers import read_inputs
from aidtrace.model import Document, RawRecord

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "news"
LEDE = ("Poland will send Ukraine another package of military aid worth 300 million euros, "
        "the defence ministry in Warsaw said on Monday.")


def seed_document(seeds_dir: Path, prefix: str) -> tuple[Document, str]:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    (rec,) = read_inputs([str(path)])
    assert isinstance(rec, RawRecord)
    return build_document(rec), path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- seeds


def test_seed_000_date_refined_by_dateline_agency_and_place(seeds_dir: Path) -> None:
    doc, raw = seed_document(seeds_dir, "000")
    assert (doc.published, doc.published_precision) == (date(2025, 7, 2), "day")
    assert (doc.dateline_place, doc.agency, doc.format) == ("Kyiv", "AP", "seed")
    assert doc.raw_text == raw
    assert not doc.text.lstrip().startswith(("date", "Kyiv,"))
    assert not doc.text.endswith("(AP)")
    assert doc.external_id == Path(doc.source).name


def test_seed_003_date_agency_and_headline_title(seeds_dir: Path) -> None:
    doc, raw = seed_document(seeds_dir, "003")
    lines = [line.strip() for line in raw.splitlines()]
    headline = lines[next(i for i, line in enumerate(lines) if line.startswith("Image:")) - 1]
    assert (doc.published, doc.published_precision) == (date(2025, 9, 24), "day")
    assert (doc.agency, doc.title, doc.dateline_place) == ("Reuters", headline, None)


# --------------------------------------------------------------------------- identity


def test_hash_and_id_come_from_whitespace_collapsed_clean_text() -> None:
    doc = build_document(RawRecord(source="a.txt", text=f" date 2025-06-01 {LEDE}\n"))
    expected = hashlib.sha256(" ".join(doc.text.split()).encode()).hexdigest()
    assert (doc.content_hash, doc.id) == (expected, expected[:16])


def test_same_content_in_other_spacing_has_the_same_hash() -> None:
    one = build_document(RawRecord(source="a.txt", text=LEDE))
    two = build_document(RawRecord(source="b.txt", text=f"  {LEDE.replace(' ', '   ')}\n\n(AP)"))
    assert one.content_hash == two.content_hash == content_hash(LEDE)
    assert two.raw_text.endswith("(AP)")


def test_a_case_only_edit_has_another_hash() -> None:
    """Issue 11: case-only edits were taken as duplicates; they are new versions now."""
    assert content_hash(LEDE) != content_hash(LEDE.upper())


def test_external_id_falls_back_to_file_name_and_fields_pass_through() -> None:
    rec = RawRecord(source="in/dir/story.txt", text=LEDE, url="https://example.org/s", outlet="Desk",
                    format="text", extra={"section": "Europe"})
    doc = build_document(rec)
    assert (doc.external_id, doc.url, doc.outlet, doc.format, doc.extra) == (
        "story.txt", "https://example.org/s", "Desk", "text", {"section": "Europe"})


def test_record_title_wins_over_detected_headline() -> None:
    text = f"Poland sends Ukraine new aid package\n\n{LEDE}"
    assert build_document(RawRecord(source="a", text=text)).title == "Poland sends Ukraine new aid package"
    assert build_document(RawRecord(source="a", text=text, title="Given")).title == "Given"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("value", "expected"), [
    ("2025", (date(2025, 1, 1), "year")),
    ("2025-07", (date(2025, 7, 1), "month")),
    ("2025-07-02", (date(2025, 7, 2), "day")),
    ("2025-07-02T10:00:00Z", (date(2025, 7, 2), "day")),
    ("2025-03-14 12:30:00Z", (date(2025, 3, 14), "day")),
    ("Wed, 02 Jul 2025 10:00:00 GMT", (date(2025, 7, 2), "day")),
    ("2 July 2025", (date(2025, 7, 2), "day")),
    ("July 2025", (date(2025, 7, 1), "month")),
    ("2025-13-01", (None, None)),
    ("not a date", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
])
def test_parse_published(value: str | None, expected: tuple[date | None, str | None]) -> None:
    assert parse_published(value) == expected


JUL_2 = Dateline(text="Kyiv, Jul 2 (AP)", place="Kyiv", month=7, day=2, agency="AP")


@pytest.mark.parametrize(("published", "precision", "dateline", "expected"), [
    (date(2025, 7, 1), "month", JUL_2, (date(2025, 7, 2), "day")),
    (date(2025, 1, 1), "year", JUL_2, (date(2025, 7, 2), "day")),
    (date(2025, 8, 1), "month", JUL_2, (date(2025, 8, 1), "month")),  # months disagree: keep header
    (date(2025, 7, 5), "day", JUL_2, (date(2025, 7, 5), "day")),
    (date(2025, 7, 1), "month", None, (date(2025, 7, 1), "month")),
    (None, None, Dateline(text="x", place="Kyiv", month=7, day=2, year=2024), (date(2024, 7, 2), "day")),
    (None, None, JUL_2, (None, None)),  # no year anywhere
])
def test_refine_with_dateline(published: date | None, precision: str | None, dateline: Dateline | None,
                              expected: tuple[date | None, str | None]) -> None:
    assert refine_with_dateline(published, precision, dateline) == expected


def test_more_precise_header_beats_coarser_record_date() -> None:
    doc = build_document(RawRecord(source="a", text=f" date 2025-06-12 {LEDE}", published="2025-06"))
    assert (doc.published, doc.published_precision) == (date(2025, 6, 12), "day")


# --------------------------------------------------------------------------- agency and place


@pytest.mark.parametrize(("text", "agency", "place"), [
    (f"KYIV, Ukraine (Associated Press) — {LEDE}", "AP", "Kyiv"),
    (f"NEW YORK (REUTERS) - {LEDE}", "Reuters", "New York"),
    (f"Kyiv, Jul 2 (Kyiv Post) {LEDE}", "Kyiv Post", "Kyiv"),
    (f"{LEDE}\n\nAFP", "AFP", None),
    (f"{LEDE} (dpa)", "dpa", None),
    (LEDE, None, None),
])
def test_agency_is_normalised_and_place_read(text: str, agency: str | None, place: str | None) -> None:
    doc = build_document(RawRecord(source="a", text=text))
    assert (doc.agency, doc.dateline_place) == (agency, place)
    assert doc.text == LEDE


def test_dateline_place_title_cases_capitals_only() -> None:
    assert dateline_place(Dateline(text="", place="WASHINGTON, D.C.")) == "Washington"
    assert dateline_place(Dateline(text="", place="The Hague")) == "The Hague"
    assert dateline_place(None) is None


# --------------------------------------------------------------------------- end to end


def test_jsonl_record_becomes_a_document(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    path.write_text(json.dumps({"id": "x1", "text": f"BERLIN (dpa) - {LEDE}", "date": "2025-06",
                                "source": "Wire", "desk": "Europe"}) + "\n", encoding="utf-8")
    (rec,) = read_inputs([str(path)])
    doc = build_document(rec)
    assert (doc.external_id, doc.outlet, doc.agency, doc.dateline_place, doc.format) == (
        "x1", "Wire", "dpa", "Berlin", "jsonl")
    assert (doc.published, doc.published_precision, doc.extra) == (date(2025, 6, 1), "month", {"desk": "Europe"})


def test_every_example_article_builds_cleanly() -> None:
    records = list(read_inputs([str(EXAMPLES)]))
    assert len(records) == len(list(EXAMPLES.glob("*.txt"))) >= 8 and all(isinstance(r, RawRecord) for r in records)
    for doc in map(build_document, records):
        assert doc.published_precision == "day" and doc.agency and doc.dateline_place, doc.source
        assert not doc.text.startswith(" date") and 150 <= len(doc.text.split()) <= 350, doc.source
    assert len({d.id for d in map(build_document, records)}) == len(records)


def test_second_outlet_example_is_a_near_duplicate_of_the_first() -> None:
    (first,), (second,) = EXAMPLES.glob("001_*.txt"), EXAMPLES.glob("008_*.txt")
    one, two = (build_document(RawRecord(source=str(p), text=p.read_text(encoding="utf-8")))
                for p in (first, second))
    assert one.content_hash != two.content_hash and one.agency != two.agency
    assert one.published == two.published
    shared = set(one.text.split("\n\n")) & set(two.text.split("\n\n"))
    assert len(shared) >= len(one.text.split("\n\n")) - 2


def test_furniture_example_loses_its_furniture() -> None:
    (path,) = EXAMPLES.glob("007_*.txt")
    raw = path.read_text(encoding="utf-8")
    doc = build_document(RawRecord(source=str(path), text=raw))
    marker = next(line for line in raw.splitlines() if line.startswith("READ MORE"))
    related = raw.split(marker, 1)[1].strip().split("\n\n")[0].splitlines()
    assert related and not any(line in doc.text for line in related)
    assert "Photo:" not in doc.text and "Share" not in doc.text and "newsletter" not in doc.text
    paragraphs = doc.text.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
