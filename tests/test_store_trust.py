"""Issue 11: the store survives kills, concurrency, foreign and read-only databases, and hostile
values, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect

from aidtrace.errors import StoreError
from aidtrace.model import Rejection
from aidtrace.store import DUPLICATE, NEW, NEW_VERSION, Store
from aidtrace.store.schema import TABLES
from aidtrace.store.setup import APPLICATION_ID, known_revisions
from test_store import ARTICLE, UPDATED, make_doc, make_event, mentions_of

HEAD = known_revisions()[1]


# ---------------------------------------------------------------------- set-up: atomic, serialised


def test_a_set_up_killed_half_way_by_an_old_aidtrace_is_completed(tmp_path: Path) -> None:
    """Before issue 11 a kill during set-up left some tables and no revision: "table runs
    already exists" on every later run. Empty leftovers of aidtrace's own tables are cleared."""
    db = tmp_path / "half.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, started DATETIME NOT NULL)")
    con.commit()
    con.close()
    with Store.open(str(db)) as store:
        assert store.revision() == HEAD
        assert set(TABLES) <= set(inspect(store.engine).get_table_names())


def test_set_up_is_one_transaction_on_sqlite(tmp_path: Path) -> None:
    """A failure inside set-up rolls every table back (SQLite DDL runs inside the transaction)."""
    db = tmp_path / "atomic.db"
    sqlite3.connect(db).close()
    store = Store(__import__("aidtrace.store.setup", fromlist=["make_engine"]).make_engine(f"sqlite:///{db}"))
    from aidtrace.store.setup import write_transaction

    with pytest.raises(RuntimeError), write_transaction(store.engine) as conn:
        conn.exec_driver_sql("CREATE TABLE runs (id INTEGER)")
        raise RuntimeError("killed")
    store.close()
    assert sqlite3.connect(db).execute("SELECT name FROM sqlite_master").fetchall() == []


OPEN_SCRIPT = """
import sys
from aidtrace.store import Store
with Store.open(sys.argv[1]) as store:
    store.start_run({"who": sys.argv[2]})
"""


@pytest.mark.parametrize("copies", [4])
def test_first_runs_at_once_all_succeed(db_url: str, copies: int) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", OPEN_SCRIPT, db_url, str(i)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(copies)]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    assert all(code == 0 for code, _ in results), results
    with Store.open(db_url) as store:
        assert store.revision() == HEAD and len(store.runs()) == copies


# ---------------------------------------------------------------------- foreign and read-only databases


def test_another_applications_sqlite_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "photos.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an aidtrace database .*photos.* --force-db"):
        Store.open(str(db))
    assert [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["photos"]
    with Store.open(str(db), force=True) as store:
        assert store.revision() == HEAD


def test_an_application_id_of_another_program_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("PRAGMA application_id=1234")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not an aidtrace database"):
        Store.open(str(db))


def test_aidtrace_marks_its_sqlite_files(tmp_path: Path) -> None:
    Store.open(str(tmp_path / "a.db")).close()
    assert sqlite3.connect(tmp_path / "a.db").execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


def test_a_foreign_postgresql_database_is_refused(postgres_db: str) -> None:
    import psycopg

    with psycopg.connect(postgres_db.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id serial primary key)")
    with pytest.raises(StoreError, match="not an aidtrace database .*invoices"):
        Store.open(postgres_db)


def test_a_database_from_a_newer_aidtrace_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Store.open(str(db)).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num='9999'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="revision '9999'.*newer aidtrace"):
        Store.open(str(db))
    with pytest.raises(StoreError, match="revision '9999'"):
        Store.open(str(db), readonly=True)


def test_readonly_opening_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    with Store.open(str(db)) as store:
        store.add_document(make_doc())
    before = db.read_bytes()
    with Store.open(str(db), readonly=True) as store:
        assert len(store.documents()) == 1
        with pytest.raises(StoreError):
            store.start_run({})
    assert db.read_bytes() == before


def test_a_read_only_database_file_can_be_read(tmp_path: Path) -> None:
    """Run the real CLI without the capabilities that let root write anywhere, on a read-only
    file in a read-only folder (as a user who may only read them would)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv (util-linux) to drop the right to override permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "a.db"
    with Store.open(str(db)) as store:
        store.add_document(make_doc())
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        aidtrace = Path(sys.executable).parent / "aidtrace"
        result = subprocess.run(["setpriv", "--bounding-set=-all", "--", str(aidtrace), "docs", "--db", str(db)],
                                capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
        assert result.returncode == 0, result.stderr
        assert "IRIS-T for Ukraine" in result.stdout
        write = subprocess.run(["setpriv", "--bounding-set=-all", "--", str(aidtrace), "ingest", str(db),
                                "--db", str(db)], capture_output=True, text=True, timeout=120)
        assert write.returncode != 0 and "Traceback" not in write.stderr
    finally:
        folder.chmod(0o755)


def test_readonly_role_on_postgresql_reads(postgres_db: str) -> None:
    with Store.open(postgres_db) as store:
        store.add_document(make_doc())
    with Store.open(postgres_db, readonly=True) as store:
        assert len(store.documents()) == 1
        with pytest.raises(StoreError, match="read-only"):
            store.start_run({})


# ---------------------------------------------------------------------- versions keyed on content


def test_reverting_an_edit_makes_the_first_version_current_again(store: Store) -> None:
    first, edited, reverted = make_doc(), make_doc(UPDATED), make_doc()
    store.add_document(first)
    store.save_analysis(first.id, mentions_of(first), [make_event(first)], [])
    assert store.add_document(edited) == NEW_VERSION
    store.save_analysis(edited.id, [], [make_event(edited, trigger="arrive")], [])
    assert store.add_document(reverted) == NEW_VERSION
    assert reverted.id == first.id and reverted.version == 1  # versions are keyed on content
    current = store.documents(include_superseded=False)
    assert [(d.id, d.version) for d in current] == [(first.id, 1)]
    assert [r["document"]["id"] for r in store.events()] == [first.id]  # the edit's events are superseded
    assert store.add_document(make_doc()) == DUPLICATE  # and a second copy is a plain duplicate
    third = make_doc(UPDATED + " More.")
    assert store.add_document(third) == NEW_VERSION and third.version == 3  # numbers never repeat


def test_a_stale_copy_of_an_earlier_version_is_not_a_revert(store: Store) -> None:
    store.add_document(make_doc(published=date(2025, 3, 4)))
    edited = make_doc(UPDATED, published=date(2025, 3, 5))
    store.add_document(edited)
    assert store.add_document(make_doc(published=date(2025, 3, 4))) == DUPLICATE
    assert [d.id for d in store.documents(include_superseded=False)] == [edited.id]


def test_reading_versions_again_in_order_changes_nothing(store: Store) -> None:
    for text in (ARTICLE, UPDATED, ARTICLE + " Third."):
        store.add_document(make_doc(text))
    before = [(d.id, d.version) for d in store.documents(include_superseded=False)]
    for text in (ARTICLE, UPDATED, ARTICLE + " Third."):
        store.add_document(make_doc(text))
    assert [(d.id, d.version) for d in store.documents(include_superseded=False)] == before


def test_a_case_only_edit_is_a_new_version(store: Store) -> None:
    store.add_document(make_doc())
    assert store.add_document(make_doc(ARTICLE.replace("Germany", "GERMANY"))) == NEW_VERSION


def test_the_same_content_under_another_id_stays_a_duplicate_after_edits(store: Store) -> None:
    store.add_document(make_doc())
    store.add_document(make_doc(UPDATED))
    assert store.add_document(make_doc(external_id="copy.txt")) == DUPLICATE


# ---------------------------------------------------------------------- hostile values, both backends


def test_nan_in_json_fields_is_stored_as_null_on_both_backends(store: Store) -> None:
    doc = make_doc()
    doc.extra = {"score": math.nan, "nested": [math.inf, 1.5]}
    store.add_document(doc)
    (back,) = store.documents()
    assert back.extra == {"score": None, "nested": [None, 1.5]}


def test_nul_characters_are_refused_alike_on_both_backends(store: Store) -> None:
    doc = make_doc(ARTICLE + "\x00")
    with pytest.raises(StoreError, match="NUL"):
        store.add_document(doc)
    titled = make_doc()
    titled.extra = {"note": "a\x00b"}
    with pytest.raises(StoreError, match="NUL"):
        store.add_document(titled)
    store.add_rejection(Rejection("in\x00.jsonl", "bad \x00 byte", "fix"))
    assert store.rejections()[0].reason == "bad \ufffd byte"
    assert store.counts()["documents"] == 0


def test_like_wildcards_in_codes_match_literally(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.save_analysis(doc.id, [], [make_event(doc)], [])
    assert store.events(actor="___") == [] and store.events(recipient="_K_") == []
    assert len(store.events(actor="DEU")) == 1


def test_twenty_thousand_rejections_take_one_transaction(store: Store) -> None:
    rejections = [Rejection("bad.jsonl", "not valid JSON", "fix it", line=i) for i in range(1, 20_001)]
    start = time.perf_counter()
    store.add_rejections(rejections, store.start_run({}))
    assert time.perf_counter() - start < 20
    assert store.counts()["rejections"] == 20_000


# ---------------------------------------------------------------------- failures and claims


def test_failures_can_be_retried_and_are_counted(store: Store) -> None:
    doc = make_doc()
    store.add_document(doc)
    store.mark_failed(doc.id, "ValueError: boom")
    assert store.count_failed() == 1 and store.count_to_analyse() == 0
    assert store.reset_failed() == 1
    assert store.count_failed() == 0 and [d.id for d in store.documents_to_analyse()] == [doc.id]


def test_claims_give_each_document_to_one_worker(store: Store) -> None:
    docs = [make_doc(f"{ARTICLE} Part {i}.", external_id=f"p{i}") for i in range(5)]
    for doc in docs:
        assert store.add_document(doc) == NEW
    first = store.claim_documents("host-a:1:x", 3)
    second = store.claim_documents("host-b:2:y", 3)
    assert len(first) == 3 and len(second) == 2
    assert not {d.id for d in first} & {d.id for d in second}
    assert store.claim_documents("host-c:3:z", 3) == []
    store.release_claims("host-b:2:y")
    assert {d.id for d in store.claim_documents("host-c:3:z", 3)} == {d.id for d in second}


def test_claims_of_a_dead_process_on_this_host_are_taken_over(store: Store) -> None:
    import socket

    doc = make_doc()
    store.add_document(doc)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert [d.id for d in store.claim_documents(f"{socket.gethostname()}:{dead.pid}:old", 5)] == [doc.id]
    assert [d.id for d in store.claim_documents(f"{socket.gethostname()}:{os.getpid()}:new", 5)] == [doc.id]
