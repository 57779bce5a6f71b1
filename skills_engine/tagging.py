"""Suggesting ESCO skills for a course from its title and description.

Label matching: every run of 1–5 words of the text is looked up among the skills' preferred and
alternative labels (normalised like the skill index), and runs of 2–4 words are also matched
fuzzily (rapidfuzz) to catch plurals and small spelling differences. A match in the title counts more
than one in the description, a preferred label more than an alternative one, a multi-word label more
than a single word. Suggestions stay suggestions until an admin accepts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from skills_engine.skill_index import SkillIndex, normalise

MIN_SCORE = 75.0
MAX_SUGGESTIONS = 8
FUZZY_CUTOFF = 92.0
STOPWORDS = frozenset("a an and the of for in on to with by from at as or is are be this that your you how what into our".split())


@dataclass(frozen=True, slots=True)
class TagSuggestion:
    skill_id: int
    label: str
    score: float
    matched: str


def _runs(text: str, max_len: int = 5) -> list[str]:
    words = [w for w in normalise(re.sub(r"[,:;()]+", " , ", text)).split(" ") if w]
    out: list[str] = []
    # Don't let a run cross punctuation: split on the commas we inserted.
    segment: list[str] = []
    segments: list[list[str]] = []
    for w in words + [","]:
        if w == ",":
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(w)
    for seg in segments:
        for n in range(1, max_len + 1):
            for i in range(len(seg) - n + 1):
                run = seg[i:i + n]
                if run[0] in STOPWORDS or run[-1] in STOPWORDS:
                    continue
                out.append(" ".join(run))
    return list(dict.fromkeys(out))


def suggest(index: SkillIndex, title: str, description: str = "", *, fuzzy_labels: list[str] | None = None,
            limit: int = MAX_SUGGESTIONS, min_score: float = MIN_SCORE) -> list[TagSuggestion]:
    best: dict[int, TagSuggestion] = {}

    def offer(skill_id: int, score: float, matched: str) -> None:
        if score >= min_score and score > (best[skill_id].score if skill_id in best else 0.0):
            best[skill_id] = TagSuggestion(skill_id, index.label(skill_id), round(score, 1), matched)

    for base, text in ((100.0, title), (90.0, description)):
        for run in _runs(text):
            ids, preferred = index.lookup(run)
            single = " " not in run
            if ids and len(ids) <= 3:  # a form shared by many skills says little
                for sid in ids:
                    offer(sid, base * (1.0 if preferred else 0.9) * (0.85 if single else 1.0), run)
            elif not ids and not single and len(run.split()) <= 4:
                labels = fuzzy_labels if fuzzy_labels is not None else index.forms()
                hit = process.extractOne(run, labels, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
                if hit:
                    found, _ = index.lookup(hit[0])
                    for sid in list(found)[:1]:
                        offer(sid, base * 0.9 * hit[1] / 100.0, run)
    return sorted(best.values(), key=lambda t: (-t.score, t.label))[:limit]
