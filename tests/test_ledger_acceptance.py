"""Issue 9 acceptance on a written corpus, through the real pipeline (readers, spaCy, coder),
on SQLite and on PostgreSQL: one ledger event per real-world act, and a ledger that
re-ingesting, re-analysing and rebuilding leave exactly as it was."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aidtrace import ledger, pipeline
from aidtrace.settings import Settings
from aidtrace.store import Store
from ledger_corpus import NASAMS_REPORTS, write_corpus


def ingest(paths: list[Path], db: str) -> pipeline.RunSummary:
    return pipeline.ingest([str(p) for p in paths], Settings.load(db=db))


def records(db: str) -> list[dict[str, Any]]:
    with Store.open(db) as store:
        return ledger.query(store)


def holding(recs: list[dict[str, Any]], document: str, **where: Any) -> dict[str, Any]:
    """The one ledger event a document reports with the given attributes."""
    found = [r for r in recs if document in r["documents"]
             and all(_get(r, k) == v for k, v in where.items())]
    assert len(found) == 1, [(r["ledger_id"], r["type"], r["status"], r["documents"]) for r in recs]
    return found[0]


def _get(rec: dict[str, Any], path: str) -> Any:
    value: Any = rec
    for part in path.split("."):
        value = (value or {}).get(part)
    return value


def test_the_corpus_gives_one_ledger_event_per_real_world_act(db_url: str, tmp_path: Path) -> None:
    summary = ingest([write_corpus(tmp_path / "news")], db_url)
    assert summary.near_duplicate == 1 and summary.failed == 0
    recs = records(db_url)

    nasams = holding(recs, "nasams_1_ntb.txt", **{"value.amount": 2.5e9})
    assert nasams["reports"] == 4 and sorted(nasams["documents"]) == sorted(NASAMS_REPORTS)
    assert [d["external_id"] for d in nasams["duplicates"]] == ["nasams_2_aftenposten.txt"]
    assert (nasams["first_reported"], nasams["last_reported"]) == ("2025-09-02", "2025-09-04")
    assert nasams["date"]["start"] == "2025-09-02" and nasams["date"]["precision"] == "day"
    assert len(nasams["evidence"]) == 4

    week_later = holding(recs, "missiles_ntb.txt", **{"value.amount": 9e8})
    assert week_later["ledger_id"] != nasams["ledger_id"] and week_later["reports"] == 1

    cv90 = holding(recs, "cv90_delivery.txt", status="delivered")
    assert cv90["documents"] == ["cv90_pledge.txt", "cv90_delivery.txt"]
    assert [h["stage"] for h in cv90["status_history"]] == ["commitment", "delivery"]

    patriot = holding(recs, "patriot_resume.txt", status="resumed")
    assert [h["status"] for h in patriot["status_history"]] == ["halted", "resumed"]


def test_reingest_reanalyse_and_rebuild_leave_the_ledger_exactly_as_it_was(db_url: str, tmp_path: Path) -> None:
    news = write_corpus(tmp_path / "news")
    ingest([news], db_url)
    with Store.open(db_url) as store:
        before = store.ledger.rows()
    assert before["ledger_events"]

    again = ingest([news], db_url)
    assert (again.new, again.duplicate) == (0, 10)
    with Store.open(db_url) as store:
        assert store.ledger.rows() == before

    redone = pipeline.reanalyse(Settings.load(db=db_url), scope="all")
    assert redone.analysed == 9 and redone.failed == 0
    with Store.open(db_url) as store:
        assert store.ledger.rows() == before
        ledger.rebuild(store)
        assert store.ledger.rows() == before


def test_documents_arriving_one_by_one_in_reverse_give_the_same_ledger(tmp_path: Path) -> None:
    news = write_corpus(tmp_path / "news")
    together, single = str(tmp_path / "together.db"), str(tmp_path / "single.db")
    ingest([news], together)
    for path in sorted(news.iterdir(), reverse=True):
        if "aftenposten" not in path.name:  # a copy ingested before its original would be the original
            ingest([path], single)
    ingest([news / "nasams_2_aftenposten.txt"], single)
    with Store.open(together) as a, Store.open(single) as b:
        assert a.ledger.rows()["ledger_events"] == b.ledger.rows()["ledger_events"]


def test_totals_on_the_corpus_equal_hand_computed_sums_in_eur_and_usd(tmp_path: Path) -> None:
    from currency_converter import CurrencyConverter

    db = str(tmp_path / "totals.db")
    ingest([write_corpus(tmp_path / "news")], db)
    rates = CurrencyConverter(fallback_on_missing_rate=True, fallback_on_wrong_date=True)
    # Norway: the NASAMS approval (2.5 bn crowns on 2 September: four reports, counted once) and
    # the missiles a week later (900 m crowns on 9 September); no other event of the corpus states a value.
    for currency in ("EUR", "USD"):
        by_hand = (rates.convert(2.5e9, "NOK", currency, date=date(2025, 9, 2))
                   + rates.convert(9e8, "NOK", currency, date=date(2025, 9, 9)))
        with Store.open(db) as store:
            result = ledger.totals(store, by="donor", currency=currency)
        norway = {r.key: r for r in result.rows}["NOR"]
        assert norway.total == pytest.approx(by_hand, rel=1e-6) and norway.events == 2
        assert result.overall.total == pytest.approx(by_hand, rel=1e-6)
        assert {r.key: r.without_value for r in result.rows} == {"NOR": 0, "SWE": 1, "USA": 1}
