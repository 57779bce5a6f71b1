"""Messages in another language are recognised as such, and no English request ever is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from understanding.catalogue import load
from understanding.language import LanguageGuesser

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def guesser() -> LanguageGuesser:
    return LanguageGuesser()


def _english_requests() -> list[str]:
    texts = [e.text for intent in load().intents for e in intent.examples]
    for path in sorted((ROOT / "eval").glob("nlu_*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for path in (ROOT / "demo" / "kb_eval.jsonl", ROOT / "demo" / "kb_dev_civicactions.jsonl", ROOT / "eval" / "kb_publiccode.jsonl"):
        texts += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_no_catalogue_example_evaluation_utterance_or_handbook_question_is_taken_for_another_language(guesser):
    texts = _english_requests()
    assert len(texts) > 3000
    flagged = [(t, guesser.other_language(t)) for t in texts if guesser.other_language(t) is not None]
    assert not flagged, flagged[:10]


@pytest.mark.parametrize(("text", "name"), [
    ("¿Cuántos días de vacaciones tengo al año?", "Spanish"),
    ("Wie viele Urlaubstage habe ich?", "German"),
    ("combien de jours de congé ai-je ?", "French"),
    ("Hoeveel vakantiedagen heb ik?", "Dutch"),
    ("Quantos dias de férias eu tenho?", "Portuguese"),
    ("Сколько у меня дней отпуска?", "Russian"),
    ("有給休暇は何日ありますか？", "Japanese"),
])
def test_a_question_in_another_language_is_named(guesser, text, name):
    found = guesser.other_language(text)
    assert found is not None and found.name == name


@pytest.mark.parametrize("text", ["", "🙂🙂", "42", "pto?", "hazard ratio", "DS101", "Maya Patel", "gracias"])
def test_wordless_or_too_short_text_is_not_guessed(guesser, text):
    assert guesser.other_language(text) is None  # too little to tell; the classifier and the handbook decide
