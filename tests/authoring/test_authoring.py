"""Course authoring: every assessment answer is found in the source (extractive and with the stand-in LLM), a draft
enters the catalogue only when approved, once; bad input gets a clear reply and stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from approvals_helpers import MAYA, PRIYA, button, click, prepare, say
from sqlalchemy import func, select

from authoring import drafting, sources
from authoring.grounding import normalise
from authoring.outline import measurable_verb
from knowledge.answer import OpenAIChatModel
from settings import Settings
from storage.models import Course, CourseDraft, CourseSkill

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "authoring" / "protecting_accounts.md"
TEXT = FIXTURE.read_text()
ONE_LINE = " ".join(line for line in TEXT.splitlines() if line.strip() and not line.startswith("#"))  # a command is one line
LIMITS = {"max_bytes": 10_000_000, "max_words": 60_000}


def _in_source(answer: str) -> bool:
    return normalise(answer) in normalise(TEXT)


def _docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in TEXT.splitlines():
        if line.startswith("## "):
            document.add_heading(line[3:], level=2)
        elif line.startswith("# "):
            document.add_heading(line[2:], level=1)
        elif line.strip():
            document.add_paragraph(line)
    document.save(path)
    return path


def _pdf(path: Path, text: str | None = TEXT) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    if text:
        for line in text.splitlines():
            pdf.multi_cell(0, 5, line.lstrip("# "), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


@pytest.mark.parametrize("make", ["md", "docx", "pdf"])
def test_extractive_outline_answers_are_all_quoted_from_the_source(make, tmp_path):
    path = {"md": lambda: FIXTURE, "docx": lambda: _docx(tmp_path / "guide.docx"), "pdf": lambda: _pdf(tmp_path / "guide.pdf")}[make]()
    outline = drafting.draft(sources.from_file(path, **LIMITS), None)
    assert outline.method == "extractive" and 3 <= len(outline.questions) <= 5
    assert all(_in_source(q.answer) for q in outline.questions), [q.answer for q in outline.questions]
    assert all(measurable_verb(o.text) for o in outline.objectives) and outline.objectives and outline.modules


def test_the_llm_draft_keeps_grounded_answers_and_drops_an_invented_one(standin, tmp_path):
    good = ["Every work passphrase must be at least 15 characters long.",
            "Report a suspected compromise to the IT service desk within 1 hour, even if you are unsure.",
            "An authenticator app is safer than a text message"]
    standin.reply = json.dumps({
        "title": "Account safety",
        "objectives": [{"text": "Explain why length matters in a passphrase", "quote": "Length matters more than odd symbols"},
                       {"text": "Understand phishing", "quote": "Phishing is a message that pretends to come from someone you trust"}],
        "modules": [{"title": "Passphrases", "quote": good[0]}],
        "questions": [{"prompt": f"Q{i}", "answer": a} for i, a in enumerate(good)]
                     + [{"prompt": "How often must passphrases change?", "answer": "Passphrases must change every 90 days."}]})
    model = OpenAIChatModel(Settings(openai_base_url=standin.base_url, openai_api_key="sk-standin-key-123", llm_model="m"))
    outline = drafting.draft(sources.from_file(FIXTURE, **LIMITS), None, model)
    assert outline.method == "llm" and [q.answer for q in outline.questions] == good
    assert all(_in_source(q.answer) for q in outline.questions)
    assert [o.text for o in outline.objectives] == ["Explain why length matters in a passphrase"]  # "Understand" is not measurable
    assert "2 statements" in outline.notes[0]

    standin.reply = json.dumps({"title": "x", "objectives": [], "modules": [], "questions": [{"prompt": "?", "answer": "made up entirely here"}]})
    fallback = drafting.draft(sources.from_file(FIXTURE, **LIMITS), None, model)
    assert fallback.method == "extractive" and "own sentences" in fallback.notes[0]
    assert all(_in_source(q.answer) for q in fallback.questions)


def _count(ladder, model) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_draft_enters_the_catalogue_only_on_approval_and_only_once(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    courses = _count(ladder, Course)
    reply = say(ladder, PRIYA, "/ladder author " + ONE_LINE)
    assert reply.data.get("status") == "drafted", reply.text
    assert _count(ladder, Course) == courses  # a draft is not a course
    approve = button(reply, "approve_course_draft")
    approved = click(ladder, PRIYA, approve)
    assert approved.data["status"] == "decided" and approved.data["course_id"]
    assert _count(ladder, Course) == courses + 1
    again = click(ladder, PRIYA, approve)
    assert again.data["status"] == "stale" and "already approved" in again.text
    rejected_late = click(ladder, PRIYA, button(reply, "reject_course_draft"))
    assert rejected_late.data["status"] == "stale" and _count(ladder, Course) == courses + 1
    with ladder.db.session() as s:
        tags = s.scalar(select(func.count()).select_from(CourseSkill).where(CourseSkill.course_id == approved.data["course_id"]))
    assert tags == len(approved.data["outline"]["skills"])


def test_reject_and_edit(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    reply = say(ladder, PRIYA, "/ladder author " + ONE_LINE)
    form = click(ladder, PRIYA, button(reply, "edit_course_draft"))
    assert form.form is not None and form.data["status"] == "form"
    bad = click(ladder, PRIYA, button(reply, "edit_course_draft"),
                {"title": "Safe accounts", "objectives": "Know about passwords", "modules": "One"}, form_submitted=True)
    assert bad.data["status"] == "invalid" and "measurable verb" in bad.text
    edited = click(ladder, PRIYA, button(reply, "edit_course_draft"),
                   {"title": "Safe accounts", "objectives": "List the rules for a passphrase\nExplain phishing",
                    "modules": "Passphrases\nPhishing"}, form_submitted=True)
    assert edited.data["status"] == "edited" and edited.data["outline"]["title"] == "Safe accounts"
    stale = click(ladder, PRIYA, button(reply, "edit_course_draft"))  # the old card's version
    assert stale.data["status"] == "stale"
    courses = _count(ladder, Course)
    rejected = click(ladder, PRIYA, button(edited, "reject_course_draft"))
    assert rejected.data["status"] == "decided" and rejected.data["draft_status"] == "rejected"
    assert _count(ladder, Course) == courses


def test_an_employee_is_refused(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    assert say(ladder, MAYA, "/ladder author " + TEXT).data.get("status") == "forbidden"


def test_bad_inputs_get_a_clear_reply_and_store_nothing(fresh_demo, tmp_path):
    ladder = fresh_demo
    prepare(ladder)
    empty_pdf = _pdf(tmp_path / "scan.pdf", None)
    (tmp_path / "empty.md").write_text("")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    (tmp_path / "huge.md").write_text("word " * 70_000)
    (tmp_path / "memo.m4a").write_bytes(b"\x00\x01audio")
    expected = {empty_pdf: ("scanned", "no text layer"), tmp_path / "empty.md": ("empty", "empty"),
                tmp_path / "sheet.xlsx": ("unsupported", "I can read PDF"), tmp_path / "huge.md": ("too_large", "limit"),
                tmp_path / "memo.m4a": ("transcription", "no speech-to-text")}
    from handlers import authoring
    from storage import UnitOfWork

    for path, (kind, words) in expected.items():
        with ladder.db.session() as s, s.begin():
            person = UnitOfWork(s).people.by_email(PRIYA)
            reply = authoring.from_files(ladder, UnitOfWork(s), person, [str(path)])
        assert reply.data.get("problem") == kind and words in reply.text, (path.name, reply.text)
    assert say(ladder, PRIYA, "/ladder author").text.startswith("Usage")
    assert _count(ladder, CourseDraft) == 0
