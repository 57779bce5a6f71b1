"""The evaluation harness on a hand-made set, and on the demo handbook when it is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb_helpers import GOOD_FILES, index_files, make_index
from knowledge.answer import Answerer
from knowledge.evaluate import calibrate, evaluate, main

DEMO = Path(__file__).resolve().parents[2] / "demo"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_metrics_on_a_small_set(handbook, tmp_path, settings):
    index = make_index(tmp_path / "chroma")
    index_files(index, *[handbook / name for name in GOOD_FILES])
    rows = [
        {"id": "a1", "question": "how many weeks of paternity leave do I get", "asker_role": "employee", "answerable": True,
         "expected_sources": ["parental-leave.md"], "expected_section": "Paternity", "answer_contains": ["8 weeks"]},
        {"id": "a2", "question": "what is the daily meal allowance when travelling", "asker_role": "employee", "answerable": True,
         "expected_sources": ["expenses.html"], "expected_section": "Meals", "answer_contains": ["45 euros"]},
        {"id": "a3", "question": "zebracode senior engineer salary band", "asker_role": "manager", "answerable": True,
         "expected_sources": ["salary-bands.md"], "expected_section": "Engineering bands", "answer_contains": ["68,000"]},
        {"id": "u1", "question": "zebracode senior engineer salary band", "asker_role": "employee", "answerable": False,
         "expected_sources": [], "expected_section": "", "answer_contains": [], "restricted_source": "salary-bands.md",
         "restricted_contains": ["68,000"]},
        {"id": "u2", "question": "can I bring my iguana to the Christmas party", "asker_role": "employee", "answerable": False,
         "expected_sources": [], "expected_section": "", "answer_contains": []},
    ]  # fmt: skip
    answerer = Answerer(index, settings, chat_model=None)
    metrics = evaluate(_write(tmp_path / "eval.jsonl", rows), answerer)
    assert (metrics.questions, metrics.answerable, metrics.unanswerable) == (5, 3, 2)
    assert metrics.recall_at_5 == 1.0 and metrics.mrr == 1.0
    assert metrics.citation_accuracy == 1.0 and metrics.answer_contains == 1.0
    assert metrics.declined_unanswerable == 1.0 and metrics.answered_answerable == 1.0
    assert metrics.restricted_leaks == 0 and metrics.lexical_only
    assert "recall@5" in metrics.table()
    threshold, answered, declined = calibrate(tmp_path / "eval.jsonl", answerer)[0]
    assert answered == 1.0 and declined == 1.0


@pytest.mark.skipif(not (DEMO / "kb_eval.jsonl").exists(), reason="demo eval set not present")
def test_demo_handbook_lexical_only(capsys):
    assert main([str(DEMO / "kb_eval.jsonl"), str(DEMO / "handbook"), "--lexical-only"]) == 0
    out = capsys.readouterr().out
    figures = dict(line.rsplit(None, 1) for line in out.splitlines() if line[:1].isalpha() and "  " in line)
    assert float(figures["recall@5"]) >= 0.9
    assert float(figures["unanswerable declined"]) >= 0.7
    assert figures["restricted leaks"] == "0"
