"""Pick the sentences of a passage worth quoting as an answer (no LLM needed).

A sentence is scored by how much of the question's weight it covers (its sub-heading counts too:
"after 5 full years: 29 days" sits under "Long-service days"), plus its cosine similarity to the
question when the embedding model is loaded, plus a small bonus for containing a number when the
question asks "how many / how long / when". The best ones are quoted in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.chunking import HEADING_PREFIX, split_sentences
from knowledge.text import terms

_QUANTITY_QUESTION = re.compile(r"\b(how (much|many|long|often|soon|quickly)|when|deadline|by when|what time|rate|limit|budget)\b", re.I)
_HAS_NUMBER = re.compile(r"\d")
QUANTITY_BONUS = 0.15
HEADING_WEIGHT = 0.5  # heading words count, but less than the sentence's own


@dataclass(frozen=True)
class _Unit:
    position: int
    text: str
    heading: str


def _units(text: str) -> list[_Unit]:
    heading = ""
    out = []
    for position, unit in enumerate(split_sentences(text)):
        if unit.startswith(HEADING_PREFIX.strip()):
            heading = unit.lstrip("# ").strip()
            continue
        if len(unit.split()) < 3 and not _HAS_NUMBER.search(unit):
            continue  # an unmarked heading or a stray fragment, not something to quote
        out.append(_Unit(position, unit, heading))
    return out


def _coverage(question_terms: set[str], unit: _Unit, weights: Mapping[str, float]) -> float:
    if not question_terms:
        return 0.0
    unseen = max(weights.values(), default=1.0)
    own, head = set(terms(unit.text)), set(terms(unit.heading))
    total = found = 0.0
    for term in question_terms:
        weight = max(weights.get(term, unseen), 0.0)
        total += weight
        found += weight if term in own else HEADING_WEIGHT * weight if term in head else 0.0
    return found / total if total else 0.0


def quote_passages(
    question: str,
    passages: Sequence[str],
    weights: Mapping[str, float],
    embedder=None,
    sentences_per_passage: Sequence[int] = (3, 1),
) -> list[str]:
    """One quote per passage: its best sentences in reading order.

    A chosen sentence ending in ':' brings the list that follows it ("Please give at least:")."""
    question_terms = set(terms(question))
    wants_number = bool(_QUANTITY_QUESTION.search(question))
    per_passage = [_units(p) for p in passages]
    similarity: list[np.ndarray] = [np.zeros(len(u)) for u in per_passage]
    flat = [u for units in per_passage for u in units]
    if embedder is not None and flat:
        vectors = np.asarray(embedder([question] + [f"{u.heading}: {u.text}" if u.heading else u.text for u in flat]))
        sims = vectors[1:] @ vectors[0]
        start = 0
        for i, units in enumerate(per_passage):
            similarity[i] = sims[start : start + len(units)]
            start += len(units)

    quotes = []
    for i, (passage, units) in enumerate(zip(passages, per_passage)):
        limit = sentences_per_passage[min(i, len(sentences_per_passage) - 1)]
        if not units:
            quotes.append(" ".join(passage.split()[:60]))
            continue
        scores = [
            _coverage(question_terms, u, weights)
            + float(similarity[i][j])
            + (QUANTITY_BONUS if wants_number and _HAS_NUMBER.search(u.text) else 0.0)
            for j, u in enumerate(units)
        ]
        best = sorted(range(len(units)), key=lambda j: (-scores[j], j))[:limit]
        quotes.append(_render([units[j] for j in sorted(best)], split_sentences(passage)))
    return quotes


def _render(chosen: list[_Unit], all_units: list[str]) -> str:
    """Chosen sentences in reading order; list items and table rows keep their own lines, and
    sentences that were not next to each other in the passage go on separate lines."""
    picked: list[int] = []
    for unit in chosen:
        picked.append(unit.position)
        if unit.text.endswith(":"):
            follow = unit.position + 1
            while follow < len(all_units) and all_units[follow].startswith("- ") and follow - unit.position <= 5:
                picked.append(follow)
                follow += 1
    lines: list[str] = []
    previous = -2
    for position in sorted(set(picked)):
        text = all_units[position]
        own_line = text.startswith(("- ", "|")) or (lines and lines[-1].startswith(("- ", "|")))
        if lines and position == previous + 1 and not own_line:
            lines[-1] += " " + text
        else:
            lines.append(text)
        previous = position
    return "\n".join(lines)
