"""The Dask engine on a real LocalCluster: the same stored result as a local run (issue 11)."""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aidtrace import pipeline
from aidtrace.cli import app
from aidtrace.dist.dask import DaskExecutor
from aidtrace.errors import EngineError
from aidtrace.runtime import BUSY_GC_THRESHOLDS
from aidtrace.settings import Settings
from conftest import EXAMPLES
from preload_probe import models_loaded


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A LocalCluster of two worker processes; yields its scheduler address."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as local:
        yield local.scheduler_address


def stored(db: Path) -> dict[str, list[Any]]:
    """What an ingest stored, without run ids, times and claims (which differ between runs)."""
    con = sqlite3.connect(db)
    docs = con.execute("SELECT id, external_id, source, text, raw_text, content_hash, version, duplicate_of, "
                       "superseded_by, status, error, published, agency, title FROM documents "
                       "ORDER BY ingested_at, id").fetchall()
    events = [json.loads(r[0]) for r in con.execute("SELECT record FROM events ORDER BY document_id, seq")]
    claims = [json.loads(r[0]) for r in con.execute("SELECT record FROM claims ORDER BY document_id, seq")]
    mentions = con.execute('SELECT document_id, start, "end", text, entity_id FROM mentions '
                           "ORDER BY document_id, start, id").fetchall()
    rejections = con.execute("SELECT source, line, reason FROM rejections ORDER BY id").fetchall()
    return {"documents": docs, "events": events, "claims": claims, "mentions": mentions, "rejections": rejections}


@pytest.fixture
def corpus(tmp_path: Path, seeds_dir: Path) -> list[str]:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "broken\n{"id": "y"}\n', encoding="utf-8")
    return [str(EXAMPLES), str(seeds_dir), str(bad)]


def test_dask_stores_exactly_what_a_local_run_stores(cluster: str, corpus: list[str], tmp_path: Path) -> None:
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    local = pipeline.ingest(corpus, Settings.load(db=str(local_db)))
    with DaskExecutor(scheduler=cluster, partition_size=3) as executor:
        remote = pipeline.ingest(corpus, Settings.load(db=str(dask_db)), executor=executor)
    assert local.counts() == remote.counts() and local.events > 0
    assert stored(local_db) == stored(dask_db)


def test_dask_on_postgresql_stores_what_local_sqlite_stores(cluster: str, corpus: list[str], tmp_path: Path,
                                                            postgres_db: str) -> None:
    local = pipeline.ingest(corpus, Settings.load(db=str(tmp_path / "l.db")))
    with DaskExecutor(scheduler=cluster) as executor:
        remote = pipeline.ingest(corpus, Settings.load(db=postgres_db), executor=executor)
    assert local.counts() == remote.counts()


def test_the_cli_runs_a_local_cluster(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = CliRunner().invoke(app, ["ingest", str(EXAMPLES), "--db", str(db), "--engine", "dask",
                                      "--workers", "1"])
    assert result.exit_code == 0, result.output
    local_db = tmp_path / "l.db"
    pipeline.ingest([str(EXAMPLES)], Settings.load(db=str(local_db)))
    assert stored(db) == stored(local_db)


@pytest.mark.parametrize(("args", "message"), [
    (["--workers", "2"], "--scheduler and --workers go with --engine dask"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9", "--workers", "2"], "either --scheduler"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
])
def test_engine_usage_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["ingest", str(EXAMPLES), "--db", str(tmp_path / "e.db"), *args])
    assert result.exit_code in (1, 2) and message in result.stderr, result.output
    assert "Traceback" not in result.output and result.stderr.count("\n") == 1


def test_a_failing_task_is_an_engine_error(cluster: str) -> None:
    with DaskExecutor(scheduler=cluster) as executor, pytest.raises(EngineError, match="a Dask task failed"):
        list(executor.map(int, ["not a number"]))


def _worker_settings() -> dict[str, Any]:
    import os

    import dask

    return {"profile": dask.config.get("distributed.worker.profile.enabled"),
            "gil": dask.config.get("distributed.admin.system-monitor.gil.enabled"),
            "trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"), "blas": os.environ.get("OPENBLAS_NUM_THREADS"),
            "tick": dask.config.get("distributed.admin.tick.interval"),
            "monitor": dask.config.get("distributed.admin.system-monitor.interval")}


def _wakeups(server: Any) -> tuple[float, ...]:
    """How often a Dask server times its event loop and samples its process (seconds)."""
    return tuple(server.periodic_callbacks[name].callback_time / 1000 for name in ("tick", "monitor"))


def test_the_local_cluster_workers_run_without_dask_overheads_spacy_does_not_need(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # as in a fresh `aidtrace ingest` (another cluster of this test process exports Dask's default)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with DaskExecutor(workers=1) as executor:
        seen = list(executor.client.run(_worker_settings).values())
        callbacks = list(executor.client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks)).values())
        extensions = executor.client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.extensions))
        worker_wakeups = list(executor.client.run(lambda dask_worker: _wakeups(dask_worker)).values())
        scheduler_wakeups = executor.client.run_on_scheduler(lambda dask_scheduler: _wakeups(dask_scheduler))
    assert seen == [{"profile": False, "gil": False, "trim": None, "blas": "1", "tick": "1s", "monitor": "10s"}]
    # Dask's defaults wake every server every 20 ms (tick) and every 500 ms (system monitor)
    assert worker_wakeups == [(1.0, 10.0)] and tuple(scheduler_wakeups) == (1.0, 10.0)
    # no memory limit, so no memory monitor; no work stealing
    assert callbacks and all("heartbeat" in names and "memory_monitor" not in names for names in callbacks)
    assert "queues" in extensions and "stealing" not in extensions


def test_workers_start_loading_the_models_when_the_run_starts() -> None:
    """With ``preload`` each worker of the cluster loads the models in a thread from the start
    (while the parent reads), on a fresh LocalCluster whose workers have analysed nothing; without
    it nothing is loaded until the first analysis."""
    model = Settings().spacy_model
    with DaskExecutor(workers=1) as executor:
        assert list(executor.client.run(models_loaded, model, 2.0).values()) == [False]
    with DaskExecutor(workers=1, preload=model) as executor:
        assert list(executor.client.run(models_loaded, model, 120.0).values()) == [True]
        # a worker that analyses collects garbage every 50,000 new objects, not every 700
        assert list(executor.client.run(gc.get_threshold).values()) == [BUSY_GC_THRESHOLDS]


def test_a_slow_partition_does_not_idle_the_other_worker(cluster: str) -> None:
    """Results come back in order, but while the first partition runs long, the other worker goes
    on with the partitions after it (a window counted over the results not yet yielded would have
    let it run only the three submitted with the first, then wait)."""
    from dask_probe import timed_sleep

    durations = [3.0] + [0.05] * 15
    with DaskExecutor(scheduler=cluster) as executor:
        times = list(executor.map(timed_sleep, durations))
    assert [round(end - start, 1) for start, end in times] == [round(d, 1) for d in durations]  # in order
    first_end = times[0][1]
    started_meanwhile = sum(start < first_end for start, _ in times[1:])
    assert started_meanwhile >= 8, started_meanwhile
