"""Exports: the CONTRACT.md JSON Lines stay as they were, CSV and Parquet are flat with an
evidence file, Parquet reads back equal to the JSON Lines, PLOVER JSON for event-data users."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from aidtrace import exports
from aidtrace.cli import app
from aidtrace.pipeline import CSV_FIELDS, flat_record
from web_server import fill

HOSTILE = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script>'


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "e.db"
    fill(str(path), HOSTILE)
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b)
    return a == b


@pytest.mark.parametrize("ledger_flag", [[], ["--ledger"]])
def test_parquet_reads_back_equal_to_the_jsonl(db: Path, tmp_path: Path, ledger_flag: list[str]) -> None:
    jsonl, parquet = tmp_path / "out.jsonl", tmp_path / "out.parquet"
    assert run("export", "--db", str(db), "-o", str(jsonl), *ledger_flag).exit_code == 0
    assert run("export", "--db", str(db), "--format", "parquet", "-o", str(parquet), *ledger_flag).exit_code == 0
    expected = lines(jsonl)
    table = pq.read_table(parquet).to_pylist()
    assert [json.loads(row["json"]) for row in table] == expected
    flatten = exports.flat_ledger if ledger_flag else flat_record
    for row, rec in zip(table, expected, strict=True):
        flat = flatten(rec)
        assert all(same(row[k], flat[k]) or (flat[k] is not None and row[k] == str(flat[k])) for k in flat), rec
    evidence = pq.read_table(tmp_path / "out.evidence.parquet").to_pylist()
    if ledger_flag:
        assert len(evidence) == sum(len(r["evidence"]) for r in expected)
        assert {e["ledger_id"] for e in evidence} == {r["ledger_id"] for r in expected}
    else:
        assert len(evidence) == sum(1 + len((r["evidence"] or {}).get("also", [])) for r in expected)


def test_the_default_export_keeps_the_contract_and_carries_report_counts(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    assert run("export", "--db", str(db), "-o", str(out)).exit_code == 0
    recs = lines(out)
    assert all(r["record"] in ("event", "claim") and r["contract"] == 1 for r in recs)
    nasams = [r for r in recs if r["document"]["external_id"] in ("ntb-0902", "reuters-0903")]
    assert {r["mentions"] for r in nasams} == {4} and len({r["ledger_id"] for r in nasams}) == 1


def test_csv_is_flat_with_an_evidence_file_and_safe_cells(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.csv"
    assert run("export", "--db", str(db), "--format", "csv", "--ledger", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == exports.LEDGER_FIELDS
    evidence = (tmp_path / "l.evidence.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in evidence and ',=HYPERLINK' not in evidence
    assert len(list(csv.DictReader(evidence.splitlines()))) == sum(int(r["reports"]) for r in rows)
    plain = tmp_path / "p.csv"
    assert run("export", "--db", str(db), "--format", "csv", "-o", str(plain)).exit_code == 0
    assert tuple(next(csv.DictReader(plain.open(encoding="utf-8")))) == CSV_FIELDS
    assert (tmp_path / "p.evidence.csv").exists()


def test_plover_json_for_event_data_users(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "l.plover.jsonl"
    assert run("export", "--db", str(db), "--format", "plover", "--ledger", "-o", str(out)).exit_code == 0
    recs = lines(out)
    halt = [r for r in recs if r["aidtrace"]["status"] == "resumed"][0]
    assert (halt["event_type"], halt["quad_code"], halt["intensity"]) == ("AID", 2, 10)
    assert halt["actor_country"] == ["USA"] and halt["recipient_country"] == ["UKR"]
    assert [s["status"] for s in halt["aidtrace"]["status_history"]] == ["halted", "resumed"]
    nasams = [r for r in recs if r["aidtrace"]["reports"] == 4][0]
    assert nasams["event_date"] == "2025-09-02" and nasams["language"] == "en"
    per_report = tmp_path / "p.plover.jsonl"
    assert run("export", "--db", str(db), "--format", "plover", "-o", str(per_report)).exit_code == 0
    assert all(r["aidtrace"]["record"] == "event" for r in lines(per_report))


def test_parquet_needs_a_file(db: Path) -> None:
    result = run("export", "--db", str(db), "--format", "parquet", "-o", "-")
    assert result.exit_code == 2 and "Parquet is binary" in result.stderr


def test_csv_to_stdout_has_no_evidence_file(db: Path) -> None:
    result = run("export", "--db", str(db), "--format", "csv", "--ledger", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("ledger_id,type")


@pytest.mark.parametrize("options", [["--format", "jsonl"], ["--format", "jsonl", "--ledger"],
                                     ["--format", "csv", "--ledger"], ["--format", "plover"]])
def test_postgresql_exports_what_sqlite_exports(db: Path, postgres_db: str, tmp_path: Path,
                                                options: list[str]) -> None:
    # the same documents and events stored on PostgreSQL give the same files, byte for byte
    fill(postgres_db, HOSTILE)
    files = []
    for name, where in (("sqlite", str(db)), ("pg", postgres_db)):
        out = tmp_path / f"{name}.out"
        result = run("export", "--db", where, *options, "-o", str(out))
        assert result.exit_code == 0, result.output
        files.append(out.read_bytes())
    assert files[0] == files[1] and files[0]
