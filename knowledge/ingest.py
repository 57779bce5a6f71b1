"""Bring files into the knowledge base, keep it in step with them, and take them out again.

The registry (``knowledge_documents``) says what is in the index and at which content hash. Its
row is written only after the chunks are in the index, so an interrupted run leaves either the
old state or chunks without a row; a rerun sees the hash mismatch and simply redoes that file
(chunk ids are stable, so redoing is an idempotent upsert).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from conversation import log_failure
from knowledge.chunking import chunk_document
from knowledge.passage_index import PassageIndex
from knowledge.parsing import UnreadableDocument, parse_document
from storage import Database

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, str], None]  # (files done, files total, current source)


@dataclass(frozen=True)
class FileFailure:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.failed)} failed ({self.chunks_written} passages indexed "
            f"in {self.seconds:.1f}s)"
        )
        return "\n".join([text] + [f"  skipped {f.source}: {f.reason}" for f in self.failed])


@dataclass(frozen=True)
class DocumentInfo:
    source: str
    title: str
    audience: str
    topic: str | None
    contact: str | None
    updated_on: dt.date | None
    chunk_count: int
    ingested_at: dt.datetime


def source_key(path: Path | str) -> str:
    """How a file is named in the registry and the index: its absolute path."""
    return str(Path(path).expanduser().resolve())


def _expand(paths: Iterable[Path | str], report: IngestReport) -> tuple[list[Path], list[Path]]:
    """(files to ingest, folders walked); hidden files and Office lock files are ignored."""
    files: dict[str, Path] = {}
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            folders.append(path.resolve())
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in relative) and not child.name.startswith("~$"):
                    files.setdefault(source_key(child), child)
        elif path.is_file():
            files.setdefault(source_key(path), path)
        else:
            report.failed.append(FileFailure(str(path), "no such file or folder"))
    return list(files.values()), folders


def ingest_paths(
    paths: Iterable[Path | str],
    db: Database,
    index: PassageIndex,
    progress: ProgressCallback | None = None,
    *,
    force: bool = False,
    prune_missing: bool = False,
) -> IngestReport:
    """Ingest files and folders (recursively). A bad file is reported and skipped, never fatal.

    ``force`` re-indexes unchanged files (after a chunking change); ``prune_missing`` removes
    registered documents that used to live under one of the given folders but are gone now.
    A file that has become unreadable keeps its previous version in the index.
    """
    started = time.perf_counter()
    report = IngestReport()
    files, folders = _expand(paths, report)
    for done, path in enumerate(files, start=1):
        source = source_key(path)
        try:
            _ingest_file(path, source, db, index, report, force)
        except UnreadableDocument as exc:
            report.failed.append(FileFailure(source, exc.reason))
        except Exception as exc:  # noqa: BLE001 - one broken file must not stop the others
            error_id = log_failure(log, f"ingesting {source} failed", source=source)
            report.failed.append(FileFailure(source, f"unexpected error ({type(exc).__name__}: {exc}; error id {error_id})"))
        if progress is not None:
            progress(done, len(files), source)
    if prune_missing:
        for document in list_documents(db):
            under = any(Path(document.source).is_relative_to(folder) for folder in folders)
            if under and not Path(document.source).exists() and remove(document.source, db, index):
                report.removed.append(document.source)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_file(path: Path, source: str, db: Database, index: PassageIndex, report: IngestReport, force: bool) -> None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(source, f"cannot read file ({exc.strerror or exc})") from exc
    content_hash = hashlib.sha256(raw).hexdigest()
    with db.read_only() as uow:
        row = uow.knowledge.document(source)
        known = (row.content_hash, row.chunk_count) if row is not None else None
    # "Unchanged" also requires the index to hold the chunks: a wiped Chroma folder or a switch
    # between lexical and vector collections is repaired by the next ingest.
    if known and not force and known[0] == content_hash and len(index.chunk_ids_for(source)) == known[1]:
        report.unchanged.append(source)
        return

    document = parse_document(path)
    document.source = source
    chunks = chunk_document(document)
    if not chunks:
        raise UnreadableDocument(source, "no readable text in the file")
    index.replace_source(source, chunks)
    with db.unit_of_work() as uow:
        row = uow.knowledge.register(source)
        row.title = document.title[:300]
        row.content_hash = content_hash
        row.audience = document.audience
        row.topic = (document.topic or None) and document.topic[:60]
        row.contact = (document.contact or None) and document.contact[:320]
        row.updated_on = document.updated
        row.chunk_count = len(chunks)
        row.ingested_at = dt.datetime.now(dt.timezone.utc)
    (report.updated if known else report.added).append(source)
    report.chunks_written += len(chunks)


def remove(source: str, db: Database, index: PassageIndex) -> bool:
    """Remove a document (by registry source or by a path naming it); False if it was unknown."""
    candidates = {source, source_key(source)}
    removed = False
    with db.unit_of_work() as uow:
        for row in uow.knowledge.documents_named(candidates):
            index.delete_source(row.source)
            uow.knowledge.forget(row)
            removed = True
    if not removed:
        # Chunks without a registry row (an interrupted ingest) are cleaned up all the same.
        for candidate in candidates:
            removed = index.delete_source(candidate) > 0 or removed
    return removed


def list_documents(db: Database) -> list[DocumentInfo]:
    with db.read_only() as uow:
        return [
            DocumentInfo(
                source=r.source,
                title=r.title,
                audience=r.audience,
                topic=r.topic,
                contact=r.contact,
                updated_on=r.updated_on,
                chunk_count=r.chunk_count,
                ingested_at=r.ingested_at,
            )
            for r in uow.knowledge.documents()
        ]
