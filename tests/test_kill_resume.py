"""Kill and resume (issue 11): an ingest SIGKILLed at any point, then run again, leaves exactly
what one uninterrupted run leaves — nothing missing, nothing twice.

Kill points are SQL statements: a small driver runs the real ingest in a child process and
SIGKILLs itself just before its Nth statement, N drawn with fixed seeds over every statement of
a clean run (database set-up, storing, claiming, saving analyses, the run log), plus points in
the first statements, where the schema is being set up. A few more kills hit the real command
at random moments, with its worker processes running.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aidtrace import pipeline
from aidtrace.settings import Settings
from conftest import EXAMPLES

# every example article, plus three documents of the wire file (a story, its correction, a near-duplicate)
DOCUMENTS = len(list(EXAMPLES.glob("*.txt"))) + 3

DRIVER = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from aidtrace import pipeline
from aidtrace.settings import Settings

kill_at, count = int(sys.argv[3]), [0]

@event.listens_for(Engine, "before_cursor_execute")
def maybe_die(*args):
    count[0] += 1
    if count[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

pipeline.ingest(sys.argv[2].split(","), Settings.load(db=sys.argv[1], jobs=1))
print(count[0])
"""

STORY = ("Lisbon, Mar 3 (Lusa) Portugal will send {n} armoured ambulances and spare parts for tanks to "
         "Ukraine this spring, Defence Minister Nuno Melo said on Monday. The package also pays for the "
         "training of {m} Ukrainian medics in Portugal.")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Examples, a JSON Lines file with a broken line, a corrected version, and a near-duplicate."""
    root = tmp_path_factory.mktemp("corpus")
    lines = [json.dumps({"id": "pt-1", "date": "2025-03-03", "text": STORY.format(n=12, m=40)}),
             '{"id": "broken", "text": "unterminated',
             json.dumps({"id": "pt-1", "date": "2025-03-04", "text": STORY.format(n=14, m=40)}),
             json.dumps({"id": "pt-copy", "date": "2025-03-03",
                         "text": STORY.format(n=12, m=40).replace("(Lusa)", "(AFP)") + " Lisbon confirmed it."})]
    (root / "wire.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copytree(EXAMPLES, root / "news", ignore=shutil.ignore_patterns("README*"))
    return [str(root / "news"), str(root / "wire.jsonl")]


def snapshot(db: str) -> dict[str, Any]:
    """Everything an ingest decides, without times, run ids and claims."""
    con = sqlite3.connect(db)
    last_run = con.execute("SELECT max(run_id) FROM rejections").fetchone()[0]
    return {
        "documents": sorted(con.execute(
            "SELECT id, external_id, source, content_hash, text, version, duplicate_of, superseded_by, status, "
            "error FROM documents").fetchall()),
        "events": sorted(con.execute("SELECT id, document_id, record, superseded FROM events").fetchall()),
        "claims": sorted(con.execute("SELECT id, document_id, record, superseded FROM claims").fetchall()),
        "mentions": sorted(con.execute('SELECT document_id, start, "end", text, entity_id FROM mentions').fetchall()),
        "rejections": sorted(con.execute("SELECT source, line, reason FROM rejections WHERE run_id = ?",
                                         (last_run,)).fetchall()),
        "claimed": con.execute("SELECT count(*) FROM documents WHERE claimed_by IS NOT NULL").fetchone(),
    }


@pytest.fixture(scope="module")
def clean(corpus: list[str], tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    """The store of one uninterrupted run, and how many statements that run executed."""
    db = str(tmp_path_factory.mktemp("clean") / "clean.db")
    done = subprocess.run([sys.executable, "-c", DRIVER, db, ",".join(corpus), "0"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    state = snapshot(db)
    assert state["events"] and len(state["documents"]) == DOCUMENTS and state["rejections"]
    assert any(d[6] for d in state["documents"]) and any(d[5] == 2 for d in state["documents"])
    return state, int(done.stdout.split()[-1])


def kill_points(statements: int) -> list[int]:
    """24 kill points: 4 among the first statements (set-up), 20 spread over the whole run."""
    rng = random.Random(20261204)
    return sorted(set(rng.sample(range(1, 13), 4) + rng.sample(range(13, statements), 20)))


def phase(db: Path) -> str:
    """How far the killed run got: no file, no schema, no documents, analysing, or finished."""
    if not db.exists():
        return "no database"
    con = sqlite3.connect(db)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "documents" not in tables:
        return "set-up"
    if not con.execute("SELECT count(*) FROM documents").fetchone()[0]:
        return "storing"
    pending = con.execute("SELECT count(*) FROM documents WHERE status='new' AND duplicate_of IS NULL "
                          "AND superseded_by IS NULL").fetchone()[0]
    return "analysing" if pending else "finishing"


def test_an_ingest_killed_at_24_points_and_resumed_equals_a_clean_run(
        corpus: list[str], clean: tuple[dict[str, Any], int], tmp_path: Path) -> None:
    expected, statements = clean
    points = kill_points(statements)
    assert len(points) >= 20
    phases = []
    for point in points:
        db = tmp_path / f"k{point}.db"
        killed = subprocess.run([sys.executable, "-c", DRIVER, str(db), ",".join(corpus), str(point)],
                                capture_output=True, text=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        phases.append(phase(db))
        pipeline.ingest(corpus, Settings.load(db=str(db), jobs=1))  # the next run completes the work
        assert snapshot(str(db)) == expected, f"kill before statement {point} ({phases[-1]})"
    assert {"set-up", "analysing"} <= set(phases), phases


def test_the_command_killed_at_random_moments_with_its_workers(
        corpus: list[str], clean: tuple[dict[str, Any], int], tmp_path: Path) -> None:
    expected, _ = clean
    aidtrace = str(Path(sys.executable).with_name("aidtrace"))
    rng = random.Random(7)
    for i, delay in enumerate(rng.uniform(0.5, 6.0) for _ in range(4)):
        db = tmp_path / f"t{i}.db"
        proc = subprocess.Popen([aidtrace, "ingest", *corpus, "--db", str(db), "--jobs", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        again = subprocess.run([aidtrace, "ingest", *corpus, "--db", str(db), "--jobs", "2"],
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 1, again.stderr  # 1: the broken line is rejected, as in a clean run
        assert snapshot(str(db)) == expected, f"kill after {delay:.2f} s"
        # the killed command's worker processes end with it instead of waiting for ever
        deadline = time.monotonic() + 15
        while _processes_using(db) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _processes_using(db) == []


def _processes_using(db: Path) -> list[int]:
    """Live processes whose command line names ``db`` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(db).encode() in (entry / "cmdline").read_bytes() \
                    and b"\nState:\tZ" not in (entry / "status").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


POSTGRES_DRIVER_POINTS = (1, 3, 6, 9, 40, 120)


def test_kills_during_set_up_and_storing_on_postgresql(corpus: list[str], postgres_db: str) -> None:
    """On PostgreSQL too, a kill at any of these statements leaves a database the next run completes."""
    from aidtrace.store import Store

    for point in POSTGRES_DRIVER_POINTS:
        killed = subprocess.run([sys.executable, "-c", DRIVER, postgres_db, ",".join(corpus), str(point)],
                                capture_output=True, text=True, timeout=300)
        assert killed.returncode in (-signal.SIGKILL, 0), killed.stderr
    summary = pipeline.ingest(corpus, Settings.load(db=postgres_db, jobs=1))
    with Store.open(postgres_db, readonly=True) as store:
        counts = store.counts()
        assert counts["documents"] == DOCUMENTS and store.count_to_analyse() == 0
        assert len({d.id for d in store.documents()}) == counts["documents"]
    assert summary.failed == 0
