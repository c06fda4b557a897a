"""Every query of the ingest path is answered through an index, on SQLite and PostgreSQL (issue 12).

An ingest is run with every SQL statement recorded; each recorded statement is then explained
with the parameters it ran with. A full scan of a table would make ingest cost grow with the
size of the store (quadratic in all), so the only one allowed is the load of the near-duplicate
index, which reads every live signature once per run by design.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from aidtrace import pipeline
from aidtrace.settings import Settings
from aidtrace.store import Store
from test_store import make_claim, make_doc, make_event, mentions_of

# Our own words: a story, its corrected version under the same id, and the same story
# retold by another outlet (a near-duplicate of the first).
STORY = ("Kyiv, May 6 (Reuters) Denmark will send twelve more armoured vehicles to Ukraine and pay for "
         "their maintenance for two years, the Danish defence ministry said on Tuesday. The vehicles "
         "are due to arrive before the autumn, a spokesman for the ministry told reporters in Copenhagen.")
CORRECTED = STORY.replace("twelve", "fourteen")
RETOLD = STORY.replace("(Reuters)", "(AFP)") + " Denmark gave similar help last year."
OTHER = ("Warsaw, May 7 (PAP) Poland and Lithuania agreed to hold joint air defence exercises near "
         "their shared border next month, the two defence ministers said after talks in Vilnius.")

TABLES = ("documents", "events", "claims", "mentions", "rejections", "runs")
# The near-duplicate index is rebuilt from every live signature at the start of a run.
ALLOWED_SCANS = ("documents.minhash",)


def _write(path: Path, records: list[dict[str, str]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _recorded_ingest(store: Store, tmp_path: Path) -> list[tuple[str, Any]]:
    """Two ingest runs (new documents; then a new version and a near-duplicate), every statement kept."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool) -> None:
        if not many:
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    settings = Settings.load(db="unused", jobs=1)
    url = "https://news.example/denmark-vehicles"
    first = _write(tmp_path / "first.jsonl", [{"id": "story", "text": STORY, "date": "2025-05-06", "url": url},
                                              {"id": "other", "text": OTHER, "date": "2025-05-07"}])
    second = _write(tmp_path / "second.jsonl", [{"id": "story-2", "text": CORRECTED, "date": "2025-05-06", "url": url},
                                                {"id": "retold", "text": RETOLD, "date": "2025-05-06"}])
    for path in (first, second):
        pipeline.ingest([path], settings, store=store)
    event.remove(store.engine, "before_cursor_execute", record)
    summary = store.counts()
    assert summary["documents"] == 4 and summary["events"] > 0  # both paths really ran
    return [(s, p) for s, p in seen if _is_data_query(s)]


def _is_data_query(statement: str) -> bool:
    words = statement.split()
    return bool(words) and words[0].upper() in ("SELECT", "UPDATE", "DELETE") and any(
        t in statement for t in TABLES) and "alembic_version" not in statement


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(str(tmp_path / "plans.db")) as store:
        yield store


def test_sqlite_ingest_queries_use_indexes(sqlite_store: Store, tmp_path: Path) -> None:
    queries = _recorded_ingest(sqlite_store, tmp_path)
    assert any("documents.external_id" in s and "superseded_by IS NULL" in s for s, _ in queries)
    scans = []
    with sqlite_store.engine.connect() as conn:
        for statement, params in queries:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            full = [p for p in plan if p.startswith("SCAN ") and " USING " not in p]
            if (full and not any(a in statement for a in ALLOWED_SCANS)) or _null_search(statement, plan):
                scans.append((statement, plan))
    assert scans == []


def _null_search(statement: str, plan: list[str]) -> bool:
    """An index searched only for ``col IS NULL`` on a column that is null in nearly every row:
    a full scan in disguise (how the latest-version lookup went quadratic)."""
    columns = re.findall(r"USING (?:COVERING )?INDEX \w+ \((\w+)=\?\)", " ".join(plan))
    return any(f"{c} IS NULL" in statement and f"{c} =" not in statement for c in columns)


def test_the_latest_version_lookup_uses_the_id_and_url_indexes(sqlite_store: Store, tmp_path: Path) -> None:
    queries = _recorded_ingest(sqlite_store, tmp_path)
    statement, params = next((s, p) for s, p in queries if "ORDER BY documents.version DESC" in s)
    with sqlite_store.engine.connect() as conn:
        plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
    assert "ix_documents_external_id" in plan and "ix_documents_url" in plan and "superseded_by" not in plan


def test_the_analysis_queue_is_read_through_its_partial_index(sqlite_store: Store, tmp_path: Path) -> None:
    queries = _recorded_ingest(sqlite_store, tmp_path)
    pending = [(s, p) for s, p in queries if "status = 'new'" in s]
    assert len(pending) >= 2  # the count and the chunks
    with sqlite_store.engine.connect() as conn:
        for statement, params in pending:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params))
            # the free documents in ingest order; those claimed by processes now gone through
            # the (small) index of claimed documents
            assert ("ix_documents_pending" in plan or "ix_documents_claimed_by" in plan) and "TEMP B-TREE" not in plan


def test_postgresql_ingest_queries_can_use_indexes(postgres_server: str, tmp_path: Path) -> None:
    import psycopg

    admin = postgres_server.replace("postgresql+psycopg", "postgresql") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS aidtrace_plans")
        conn.execute("CREATE DATABASE aidtrace_plans")
    scans = []
    with Store.open(f"{postgres_server}/aidtrace_plans") as store:
        queries = _recorded_ingest(store, tmp_path)
        with store.engine.connect() as conn:
            # Tiny tables are cheapest to scan; forbidding scans shows whether an index could serve.
            conn.exec_driver_sql("SET enable_seqscan = off")
            for statement, params in queries:
                plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + statement, params)]
                if any("Seq Scan" in p for p in plan) and not any(a in statement for a in ALLOWED_SCANS):
                    scans.append((statement, plan))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE aidtrace_plans")
    assert scans == []


# ---------------------------------------------------------------------- cost against store size


class Steps:
    """Counts SQLite virtual-machine steps (in hundreds) over every connection of a store: a
    measure of the work a query does that, unlike time, does not depend on the machine."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        store.engine.dispose()  # new connections get the handler
        event.listen(store.engine, "connect", self._install)

    def _install(self, dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_progress_handler(self._step, 100)

    def _step(self) -> int:
        self.count += 1
        return 0

    def of(self, operation: Any) -> int:
        before = self.count
        operation()
        return self.count - before


def _store_with(path: Path, n: int) -> Store:
    store = Store.open(str(path))
    for i in range(n):
        store.add_document(make_doc(f"Story number {i}: Germany sends aid to Ukraine.", external_id=f"d{i}", url=f"https://x/{i}"))
    return store


def _operations(store: Store, steps: Steps) -> dict[str, int]:
    """The work of each ingest-path store operation, on a store of any size."""
    new = make_doc("A story nobody stored before.", external_id="new", url="https://x/new")
    version = make_doc("Story number 7: Germany sends aid to Ukraine, corrected.", external_id="d7", url="https://x/7")
    claimed: list[Any] = []
    cost = {
        "add a new document": steps.of(lambda: store.add_document(new)),
        "add a new version": steps.of(lambda: store.add_document(version)),
        "claim a partition": steps.of(lambda: claimed.extend(store.claim_documents("host:1:a", 16))),
        "claim the next one": steps.of(lambda: claimed.extend(store.claim_documents("host:1:a", 16))),
    }
    doc = claimed[0]
    cost["save an analysis"] = steps.of(lambda: store.save_analysis(
        doc.id, mentions_of(doc), [make_event(doc)], [make_claim(doc)]))
    cost["record a failure"] = steps.of(lambda: store.mark_failed(claimed[1].id, "ValueError: x"))
    assert len({d.id for d in claimed}) == 32  # the second claim skipped the first partition
    return cost


def test_ingest_store_operations_do_not_grow_with_the_store(tmp_path: Path) -> None:
    small = _store_with(tmp_path / "small.db", 200)
    large = _store_with(tmp_path / "large.db", 2000)
    try:
        costs = [_operations(store, Steps(store)) for store in (small, large)]
    finally:
        small.close()
        large.close()
    # A B-tree one level deeper costs a little more; a scan would cost ten times more.
    grown = {op: (costs[0][op], costs[1][op]) for op in costs[0] if costs[1][op] > 1.5 * costs[0][op] + 20}
    assert grown == {}


def test_ledger_filters_sorts_and_totals_read_the_covering_index_not_the_rows(tmp_path: Path) -> None:
    """The dashboard's queries (issue 10) never read ledger rows, a few kilobytes each, to filter,
    count, sort or sum: only the covering index, then the records of the page by id."""
    from sqlalchemy import func

    from aidtrace.store import schema as t

    le = t.ledger_events.c
    with Store.open(str(tmp_path / "plans.db")) as store, store.engine.connect() as conn:
        filters = [({"actor": "DEU", "statuses": ("delivered",)}, None), ({"recipient": "UKR", "since": "2024-01-01",
                   "until": "2024-06-30"}, "-value"), ({"category": "air defence", "family": "aid"}, "reports"), ({}, None)]
        for args, order in filters:
            base = {"type": None, "actor": None, "recipient": None, "statuses": (), "since": None, "until": None,
                    "family": None, **args}
            queries = [store.ledger._filtered([func.count(le.id)], **base),
                       store.ledger._filtered([le.id], **base).order_by(*store.ledger._order(order)).limit(100),
                       store.ledger._filtered([le.id, le.value_eur, le.actor_codes, le.date_precision, le.stated],
                                              **base).order_by(le.date_start, le.id)]
            for query in queries:
                sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
                steps = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
                reads = [s for s in steps if "ledger_events" in s]
                assert reads and all("COVERING INDEX" in s for s in reads), (args, order, steps)


def test_event_filters_and_their_sort_read_indexes_not_rows(tmp_path: Path) -> None:
    """Listing events (the API, `aidtrace events`) filters, counts and sorts through the events'
    covering index: no event row, with its record, is read before the page is known (the sort
    looks up each matching event's document by id for its ingest time)."""
    from sqlalchemy import func, select

    from aidtrace.store import schema as t

    e, d = t.events.c, t.documents.c
    with Store.open(str(tmp_path / "plans.db")) as store, store.engine.connect() as conn:
        for args in ({"type": "AID", "actor": "DEU"}, {"recipient": "UKR", "since": "2024-01-01", "status": "pledged"},
                     {"type": "SANCTION"}):
            where = store._event_filters(args.get("type"), args.get("actor"), args.get("recipient"), args.get("since"),
                                         None, False, args.get("status"))
            page = (select(e.id).join(t.documents, d.id == e.document_id).where(*where)
                    .order_by(e.date_start.is_(None), e.date_start, d.ingested_at, e.document_id, e.seq).limit(100))
            for query in (select(func.count()).select_from(t.events).where(*where), page):
                sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
                steps = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
                reads = [s for s in steps if s.startswith(("SCAN events", "SEARCH events"))]
                assert reads and all("COVERING INDEX" in s for s in reads), (args, steps)
