"""Word normalisation shared by BM25 and the answer-support check, so both count the same terms."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")

# Function words plus question scaffolding ("how many", "can I") that every question shares and
# that would otherwise make unrelated passages look relevant.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves get got getting
    many much tell know please need want wants there's i'm i've what's can't don't kestrel""".split()
)


def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals and common verb endings, nothing clever."""
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + keep
    return word


def words(text: str) -> list[str]:
    """Lower-cased, lightly stemmed words in order, stop words kept (for matching phrases such as
    "time off", whose second word is a stop word)."""
    out = []
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if word:
            out.append(word if word in STOPWORDS else _stem(word))
    return out


def terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, lightly stemmed terms, in order (duplicates kept for BM25)."""
    return [word for word in words(text) if word not in STOPWORDS]
