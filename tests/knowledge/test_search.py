"""Audience filtering, hybrid ranking, reload across processes and the feedback penalty."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest

from kb_helpers import GOOD_FILES, index_files, make_index
from knowledge.feedback import FeedbackStore, penalty_factor
from knowledge.ingest import ingest_paths

AUDIENCES_OF = {
    "employee": {"everyone"},
    "manager": {"everyone", "managers"},
    "hr": {"everyone", "managers", "hr"},
}
RESTRICTED_QUERIES = [
    "salary band senior engineer",
    "zebracode",
    "engineering bands 68,000 86,000 euros",
    "how much does a senior engineer earn",
    "salary bands",
    "closed grievance case files",
    "quokkafile",
    "how long are case files kept",
    "retention 3 years",
    "compensation",
]
GENERAL_QUERIES = [
    "paternity leave", "meal allowance", "password manager", "onboarding buddy", "work abroad",
    "expense claim 60 days", "probation period", "first day Lisbon", "maternity pay", "home office desk",
]  # fmt: skip


def _all_files(handbook: Path) -> list[Path]:
    return [handbook / name for name in GOOD_FILES]


@pytest.fixture(params=["lexical", "hybrid"])
def filled_index(request, handbook, tmp_path, embedder):
    index = make_index(tmp_path / "chroma", embedder if request.param == "hybrid" else None)
    index_files(index, *_all_files(handbook))
    return index


def test_restricted_passages_never_reach_people_who_cannot_read_them(filled_index):
    for query, k in itertools.product(RESTRICTED_QUERIES + GENERAL_QUERIES, (1, 5, 50)):
        employee = filled_index.search(query, AUDIENCES_OF["employee"], k=k)
        manager = filled_index.search(query, AUDIENCES_OF["manager"], k=k)
        assert all(h.chunk.audience == "everyone" for h in employee), query
        assert all("zebracode" not in h.chunk.text and "quokkafile" not in h.chunk.text for h in employee), query
        assert all(h.chunk.audience in {"everyone", "managers"} for h in manager), query
        assert all("quokkafile" not in h.chunk.text for h in manager), query
    # ... while the people allowed to read them do find them.
    assert "zebracode" in filled_index.search("zebracode salary band", AUDIENCES_OF["manager"], k=1)[0].chunk.text
    assert "quokkafile" in filled_index.search("quokkafile case files", AUDIENCES_OF["hr"], k=1)[0].chunk.text
    assert filled_index.search("anything", set(), k=5) == []  # no audience, nothing


def test_restricted_text_does_not_change_what_an_employee_sees(handbook, tmp_path):
    public = make_index(tmp_path / "public")
    index_files(public, *[p for p in _all_files(handbook) if p.parent == handbook])
    mixed = make_index(tmp_path / "mixed")
    index_files(mixed, *_all_files(handbook))
    for query in GENERAL_QUERIES + RESTRICTED_QUERIES:
        # BM25 statistics come only from readable passages: identical rankings and scores.
        a = [(h.chunk.chunk_id, round(h.bm25_score or 0, 9)) for h in public.search(query, {"everyone"}, k=5)]
        b = [(h.chunk.chunk_id, round(h.bm25_score or 0, 9)) for h in mixed.search(query, {"everyone"}, k=5)]
        assert a == b, query


def test_hybrid_search_finds_paraphrases_lexical_search_cannot(handbook, tmp_path, embedder):
    hybrid = make_index(tmp_path / "hybrid", embedder)
    index_files(hybrid, *_all_files(handbook))
    hits = hybrid.search("what happens when I become a dad", {"everyone"}, k=2)
    assert Path(hits[0].chunk.source).name == "parental-leave.md"
    assert hits[0].vector_similarity is not None and hits[0].vector_similarity > 0.2


def test_another_process_writing_is_noticed(handbook, tmp_path):
    server = make_index(tmp_path / "chroma", reload_check_seconds=0)
    index_files(server, handbook / "parental-leave.md")
    assert server.search("meal allowance", {"everyone"}, k=3) == []
    cli = make_index(tmp_path / "chroma")  # the `kb ingest` command in another process
    index_files(cli, handbook / "expenses.html")
    assert Path(server.search("meal allowance", {"everyone"}, k=1)[0].chunk.source).name == "expenses.html"


def test_from_settings_uses_an_embedded_chroma_folder(settings, handbook):
    from knowledge.index import KnowledgeIndex

    index = KnowledgeIndex.from_settings(settings, embedder=None)
    index_files(index, handbook / "remote-work.txt")
    assert (settings.chroma_path).is_dir() and index.count() == 1
    assert index.lexical_only


def test_penalty_formula():
    assert [penalty_factor(n) for n in (-3, 0, 1)] == [1.0, 1.0, 1.0]
    assert penalty_factor(2) == pytest.approx(0.5)
    assert penalty_factor(4) == pytest.approx(1 / 3)


def test_repeated_negative_feedback_pushes_a_passage_down(kb_db, handbook, tmp_path):
    feedback = FeedbackStore(kb_db, cache_seconds=0)
    index = make_index(tmp_path / "chroma", feedback=feedback)
    ingest_paths([handbook], kb_db, index)
    query = "how many days do I have to submit an expense claim or work abroad"
    before = index.search(query, {"everyone"}, k=3)
    top = before[0].chunk.chunk_id
    assert before[0].penalty == 1.0

    feedback.record("answer-1", helpful=False, question=query, chunk_ids=[top])
    assert index.search(query, {"everyone"}, k=3)[0].chunk.chunk_id == top  # one vote is not enough

    feedback.record("answer-2", helpful=False, question=query, chunk_ids=[top])
    feedback.record("answer-3", helpful=False, question=query, chunk_ids=[top])
    after = index.search(query, {"everyone"}, k=10)
    assert after[0].chunk.chunk_id != top
    demoted = next(h for h in after if h.chunk.chunk_id == top)
    assert demoted.penalty == pytest.approx(1 / 2.5)

    # Helpful votes offset unhelpful ones; the same person voting again changes their vote.
    feedback.record("answer-4", helpful=True, person_id=None, chunk_ids=[top])
    feedback.record("answer-5", helpful=True, person_id=None, chunk_ids=[top])
    assert index.search(query, {"everyone"}, k=3)[0].chunk.chunk_id == top


def test_feedback_read_failure_does_not_break_search(handbook, tmp_path, caplog):
    from storage import Database

    broken = Database(f"sqlite:///{tmp_path / 'not-migrated.db'}")  # no tables
    index = make_index(tmp_path / "chroma", feedback=FeedbackStore(broken, cache_seconds=0))
    index_files(index, handbook / "parental-leave.md")
    with caplog.at_level(logging.WARNING):
        assert index.search("paternity leave", {"everyone"}, k=1)
    assert "ranking without it" in caplog.text


def test_numpy_bm25_scores_equal_rank_bm25(handbook, tmp_path):
    import numpy as np

    from knowledge.lexical import LexicalView
    from knowledge.text import terms

    index = make_index(tmp_path / "chroma")
    index_files(index, *_all_files(handbook))
    chunks = list(index._all_chunks().values())
    view = LexicalView(chunks, [terms(c.indexed_text) for c in chunks])
    for query in GENERAL_QUERIES + RESTRICTED_QUERIES + ["leave leave paternity", "no such words anywhere"]:
        q = terms(query)
        assert np.allclose(view.scores(q), view.bm25.get_scores(q)), query


def test_large_indexes_rebuild_bm25_in_the_background_without_serving_stale_chunks(handbook, tmp_path, monkeypatch):
    import time

    import knowledge.index as index_module

    monkeypatch.setattr(index_module, "SYNC_REBUILD_LIMIT", 0)  # treat this small index as a large one
    index = make_index(tmp_path / "chroma")
    index_files(index, handbook / "parental-leave.md", handbook / "expenses.html")
    assert index.search("meal allowance", {"everyone"}, k=1)  # first view: built on the spot

    index.delete_source(str(handbook / "expenses.html"))
    index_files(index, handbook / "remote-work.txt")
    # The stale view still knows the expenses passages, but none may come back.
    assert all(Path(h.chunk.source).name != "expenses.html" for h in index.search("meal allowance", {"everyone"}, k=5))
    deadline = time.monotonic() + 10
    while not index.search("work from another country", {"everyone"}, k=1) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Path(index.search("work from another country", {"everyone"}, k=1)[0].chunk.source).name == "remote-work.txt"
