"""A learned second opinion on the coder's events (issue 8, item 4), off by default.

requires: events coded by the rules; a text classifier trained by ``scripts/train_learned.py``
          (CAMEO quad classes: neutral, verbal/material cooperation, verbal/material conflict)
assigns:  nothing; ``vet`` returns the events the classifier does not object to

An event is dropped when the classifier scores the sentence's most likely kind of event
``ratio`` times higher than the event's own kind. Measured side by side with the rules alone in
docs/EVALUATION.md ("Learned components"): it costs far more recall than it buys precision, so
it is off by default; the settings ``learned_model`` (the model folder) and ``learned_veto``
(the ratio) switch it on.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..model import Event

# The quad class of each PLOVER type (CAMEO roots: 03-05 verbal cooperation, 06-08 material
# cooperation, 09-13 and 16 verbal conflict, 14-15 and 17-20 material conflict; 01-02 neutral).
QUAD = {"AGREE": "verbal_coop", "CONSULT": "verbal_coop", "SUPPORT": "verbal_coop",
        "COOPERATE": "material_coop", "AID": "material_coop", "CONCEDE": "material_coop", "RETREAT": "material_coop",
        "REQUEST": "neutral", "ACCUSE": "verbal_conflict", "REJECT": "verbal_conflict",
        "THREATEN": "verbal_conflict", "SANCTION": "verbal_conflict", "PROTEST": "material_conflict",
        "MOBILIZE": "material_conflict", "COERCE": "material_conflict", "ASSAULT": "material_conflict"}


@lru_cache(maxsize=2)
def load_model(path: str) -> Any:
    """The classifier saved by scripts/train_learned.py (spaCy is imported here, not at start-up)."""
    import spacy

    if not (Path(path) / "config.cfg").is_file():
        raise UsageError(f"{path}: no learned model there — train one with scripts/train_learned.py "
                         "or unset AIDTRACE_LEARNED_MODEL")
    return spacy.load(path)


def vet(events: list[Event], model_path: str, ratio: float) -> list[Event]:
    """The events the classifier does not contradict: an event is dropped when the classifier
    scores the sentence's favourite kind of event ``ratio`` times higher than the event's kind."""
    if not events or not model_path or ratio <= 0:
        return events
    nlp = load_model(model_path)
    sentences = sorted({e.evidence.sentence for e in events})
    cats = {text: doc.cats for text, doc in zip(sentences, nlp.pipe(sentences), strict=True)}
    kept = []
    for event in events:
        scores = cats[event.evidence.sentence]
        own = QUAD.get(event.type, "neutral")
        if own != "neutral" and scores.get(own, 0.0) * ratio < max(scores.values()):
            continue
        kept.append(event)
    return kept
