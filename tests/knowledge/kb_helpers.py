"""Test helpers for the knowledge base: handbook files of every type and index shortcuts."""

from __future__ import annotations

from pathlib import Path

import chromadb

from knowledge.chunking import chunk_document
from knowledge.feedback import FeedbackStore
from knowledge.index import KnowledgeIndex
from knowledge.parsing import parse_document


def make_index(path: Path, embedder=None, feedback: FeedbackStore | None = None, **kwargs) -> KnowledgeIndex:
    return KnowledgeIndex(chromadb.PersistentClient(path=str(path)), embedder, feedback=feedback, **kwargs)


def index_files(index: KnowledgeIndex, *paths: Path) -> None:
    """Fill an index without the registry, for tests that do not touch the database."""
    for path in paths:
        document = parse_document(path)
        index.replace_source(document.source, chunk_document(document))


# --------------------------------------------------------------------------- a small handbook

LEAVE_MD = """---
title: Parental leave
audience: everyone
updated: 2026-02-01
contact: parental@kestrel.example
topic: leave
---

# Parental leave

{% if region == "de" %}{{ banner }}{% endif %}
Kestrel supports new parents with paid leave.

## Paternity

If your partner gives birth you can take **8 weeks** of paternity leave at full pay. {{ footnote }}
You can split the paternity leave into two blocks within the first year.

## Maternity

If you give birth you can take 20 weeks of maternity leave at 100% of your base salary.
"""

EXPENSES_HTML = """<!doctype html>
<html><head><title>Expenses policy</title>
<meta name="topic" content="expenses"><meta name="contact" content="finance@kestrel.example">
<style>.x { color: red }</style><script>var tracking = 1;</script></head>
<body><h1>Expenses</h1>
<p>Submit every expense claim in <b>Kestrel Spend</b> within 60 days.</p>
<h2>Meals</h2><p>The daily meal allowance when travelling is 45 euros.</p>
<h3>Client dinners</h3><ul><li>Up to 80 euros per person.</li><li>Alcohol is capped at 25 euros.</li></ul>
</body></html>
"""

REMOTE_TXT = """Remote work

You can work from another country for up to 30 working days a year. Tell your manager two weeks ahead.
The home office allowance is 500 euros once, for a desk and a chair.
"""


def write_pdf(path: Path, title: str, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def write_docx(path: Path, title: str, sections: dict[str, str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)  # the "Title" style
    for heading, text in sections.items():
        level = 2 if " / " in heading else 1
        document.add_heading(heading.split(" / ")[-1], level=level)
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def write_handbook(tmp_path: Path) -> Path:
    """A folder with one good file of each type, restricted folders, and three bad files."""
    root = tmp_path / "handbook"
    (root / "managers").mkdir(parents=True)
    (root / "hr").mkdir()
    (root / "parental-leave.md").write_text(LEAVE_MD, encoding="utf-8")
    (root / "expenses.html").write_text(EXPENSES_HTML, encoding="utf-8")
    (root / "remote-work.txt").write_text(REMOTE_TXT, encoding="utf-8")
    write_pdf(
        root / "security.pdf",
        "Security handbook",
        [
            "Lock your laptop whenever you leave your desk. Report lost devices to it-help within one hour.",
            "Use the password manager for every work account. Never reuse a password.",
        ],
    )
    write_docx(
        root / "onboarding.docx",
        "Onboarding guide",
        {
            "Your first day": "Your first day starts at 9:30 in the Lisbon office with coffee and a laptop handover.",
            "Your first day / Buddy": "Every new joiner gets an onboarding buddy for their first three months.",
            "Probation": "The probation period is six months for everyone.",
        },
        table=[["Week", "Goal"], ["1", "Meet your team"], ["4", "Ship something small"]],
    )
    (root / "managers" / "salary-bands.md").write_text(
        "---\ntitle: Salary bands\ntopic: compensation\ncontact: comp@kestrel.example\n---\n\n"
        "## Engineering bands\n\nThe salary band for a senior engineer zebracode is 68,000 to 86,000 euros.\n",
        encoding="utf-8",
    )
    (root / "hr" / "case-files.md").write_text(
        "---\ntitle: Case files\n---\n\n## Retention\n\nClosed grievance case files quokkafile are kept for 3 years.\n",
        encoding="utf-8",
    )
    (root / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf\n%%EOF")
    (root / "diagram.xyz").write_bytes(b"\x00\x01binary")
    (root / "empty.md").write_text("", encoding="utf-8")
    return root


GOOD_FILES = ["parental-leave.md", "expenses.html", "remote-work.txt", "security.pdf", "onboarding.docx",
              "managers/salary-bands.md", "hr/case-files.md"]  # fmt: skip
BAD_FILES = {"broken.pdf": "corrupt or unreadable PDF", "diagram.xyz": "unsupported file type", "empty.md": "file is empty"}
