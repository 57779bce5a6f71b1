"""Course authoring: “turn this document into a course” (pasted text, a link, a shared file or a voice memo), the
draft card L&D edits, approves or rejects (each decided once), `/ladder author` and ``python app.py author FILE``.

Only Approve puts a course in the catalogue, tagged with the skills the draft found, so paths can recommend it.
Every problem with the input is a plain reply and stores nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from authoring import drafting, sources, transcription
from authoring.outline import Module, Objective, Outline, measurable_verb
from authoring.sources import Source, SourceProblem
from conversation import ActionKind, ActionRef, Button, Card, Fact, Form, FormField, Message, Reply
from handlers import access
from handlers.access import Capability
from handlers.context import Ladder, skill_extractor
from handlers.intents import Intent
from storage import UnitOfWork
from storage.course_drafts import APPROVED, DRAFT
from storage.models import CourseDraft, Person

CLICKS = frozenset({ActionKind.approve_course_draft, ActionKind.reject_course_draft, ActionKind.edit_course_draft})
USAGE = ("`/ladder author <link, or the text to draft from>` — a course outline for you to edit and approve · "
         "`/ladder author list` — drafts waiting for a decision")
FILE_WORDS = ("course", "outline", "curriculum", "training", "module", "lesson", "author")
_URL = re.compile(r"https?://[^\s<>|]+")
HOW = ("Paste the text after your request (on the next line), give me a link, or share the document "
       f"({sources.supported()}) with the message “draft a course”.")


def _problem(exc: SourceProblem) -> Reply:
    return Reply(text=str(exc), ephemeral=True, data={"intent": "author_course", "status": "bad_input", "problem": exc.kind})


def _model(ladder: Ladder):
    if not ladder.settings.llm_enabled:
        return None
    from knowledge.answer import OpenAIChatModel

    return OpenAIChatModel(ladder.settings)


def _draft(ladder: Ladder, uow: UnitOfWork, person: Person | None, source: Source) -> Reply:
    outline = drafting.draft(source, skill_extractor(ladder), _model(ladder))
    if not outline.questions or not outline.modules:
        return Reply(text=f"I couldn't find enough in {source.name} to build a course outline (no full sentences to "
                          "quote). Nothing was saved.", ephemeral=True,
                     data={"intent": "author_course", "status": "bad_input", "problem": "empty"})
    draft = uow.course_drafts.add(title=outline.title, outline=outline.as_data(), source_name=source.name,
                                  source_kind=source.kind, method=outline.method,
                                  created_by=person.id if person else None, at=ladder.now())
    uow.audit.record(action="course_draft.created", actor_id=person.id if person else None, object_type="course_draft",
                     object_id=str(draft.id), detail={"source": source.name[:200], "method": outline.method,
                                                      "questions": len(outline.questions)})
    return Reply(text=f"Here is a draft course from {source.name}. Edit it, then approve it to add it to the catalogue.",
                 cards=[draft_card(draft)], data={"intent": "author_course", "status": "drafted", **_data(draft)})


def source_from_words(ladder: Ladder, text: str) -> Source:
    s = ladder.settings
    url = _URL.search(text)
    if url:
        return sources.from_url(url.group().rstrip(".,)"), max_bytes=s.authoring_max_bytes,
                                max_words=s.authoring_max_words, timeout=s.authoring_fetch_timeout_seconds)
    body = text.split("\n", 1)[1] if "\n" in text.strip() else (text.split(":", 1)[1] if ":" in text else "")
    if len(body.split()) < 20:
        raise SourceProblem("I need the material to draft a course from. " + HOW, "empty")
    return sources.from_text(body, max_words=s.authoring_max_words)


def source_from_file(ladder: Ladder, path: Path) -> Source:
    s = ladder.settings
    if path.suffix.lower() in sources.AUDIO_SUFFIXES:
        key = s.openai_api_key.get_secret_value() if s.openai_api_key else None
        text = transcription.transcribe(path, base_url=s.transcription_base_url, model=s.transcription_model, api_key=key,
                                        timeout=s.transcription_timeout_seconds, max_bytes=s.authoring_max_bytes)
        return sources.from_text(text, max_words=s.authoring_max_words, kind="voice", name=path.name)
    return sources.from_file(path, max_bytes=s.authoring_max_bytes, max_words=s.authoring_max_words)


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    permission = access.gate(uow, person, Capability.author_course)
    if not permission:
        return access.refused(permission, "author_course")
    try:
        source = source_from_words(ladder, intent.text)
    except SourceProblem as exc:
        return _problem(exc)
    return _draft(ladder, uow, person, source)


def wants_course(text: str) -> bool:
    return any(word in text.lower() for word in FILE_WORDS)


def from_files(ladder: Ladder, uow: UnitOfWork, person: Person, paths: list[str]) -> Reply:
    """Files shared with “draft a course”: one draft from the first (a course is one document's)."""
    permission = access.gate(uow, person, Capability.author_course)
    if not permission:
        return access.refused(permission, "author_course")
    if not paths:
        return Reply(text="I couldn't download that file. Please try sharing it again.", ephemeral=True,
                     data={"intent": "author_course", "status": "bad_input", "problem": "fetch"})
    try:
        source = source_from_file(ladder, Path(paths[0]))
    except SourceProblem as exc:
        return _problem(exc)
    return _draft(ladder, uow, person, source)


def admin_author(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    if not args.strip():
        return Reply(text="Usage: " + USAGE, ephemeral=True)
    if args.strip().lower() == "list":
        waiting = uow.course_drafts.pending()
        if not waiting:
            return Reply(text="No course drafts are waiting for a decision.", data={"intent": "author_course", "drafts": []})
        return Reply(text=f"{len(waiting)} course draft{'s' if len(waiting) != 1 else ''} waiting for a decision.",
                     cards=[draft_card(d) for d in waiting],
                     data={"intent": "author_course", "drafts": [d.id for d in waiting]})
    try:
        source = source_from_words(ladder, args) if _URL.search(args) else \
            sources.from_text(args, max_words=ladder.settings.authoring_max_words)
    except SourceProblem as exc:
        return _problem(exc)
    return _draft(ladder, uow, actor, source)


# --------------------------------------------------------------------------- the card


def _ref(kind: ActionKind, draft: CourseDraft) -> str:
    return ActionRef(kind=kind, target=str(draft.id), version=draft.version).encode()


def _data(draft: CourseDraft) -> dict:
    return {"draft_id": draft.id, "version": draft.version, "draft_status": draft.status, "course_id": draft.course_id,
            "outline": draft.outline}


def draft_card(draft: CourseDraft) -> Card:
    o = Outline.from_data(draft.outline)
    lines = ["*Learning objectives* — by the end, a learner can:"]
    lines += [f"• {ob.text}" + (f" _(“{_short(ob.quote)}”, {ob.location})_" if ob.quote else " _(written by L&D)_")
              for ob in o.objectives]
    lines.append("\n*Modules*")
    lines += [f"{i}. {m.title}" for i, m in enumerate(o.modules, 1)]
    lines.append("\n*Skills it teaches* — " + (", ".join(s.label for s in o.skills) or "none found in the taxonomy"))
    lines.append("\n*Assessment* (each answer quoted from the source)")
    for i, q in enumerate(o.questions, 1):
        lines.append(f"{i}. {q.prompt}\n   Answer: “{q.answer}” — {q.location or 'the source'}")
    lines += [f"\n_{note}_" for note in o.notes]
    method = "written by the language model, every quote checked against the source" if o.method == "llm" \
        else "built from the document's own sentences (no language model)"
    facts = [Fact(title="Source", value=draft.source_name[:200] or "—"), Fact(title="How", value=method),
             Fact(title="Status", value=draft.status)]
    buttons = []
    if draft.status == DRAFT:
        buttons = [Button(label="Edit…", ref=_ref(ActionKind.edit_course_draft, draft)),
                   Button(label="Approve", ref=_ref(ActionKind.approve_course_draft, draft), style="primary"),
                   Button(label="Reject", ref=_ref(ActionKind.reject_course_draft, draft), style="danger")]
    footer = "Only an approved draft enters the catalogue." if draft.status == DRAFT else \
        f"{draft.status.capitalize()} on {draft.decided_at:%Y-%m-%d}." if draft.decided_at else ""
    return Card(title=f"Course draft: {draft.title}"[:150], body="\n".join(lines), facts=facts, buttons=buttons,
                footer=footer)


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# --------------------------------------------------------------------------- clicks


def click(ladder: Ladder, uow: UnitOfWork, person: Person, message: Message) -> Reply:
    ref = message.action
    assert ref is not None
    permission = access.gate(uow, person, Capability.author_course)
    if not permission:
        return access.refused(permission, "author_course")
    draft_id = int(ref.target)
    if ref.kind == ActionKind.edit_course_draft:
        return _edit(ladder, uow, person, draft_id, ref.version, message)
    approve = ref.kind == ActionKind.approve_course_draft
    status = APPROVED if approve else "rejected"
    if not uow.course_drafts.decide(draft_id, status, by=person.id, at=ladder.now()):
        return _already(uow, draft_id)
    draft = uow.course_drafts.get(draft_id)
    assert draft is not None
    detail: dict = {"title": draft.title}
    if approve:
        o = Outline.from_data(draft.outline)
        course = uow.course_drafts.publish(draft_id, code=f"AUTH-{draft_id}",
                                           description="\n".join(ob.text for ob in o.objectives),
                                           skill_ids=[s.skill_id for s in o.skills],
                                           hours=max(0.5, 0.5 * len(o.modules)))
        detail |= {"course_id": course.id, "course_code": course.code, "skills": [s.uri for s in o.skills]}
        draft = uow.course_drafts.get(draft_id)
    uow.audit.record(action=f"course_draft.{status}", actor_id=person.id, object_type="course_draft",
                     object_id=str(draft_id), detail=detail)
    head = (f"Approved: “{draft.title}” is in the catalogue as {detail['course_code']}, tagged with "
            f"{len(detail['skills'])} skill{'s' if len(detail['skills']) != 1 else ''}.") if approve \
        else f"Rejected: “{draft.title}” will not enter the catalogue."
    return Reply(text=head, cards=[draft_card(draft)], replace_original=True,
                 data={"intent": "author_course", "status": "decided", **_data(draft)})


def _already(uow: UnitOfWork, draft_id: int) -> Reply:
    draft = uow.course_drafts.get(draft_id)
    if draft is None:
        return Reply(text="That course draft no longer exists.", ephemeral=True,
                     data={"intent": "author_course", "status": "missing"})
    who = uow.people.get(draft.decided_by) if draft.decided_by else None
    by = f" by {who.name}" if who is not None else ""
    return Reply(text=f"This draft was already {draft.status}{by}; nothing changed.", cards=[draft_card(draft)],
                 replace_original=True, data={"intent": "author_course", "status": "stale", **_data(draft)})


def _edit_form(draft: CourseDraft, typed: dict[str, str] | None = None) -> Form:
    o = Outline.from_data(draft.outline)
    values = typed or {"title": draft.title, "objectives": "\n".join(ob.text for ob in o.objectives),
                       "modules": "\n".join(m.title for m in o.modules)}
    return Form(title="Edit course draft", submit=_ref(ActionKind.edit_course_draft, draft), submit_label="Save",
                intro="One objective per line, each starting with a measurable verb (explain, apply, list…); one "
                      "module per line. The assessment stays as drafted: its answers are quoted from the source.",
                fields=[FormField(name="title", label="Title", kind="text", max_length=300, initial=values.get("title", "")),
                        FormField(name="objectives", label="Learning objectives", max_length=3000,
                                  initial=values.get("objectives", "")),
                        FormField(name="modules", label="Modules", max_length=3000, initial=values.get("modules", ""))])


def _edit(ladder: Ladder, uow: UnitOfWork, person: Person, draft_id: int, version: int | None, message: Message) -> Reply:
    draft = uow.course_drafts.get(draft_id)
    if draft is None or draft.status != DRAFT or (version is not None and version != draft.version):
        return _already(uow, draft_id) if draft is not None and draft.status != DRAFT else \
            Reply(text="That draft has changed since this card was made — here is the current one.", ephemeral=True,
                  cards=[draft_card(draft)] if draft else [], data={"intent": "author_course", "status": "stale"})
    if not message.form_submitted:
        return Reply(text=f"Edit “{draft.title}”.", ephemeral=True, form=_edit_form(draft),
                     data={"intent": "author_course", "status": "form", "draft_id": draft_id})
    form = dict(message.form)
    title = form.get("title", "").strip()
    objectives = [line.strip(" -•\t") for line in form.get("objectives", "").splitlines() if line.strip(" -•\t")]
    modules = [line.strip(" -•\t0123456789.") for line in form.get("modules", "").splitlines() if line.strip(" -•\t")]
    vague = [ob for ob in objectives if measurable_verb(ob) is None]
    problem = ("Give the course a title." if not title else "Add at least one learning objective." if not objectives
               else "Add at least one module." if not modules
               else f"“{vague[0]}” doesn't start with a measurable verb (explain, apply, list, describe…)." if vague else "")
    if problem:
        return Reply(text=problem + " Nothing was saved.", ephemeral=True, form=_edit_form(draft, form),
                     data={"intent": "author_course", "status": "invalid", "draft_id": draft_id})
    o = Outline.from_data(draft.outline)
    old_objectives = {ob.text: ob for ob in o.objectives}
    old_modules = {m.title: m for m in o.modules}
    o.title = title
    o.objectives = [old_objectives.get(text) or Objective(text=text) for text in objectives]
    o.modules = [old_modules.get(text) or Module(title=text) for text in modules]
    if not uow.course_drafts.edit(draft_id, draft.version, title=title, outline=o.as_data()):
        return _already(uow, draft_id)
    uow.audit.record(action="course_draft.edited", actor_id=person.id, object_type="course_draft",
                     object_id=str(draft_id), detail={"title": title})
    draft = uow.course_drafts.get(draft_id)
    return Reply(text=f"Saved your changes to “{title}”.", cards=[draft_card(draft)], replace_original=True,
                 data={"intent": "author_course", "status": "edited", **_data(draft)})
