"""The Dask engine: reading and analysis partitions run on a Dask cluster, writes stay here.

``aidtrace ingest ... --engine dask`` hands ``pipeline.ingest`` a ``DaskExecutor``. The
partition functions are the single-process pipeline's own (``pipeline.read_records`` then
``pipeline.prepare_partition`` for read -> clean -> sign, ``pipeline.analyse_partition`` for
analyse -> resolve -> code), so the
stored result is the same as a local run's; the parent process claims documents, keeps the
near-duplicate index and writes everything through the one ``Store`` writer, in order.

Without a scheduler address a ``LocalCluster`` of worker processes is started (and stopped)
here; with one, the run joins an existing cluster (``dask scheduler`` / ``dask worker``,
dask-jobqueue, dask-kubernetes), whose workers need aidtrace installed and the input files
at the same paths (see docs/SCALE.md).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from distributed.diagnostics.plugin import WorkerPlugin

from ..errors import EngineError

T = TypeVar("T")
R = TypeVar("R")
_END: Any = object()

# Partitions running or queued per worker: enough to keep every worker busy while the parent writes.
IN_FLIGHT_PER_WORKER = 2
# Finished partitions held for their turn per worker, at most (results are yielded in order).
HELD_PER_WORKER = 8
CONNECT_TIMEOUT = "20s"
# Worker settings of the LocalCluster this engine starts (a cluster joined by address keeps its
# own): Dask's defaults suit short numeric tasks, not long spaCy partitions on busy cores.
# - the statistical profiler samples each worker's stack every 10 ms and keeps the samples of
#   every task: pure overhead here;
# - MALLOC_TRIM_THRESHOLD_=65536 makes glibc hand freed memory back to the system at once, so a
#   parser that allocates and frees all the time keeps faulting pages in again;
# - the GIL monitor samples every millisecond;
# - work stealing re-balances the workers' queues every 100 ms: equal workers that take one
#   partition at a time from the scheduler's queue have nothing to balance;
# - every server (scheduler, nanny, worker) wakes every 20 ms to time its event loop (the "tick",
#   which only feeds the "event loop was unresponsive" warning) and every 500 ms to sample the
#   process's CPU, memory and disk use (the system monitor, read only by the dashboard and by the
#   memory limits this cluster does not set): once a second and every 10 s are enough.
# The cluster also starts without a memory limit (the workers' and nannies' monitors read every
# worker's memory every 100 ms; a worker holds one partition, as a local run's does) and without
# the Bokeh dashboard (nothing shows it). Idle, 2 workers use 1.3% of a core with these settings
# against 9.4% with Dask's defaults (benchmarks/bench_dask_idle.py, docs/PERFORMANCE.md).
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "10s",
    "distributed.admin.tick.interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


class DaskExecutor:
    """Runs partitions on a Dask cluster, yielding results in partition order (an ``Executor``).

    Args:
        scheduler: address of a running scheduler (tcp://HOST:PORT); None starts a LocalCluster.
        workers: worker processes of the LocalCluster (default: the number of cores).
        partition_size: documents per analysis partition.
        preload: a spaCy model name: every worker (of this run, or joining later) starts loading
            it and the dictionaries in a thread of its own as soon as it is registered, while
            the documents are read (``PreloadModels``).
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None, partition_size: int = 128,
                 preload: str | None = None):
        if scheduler and workers:
            raise EngineError("give either --scheduler (an existing cluster) or --workers (a local one), not both")
        if workers is not None and workers < 1:
            raise EngineError(f"--workers {workers}: give at least one worker")
        self.scheduler, self.workers, self.partition_size = scheduler, workers, partition_size
        self.preload = preload
        self.client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            else:
                import dask

                with dask.config.set(LOCAL_WORKER_CONFIG):
                    self._cluster = LocalCluster(n_workers=self.workers or os.cpu_count() or 1,
                                                 threads_per_worker=1, processes=True, dashboard_address=":0",
                                                 scheduler_kwargs={"dashboard": False}, memory_limit=0,
                                                 silence_logs=40)
                self.client = Client(self._cluster)
            if self.preload is not None:
                self.client.register_plugin(PreloadModels(self.preload))
        except (OSError, TimeoutError) as err:
            self.close()
            where = self.scheduler or "a local cluster"
            raise EngineError(f"cannot reach the Dask scheduler at {where} ({err}) — start one with "
                              "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler "
                              "for a local cluster") from err
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Disconnect, and stop the LocalCluster this executor started."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def worker_count(self) -> int:
        """How many workers the cluster has now (at least 1)."""
        return max(1, len(self.client.scheduler_info().get("workers", {}))) if self.client else 1

    def map(self, fn: Callable[[T], R], partitions: Iterable[T]) -> Iterator[R]:
        """``fn`` over every partition on the cluster; results in order, a bounded number in flight."""
        if self.client is None:
            raise EngineError("the Dask executor is not started — use it in a with block")
        from distributed import wait

        workers = self.worker_count()
        window, held = IN_FLIGHT_PER_WORKER * workers, HELD_PER_WORKER * workers
        futures: deque[Any] = deque()
        parts = iter(partitions)
        exhausted = False
        while True:
            # Keep ``window`` partitions unfinished on the cluster: one that ends early frees its
            # worker for the next partition even while an older one still runs (the scheduler
            # assigns a task to a worker when it is submitted, so a window counted over the
            # results not yet yielded would leave that worker idle behind the slow one).
            while not exhausted and len(futures) < held and sum(not f.done() for f in futures) < window:
                part = next(parts, _END)
                if part is _END:
                    exhausted = True
                else:
                    futures.append(self.client.submit(fn, part, pure=False))
            if not futures:
                return
            if futures[0].done() or len(futures) >= held:
                yield self._result(futures.popleft())
            else:
                wait([f for f in futures if not f.done()], return_when="FIRST_COMPLETED")

    def _result(self, future: Any) -> Any:
        try:
            return future.result()
        except Exception as err:  # a worker died or the cluster went away: the run stops cleanly
            raise EngineError(f"a Dask task failed ({type(err).__name__}: {' '.join(str(err).split())[:300]}) — "
                              "check the workers' logs; documents not yet analysed stay pending and the "
                              "next ingest analyses them") from err


class PreloadModels(WorkerPlugin):
    """A Dask worker plugin: the worker starts loading a spaCy model and the dictionaries in a
    thread of its own when it is registered (``pipeline.start_loading_models``)."""

    name = "aidtrace-preload"
    idempotent = True

    def __init__(self, model: str):
        self.model = model

    def setup(self, worker: Any) -> None:
        from .. import pipeline

        pipeline.start_loading_models(self.model)

