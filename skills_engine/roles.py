"""Resolving what a person typed ("DBA", "cloud engineering", "data scientst") to a role.

Roles are ESCO occupations, matched on their preferred and alternative labels. Matching is
tolerant of case, punctuation, articles, plurals, common abbreviations, nominalised forms
("engineering" for "engineer") and typos, in that order of trust: exact forms first, then fuzzy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from skills_engine.labels import LabelIndex, Vocabulary

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
    "network engineer": "ict network engineer",
    "games developer": "digital games developer",
    "game developer": "digital games developer",
    "game dev": "digital games developer",
    "games dev": "digital games developer",
    "ux analyst": "user experience analyst",
    "data sci": "data scientist",
    "web dev": "web developer",
    "ml engineer": "machine learning engineer",
}

# Word-level abbreviations inside longer phrases.
WORD_ABBREVIATIONS: dict[str, str] = {
    "sr": "senior", "jr": "junior", "eng": "engineer", "engr": "engineer", "dev": "developer",
    "devs": "developer", "mgr": "manager", "admin": "administrator", "db": "database", "ml": "machine learning",
    "ai": "artificial intelligence", "it": "ict", "sec": "security", "ops": "operations", "qa": "quality assurance",
    "ux": "user experience", "ui": "user interface", "app": "application", "apps": "application",
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

    if base in ROLE_ABBREVIATIONS:  # a deliberate mapping beats an alternative label two roles share
        add(ROLE_ABBREVIATIONS[base])
    add(base)
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


def singular_forms(form: str) -> list[str]:
    """A label in the plural ("network engineers") also answers to its singular."""
    singular = " ".join(_singular(w) for w in form.split())
    return [form, singular] if singular != form else [form]


ROLES = Vocabulary(normalise=normalise, forms=variants, fuzzy_cutoff=50.0, candidate_score=72.0, label_forms=singular_forms)


class RoleIndex(LabelIndex):
    """Role names: ``entries`` are (occupation id, preferred label, alternative labels)."""

    def __init__(self, entries: Iterable[tuple[int, str, str | None]]) -> None:
        super().__init__(entries, ROLES)
