"""Scale (issue 11): articles/s and peak memory of ``aidtrace ingest`` at 1k and 10k articles,
local against Dask with 1 and 2 workers, SQLite against PostgreSQL, and how the cost of
storing grows with the size of the corpus.

The corpus is made at run time from the VOA stories of ``../shared/data/voa/voa_stories.jsonl``
and the team's own ``examples/news``: article i joins the first half of one story to the second
half of another (pairs, then triples of thirds), so no two articles are near-duplicates and
de-duplication keeps them all (the script checks the count of new documents). Nothing of the
stories is written into the repository.

Each measurement is a fresh ``aidtrace ingest`` child process timed from start to exit (imports,
model load, cluster start and database set-up included), with the peak RSS summed over the
child and all its descendants (the Dask scheduler and worker processes included), sampled
every 50 ms. The baseline of every table is the one-process local SQLite run (``--jobs 1``) measured in the
same rounds (at sizes where it is not run, the default local run is the reference);
configurations are interleaved round by round, every other round in reverse order, and the
median of ``--repeat`` runs is kept.

The storing stage alone (read, clean, sign, near-duplicate lookup, store; no analysis) is
measured in this process at growing corpus sizes: its time per article must stay flat
(near-duplicate detection is an LSH index, not a comparison of every pair).

Usage: .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000] [--repeat 1] [--big-configs ...]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
VOA = ROOT.parent / "shared" / "data" / "voa" / "voa_stories.jsonl"
EXAMPLES = ROOT / "examples" / "news"
AIDTRACE = Path(sys.executable).with_name("aidtrace")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SAMPLE_SECONDS = 0.05
TARGET_RSS_MB = 2048

CONFIGS = {
    "local-1proc-sqlite": ["--jobs", "1"],  # the baseline: one process, as before --jobs
    "local-sqlite": [],  # the default: --jobs one worker process per core
    "dask1-sqlite": ["--engine", "dask", "--workers", "1"],
    "dask2-sqlite": ["--engine", "dask", "--workers", "2"],
    "local-pg": [],
    "dask2-pg": ["--engine", "dask", "--workers", "2"],
}
BASELINE = "local-1proc-sqlite"


# ---------------------------------------------------------------------- corpus


MIN_WORDS = 250  # shorter stories would let a long partner dominate a mix (a near-duplicate)


def base_stories() -> list[dict[str, str]]:
    """VOA stories and the example articles of at least MIN_WORDS words, as {date, text}."""
    stories = []
    for line in VOA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            stories.append({"date": rec["published"][:10], "text": rec["text"]})
    for path in sorted(EXAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        date = text.split()[1] if text.lstrip().startswith("date ") else "2025-07-01"
        body = text.split("\n", 1)[1] if text.lstrip().startswith("date ") else text
        stories.append({"date": date, "text": body})
    return [s for s in stories if len(s["text"].split()) >= MIN_WORDS]


def _pieces(text: str, parts: int) -> list[str]:
    paragraphs = [p for p in text.split("\n") if p.strip()] or [text]
    if len(paragraphs) < parts:  # split a one-paragraph story by sentences instead
        paragraphs = [s + "." for s in text.split(". ") if s.strip()]
    size = max(1, len(paragraphs) // parts)
    return ["\n\n".join(paragraphs[i * size:(i + 1) * size if i < parts - 1 else None]) for i in range(parts)]


FILE_ARTICLES = 500  # articles per JSON Lines file (a corpus is a folder of files under --max-bytes)


def make_corpus(n: int, path: Path) -> None:
    """Write ``n`` distinct articles as a folder of JSON Lines files: halves of two stories, then
    thirds of three."""
    stories = base_stories()
    halves = [_pieces(s["text"], 2) for s in stories]
    thirds = [_pieces(s["text"], 3) for s in stories]
    combos = itertools.chain(itertools.permutations(range(len(stories)), 2),
                             itertools.permutations(range(len(stories)), 3))
    path.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for i, combo in zip(range(n), combos, strict=False):
        if len(combo) == 2:
            text = halves[combo[0]][0] + "\n\n" + halves[combo[1]][1]
        else:
            text = "\n\n".join(thirds[k][j] for j, k in enumerate(combo))
        lines.append(json.dumps({"id": f"scale-{i}", "date": stories[combo[0]]["date"], "text": text}))
    for start in range(0, len(lines), FILE_ARTICLES):
        (path / f"part-{start // FILE_ARTICLES:05d}.jsonl").write_text("\n".join(lines[start:start + FILE_ARTICLES])
                                                                      + "\n", encoding="utf-8")


# ---------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A throw-away PostgreSQL 15 server (as the tests start one)."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="aidtrace-bench-pg-"))
        shutil.chown(self.home, "postgres")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self._su(f"{PG_BIN}/initdb -D {self.home}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8")
        self._su(f"{PG_BIN}/pg_ctl -D {self.home}/data -o '-p {self.port} -k {self.home} "
                 f"-c listen_addresses=127.0.0.1' -l {self.home}/log -w start")
        self.count = itertools.count()

    def _su(self, command: str) -> None:
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)

    def new_database(self) -> str:
        import psycopg

        name = f"bench_{next(self.count)}"
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._su(f"{PG_BIN}/pg_ctl -D {self.home}/data -m fast stop")
        shutil.rmtree(self.home, ignore_errors=True)


# ---------------------------------------------------------------------- measuring


@dataclass
class Run:
    seconds: float
    tree_mb: float
    new: int


@dataclass
class Result:
    runs: list[Run] = field(default_factory=list)

    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def tree_mb(self) -> float:
        return max(r.tree_mb for r in self.runs)


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        members = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_ingest(corpus: Path, db: str, extra: list[str], workdir: Path) -> Run:
    """One ``aidtrace ingest`` child: wall time, peak tree RSS, and how many documents were new."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDTRACE_")} | {"COLUMNS": "120"}
    start = time.perf_counter()
    child = subprocess.Popen([str(AIDTRACE), "ingest", str(corpus), "--db", db, *extra], cwd=workdir,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    proc, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(proc))
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    out, errors = child.communicate()
    if child.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({child.returncode}): {errors[-2000:]}")
    counts = dict(line.strip().rsplit(None, 1) for line in out.splitlines()[2:] if line.strip()
                  and line.strip().rsplit(None, 1)[-1].isdigit())
    return Run(seconds, peak / 2**20, int(counts.get("new", "0")))


def measure(sizes: list[int], repeat: int, big_configs: list[str], workdir: Path) -> dict[tuple[str, int], Result]:
    results: dict[tuple[str, int], Result] = {}
    pg = Postgres()
    try:
        for size in sizes:
            corpus = workdir / f"corpus-{size}"
            make_corpus(size, corpus)
            names = list(CONFIGS) if size <= 2000 else big_configs
            for round_ in range(repeat):
                # every other round in reverse order (ABBA): a host that slows or speeds up over
                # a long run does not favour the configuration that always runs first
                for name in names if round_ % 2 == 0 else names[::-1]:
                    db = pg.new_database() if name.endswith("-pg") else str(workdir / f"{name}-{size}-{round_}.db")
                    run = run_ingest(corpus, db, CONFIGS[name], workdir)
                    results.setdefault((name, size), Result()).runs.append(run)
                    print(f"{size:>6} {name:<14} {run.seconds:8.1f} s {size / run.seconds:7.2f} art/s "
                          f"{run.tree_mb:7.0f} MB  new={run.new}", flush=True)
    finally:
        pg.stop()
    return results


def storing_growth(sizes: list[int], workdir: Path) -> list[tuple[int, float]]:
    """Seconds per 1,000 articles of the storing stage alone, at growing corpus sizes."""
    from aidtrace import pipeline
    from aidtrace.ingest.readers import input_units
    from aidtrace.settings import Settings
    from aidtrace.store import Store

    rows = []
    for size in sizes:
        corpus = workdir / f"store-{size}"
        make_corpus(size, corpus)
        settings = Settings.load(db=str(workdir / f"store-{size}.db"))
        with Store.open(settings.db) as store:
            summary = pipeline.RunSummary()
            start = time.perf_counter()
            pipeline.store_units(store, input_units([str(corpus)]), settings, summary)  # no analysis
            seconds = time.perf_counter() - start
        if summary.new != size:
            print(f"  note: {size - summary.new} of {size} articles were taken as near-duplicates")
        rows.append((size, seconds / size * 1000))
        print(f"storing {size:>6}: {seconds:7.1f} s, {seconds / size * 1000:6.2f} s per 1,000", flush=True)
    return rows


def report(results: dict[tuple[str, int], Result], growth: list[tuple[int, float]], sizes: list[int]) -> str:
    lines = [f"_{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, `nproc` {os.cpu_count()}, Python "
             f"{platform.python_version()}_", "",
             "| articles | configuration | median s | articles/s | vs baseline | peak RSS MB (tree) |",
             "|---:|---|---:|---:|---:|---:|"]
    for size in sizes:
        base = results.get((BASELINE, size)) or results.get(("local-sqlite", size))
        for (name, n), result in results.items():
            if n != size:
                continue
            ratio = base.seconds() / result.seconds() if base else float("nan")
            lines.append(f"| {size:,} | {name} | {result.seconds():.1f} | {size / result.seconds():.2f} | "
                         f"{ratio:.2f}× | {result.tree_mb():,.0f} |")
    lines += ["", "| corpus size | storing stage, s per 1,000 articles |", "|---:|---:|"]
    lines += [f"| {size:,} | {per:.2f} |" for size, per in growth]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--big-configs", nargs="+", default=["local-sqlite", "dask2-sqlite"],
                        help="configurations measured above 2,000 articles")
    parser.add_argument("--growth", type=int, nargs="+", default=[1000, 4000, 16000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aidtrace-scale-") as tmp:
        workdir = Path(tmp)
        growth = storing_growth(args.growth, workdir)
        results = measure(args.sizes, args.repeat, args.big_configs, workdir)
        print()
        print(report(results, growth, args.sizes))
        worst = max(r.tree_mb() for r in results.values())
        print(f"\nlargest peak RSS {worst:,.0f} MB (target under {TARGET_RSS_MB:,} MB)")


if __name__ == "__main__":
    main()
