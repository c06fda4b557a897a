"""Train the learned sentence classifier (issue 8, item 4) and measure it on a held-out split.

Reads ``<shared>/data/conflibert/cameo_class/train.tsv`` (ConfliBERT's CAMEO quad-class sentences:
sentence TAB label 0-4, eventdata/ConfliBERT @ 0b63001) and trains a small spaCy text classifier
(a bag of words and word pairs, ``TextCatBOW``; CPU only, a few seconds) that tells the kind of
event a sentence reports: ``neutral`` (CAMEO 01-02), ``verbal_coop`` (03-05), ``material_coop``
(06-08), ``verbal_conflict`` (09-13, 16) or ``material_conflict`` (14-15, 17-20).

The sentences are split 80/20 by a hash of their text (the same split on every run); the
classifier is trained on the 80 % with a fixed seed and scored on the 20 %. The model is written
to ``--out`` with ``meta.json`` (source, commit, split, metrics, command).

The coder can consult it (setting ``learned_veto``; see docs/EVALUATION.md "Learned components"):
an event is dropped when the classifier is confident the sentence reports no event of that kind.

Licence: the ConfliBERT sentences are news excerpts for internal research use (see
``<shared>/data/README.md``); the trained weights are hashed word features, not the sentences,
but they are derived from them, so the model is generated here and not committed.

Usage: .venv/bin/python scripts/train_learned.py [--shared ../shared] [--out DIR] [--limit N]
  --limit N  train on the first N sentences only (a quick check of the script).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path
from typing import Any

LABELS = ("neutral", "verbal_coop", "material_coop", "verbal_conflict", "material_conflict")
SOURCE = "eventdata/ConfliBERT data/cameo_class/train.tsv @ 0b63001"
SEED = 1234
EPOCHS = 12


def read_sentences(path: Path) -> list[tuple[str, str]]:
    """(sentence, label name) pairs of the ConfliBERT quad-class file; bad lines are named."""
    out: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        text, sep, label = line.rpartition("\t")
        if not sep or label.strip() not in ("0", "1", "2", "3", "4"):
            raise SystemExit(f"{path}:{number}: expected 'sentence<TAB>label 0-4'")
        out.append((text.strip(), LABELS[int(label)]))
    return out


def held_out(text: str) -> bool:
    """The 20 % test part: decided by the text itself, so the split never changes."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def train(pairs: list[tuple[str, str]], epochs: int = EPOCHS) -> Any:
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = spacy.blank("en")
    textcat: Any = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 2,
        "no_output_layer": False, "length": 262144}})
    for label in LABELS:
        textcat.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == gold) for lab in LABELS}})
                for text, gold in pairs]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(SEED)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.2)
    return nlp


def evaluate(nlp: Any, pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Accuracy and per-label F1 on held-out pairs."""
    right = 0
    counts = {lab: [0, 0, 0] for lab in LABELS}  # tp, predicted, gold
    for doc, (_, gold) in zip(nlp.pipe(t for t, _ in pairs), pairs, strict=True):
        guess = max(doc.cats, key=doc.cats.get)
        right += guess == gold
        counts[guess][1] += 1
        counts[gold][2] += 1
        counts[gold][0] += guess == gold
    out = {"accuracy": round(right / max(1, len(pairs)), 3), "n": len(pairs)}
    for lab, (tp, pred, gold_n) in counts.items():
        p, r = tp / pred if pred else 0.0, tp / gold_n if gold_n else 0.0
        out[f"f1_{lab}"] = round(2 * p * r / (p + r), 3) if p + r else 0.0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default="../shared", help="the shared data folder (default ../shared)")
    parser.add_argument("--out", default=".learned/quadclass", help="where the model is written")
    parser.add_argument("--limit", type=int, default=0, help="train on the first N sentences only")
    args = parser.parse_args(argv)
    source = Path(args.shared) / "data" / "conflibert" / "cameo_class" / "train.tsv"
    if not source.is_file():
        print(f"{source}: not found — give the shared data folder with --shared", file=sys.stderr)
        return 2
    pairs = read_sentences(source)
    if args.limit:
        pairs = pairs[:args.limit]
    train_pairs = [p for p in pairs if not held_out(p[0])]
    test_pairs = [p for p in pairs if held_out(p[0])]
    nlp = train(train_pairs, epochs=EPOCHS if not args.limit else 2)
    metrics = evaluate(nlp, test_pairs)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    meta = {"source": SOURCE, "licence": "sentences for internal research use (see shared/data/README.md); "
                                         "the model is derived from them and is not redistributed",
            "labels": list(LABELS), "seed": SEED, "epochs": EPOCHS, "train": len(train_pairs),
            "held_out": metrics, "command": "python scripts/train_learned.py --shared ../shared --out " + args.out}
    (out / "aidtrace_meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta["held_out"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
