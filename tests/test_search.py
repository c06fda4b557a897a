"""Full-text search (issue 10): SQLite FTS5 and PostgreSQL full text over the stored articles,
one query language on both, hostile queries never failing, only current originals found, the
ledger and events filtered by it, and databases made before the index migrated into it."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert
from typer.testing import CliRunner

from aidtrace import ledger
from aidtrace.cli import app as cli_app
from aidtrace.errors import UsageError
from aidtrace.model import Document
from aidtrace.store import NEAR_DUPLICATE, Store
from aidtrace.store import schema as t
from aidtrace.store.db import _document_row
from aidtrace.store.search import MAX_QUERY, fts5_query, unmark
from aidtrace.store.setup import MIGRATIONS, known_revisions
from ledger_fixtures import event

HEAD = known_revisions()[1]
# Articles written for these tests (fictional events, real places and systems).
ARTICLES = {
    "patriot": ("Berlin sends a third Patriot battery", "2025-08-01",
                "Germany will deliver a third Patriot air defence battery to Ukraine before the winter, the "
                "defence ministry in Berlin said on Friday.\n\nThe launchers were delivered from Bundeswehr "
                "stocks and crews have finished their training in Poland."),
    "iris": ("Kyiv receives more IRIS-T launchers", "2025-08-03",
             "Two more IRIS-T SLM launchers have arrived in Ukraine, Diehl Defence said, bringing the number "
             "of air defence systems Germany has supplied to nine."),
    "tanks": ("Denmark to train Leopard crews", "2025-08-05",
              "Denmark will train Ukrainian tank crews on Leopard 1 tanks at a base in Jutland, the Danish "
              "army said, while Germany pays for the ammunition."),
    "hostile": ("<b>Breaking</b>", "2025-08-06",
                'Officials said <script>alert("x")</script> the Patriot shipment is delayed "until further '
                'notice" (NEAR AND OR * ^ : column:text).'),
}


def article(name: str, version: int = 1, text: str | None = None) -> Document:
    title, published, body = ARTICLES[name]
    body = text or body
    return Document(id=f"{name}-{version}", external_id=f"{name}.txt", source=f"/in/{name}.txt", raw_text=body,
                    text=body, content_hash=f"{name}-{version}-{len(body)}", title=title,
                    published=date.fromisoformat(published), published_precision="day", agency="Wire", url=None)


@pytest.fixture
def filled(store: Store) -> Store:
    for name in ARTICLES:
        store.add_document(article(name))
    return store


def found(store: Store, q: str) -> list[str]:
    return [h.external_id for h in store.search(q, limit=50)[1]]


# ---------------------------------------------------------------------- the query language


def test_words_are_quoted_so_no_user_text_is_an_fts5_operator() -> None:
    assert fts5_query("Patriot") == '"Patriot"'
    assert fts5_query('air "air defence" OR IRIS-T -Leopard') == '"air" AND ("air defence" OR "IRIS T") NOT "Leopard"'
    # a token with punctuation inside is a phrase of its words, as IRIS-T is
    assert fts5_query("NEAR(a b) column:text ^x * AND") == '"NEAR a" AND "b" AND "column text" AND "x" AND "AND"'
    assert fts5_query('-only -"excluded words"') == ""
    assert fts5_query('"unclosed phrase') == '"unclosed phrase"'
    assert fts5_query("OR Patriot OR") == '"Patriot"'


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_query_either_searches_or_says_what_to_fix(tmp_path_factory: pytest.TempPathFactory, q: str) -> None:
    path = tmp_path_factory.getbasetemp() / "any-query.db"
    with Store.open(str(path)) as store:
        if not store.count_documents():
            store.add_document(article("hostile"))
        try:
            total, hits = store.search(q)
        except UsageError as err:
            assert "search query" in str(err)
        else:
            assert total >= len(hits)


def test_a_query_without_words_or_too_long_is_a_usage_error(filled: Store) -> None:
    with pytest.raises(UsageError, match="no word to look for"):
        filled.search('-Patriot *** ""')
    with pytest.raises(UsageError, match="keep it under"):
        filled.search("tank " * (MAX_QUERY // 4))


def test_marks_are_offsets_into_the_snippet_without_markers() -> None:
    assert unmark("a \ue000Patriot\ue001 battery") == ("a Patriot battery", [(2, 9)])


# ---------------------------------------------------------------------- searching (SQLite and PostgreSQL)


def test_stems_phrases_or_and_exclusion_behave_alike_on_both_databases(filled: Store) -> None:
    assert set(found(filled, "Patriot")) == {"patriot.txt", "hostile.txt"}
    assert set(found(filled, "deliver")) == {"patriot.txt"}  # stemmed: "deliver" finds "delivered"
    assert set(found(filled, '"air defence"')) == {"patriot.txt", "iris.txt"}
    assert set(found(filled, "Leopard OR IRIS-T")) == {"tanks.txt", "iris.txt"}
    assert set(found(filled, "Germany -Patriot")) == {"iris.txt", "tanks.txt"}
    assert found(filled, "Bundeswehr training") == ["patriot.txt"]
    assert found(filled, "submarine") == []
    assert set(found(filled, "breaking")) == {"hostile.txt"}  # titles are searched too


def test_each_hit_marks_the_matched_words_in_its_snippet(filled: Store) -> None:
    total, hits = filled.search("Jutland")
    assert total == 1
    hit = hits[0]
    assert hit.title == "Denmark to train Leopard crews" and hit.published == "2025-08-05"
    assert [hit.snippet[a:b] for a, b in hit.marks] == ["Jutland"]
    assert "\ue000" not in hit.snippet and "\ue001" not in hit.snippet


def test_pages_of_hits_add_up_to_the_whole_list(filled: Store) -> None:
    total, every = filled.search("Germany", limit=50)
    assert total == 3 == len(every)
    paged = [h.document_id for off in range(3) for h in filled.search("Germany", limit=1, offset=off)[1]]
    assert paged == [h.document_id for h in every]


def test_superseded_versions_and_near_duplicates_are_not_found(filled: Store) -> None:
    newer = article("iris", version=2, text=ARTICLES["iris"][2].replace("nine", "eleven") + " Updated.")
    filled.add_document(newer)
    assert [h.document_id for h in filled.search("IRIS-T")[1]] == ["iris-2"]
    copy = replace(article("tanks", version=2, text=ARTICLES["tanks"][2] + " Copied."), id="tanks-copy",
                   external_id="tanks-copy.txt", source="/in/tanks-copy.txt")
    assert filled.add_document(copy, near_duplicates=["tanks-1"]) == NEAR_DUPLICATE
    assert [h.document_id for h in filled.search("Jutland")[1]] == ["tanks-1"]


def test_the_ledger_events_and_totals_filter_by_the_articles_they_come_from(filled: Store) -> None:
    patriot, tanks = filled.document("patriot-1"), filled.document("tanks-1")
    assert patriot is not None and tanks is not None
    filled.save_analysis(patriot.id, [], [event(patriot, actor=("DEU",), when="2025-08-01", amount=1e9,
                                                currency="EUR", items=(("Patriot", 1),))], [])
    filled.save_analysis(tanks.id, [], [event(tanks, actor=("POL",), when="2025-08-05", amount=5e7, currency="EUR",
                                              items=(("Leopard 2", None),))], [])
    ledger.update(filled)
    only = ledger.query(filled, ledger.LedgerFilter(q="Bundeswehr"))
    assert [r["actor"][0]["country"] for r in only] == ["DEU"]
    assert ledger.count(filled, ledger.LedgerFilter(q="Jutland OR Bundeswehr")) == 2
    assert [e["document"]["id"] for e in filled.events(q="Jutland")] == ["tanks-1"]
    assert filled.count_events(q="submarine") == 0
    totals = ledger.totals(filled, by="donor", filters=ledger.LedgerFilter(q="Jutland"))
    assert [(r.key, r.total) for r in totals.rows] == [("POL", 5e7)]
    air = ledger.query(filled, ledger.LedgerFilter(category="air defence"))
    assert [r["actor"][0]["country"] for r in air] == ["DEU"]
    assert [e["document"]["id"] for e in filled.events(category="armour")] == ["tanks-1"]


def test_a_hostile_category_is_refused_with_what_to_use(filled: Store) -> None:
    with pytest.raises(UsageError, match="not a category name"):
        ledger.query(filled, ledger.LedgerFilter(category="x'; DROP TABLE documents; --"))


# ---------------------------------------------------------------------- migration and the command line


def test_a_database_made_before_the_index_is_indexed_by_its_migration(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")  # the schema just before full-text search
        conn.execute(insert(t.documents).values(**_document_row(article("tanks"), None, None)))
    engine.dispose()
    with Store.open(str(path), readonly=True) as upgraded:  # a read command migrates it first
        assert found(upgraded, "Jutland") == ["tanks.txt"]
    assert sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)


def test_the_search_command_lists_the_best_articles_and_explains_a_bad_query(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    with Store.open(db) as store:
        for name in ARTICLES:
            store.add_document(article(name))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["search", "Jutland", "--db", db, "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert '"external_id": "tanks.txt"' in result.stdout
    table = runner.invoke(cli_app, ["search", "air", "defence", "--db", db, "--limit", "1"])
    assert table.exit_code == 0 and "the best 1 of 2 articles" in table.stderr
    bad = runner.invoke(cli_app, ["search", "--db", db, "--", "-Patriot"])
    assert bad.exit_code == 2 and "no word to look for" in bad.stderr and "Traceback" not in bad.output
