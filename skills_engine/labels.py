"""Resolving what a person typed to one concept of a vocabulary (a role, a skill) by its labels.

One matcher for every vocabulary; what differs between roles and skills — how a phrase is normalised,
which forms of it are worth an exact look-up (abbreviations, plurals, nominalisations), how strict fuzzy
matching is — comes in a ``Vocabulary``. In order of trust:

1. exact forms, each looked up among preferred labels, then alternative labels, then (when the vocabulary
   asks for it) labels without their parenthesised qualifier — "Python (computer programming)" answers
   "python". One owner: found; several: ambiguous.
2. fuzzy matching (rapidfuzz ``token_sort_ratio``) over every label form, a preferred label earning a small
   bonus; the best is taken only when it scores high *and* clearly ahead of the next concept.

Build an index once per taxonomy version (``skills_engine.indexes``); it is pure data afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

_PAREN = re.compile(r"\s*\([^)]*\)\s*")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    label: str  # the preferred label
    score: float


@dataclass(slots=True)
class LabelMatch:
    status: Literal["found", "ambiguous", "unknown"]
    query: str
    best: Candidate | None = None  # set when found
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class Vocabulary:
    normalise: Callable[[str], str]
    forms: Callable[[str], list[str]]  # normalised forms of a typed phrase worth an exact look-up, most literal first
    fuzzy_cutoff: float  # label forms scoring below this are not considered at all
    candidate_score: float  # below this a fuzzy match is only offered as "closest", not as a choice
    found_score: float = 90.0  # a fuzzy match this good, clearly ahead of the next concept, is taken
    clear_margin: float = 4.0
    preferred_bonus: float = 5.0  # a typo of a concept's own name beats the same typo of another's alias
    bare_labels: bool = False  # also index preferred labels without their "(qualifier)"
    ambiguous_order: Callable[[Candidate], tuple] = lambda c: (c.label,)
    # More normalised forms of one label worth an exact look-up (e.g. the singular of "network engineers").
    label_forms: Callable[[str], list[str]] = lambda form: [form]


class LabelIndex:
    """An in-memory index of a vocabulary's labels: ``entries`` are (id, preferred label, alternative labels
    separated by newlines, as ESCO ships them)."""

    def __init__(self, entries: Iterable[tuple[int, str, str | None]], vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        normalise = vocabulary.normalise
        self._preferred: dict[int, str] = {}
        # Exact tables in order of trust: preferred label, any label, preferred label without its qualifier.
        tables: list[dict[str, set[int]]] = [{}, {}] + ([{}] if vocabulary.bare_labels else [])
        labels: list[str] = []
        owners: list[int] = []
        is_preferred: list[bool] = []
        for concept_id, label, alt_labels in entries:
            self._preferred[concept_id] = label
            preferred = normalise(label)
            tables[0].setdefault(preferred, set()).add(concept_id)
            forms = {preferred} | {normalise(a) for a in (alt_labels or "").split("\n") if a.strip()}
            forms |= {extra for form in list(forms) for extra in vocabulary.label_forms(form)}
            for form in forms:
                if form:
                    tables[1].setdefault(form, set()).add(concept_id)
                    labels.append(form)
                    owners.append(concept_id)
                    is_preferred.append(form == preferred)
            if vocabulary.bare_labels:
                bare = normalise(_PAREN.sub(" ", label))
                if bare and bare != preferred:
                    tables[2].setdefault(bare, set()).add(concept_id)
        self._tables = tables
        self._labels, self._owners, self._is_preferred = labels, owners, is_preferred

    def __len__(self) -> int:
        return len(self._preferred)

    def label(self, concept_id: int) -> str:
        return self._preferred[concept_id]

    def forms(self) -> list[str]:
        """Every distinct normalised label form (for fuzzy matching elsewhere)."""
        return list(self._tables[1])

    def lookup(self, form: str) -> tuple[set[int], bool]:
        """Concepts with this already-normalised form as a label: (ids, True when it is their preferred label)."""
        preferred = self._tables[0].get(form)
        if preferred:
            return set(preferred), True
        return set(self._tables[1].get(form, ())), False

    def exact(self, text: str) -> set[int]:
        """Concepts one of whose labels is exactly this phrase once normalised (the most trusted table wins)."""
        form = self.vocabulary.normalise(text)
        for table in self._tables:
            if table.get(form):
                return set(table[form])
        return set()

    def _candidate(self, concept_id: int, score: float) -> Candidate:
        return Candidate(concept_id, self._preferred[concept_id], round(min(score, 100.0), 1))

    def resolve(self, text: str, *, limit: int = 5) -> LabelMatch:
        vocabulary = self.vocabulary
        forms = vocabulary.forms(text)
        if not forms:
            return LabelMatch("unknown", text)
        for form in forms:
            for table in self._tables:
                ids = table.get(form)
                if ids and len(ids) == 1:
                    return LabelMatch("found", text, self._candidate(next(iter(ids)), 100.0))
                if ids:
                    cands = sorted((self._candidate(i, 100.0) for i in ids), key=vocabulary.ambiguous_order)
                    return LabelMatch("ambiguous", text, None, cands[:limit])
        best: dict[int, float] = {}
        for form in forms:
            for _label, score, idx in process.extract(form, self._labels, scorer=fuzz.token_sort_ratio,
                                                      limit=limit * 6, score_cutoff=vocabulary.fuzzy_cutoff):
                owner = self._owners[idx]
                score += vocabulary.preferred_bonus if self._is_preferred[idx] else 0.0
                if score > best.get(owner, 0.0):
                    best[owner] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._preferred[kv[0]]))
        cands = [self._candidate(c, s) for c, s in ranked[:limit]]
        if not cands:
            return LabelMatch("unknown", text)
        top_raw = ranked[0][1]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top_raw >= vocabulary.found_score and top_raw - runner_up >= vocabulary.clear_margin:
            return LabelMatch("found", text, cands[0], cands)
        close = [c for c in cands if c.score >= vocabulary.candidate_score]
        if close:
            return LabelMatch("ambiguous", text, None, close)
        return LabelMatch("unknown", text, None, cands)
