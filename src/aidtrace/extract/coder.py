"""Event coder (being written; interface fixed).

requires: Document, Sentence list (parsed candidates), Mention list
assigns:  Event and Claim lists
"""

from __future__ import annotations

from ..model import Claim, Document, Event, Mention
from ..nlp.pipeline import Sentence


def code_document(doc: Document, sentences: list[Sentence], mentions: list[Mention]) -> tuple[list[Event], list[Claim]]:
    """All events and claims of one document."""
    raise NotImplementedError("event coding lands with issue 4")
