"""Questions the knowledge base could not answer, grouped by topic, each topic with the page that would answer it.

Grouping by shared keywords: a question's keywords are its content words (stop words dropped, a plural "s"
folded); its topic is the keyword it shares with the most other questions (ties: the longer, then the alphabetically
first), named by up to two keywords all its questions share, so
"how many days of parental leave" and "is parental leave paid" meet under "parental". A question sharing no
keyword with any other stands alone under its own most telling word. Deterministic, no model needed.

The page: the registered document whose title, topic and file name share the most keywords with the topic's
questions, or none ("no page yet") — what L&D or HR should write next.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"[a-z][a-z0-9'&-]*")
STOP = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing don't down during each few for from further get got had has have having he her here hers
how i i'm if in into is it it's its just me more most my myself no nor not now of off on once only or other our out
over own please same she should so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours ladder
hi hello hey thanks thank tell know need want ask asked much many long get does can't cannot there's do i'd i'll
""".split())


def keywords(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower()):
        word = word.strip("'-&")
        if len(word) < 3 or word in STOP:
            continue
        if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
            word = word[:-1]
        if word not in out:
            out.append(word)
    return out


@dataclass
class Topic:
    keyword: str
    questions: list[str] = field(default_factory=list)
    page: str | None = None

    @property
    def words(self) -> list[str]:
        counts = Counter(w for q in self.questions for w in keywords(q))
        return [w for w, _ in counts.most_common(6)]


def group(questions: Sequence[str]) -> list[Topic]:
    """Topics, the largest first (ties by keyword)."""
    sets = [keywords(q) for q in questions]
    frequency = Counter(w for words in sets for w in set(words))
    topics: dict[str, Topic] = {}
    for question, words in zip(questions, sets):
        if not words:
            key = "other"
        else:
            key = min(words, key=lambda w: (-frequency[w], -len(w), w))
        topic = topics.setdefault(key, Topic(key))
        if question not in topic.questions:
            topic.questions.append(question)
    for topic in topics.values():  # named by the keywords all its questions share (up to two), most shared first
        common = set.intersection(*(set(keywords(q)) for q in topic.questions)) if topic.keyword != "other" else set()
        if len(common) > 1:
            topic.keyword = " · ".join(sorted(common, key=lambda w: (-frequency[w], w))[:2])
    return sorted(topics.values(), key=lambda t: (-len(t.questions), t.keyword))


def closest_document(documents: Sequence[tuple[str, str | None, str]], words: Sequence[str]) -> str | None:
    """``documents``: (title, topic, source) of every registered document; the title sharing the most of ``words``."""
    wanted = set(words)
    best: tuple[int, str] | None = None
    for title, topic, source in documents:
        have = set(keywords(" ".join([title or "", topic or "", Path(source or "").stem.replace("_", " ")])))
        shared = len(wanted & have)
        if shared and (best is None or shared > best[0]):
            best = (shared, title or Path(source).name)
    return None if best is None else best[1]
