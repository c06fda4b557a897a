"""The pipeline end to end on real files: readers, cleaning, store, de-duplication, analysis."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from aidtrace import pipeline
from aidtrace.errors import UsageError
from aidtrace.settings import Settings
from aidtrace.store import Store
from test_store import make_claim, make_doc, make_event

PLEDGE = (" date 2025-05-12 Warsaw, May 12 (PAP) Poland will send a new package of military aid to "
          "Ukraine, including ammunition and spare parts for tanks, Defence Minister Wladyslaw "
          "Kosiniak-Kamysz said on Monday.\n")
CALL = (" date 2025-06 Paris, Jun 3 (AFP) French President Emmanuel Macron spoke by telephone with "
        "Ukrainian President Volodymyr Zelensky on Tuesday about air defence deliveries.\n")
HALT = ("The Pentagon has paused shipments of some air defence interceptors and precision munitions "
        "to Ukraine after a review of US stockpiles, two officials said on Wednesday.")
WIRE = ("Norway will donate two more NASAMS air defence systems to Ukraine and pay for missiles for "
        "them, the defence ministry in Oslo said on Thursday. The package is worth about 2.5 billion "
        "crowns and is part of a larger plan agreed with Germany and the Netherlands to strengthen "
        "Ukrainian air defences before winter. Defence Minister Tore Sandvik said the systems would "
        "be delivered over the coming months and that Norwegian crews would train Ukrainian soldiers "
        "to operate them.")


def settings_for(db: Path, **overrides: Any) -> Settings:
    return Settings.load(db=str(db), **overrides)


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the run log, in a stable order."""
    con = sqlite3.connect(db)
    tables = ("documents", "rejections", "mentions", "events", "claims")
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


@pytest.fixture
def mixed_dir(tmp_path: Path) -> Path:
    """Good files, a binary file, an empty file and a JSONL file with one broken line."""
    d = tmp_path / "inbox"
    d.mkdir()
    (d / "pledge.txt").write_text(PLEDGE, encoding="utf-8")
    (d / "call.txt").write_text(CALL, encoding="utf-8")
    (d / "scan.txt").write_bytes(bytes(range(256)) * 8)
    (d / "empty.txt").write_bytes(b"")
    lines = [json.dumps({"id": "wire-1", "text": WIRE, "date": "2025-09-04", "source": "NTB"}),
             '{"id": "wire-2", "text": "unterminated',
             json.dumps({"id": "wire-3", "text": HALT, "date": "2025-07-02"})]
    (d / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d


# ---------------------------------------------------------------------- ingest: documents


def test_seed_metadata(seeds_dir: Path, tmp_path: Path) -> None:
    summary = pipeline.ingest([str(seeds_dir)], settings_for(tmp_path / "s.db"))
    assert (summary.read, summary.new, summary.rejected) == (2, 2, 0)
    with Store.open(str(tmp_path / "s.db")) as store:
        docs = {d.external_id[:3]: pipeline.document_record(d) for d in store.documents()}
    assert (docs["000"]["published"], docs["000"]["published_precision"]) == ("2025-07-02", "day")
    assert (docs["000"]["dateline_place"], docs["000"]["agency"]) == ("Kyiv", "AP")
    assert (docs["003"]["published"], docs["003"]["agency"]) == ("2025-09-24", "Reuters")
    assert docs["003"]["title"] == "Ukraine to discuss details of joint arms output deal with US next week"


def test_the_writer_collects_garbage_less_often_during_an_ingest_only(seeds_dir: Path, tmp_path: Path) -> None:
    """While an ingest stores and writes results, the collector runs every 50,000 new objects,
    not every 700 (``runtime.BUSY_GC_THRESHOLDS``); afterwards the thresholds are as they were."""
    import gc

    from aidtrace.runtime import BUSY_GC_THRESHOLDS

    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    seen: set[tuple[int, ...]] = set()
    try:
        summary = pipeline.ingest([str(seeds_dir)], settings_for(tmp_path / "s.db", jobs=2),
                                  progress=lambda stage, done, total: seen.add(gc.get_threshold()))
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*before)
    assert summary.analysed == 2
    assert seen == {BUSY_GC_THRESHOLDS} and BUSY_GC_THRESHOLDS[0] > 700
    assert after == (700, 10, 10)


def test_a_second_identical_ingest_is_a_no_op(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    pipeline.ingest([str(seeds_dir)], settings_for(db))
    before = snapshot(db)
    again = pipeline.ingest([str(seeds_dir)], settings_for(db))
    assert (again.read, again.new, again.duplicate, again.analysed, again.failed) == (2, 0, 2, 0, 0)
    assert snapshot(db) == before


def test_bad_inputs_are_rejected_with_lines_and_good_ones_stored(mixed_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    summary = pipeline.ingest([str(mixed_dir)], settings_for(db))
    assert summary.rejected == 3 and summary.new == 4
    where = sorted((Path(r.source).name, r.line) for r in summary.rejections)
    assert where == [("empty.txt", None), ("scan.txt", None), ("wire.jsonl", 2)]
    assert all(r.reason and r.hint for r in summary.rejections)
    with Store.open(str(db)) as store:
        assert sorted(d.external_id for d in store.documents()) == ["call.txt", "pledge.txt", "wire-1", "wire-3"]
        assert sorted((Path(r.source).name, r.line) for r in store.rejections(summary.run_id)) == where
        (run,) = store.runs()
        assert run["counts"]["rejected"] == 3 and run["finished"] is not None


def test_changed_content_under_the_same_id_becomes_version_two(tmp_path: Path) -> None:
    db, feed = tmp_path / "v.db", tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "oslo-1", "text": WIRE, "date": "2025-09-04"}) + "\n", encoding="utf-8")
    pipeline.ingest([str(feed)], settings_for(db))
    changed = WIRE.replace("two more", "three more")
    feed.write_text(json.dumps({"id": "oslo-1", "text": changed, "date": "2025-09-05"}) + "\n", encoding="utf-8")
    summary = pipeline.ingest([str(feed)], settings_for(db))
    assert (summary.new, summary.new_version, summary.near_duplicate) == (0, 1, 0)
    with Store.open(str(db)) as store:
        versions = sorted((d.version, "three more" in d.text) for d in store.documents())
        current = store.documents(include_superseded=False)
    assert versions == [(1, False), (2, True)]
    assert [d.version for d in current] == [2]


def test_the_same_story_from_two_outlets_is_a_near_duplicate(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a_ntb.txt").write_text("OSLO (NTB) " + WIRE, encoding="utf-8")
    (tmp_path / "in" / "b_reuters.txt").write_text("OSLO (Reuters) - " + WIRE.replace("Thursday", "Friday"),
                                                   encoding="utf-8")
    db = tmp_path / "n.db"
    summary = pipeline.ingest([str(tmp_path / "in")], settings_for(db))
    assert (summary.new, summary.near_duplicate) == (1, 1)
    with Store.open(str(db)) as store:
        first, second = store.documents()
        assert second.duplicate_of == first.id
        assert [d.id for d in store.documents_to_analyse()] == []  # the copy is never analysed
        assert {f[0] for f in store.failures()} <= {first.id}


def test_near_duplicates_are_found_across_runs(tmp_path: Path) -> None:
    db = tmp_path / "n.db"
    (tmp_path / "a.txt").write_text("OSLO (NTB) " + WIRE, encoding="utf-8")
    (tmp_path / "b.txt").write_text("OSLO (AP) " + WIRE.replace("Thursday", "Friday"), encoding="utf-8")
    pipeline.ingest([str(tmp_path / "a.txt")], settings_for(db))
    summary = pipeline.ingest([str(tmp_path / "b.txt")], settings_for(db))
    assert summary.near_duplicate == 1


def test_a_copy_of_a_superseded_version_is_a_duplicate_in_a_later_run_as_in_the_same_run(tmp_path: Path) -> None:
    """A version that a newer one replaced stays in the near-duplicate index, in the run that
    stored it and in every later run (or a run resumed after a crash): a copy of it is a
    duplicate of the current version either way."""
    first = json.dumps({"id": "oslo-1", "text": WIRE, "date": "2025-09-04"})
    second = json.dumps({"id": "oslo-1", "text": WIRE.replace("two more", "three more").replace(
        "2.5 billion", "3.9 billion").replace("over the coming months", "by the spring"), "date": "2025-09-05"})
    copy = json.dumps({"id": "copy", "text": WIRE + " Oslo confirmed the figures.", "date": "2025-09-04"})
    outcomes = []
    for runs in ([[first, second, copy]], [[first, second], [copy]]):
        db = tmp_path / f"runs{len(runs)}.db"
        for n, lines in enumerate(runs):
            feed = tmp_path / f"feed{len(runs)}-{n}.jsonl"
            feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
            pipeline.ingest([str(feed)], settings_for(db))
        con = sqlite3.connect(db)
        rows = dict(con.execute("SELECT external_id || '/' || version, duplicate_of FROM documents").fetchall())
        current = con.execute("SELECT id FROM documents WHERE external_id = 'oslo-1' AND version = 2").fetchone()[0]
        outcomes.append(rows)
        assert rows["copy/1"] == current
    assert outcomes[0] == outcomes[1]


def test_a_document_the_database_refuses_fails_alone_in_its_partition(tmp_path: Path) -> None:
    from aidtrace.errors import StoreError
    from aidtrace.ingest.dedup import NearDuplicateIndex, signature, to_bytes

    texts = [WIRE, WIRE + " \x00", HALT]
    docs = [make_doc(text, external_id=f"d{i}.txt") for i, text in enumerate(texts)]
    items = [pipeline.Prepared(doc, to_bytes(signature(doc.text))) for doc in docs]
    index = NearDuplicateIndex(threshold=0.8)
    with Store.open(str(tmp_path / "a.db")) as store:
        results = pipeline._store_documents(store, index, items, None)
        assert [type(r) for r in results] == [tuple, StoreError, tuple]
        assert [d.external_id for d in store.documents()] == ["d0.txt", "d2.txt"]
        assert len(index) == 2 and docs[1].id not in index  # the index holds what is stored
        # the same partition again: every document is decided against the store, once
        again = pipeline._store_documents(store, index, items, None)
        assert [r[1] if isinstance(r, tuple) else "error" for r in again] == ["duplicate", "error", "duplicate"]
        assert len(store.documents()) == 2 and len(index) == 2


def test_ingest_into_postgresql(seeds_dir: Path, postgres_server: str) -> None:
    import psycopg

    admin = postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS aidtrace_pipeline")
        conn.execute("CREATE DATABASE aidtrace_pipeline")
    settings = Settings.load(db=f"{postgres_server}/aidtrace_pipeline")
    first = pipeline.ingest([str(seeds_dir)], settings)
    again = pipeline.ingest([str(seeds_dir)], settings)
    assert (first.new, again.new, again.duplicate) == (2, 0, 2)
    with Store.open(settings.db) as store:
        assert len(list(store.export_records())) == first.events + first.claims


def test_an_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="xml"):
        pipeline.ingest([str(tmp_path)], settings_for(tmp_path / "u.db"), fmt="xml")


# ---------------------------------------------------------------------- ingest: analysis


def test_failed_analysis_is_recorded_per_document_and_the_run_goes_on(mixed_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "f.db"
    summary = pipeline.ingest([str(mixed_dir)], settings_for(db, spacy_model="aidtrace_no_such_model"))
    assert summary.new == 4 and summary.failed == 4 and summary.analysed == 0
    assert all("aidtrace_no_such_model" in error for _, error in summary.failures)
    with Store.open(str(db)) as store:
        assert len(store.failures()) == 4 and store.counts()["documents"] == 4


def test_every_stored_original_is_analysed_or_marked_failed(mixed_dir: Path, tmp_path: Path) -> None:
    summary = pipeline.ingest([str(mixed_dir)], settings_for(tmp_path / "a.db"))
    assert summary.analysed + summary.failed == summary.new
    assert all(error for _, error in summary.failures)


def test_seed_events_point_into_the_cleaned_text(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    summary = pipeline.ingest([str(seeds_dir)], settings_for(db))
    if any("NotImplementedError" in error for _, error in summary.failures):
        pytest.xfail("actor resolution / event coding not landed yet")
    assert summary.failed == 0 and summary.events > 0
    with Store.open(str(db)) as store:
        texts = {d.id: d.text for d in store.documents()}
        for rec in store.export_records():
            ev = rec["evidence"]
            assert texts[rec["document"]["id"]][ev["start"]:ev["end"]] == ev["sentence"]


# ---------------------------------------------------------------------- code, export, eval


@pytest.mark.parametrize(("text", "date"), [("   ", None), ("Germany sent tanks to Ukraine.", "May 2025")])
def test_code_text_rejects_bad_input(text: str, date: str | None) -> None:
    with pytest.raises(UsageError):
        pipeline.code_text(text, date=date)


def test_code_text_codes_one_sentence() -> None:
    try:
        doc, events, _ = pipeline.code_text("The United States is halting some weapons deliveries to Ukraine.",
                                            date="2025-07-02")
    except NotImplementedError:
        pytest.xfail("actor resolution / event coding not landed yet")
    assert doc.published is not None and doc.published.isoformat() == "2025-07-02"
    assert any(e.type == "SANCTION" for e in events)


@pytest.fixture
def coded_store(tmp_path: Path) -> Store:
    with Store.open(str(tmp_path / "x.db")) as store:
        doc = make_doc()
        store.add_document(doc)
        store.save_analysis(doc.id, [], [make_event(doc)], [make_claim(doc)])
        yield store


def test_export_jsonl_is_one_contract_record_per_line(coded_store: Store) -> None:
    out = io.StringIO()
    assert pipeline.export(coded_store, out, "jsonl") == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["record"] for r in lines] == ["event", "claim"]
    assert all(r["contract"] == 1 and r["document"]["external_id"] == "a.txt" for r in lines)


def test_export_csv_flattens_the_same_records(coded_store: Store) -> None:
    out = io.StringIO()
    pipeline.export(coded_store, out, "csv")
    event, claim = csv.DictReader(io.StringIO(out.getvalue()))
    assert (event["record"], event["type"], event["actor"], event["recipient"]) == ("event", "AID", "DEU", "UKR")
    assert (event["value_currency"], event["date_start"]) == ("EUR", "2025-03-04")
    assert (claim["record"], claim["measure"], claim["subject"]) == ("claim", "military_aid_total", "DEU")


def test_export_refuses_an_unknown_format(coded_store: Store) -> None:
    with pytest.raises(UsageError, match="parquet"):
        pipeline.export(coded_store, io.StringIO(), "parquet")


def test_evaluate_scores_a_database_and_a_prediction_file_alike(coded_store: Store, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"kind": "event", "doc": "a.txt", "id": "g1", "required": True, "type": ["AID"],
                                "actor": ["DEU"], "recipient": ["UKR"]}) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as fh:
        pipeline.export(coded_store, fh)
    db_url = coded_store.engine.url.render_as_string()
    by_db = pipeline.evaluate(str(gold), db=db_url)
    by_file = pipeline.evaluate(str(gold), pred_path=str(pred))
    assert by_db["recall"] == by_file["recall"] == 1.0
    with pytest.raises(UsageError):
        pipeline.evaluate(str(gold))


def test_the_candidate_filter_loses_nothing_on_the_seeds(seeds_dir: Path, tmp_path: Path) -> None:
    """Parsing only candidate sentences must give the same export as parsing every sentence."""
    exports = []
    for name, flt in (("on", True), ("off", False)):
        db = tmp_path / f"{name}.db"
        pipeline.ingest([str(seeds_dir)], settings_for(db, candidate_filter=flt))
        with Store.open(str(db)) as store:
            exports.append(sorted(json.dumps(r, sort_keys=True) for r in store.export_records()))
    assert exports[0] == exports[1]


def test_a_statistic_without_trigger_words_is_still_parsed() -> None:
    from aidtrace.extract.coder import is_candidate

    assert is_candidate("Nordic countries have given 20 billion euros in total, the institute said.")
    assert not is_candidate("The weather in Lviv was cold and the markets were busy.")
