"""The store on real SQLite files: migrations, documents, versions, analysis results, queries."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect

from aidtrace.errors import StoreError, UsageError
from aidtrace.model import (
    Claim,
    DateSpan,
    Document,
    Entity,
    Event,
    Evidence,
    Mention,
    Money,
    Rejection,
    Role,
)
from aidtrace.store import DUPLICATE, NEAR_DUPLICATE, NEW, NEW_VERSION, Store
from aidtrace.store.schema import SEARCH_OBJECTS, TABLES, metadata
from aidtrace.store.setup import known_revisions

ARTICLE = ("Berlin, Mar 4 (dpa) Germany will send four more IRIS-T air defence systems to Ukraine "
           "this year, Defence Minister Boris Pistorius said on Tuesday.")
UPDATED = ARTICLE + " The first of them is due to arrive in May."

USA = Entity(id="USA", name="United States", country="USA", sector=["GOV"], kind="state")
UKR = Entity(id="UKR", name="Ukraine", country="UKR", sector=["GOV"], kind="state")
DEU = Entity(id="DEU", name="Germany", country="DEU", sector=["GOV"], kind="state")
KIEL = Entity(id="kiel", name="Kiel Institute", country="DEU", sector=["RES"], kind="research")


def make_doc(text: str = ARTICLE, external_id: str = "a.txt", url: str | None = None,
             published: date | None = date(2025, 3, 4)) -> Document:
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Document(id=digest[:16], external_id=external_id, source=f"/in/{external_id}", raw_text=" " + text,
                    text=text, content_hash=digest, url=url, title="IRIS-T for Ukraine", published=published,
                    published_precision="day", agency="dpa", dateline_place="Berlin", outlet="dpa",
                    extra={"lang": "en"}, furniture=[(0, 6)])


def make_event(doc: Document, kind: str = "AID", actor: Entity = DEU, recipient: Entity = UKR,
               start: str = "2025-03-04", trigger: str = "send", negated: bool = False) -> Event:
    sentence = doc.text.split(" The first")[0]
    return Event(document_id=doc.id, type=kind, evidence=Evidence(sentence, 0, len(sentence), trigger),
                 mode=None, context=["military"], actor=[Role("Germany", actor)],
                 recipient=[Role("Ukraine", recipient)], status="pledged", negated=negated,
                 date=DateSpan(start, start, "day", "Tuesday"),
                 value=Money(500.0, "EUR", "EUR 500 million", eur=500.0, usd=540.0))


def make_claim(doc: Document) -> Claim:
    return Claim(document_id=doc.id, measure="military_aid_total", value=Money(10.0, "EUR", "EUR 10 billion"),
                 evidence=Evidence(doc.text, 0, len(doc.text), "totalled"), subject=[Role("Germany", DEU)],
                 reported_by=Role("the Kiel Institute", KIEL))


def mentions_of(doc: Document) -> list[Mention]:
    return [Mention(doc.text.index("Germany"), doc.text.index("Germany") + 7, "Germany", DEU),
            Mention(doc.text.index("Ukraine"), doc.text.index("Ukraine") + 7, "Ukraine", UKR)]


# ---------------------------------------------------------------------- opening and migrations


def test_migrations_create_all_tables(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "m.db")) as store:
        names = set(inspect(store.engine).get_table_names())
    assert set(TABLES) | {"alembic_version"} <= names
    con = sqlite3.connect(tmp_path / "m.db")
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(known_revisions()[1],)]


def test_migrations_match_the_schema_module(store: Store) -> None:
    def described(name: str | None, kind: str, parents: object) -> bool:
        # the full-text index (FTS5 table and shadow tables; a PostgreSQL expression index) is
        # made by migration 0006 only: no portable Core type describes it
        return name not in SEARCH_OBJECTS

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": described})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_wal_mode_and_foreign_keys_are_on(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "w.db")) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    assert sqlite3.connect(tmp_path / "w.db").execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_keeps_data_and_does_not_migrate_twice(tmp_path: Path) -> None:
    path = str(tmp_path / "r.db")
    with Store.open(path) as store:
        store.add_document(make_doc())
    with Store.open(path) as store:
        assert store.counts()["documents"] == 1


def test_an_sqlalchemy_url_is_used_as_is(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'u.db'}") as store:
        assert store.add_document(make_doc()) == NEW
    assert (tmp_path / "u.db").exists()


def test_a_missing_directory_is_a_usage_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nowhere/x.db"):
        Store.open(str(tmp_path / "nowhere" / "x.db"))


def test_readers_do_not_create_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ingest something first"):
        Store.open(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()


# ---------------------------------------------------------------------- documents


def test_document_round_trip(store: Store) -> None:
    doc = make_doc(url="https://example.org/a")
    assert store.add_document(doc, minhash=b"\x01" * 512, run_id=None) == NEW
    (back,) = store.documents()
    assert back == doc
    assert back.published == date(2025, 3, 4) and back.furniture == [(0, 6)]
    assert store.document(doc.id) == doc
    assert list(store.minhashes()) == [(doc.id, b"\x01" * 512)]


def test_identical_content_is_a_duplicate_and_writes_nothing(store: Store) -> None:
    store.add_document(make_doc())
    before = store.counts(), store.documents()
    assert store.add_document(make_doc(external_id="copy.txt")) == DUPLICATE
    assert (store.counts(), store.documents()) == before


def test_changed_content_with_the_same_external_id_is_a_new_version(store: Store) -> None:
    old = make_doc()
    store.add_document(old)
    store.save_analysis(old.id, mentions_of(old), [make_event(old)], [make_claim(old)])
    new = make_doc(UPDATED)
    assert store.add_document(new) == NEW_VERSION
    assert new.version == 2
    docs = {d.id: d for d in store.documents()}
    assert set(docs) == {old.id, new.id}  # the old version is kept
    assert [d.id for d in store.documents(include_superseded=False)] == [new.id]
    assert [d.id for d in store.documents_to_analyse()] == [new.id]
    assert store.events() == [] and store.claims() == []  # old events superseded, new not yet derived
    assert len(store.events(include_superseded=True)) == 1
    store.save_analysis(new.id, [], [make_event(new)], [])
    assert [r["document"]["id"] for r in store.export_records()] == [new.id]


def test_changed_content_at_the_same_url_is_a_new_version(store: Store) -> None:
    store.add_document(make_doc(external_id="feed-1", url="https://example.org/a"))
    new = make_doc(UPDATED, external_id="feed-2", url="https://example.org/a")
    assert store.add_document(new) == NEW_VERSION and new.version == 2


def test_a_third_version_counts_from_the_latest(store: Store) -> None:
    store.add_document(make_doc())
    store.add_document(make_doc(UPDATED))
    third = make_doc(UPDATED + " Officials confirmed it.")
    assert store.add_document(third) == NEW_VERSION and third.version == 3


def test_near_duplicate_points_to_the_earlier_document(store: Store) -> None:
    first = make_doc()
    store.add_document(first)
    other = make_doc(ARTICLE.replace("(dpa)", "(AFP)"), external_id="afp.txt")
    assert store.add_document(other, near_duplicates=[first.id]) == NEAR_DUPLICATE
    assert other.duplicate_of == first.id
    assert [d.id for d in store.documents_to_analyse()] == [first.id]
    assert [i for i, _ in store.minhashes()] == []  # no signatures were given
    third = make_doc(ARTICLE.replace("(dpa)", "(AP)"), external_id="ap.txt")
    store.add_document(third, near_duplicates=[other.id])
    assert third.duplicate_of == first.id  # chains collapse onto the original


def test_a_near_duplicate_is_found_when_only_one_side_has_a_url(store: Store) -> None:
    first = make_doc()
    store.add_document(first)
    other = make_doc(ARTICLE + " (AFP)", external_id="afp-1", url="https://example.org/afp-1")
    assert store.add_document(other, near_duplicates=[first.id]) == NEAR_DUPLICATE


def test_an_earlier_version_is_not_a_near_duplicate(store: Store) -> None:
    old = make_doc()
    store.add_document(old)
    new = make_doc(UPDATED)
    assert store.add_document(new, near_duplicates=[old.id]) == NEW_VERSION
    assert new.duplicate_of is None


def _decisions(add: Any, docs: list[Document]) -> list[tuple[str, int, str | None]]:
    """(outcome, version, duplicate_of) of each document added in turn, each with the ones
    before it as near-duplicate candidates (as the index would propose them)."""
    out = []
    for i, doc in enumerate(docs):
        out.append((add(doc, None, [d.id for d in docs[:i]]), doc.version, doc.duplicate_of))
    return out


def _articles() -> list[Document]:
    """A story, a copy, its update, a copy of the first version, the same story from another
    outlet, and a revert of the update."""
    return [make_doc(), make_doc(external_id="copy.txt"), make_doc(UPDATED),
            make_doc(external_id="copy-2.txt"), make_doc(ARTICLE.replace("(dpa)", "(AFP)"), external_id="afp.txt"),
            make_doc(), make_doc(UPDATED)]


def test_documents_added_in_one_batch_are_decided_as_one_by_one(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "single.db")) as single, Store.open(str(tmp_path / "batch.db")) as batched:
        alone = _decisions(lambda d, m, c: single.add_document(d, m, c, None), _articles())
        with batched.document_batch() as batch:
            together = _decisions(batch.add, _articles())
        assert together == alone
        assert {NEW, DUPLICATE, NEW_VERSION, NEAR_DUPLICATE} <= {o for o, _, _ in alone}
        assert batched.documents() == single.documents()
        assert ([d.id for d in batched.documents_to_analyse()] == [d.id for d in single.documents_to_analyse()])


def test_a_document_the_database_refuses_ends_its_batch_and_nothing_of_it_is_stored(store: Store) -> None:
    bad = make_doc(ARTICLE + " \x00", external_id="nul.txt")
    with pytest.raises(StoreError, match="NUL characters"), store.document_batch() as batch:
        assert batch.add(make_doc()) == NEW
        batch.add(bad)
    assert store.documents() == []
    assert store.add_document(make_doc()) == NEW  # the store is usable after the rollback


# ---------------------------------------------------------------------- analysis results


def test_save_analysis_replaces_mentions_and_keeps_old_events_superseded(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, mentions_of(doc), [make_event(doc), make_event(doc)], [make_claim(doc)])
    assert store.counts()["events"] == 1  # same sentence, type and trigger: one event
    store.save_analysis(doc.id, mentions_of(doc)[:1], [make_event(doc, "AGREE", trigger="will send")], [])
    counts = store.counts()
    assert (counts["mentions"], counts["events"], counts["claims"]) == (1, 2, 1)
    assert [e["type"] for e in store.events()] == ["AGREE"] and store.claims() == []
    assert sorted(e["type"] for e in store.events(include_superseded=True)) == ["AGREE", "AID"]
    assert store.documents_to_analyse() == []


def test_an_event_given_again_replaces_its_row_and_is_current_again(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, [], [make_event(doc)], [])
    store.save_analysis(doc.id, [], [], [])
    assert store.events() == [] and store.counts()["events"] == 1
    store.save_analysis(doc.id, [], [make_event(doc, negated=True)], [])
    (again,) = store.events()
    assert again["negated"] is True and store.counts()["events"] == 1


def test_analyses_saved_together_equal_analyses_saved_one_by_one(tmp_path: Path) -> None:
    """``save_analyses`` (a partition in one transaction) stores exactly what ``save_analysis``
    stores document by document, re-analyses included."""
    docs = [make_doc(ARTICLE.replace("Germany", name), f"{name}.txt") for name in ("Germany", "Poland", "Norway")]
    first = [(d.id, mentions_of(docs[0]) if i == 0 else [], [make_event(d)], [make_claim(d)]) for i, d in enumerate(docs)]
    again = [(d.id, [], [make_event(d, "AGREE", trigger="will send")] if i != 1 else [make_event(d)], [])
             for i, d in enumerate(docs)]
    tables = {}
    for how in ("together", "one by one"):
        with Store.open(str(tmp_path / f"{how}.db")) as store:
            for doc in docs:
                store.add_document(doc)
            for batch in (first, again):
                if how == "together":
                    assert store.save_analyses(batch) == [(len(b[2]), len(b[3])) for b in batch]
                else:
                    for item in batch:
                        store.save_analysis(*item)
        con = sqlite3.connect(tmp_path / f"{how}.db")
        tables[how] = [sorted(con.execute(f"SELECT * FROM {name}").fetchall())  # noqa: S608 - fixed names
                       for name in ("events", "claims", "mentions")]
        tables[how].append(sorted(con.execute("SELECT id, status, claimed_by FROM documents").fetchall()))
        tables[how].append(con.execute("SELECT count(*) FROM events WHERE superseded").fetchall())
    assert tables["together"] == tables["one by one"]
    assert tables["together"][-1] == [(2,)]  # the first analysis's events of the re-coded two, kept superseded


def test_a_batch_with_a_document_not_stored_saves_nothing(store: Store) -> None:
    from aidtrace.errors import StoreError

    doc, absent = make_doc(), make_doc("Another text entirely.", "b.txt")
    store.add_document(doc)
    with pytest.raises(StoreError, match="is not stored"):
        store.save_analyses([(doc.id, [], [make_event(doc)], []), (absent.id, [], [make_event(absent)], [])])
    assert store.counts()["events"] == 0 and store.documents_to_analyse() != []


def test_when_a_partition_cannot_be_saved_at_once_only_the_refused_document_fails(store: Store) -> None:
    from aidtrace.pipeline import RunSummary, save_outcomes

    doc, absent = make_doc(), make_doc("Another text entirely.", "b.txt")
    store.add_document(doc)
    summary = RunSummary()
    save_outcomes(store, [(doc, ([], [make_event(doc)], [])), (absent, ([], [make_event(absent)], []))], summary)
    assert (summary.analysed, summary.events, summary.failed) == (1, 1, 1)
    assert "is not stored" in summary.failures[0][1]
    assert store.counts()["events"] == 1 and store.documents_to_analyse() == []


def test_a_failed_analysis_is_recorded_and_not_retried(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.mark_failed(doc.id, "ValueError: bad parse")
    assert store.failures() == [(doc.id, "a.txt", "ValueError: bad parse")]
    assert store.documents_to_analyse() == [] and store.count_to_analyse() == 0


def test_event_records_follow_the_contract(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    event = make_event(doc)
    store.save_analysis(doc.id, [], [event], [])
    (rec,) = store.events()
    assert rec == event.to_record(doc)
    assert rec["record"] == "event" and rec["contract"] == 1 and rec["document"]["external_id"] == "a.txt"


def _two_events(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, [], [
        make_event(doc, "AID", DEU, UKR, "2025-03-04", "send"),
        make_event(doc, "SANCTION", USA, UKR, "2025-07-01", "halting"),
    ], [])


@pytest.mark.parametrize(("filters", "types"), [
    ({}, ["AID", "SANCTION"]),
    ({"type": "sanction"}, ["SANCTION"]),
    ({"actor": "DEU"}, ["AID"]),
    ({"actor": "usa"}, ["SANCTION"]),
    ({"actor": "US"}, []),  # whole codes only
    ({"recipient": "UKR"}, ["AID", "SANCTION"]),
    ({"since": "2025-06-01"}, ["SANCTION"]),
    ({"until": "2025-06-01"}, ["AID"]),
    ({"since": "2025-03-04", "until": "2025-03-04"}, ["AID"]),
])
def test_event_filters(store: Store, filters: dict[str, str], types: list[str]) -> None:
    _two_events(store)
    assert [r["type"] for r in store.events(**filters)] == types


@pytest.mark.parametrize("filters", [{"since": "July"}, {"until": "2025-13-01"}, {"actor": "U S"},
                                     {"type": "HELP"}])
def test_bad_filters_are_usage_errors(store: Store, filters: dict[str, str]) -> None:
    with pytest.raises(UsageError):
        store.events(**filters)


def test_export_gives_events_then_claims_and_skips_near_duplicates(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, [], [make_event(doc)], [make_claim(doc)])
    copy = make_doc(ARTICLE + " (AFP)", external_id="afp.txt")
    store.add_document(copy, near_duplicates=[doc.id])
    store.save_analysis(copy.id, [], [make_event(copy)], [])  # never done by the pipeline; still hidden
    assert [r["record"] for r in store.export_records()] == ["event", "claim"]
    assert {r["document"]["id"] for r in store.export_records()} == {doc.id}


def test_mentions_and_actor_counts(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, mentions_of(doc) + mentions_of(doc)[:1], [], [])
    first = store.mentions()[0]
    assert first["external_id"] == "a.txt" and first["text"] == "Germany"
    assert doc.text[first["start"]:first["end"]] == "Germany"
    assert first["entity"] == {"name": "Germany", "id": "DEU", "country": "DEU", "org": None, "sector": ["GOV"]}
    counts = store.actor_counts()
    assert [(c["entity_id"], c["count"]) for c in counts] == [("DEU", 2), ("UKR", 1)]


# ---------------------------------------------------------------------- runs and rejections


def test_runs_and_rejections(store: Store) -> None:
    run = store.start_run({"paths": ["in/"]})
    store.add_rejection(Rejection("in/bad.jsonl", "not valid JSON", "fix it", line=3), run)
    store.finish_run(run, {"rejected": 1})
    assert store.rejections(run) == [Rejection("in/bad.jsonl", "not valid JSON", "fix it", line=3)]
    (rec,) = store.runs()
    assert rec["counts"] == {"rejected": 1} and rec["args"] == {"paths": ["in/"]} and rec["finished"]


def test_a_batch_told_what_comes_decides_as_one_by_one_with_fewer_statements(tmp_path: Path) -> None:
    fresh = [make_doc(f"{ARTICLE} Story {n}.", external_id=f"s{n}.txt", url=f"https://example.org/{n}")
             for n in range(40)]
    special = [*_articles(),
               make_doc(UPDATED + " Again.", external_id="s3.txt"),                           # s3's new version
               make_doc(f"{ARTICLE} Story 7.", external_id="again.txt"),                     # a copy of s7
               make_doc(ARTICLE + " Story 99.", external_id="s99.txt", url="https://example.org/5")]  # s5's url
    docs = [*fresh[:20], *special, *fresh[20:]]
    # near-duplicate candidates as the index would propose them: every earlier document for the
    # special ones, none for the fresh stories
    candidates = [[d.id for d in docs[:i]] if d in special else [] for i, d in enumerate(docs)]

    def decide(add: Any, copies: list[Document]) -> list[tuple[str, int, str | None]]:
        return [(add(d, None, c), d.version, d.duplicate_of) for d, c in zip(copies, candidates, strict=True)]

    with Store.open(str(tmp_path / "single.db")) as single, Store.open(str(tmp_path / "batch.db")) as batched:
        one_by_one: list[str] = []
        statements: list[str] = []
        event.listen(single.engine, "before_cursor_execute", lambda *args: one_by_one.append(args[2]))
        event.listen(batched.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        alone = decide(lambda d, m, c: single.add_document(d, m, c, None), [replace(d) for d in docs])
        with batched.document_batch() as batch:
            copies = [replace(d) for d in docs]
            batch.expect(copies)
            together = decide(batch.add, copies)
        assert together == alone
        assert {NEW, DUPLICATE, NEW_VERSION, NEAR_DUPLICATE} <= {o for o, _, _ in alone}
        assert batched.documents() == single.documents()
        assert [d.id for d in batched.documents_to_analyse()] == [d.id for d in single.documents_to_analyse()]
        # the fresh stories cost no query each (one by one, each runs two and an insert)
        assert len(statements) <= len(one_by_one) - 3 * len(fresh)
