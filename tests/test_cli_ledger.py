"""The ledger commands on real SQLite files: ledger, why, reanalyse (formats, errors, escaping)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aidtrace import exports, ledger
from aidtrace.cli import app
from aidtrace.exports import LEDGER_FIELDS
from aidtrace.store import Store
from ledger_fixtures import document, event

LEDGER_COMMANDS = ["ledger", "why", "reanalyse"]


def run(*args: str, columns: int = 200) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture
def ledger_db(tmp_path: Path) -> Path:
    """Two reports of one approval (one with hostile text) and a separate later one."""
    db = tmp_path / "l.db"
    hostile = "[bold red]Norway[/] approved =HYPERLINK(\"x\") \x1b[31mNASAMS\x1b[0m for Ukraine."
    with Store.open(str(db)) as store:
        for doc, kwargs in [(document("ntb-0902", "2025-09-02"), {"amount": 2.5e9}),
                            (document("dpa-0904", "2025-09-04", "dpa"), {"sentence": hostile}),
                            (document("ntb-0909", "2025-09-09"), {"when": "2025-09-09", "amount": 9e8,
                                                                  "items": (("missile", None),)})]:
            store.add_document(doc)
            store.save_analysis(doc.id, [], [event(doc, **kwargs)], [])
    return db


@pytest.mark.parametrize("command", LEDGER_COMMANDS)
def test_every_ledger_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_ledger_jsonl_carries_the_documented_fields(ledger_db: Path) -> None:
    result = run("ledger", "--db", str(ledger_db), "--format", "jsonl")
    assert result.exit_code == 0
    recs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["reports"] for r in recs] == [2, 1]
    wanted = {"ledger_id", "type", "mode", "context", "actor", "recipient", "status", "status_history", "date",
              "value", "items", "reports", "documents", "first_reported", "last_reported", "evidence"}
    assert wanted <= set(recs[0])
    assert recs[0]["documents"] == ["ntb-0902", "dpa-0904"] and len(recs[0]["evidence"]) == 2


def test_ledger_filters_and_csv(ledger_db: Path) -> None:
    since = run("ledger", "--db", str(ledger_db), "--since", "2025-09-05", "--format", "jsonl")
    assert [json.loads(line)["reports"] for line in since.stdout.splitlines()] == [1]
    assert run("ledger", "--db", str(ledger_db), "--actor", "USA", "--format", "jsonl").stdout == ""
    rows = list(csv.DictReader(io.StringIO(run("ledger", "--db", str(ledger_db), "--format", "csv").stdout)))
    assert tuple(rows[0]) == LEDGER_FIELDS and rows[0]["reports"] == "2" and rows[0]["actor"] == "NOR"
    bad = run("ledger", "--db", str(ledger_db), "--status", "sent")
    assert bad.exit_code == 2 and "not a status" in bad.stderr


def test_the_ledger_table_shows_article_text_inert(ledger_db: Path) -> None:
    result = run("ledger", "--db", str(ledger_db), "--status", "approved", columns=300)
    assert result.exit_code == 0 and "NOR → UKR" in result.stdout
    why = run("why", json.loads(run("ledger", "--db", str(ledger_db), "--format", "jsonl")
                                .stdout.splitlines()[0])["ledger_id"], "--db", str(ledger_db))
    assert "[bold red]Norway[/]" in why.stdout  # markup shown as text, not applied
    assert "\x1b" not in why.stdout and "\x1b" not in result.stdout


def test_why_explains_each_report(ledger_db: Path) -> None:
    first = json.loads(run("ledger", "--db", str(ledger_db), "--format", "jsonl").stdout.splitlines()[0])
    result = run("why", first["ledger_id"], "--db", str(ledger_db))
    assert result.exit_code == 0
    assert "founder" in result.stdout and "restatement" in result.stdout and "parties: NOR>UKR" in result.stdout
    (line,) = run("why", first["events"][0], "--db", str(ledger_db), "--format", "jsonl").stdout.splitlines()
    assert json.loads(line)["ledger"]["ledger_id"] == first["ledger_id"]
    missing = run("why", "Lnope", "--db", str(ledger_db))
    assert missing.exit_code == 1 and "neither a ledger id" in missing.stderr
    assert missing.stderr.count("\n") == 1


def test_csv_cells_that_look_like_formulas_are_neutralised(ledger_db: Path) -> None:
    with Store.open(str(ledger_db)) as store:
        ledger.update(store)
        (rec,) = ledger.query(store, ledger.LedgerFilter(since="2025-09-05"))
    rec["evidence"][0]["sentence"] = "=cmd|' /C calc'!A0"
    rec["actor"][0]["name"] = "@SUM(A1)"
    out = io.StringIO()
    exports.write_csv(exports.evidence_rows(rec), out, exports.EVIDENCE_FIELDS)
    exports.write_csv([exports.flat_ledger(rec)], out, exports.LEDGER_FIELDS)
    text = out.getvalue()
    assert "'=cmd|" in text and ",=cmd" not in text and "'@SUM(A1)" in text


def test_reanalyse_needs_a_scope_and_re_codes(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(
        " date 2025-06-10 Stockholm, Jun 10 (TT) Sweden announced a military aid package for Ukraine on "
        "June 10 that includes 20 CV90 infantry fighting vehicles.\n", encoding="utf-8")
    assert run("ingest", str(tmp_path / "news"), "--db", str(db)).exit_code == 0
    before = run("ledger", "--db", str(db), "--format", "jsonl").stdout
    assert run("reanalyse", "--db", str(db)).exit_code == 2
    assert run("reanalyse", "--all", "--failed", "--db", str(db)).exit_code == 2
    assert run("reanalyse", "--since", "June", "--db", str(db)).exit_code == 2
    result = run("reanalyse", "--all", "--db", str(db))
    assert result.exit_code == 0 and "analysed" in result.stdout
    assert run("ledger", "--db", str(db), "--format", "jsonl").stdout == before
    assert run("reanalyse", "--failed", "--db", str(db)).exit_code == 0
    assert run("reanalyse", "--since", "2025-07-01", "--db", str(db)).exit_code == 0
