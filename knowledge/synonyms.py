"""HR vocabulary: words people use for the same thing, so "vacation" finds "annual leave".

Handbooks are written in one register ("annual leave", "reimbursement") and questions asked in another
("vacation", "PTO", "claim back"). A question that shares no words with the passage that answers it ranks
badly in BM25 and looks unsupported to the coverage check. The table below is data: each group lists phrases
that mean the same thing at the level of detail a handbook question needs. A phrase is matched on stemmed words with
stop words kept (``knowledge.text.words``), so "working from home" matches "work from home" and "time off"
does not match every "time". A phrase that loses words to the stop list ("time off" becomes the term "time")
is used to recognise a question, never added to one: "time" alone says nothing about holidays.

Groups are deliberately narrow. "leave" alone is not a synonym of "vacation": sick leave is not a holiday.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from knowledge.text import terms, words

SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("vacation", "holiday", "annual leave", "paid time off", "pto", "time off", "days off", "leave allowance",
     "vacation leave"),
    ("parental leave", "maternity leave", "paternity leave", "partner leave", "birth leave", "pregnancy leave",
     "adoption leave", "maternity", "paternity", "parental", "pregnant", "pregnancy", "expecting a baby",
     "having a baby"),
    ("doctor's note", "doctors note", "medical certificate", "sick note", "fit note", "medical note"),
    ("sick", "illness", "ill", "sickness", "unwell", "sick leave", "sick day", "fever", "flu"),
    ("expense", "reimburse", "reimbursement", "claim back", "expense claim", "declaration", "refund"),
    ("salary", "pay", "compensation", "wage", "remuneration", "payslip"),
    ("remote", "work from home", "wfh", "telework", "remote working"),
    ("bereavement", "compassionate leave", "funeral", "passed away", "death"),
    ("mileage", "kilometers", "kilometres", "private vehicle", "own car"),
    ("side job", "outside activity", "outside activities", "second job", "moonlighting", "freelance",
     "freelancing"),
    ("training", "course", "learning", "professional development", "education", "prodev", "pro dev",
     "training budget", "learning budget", "development budget"),
    ("laptop", "equipment", "device", "hardware", "computer"),
    ("resign", "resignation", "quit", "offboarding", "leave the company", "leave the organisation"),
    ("new hire", "onboarding", "joiner", "first day"),
    ("probation", "probationary period", "trial period", "introductory period", "intro period"),
    ("payday", "pay day", "paycheck", "paycheque", "pay date", "payroll", "pay period", "get paid"),
    ("give back", "hand back", "hand in", "return"),
    ("health insurance", "medical insurance", "health coverage", "health benefits", "health plan", "cobra"),
    ("timesheet", "timesheets", "time tracking", "timekeeping", "time entry", "log hours", "enter hours",
     "record hours", "track time"),
    ("gift", "gifts", "hospitality"),
    ("business trip", "work trip", "travel", "traveling", "travelling"),
)

EXPANSION_WEIGHT = 0.5  # a synonym counts, but less than the word the person actually used


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]  # stemmed, stop words kept: what a question is matched on
    terms: tuple[str, ...]  # what BM25 and coverage see

    @property
    def addable(self) -> bool:
        return bool(self.terms) and len(self.terms) == len(self.words)


@dataclass(frozen=True)
class Expansion:
    """What a question's terms become once its HR phrases are matched."""

    original: tuple[str, ...]  # the question's own terms, in order
    added: tuple[str, ...]  # synonym terms not in the question, each once
    # For each matched phrase (as terms): the alternative phrases (as terms) that stand for it.
    alternatives: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]

    def weighted(self) -> list[tuple[str, float]]:
        """(term, weight) pairs for BM25: the question's own terms at 1, synonyms at EXPANSION_WEIGHT."""
        return [(t, 1.0) for t in self.original] + [(t, EXPANSION_WEIGHT) for t in self.added]

    def covered(self, term: str, passage_terms: set[str]) -> bool:
        """Does the passage say this question term, or a synonym of the phrase it belongs to?"""
        if term in passage_terms:
            return True
        return any(
            term in phrase and any(set(alt) <= passage_terms for alt in alts) for phrase, alts in self.alternatives
        )


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[_Phrase, ...], ...]:
    # Tokenised once; the table is constant, so this cache is not state anyone can change.
    return tuple(tuple(_Phrase(tuple(words(p)), tuple(terms(p))) for p in group) for group in SYNONYM_GROUPS)


def _contains(sequence: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(tuple(sequence[i : i + n]) == phrase for i in range(len(sequence) - n + 1))


def expand_text(question: str) -> Expansion:
    """The question's terms plus the synonyms of every HR phrase it contains."""
    question_words = words(question)
    original = tuple(terms(question))
    present = set(original)
    added: list[str] = []
    alternatives = []
    for group in _groups():
        matched = [phrase for phrase in group if _contains(question_words, phrase.words)]
        if not matched:
            continue
        others = tuple(p.terms for p in group if p not in matched and p.addable)
        alternatives.extend((phrase.terms, others) for phrase in matched if phrase.terms)
        for phrase_terms in others:
            for term in phrase_terms:
                if term not in present and term not in added:
                    added.append(term)
    return Expansion(original, tuple(added), tuple(alternatives))
