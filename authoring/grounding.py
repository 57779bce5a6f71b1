"""Is a statement in the source? A quote counts when it is found in the source text after whitespace, case,
quote-mark and dash normalisation — nothing looser, so a paraphrase or an invented answer is not grounded."""

from __future__ import annotations

import re
import unicodedata

from authoring.sources import Source

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                         "\u00a0": " ", "\u2011": "-"})
_SPACE = re.compile(r"\s+")
MIN_QUOTE_WORDS = 4  # "the", "yes": too short to show the source says anything


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES).lower()
    return _SPACE.sub(" ", text).strip().strip(" .;:,!?\"'")


class Grounder:
    def __init__(self, source: Source) -> None:
        self._segments = [(s.location, normalise(s.text)) for s in source.segments]
        self._whole = " ".join(text for _loc, text in self._segments)

    def locate(self, quote: str) -> str | None:
        """The location of the segment that contains the quote (the first), "" when it spans segments, or None."""
        wanted = normalise(quote)
        if len(wanted.split()) < MIN_QUOTE_WORDS:
            return None
        for location, text in self._segments:
            if wanted in text:
                return location
        return "" if wanted in self._whole else None

    def grounded(self, quote: str) -> bool:
        return self.locate(quote) is not None
