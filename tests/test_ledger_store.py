"""The stored ledger on SQLite files and a real PostgreSQL server: incremental updates,
rebuilds, re-analysis, new versions, near-duplicate copies, the export's report counts."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert

from aidtrace import ledger
from aidtrace.errors import NotFoundError, UsageError
from aidtrace.ledger import LedgerFilter
from aidtrace.model import Document, Event
from aidtrace.store import Store
from aidtrace.store import schema as t
from aidtrace.store.db import _document_row, _event_row
from aidtrace.store.setup import MIGRATIONS
from ledger_fixtures import document, event


def corpus() -> list[tuple[Document, list[Event]]]:
    """Documents with their events: one act told four times, a separate one, a pledge delivered later,
    a halt and its resumption, and a negated delivery."""
    ntb, reuters = document("ntb-0902", "2025-09-02"), document("reuters-0903", "2025-09-03", "Reuters")
    afp, dpa = document("afp-0904", "2025-09-04", "AFP"), document("dpa-0904", "2025-09-04", "dpa")
    later = document("ntb-0909", "2025-09-09")
    pledge, delivery = document("tt-0610", "2025-06-10", "TT"), document("tt-1015", "2025-10-15", "TT")
    halt, resume = document("ap-0304", "2025-03-04", "AP"), document("ap-0312", "2025-03-12", "AP")
    return [
        (ntb, [event(ntb, amount=2.5e9)]),
        (reuters, [event(reuters, amount=2.5e9, approximate=True)]),
        (afp, [event(afp, when="2025-09-01", precision="month")]),
        (dpa, [event(dpa, amount=2.5e9), event(dpa, amount=2.5e9, start=400, trigger="was approved")]),
        (later, [event(later, when="2025-09-09", amount=9e8, items=(("missile", None), ("NASAMS", None)))]),
        (pledge, [event(pledge, actor=("SWE",), status="announced", when="2025-06-10", items=(("CV90", 20),))]),
        (delivery, [event(delivery, actor=("SWE",), status="delivered", when="2025-10-15", items=(("CV90", 20),)),
                    event(delivery, actor=("SWE",), status="delivered", when="2025-10-15", start=300,
                          items=(("Leopard 2", 3),), negated=True)]),
        (halt, [event(halt, kind="SANCTION", mode="discontinue", status="halted", actor=("USA",),
                      when="2025-03-04", items=())]),
        (resume, [event(resume, status="resumed", actor=("USA",), when="2025-03-12", items=())]),
    ]


def add(store: Store, doc: Document, events: list[Event]) -> None:  # noqa: F811
    store.add_document(doc)
    store.save_analysis(doc.id, [], events, [])


def by_reports(store: Store) -> list[int]:  # noqa: F811
    return sorted(r["reports"] for r in ledger.query(store))


def test_incremental_updates_in_any_order_equal_a_full_rebuild(store: Store) -> None:  # noqa: F811
    docs = corpus()
    for doc, events in docs[::-1]:  # newest documents first: late reports of older events arrive last
        add(store, doc, events)
        ledger.update(store)
    incremental = store.ledger.rows()
    assert by_reports(store) == [1, 2, 2, 4]
    ledger.rebuild(store)
    assert store.ledger.rows() == incremental
    assert store.counts()["ledger_queue"] == 0


def test_the_ledger_does_not_depend_on_the_order_documents_arrive(tmp_path: Path) -> None:
    rows = []
    for n, order in enumerate([(0, 1, 2, 3, 4, 5, 6, 7, 8), (8, 3, 6, 1, 4, 0, 7, 2, 5)]):
        with Store.open(str(tmp_path / f"o{n}.db")) as opened:
            docs = corpus()
            for i in order:
                add(opened, *docs[i])
                if i % 2:
                    ledger.update(opened)
            ledger.update(opened)
            rows.append(opened.ledger.rows())
    assert rows[0] == rows[1]


def test_ledger_queries_filter_by_type_party_status_and_date(store: Store) -> None:  # noqa: F811
    for doc, events in corpus():
        add(store, doc, events)
    ledger.update(store)
    assert [r["reports"] for r in ledger.query(store, LedgerFilter(actor="SWE"))] == [2]
    assert [r["status"] for r in ledger.query(store, LedgerFilter(type="SANCTION"))] == ["resumed"]
    assert len(ledger.query(store, LedgerFilter(status=("delivered", "resumed")))) == 2
    assert [r["reports"] for r in ledger.query(store, LedgerFilter(since="2025-09-05", until="2025-09-30"))] == [1]
    assert ledger.query(store, LedgerFilter(recipient="POL")) == []
    with pytest.raises(UsageError, match="not a status"):
        ledger.query(store, LedgerFilter(status=("sent",)))


def test_get_accepts_a_ledger_id_or_a_member_event_id(store: Store) -> None:  # noqa: F811
    doc, events = corpus()[0]
    add(store, doc, events)
    ledger.update(store)
    (rec,) = ledger.query(store)
    assert ledger.get(store, rec["ledger_id"]) == ledger.get(store, events[0].id) == rec
    with pytest.raises(NotFoundError, match="aidtrace ledger"):
        ledger.get(store, "Lnothing")


def test_explain_names_each_report_and_the_keys_that_matched(store: Store) -> None:  # noqa: F811
    for doc, events in corpus()[:4]:
        add(store, doc, events)
    ledger.update(store)
    (rec,) = ledger.query(store)
    why = ledger.explain(store, rec["ledger_id"])
    # reports in publication order; the month-only one sorts first by date and founds the event
    assert [r["document"]["external_id"] for r in why.reports] == [
        "ntb-0902", "reuters-0903", "afp-0904", "dpa-0904", "dpa-0904"]
    assert [r["how"] for r in why.reports] == ["restatement", "restatement", "founder", "restatement", "restatement"]
    assert why.reports[0]["matched"]["date"] == "2025-09-02 ~ 2025-09 (month)"
    assert why.reports[1]["matched"]["against"] == "report 1 (ntb-0902)"
    assert why.reports[1]["matched"]["parties"] == ["NOR>UKR"]


def test_a_reanalysis_keeps_old_events_superseded_and_the_ledger_follows(store: Store) -> None:  # noqa: F811
    docs = corpus()
    for doc, events in docs[:4]:
        add(store, doc, events)
    ledger.update(store)
    dpa, _ = docs[3]
    store.save_analysis(dpa.id, [], [event(dpa, items=(("Leopard 2", 4),), amount=7e8, currency="EUR", trigger="sends")], [])
    ledger.update(store)
    assert by_reports(store) == [1, 3]
    assert len(store.events(include_superseded=True)) == 6 and len(store.events()) == 4
    updated = store.ledger.rows()
    ledger.rebuild(store)
    assert store.ledger.rows() == updated


def test_a_new_version_of_an_article_replaces_its_reports(store: Store) -> None:  # noqa: F811
    docs = corpus()
    for doc, events in docs[:4]:
        add(store, doc, events)
    ledger.update(store)
    old = docs[1][0]
    new = document("reuters-0903", "2025-09-03", "Reuters", text="an updated Reuters story")
    store.add_document(new)  # same external id: a new version, the old one's events are superseded
    ledger.update(store)
    assert by_reports(store) == [3]
    store.save_analysis(new.id, [], [event(new, amount=2.5e9)], [])
    ledger.update(store)
    (rec,) = ledger.query(store)
    assert rec["reports"] == 4 and old.id not in {e["document"]["id"] for e in rec["evidence"]}


def test_near_duplicate_copies_are_listed_but_not_counted(store: Store) -> None:  # noqa: F811
    doc, events = corpus()[0]
    add(store, doc, events)
    copy = document("aftenposten-0902", "2025-09-02", "Aftenposten", text="a copy of the NTB story")
    store.add_document(copy, near_duplicates=[doc.id])
    ledger.update(store)
    (rec,) = ledger.query(store)
    assert rec["reports"] == 1
    assert [(d["external_id"], d["copy_of"]) for d in rec["duplicates"]] == [("aftenposten-0902", "ntb-0902")]


def test_negated_events_stay_out_of_the_ledger(store: Store) -> None:  # noqa: F811
    doc, events = corpus()[6]
    add(store, doc, events)
    ledger.update(store)
    assert [r["events"] for r in ledger.query(store)] == [[events[0].id]]


def test_the_export_carries_the_ledger_report_count(store: Store) -> None:  # noqa: F811
    for doc, events in corpus()[:4]:
        add(store, doc, events)
    ledger.update(store)
    exported = [r for r in store.export_records() if r["record"] == "event"]
    assert {r["mentions"] for r in exported} == {4}
    assert len({r["ledger_id"] for r in exported}) == 1


def test_an_existing_database_gets_its_ledger_after_the_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    (ledger_rev,) = [r for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions() if r.path.endswith("_ledger.py")]
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, str(ledger_rev.down_revision))  # the schema just before the ledger
    doc, events = corpus()[0]
    with engine.begin() as conn:
        conn.execute(insert(t.documents).values(**{**_document_row(doc, None, None), "status": "analysed"}))
        conn.execute(insert(t.events).values(**_event_row(events[0], doc, 0, False)))
    engine.dispose()
    with Store.open(str(path)) as upgraded:
        assert upgraded.counts()["ledger_queue"] == 1
        ledger.update(upgraded)
        assert by_reports(upgraded) == [1]
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone()[0] >= ledger_rev.revision


def _pairs(records: list[dict[str, Any]]) -> set[tuple[str, ...]]:
    return {tuple(sorted(r["events"])) for r in records}


def test_updates_after_each_document_in_every_order_of_a_small_set(tmp_path: Path) -> None:
    docs = corpus()[:5]
    results = set()
    for n, order in enumerate(itertools.islice(itertools.permutations(range(5)), 0, 120, 17)):
        with Store.open(str(tmp_path / f"p{n}.db")) as opened:
            for i in order:
                add(opened, *docs[i])
                ledger.update(opened)
            results.add(frozenset(_pairs(ledger.query(opened))))
    assert len(results) == 1
