"""Dask overhead (issue 11): the CPU an idle LocalCluster of 2 worker processes burns, with Dask's
default settings against the settings ``aidtrace ingest --engine dask`` starts its cluster with
(``aidtrace.dist.dask``).

Whatever a cluster does while it waits (timing its event loops, sampling its processes'
memory and CPU, heartbeats, work stealing) it also does during a run, on the cores the parse
needs. Each round starts one cluster of each kind (interleaved), lets it settle, and sums the
CPU time (user + system) of this process and all its children over ``--seconds`` of idling;
the median of ``--repeat`` rounds is kept. The default cluster is the baseline of the same run.

Usage: .venv/bin/python benchmarks/bench_dask_idle.py [--seconds 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import psutil

SETTLE_S = 3.0


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process and its live descendants."""
    me = psutil.Process()
    total = 0.0
    for proc in [me, *me.children(recursive=True)]:
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


class DefaultCluster(AbstractContextManager["DefaultCluster"]):
    """A LocalCluster of 2 single-threaded worker processes with Dask's defaults."""

    def __enter__(self) -> DefaultCluster:
        from distributed import Client, LocalCluster

        self.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                    silence_logs=40)
        self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.cluster.close()


def aidtrace_cluster() -> Any:
    from aidtrace.dist.dask import DaskExecutor

    return DaskExecutor(workers=2)


def idle_cpu(start: Callable[[], Any], seconds: float) -> float:
    """CPU seconds the process tree uses over ``seconds`` while the cluster ``start`` makes idles."""
    with start():
        time.sleep(SETTLE_S)
        before = tree_cpu()
        time.sleep(seconds)
        return tree_cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: .venv/bin/python benchmarks/bench_dask_idle.py --seconds 30 --repeat 3")
    parser.add_argument("--seconds", type=float, default=30.0, help="idle time measured per cluster")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each cluster once per round)")
    args = parser.parse_args()
    kinds: dict[str, Callable[[], Any]] = {"Dask defaults": DefaultCluster, "aidtrace --engine dask": aidtrace_cluster}
    runs: dict[str, list[float]] = {name: [] for name in kinds}
    for round_ in range(args.repeat):
        for name, start in kinds.items():
            runs[name].append(idle_cpu(start, args.seconds))
            print(f"round {round_ + 1} {name:<24} {runs[name][-1]:6.2f} s of CPU over {args.seconds:.0f} s",
                  flush=True)
    base = statistics.median(runs["Dask defaults"])
    print(f"\n| cluster (2 workers, idle {args.seconds:.0f} s) | CPU s, median of {args.repeat} | share of one core "
          "| against Dask's defaults |")
    print("|---|---:|---:|---:|")
    for name, values in runs.items():
        med = statistics.median(values)
        print(f"| {name} | {med:.2f} | {100 * med / args.seconds:.1f}% | {med / base:.2f}x |")


if __name__ == "__main__":
    main()
