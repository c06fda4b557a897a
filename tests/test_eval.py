"""`aidtrace eval` must print the same figures as ../shared/tools/score_events.py on the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aidtrace.errors import GoldFileError
from aidtrace.eval import format_report, load_gold, load_jsonl, score


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


def test_a_gold_event_without_an_id_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"kind": "meta", "doc": "a.txt"}\n{"kind": "event", "type": "AID"}\n', encoding="utf-8")
    with pytest.raises(GoldFileError, match=r'gold.jsonl:2: a gold event has no "id"'):
        load_gold(bad)
    assert len(load_jsonl(bad)) == 2  # predictions need no id


def test_missing_gold_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(GoldFileError, match="cannot read"):
        load_jsonl(tmp_path / "absent.jsonl")



# ---------------------------------------------------------------------- errors grouped by cause


def _event(doc: str, etype: str, actor: str, recipient: str, sentence: str, **extra: object) -> dict:
    return {"record": "event", "document": {"external_id": doc}, "type": etype,
            "actor": [{"country": actor}], "recipient": [{"country": recipient}] if recipient else [],
            "evidence": {"sentence": sentence}, "negated": False, "context": ["military"], **extra}


GOLD_CASES = [
    {"kind": "event", "doc": "a.txt", "id": "a-e1", "required": True, "type": ["AID"], "actor": ["DEU"],
     "recipient": ["UKR"], "status": ["delivered"], "evidence": ["Germany sent ten tanks"]},
    {"kind": "event", "doc": "a.txt", "id": "a-e2", "required": True, "type": ["CONSULT"], "actor": ["FRA"],
     "recipient": ["UKR"], "evidence": ["Macron visited Kyiv"]},
    {"kind": "event", "doc": "a.txt", "id": "a-e3", "required": True, "type": ["SANCTION"], "actor": ["USA"],
     "recipient": ["UKR"], "evidence": ["Washington paused the shipments"]},
    {"kind": "claim", "doc": "a.txt", "id": "a-c1", "required": True, "subject": ["EU"],
     "value": {"amount": 5e9, "currency": "EUR"}, "evidence": ["five billion euros so far"]},
    {"kind": "event", "doc": "a.txt", "id": "a-e4", "required": True, "type": ["AID"], "actor": ["POL"],
     "recipient": ["UKR"], "evidence": ["Poland delivered jets"]},
]


def test_errors_are_grouped_by_cause() -> None:
    from aidtrace.eval import diagnose, format_causes

    preds = [
        _event("a.txt", "AID", "DEU", "UKR", "Germany sent ten tanks on Monday.", status="pledged"),
        _event("a.txt", "AID", "DEU", "UKR", "Germany sent ten tanks, it said."),  # a second report: duplicate
        _event("a.txt", "AGREE", "USA", "UKR", "Washington paused the shipments."),  # wrong type
        _event("a.txt", "AID", "ITA", "UKR", "Poland delivered jets via Italy."),  # wrong actor
        _event("a.txt", "AID", "EU", "UKR", "The EU has given five billion euros so far."),  # a claim as an event
        _event("a.txt", "AID", "GBR", "UKR", "Britain is a close ally."),  # nothing there in gold
    ]
    causes = diagnose(preds, GOLD_CASES)
    assert causes["missed"]["no event from the evidence sentence"] == ["a-e2"]
    assert causes["missed"]["wrong type (AGREE for SANCTION)"] == ["a-e3"]
    assert causes["missed"]["wrong actor"] == ["a-e4"]
    assert causes["missed"]["claim not found (coded as AID)"] == ["a-c1"]
    assert causes["attribute"]["status wrong"] == ["a-e1"]
    fp = causes["false positive"]
    assert fp["duplicate of a matched event"] == ["AID a.txt"]
    assert fp["a claim's sentence coded as an event"] == ["AID a.txt"]
    assert fp["no gold event on that sentence"] == ["AID a.txt"]
    assert fp["on a gold sentence, but wrong actor"] == ["AID a.txt"]
    report = format_causes(causes)
    assert "     1  wrong actor: a-e4" in report and report.startswith("missed:")


def test_claim_counts_are_reported() -> None:
    claim = {"record": "claim", "document": {"external_id": "a.txt"}, "subject": [{"org": "EU"}],
             "value": {"amount": 5e9, "currency": "EUR"}, "evidence": {"sentence": "It gave five billion euros so far."}}
    res = score([claim], GOLD_CASES)
    assert (res["claims_found"], res["claims_required"]) == (1, 1)
    assert res["required_found"] == 1 and res["required"] == 5


def test_eval_dev_runs_every_set_and_prints_one_table(shared: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aidtrace.cli import app

    result = CliRunner().invoke(app, ["eval", "--dev", "--shared", str(shared), "--set", "seeds",
                                      "--workdir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "development sets" in result.output and "seeds" in result.output
    assert (tmp_path / "seeds.db").exists()
    row = next(line for line in result.output.splitlines() if line.strip().startswith("seeds"))
    assert "(15/15)" in row  # the seeds' required items, found by the real pipeline


@pytest.mark.parametrize("args, message", [
    (["eval"], "give a gold file"),
    (["eval", "--dev", "gold.jsonl"], "--dev scores the shared development sets"),
    (["eval", "--dev", "--shared", "/nonexistent"], "is missing"),
    (["eval", "--dev", "--set", "nope"], "unknown dev set nope"),
])
def test_eval_usage_errors(args: list[str], message: str, shared: Path) -> None:
    from typer.testing import CliRunner

    from aidtrace.cli import app

    if args[:2] == ["eval", "--dev"] and "--shared" not in args:
        args = [*args, "--shared", str(shared)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
