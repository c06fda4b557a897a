"""Run in a worker process (``--jobs`` or Dask): whether its models have been loaded."""

from __future__ import annotations

import time

from aidtrace import pipeline


def models_loaded(model: str, wait: float = 120.0) -> bool:
    """Whether the parser and the dictionaries of ``model`` are loaded in this process within
    ``wait`` seconds, without any analysis asking for them."""
    deadline = time.monotonic() + wait
    while True:
        if pipeline._LOADING.acquire(timeout=1):  # held while the worker's own thread loads
            try:
                if model in pipeline._LOADED:
                    from aidtrace.extract.learned import load_classifier
                    from aidtrace.nlp.pipeline import load_nlp

                    # the learned classifier too, as the settings (default: on) ask
                    return load_nlp.cache_info().currsize > 0 and load_classifier.cache_info().currsize > 0
            finally:
                pipeline._LOADING.release()
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def gc_thresholds_once_loaded(model: str) -> tuple[int, ...] | None:
    """The collector's thresholds in this process once its models are loaded (None: not loaded)."""
    import gc

    return gc.get_threshold() if models_loaded(model) else None


def gc_thresholds(_: object = None) -> tuple[int, ...]:
    """The collector's thresholds in this process now."""
    import gc

    return gc.get_threshold()
