"""What every use case may use: settings, the database, caches, the clock and notifiers. Built in app.py."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from approvals.deps import ApprovalsDeps
from approvals.executor import LadderExecutor
from conversation import Notifiers, Reply
from governance.privacy.erasure import Erasure, Subject
from knowledge.base import KnowledgeBase, open_knowledge_base
from settings import Settings
from skills_engine.indexes import TaxonomyIndexes
from storage.db import Database

if TYPE_CHECKING:
    from skills_engine.extraction import SkillExtractor
    from understanding.understand import Understander


log = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Ladder:
    settings: Settings
    db: Database
    # Role and skill names and the role graph, built from the taxonomy once and shared by every use case.
    indexes: TaxonomyIndexes = field(default_factory=TaxonomyIndexes)
    now: Callable[[], dt.datetime] = _utcnow
    notifiers: Notifiers = field(default_factory=Notifiers)
    # The knowledge base (Chroma client, BM25, embedding model) is built on first use by
    # ``knowledge_base(ladder)``: commands that never answer a policy question don't pay for loading a model.
    knowledge_base: KnowledgeBase | None = field(default=None, repr=False)
    # What people type is understood by one ``Understander``, built on first use by ``understander(ladder)``.
    understanding: "Understander | None" = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # In-process caches that may hold a person (a channel's user id -> email): each is told when a person is erased.
    # A hook gets the person's chat account ids and email and returns how many entries it dropped.
    caches: list[Callable[[Sequence[str], str | None], int]] = field(default_factory=list, repr=False)

    def notify(self, person_email: str, reply: Reply) -> bool:
        """Try every channel; a failing channel never stops the others (or the caller)."""
        return self.notifiers.notify(person_email, reply)

    @cached_property
    def approvals(self) -> ApprovalsDeps:
        """What approvals and the agent work with, made once: it owns this process's SQLite writer queue. The clock
        is read through the application at each use (tests set ``now``); the settings object is read at use too."""
        made = ApprovalsDeps(db=self.db, now=lambda: self.now(), notifier=self.notifiers, settings=self.settings,
                             executor=LadderExecutor(erasure=self.erasure))
        # Two threads' first use may race here: setdefault is atomic, so both get the one writer queue.
        return self.__dict__.setdefault("_approvals", made)

    @cached_property
    def erasure(self) -> Erasure:
        """Carries out approved erasures: the database, the vector store (opened only when an erasure runs) and the
        in-process caches, with the pseudonym key from settings."""
        from knowledge.privacy import KnowledgeErasure

        stores = [KnowledgeErasure(lambda: knowledge_base(self).index), _Caches(self.caches)]
        made = Erasure(self.db, self.settings.pseudonym_key, now=lambda: self.now(), notifier=self.notifiers, stores=stores)
        return self.__dict__.setdefault("_erasure", made)


class _Caches:
    """The application's cache hooks as one store of the erasure."""

    name = "caches"

    def __init__(self, hooks: list[Callable[[Sequence[str], str | None], int]]) -> None:
        self._hooks = hooks

    def forget(self, subject: Subject) -> int:
        return sum(int(hook(subject.external_ids, subject.email) or 0) for hook in list(self._hooks))


def knowledge_base(ladder: Ladder) -> KnowledgeBase:
    """The one knowledge base of this process, built on first use (once, however many threads ask)."""
    with ladder.lock:
        if ladder.knowledge_base is None:
            ladder.knowledge_base = open_knowledge_base(ladder.settings, ladder.db)
        return ladder.knowledge_base


def skill_extractor(ladder: Ladder) -> "SkillExtractor":
    """The skill extraction of this process over the current taxonomy, rebuilt when the skills change."""
    from knowledge.embedding import MODEL_NAME, embedder_for
    from skills_engine.extraction import SkillExtractor

    with ladder.db.unit_of_work() as uow:
        index = ladder.indexes.skills(uow.skills.taxonomy)
        with ladder.lock:
            made = ladder.__dict__.get("_skill_extractor")
            if made is not None and made[0] is index:
                return made[1]
        uris = {skill_id: uri for skill_id, uri, _label in uow.skills.taxonomy.skill_rows()}
        entries = uow.skills.taxonomy.skill_label_rows()
    extractor = SkillExtractor(index, uris.__getitem__, embed=embedder_for(ladder.settings), entries=entries,
                               vectors_dir=ladder.settings.skill_vectors_path, model_name=MODEL_NAME)
    with ladder.lock:
        ladder.__dict__["_skill_extractor"] = (index, extractor)
    return extractor


def understander(ladder: Ladder) -> "Understander":
    """The one understanding of this process (catalogue, classifier, optional LLM), built on first use.

    The classifier uses the knowledge base's embedding model when it can be loaded; without it, lexical features
    alone (the embedding loader has already said so in the log).
    """
    with ladder.lock:
        if ladder.understanding is None:
            ladder.understanding = build_understander(ladder.settings)
        return ladder.understanding


def build_understander(settings: Settings) -> "Understander":
    from knowledge.embedding import embedder_for
    from understanding.catalogue import load
    from settings import PROJECT_ROOT
    from understanding.classifier import IntentClassifier, LabelPool
    from understanding.llm import proposer_for
    from understanding.understand import Understander

    catalogue = load()
    # The ESCO subset the repository carries supplies other role and skill names to vary the examples with.
    pool = LabelPool.from_esco(PROJECT_ROOT / "demo" / "esco" / "en")
    classifier = IntentClassifier(catalogue, cache_dir=settings.intent_model_cache_dir, pool=pool,
                                  load_embedder=lambda: embedder_for(settings))
    return Understander(catalogue, classifier, proposer=proposer_for(settings, catalogue))
