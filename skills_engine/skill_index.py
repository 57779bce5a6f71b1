"""Resolving what a person typed ("SQL", "python", "machine lerning") to an ESCO skill.

The skills' vocabulary for ``skills_engine.labels``: skill names keep their dots and symbols ("node.js",
"c++"), drop words like "skills" or "programming" around them, know a few abbreviations, and also answer
to a label without its parenthesised qualifier — "Python (computer programming)" answers "python".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from skills_engine.labels import LabelIndex, Vocabulary

SKILL_ABBREVIATIONS: dict[str, str] = {
    "ml": "machine learning", "ai": "artificial intelligence", "js": "javascript", "ts": "typescript",
    "k8s": "kubernetes", "nlp": "natural language processing", "ux": "user experience", "bi": "business intelligence",
    "stats": "statistics", "db": "databases", "dbs": "databases", "excel": "use spreadsheets software",
    "spreadsheets": "use spreadsheets software", "golang": "go", "postgres": "postgresql",
}


def normalise(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^a-z0-9+#./' -]+", " ", text)
    text = re.sub(r"(?<![a-z0-9])[.'-]|[.'-](?![a-z0-9])", " ", text)  # keep "node.js", drop stray dots
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(?:the|a|an|my|some|basic|advanced)\s+", "", text)
    text = re.sub(r"\s+(?:skills?|knowledge|programming|language)$", "", text) or text
    return text


def forms(text: str) -> list[str]:
    """The typed skill, then what its abbreviation stands for."""
    base = normalise(text)
    if not base:
        return []
    return [base, SKILL_ABBREVIATIONS[base]] if base in SKILL_ABBREVIATIONS else [base]


SKILLS = Vocabulary(normalise=normalise, forms=forms, fuzzy_cutoff=55.0, candidate_score=70.0, bare_labels=True,
                    ambiguous_order=lambda c: (len(c.label), c.label))


class SkillIndex(LabelIndex):
    """Skill names: ``entries`` are (skill id, preferred label, alternative labels)."""

    def __init__(self, entries: Iterable[tuple[int, str, str | None]]) -> None:
        super().__init__(entries, SKILLS)
