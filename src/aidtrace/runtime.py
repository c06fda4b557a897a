"""Process-wide runtime settings that must be made before a library is first imported.

aidtrace parallelises by processes, one per core (``--jobs``). The matrix products of a
sentence's parse are small, and BLAS libraries that start a thread per core for them only
keep those threads spinning: with numpy's OpenBLAS on two cores a one-process ingest used
twice the CPU time for the same result. ``one_blas_thread`` asks for a single BLAS thread
per process; it works only before numpy is imported, and keeps any value the user set.
"""

from __future__ import annotations

import os

BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS thread per process, unless the environment already says otherwise."""
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
