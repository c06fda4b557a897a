"""Actor resolution (being written; interface fixed).

requires: Document (text, published, dateline_place), Sentence list from nlp.pipeline
assigns:  Mention list with offsets into Document.text
"""

from __future__ import annotations

from ..model import Document, Mention
from ..nlp.pipeline import Sentence


def resolve_mentions(doc: Document, sentences: list[Sentence]) -> list[Mention]:
    """All actor mentions of a document, resolved as of its publication date."""
    raise NotImplementedError("actor resolution lands with issue 3")
