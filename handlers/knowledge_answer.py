"""Use case: answer an HR or learning-policy question from the company's own documents, with citations.

Also the knowledge base's admin side (`/ladder kb list`) and the Helpful / Not helpful buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from conversation import ActionKind, ActionRef, Button, Card, Citation, Reply
from handlers.context import Ladder
from storage.models import ConversationState, Person


@dataclass
class KnowledgeBase:
    index: object
    answerer: object
    feedback: object


def knowledge_base(ladder: Ladder) -> KnowledgeBase:
    """The one knowledge base of this process, built on first use."""
    with ladder.lock:
        if ladder.knowledge_base is None:
            from knowledge.answer import Answerer
            from knowledge.feedback import FeedbackStore
            from knowledge.index import KnowledgeIndex

            feedback = FeedbackStore(ladder.db)
            index = KnowledgeIndex.from_settings(ladder.settings, feedback=feedback)
            ladder.knowledge_base = KnowledgeBase(index, Answerer(index, ladder.settings), feedback)
        return ladder.knowledge_base


def _answer_key(answer_id: str) -> str:
    return f"kb-answer:{answer_id}"


def answer(ladder: Ladder, session: Session, person: Person, question: str) -> Reply:
    from knowledge.answer import audiences_for

    kb = knowledge_base(ladder)
    result = kb.answerer.answer(question, audiences_for(person.access_role), k=5)
    citations = [Citation(number=c.number, title=c.title, section=c.section, source=Path(c.source).name) for c in result.citations]
    data = {"intent": "knowledge", "answered": result.answered, "mode": result.mode, "answer_id": result.answer_id,
            "contact": result.contact, "sources": sorted({Path(c.source).name for c in result.citations})}
    if not result.answered:
        return Reply(text=result.text, data=data)
    # What the feedback buttons need later: which passages this answer rested on.
    session.add(ConversationState(key=_answer_key(result.answer_id),
                                  data={"question": question, "chunk_ids": list(result.chunk_ids), "person_id": person.id}))
    buttons = [
        Button(label="👍 Helpful", ref=ActionRef(kind=ActionKind.feedback_up, target=result.answer_id).encode()),
        Button(label="👎 Not helpful", ref=ActionRef(kind=ActionKind.feedback_down, target=result.answer_id).encode()),
    ]
    return Reply(text=result.text, citations=citations, cards=[Card(title="Was this helpful?", buttons=buttons)], data=data)


def feedback(ladder: Ladder, session: Session, person: Person, answer_id: str, helpful: bool) -> Reply:
    state = session.get(ConversationState, _answer_key(answer_id))
    if state is None:
        return Reply(text="I can't find that answer any more — but thanks for the feedback.", ephemeral=True)
    kb = knowledge_base(ladder)
    # One vote per person and answer: a second click replaces the vote, never adds one.
    kb.feedback.record(answer_id, helpful, person_id=person.id, question=state.data.get("question", ""),
                       chunk_ids=state.data.get("chunk_ids", []))
    text = "Thanks — glad it helped." if helpful else "Thanks — I'll rank those passages lower. HR can also fix the handbook."
    return Reply(text=text, ephemeral=True, data={"intent": "feedback", "recorded": True, "helpful": helpful})


def kb_list(ladder: Ladder, session: Session, _args: str) -> Reply:
    from knowledge.ingest import list_documents

    docs = list_documents(ladder.db)
    if not docs:
        return Reply(text="The knowledge base is empty. Ingest documents with `python app.py kb ingest PATH`.", ephemeral=True)
    lines = [f"*Knowledge base: {len(docs)} documents*"] + [
        f"• {d.title} — {d.audience}, {d.chunk_count} passages ({Path(d.source).name})" for d in docs
    ]
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "kb_list", "documents": len(docs)})


_ADD_TO_KB = ("knowledge base", "kb", "handbook", "add this", "add it", "ingest")


def add_shared_files(ladder: Ladder, session: Session, person: Person, paths: list[str], text: str) -> Reply:
    """An admin shared documents in a direct message (Slack file_share) and asked to add them."""
    from handlers.admin import is_admin
    from handlers.kb_cli import ingest

    if not is_admin(person):
        return Reply(text="Only HR admins can add documents to the knowledge base. Send the file to your HR team instead.",
                     data={"intent": "kb_add_denied"})
    if not paths:
        return Reply(text="I couldn't download that file from Slack. Please try sharing it again.", data={"intent": "kb_add"})
    if not any(word in text.lower() for word in _ADD_TO_KB):
        return Reply(text="Got the file. To add it to the knowledge base, share it again with the message "
                          "“add to knowledge base”.", data={"intent": "kb_add", "ingested": False})
    report = ingest(ladder, paths, show_progress=False)
    lines = [f"Knowledge base updated: {report.summary()}"]
    lines += [f"• Skipped {Path(f.source).name}: {f.reason}" for f in report.failed]
    return Reply(text="\n".join(lines), data={"intent": "kb_add", "ingested": True,
                                                "added": len(report.added), "failed": len(report.failed)})


def kb_command(ladder: Ladder, session: Session, args: str) -> Reply:
    if args.strip().lower() in ("", "list"):
        return kb_list(ladder, session, args)
    return Reply(text="Usage: `/ladder kb list`. To add documents, share a file with me in a direct message and say "
                      "“add to knowledge base”, or run `python app.py kb ingest PATH`.", ephemeral=True)


def _register() -> None:
    from handlers import admin

    admin.register("kb", kb_command)


_register()
