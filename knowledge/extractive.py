"""Pick the sentences of the retrieved passages worth quoting as an answer (no LLM needed).

Every sentence of every candidate passage is ranked against the question:

- lexical overlap, at half weight: how much of the question's weight (BM25 IDF) the sentence covers, HR synonyms
  included (its sub-heading counts too, at half weight: "after 5 full years: 29 days" sits under
  "Long-service days");
- cosine similarity to the question, when the embedding model is loaded;
- a bonus when the question asks for a quantity (how many / how much / how long / when) and the
  sentence carries one (a number, a duration, money, a percentage, a date), and a little more when
  it is the kind asked for (a duration for "how long", a date or time for "when");

Retrieval order only breaks ties: it judged whole passages, and the sentence ranking is the more
specific judgement ("how much parental leave" retrieves the partner's passage first, but the
birth parent's 20 weeks is the closer sentence).

The best sentence leads the answer. Its passage's other good sentences follow in reading order as
context, then one sentence from each further passage. Everything quoted is a sentence of a passage,
never a paraphrase, so the answer stays grounded in what it cites.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.chunking import HEADING_PREFIX, split_sentences
from knowledge.synonyms import Expansion, expand_text
from knowledge.text import terms

QUANTITY_BONUS = 0.15  # the sentence has a quantity and the question wants one
KIND_BONUS = 0.10  # ... and it is the kind of quantity asked for
HEADING_WEIGHT = 0.5  # heading words count, but less than the sentence's own
COVERAGE_WEIGHT = 0.5  # term coverage beside cosine similarity (chosen on the two development handbooks)
FOLLOWING_ITEMS = 6  # list items or table rows a chosen sentence ending in ':' (or a table row) brings along

_ITEM_MARKS = ("- ", "* ", "|")
_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|?$")  # a Markdown table's |---|---| line

_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|half|double"
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_WEEKDAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DURATION = re.compile(
    rf"\b(\d+([.,]\d+)?|{_NUMBER_WORDS}|a|an)[\s-]*(working |calendar |business |full |consecutive )?"
    r"(minutes?|hours?|days?|weeks?|months?|years?|quarters?)\b",
    re.I,
)
_MONEY = re.compile(r"[€$£]\s?\d|\d\s?(%|percent|eur|euros?|usd|dollars?|gbp)\b|\bper cent\b", re.I)
_DATE_OR_TIME = re.compile(
    rf"\b\d{{1,2}}(st|nd|rd|th)? ({_MONTHS})\b|\b({_MONTHS}) \d{{1,2}}\b|\b\d{{1,2}}(:\d\d)? ?(am|pm)\b|"
    rf"\b\d{{1,2}}[:.]\d\d\b|\b(in|every|each|until|from|since) ({_MONTHS}|{_WEEKDAYS})\b|"
    rf"\b(before|after|by|within|until) (the )?(\d|{_NUMBER_WORDS}|next|first|last|end)",
    re.I,
)
_ANY_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I)

_ASKS_DURATION = re.compile(r"\bhow (long|many (days|weeks|months|hours|years))\b|\bhow much (time|leave|notice|holiday|vacation)\b|\bhow far (in advance|ahead)\b", re.I)
_ASKS_AMOUNT = re.compile(r"\bhow (much|many)\b|\bwhat (percentage|percent|share|rate|amount)\b|\b(cost|budget|limit|maximum|minimum|allowance|rate)\b", re.I)
_ASKS_TIME = re.compile(r"\b(when|by when|what time|deadline|how soon|how quickly|how far (in advance|ahead)|how often)\b", re.I)


@dataclass(frozen=True)
class QuantityQuestion:
    """What kind of quantity a question asks for, if any."""

    duration: bool
    amount: bool
    time: bool

    @classmethod
    def of(cls, question: str) -> "QuantityQuestion":
        return cls(bool(_ASKS_DURATION.search(question)), bool(_ASKS_AMOUNT.search(question)), bool(_ASKS_TIME.search(question)))

    @property
    def wanted(self) -> bool:
        return self.duration or self.amount or self.time

    def bonus(self, sentence: str) -> float:
        if not self.wanted or not has_quantity(sentence):
            return 0.0
        kind = (
            (self.duration and _DURATION.search(sentence))
            or (self.amount and (_MONEY.search(sentence) or _DURATION.search(sentence)))
            or (self.time and _DATE_OR_TIME.search(sentence))
        )
        return QUANTITY_BONUS + (KIND_BONUS if kind else 0.0)


def has_quantity(sentence: str) -> bool:
    """A number, a duration, money, a percentage or a date."""
    return bool(_ANY_NUMBER.search(sentence) or _MONEY.search(sentence) or _DATE_OR_TIME.search(sentence))


@dataclass(frozen=True)
class Sentence:
    passage: int  # index of the passage it comes from (its retrieval rank, 0 = best)
    position: int  # index among the passage's units (split_sentences)
    text: str
    heading: str
    score: float = 0.0


@dataclass(frozen=True)
class Quote:
    passage: int
    lead: str  # the passage's best sentence
    context: str  # the passage's other chosen sentences, in reading order ("" if none)


def _units(passage: int, text: str) -> list[Sentence]:
    heading = ""
    out = []
    for position, unit in enumerate(split_sentences(text)):
        if unit.startswith(HEADING_PREFIX.strip()):
            heading = unit.lstrip("# ").strip()
            continue
        if len(unit.split()) < 3 and not _ANY_NUMBER.search(unit):
            continue  # an unmarked heading or a stray fragment, not something to quote
        out.append(Sentence(passage, position, unit, heading))
    return out


def _coverage(question: Expansion, sentence: Sentence, weights: Mapping[str, float]) -> float:
    question_terms = set(question.original)
    if not question_terms:
        return 0.0
    unseen = max(weights.values(), default=1.0)
    own, head = set(terms(sentence.text)), set(terms(sentence.heading))
    total = found = 0.0
    for term in question_terms:
        weight = max(weights.get(term, unseen), 0.0)
        total += weight
        if question.covered(term, own):
            found += weight
        elif question.covered(term, head):
            found += HEADING_WEIGHT * weight
    return found / total if total else 0.0


def _support(question: str, units: Sequence[Sentence], weights: Mapping[str, float], embedder) -> list[float]:
    """Each sentence's cosine similarity to the question (0 without the model) plus
    ``COVERAGE_WEIGHT`` times its weighted term coverage: what the ranking and the support check share. Without
    the model, coverage is all there is and counts in full."""
    expansion = expand_text(question)
    similarity = np.zeros(len(units))
    coverage_weight = 1.0 if embedder is None else COVERAGE_WEIGHT
    if embedder is not None and units:
        vectors = np.asarray(embedder([question] + [f"{u.heading}: {u.text}" if u.heading else u.text for u in units]))
        similarity = vectors[1:] @ vectors[0]
    return [float(similarity[j]) + coverage_weight * _coverage(expansion, u, weights) for j, u in enumerate(units)]


def rank_sentences(question: str, passages: Sequence[str], weights: Mapping[str, float], embedder=None) -> list[Sentence]:
    """Every quotable sentence of the passages, best first (ties: earlier passage, then reading order)."""
    wants = QuantityQuestion.of(question)
    units = [u for i, p in enumerate(passages) for u in _units(i, p)]
    support = _support(question, units, weights, embedder)
    scored = [
        Sentence(u.passage, u.position, u.text, u.heading, support[j] + wants.bonus(u.text)) for j, u in enumerate(units)
    ]
    return sorted(scored, key=lambda s: (-s.score, s.passage, s.position))


def best_sentence_scores(question: str, passages: Sequence[str], weights: Mapping[str, float], embedder) -> list[float]:
    """For each passage, its best sentence's support (cosine similarity to the question plus half its weighted
    term coverage; 0.0 for a passage with nothing quotable). A long passage's own vector is diluted
    by everything else it says; the one sentence that answers is not."""
    units = [u for i, p in enumerate(passages) for u in _units(i, p)]
    best = [0.0] * len(passages)
    if embedder is None or not units:
        return best
    for unit, score in zip(units, _support(question, units, weights, embedder)):
        best[unit.passage] = max(best[unit.passage], score)
    return best


def quote_passages(
    question: str,
    passages: Sequence[str],
    weights: Mapping[str, float],
    embedder=None,
    sentences_per_passage: Sequence[int] = (3, 1),
) -> list[Quote]:
    """One quote per passage that has something to quote, the passage of the best sentence first.

    The n-th quoted passage gives up to ``sentences_per_passage[n]`` sentences (the last number
    repeats). A chosen sentence ending in ':' brings the list or table that follows it ("Please give at least:",
    "Approval depends on the amount:"), and a chosen table row the rows below it."""
    ranked = rank_sentences(question, passages, weights, embedder)
    order = list(dict.fromkeys(s.passage for s in ranked))
    quotes = []
    for n, passage in enumerate(order):
        limit = sentences_per_passage[min(n, len(sentences_per_passage) - 1)]
        mine = [s for s in ranked if s.passage == passage][:limit]
        all_units = split_sentences(passages[passage])
        lead, rest = mine[0], sorted(mine[1:], key=lambda s: s.position)
        quotes.append(Quote(passage, _render([lead], all_units), _render(rest, all_units, skip={lead.position})))
    return quotes


def _render(chosen: list[Sentence], all_units: list[str], skip: frozenset[int] | set[int] = frozenset()) -> str:
    """Chosen sentences in reading order; list items and table rows keep their own lines, and
    sentences that were not next to each other in the passage go on separate lines."""
    picked: list[int] = []
    for unit in chosen:
        picked.append(unit.position)
        if unit.text.endswith(":") or unit.text.startswith("|"):
            # A sentence introducing a list brings the list; a table row brings the table's rows.
            follow = unit.position + 1
            while follow < len(all_units) and all_units[follow].startswith(_ITEM_MARKS) and follow - unit.position <= FOLLOWING_ITEMS:
                if not _TABLE_RULE.match(all_units[follow]):
                    picked.append(follow)
                follow += 1
    lines: list[str] = []
    previous = -2
    for position in sorted(set(picked) - set(skip)):
        text = all_units[position]
        own_line = text.startswith(("- ", "|")) or (lines and lines[-1].startswith(("- ", "|")))
        if lines and position == previous + 1 and not own_line:
            lines[-1] += " " + text
        else:
            lines.append(text)
        previous = position
    return "\n".join(lines)
