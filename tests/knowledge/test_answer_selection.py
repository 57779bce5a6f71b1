"""Answers that answer the question: HR synonyms, quantity sentences first, and the two demo questions
that used to miss ("how many vacation days", "how much parental leave")."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb_helpers import index_files, make_index
from knowledge.answer import Answerer, term_coverage
from knowledge.extractive import QuantityQuestion, has_quantity, quote_passages, rank_sentences
from knowledge.lexical import LexicalView
from knowledge.synonyms import EXPANSION_WEIGHT, expand_text
from knowledge.text import terms

DEMO = Path(__file__).resolve().parents[2] / "demo" / "handbook"
DEMO_FILES = ["annual-leave.md", "parental-leave.md", "sick-leave.md", "benefits.md", "remote-work.md", "expenses.md"]


# --------------------------------------------------------------------------- synonyms


def test_vacation_is_expanded_to_the_handbook_words():
    expansion = expand_text("how many vacation days do I have?")
    assert expansion.original == ("vacation", "day")
    assert {"holiday", "annual", "leave", "pto"} <= set(expansion.added)
    assert ("holiday", EXPANSION_WEIGHT) in expansion.weighted() and ("vacation", 1.0) in expansion.weighted()


def test_phrases_with_stop_words_recognise_but_never_add_a_bare_word():
    # "time off" is the term "time" once "off" is dropped: it marks a holiday question...
    assert "annual" in expand_text("how much time off do I get").added
    # ...but neither "time" nor "day" is added to a vacation question, and "what time" is not about holidays.
    assert "time" not in expand_text("vacation policy").added
    assert expand_text("what time is lunch").added == ()


def test_leave_alone_is_not_vacation():
    assert "vacation" not in expand_text("how much sick leave can I take").added
    assert expand_text("leave").added == ()


def test_work_from_home_matches_remote_working():
    expansion = expand_text("am I allowed to work from home on Fridays?")
    assert {"remote", "wfh", "telework"} <= set(expansion.added)
    assert expansion.covered("home", {"remote", "policy"})
    assert not expansion.covered("friday", {"remote", "policy"})


def test_coverage_counts_a_synonym_of_the_question_word():
    weights = {"annual": 2.0, "leave": 0.5, "day": 1.0}
    passage = set(terms("Full-time employees get 27 working days of paid annual leave."))
    assert term_coverage(expand_text("how many vacation days?"), passage, weights) == pytest.approx(1.0)
    assert term_coverage(expand_text("how many dog days?"), passage, weights) < 0.5


def test_weighted_bm25_is_plain_bm25_without_weights_and_scales_with_them():
    corpus = [terms("annual leave is 27 days"), terms("sick leave is paid"), terms("expenses are reimbursed")]
    view = LexicalView([object()] * 3, corpus)  # chunks are only carried along
    plain = view.scores(["annual", "leave"])
    assert list(view.scores(["annual", "leave"], [1.0, 1.0])) == list(plain)
    halved = view.scores(["annual", "leave"], [0.5, 0.5])
    assert halved == pytest.approx(plain / 2)


def test_bm25_finds_a_passage_that_shares_only_synonyms(tmp_path):
    index = make_index(tmp_path / "chroma")  # lexical only: no model, so only the synonyms can help
    index_files(index, *[DEMO / name for name in DEMO_FILES])
    hits = index.search("what's my PTO allowance", {"everyone"})
    assert hits and Path(hits[0].chunk.source).name == "annual-leave.md"


# --------------------------------------------------------------------------- quantity sentences


@pytest.mark.parametrize("sentence", ["You get 27 working days.", "Gifts up to €50.", "Call before 9am.",
                                      "Dues are due on 1 January.", "one month probation", "70% of salary"])
def test_quantities_are_recognised(sentence):
    assert has_quantity(sentence)


def test_a_sentence_without_a_quantity_is_not_one():
    assert not has_quantity("Please talk to your manager first.")


def test_question_kinds():
    assert QuantityQuestion.of("how long is the probation period?").duration
    assert QuantityQuestion.of("by when do I have to call in sick?").time
    assert QuantityQuestion.of("how much does an extra day cost?").amount
    assert not QuantityQuestion.of("who signs my contract?").wanted


PROBATION = """Probation matters to us and to you.
Probation lasts one month for every new employee.
Your manager talks with you about how probation is going."""


def test_how_long_question_gets_the_sentence_with_the_duration():
    weights = {"probation": 2.0, "period": 1.0}
    best = rank_sentences("how long is the probation period?", [PROBATION], weights)[0]
    assert best.text == "Probation lasts one month for every new employee."
    # Without the quantity in the question, the duration sentence has no edge over the others.
    plain = rank_sentences("what is probation about?", [PROBATION], weights)
    assert plain[0].score == pytest.approx(plain[1].score)


def test_the_passage_with_the_best_sentence_leads():
    passages = ["Holiday matters. Rest well and book your holiday early.", "You get 27 working days of holiday a year."]
    quotes = quote_passages("how many holiday days do I get?", passages, {"holiday": 1.0, "day": 1.0})
    assert quotes[0].passage == 1 and quotes[0].lead == "You get 27 working days of holiday a year."


@pytest.mark.parametrize("sentence", ["Core hours are 10:00 to 15:00.", "Reviews happen in March and September.",
                                      "The office is closed every Friday afternoon."])
def test_times_written_on_the_clock_or_as_a_month_are_what_when_asks_for(sentence):
    assert QuantityQuestion.of("when is it?").bonus(sentence) == pytest.approx(0.25)


def test_a_month_named_in_passing_is_no_time():
    # "march" only counts after a word that makes it a time: a protest march is not one.
    assert QuantityQuestion.of("when is it?").bonus("Join the march for climate.") == 0.0


APPROVALS = """Approval depends on the amount of a single claim or purchase:
| Amount | Who approves |
|---|---|
| up to EUR 500 | your manager |
| EUR 500 to 2,000 | your manager and your head of department |
Do not split a purchase into several smaller claims."""


def test_a_sentence_introducing_a_table_brings_its_rows_and_not_the_rule_line():
    quotes = quote_passages("who approves a purchase?", [APPROVALS], {"approv": 1.0, "purchas": 1.0})
    lead = quotes[0].lead.splitlines()
    assert lead[0] == "Approval depends on the amount of a single claim or purchase:"
    assert "| EUR 500 to 2,000 | your manager and your head of department |" in lead
    assert not any(set(line) <= set("|-: ") for line in lead)


def test_doctors_note_finds_a_medical_certificate():
    expansion = expand_text("when do I need a doctor's note?")
    assert expansion.covered("note", set(terms("From the fourth day you need a medical certificate.")))


# --------------------------------------------------------------------------- the two demo questions


@pytest.fixture(scope="module")
def demo_answerer(embedder, tmp_path_factory):
    from settings import load_settings

    tmp = tmp_path_factory.mktemp("demo-kb")
    index = make_index(tmp / "chroma", embedder)
    index_files(index, *[DEMO / name for name in DEMO_FILES])
    settings = load_settings(data_dir=tmp / "var", hr_contact="people-ops@kestrel.example")
    return Answerer(index, settings, chat_model=None)


def _lead(answer) -> str:
    return answer.text.splitlines()[1]  # the line after "From the handbook:"


def test_vacation_days_are_answered_with_27_working_days(demo_answerer):
    answer = demo_answerer.answer("how many vacation days do I have?", {"everyone"})
    assert answer.answered and answer.mode == "extractive"
    lead = _lead(answer)
    assert "27 working days" in lead and lead.endswith("[1]")
    assert Path(answer.citations[0].source).name == "annual-leave.md"
    assert "How much holiday you get" in answer.citations[0].section


def test_parental_leave_is_answered_with_20_weeks_at_full_pay(demo_answerer):
    answer = demo_answerer.answer("how much parental leave do I get?", {"everyone"})
    assert answer.answered
    lead = _lead(answer)
    assert "20 weeks of leave at 100% of your base salary" in lead and lead.endswith("[1]")
    assert "keeping-in-touch" not in lead
    assert Path(answer.citations[0].source).name == "parental-leave.md"
    assert "birth parent" in answer.citations[0].section.lower()


def test_one_answering_sentence_in_a_long_passage_supports_an_answer():
    """The support check sees the best sentence, not only the passage's diluted vector."""
    from knowledge.extractive import best_sentence_scores

    def embedder(texts):  # an outside model's stand-in: a 2-d vector, on-topic words point one way
        import numpy as np
        rows = [np.array([1.0, 0.0]) if "stipend" in t.lower() else np.array([0.0, 1.0]) for t in texts]
        return np.stack(rows)

    passage = "Offices open at nine. Parking is free. The on-call stipend is $2000 per quarter. Plants are watered on Fridays."
    scores = best_sentence_scores("how much is the on-call stipend?", [passage, "Parking is free for all staff."], {}, embedder)
    assert scores[0] >= 1.0 > scores[1]
    assert best_sentence_scores("how much is the stipend?", [passage], {}, None) == [0.0]
