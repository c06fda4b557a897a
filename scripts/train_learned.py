"""Train the learned sentence classifier (issue 8, item 4) and write it as a package data file.

The classifier tells which kind of event a sentence reports, in the five CAMEO quad classes
ConfliBERT uses: ``neutral`` (CAMEO 01-02: statements, appeals), ``verbal_coop`` (03-05),
``material_coop`` (06-08), ``verbal_conflict`` (09-13, 16) and ``material_conflict`` (14-15,
17-20). It is a spaCy ``textcat`` over a bag of words and word pairs (``TextCatBOW``): CPU only,
about ten seconds to train, about a megabyte on disk.

Training data:
- ``<shared>/data/conflibert/cameo_class/train.tsv``: ConfliBERT's quad-class news sentences
  (eventdata/ConfliBERT @ 0b63001; see that folder's README for the labels and the licence);
- ``scripts/learned_sentences.tsv``: sentences the aidtrace team wrote in its own words, in the
  same classes, about military aid and today's news, many with a background clause.
The development gold sets (``<shared>/acceptance``) are never read: they only measure the result.

Each sentence goes to a fixed 20 % held-out part by a hash of its text (the same split on every
run, for both sources). The classifier is trained on the rest with a fixed seed, then scored on
the held-out part, where the veto threshold is also set: the probability of the true class below
which no more than ``FALSE_VETO_RATE`` of held-out sentences fall. The coder's hook
(``aidtrace.extract.learned``) vetoes an event only when the classifier gives its kind less than
that (and only where the rules themselves are unsure).

Output (``--out``, by default the shipped ``src/aidtrace/data/learned/quadclass``): the spaCy
model, ``aidtrace_meta.json`` (sources with their hashes, split, seed, metrics, threshold, the
script's blob and commit, the command) and a README.md generated from it. Never edit them by
hand; run the script again.

Usage: .venv/bin/python scripts/train_learned.py [--shared ../shared] [--out DIR] [--limit N]
  --limit N   train on the first N sentences of each source only (a quick check of the script).
  --own-only  train on the project's own sentences alone (no ConfliBERT; a licence-clean model).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OWN_SENTENCES = REPO / "scripts" / "learned_sentences.tsv"
SHIPPED = REPO / "src" / "aidtrace" / "data" / "learned" / "quadclass"
KINDS = REPO / "src" / "aidtrace" / "data" / "learned" / "kinds.yaml"  # read by the veto threshold
CONFLIBERT = Path("data") / "conflibert" / "cameo_class" / "train.tsv"
CONFLIBERT_ORIGIN = "eventdata/ConfliBERT data/cameo_class/train.tsv @ 0b630014885b9597622082034cc5ab5471b57e5b"
LABELS = ("neutral", "verbal_coop", "material_coop", "verbal_conflict", "material_conflict")
SEED = 1234
EPOCHS = 12
BOW_LENGTH = 2 ** 17  # hashed features per class (2.6 MB); 2 ** 18 buys 0.3 points of held-out accuracy
FALSE_VETO_RATE = 0.02


def read_sentences(path: Path) -> list[tuple[str, str]]:
    """(sentence, label name) pairs of a ``sentence<TAB>label 0-4`` file; '#' lines are comments."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        text, sep, label = line.rpartition("\t")
        if not sep or label.strip() not in ("0", "1", "2", "3", "4"):
            raise SystemExit(f"{path}:{number}: expected 'sentence<TAB>label 0-4'")
        out.append((text.strip(), LABELS[int(label)]))
    return out


def held_out(text: str) -> bool:
    """The 20 % test part: decided by the text itself, so the split never changes."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def blank_classifier() -> Any:
    """A blank English pipeline with one untrained exclusive ``textcat`` for the five classes."""
    import spacy

    nlp = spacy.blank("en")
    textcat: Any = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
        "no_output_layer": False, "length": BOW_LENGTH}})
    for label in LABELS:
        textcat.add_label(label)
    return nlp


def train(pairs: list[tuple[str, str]], epochs: int = EPOCHS) -> Any:
    """The classifier trained on the pairs."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = blank_classifier()
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == gold) for lab in LABELS}})
                for text, gold in pairs]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(SEED)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    return nlp


def true_class_probabilities(nlp: Any, pairs: list[tuple[str, str]]) -> list[tuple[dict[str, float], str]]:
    """The classifier's scores for each held-out sentence, with its gold label."""
    return [(dict(doc.cats), gold) for doc, (_, gold) in zip(nlp.pipe(t for t, _ in pairs), pairs, strict=True)]


def evaluate(scored: list[tuple[dict[str, float], str]]) -> dict[str, float]:
    """Accuracy, macro F1 and per-label F1 of held-out predictions."""
    counts = {lab: [0, 0, 0] for lab in LABELS}  # tp, predicted, gold
    for cats, gold in scored:
        guess = max(cats, key=lambda lab: cats[lab])
        counts[guess][1] += 1
        counts[gold][2] += 1
        counts[gold][0] += guess == gold
    right = sum(tp for tp, _, _ in counts.values())
    out: dict[str, float] = {"n": len(scored), "accuracy": round(right / max(1, len(scored)), 3)}
    f1s = []
    for lab, (tp, pred, gold_n) in counts.items():
        p, r = tp / pred if pred else 0.0, tp / gold_n if gold_n else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        out[f"f1_{lab}"] = round(f1s[-1], 3)
    out["macro_f1"] = round(sum(f1s) / len(f1s), 3)
    return out


def calibrate(scored: list[tuple[dict[str, float], str]], rate: float = FALSE_VETO_RATE) -> float:
    """The veto threshold: the largest support below which at most ``rate`` of the held-out
    sentences would have an event of their own kind vetoed.

    The hook vetoes an event when the classifier's support for its type (the summed probability
    of the classes ``data/learned/kinds.yaml`` allows it) is below the threshold. A held-out
    sentence of class C could report an event of any type that allows C; the least supported of
    those types counts, so the rate holds for every one of them.
    """
    from aidtrace.extract.learned import support, type_kinds

    kinds = type_kinds()
    lowest = sorted(min(s for t, allowed in kinds.items() if gold in allowed
                        if (s := support(cats, t)) is not None) for cats, gold in scored)
    allowed_errors = int(rate * len(lowest))
    return round(lowest[allowed_errors], 4) if lowest else 0.0


def veto_rates(scored: list[tuple[dict[str, float], str]], threshold: float) -> dict[str, float]:
    """On held-out sentences, at the threshold: how often an event of a type the sentence's class
    allows would be vetoed (wrongly), and one of a type it does not allow (rightly)."""
    from aidtrace.extract.learned import support, type_kinds

    wrong, right = [0, 0], [0, 0]
    for cats, gold in scored:
        for event_type, allowed in type_kinds().items():
            tally = wrong if gold in allowed else right
            tally[0] += (support(cats, event_type) or 0.0) < threshold
            tally[1] += 1
    return {"vetoed_own_kind": round(wrong[0] / max(1, wrong[1]), 3),
            "vetoed_other_kind": round(right[0] / max(1, right[1]), 3)}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def script_provenance() -> dict[str, str]:
    """The script's git blob (stable across rebases) and the last commit that touched it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else "unknown"

    script = Path(__file__).resolve().relative_to(REPO).as_posix()
    dirty = git("status", "--porcelain", "--", script, OWN_SENTENCES.relative_to(REPO).as_posix())
    return {"script": script, "script_blob": git("hash-object", script),
            "script_commit": git("log", "-1", "--format=%H", "--", script) + (" (modified)" if dirty else "")}


def source_provenance(sources: dict[str, list[tuple[str, str]]], conflibert: Path) -> dict[str, Any]:
    """Where each training source came from, its hash, size and licence."""
    out: dict[str, Any] = {}
    if "conflibert" in sources:
        out["conflibert"] = {"origin": CONFLIBERT_ORIGIN, "sha256": file_sha256(conflibert),
                             "sentences": len(sources["conflibert"]),
                             "licence": "repository GPL-3.0; the sentences are excerpts of copyrighted news "
                                        "reports, for research use (shared/data/conflibert/README.md)"}
    out["own"] = {"origin": OWN_SENTENCES.relative_to(REPO).as_posix(), "sha256": file_sha256(OWN_SENTENCES),
                  "sentences": len(sources["own"]), "licence": "aidtrace's own sentences (the project's licence)"}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="the shared data folder (default ../shared)")
    parser.add_argument("--out", default=str(SHIPPED), help="where the model is written (default: the shipped one)")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences of each source only")
    parser.add_argument("--own-only", action="store_true", help="train on the project's own sentences alone")
    args = parser.parse_args(argv)
    conflibert = Path(args.shared) / CONFLIBERT
    if not args.own_only and not conflibert.is_file():
        print(f"{conflibert}: not found — give the shared data folder with --shared", file=sys.stderr)
        return 2
    sources = {"own": read_sentences(OWN_SENTENCES)}
    if not args.own_only:
        sources = {"conflibert": read_sentences(conflibert), **sources}
    if args.limit:
        sources = {name: pairs[:args.limit] for name, pairs in sources.items()}
    train_pairs = [p for pairs in sources.values() for p in pairs if not held_out(p[0])]
    test_pairs = {name: [p for p in pairs if held_out(p[0])] for name, pairs in sources.items()}
    epochs = EPOCHS if not args.limit else 2
    nlp = train(train_pairs, epochs=epochs)
    scored = {name: true_class_probabilities(nlp, pairs) for name, pairs in test_pairs.items()}
    everything = [s for part in scored.values() for s in part]
    meta = {
        "what": "CAMEO quad-class sentence classifier (spaCy textcat, TextCatBOW, words and word pairs)",
        "labels": list(LABELS),
        "sources": source_provenance(sources, conflibert),
        "split": "20 % held out by sha1(sentence) % 5 == 0",
        "seed": SEED, "epochs": epochs, "bow_length": BOW_LENGTH, "limit": args.limit,
        "train": len(train_pairs),
        "held_out": {"all": evaluate(everything), **{name: evaluate(part) for name, part in scored.items()}},
        "false_veto_rate": FALSE_VETO_RATE,
        "veto_threshold": (threshold := calibrate(everything)),
        "veto_rates": veto_rates(everything, threshold),
        "kinds": {"origin": KINDS.relative_to(REPO).as_posix(), "sha256": file_sha256(KINDS)},
        **script_provenance(),
        "command": "python scripts/train_learned.py --shared ../shared" + (f" --limit {args.limit}" if args.limit else "")
                   + (" --own-only" if args.own_only else "")
                   + ("" if Path(args.out).resolve() == SHIPPED else f" --out {args.out}"),
    }
    write_artefact(nlp, Path(args.out), meta)
    print(json.dumps({"held_out": meta["held_out"]["all"], "veto_threshold": meta["veto_threshold"],
                      **meta["veto_rates"]}))
    return 0


def write_artefact(nlp: Any, out: Path, meta: dict[str, Any]) -> None:
    """The model folder, written afresh: spaCy's files, the provenance and a README."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # the features are hashes, so the weights work in a fresh pipeline that has read no text:
    # the string store saved with it then lists no word of the training sentences
    trained, nlp = nlp, blank_classifier()
    nlp.get_pipe("textcat").from_bytes(trained.get_pipe("textcat").to_bytes(exclude=["vocab"]), exclude=["vocab"])
    nlp.meta.update({"name": "aidtrace_quadclass", "version": "1.0.0", "license": "not settled: see README.md",
                     "description": "aidtrace learned sentence classifier; see README.md"})
    nlp.to_disk(out)
    (out / "aidtrace_meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (out / "README.md").write_text(readme(meta), encoding="utf-8")


LICENCE_DERIVED = """**Licence of this model.** These files hold hashed weights of words and word pairs; the
sentences themselves are not stored in them. The weights are nevertheless derived from the
ConfliBERT sentences, whose copyright stays with their publishers and which the shared data
folder marks for research use, not to be redistributed. Whether a model trained on them may
be redistributed is **not settled** by the upstream repository (GPL-3.0 for its code; its data
readme says the authors do not own the datasets' copyrights). It is shipped inside this
project for the project's research use; before distributing aidtrace further, have the licence
reviewed or retrain the model on the project's own sentences alone (`--own-only`)."""

LICENCE_OWN = """**Licence of this model.** Trained on the project's own sentences only: it carries the
project's licence."""


def readme(meta: dict[str, Any]) -> str:
    """The artefact's provenance header, in words, from its metadata."""
    held = meta["held_out"]
    rows = "\n".join(f"| {name} | {m['n']} | {m['accuracy']} | {m['macro_f1']} | "
                     + " | ".join(str(m[f'f1_{lab}']) for lab in LABELS) + " |" for name, m in held.items())
    sources = "\n".join(f"- `{src['origin']}` ({src['sentences']} sentences, sha256 `{src['sha256'][:16]}…`).\n"
                        f"  Licence: {src['licence']}." for src in meta["sources"].values())
    licence = LICENCE_DERIVED if "conflibert" in meta["sources"] else LICENCE_OWN
    return f"""# Learned sentence classifier (generated — do not edit)

Generated by `{meta['command']}`
(script `{meta['script']}`, git blob `{meta['script_blob']}`, last commit `{meta['script_commit']}`).
Used by `aidtrace.extract.learned` when the setting `learned` is on (see docs/EVALUATION.md,
"Learned components").

**What it is.** {meta['what']}: for a sentence, the probability of each kind of event it may
report: {', '.join(meta['labels'])} (CAMEO quad classes 0-4 as ConfliBERT labels them).

**Trained on** {meta['train']} sentences (seed {meta['seed']}, {meta['epochs']} epochs; {meta['split']}):
{sources}

No development gold set (`shared/acceptance`) was read.

{licence}

**Held-out metrics** (the 20 % split of each source, never trained on):

| part | sentences | accuracy | macro F1 | {' | '.join('F1 ' + lab for lab in LABELS)} |
|---|---|---|---|{'---|' * len(LABELS)}
{rows}

**Veto threshold** {meta['veto_threshold']}: the classifier's support for an event type (the summed
probability of the classes `{meta['kinds']['origin']}` allows it) below which {meta['false_veto_rate']:.0%} of the
held-out sentences would lose an event of their own kind. At it, an event of a type the sentence's
true class allows is vetoed {meta['veto_rates']['vetoed_own_kind']:.1%} of the time, one of a type it does not allow
{meta['veto_rates']['vetoed_other_kind']:.1%} of the time (held-out sentences × the 16 types). The coder's hook
drops an event the rules were unsure of only when its type's support is less than this.
"""


if __name__ == "__main__":
    sys.exit(main())
