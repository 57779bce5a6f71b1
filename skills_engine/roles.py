"""Resolving what a person typed ("DBA", "cloud engineering", "data scientst") to a role.

Roles are ESCO occupations, matched on their preferred and alternative labels. Matching is
tolerant of case, punctuation, articles, plurals, common abbreviations, nominalised forms
("engineering" for "engineer") and typos, in that order of trust: exact forms first, then fuzzy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process

# Whole-phrase abbreviations people use for roles.
ROLE_ABBREVIATIONS: dict[str, str] = {
    "dba": "database administrator",
    "db admin": "database administrator",
    "sysadmin": "ict system administrator",
    "sys admin": "ict system administrator",
    "ba": "business analyst",
    "qa": "software tester",
    "qa engineer": "software tester",
    "swe": "software developer",
    "sde": "software developer",
    "dev": "software developer",
    "pm": "ict project manager",
    "cto": "chief technology officer",
    "cio": "chief information officer",
    "ciso": "chief ict security officer",
    "cdo": "chief data officer",
    "hr manager": "human resources manager",
    "hrbp": "human resources officer",
    "pentester": "ethical hacker",
    "pen tester": "ethical hacker",
}

# Word-level abbreviations inside longer phrases.
WORD_ABBREVIATIONS: dict[str, str] = {
    "sr": "senior", "jr": "junior", "eng": "engineer", "engr": "engineer", "dev": "developer",
    "devs": "developer", "mgr": "manager", "admin": "administrator", "db": "database", "ml": "machine learning",
    "ai": "artificial intelligence", "it": "ict", "sec": "security", "ops": "operations", "qa": "quality assurance",
    "ux": "user experience", "ui": "user interface",
}

# "move into cloud engineering" asks for the cloud engineer role.
NOMINALISATIONS: dict[str, str] = {
    "engineering": "engineer", "science": "scientist", "sciences": "scientist", "analytics": "analyst",
    "analysis": "analyst", "management": "manager", "development": "developer", "administration": "administrator",
    "architecture": "architect", "design": "designer", "consulting": "consultant", "consultancy": "consultant",
    "testing": "tester", "programming": "programmer", "accounting": "accountant", "auditing": "auditor",
    "marketing": "marketer", "recruiting": "recruiter", "recruitment": "recruiter",
}

_FILLER_PREFIX = re.compile(r"^(a|an|the|be|become|becoming|being|senior|junior|lead|principal)\s+")
_FILLER_SUFFIX = re.compile(r"\s+(role|roles|position|positions|job|jobs|career|track|path|team)$")

FOUND_SCORE = 90.0  # a fuzzy match this good, clearly ahead of the next role, is taken
CANDIDATE_SCORE = 72.0  # below this a match is only offered as "closest", not as a choice
CLEAR_MARGIN = 4.0
PREFERRED_BONUS = 5.0  # a typo of a role's own name beats the same typo of another role's alias


def normalise(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9+#/' -]+", " ", text)
    text = re.sub(r"['/-]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for _ in range(3):
        text = _FILLER_PREFIX.sub("", text)
        text = _FILLER_SUFFIX.sub("", text)
    return text


def _singular(word: str) -> str:
    if len(word) <= 3 or word.endswith("ss") or word.endswith("ics") or word.endswith("sis"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s"):
        return word[:-1]
    return word


def variants(text: str) -> list[str]:
    """Forms of a typed role worth an exact lookup, most literal first."""
    base = normalise(text)
    out: list[str] = []

    def add(v: str) -> None:
        v = re.sub(r"\s+", " ", v).strip()
        if v and v not in out:
            out.append(v)

    add(base)
    if base in ROLE_ABBREVIATIONS:
        add(ROLE_ABBREVIATIONS[base])
    words = base.split()
    singular = [_singular(w) for w in words]
    add(" ".join(singular))
    expanded = [WORD_ABBREVIATIONS.get(w, w) for w in singular]
    add(" ".join(expanded))
    nominal = [NOMINALISATIONS.get(w, w) for w in expanded]
    add(" ".join(nominal))
    if nominal and nominal[-1] not in NOMINALISATIONS.values() and nominal[-1] in ("data", "cloud", "security"):
        add(" ".join(nominal) + " specialist")
    for v in list(out):
        if v in ROLE_ABBREVIATIONS:
            add(ROLE_ABBREVIATIONS[v])
    return out


@dataclass(frozen=True, slots=True)
class RoleCandidate:
    occupation_id: int
    label: str
    score: float


@dataclass(slots=True)
class RoleMatch:
    status: Literal["found", "ambiguous", "unknown"]
    query: str
    role: RoleCandidate | None = None
    candidates: list[RoleCandidate] = field(default_factory=list)


class RoleIndex:
    """An in-memory index of role labels; build it once per taxonomy version."""

    def __init__(self, entries: Iterable[tuple[int, str, str]]) -> None:
        self._preferred: dict[int, str] = {}
        self._exact: dict[str, set[int]] = {}
        self._exact_preferred: dict[str, set[int]] = {}
        labels: list[str] = []
        owners: list[int] = []
        preferred_flags: list[bool] = []
        for occ_id, label, alt_labels in entries:
            self._preferred[occ_id] = label
            preferred = normalise(label)
            self._exact_preferred.setdefault(preferred, set()).add(occ_id)
            forms = {preferred} | {normalise(a) for a in alt_labels.split("\n") if a.strip()}
            for form in forms:
                if not form:
                    continue
                self._exact.setdefault(form, set()).add(occ_id)
                labels.append(form)
                owners.append(occ_id)
                preferred_flags.append(form == preferred)
        self._labels = labels
        self._owners = owners
        self._is_preferred = preferred_flags

    def __len__(self) -> int:
        return len(self._preferred)

    def label(self, occupation_id: int) -> str:
        return self._preferred[occupation_id]

    def _candidate(self, occ_id: int, score: float) -> RoleCandidate:
        return RoleCandidate(occ_id, self._preferred[occ_id], round(min(score, 100.0), 1))

    def resolve(self, text: str, *, limit: int = 5) -> RoleMatch:
        forms = variants(text)
        if not forms:
            return RoleMatch("unknown", text)
        for form in forms:
            for table in (self._exact_preferred, self._exact):
                ids = table.get(form)
                if ids and len(ids) == 1:
                    return RoleMatch("found", text, self._candidate(next(iter(ids)), 100.0))
                if ids:
                    cands = sorted((self._candidate(i, 100.0) for i in ids), key=lambda c: c.label)
                    return RoleMatch("ambiguous", text, None, cands[:limit])
        best: dict[int, float] = {}
        for form in forms:
            for _label, score, idx in process.extract(
                form, self._labels, scorer=fuzz.token_sort_ratio, limit=limit * 6, score_cutoff=50
            ):
                occ = self._owners[idx]
                score += PREFERRED_BONUS if self._is_preferred[idx] else 0.0
                if score > best.get(occ, 0.0):
                    best[occ] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self._preferred[kv[0]]))
        cands = [self._candidate(o, s) for o, s in ranked[:limit]]
        if not cands:
            return RoleMatch("unknown", text)
        top = cands[0]
        top_raw = ranked[0][1]
        runner_up_raw = ranked[1][1] if len(ranked) > 1 else 0.0
        if top_raw >= FOUND_SCORE and top_raw - runner_up_raw >= CLEAR_MARGIN:
            return RoleMatch("found", text, top, cands)
        close = [c for c in cands if c.score >= CANDIDATE_SCORE]
        if close:
            return RoleMatch("ambiguous", text, None, close)
        return RoleMatch("unknown", text, None, cands)
