"""Ingestion against a real Chroma folder and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from kb_helpers import BAD_FILES, GOOD_FILES, make_index
from knowledge.ingest import ingest_paths, list_documents, remove, source_key
from storage.models import KnowledgeDocument

EVERYONE = {"everyone"}
ALL = {"everyone", "managers", "hr"}


def _names(sources) -> set[str]:
    return {Path(s).relative_to(Path(s).parents[1]).as_posix() if Path(s).parent.name in ("managers", "hr") else Path(s).name for s in sources}


def test_every_file_type_is_ingested_and_bad_files_are_reported(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    seen: list[tuple[int, int]] = []
    report = ingest_paths([handbook], kb_db, index, progress=lambda done, total, _src: seen.append((done, total)))

    assert _names(report.added) == set(GOOD_FILES)
    assert {Path(f.source).name: f.reason for f in report.failed}.keys() == BAD_FILES.keys()
    for failure in report.failed:
        assert BAD_FILES[Path(failure.source).name] in failure.reason
    assert "skipped" in report.summary() and "broken.pdf" in report.summary()
    assert seen[-1] == (len(GOOD_FILES) + len(BAD_FILES),) * 2

    documents = {Path(d.source).name: d for d in list_documents(kb_db)}
    assert documents["salary-bands.md"].audience == "managers"
    assert documents["case-files.md"].audience == "hr"
    assert documents["parental-leave.md"].contact == "parental@kestrel.example"
    assert sum(d.chunk_count for d in documents.values()) == index.count() == report.chunks_written

    # One query per file type finds its own document.
    for query, expected in [
        ("paternity leave weeks", "parental-leave.md"),
        ("daily meal allowance travelling", "expenses.html"),
        ("work from another country", "remote-work.txt"),
        ("lost devices password manager", "security.pdf"),
        ("onboarding buddy first three months", "onboarding.docx"),
    ]:
        assert Path(index.search(query, EVERYONE, k=1)[0].chunk.source).name == expected


def test_rerun_is_a_no_op_and_a_changed_file_replaces_its_chunks(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    ingest_paths([handbook], kb_db, index)
    before = {d.source: d.ingested_at for d in list_documents(kb_db)}

    again = ingest_paths([handbook], kb_db, index)
    assert again.added == [] and again.updated == [] and again.chunks_written == 0
    assert len(again.unchanged) == len(GOOD_FILES)
    assert {d.source: d.ingested_at for d in list_documents(kb_db)} == before

    policy = handbook / "remote-work.txt"
    policy.write_text("Remote work\n\nWorking from abroad now needs approval from the wombat council first.\n")
    changed = ingest_paths([handbook], kb_db, index)
    assert changed.updated == [source_key(policy)]
    assert len(changed.unchanged) == len(GOOD_FILES) - 1
    hits = index.search("work from another country 30 working days", EVERYONE, k=10)
    assert all("30 working days" not in h.chunk.text for h in hits)  # the old text is gone
    assert "wombat council" in index.search("wombat council", EVERYONE, k=1)[0].chunk.text
    assert len(index.chunk_ids_for(source_key(policy))) == 1


def test_remove_takes_a_document_out_of_registry_and_index(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    ingest_paths([handbook], kb_db, index)
    target = handbook / "expenses.html"

    assert remove(str(target), kb_db, index) is True
    assert source_key(target) not in {d.source for d in list_documents(kb_db)}
    assert index.chunk_ids_for(source_key(target)) == []
    assert all(Path(h.chunk.source).name != "expenses.html" for h in index.search("meal allowance euros", ALL, k=10))
    assert remove(str(target), kb_db, index) is False  # already gone: says so, changes nothing


def test_interrupted_run_is_repaired_by_rerunning(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    ingest_paths([handbook / "parental-leave.md"], kb_db, index)
    # Simulate a crash between "chunks written" and "registry row written" for a second file,
    # and a lost index for the first one (Chroma folder wiped, registry still there).
    policy = handbook / "remote-work.txt"
    index_only = make_index(tmp_path / "chroma")
    from kb_helpers import index_files

    index_files(index_only, policy)
    fresh_index = make_index(tmp_path / "chroma-new")

    report = ingest_paths([handbook / "parental-leave.md", policy], kb_db, fresh_index)
    assert report.updated == [source_key(handbook / "parental-leave.md")]  # re-indexed, not skipped
    assert report.added == [source_key(policy)]
    assert fresh_index.search("paternity leave", EVERYONE, k=1)
    with kb_db.session() as session, session.begin():
        rows = session.scalars(select(KnowledgeDocument)).all()
        assert {r.source: r.chunk_count for r in rows} == {
            source_key(handbook / "parental-leave.md"): len(fresh_index.chunk_ids_for(source_key(handbook / "parental-leave.md"))),
            source_key(policy): 1,
        }


def test_prune_missing_removes_deleted_files_and_missing_paths_are_reported(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    ingest_paths([handbook], kb_db, index)
    (handbook / "remote-work.txt").unlink()
    report = ingest_paths([handbook, tmp_path / "nowhere"], kb_db, index, prune_missing=True)
    assert report.removed == [source_key(handbook / "remote-work.txt")]
    assert any(f.reason == "no such file or folder" for f in report.failed)
    assert len(list_documents(kb_db)) == len(GOOD_FILES) - 1


def test_a_document_made_restricted_disappears_for_employees(kb_db, handbook, tmp_path):
    index = make_index(tmp_path / "chroma")
    ingest_paths([handbook], kb_db, index)
    policy = handbook / "parental-leave.md"
    before = len(index.chunk_ids_for(source_key(policy)))
    policy.write_text(policy.read_text().replace("audience: everyone", "audience: managers"))

    assert ingest_paths([handbook], kb_db, index).updated == [source_key(policy)]
    assert len(index.chunk_ids_for(source_key(policy))) == before  # moved, not duplicated
    assert all(Path(h.chunk.source).name != "parental-leave.md" for h in index.search("paternity leave", EVERYONE, k=10))
    assert Path(index.search("paternity leave", {"everyone", "managers"}, k=1)[0].chunk.source).name == "parental-leave.md"
    assert {d.audience for d in list_documents(kb_db) if d.source == source_key(policy)} == {"managers"}
