"""`aidtrace eval` must print the same figures as ../shared/tools/score_events.py on the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aidtrace.errors import GoldFileError
from aidtrace.eval import format_report, load_jsonl, score


def scorer(shared: Path, pred: Path, gold: Path) -> str:
    out = subprocess.run([sys.executable, str(shared / "tools" / "score_events.py"), str(pred), str(gold),
                          "--verbose"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def ours(pred: Path, gold: Path) -> str:
    res = score(load_jsonl(pred), load_jsonl(gold))
    return "\n".join(line for line in format_report(res, verbose=True).splitlines()
                     if not line.startswith("confusion") and not line.startswith("  "))


def gold_as_predictions(gold: list[dict]) -> list[dict]:
    """Turn gold event lines into export-shaped predictions (a perfect but partial system)."""
    preds = []
    for g in gold:
        if g.get("kind") != "event":
            continue
        preds.append({"record": "event", "document": {"external_id": g["doc"]}, "type": g["type"][0],
                      "actor": [{"country": c} for c in g.get("actor", [])],
                      "recipient": [{"country": c} for c in g.get("recipient", [])],
                      "evidence": {"sentence": (g.get("evidence") or [""])[0]}, "negated": False,
                      "context": g.get("context", []), "status": (g.get("status") or [None])[0]})
    return preds


@pytest.mark.parametrize("gold_name", ["seeds_gold.jsonl", "plover_gsr_dev_gold.jsonl"])
def test_same_figures_as_the_acceptance_scorer(shared: Path, tmp_path: Path, gold_name: str) -> None:
    gold = shared / "acceptance" / gold_name
    pred = tmp_path / "pred.jsonl"
    records = gold_as_predictions(load_jsonl(gold))
    # drop every third prediction and add a stray one, so the figures are not trivially perfect
    records = [r for i, r in enumerate(records) if i % 3] + [
        {"record": "event", "document": {"external_id": records[0]["document"]["external_id"]},
         "type": "ASSAULT", "actor": [{"country": "XXX"}], "recipient": [], "evidence": {"sentence": "x"}}]
    pred.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    expected = scorer(shared, pred, gold)
    assert ours(pred, gold) == expected
    assert "recall 1.0 " not in expected  # the dropped predictions must show


def test_real_export_scores_the_same(shared: Path, tmp_path: Path) -> None:
    from aidtrace.pipeline import ingest
    from aidtrace.settings import Settings
    from aidtrace.store.db import Store

    db = tmp_path / "seeds.db"
    ingest([str(shared / "seeds")], Settings.load(db=str(db)))
    pred = tmp_path / "export.jsonl"
    from aidtrace.pipeline import export

    with pred.open("w", encoding="utf-8") as out:
        export(Store.open(str(db)), out)
    gold = shared / "acceptance" / "seeds_gold.jsonl"
    assert ours(pred, gold) == scorer(shared, pred, gold)


def test_broken_gold_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"kind": "event"}\n{not json\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match=r"gold.jsonl:2"):
        load_jsonl(bad)


def test_missing_gold_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match="cannot read"):
        load_jsonl(tmp_path / "absent.jsonl")

