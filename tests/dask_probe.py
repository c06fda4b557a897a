"""A partition function for the Dask tests, importable by the workers: sleeps, and says when."""

from __future__ import annotations

import time


def timed_sleep(seconds: float) -> tuple[float, float]:
    """Sleep ``seconds``; the wall-clock times it started and ended."""
    start = time.time()
    time.sleep(seconds)
    return start, time.time()
