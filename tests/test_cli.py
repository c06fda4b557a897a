"""The command line: exit codes, output formats and messages, on real SQLite files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from aidtrace.cli import app
from aidtrace.pipeline import DOCUMENT_FIELDS
from aidtrace.store import Store
from test_pipeline import mixed_dir  # noqa: F401  (a fixture shared with the pipeline tests)
from test_store import make_claim, make_doc, make_event

COMMANDS = ["ingest", "docs", "mentions", "actors", "events", "claims", "export", "code", "eval", "reanalyse", "watch"]


def run(*args: str, columns: int = 80) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": str(columns)})


@pytest.fixture
def seeded_db(seeds_dir: Path, tmp_path: Path) -> Path:
    db = tmp_path / "s.db"
    assert run("ingest", str(seeds_dir), "--db", str(db)).exit_code == 0
    return db


@pytest.fixture
def coded_db(tmp_path: Path) -> Path:
    """A database with one document, one event and one claim, stored directly."""
    db = tmp_path / "c.db"
    with Store.open(str(db)) as store:
        doc = make_doc()
        store.add_document(doc)
        store.save_analysis(doc.id, [], [make_event(doc)], [make_claim(doc)])
    return db


# ---------------------------------------------------------------------- help and usage errors


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


@pytest.mark.parametrize("args", [
    ["ingest", "x", "--format", "xml"],
    ["docs", "--bogus"],
    ["docs", "--format", "yaml"],
    ["ingest"],
    ["export", "--format", "jsonl"],  # -o missing
    ["ingest", ".", "--date", "02/07/2025"],
])
def test_bad_command_lines_exit_2(args: list[str]) -> None:
    assert run(*args).exit_code == 2


def test_a_database_in_a_missing_directory_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "a.db"
    result = run("ingest", str(tmp_path), "--db", str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr and "does not exist" in result.stderr
    assert result.stderr.count("\n") == 1  # one line, no traceback


def test_reading_a_missing_database_is_a_usage_error(tmp_path: Path) -> None:
    result = run("docs", "--db", str(tmp_path / "typo.db"))
    assert result.exit_code == 2 and "typo.db" in result.stderr
    assert not (tmp_path / "typo.db").exists()


# ---------------------------------------------------------------------- ingest and docs


def test_seed_ingest_and_docs_jsonl(seeded_db: Path) -> None:
    result = run("docs", "--db", str(seeded_db), "--format", "jsonl")
    assert result.exit_code == 0
    docs = {d["external_id"][:3]: d for d in map(json.loads, result.stdout.splitlines())}
    assert all(tuple(d) == DOCUMENT_FIELDS for d in docs.values())
    assert (docs["000"]["published"], docs["000"]["dateline_place"], docs["000"]["agency"]) == (
        "2025-07-02", "Kyiv", "AP")
    assert (docs["003"]["published"], docs["003"]["agency"]) == ("2025-09-24", "Reuters")
    assert docs["003"]["title"] == "Ukraine to discuss details of joint arms output deal with US next week"
    assert docs["000"]["version"] == 1 and docs["000"]["duplicate_of"] is None


def test_a_second_ingest_reports_nothing_new(seeds_dir: Path, seeded_db: Path) -> None:
    before = run("docs", "--db", str(seeded_db), "--format", "jsonl").stdout
    result = run("ingest", str(seeds_dir), "--db", str(seeded_db))
    assert result.exit_code == 0
    rows = dict(line.strip().rsplit(None, 1) for line in result.stdout.splitlines()[2:] if line.strip())
    assert (rows["new"], rows["duplicate"], rows["rejected"]) == ("0", "2", "0")
    assert run("docs", "--db", str(seeded_db), "--format", "jsonl").stdout == before


def test_rejected_inputs_exit_1_with_one_line_each(mixed_dir: Path, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "m.db"
    result = run("ingest", str(mixed_dir), "--db", str(db))
    assert result.exit_code == 1
    rejected = [line for line in result.stderr.splitlines() if line.startswith("rejected ")]
    assert len(rejected) == 3
    assert any("wire.jsonl:2: " in line and " — " in line for line in rejected)
    stored = run("docs", "--db", str(db), "--format", "jsonl").stdout.splitlines()
    assert len(stored) == 4


def test_ingest_reads_standard_input(tmp_path: Path) -> None:
    record = {"id": "oslo-1", "date": "2025-09-04",
              "text": "Norway will donate two NASAMS systems to Ukraine, the defence ministry said on Thursday."}
    db = tmp_path / "in.db"
    result = CliRunner().invoke(app, ["ingest", "-", "--db", str(db)], input=json.dumps(record) + "\n")
    assert result.exit_code == 0
    (doc,) = map(json.loads, run("docs", "--db", str(db), "--format", "jsonl").stdout.splitlines())
    assert (doc["external_id"], doc["published"]) == ("oslo-1", "2025-09-04")


def test_the_database_comes_from_the_environment(seeded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDTRACE_DB", str(seeded_db))
    result = run("docs")
    assert result.exit_code == 0 and "Reuters" in result.stdout


def test_docs_table(seeded_db: Path) -> None:
    result = run("docs", "--db", str(seeded_db))
    assert result.exit_code == 0 and "Kyiv" in result.stdout


# ---------------------------------------------------------------------- events, claims, export


def test_events_formats_and_filters(coded_db: Path) -> None:
    lines = run("events", "--db", str(coded_db), "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["type"] for line in lines] == ["AID"]
    assert run("events", "--db", str(coded_db), "--actor", "USA", "--format", "jsonl").stdout == ""
    rows = list(csv.DictReader(io.StringIO(run("events", "--db", str(coded_db), "--format", "csv").stdout)))
    assert rows[0]["actor"] == "DEU"
    table = run("events", "--db", str(coded_db), "--since", "2025-01-01", columns=160).stdout
    assert "2025-03-04   AID" in table and "DEU → UKR" in table and "Germany will send" in table


def test_a_bad_filter_exits_2(coded_db: Path) -> None:
    result = run("events", "--db", str(coded_db), "--since", "last week")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr
    result = run("events", "--db", str(coded_db), "--type", "HELP")
    assert result.exit_code == 2 and "PLOVER" in result.stderr


def test_claims(coded_db: Path) -> None:
    (line,) = run("claims", "--db", str(coded_db), "--format", "jsonl").stdout.splitlines()
    assert json.loads(line)["measure"] == "military_aid_total"
    assert "military_aid_total" in run("claims", "--db", str(coded_db), columns=160).stdout


def test_export_to_a_file_and_to_stdout(coded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert run("export", "--db", str(coded_db), "--format", "jsonl", "-o", str(out)).exit_code == 0
    stdout = run("export", "--db", str(coded_db), "-o", "-").stdout
    assert out.read_text(encoding="utf-8") == stdout
    assert [json.loads(line)["record"] for line in stdout.splitlines()] == ["event", "claim"]


def test_export_to_an_unwritable_place_exits_2(coded_db: Path, tmp_path: Path) -> None:
    result = run("export", "--db", str(coded_db), "-o", str(tmp_path / "no" / "out.jsonl"))
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_mentions_and_actors_on_an_empty_analysis(coded_db: Path) -> None:
    assert run("mentions", "--db", str(coded_db), "--format", "jsonl").stdout == ""
    assert run("actors", "--db", str(coded_db)).exit_code == 0


# ---------------------------------------------------------------------- eval and code


def test_eval_from_db_and_from_file_print_the_same_report(coded_db: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"kind": "event", "doc": "a.txt", "id": "g1", "required": True,
                                "type": ["AID"], "actor": ["DEU"]}) + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    run("export", "--db", str(coded_db), "-o", str(pred))
    by_db = run("eval", str(gold), "--db", str(coded_db))
    by_file = run("eval", str(gold), "--pred", str(pred))
    assert by_db.exit_code == by_file.exit_code == 0
    assert by_db.stdout == by_file.stdout and "recall 1.0 (1/1)" in by_db.stdout
    assert json.loads(run("eval", str(gold), "--pred", str(pred), "--json").stdout)["recall"] == 1.0


def test_eval_with_both_sources_or_a_broken_gold_file(coded_db: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text("{not json\n", encoding="utf-8")
    assert run("eval", str(gold), "--db", str(coded_db), "--pred", str(gold)).exit_code == 2
    broken = run("eval", str(gold), "--db", str(coded_db))
    assert broken.exit_code == 1 and "gold.jsonl:1" in broken.stderr


def test_code_without_text_exits_2() -> None:
    assert run("code", "  ").exit_code == 2


def test_the_console_script_runs() -> None:
    result = subprocess.run([str(Path(sys.executable).with_name("aidtrace")), "docs", "--format", "xml"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "xml" in result.stderr


def test_failed_analysis_exits_1_and_names_the_document(seeds_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # a spaCy pipeline that cannot be loaded makes every analysis fail; the documents stay stored
    monkeypatch.setenv("AIDTRACE_SPACY_MODEL", "aidtrace_no_such_model")
    db = tmp_path / "f.db"
    result = CliRunner().invoke(app, ["ingest", str(seeds_dir), "--db", str(db)])
    assert result.exit_code == 1
    assert "000_16509b5f7bfc3739.txt" in result.stderr and "aidtrace_no_such_model" in result.stderr
    stored = run("docs", "--db", str(db), "--format", "jsonl").stdout.splitlines()
    assert len(stored) == 2


def test_an_internal_error_is_one_line_without_article_text_escapes(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # a bug inside the coder (forced here) must not reach the user as a traceback, and the
    # message, which may quote article text, is shown without control characters
    from aidtrace import cli, pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("bad \x1b[31mthing\nin text")

    monkeypatch.setattr(pipeline, "code_text", broken)
    monkeypatch.setattr(sys, "argv", ["aidtrace", "code", "Germany sent tanks to Ukraine."])
    monkeypatch.delenv("AIDTRACE_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == cli.EXIT_INTERNAL
    message = capsys.readouterr().err
    assert "Traceback" not in message and "\x1b" not in message
    assert "internal error (ValueError: bad thing in text)" in " ".join(message.split())
    assert "AIDTRACE_DEBUG=1" in message
    monkeypatch.setenv("AIDTRACE_DEBUG", "1")
    with pytest.raises(ValueError, match="bad"):
        cli.main()
