"""The intent catalogue is one validated file that routing, help and the held-out set all agree with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from handlers.intents import NOT_IN_CATALOGUE, IntentKind
from understanding.catalogue import load, parse
from understanding.classifier import normalise

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load()


def _texts(path: Path) -> dict[str, str]:
    return {normalise(json.loads(line)["text"]): json.loads(line)["id"] for line in path.read_text().splitlines() if line.strip()}


def test_every_intent_the_code_names_is_in_the_catalogue_and_back():
    assert {k.value for k in IntentKind if k not in NOT_IN_CATALOGUE} == set(CATALOGUE.names())


def test_every_intent_has_many_varied_examples_and_a_help_line():
    for intent in CATALOGUE.intents:
        assert len(intent.examples) >= 30, intent.name
        assert intent.description and intent.who
        assert len({normalise(e.text) for e in intent.examples}) == len(intent.examples), intent.name


@pytest.mark.parametrize("held_out", sorted(p.name for p in (ROOT / "eval").glob("nlu_*.jsonl")))
def test_no_evaluation_utterance_is_also_a_training_example(held_out):
    examples = {normalise(e.text) for intent in CATALOGUE.intents for e in intent.examples}
    overlap = {text: i for text, i in _texts(ROOT / "eval" / held_out).items() if text in examples}
    assert not overlap, overlap


def test_the_held_out_set_only_uses_catalogue_intents():
    intents = {json.loads(line)["intent"] for line in (ROOT / "eval" / "nlu_heldout.jsonl").read_text().splitlines() if line.strip()}
    assert intents <= set(CATALOGUE.names())


def test_a_slot_mark_must_name_a_declared_slot():
    bad = """
version: 1
intents:
  - name: career_path
    description: path
    capability: view_path
    slots: [{name: role, kind: role}]
    examples: ["path to [DBA](skill)"]
"""
    with pytest.raises(ValueError, match="undeclared slot"):
        parse(bad)


def test_one_example_cannot_train_two_intents():
    bad = """
version: 1
intents:
  - {name: help, description: h, capability: null, examples: ["what can you do"]}
  - {name: greeting, description: g, capability: null, examples: ["What can you do"]}
"""
    with pytest.raises(ValueError, match="both"):
        parse(bad)


def test_marked_examples_give_their_text_and_spans():
    example = CATALOGUE["career_path"].examples[0]
    assert "[" not in example.text and example.spans and example.spans[0][0] == "role"
