"""Start-up: help and the read commands never load spaCy, numpy or the coder (issue 12).

Each command runs in a fresh interpreter, which reports the modules it imported when it exits;
how long start-up takes is measured by benchmarks/bench_startup.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aidtrace.store import Store
from test_store import make_claim, make_doc, make_event, mentions_of

# The analysis stack: loading any of these costs seconds (spaCy, the coder's dictionaries) or
# a scipy import (datasketch); none is needed to list, export or score stored results.
HEAVY = ("spacy", "thinc", "numpy", "scipy", "datasketch", "currency_converter", "aidtrace.extract",
         "aidtrace.nlp", "aidtrace.ingest.dedup")

REPORT = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: sys.__stderr__.write('MODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
    "sys.argv = ['aidtrace', *json.loads(sys.argv[1])]\n"
    "from aidtrace.cli import main\n"
    "main()\n"
)


def imported_by(*args: str) -> set[str]:
    """The modules a fresh ``aidtrace ARGS`` process had imported when it exited."""
    result = subprocess.run([sys.executable, "-c", REPORT, json.dumps(list(args))],
                            capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    line = next(ln for ln in result.stderr.splitlines() if ln.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture(scope="module")
def coded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("startup") / "c.db"
    with Store.open(str(db)) as store:
        doc = make_doc()
        store.add_document(doc)
        store.save_analysis(doc.id, mentions_of(doc), [make_event(doc)], [make_claim(doc)])
    return db


def test_help_imports_no_analysis_module() -> None:
    modules = imported_by("--help")
    assert heavy(modules) == []
    assert "sqlalchemy" not in modules and "alembic" not in modules  # not even the store


@pytest.mark.parametrize("args", [
    ["docs"], ["docs", "--format", "jsonl"], ["mentions"], ["actors"], ["events"],
    ["events", "--format", "csv", "--type", "AID"], ["claims"], ["export", "-o", "-"],
])
def test_read_commands_import_no_analysis_module(coded_db: Path, args: list[str]) -> None:
    modules = imported_by(*args, "--db", str(coded_db))
    assert "aidtrace.store.db" in modules  # the command really read the database
    assert heavy(modules) == []


def test_scoring_a_database_imports_no_analysis_module(coded_db: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"kind": "event", "id": "g1", "type": "AID", "actor": "DEU", "recipient": "UKR"}) + "\n",
                    encoding="utf-8")
    assert heavy(imported_by("eval", str(gold), "--db", str(coded_db))) == []


def test_ingest_does_load_the_analysis(tmp_path: Path) -> None:
    """The check above can fail: an ingest run's process does hold spaCy and the coder."""
    text = tmp_path / "a.txt"
    text.write_text("Germany pledged 500 million euros in military aid to Ukraine on Monday.\n", encoding="utf-8")
    modules = imported_by("ingest", str(text), "--db", str(tmp_path / "i.db"), "--date", "2025-03-12")
    assert {"spacy", "aidtrace.extract.coder"} <= modules
