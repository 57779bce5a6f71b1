"""Chunks keep their section path, stay within the size band, end on sentences, keep their ids."""

from __future__ import annotations

import re

from knowledge.chunking import MAX_WORDS, MIN_WORDS, chunk_document, split_sentences
from knowledge.parsing import ParsedDocument, Section, parse_document


def _sentence(i: int) -> str:
    return f"Rule number {i} says that requests are answered within {i % 7 + 1} working days of arrival."


def _document(sections: list[Section], source: str = "/kb/policy.md") -> ParsedDocument:
    return ParsedDocument(source=source, title="Policy", audience="managers", topic="leave", contact="a@b.example", sections=sections)


def test_section_path_and_metadata_are_kept(handbook):
    chunks = chunk_document(parse_document(handbook / "parental-leave.md"))
    paternity = next(c for c in chunks if "paternity leave at full pay" in c.text)
    # Three short sections: packed into one chunk whose label names the sections it holds.
    assert "Paternity" in paternity.section and "Kestrel supports new parents" in paternity.text
    assert all(c.doc_title == "Parental leave" and c.audience == "everyone" for c in chunks)
    assert all(c.updated == "2026-02-01" and c.topic == "leave" and c.contact == "parental@kestrel.example" for c in chunks)
    meta = chunks[0].metadata()
    assert set(meta) >= {"source", "doc_title", "section", "audience", "updated", "topic", "contact", "ordinal"}
    assert all(v is not None for v in meta.values())  # Chroma refuses None


def test_nested_headings_give_a_joined_path():
    long_text = " ".join(_sentence(i) for i in range(25))  # ~400 words: its own chunks
    doc = _document([Section(("Parental leave", "Paternity"), long_text), Section(("Parental leave", "Maternity"), long_text)])
    sections = {c.section for c in chunk_document(doc)}
    # Every section shares "Parental leave", so chunks are grouped one level below it.
    assert sections == {"Parental leave > Paternity", "Parental leave > Maternity"}


def test_long_sections_split_into_balanced_sentence_aligned_chunks():
    text = "\n".join(_sentence(i) for i in range(60))  # ~900 words
    chunks = chunk_document(_document([Section(("Rules",), text)]))
    sizes = [c.word_count for c in chunks]
    assert len(chunks) == 4
    assert all(MIN_WORDS <= n <= MAX_WORDS for n in sizes), sizes
    assert all(re.search(r"[.!?]$", c.text) for c in chunks)  # never cut mid-sentence
    assert " ".join(c.text.replace("\n", " ") for c in chunks) == text.replace("\n", " ")  # nothing lost
    assert [c.ordinal for c in chunks] == [0, 1, 2, 3]


def test_small_sections_under_one_heading_are_packed_with_their_headings():
    sections = [
        Section(("Leave",), "Intro sentence about leave for everyone here."),
        Section(("Leave", "Paternity"), "Eight weeks at full pay for the partner."),
        Section(("Leave", "Maternity"), "Twenty weeks at full pay for the birth parent."),
        Section(("Pay",), " ".join(_sentence(i) for i in range(10))),
    ]
    chunks = chunk_document(_document(sections))
    leave = next(c for c in chunks if "Eight weeks" in c.text)
    assert leave.section == "Leave"
    assert "## Paternity" in leave.text and "## Maternity" in leave.text and "Twenty weeks" in leave.text
    assert not any("Eight weeks" in c.text for c in chunks if c is not leave)


def test_ids_are_stable_and_unique_even_for_repeated_headings():
    text = " ".join(_sentence(i) for i in range(20))
    doc = _document([Section(("Notes",), text), Section(("Other",), text), Section(("Notes",), text)])
    first = [c.chunk_id for c in chunk_document(doc)]
    again = [c.chunk_id for c in chunk_document(doc)]
    assert first == again
    assert len(set(first)) == len(first)
    moved = [c.chunk_id for c in chunk_document(_document(doc.sections, source="/kb/other.md"))]
    assert not set(moved) & set(first)  # the source is part of the id


def test_sentence_splitter_keeps_bullets_and_abbreviated_numbers():
    units = split_sentences("Please give at least:\n- 1 week of notice for 1.5 days\n- 4 weeks otherwise. Thanks! Really?")
    assert units == ["Please give at least:", "- 1 week of notice for 1.5 days", "- 4 weeks otherwise.", "Thanks!", "Really?"]
