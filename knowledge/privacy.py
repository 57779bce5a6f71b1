"""The knowledge base's part of an erasure: passages (text, metadata, vectors) that mention the person are rewritten.

Chroma holds handbook passages: their text and their metadata (source, title, section, topic, the document's
contact address). A person appears there when a handbook names them (a contact, an example). Nothing else of a
person is written to Chroma — answer feedback and conversations live in the database.
"""

from __future__ import annotations

from collections.abc import Callable

from governance.privacy.erasure import Subject
from knowledge.passage_index import PassageIndex


class KnowledgeErasure:
    """An ``ExternalStore`` for ``governance.privacy.erasure``: opens the index only when an erasure runs."""

    name = "chroma"

    def __init__(self, index: Callable[[], PassageIndex]) -> None:
        self._index = index

    def forget(self, subject: Subject) -> int:
        return self._index().redact(subject.terms)
