"""Each file type is read into title, metadata and heading-path sections; bad files say why."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.parsing import UnreadableDocument, parse_document

from kb_helpers import BAD_FILES, write_docx


def test_markdown_front_matter_headings_and_template_tags(handbook):
    doc = parse_document(handbook / "parental-leave.md")
    assert doc.title == "Parental leave"
    assert (doc.audience, doc.topic, doc.contact) == ("everyone", "leave", "parental@kestrel.example")
    assert doc.updated == dt.date(2026, 2, 1)
    paths = [s.heading_path for s in doc.sections]
    # The H1 repeats the title, so it is not part of the section path.
    assert paths == [(), ("Paternity",), ("Maternity",)]
    text = " ".join(s.text for s in doc.sections)
    assert "{{" not in text and "{%" not in text and "footnote" not in text
    assert "---" not in text and "audience:" not in text  # front matter stripped
    assert "8 weeks" in text and "**" not in text  # emphasis markers removed, words kept


def test_html_title_meta_and_sections(handbook):
    doc = parse_document(handbook / "expenses.html")
    assert doc.title == "Expenses policy"
    assert (doc.topic, doc.contact, doc.audience) == ("expenses", "finance@kestrel.example", "everyone")
    by_path = {s.heading_path: s.text for s in doc.sections}
    assert "Kestrel Spend within 60 days" in by_path[("Expenses",)]
    assert "45 euros" in by_path[("Expenses", "Meals")]
    assert "- Up to 80 euros per person." in by_path[("Expenses", "Meals", "Client dinners")]
    everything = " ".join(by_path.values())
    assert "tracking" not in everything and "color" not in everything  # script and style dropped


def test_html_title_falls_back_to_h1(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text("<html><body><h1>Travel</h1><p>Book trains through TripDesk.</p></body></html>")
    doc = parse_document(path)
    assert doc.title == "Travel"
    assert doc.sections[0].heading_path == () and "TripDesk" in doc.sections[0].text


def test_pdf_pages_become_sections(handbook):
    doc = parse_document(handbook / "security.pdf")
    assert doc.title == "Security handbook"
    assert [s.heading_path for s in doc.sections] == [("Page 1",), ("Page 2",)]
    assert "Lock your laptop" in doc.sections[0].text and "password manager" in doc.sections[1].text


def test_docx_heading_styles_and_tables(handbook):
    doc = parse_document(handbook / "onboarding.docx")
    assert doc.title == "Onboarding guide"
    by_path = {s.heading_path: s.text for s in doc.sections}
    assert "9:30" in by_path[("Your first day",)]
    assert "onboarding buddy" in by_path[("Your first day", "Buddy")]
    assert "six months" in by_path[("Probation",)]
    assert "4 | Ship something small" in by_path[("Probation",)]  # the table follows the last heading


def test_plain_text(handbook):
    doc = parse_document(handbook / "remote-work.txt")
    assert doc.title == "Remote work"
    assert "30 working days" in doc.sections[0].text


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_unreadable_files_name_the_file_and_the_reason(handbook, name):
    with pytest.raises(UnreadableDocument) as caught:
        parse_document(handbook / name)
    assert caught.value.path.endswith(name)
    assert BAD_FILES[name] in caught.value.reason
    assert name in str(caught.value)


def test_whitespace_only_and_front_matter_only_files_are_refused(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\n ")
    (tmp_path / "meta.md").write_text("---\ntitle: Nothing here\n---\n\n# Nothing here\n")
    with pytest.raises(UnreadableDocument, match="empty"):
        parse_document(tmp_path / "blank.txt")
    with pytest.raises(UnreadableDocument, match="no readable text"):
        parse_document(tmp_path / "meta.md")


def test_bad_front_matter_and_unknown_audience_are_refused(tmp_path):
    (tmp_path / "yaml.md").write_text("---\ntitle: [unclosed\n---\nText here.\n")
    (tmp_path / "aud.md").write_text("---\naudience: leadership\n---\nText here.\n")
    with pytest.raises(UnreadableDocument, match="not valid YAML"):
        parse_document(tmp_path / "yaml.md")
    # Fail closed: an audience we do not understand must not silently become "everyone".
    with pytest.raises(UnreadableDocument, match="unknown audience"):
        parse_document(tmp_path / "aud.md")


def test_corrupt_docx_is_refused(tmp_path):
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(UnreadableDocument, match="corrupt or unreadable DOCX"):
        parse_document(tmp_path / "bad.docx")


def test_folder_rule_sets_audience_when_front_matter_is_silent(handbook, tmp_path):
    assert parse_document(handbook / "managers" / "salary-bands.md").audience == "managers"
    assert parse_document(handbook / "hr" / "case-files.md").audience == "hr"
    nested = tmp_path / "managers" / "hr"
    nested.mkdir(parents=True)
    write_docx(nested / "x.docx", "Nested", {"Body": "Text for the most restrictive folder."})
    assert parse_document(nested / "x.docx").audience == "hr"  # the most restrictive folder wins
    # Front matter, when present, decides.
    (tmp_path / "managers" / "open.md").write_text("---\naudience: everyone\n---\nAnyone may read this.\n")
    assert parse_document(tmp_path / "managers" / "open.md").audience == "everyone"


@pytest.mark.parametrize("written", ["February 24, 2023", "24 February 2023", "Feb 24 2023", "February 24th, 2023"])
def test_updated_dates_written_in_words_are_read_not_refused(tmp_path, written):
    page = tmp_path / "expenses.md"
    page.write_text(f"---\ntitle: Expenses\nupdated: {written}\n---\n# Expenses\nFile expenses within five days.\n")
    assert parse_document(page).updated == dt.date(2023, 2, 24)


def test_an_updated_value_that_is_no_date_still_names_the_file(tmp_path):
    page = tmp_path / "expenses.md"
    page.write_text("---\ntitle: Expenses\nupdated: sometime soon\n---\n# Expenses\nFile expenses within five days.\n")
    with pytest.raises(UnreadableDocument, match="expenses.md.*not a date"):
        parse_document(page)
