"""Process-wide runtime settings: BLAS threads (before numpy is first imported) and the collector.

aidtrace parallelises by processes, one per core (``--jobs``). The matrix products of a
sentence's parse are small, and BLAS libraries that start a thread per core for them only
keep those threads spinning: with numpy's OpenBLAS on two cores a one-process ingest used
twice the CPU time for the same result. ``one_blas_thread`` asks for a single BLAS thread
per process; it works only before numpy is imported, and keeps any value the user set.

Loading the models and dictionaries makes millions of long-lived objects at once; Python's cyclic
garbage collector, triggered by the allocations, rescans them all again and again (loading the
actor dictionary from its cache took four times as long with it on). ``gc_paused`` turns it off
for such a block. While documents are analysed and stored, it is also triggered far more often than
it needs to be: every 700 new container objects (Python's default), so a worker's parse of a
partition, or the writer's unpickling of a partition's results, runs dozens of collections whose
survivors (results waiting for their turn) are promoted and rescanned in the full collections.
``relax_gc`` raises the first threshold to ``BUSY_GC_THRESHOLDS`` for a worker's life once its
models are loaded (and ``gc_relaxed`` for an ingest in the writer): on 2,000 articles the writer's
collections went from about 2 s to 0.2 s and the workers' from 0.2-0.4 s to under 0.1 s, with the
same peak memory (benchmarks and figures in docs/PERFORMANCE.md).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS thread per process, unless the environment already says otherwise.

    The environment is read by numpy's BLAS when numpy is first imported. When numpy is already
    there (a program that imported it before calling aidtrace, or a worker forked from one), the
    running BLAS is limited directly (threadpoolctl): a worker whose BLAS starts a thread per
    core parses at half the speed. That is done once per process, and only by its main thread:
    threadpoolctl walks the loaded libraries under the dynamic loader's lock, which a thread
    importing an extension module at the same time waits for while holding the GIL (a deadlock).
    """
    global _LIMITED
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
    if (not _LIMITED and "numpy" in sys.modules and os.environ["OPENBLAS_NUM_THREADS"] == "1"
            and threading.current_thread() is threading.main_thread()):
        from threadpoolctl import threadpool_limits

        threadpool_limits(1, user_api="blas")
        _LIMITED = True


_LIMITED = False


# Collect the youngest generation every 50,000 new container objects instead of 700; the older
# generations keep Python's ratios (10 and 10), so cyclic garbage is still found, just later.
BUSY_GC_THRESHOLDS = (50_000, 10, 10)


def relax_gc() -> None:
    """The collector's thresholds for a process that analyses or stores documents (for good)."""
    gc.set_threshold(*BUSY_GC_THRESHOLDS)


@contextmanager
def gc_relaxed() -> Iterator[None]:
    """``BUSY_GC_THRESHOLDS`` for a block (an ingest in the writer); the thresholds as they were
    afterwards."""
    before = gc.get_threshold()
    relax_gc()
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a block that only makes long-lived objects; back
    as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
