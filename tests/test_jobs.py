"""Worker processes (``--jobs``, issue 12): the same stored results as one process, on real spaCy."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aidtrace import pipeline
from aidtrace.runtime import BUSY_GC_THRESHOLDS
from aidtrace.settings import Settings

# Columns that differ between any two runs (times, run ids, the worker that claimed a document).
VOLATILE = {"ingested_at", "run_id", "claimed_by", "claimed_at", "created_at", "id:rejections",
            "id:mentions"}
TABLES = ("documents", "rejections", "mentions", "events", "claims")


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every results table without its volatile columns, in a stable order."""
    con = sqlite3.connect(db)
    out = {}
    for table in TABLES:
        cursor = con.execute(f"SELECT * FROM {table}")
        names = [d[0] for d in cursor.description]
        keep = [i for i, n in enumerate(names) if n not in VOLATILE and f"{n}:{table}" not in VOLATILE]
        out[table] = sorted((tuple(row[i] for i in keep) for row in cursor), key=repr)
    return out


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, shared: Path) -> list[str]:
    """Many small files (the news dev set and the seeds) and one JSON Lines file of 24 stories
    holding a corrected version of one of them and a copy from another outlet."""
    folder = tmp_path_factory.mktemp("inputs")
    lines = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()
    stories = [json.loads(line) for line in lines[:22]]
    corrected = dict(stories[3], text=stories[3]["text"].replace(".", ";", 1))
    retold = dict(stories[5], id="retold", url=None, text=stories[5]["text"] + " Another outlet added this.")
    (folder / "voa.jsonl").write_text("".join(json.dumps(s) + "\n" for s in [*stories, corrected, retold]),
                                      encoding="utf-8")
    return [str(shared / "seeds"), str(shared / "acceptance" / "news_dev"), str(folder / "voa.jsonl")]


def ingest(inputs: list[str], db: Path, jobs: int, **settings: Any) -> pipeline.RunSummary:
    return pipeline.ingest(inputs, Settings.load(db=str(db), jobs=jobs, **settings))


def test_two_workers_store_what_one_process_stores(inputs: list[str], tmp_path: Path) -> None:
    one = ingest(inputs, tmp_path / "one.db", jobs=1)
    two = ingest(inputs, tmp_path / "two.db", jobs=2)
    assert one.counts() == two.counts()
    assert one.new_version == 1 and one.near_duplicate == 1 and one.events > 100  # every path ran
    assert snapshot(tmp_path / "one.db") == snapshot(tmp_path / "two.db")


def test_failures_in_workers_are_recorded_like_in_one_process(inputs: list[str], tmp_path: Path) -> None:
    seeds = inputs[:1]
    one = ingest(seeds, tmp_path / "one.db", jobs=1, spacy_model="aidtrace_no_such_model")
    two = ingest(seeds, tmp_path / "two.db", jobs=2, spacy_model="aidtrace_no_such_model")
    assert one.failed == two.failed == 2
    assert sorted(one.failures) == sorted(two.failures)
    assert "aidtrace_no_such_model" in one.failures[0][1]
    assert snapshot(tmp_path / "one.db") == snapshot(tmp_path / "two.db")


def test_the_command_line_runs_workers(shared: Path, tmp_path: Path) -> None:
    aidtrace = str(Path(sys.executable).with_name("aidtrace"))
    result = subprocess.run([aidtrace, "ingest", str(shared / "seeds"), "--db", str(tmp_path / "two.db"),
                             "--jobs", "2"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    ingest([str(shared / "seeds")], tmp_path / "one.db", jobs=1)
    assert snapshot(tmp_path / "one.db") == snapshot(tmp_path / "two.db")
    assert snapshot(tmp_path / "one.db")["events"]


def test_jobs_zero_means_one_worker_per_core() -> None:
    executor = pipeline.executor_for(Settings.load(jobs=0))
    with executor:
        assert isinstance(executor, pipeline.ProcessExecutor if pipeline.available_cores() > 1
                          else pipeline.LocalExecutor)
    assert isinstance(pipeline.executor_for(Settings.load(jobs=1)), pipeline.LocalExecutor)



PRELOAD_DRIVER = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
from preload_probe import gc_thresholds, gc_thresholds_once_loaded, models_loaded
from aidtrace import pipeline
from aidtrace.settings import Settings

def loaded_now(model):
    time.sleep(2)
    return model in pipeline._LOADED

if __name__ == "__main__":
    model = Settings().spacy_model
    with pipeline.ProcessExecutor(2, preload=model) as executor:
        print(list(executor.map(models_loaded, [model, model])))
        print(list(executor.map(gc_thresholds_once_loaded, [model, model])))
    with pipeline.ProcessExecutor(2) as executor:
        print(list(executor.map(loaded_now, [model, model])))
        print(list(executor.map(gc_thresholds, [0, 1])))
"""


def test_workers_load_the_models_as_they_start() -> None:
    """The workers load spaCy and the dictionaries in a thread of their own from the start, while
    the parent opens the store and the documents are read; the first analysis finds them loaded.
    Without ``preload`` nothing is loaded before an analysis asks (a fresh process, so that no
    model is inherited). A worker that has loaded its models collects garbage every 50,000 new
    objects (``runtime.BUSY_GC_THRESHOLDS``); one that has not keeps Python's default."""
    done = subprocess.run([sys.executable, "-c", PRELOAD_DRIVER], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    busy = str(BUSY_GC_THRESHOLDS)
    assert done.stdout.split("\n")[:4] == ["[True, True]", f"[{busy}, {busy}]", "[False, False]",
                                           "[(700, 10, 10), (700, 10, 10)]"]


BLAS_DRIVER = """
import numpy  # before aidtrace: its BLAS has started with a thread per core
from threadpoolctl import threadpool_info
from aidtrace import pipeline

def blas_threads(_):
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

if __name__ == "__main__":
    with pipeline.ProcessExecutor(2) as executor:
        print(list(executor.map(blas_threads, [0, 1])), blas_threads(0))
"""


def test_workers_run_one_blas_thread_even_when_numpy_was_imported_first() -> None:
    """A program that imported numpy before aidtrace forks workers whose BLAS would start a thread
    per core (a parse at half speed): the workers limit it to one."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                            "MKL_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", BLAS_DRIVER], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    workers, parent = done.stdout.split("]")
    assert workers + "]" == "[1, 1]" and int(parent) == 1  # the parent's own pool, limited before the fork


@pytest.mark.parametrize(("size", "pending", "workers", "expected"), [
    (128, 10_000, 2, 128),  # a long run: the configured size
    (128, 89, 2, 12),  # a short one: four partitions per worker (89 / 8, rounded up)
    (16, 89, 2, 12),
    (16, 3, 2, 1),
    (16, 0, 2, 1),
    (128, 1_000, 16, 16),  # a larger cluster cuts finer
])
def test_analysis_partitions_give_every_worker_work(size: int, pending: int, workers: int, expected: int) -> None:
    assert pipeline.analysis_partition_size(size, pending, workers) == expected


class RecordingExecutor(pipeline.LocalExecutor):
    """Runs partitions in this process, as ``--jobs 1``, as if it had ``workers`` workers, and
    records the size of each analysis partition."""

    partition_size = 128

    def __init__(self, workers: int) -> None:
        self.workers, self.sizes = workers, []

    def worker_count(self) -> int:
        return self.workers

    def map(self, fn: Any, partitions: Any) -> Any:
        for partition in partitions:
            if getattr(fn, "func", None) is pipeline.analyse_partition:
                self.sizes.append(len(partition))
            yield fn(partition)


def test_a_short_run_is_cut_into_partitions_for_every_worker(shared: Path, tmp_path: Path) -> None:
    lines = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()[:10]
    (tmp_path / "ten.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    executor = RecordingExecutor(workers=2)
    summary = pipeline.ingest([str(tmp_path / "ten.jsonl")], Settings.load(db=str(tmp_path / "a.db")),
                              executor=executor)
    assert summary.analysed == 10
    # 10 documents, at least 4 partitions per worker: 2 at first, then 1 at a time to the end
    assert executor.sizes == [2] + [1] * 8


def test_partitions_get_smaller_towards_the_end_of_a_long_run(shared: Path, tmp_path: Path) -> None:
    """Guided sizes: the configured size while much is left, then smaller partitions, down to a
    quarter of the first, so that the workers end together."""
    lines = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    (tmp_path / "forty.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    executor = RecordingExecutor(workers=1)
    executor.partition_size = 8
    summary = pipeline.ingest([str(tmp_path / "forty.jsonl")], Settings.load(db=str(tmp_path / "a.db"), learned=False),
                              executor=executor)
    assert summary.analysed == 40
    # 40 left: 8 (the configured size); then a quarter of what is left, never below 2
    assert executor.sizes == [8, 8, 6, 5, 4, 3, 2, 2, 2]


def test_a_partition_s_results_travel_back_without_the_documents(shared: Path) -> None:
    """A worker sends the writer each document's id and external id with its analysis, not the
    document: the pickled results hold none of the article's text."""
    import pickle

    from aidtrace.model import RawRecord

    line = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()[0]
    story = json.loads(line)
    doc = pipeline._build(RawRecord(source="voa.jsonl", line=1, text=story["text"], external_id="voa-1",
                                    published=story.get("date"), format="jsonl"))
    assert not isinstance(doc, pipeline.Rejection)
    doc.id = "doc-1"
    [(ref, outcome)] = pipeline.analyse_partition([doc], Settings.load())
    assert ref == pipeline.Analysed("doc-1", "voa-1")
    mentions, events, claims = outcome  # type: ignore[misc]
    assert mentions and events
    sent = pickle.dumps([(ref, outcome)])
    assert doc.text.encode() in pickle.dumps(doc)  # the criterion can fail
    assert doc.text.encode() not in sent and doc.raw_text.encode() not in sent
    assert len(sent) < len(pickle.dumps([(doc, outcome)])) - len(doc.text)


def test_the_last_partitions_of_a_run_with_large_partitions_are_small(shared: Path, tmp_path: Path) -> None:
    """With Dask's 128-document partitions the tail still ends in partitions of at most
    ``TAIL_PARTITION`` documents, not a quarter of the first (a second of one worker's time)."""
    lines = (shared / "data" / "voa" / "voa_stories.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    executor = RecordingExecutor(workers=1)
    summary = pipeline.ingest([str(tmp_path / "all.jsonl")], Settings.load(db=str(tmp_path / "a.db"), learned=False),
                              executor=executor)
    assert summary.analysed == 89 and pipeline.TAIL_PARTITION == 4
    # a quarter of what is left each time (89 / 4 = 23 first), never below 4 until the rest is smaller
    assert executor.sizes == [23, 17, 13, 9, 7, 5, 4, 4, 4, 3]
