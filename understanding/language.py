"""Is a message in a language other than English? Ladder's catalogue, classifier and handbook search are English.

A message in Spanish that nothing in the catalogue matches is better told "I read English only so far" than sent to
the handbook search, which answers it with whoever owns the nearest English page. The guess comes from py3langid
(a maintained fork of langid.py: a naive Bayes model over byte n-grams that ships inside the package, so nothing
is downloaded). Short English fragments are where such a model is unsure ("pto?", "hazard ratio"), so a message
counts as another language only when it is written mostly in a non-Latin script, or when it has at least
``MIN_WORDS`` words and the model gives another language at least ``MIN_PROBABILITY``. None of the 3,805 catalogue
examples and held-out utterances is flagged that way (``tests/understanding/test_language.py`` checks it).

The guess is only asked for when the classifier has nothing likely enough (or only the handbook search) and most of
the message's words are ones no catalogue example uses, so it never takes a message away from a capability and the
everyday handbook question never loads the model (about 0.7 s, once per guesser).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MIN_WORDS = 3
MIN_PROBABILITY = 0.85
_WORD = re.compile(r"[^\W\d_]+")

# ISO 639-1 codes py3langid returns, as a person would name the language. Others are "another language".
LANGUAGE_NAMES = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "es": "Spanish", "fi": "Finnish",
    "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class OtherLanguage:
    code: str  # what the model said ("es"), "" when only the script told
    name: str  # "Spanish", or "another language"


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) < 0.5


class LanguageGuesser:
    def __init__(self) -> None:
        self._identifier = None

    def _identify(self, text: str) -> tuple[str, float]:
        if self._identifier is None:
            import py3langid.langid as langid

            self._identifier = langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)
        code, probability = self._identifier.classify(text)
        return str(code), float(probability)

    def other_language(self, text: str) -> OtherLanguage | None:
        """The language of ``text`` when it is confidently not English, else None."""
        if not _WORD.search(text):
            return None
        if _mostly_non_latin(text):
            code, _p = self._identify(text)
            code = "" if code == "en" else code
            return OtherLanguage(code, LANGUAGE_NAMES.get(code, "another language"))
        if len(_WORD.findall(text)) < MIN_WORDS:
            return None
        code, probability = self._identify(text)
        if code == "en" or probability < MIN_PROBABILITY:
            return None
        return OtherLanguage(code, LANGUAGE_NAMES.get(code, "another language"))
