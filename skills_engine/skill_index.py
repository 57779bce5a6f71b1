"""Resolving what a person typed ("SQL", "python", "machine lerning") to an ESCO skill.

Like ``RoleIndex``: exact forms first (preferred label, then alternative labels, then a label without
its parenthesised qualifier — "Python (computer programming)" answers "python"), then fuzzy matching
with a clear-margin rule. Build once per taxonomy version.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

SKILL_ABBREVIATIONS: dict[str, str] = {
    "ml": "machine learning", "ai": "artificial intelligence", "js": "javascript", "ts": "typescript",
    "k8s": "kubernetes", "nlp": "natural language processing", "ux": "user experience", "bi": "business intelligence",
    "stats": "statistics", "db": "databases", "dbs": "databases", "excel": "use spreadsheets software",
    "spreadsheets": "use spreadsheets software", "golang": "go", "postgres": "postgresql",
}

FOUND_SCORE = 90.0
CANDIDATE_SCORE = 70.0
CLEAR_MARGIN = 4.0
PREFERRED_BONUS = 5.0
_PAREN = re.compile(r"\s*\([^)]*\)\s*")


def normalise(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9+#./' -]+", " ", text)
    text = re.sub(r"(?<![a-z0-9])[.'-]|[.'-](?![a-z0-9])", " ", text)  # keep "node.js", drop stray dots
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(?:the|a|an|my|some|basic|advanced)\s+", "", text)
    text = re.sub(r"\s+(?:skills?|knowledge|programming|language)$", "", text) or text
    return text


@dataclass(frozen=True, slots=True)
class SkillCandidate:
    skill_id: int
    label: str
    score: float


@dataclass(slots=True)
class SkillMatch:
    status: Literal["found", "ambiguous", "unknown"]
    query: str
    skill: SkillCandidate | None = None
    candidates: list[SkillCandidate] = field(default_factory=list)


class SkillIndex:
    def __init__(self, entries: Iterable[tuple[int, str, str]]) -> None:
        self._preferred: dict[int, str] = {}
        tables: tuple[dict[str, set[int]], ...] = ({}, {}, {})  # preferred, alternative, without qualifier
        labels: list[str] = []
        owners: list[int] = []
        flags: list[bool] = []
        for skill_id, label, alt_labels in entries:
            self._preferred[skill_id] = label
            pref = normalise(label)
            tables[0].setdefault(pref, set()).add(skill_id)
            forms = {pref} | {normalise(a) for a in (alt_labels or "").split("\n") if a.strip()}
            for form in forms:
                if form:
                    tables[1].setdefault(form, set()).add(skill_id)
                    labels.append(form)
                    owners.append(skill_id)
                    flags.append(form == pref)
            bare = normalise(_PAREN.sub(" ", label))
            if bare and bare != pref:
                tables[2].setdefault(bare, set()).add(skill_id)
        self._tables = tables
        self._labels, self._owners, self._is_preferred = labels, owners, flags

    def __len__(self) -> int:
        return len(self._preferred)

    def label(self, skill_id: int) -> str:
        return self._preferred[skill_id]

    def _cand(self, skill_id: int, score: float) -> SkillCandidate:
        return SkillCandidate(skill_id, self._preferred[skill_id], round(min(score, 100.0), 1))

    def forms(self) -> list[str]:
        """Every distinct normalised label form (for fuzzy matching)."""
        return list(self._tables[1])

    def lookup(self, form: str) -> tuple[set[int], bool]:
        """Skills with this already-normalised form as a label: (ids, True when it is their preferred label)."""
        pref = self._tables[0].get(form)
        if pref:
            return set(pref), True
        return set(self._tables[1].get(form, ())), False

    def exact(self, text: str) -> set[int]:
        """Skills whose preferred or alternative label is exactly this (normalised) phrase."""
        form = normalise(text)
        return set(self._tables[0].get(form, ())) or set(self._tables[1].get(form, ())) or set(self._tables[2].get(form, ()))

    def resolve(self, text: str, *, limit: int = 5) -> SkillMatch:
        base = normalise(text)
        if not base:
            return SkillMatch("unknown", text)
        forms = [base]
        if base in SKILL_ABBREVIATIONS:
            forms.append(SKILL_ABBREVIATIONS[base])
        for form in forms:
            for table in self._tables:
                ids = table.get(form)
                if ids and len(ids) == 1:
                    return SkillMatch("found", text, self._cand(next(iter(ids)), 100.0))
                if ids:
                    cands = sorted((self._cand(i, 100.0) for i in ids), key=lambda c: (len(c.label), c.label))
                    return SkillMatch("ambiguous", text, None, cands[:limit])
        best: dict[int, float] = {}
        for form in forms:
            for _label, score, idx in process.extract(form, self._labels, scorer=fuzz.token_sort_ratio,
                                                      limit=limit * 6, score_cutoff=55):
                owner = self._owners[idx]
                score += PREFERRED_BONUS if self._is_preferred[idx] else 0.0
                if score > best.get(owner, 0.0):
                    best[owner] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._preferred[kv[0]]))
        cands = [self._cand(s, score) for s, score in ranked[:limit]]
        if not cands:
            return SkillMatch("unknown", text)
        top_raw = ranked[0][1]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if top_raw >= FOUND_SCORE and top_raw - runner_up >= CLEAR_MARGIN:
            return SkillMatch("found", text, cands[0], cands)
        close = [c for c in cands if c.score >= CANDIDATE_SCORE]
        if close:
            return SkillMatch("ambiguous", text, None, close)
        return SkillMatch("unknown", text, None, cands)


class SkillIndexCache:
    """One ``SkillIndex`` per database, rebuilt when the skills table changes."""

    def __init__(self) -> None:
        import threading
        import weakref

        self._lock = threading.Lock()
        self._indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def get(self, db, session) -> SkillIndex:
        from storage import queries  # storage imports skills_engine; keep the cycle lazy

        signature = queries.skill_signature(session)
        with self._lock:
            entry = self._indexes.get(db)
            if entry is not None and entry[0] == signature:
                return entry[1]
        index = SkillIndex(queries.skill_label_rows(session))
        with self._lock:
            self._indexes[db] = (signature, index)
        return index


SKILLS = SkillIndexCache()
