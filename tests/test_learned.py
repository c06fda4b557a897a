"""The learned classifier (issue 8, item 4): the training script runs on the shared ConfliBERT
sentences, the model it writes loads, and the coder's single hook changes nothing when it is off
and drops events only as its setting says when it is on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aidtrace.errors import UsageError
from aidtrace.extract import learned
from aidtrace.pipeline import code_text
from aidtrace.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("Germany delivered two more air defence systems to Ukraine on Monday. "
        "Police in Lima arrested three protesters on Tuesday.")


@pytest.fixture(scope="module")
def model(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("learned") / "quadclass"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_learned.py"), "--shared", str(shared),
                             "--out", str(out), "--limit", "300"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout.splitlines()[-1])) >= {"accuracy", "n"}
    return out


def test_the_script_writes_a_model_with_its_provenance(model: Path) -> None:
    meta = json.loads((model / "aidtrace_meta.json").read_text(encoding="utf-8"))
    assert "ConfliBERT" in meta["source"] and meta["labels"][0] == "neutral" and meta["train"] > 0
    cats = learned.load_model(str(model))("Rebels attacked an army post near the border.").cats
    assert set(cats) == set(learned.QUAD.values()) and abs(sum(cats.values()) - 1.0) < 1e-3


def test_off_by_default_and_off_it_changes_nothing(model: Path) -> None:
    assert Settings.load().learned_veto == 0.0 and Settings.load().learned_model == ""
    _, plain, _ = code_text(TEXT, date="2024-03-05")
    _, same, _ = code_text(TEXT, date="2024-03-05", settings=Settings.load(learned_model=str(model), learned_veto=0))
    assert [(e.type, e.evidence.sentence) for e in plain] == [(e.type, e.evidence.sentence) for e in same]


def test_on_it_drops_only_events_whose_kind_the_classifier_disfavours(model: Path) -> None:
    _, plain, _ = code_text(TEXT, date="2024-03-05")
    strict = Settings.load(learned_model=str(model), learned_veto=1.0001)  # any other kind scored higher
    _, vetted, _ = code_text(TEXT, date="2024-03-05", settings=strict)
    nlp = learned.load_model(str(model))
    for event in plain:
        scores = nlp(event.evidence.sentence).cats
        disfavoured = scores[learned.QUAD[event.type]] * 1.0001 < max(scores.values())
        kept = (event.type, event.evidence.sentence) in {(e.type, e.evidence.sentence) for e in vetted}
        assert kept is not disfavoured


def test_a_missing_model_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no learned model there"):
        code_text(TEXT, date="2024-03-05", settings=Settings.load(learned_model=str(tmp_path), learned_veto=2))
