"""The learned veto (issue 8, item 4) beside the rules alone: figures on every dev set, and cost.

Prints three tables (the figures and the command go to docs/EVALUATION.md, "Learned components"):

``dev sets``  ``aidtrace eval --dev`` run in this process with ``learned`` off, then on (the same
              as ``aidtrace eval --dev`` with ``AIDTRACE_LEARNED=0`` / ``1``): recall, precision,
              aid-domain precision and the attribute figures per set.
``variants``  The events of the rules-only run re-scored with the veto applied to them in other
              ways (the veto only removes events, so this equals a run with that setting):
              the shipped rule (events the rules gave confidence <= 0.5), the same classifier on
              every event, and each ``--model`` folder (e.g. one trained ``--own-only``).
``cost``      Loading the classifier (spaCy already imported, as it is when the coder runs),
              classifying the evidence sentences of every coded event (ms per sentence, median of
              5 passes), how many sentences the hook had to classify in the dev runs (those of
              the doubtful events only), and ``aidtrace --help`` with the setting on and off
              (median of 5 fresh processes; neither may import spaCy).

Usage: .venv/bin/python benchmarks/bench_learned.py [--shared ../shared] [--model DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aidtrace.eval import score
from aidtrace.extract import learned
from aidtrace.pipeline import evaluate_dev_sets
from aidtrace.settings import Settings
from aidtrace.store import Store

AIDTRACE = Path(sys.executable).with_name("aidtrace")


def dev_runs(shared: str, workdir: Path) -> dict[str, Any]:
    """Each setting's dev-set results, and the rules-only predictions per set."""
    out: dict[str, Any] = {}
    for setting in ("off", "on"):
        folder = workdir / setting
        folder.mkdir()
        results = evaluate_dev_sets(shared, replace(Settings.load(), learned=setting == "on", jobs=1), str(folder))
        out[setting] = {"sets": {r.name: r.result for r in results}}
    out["predictions"] = {}
    for name in out["off"]["sets"]:
        with Store.open(str(workdir / "off" / f"{name}.db"), create=False, readonly=True) as store:
            out["predictions"][name] = list(store.export_records())
    return out


def figures(res: dict[str, Any]) -> str:
    attrs = ", ".join(f"{k} {v}" for k, v in res["attributes"].items())
    return (f"recall {res['recall']:.3f} ({res['required_found']}/{res['required']}), precision "
            f"{res['precision']:.3f} ({res['matched']}/{res['predicted']}), aid-domain precision "
            f"{res['domain_precision']:.3f} ({res['domain_matched']}/{res['domain_predicted']}); {attrs}")


def vetoed(preds: list[dict[str, Any]], model: str, ceiling: float) -> list[dict[str, Any]]:
    """The predictions the veto keeps, applied to exported records."""
    classifier = learned.load_classifier(model)
    kept = []
    for p in preds:
        if p.get("record", "event") == "event" and p.get("confidence", 1.0) <= ceiling:
            value = learned.support(classifier.nlp(p["evidence"]["sentence"]).cats, p["type"])
            if value is not None and value < classifier.threshold:
                continue
        kept.append(p)
    return kept


def gold_of(shared: str, name: str) -> list[dict[str, Any]]:
    from aidtrace.eval import load_gold
    from aidtrace.pipeline import DEV_SETS

    return load_gold(Path(shared) / next(g for n, _, g in DEV_SETS if n == name))


def cost(sentences: list[str]) -> dict[str, float]:
    import spacy  # noqa: F401 - imported first: the coder has it loaded before the hook runs

    learned.load_classifier.cache_clear()
    start = time.perf_counter()
    classifier = learned.load_classifier()
    load = time.perf_counter() - start
    passes = []
    for _ in range(5):
        start = time.perf_counter()
        list(classifier.nlp.pipe(sentences))
        passes.append((time.perf_counter() - start) / len(sentences) * 1000)
    return {"load_s": load, "ms_per_sentence": statistics.median(passes), "sentences": len(sentences)}


def help_seconds(on: bool) -> tuple[float, bool]:
    """Median wall time of ``aidtrace --help`` and whether any run imported spaCy."""
    env = {**os.environ, "AIDTRACE_LEARNED": "1" if on else "0"}
    probe = ("import sys\nsys.argv = ['aidtrace', '--help']\nfrom aidtrace.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint('SPACY', 'spacy' in sys.modules)")
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([str(AIDTRACE), "--help"], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False)
    return statistics.median(times), "SPACY True" in done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared")
    parser.add_argument("--model", action="append", default=[], help="another classifier folder to compare")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = dev_runs(args.shared, Path(tmp))
    print("== dev sets (aidtrace eval --dev, learned off / on)")
    for setting in ("off", "on"):
        print(f"learned {setting}")
        for name, res in runs[setting]["sets"].items():
            print(f"  {name:10} {figures(res)}")
    print("== variants (the rules-only events re-scored)")
    variants = [("shipped, confidence <= 0.5", "", learned.DOUBTFUL), ("shipped, every event", "", 1.0)]
    variants += [(f"{m}, confidence <= 0.5", m, learned.DOUBTFUL) for m in args.model]
    for label, model, ceiling in variants:
        print(label)
        for name, preds in runs["predictions"].items():
            res = score(vetoed(preds, model, ceiling), gold_of(args.shared, name))
            print(f"  {name:10} {figures(res)}")
    sentences = sorted({p["evidence"]["sentence"] for preds in runs["predictions"].values() for p in preds
                        if p.get("record", "event") == "event"})
    doubtful = {p["evidence"]["sentence"] for preds in runs["predictions"].values() for p in preds
                if p.get("record", "event") == "event" and p.get("confidence", 1.0) <= learned.DOUBTFUL}
    print("== cost")
    print(json.dumps({**{k: round(v, 4) for k, v in cost(sentences).items()},
                      "classified_by_the_hook_in_the_dev_runs": len(doubtful)}))
    for on in (False, True):
        seconds, spacy_seen = help_seconds(on)
        print(f"aidtrace --help, learned {'on' if on else 'off'}: {seconds:.3f} s, spaCy imported: {spacy_seen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
