"""Listing events of a large database (issue 12): the first rows at once, the rest on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidtrace.cli import TABLE_ROWS, app
from aidtrace.store import Store
from test_store import make_doc, make_event

EVENTS = TABLE_ROWS + 30


@pytest.fixture(scope="module")
def many_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with more events than a table shows, on two dates and of two types."""
    db = tmp_path_factory.mktemp("events") / "e.db"
    with Store.open(str(db)) as store:
        doc = make_doc()
        store.add_document(doc)
        events = [make_event(doc, kind="AID" if i % 3 else "SANCTION", trigger=f"send{i}",
                             start="2025-03-04" if i % 2 else "2025-02-01") for i in range(EVENTS)]
        store.save_analysis(doc.id, [], events, [])
    return db


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_the_first_events_in_order_are_the_same_with_a_limit(many_events: Path) -> None:
    with Store.open(str(many_events), create=False) as store:
        every = store.events()
        assert len(every) == EVENTS == store.count_events()
        assert store.events(limit=7) == every[:7]
        assert store.events(type="SANCTION", limit=5) == store.events(type="SANCTION")[:5]
        assert store.count_events(type="SANCTION") == len(store.events(type="SANCTION"))


def test_a_table_shows_the_first_rows_and_says_how_many_there_are(many_events: Path) -> None:
    code, out, err = run("events", "--db", str(many_events))
    assert code == 0
    assert sum("send" in line or "2025-0" in line for line in out.splitlines()) == TABLE_ROWS
    assert f"the first {TABLE_ROWS} of {EVENTS} events" in err
    code, out, err = run("events", "--db", str(many_events), "--limit", "0")
    assert sum("2025-0" in line for line in out.splitlines()) == EVENTS and err == ""


def test_jsonl_lists_every_event_unless_limited(many_events: Path) -> None:
    _, out, err = run("events", "--db", str(many_events), "--format", "jsonl")
    assert len(out.splitlines()) == EVENTS and err == ""
    _, out, err = run("events", "--db", str(many_events), "--format", "jsonl", "--limit", "3")
    assert [json.loads(line)["id"] for line in out.splitlines()] == \
           [json.loads(line)["id"] for line in run("events", "--db", str(many_events), "--format", "jsonl")[1]
            .splitlines()[:3]]
    assert f"the first 3 of {EVENTS} events" in err


def test_every_page_is_the_slice_of_the_whole_list_with_ties_across_documents(tmp_path: Path) -> None:
    """Pages cut through groups of events of one date told by several documents (ordered by ingest
    time, then position): each page is exactly its slice of the whole list."""
    with Store.open(str(tmp_path / "pages.db")) as store:
        for n in range(6):
            doc = make_doc(text=f"Report {n}: Germany will send air defence systems to Ukraine. The first arrive soon.",
                           external_id=f"r{n}.txt")
            store.add_document(doc)
            store.save_analysis(doc.id, [], [make_event(doc, trigger=f"t{n}{i}", start=("2025-03-04", "2025-02-01",
                                                                                        "2025-03-04")[(n + i) % 3])
                                             for i in range(5)], [])
        every = store.events()
        assert len(every) == 30
        for limit in (1, 4, 7, 30):
            for offset in range(0, 31, 3):
                assert store.events(limit=limit, offset=offset) == every[offset:offset + limit], (limit, offset)
