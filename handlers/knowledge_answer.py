"""Use case: answer an HR or learning-policy question from the company's own documents, with citations.

Also the knowledge base's admin side (`/ladder kb list`, documents shared in a DM) and the Helpful /
Not helpful buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from conversation import ActionKind, ActionRef, Button, Card, Citation, Reply
from governance.permissions import Capability
from handlers.access import gate, refused
from handlers.context import Ladder, knowledge_base
from knowledge.ingest import IngestReport, ProgressCallback, ingest_paths, list_documents
from storage import UnitOfWork
from storage.knowledge_docs import RememberedAnswer
from storage.models import Person


def new_answer_id() -> str:
    import uuid

    return uuid.uuid4().hex[:24]


def answer(ladder: Ladder, uow: UnitOfWork, person: Person, question: str, *, record_unanswered: bool = False) -> Reply:
    """``record_unanswered``: the person clearly asked the handbook (not a message nothing else understood), so a
    question it cannot answer is kept for the L&D and HR digest."""
    from knowledge.answer import audiences_for  # loads the retrieval stack: only when a question comes

    kb = knowledge_base(ladder)
    result = kb.answerer.answer(question, audiences_for(person.access_role), k=5)
    citations = [Citation(number=c.number, title=c.title, section=c.section, source=Path(c.source).name) for c in result.citations]
    data = {"intent": "knowledge", "answered": result.answered, "mode": result.mode, "answer_id": result.answer_id,
            "contact": result.contact, "sources": sorted({Path(c.source).name for c in result.citations})}
    if not result.answered:
        if result.nearest is not None:
            data["nearest"] = Path(result.nearest.source).name
        if record_unanswered and question.strip():
            uow.knowledge.record_unanswered(result.answer_id or new_answer_id(), person.id, question.strip(), ladder.now())
        return Reply(text=result.text, data=data)
    # What the feedback buttons need later: which passages this answer rested on.
    uow.knowledge.remember_answer(result.answer_id, RememberedAnswer(question, list(result.chunk_ids), person.id))
    buttons = [
        Button(label="👍 Helpful", ref=ActionRef(kind=ActionKind.feedback_up, target=result.answer_id).encode()),
        Button(label="👎 Not helpful", ref=ActionRef(kind=ActionKind.feedback_down, target=result.answer_id).encode()),
    ]
    return Reply(text=result.text, citations=citations, cards=[Card(title="Was this helpful?", buttons=buttons)], data=data)


def feedback(ladder: Ladder, uow: UnitOfWork, person: Person, answer_id: str, helpful: bool) -> Reply:
    remembered = uow.knowledge.remembered_answer(answer_id)
    if remembered is None:
        return Reply(text="I can't find that answer any more — but thanks for the feedback.", ephemeral=True)
    # One vote per person and answer: a second click replaces the vote, never adds one.
    knowledge_base(ladder).feedback.record(answer_id, helpful, person_id=person.id, question=remembered.question,
                                           chunk_ids=remembered.chunk_ids)
    text = "Thanks — glad it helped." if helpful else "Thanks — I'll rank those passages lower. HR can also fix the handbook."
    return Reply(text=text, ephemeral=True, data={"intent": "feedback", "recorded": True, "helpful": helpful})


def ingest_documents(ladder: Ladder, paths: Iterable[str | Path], *, force: bool = False,
                     progress: ProgressCallback | None = None) -> IngestReport:
    """Add or refresh files and folders in this process's knowledge base."""
    return ingest_paths([Path(p) for p in paths], ladder.db, knowledge_base(ladder).index, progress=progress, force=force)


def kb_list(ladder: Ladder) -> Reply:
    # Reads the registry only: listing documents never loads the retrieval stack.
    docs = list_documents(ladder.db)
    if not docs:
        return Reply(text="The knowledge base is empty. Ingest documents with `python app.py kb ingest PATH`.", ephemeral=True)
    lines = [f"*Knowledge base: {len(docs)} documents*"] + [
        f"• {d.title} — {d.audience}, {d.chunk_count} passages ({Path(d.source).name})" for d in docs
    ]
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "kb_list", "documents": len(docs)})


_ADD_TO_KB = ("knowledge base", "kb", "handbook", "add this", "add it", "ingest")


def add_shared_files(ladder: Ladder, uow: UnitOfWork, person: Person, paths: list[str], text: str) -> Reply:
    """An admin shared documents in a direct message (Slack file_share) and asked to add them."""
    permission = gate(uow, person, Capability.manage_handbook)
    if not permission:
        reply = refused(permission, "kb_add_denied")
        return reply.model_copy(update={"text": reply.text + " Send the file to your HR team instead.", "ephemeral": False})
    if not paths:
        return Reply(text="I couldn't download that file from Slack. Please try sharing it again.", data={"intent": "kb_add"})
    if not any(word in text.lower() for word in _ADD_TO_KB):
        return Reply(text="Got the file. To add it to the knowledge base, share it again with the message "
                          "“add to knowledge base”.", data={"intent": "kb_add", "ingested": False})
    report = ingest_documents(ladder, paths)
    lines = [f"Knowledge base updated: {report.summary()}"]
    lines += [f"• Skipped {Path(f.source).name}: {f.reason}" for f in report.failed]
    return Reply(text="\n".join(lines), data={"intent": "kb_add", "ingested": True,
                                                "added": len(report.added), "failed": len(report.failed)})


def admin_kb(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder kb [list]` (HR admins)."""
    if args.strip().lower() in ("", "list"):
        return kb_list(ladder)
    return Reply(text="Usage: `/ladder kb list`. To add documents, share a file with me in a direct message and say "
                      "“add to knowledge base”, or run `python app.py kb ingest PATH`.", ephemeral=True)
