"""Issue 11 through the command line: hostile text on every face, failures that can be retried,
many bad lines, concurrent ingests and dropped dates."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aidtrace.cli import app
from aidtrace.model import Claim, Entity, Evidence, Money, Role
from aidtrace.store import Store
from test_store import DEU, UKR, make_doc, make_event

HOSTILE = "Germany [/red] sent [sic] [bold]tanks[/bold] \x1b]0;pwned\x07\x1b[31mred\x1b[0m \u202eevil to Ukraine."


def run(*args: str, columns: int = 250) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """A document, event and claim whose every text field is hostile."""
    db = tmp_path / "h.db"
    with Store.open(str(db)) as store:
        doc = make_doc(HOSTILE, external_id="=HYPERLINK(\"http://x\")[/red]")
        doc.title = "[/red] title [sic]\x1b[2J"
        store.add_document(doc)
        event = make_event(doc)
        event.evidence = Evidence(HOSTILE, 0, len(HOSTILE), "sent")
        event.actor = [Role("=cmd|' /C calc'!A0", Entity(id="DEU", name="[/red]", country="DEU"))]
        claim = Claim(document_id=doc.id, measure="military_aid_total", value=Money(1.0, "EUR", "+1 bn [/b]"),
                      evidence=Evidence(HOSTILE, 0, len(HOSTILE), "sent"), subject=[Role("[sic]", DEU)])
        store.save_analysis(doc.id, [], [event], [claim])
    return db


@pytest.mark.parametrize("command", ["docs", "events", "claims", "mentions", "actors"])
def test_tables_show_markup_literally_and_no_escape_sequences(hostile_db: Path, command: str) -> None:
    result = run(command, "--db", str(hostile_db))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "\x1b" not in result.stdout and "\u202e" not in result.stdout
    if command == "docs":
        assert "[/red] title [sic]" in result.stdout
    if command in ("events", "claims"):
        assert "Germany [/red] sent [sic] [bold]tanks[/bold]" in result.stdout
        assert "pwned" not in result.stdout and "red" in result.stdout


def test_code_output_shows_brackets_literally() -> None:
    result = run("code", "Germany sent [sic] tanks [/red] to Ukraine \x1b[31mtoday.", "--date", "2025-07-01")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "\x1b" not in result.stdout


def test_csv_cells_cannot_run_as_formulas(hostile_db: Path) -> None:
    result = run("export", "--db", str(hostile_db), "--format", "csv", "-o", "-")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@")), (name, value)
    assert rows[0]["external_id"] == "'=HYPERLINK(\"http://x\")[/red]"
    assert rows[0]["actor_text"].startswith("'=cmd")
    assert rows[1]["value_text"] == "'+1 bn [/b]"
    event_csv = run("events", "--db", str(hostile_db), "--format", "csv").stdout
    assert "'=HYPERLINK" in event_csv


def test_jsonl_keeps_the_text_exactly(hostile_db: Path) -> None:
    (rec,) = map(json.loads, run("events", "--db", str(hostile_db), "--format", "jsonl").stdout.splitlines())
    assert rec["evidence"]["sentence"] == HOSTILE


def test_error_messages_carry_no_escape_sequences(tmp_path: Path) -> None:
    name = tmp_path / "evil\x1b[2Jname.txt"
    result = run("ingest", str(name), "--db", str(tmp_path / "e.db"))
    assert result.exit_code == 1 and "\x1b" not in result.stderr and "evil" in result.stderr


def test_twenty_thousand_bad_lines_are_fast_and_summarised(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{broken\n" * 20_000, encoding="utf-8")
    start = time.perf_counter()
    result = run("ingest", str(bad), "--db", str(tmp_path / "b.db"))
    elapsed = time.perf_counter() - start
    assert result.exit_code == 1 and elapsed < 30, elapsed
    assert result.stderr.count("rejected ") == 200 and "19,800 more rejections" in result.stderr
    with Store.open(str(tmp_path / "b.db"), readonly=True) as store:
        assert store.counts()["rejections"] == 20_000


def test_failed_analyses_are_counted_and_retried(seeds_dir: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "f.db"
    monkeypatch.setenv("AIDTRACE_SPACY_MODEL", "aidtrace_no_such_model")
    first = run("ingest", str(seeds_dir), "--db", str(db))
    assert first.exit_code == 1
    again = run("ingest", str(seeds_dir), "--db", str(db))  # nothing new, but the failures are not forgotten
    assert "2 document(s) failed analysis and wait for a retry — run aidtrace reanalyse --failed" in again.stderr
    (row,) = [line.split() for line in again.stdout.splitlines() if "waiting for a retry" in line]
    assert row[-1] == "2"
    monkeypatch.delenv("AIDTRACE_SPACY_MODEL")
    retried = run("reanalyse", "--failed", "--db", str(db))
    assert retried.exit_code == 0, retried.output
    with Store.open(str(db), readonly=True) as store:
        assert store.count_failed() == 0 and store.counts()["events"] > 0
    assert run("reanalyse", "--db", str(db)).exit_code == 2


def test_actor_wildcards_match_nothing(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    with Store.open(str(db)) as store:
        doc = make_doc()
        store.add_document(doc)
        store.save_analysis(doc.id, [], [make_event(doc, actor=DEU, recipient=UKR)], [])
    assert run("events", "--db", str(db), "--actor", "___", "--format", "jsonl").stdout == ""
    assert run("events", "--db", str(db), "--actor", "DEU", "--format", "jsonl").stdout.count("\n") == 1


def test_every_dropped_date_is_a_warning(tmp_path: Path) -> None:
    lines = [{"id": "a", "date": "sometime in July", "text": "Poland will send tanks to Ukraine, officials said."},
             {"id": "b", "date": "2025-02-30", "text": "Norway will send missiles to Ukraine, officials said."},
             {"id": "c", "date": "2025-07-04", "text": " date 2025-06-01 Spain will send shells to Ukraine."}]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    result = run("ingest", str(path), "--db", str(tmp_path / "d.db"))
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning ")]
    assert any("d.jsonl:1: the date 'sometime in July' is not a date" in w for w in warnings)
    assert any("d.jsonl:2: the date '2025-02-30' is not a date" in w for w in warnings)
    assert any("d.jsonl:3: the date" in w and "disagrees" in w for w in warnings)


INGEST = """
import sys
from aidtrace import pipeline
from aidtrace.settings import Settings
s = pipeline.ingest([sys.argv[2]], Settings.load(db=sys.argv[1], batch_size=2))
print(s.analysed, s.failed)
"""


def test_concurrent_ingests_never_analyse_a_document_twice(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    texts = [f"Country number {i} will send {i + 2} howitzers to Ukraine, the ministry in Oslo said. "
             f"The package number {i} also holds {i * 7 + 3} drones and spare parts for tanks."
             for i in range(24)]
    corpus.write_text("\n".join(json.dumps({"id": f"d{i}", "text": t, "date": "2025-05-01"})
                                for i, t in enumerate(texts)) + "\n", encoding="utf-8")
    db = str(tmp_path / "c.db")
    Store.open(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", INGEST, db, str(corpus)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    analysed = sum(int(out.split()[0]) for out, _ in outputs)
    with Store.open(db, readonly=True) as store:
        assert store.counts()["documents"] == 24 and store.count_to_analyse() == 0
    assert analysed == 24  # each document analysed by exactly one of the two runs


def test_the_ledger_table_shows_article_text_literally() -> None:
    from rich.console import Console

    from aidtrace.cli import ledger_table

    record = {"ledger_id": "L1", "type": "AID", "date": {"start": "2025-03-04", "precision": "day"},
              "actor": [{"text": "[/red] Friends [sic]", "country": None, "org": None}],
              "recipient": [{"text": "\x1b]0;x\x07Ukraine", "country": None, "org": None}],
              "status_history": [], "status": "pledged", "value": {"text": "[b]5 bn"}, "reports": 2,
              "evidence": [{"sentence": "They sent [sic] aid [/bold]."}]}
    console = Console(width=250, record=True, force_terminal=False)
    console.print(ledger_table([record]))
    shown = console.export_text()
    assert "[/red] Friends [sic]" in shown and "They sent [sic] aid [/bold]." in shown and "\x1b" not in shown


def test_ingest_refuses_another_applications_database_unless_forced(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "photos.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    story = tmp_path / "a.txt"
    story.write_text("Germany pledged 500 million euros in military aid to Ukraine on Monday.\n", encoding="utf-8")
    refused = run("ingest", str(story), "--db", str(db), "--date", "2025-03-10")
    assert refused.exit_code == 1 and "not an aidtrace database" in refused.stderr and "--force-db" in refused.stderr
    assert refused.stderr.count("\n") == 1
    assert run("docs", "--db", str(db)).exit_code == 1  # a read command refuses it too, without writing
    forced = run("ingest", str(story), "--db", str(db), "--date", "2025-03-10", "--force-db")
    assert forced.exit_code == 0, forced.output
