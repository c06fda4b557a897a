"""The learned sentence classifier (issue 8, item 4): the shipped artefact is current and loads,
it tells cooperation from conflict on sentences of our own, the coder's single hook drops only
the doubtful events whose kind it disfavours when ``learned`` is on and nothing when it is off,
and the training script runs end to end (on a small subset) and repeats itself exactly."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aidtrace.errors import UsageError
from aidtrace.extract import learned
from aidtrace.pipeline import code_text
from aidtrace.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "train_learned.py"
OWN = ROOT / "scripts" / "learned_sentences.tsv"
KINDS = ROOT / "src" / "aidtrace" / "data" / "learned" / "kinds.yaml"
OFF, ON = Settings.load(learned=False), Settings.load(learned=True)

# Aid news whose background clause the rules code as a doubtful attack (confidence <= 0.5).
AID_WITH_BACKGROUND = (
    "Sweden delivered its latest package of artillery shells to Ukraine on Monday, the 15th since "
    "Russia's full-scale invasion began.",
    "The Netherlands will send more drones to Ukraine, its defence minister said, amid Russia's "
    "attacks on the power grid.",
    "Spain signed a deal with Ukraine to train its pilots, after Russia's attacks on airfields.",
)
# War news whose doubtful attacks the classifier supports.
WAR = (
    "Russian forces shelled the town again on Tuesday after Moscow's invasion stalled in the east.",
    "Russia's attacks on the power grid continued overnight, leaving thousands without heat.",
)


def coded(text: str, settings: Settings) -> list[tuple[str, str, float]]:
    _, events, _ = code_text(text, date="2025-03-05", settings=settings)
    return [(e.type, e.evidence.trigger, e.confidence) for e in events]


def meta() -> dict:
    return json.loads((learned.SHIPPED / "aidtrace_meta.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------- the artefact


def test_the_shipped_artefact_loads_and_names_its_provenance() -> None:
    classifier = learned.load_classifier()
    assert 0.0 < classifier.threshold < 0.5
    assert set(classifier.nlp.get_pipe("textcat").labels) == {k for v in learned.type_kinds().values() for k in v}
    readme = (learned.SHIPPED / "README.md").read_text(encoding="utf-8")
    for needed in ("ConfliBERT", "GPL-3.0", "not settled", "scripts/train_learned.py", meta()["script_blob"],
                   "Held-out metrics", str(meta()["veto_threshold"])):
        assert needed in readme
    assert meta()["held_out"]["conflibert"]["n"] > 200 and meta()["held_out"]["own"]["n"] > 30
    size = sum(f.stat().st_size for f in learned.SHIPPED.rglob("*") if f.is_file())
    assert size < 4_000_000


def test_the_shipped_artefact_was_made_by_the_current_script_and_data(shared: Path) -> None:
    """Editing the script, our sentences, the kinds table or the ConfliBERT copy without running
    the script again leaves a stale model: this names which input changed."""
    m = meta()
    blob = subprocess.run(["git", "hash-object", str(SCRIPT)], capture_output=True, text=True, check=True)
    assert m["script_blob"] == blob.stdout.strip(), "scripts/train_learned.py changed: run it again"
    assert m["sources"]["own"]["sha256"] == sha256(OWN), "learned_sentences.tsv changed: run the script again"
    assert m["kinds"]["sha256"] == sha256(KINDS), "kinds.yaml changed: run the script again"
    conflibert = shared / "data" / "conflibert" / "cameo_class" / "train.tsv"
    assert m["sources"]["conflibert"]["sha256"] == sha256(conflibert)
    assert m["limit"] == 0 and m["command"] == "python scripts/train_learned.py --shared ../shared"


def test_the_artefact_holds_no_word_of_its_training_sentences() -> None:
    """Its string store is a blank English pipeline's (tokenizer exceptions) plus the labels."""
    import spacy

    strings = set(json.loads((learned.SHIPPED / "vocab" / "strings.json").read_text(encoding="utf-8")))
    assert strings - set(spacy.blank("en").vocab.strings) == set(meta()["labels"])


@pytest.mark.parametrize(("sentence", "side"), [
    ("Norwegian troops handed two more air defence launchers to the Ukrainian army last month.", "coop"),
    ("The two defence ministers met in Vilnius and agreed to build shells together.", "coop"),
    ("Rebel gunmen ambushed a police convoy and killed five officers near the border.", "conflict"),
    ("The government expelled three diplomats and imposed sanctions on the neighbouring regime.", "conflict"),
])
def test_it_tells_cooperation_from_conflict_on_our_sentences(sentence: str, side: str) -> None:
    cats = learned.load_classifier().nlp(sentence).cats
    coop = cats["verbal_coop"] + cats["material_coop"]
    conflict = cats["verbal_conflict"] + cats["material_conflict"]
    assert abs(sum(cats.values()) - 1.0) < 1e-4
    assert (coop > conflict) is (side == "coop")
    aid, assault = learned.support(cats, "AID"), learned.support(cats, "ASSAULT")
    assert aid is not None and assault is not None and (aid > assault) is (side == "coop")


def test_every_plover_type_has_kinds_the_classifier_knows() -> None:
    labels = set(learned.load_classifier().nlp.get_pipe("textcat").labels)
    table = learned.type_kinds()
    assert len(table) == 16 and all(set(kinds) <= labels for kinds in table.values())
    assert learned.support({"neutral": 1.0}, "NOT-A-TYPE") is None


# ------------------------------------------------------------------------- the hook


def test_on_by_default_and_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.load().learned is True and Settings.load().learned_model == ""
    monkeypatch.setenv("AIDTRACE_LEARNED", "0")
    assert Settings.load().learned is False


@pytest.mark.parametrize("text", AID_WITH_BACKGROUND)
def test_on_it_drops_the_doubtful_background_attack_of_an_aid_sentence(text: str) -> None:
    rules, vetted = coded(text, OFF), coded(text, ON)
    assert any(t == "ASSAULT" and c <= learned.DOUBTFUL for t, _, c in rules), \
        "the rules no longer code this background attack: good, but give the test a sentence where they still err"
    dropped = [e for e in rules if e not in vetted]
    assert [t for t, _, _ in dropped] == ["ASSAULT"] and all(c <= learned.DOUBTFUL for _, _, c in dropped)
    assert vetted == [e for e in rules if e not in dropped] and vetted  # the aid event stays, in order


@pytest.mark.parametrize("text", WAR)
def test_on_it_keeps_doubtful_attacks_where_the_sentence_is_about_war(text: str) -> None:
    rules = coded(text, OFF)
    assert any(t == "ASSAULT" and c <= learned.DOUBTFUL for t, _, c in rules)
    assert coded(text, ON) == rules


def test_on_it_never_touches_events_the_rules_are_sure_of() -> None:
    text = "Canada sent armoured vehicles to Ukraine last week after Russia's strikes on Kharkiv."
    rules = coded(text, OFF)
    assert ("ASSAULT", "strikes") in [(t, trig) for t, trig, c in rules if c > learned.DOUBTFUL]
    assert coded(text, ON) == rules


def test_off_it_changes_nothing_and_loads_nothing() -> None:
    learned.load_classifier.cache_clear()
    for text in AID_WITH_BACKGROUND + WAR:
        assert any(t == "ASSAULT" for t, _, _ in coded(text, OFF))
    assert learned.load_classifier.cache_info().currsize == 0


def test_a_folder_without_a_model_is_a_usage_error(tmp_path: Path) -> None:
    settings = Settings.load(learned=True, learned_model=str(tmp_path))
    with pytest.raises(UsageError, match="no learned model there"):
        code_text(AID_WITH_BACKGROUND[0], date="2025-03-05", settings=settings)


def test_help_does_not_load_the_classifier_even_when_it_is_on() -> None:
    probe = ("import sys\nsys.argv = ['aidtrace', '--help']\nfrom aidtrace.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in sys.modules if m == 'spacy' or m.endswith('extract.learned')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          env={"AIDTRACE_LEARNED": "1", "PATH": "/usr/bin:/bin"})
    assert "LOADED []" in done.stdout


# ------------------------------------------------------------------------- the training script


def train_tiny(shared: Path, out: Path) -> dict:
    done = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(shared), "--out", str(out), "--limit", "60"],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_training_script_runs_end_to_end_and_repeats_itself(shared: Path, tmp_path: Path) -> None:
    printed = train_tiny(shared, tmp_path / "a")
    assert printed["held_out"]["n"] > 0 and 0.0 < printed["veto_threshold"] < 1.0
    m = json.loads((tmp_path / "a" / "aidtrace_meta.json").read_text(encoding="utf-8"))
    assert m["limit"] == 60 and m["sources"]["conflibert"]["sentences"] == 60 and m["train"] < 120
    assert "--limit 60" in (tmp_path / "a" / "README.md").read_text(encoding="utf-8")
    classifier = learned.load_classifier(str(tmp_path / "a"))
    assert set(classifier.nlp("Troops fired on the protesters.").cats) == set(m["labels"])
    train_tiny(shared, tmp_path / "b")
    for part in ("textcat/model", "config.cfg", "vocab/strings.json"):
        assert (tmp_path / "a" / part).read_bytes() == (tmp_path / "b" / part).read_bytes(), part


def test_the_script_names_a_missing_shared_folder(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--shared", str(tmp_path), "--out", str(tmp_path / "m")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "give the shared data folder with --shared" in done.stderr


def test_our_sentences_are_our_own(shared: Path) -> None:
    """No training sentence of ours is (nearly) one of the shared articles, datasets or gold sets."""
    def words(text: str) -> frozenset[str]:
        return frozenset(re.findall(r"[a-z0-9]+", text.lower()))

    ours = [words(line.rpartition("\t")[0]) for line in OWN.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    theirs: list[frozenset[str]] = []
    articles = [*(shared / "acceptance" / "news_dev").glob("d*.txt"), *(shared / "seeds").glob("*_*.txt")]
    texts = [p.read_text(encoding="utf-8") for p in articles]
    texts += [(shared / "data" / "conflibert" / "cameo_class" / "train.tsv").read_text(encoding="utf-8"),
              (shared / "acceptance" / "plover_gsr_dev_input.jsonl").read_text(encoding="utf-8")]
    for text in texts:
        theirs += [words(s) for s in re.split(r"(?<=[.!?\"])\s+|\n", text) if len(s) > 30]
    assert len(ours) > 200 and len(theirs) > 2000
    for mine in ours:
        for other in theirs:
            assert len(mine & other) / len(mine | other) < 0.6, sorted(mine)


def _partition(texts: list[str]) -> list[Any]:
    from aidtrace import pipeline
    from aidtrace.model import RawRecord

    docs = []
    for i, text in enumerate(texts):
        doc = pipeline._build(RawRecord(source="t.jsonl", line=i + 1, text=text, external_id=f"t{i}",
                                        published="2025-03-05", format="jsonl"))
        assert not isinstance(doc, pipeline.Rejection)
        doc.id = f"doc-{i}"
        docs.append(doc)
    return docs


def test_a_partition_is_vetted_in_one_batch_as_each_document_alone() -> None:
    """The doubtful sentences of a partition's documents are classified together: the events
    kept are those each document keeps on its own."""
    from aidtrace import pipeline

    texts = list(AID_WITH_BACKGROUND + WAR)
    together = pipeline.analyse_partition(_partition(texts), ON)
    alone = [pipeline.analyse_partition([doc], ON)[0] for doc in _partition(texts)]
    assert [o[1] for _, o in together] == [o[1] for _, o in alone]  # type: ignore[index]
    assert sum(len(o[1]) for _, o in together) < sum(  # type: ignore[index]
        len(o[1]) for _, o in pipeline.analyse_partition(_partition(texts), OFF))  # type: ignore[index]


def test_if_the_batch_fails_only_the_document_it_fails_on_is_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    from aidtrace import pipeline

    bad = AID_WITH_BACKGROUND[0]
    real = learned.vet_documents

    def fragile(documents: list[Any], model_path: str = "") -> list[Any]:
        if any(e.evidence.sentence == bad for events in documents for e in events):
            raise RuntimeError("classifier broke")
        return real(documents, model_path)

    monkeypatch.setattr(learned, "vet_documents", fragile)
    outcomes = pipeline.analyse_partition(_partition([bad, *WAR]), ON)
    assert isinstance(outcomes[0][1], pipeline.AnalysisFailed) and "classifier broke" in str(outcomes[0][1])
    assert all(not isinstance(o, Exception) and o[1] for _, o in outcomes[1:])
