"""`python app.py kb ingest|list|remove|eval` — the knowledge base from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from handlers.context import Ladder, knowledge_base
from handlers.progress import StepProgress
from handlers.knowledge_answer import ingest_documents
from knowledge.ingest import IngestReport, list_documents
from knowledge.ingest import remove as remove_document


def add_parser(sub) -> None:
    kb = sub.add_parser("kb", help="knowledge base: ingest, list, remove, evaluate")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    ingest = kb_sub.add_parser("ingest", help="add or refresh documents (files or folders; md, html, pdf, docx, txt)")
    ingest.add_argument("paths", nargs="+")
    ingest.add_argument("--force", action="store_true", help="re-index even unchanged files")
    kb_sub.add_parser("list", help="documents in the knowledge base")
    remove = kb_sub.add_parser("remove", help="remove a document and its passages")
    remove.add_argument("source", help="the path it was ingested from (as `kb list` shows it)")
    ev = kb_sub.add_parser("eval", help="recall@5, MRR, citation accuracy, unanswerable declined")
    ev.add_argument("file", help="JSONL question set (see demo/kb_eval.jsonl)")


def ingest(ladder: Ladder, paths: list[str], *, force: bool = False, show_progress: bool = True) -> IngestReport:
    """Ingest with progress on stderr (a bar on a terminal, one summary line elsewhere) unless ``show_progress`` is off."""
    step = StepProgress("ingesting", "files") if show_progress else None

    def progress(done: int, total: int, source: str) -> None:
        if step is not None:
            step.update(done, total, Path(source).name)

    try:
        return ingest_documents(ladder, paths, force=force, progress=progress)
    finally:
        if step is not None:
            step.close()


def run(args, ladder: Ladder) -> int:
    if args.kb_command == "ingest":
        report = ingest(ladder, args.paths, force=args.force)
        print(report.summary())
        for failure in report.failed:
            print(f"skipped {failure.source}: {failure.reason}", file=sys.stderr)
        return 0 if not report.failed else 1
    if args.kb_command == "list":
        docs = list_documents(ladder.db)
        for d in docs:
            print(f"{d.audience:9} {d.chunk_count:4} passages  {d.updated_on or '':10}  {d.title}  ({d.source})")
        print(f"{len(docs)} document(s)")
        return 0
    if args.kb_command == "remove":
        if remove_document(args.source, ladder.db, knowledge_base(ladder).index):
            print(f"Removed {args.source}.")
            return 0
        print(f"No document with source {args.source} (see `python app.py kb list`).", file=sys.stderr)
        return 1
    if args.kb_command == "eval":
        from knowledge.evaluate import evaluate

        metrics = evaluate(Path(args.file), knowledge_base(ladder).answerer)
        print(metrics.table())
        return 0
    return 2
