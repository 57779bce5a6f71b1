"""Read handbook files (Markdown, HTML, PDF, DOCX, plain text) into one typed document shape.

Every reader returns a ``ParsedDocument`` made of sections (heading path + text). Anything that
cannot be read raises ``UnreadableDocument`` naming the file and the reason, so ingestion can
report it and carry on with the other files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

AUDIENCES = ("everyone", "managers", "hr")
# Folder names that restrict a document when its front matter says nothing. The most restrictive
# match wins (an hr folder inside a managers folder is hr).
_FOLDER_AUDIENCE = {"managers": "managers", "hr": "hr"}
_AUDIENCE_ALIASES = {"all": "everyone", "employees": "everyone", "manager": "managers", "people-ops": "hr"}

MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = MARKDOWN_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx", ".txt"}


class UnreadableDocument(Exception):
    """A file that cannot be ingested; ``str()`` reads "<file>: <reason>"."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NoTextLayer(UnreadableDocument):
    """A PDF whose pages carry no text (a scan): OCR is out of scope, so the reply says so plainly."""


@dataclass(frozen=True)
class Section:
    heading_path: tuple[str, ...]  # ("Parental leave", "Paternity"); empty for text before any heading
    text: str

    @property
    def path_label(self) -> str:
        return " > ".join(self.heading_path)


@dataclass
class ParsedDocument:
    source: str
    title: str
    audience: str = "everyone"
    topic: str | None = None
    contact: str | None = None
    updated: dt.date | None = None
    sections: list[Section] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return sum(len(s.text.split()) for s in self.sections)


def parse_document(path: Path | str) -> ParsedDocument:
    """Parse one file by its extension; raises ``UnreadableDocument``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableDocument(path, f"unsupported file type {suffix or '(no extension)'!r}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot read file ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise UnreadableDocument(path, "file is empty")

    if suffix in MARKDOWN_SUFFIXES:
        doc = _parse_markdown(path, _decode(raw))
    elif suffix in HTML_SUFFIXES:
        doc = _parse_html(path, _decode(raw))
    elif suffix == ".pdf":
        doc = _parse_pdf(path, raw)
    elif suffix == ".docx":
        doc = _parse_docx(path, raw)
    else:
        doc = _parse_text(path, _decode(raw))

    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise UnreadableDocument(path, "no readable text in the file")
    return doc


# --------------------------------------------------------------------------- shared helpers


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old exports from Word or Confluence are often cp1252; better a few odd characters than
        # refusing the whole policy.
        return raw.decode("cp1252", errors="replace")


def _title_from_filename(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


def _folder_audience(path: Path) -> str:
    audience = "everyone"
    for part in path.parent.parts:
        mapped = _FOLDER_AUDIENCE.get(part.lower())
        if mapped and AUDIENCES.index(mapped) > AUDIENCES.index(audience):
            audience = mapped
    return audience


def _audience(path: Path, declared: object) -> str:
    if declared is None or str(declared).strip() == "":
        return _folder_audience(path)
    value = str(declared).strip().lower()
    value = _AUDIENCE_ALIASES.get(value, value)
    if value not in AUDIENCES:
        # Fail closed: an audience we do not understand must not become "everyone".
        raise UnreadableDocument(path, f"unknown audience {declared!r} (expected one of {', '.join(AUDIENCES)})")
    return value


def _date(path: Path, value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    # Handbooks written by people say "February 24, 2023" or "24 February 2023" just as often.
    cleaned = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text.replace(",", " "))
    cleaned = " ".join(cleaned.split())
    for pattern in ("%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise UnreadableDocument(path, f"'updated' is not a date: {value!r}")


def _clean(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _apply_metadata(doc: ParsedDocument, path: Path, meta: dict) -> None:
    doc.audience = _audience(path, meta.get("audience"))
    doc.topic = str(meta["topic"]).strip() if meta.get("topic") else None
    doc.contact = str(meta["contact"]).strip() if meta.get("contact") else None
    doc.updated = _date(path, meta.get("updated") or meta.get("updated_on"))


class _SectionBuilder:
    """Collects text under the current heading path as headings of levels 1..n arrive."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self._path: list[str] = []
        self._buffer: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self._flush()
        level = max(1, level)
        self._path = self._path[: level - 1] + [""] * max(0, level - 1 - len(self._path)) + [text.strip()]

    def text(self, line: str) -> None:
        self._buffer.append(line)

    def _flush(self) -> None:
        body = _clean("\n".join(self._buffer))
        if body:
            self.sections.append(Section(tuple(p for p in self._path if p), body))
        self._buffer = []

    def finish(self) -> list[Section]:
        self._flush()
        return self.sections


def _drop_title_heading(sections: list[Section], title: str) -> list[Section]:
    """An H1 that repeats the document title adds nothing to a citation's section path."""
    wanted = title.strip().lower()
    out = []
    for s in sections:
        if s.heading_path and s.heading_path[0].strip().lower() == wanted:
            s = Section(s.heading_path[1:], s.text)
        out.append(s)
    return out


# --------------------------------------------------------------------------- Markdown and text

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")


def _split_front_matter(path: Path, text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise UnreadableDocument(path, f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise UnreadableDocument(path, "front matter is not a key: value mapping")
    return meta, text[match.end() :]


def _markdown_inline(line: str) -> str:
    line = _MD_LINK.sub(lambda m: m.group(1) if m.group(1) else m.group(2), line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
    line = re.sub(r"`([^`]*)`", r"\1", line)
    line = re.sub(r"^\s*>\s?", "", line)  # block quotes
    line = re.sub(r"^\s*([*+])\s+", "- ", line)  # one bullet style
    return line


def _parse_markdown(path: Path, text: str) -> ParsedDocument:
    meta, body = _split_front_matter(path, text)
    body = _TEMPLATE_TAG.sub("", body)
    builder = _SectionBuilder()
    first_h1: str | None = None
    in_fence = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        heading = None if in_fence else _MD_HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), _markdown_inline(heading.group(2)).strip()
            if level == 1 and first_h1 is None:
                first_h1 = title
            builder.heading(min(level, 3), title)  # h4+ stay inside their h3 (too fine to cite)
        elif not re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line):  # horizontal rules
            builder.text(line if in_fence else _markdown_inline(line))
    title = str(meta.get("title") or first_h1 or _title_from_filename(path)).strip()
    doc = ParsedDocument(source=str(path), title=title)
    _apply_metadata(doc, path, meta)
    doc.sections = _drop_title_heading(builder.finish(), title)
    return doc


def _parse_text(path: Path, text: str) -> ParsedDocument:
    meta, body = _split_front_matter(path, text)
    doc = ParsedDocument(source=str(path), title=str(meta.get("title") or _title_from_filename(path)))
    _apply_metadata(doc, path, meta)
    doc.sections = [Section((), _clean(body))]
    return doc


# --------------------------------------------------------------------------- HTML

_HTML_BLOCKS = (
    "p", "div", "li", "ul", "ol", "br", "tr", "table", "section", "article", "pre", "blockquote",
    "dd", "dt", "dl", "h4", "h5", "h6", "header", "footer", "main", "aside", "figure", "figcaption",
)  # fmt: skip
_HEADING_MARK = "\x00H"


def _parse_html(path: Path, text: str) -> ParsedDocument:
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(text, "html.parser")
    meta = {
        str(tag.get("name", "")).lower(): tag.get("content")
        for tag in soup.find_all("meta")
        if tag.get("name") and tag.get("content")
    }
    for tag in soup(["script", "style", "noscript", "template", "nav"]):
        tag.decompose()
    title_tag = soup.find("title")
    h1 = soup.find("h1")
    title = (title_tag.get_text(" ", strip=True) if title_tag else "") or (h1.get_text(" ", strip=True) if h1 else "")
    if title_tag:
        title_tag.decompose()
    # Headings become marker lines and block elements end with a newline, so one get_text() keeps
    # the reading order while inline markup (<b>, <a>) stays on its line.
    for level in (1, 2, 3):
        for tag in soup.find_all(f"h{level}"):
            tag.replace_with(NavigableString(f"\n{_HEADING_MARK}{level} {tag.get_text(' ', strip=True)}\n"))
    for tag in soup.find_all(_HTML_BLOCKS):
        tag.insert_after(NavigableString("\n"))
        if tag.name == "li":
            tag.insert_before(NavigableString("\n- "))
    builder = _SectionBuilder()
    for line in soup.get_text().splitlines():
        if line.startswith(_HEADING_MARK):
            builder.heading(int(line[len(_HEADING_MARK)]), line[len(_HEADING_MARK) + 2 :])
        else:
            builder.text(line)
    title = title or _title_from_filename(path)
    doc = ParsedDocument(source=str(path), title=title)
    _apply_metadata(doc, path, meta)
    doc.sections = _drop_title_heading(builder.finish(), title)
    return doc


# --------------------------------------------------------------------------- PDF and DOCX


def _parse_pdf(path: Path, raw: bytes) -> ParsedDocument:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument(path, "PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages]
        info_title = (reader.metadata.title if reader.metadata else None) or ""
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(path, f"corrupt or unreadable PDF ({exc.__class__.__name__}: {exc})") from exc
    if not any(p.strip() for p in pages):
        raise NoTextLayer(path, "PDF has no extractable text (scanned image?)")
    # PDFs carry no reliable heading structure; a page is the most useful thing to cite.
    sections = [Section((f"Page {n}",), _clean(text)) for n, text in enumerate(pages, 1) if text.strip()]
    if len(sections) == 1:
        sections = [Section((), sections[0].text)]
    doc = ParsedDocument(source=str(path), title=str(info_title).strip() or _title_from_filename(path))
    doc.audience = _folder_audience(path)
    doc.sections = sections
    return doc


def _parse_docx(path: Path, raw: bytes) -> ParsedDocument:
    import io
    import zipfile

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(path, f"corrupt or unreadable DOCX ({exc.__class__.__name__}: {exc})") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise UnreadableDocument(path, f"corrupt or unreadable DOCX ({exc.__class__.__name__}: {exc})") from exc

    builder = _SectionBuilder()
    title = (document.core_properties.title or "").strip()
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(block, document)
            style = (para.style.name if para.style is not None else "") or ""
            text = para.text.strip()
            if not text:
                continue
            heading = re.match(r"Heading (\d)", style)
            if style == "Title":
                title = title or text
            elif heading:
                builder.heading(min(int(heading.group(1)), 3), text)
            else:
                bullet = "- " if "List" in style else ""
                builder.text(bullet + text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                builder.text(" | ".join(dict.fromkeys(cells)))  # merged cells repeat their text
    title = title or _title_from_filename(path)
    doc = ParsedDocument(source=str(path), title=title)
    doc.audience = _folder_audience(path)
    doc.sections = _drop_title_heading(builder.finish(), title)
    return doc


def parse_markdown_text(text: str, name: str = "pasted text") -> ParsedDocument:
    """Text pasted into a chat, read as Markdown (headings become sections); raises ``UnreadableDocument``."""
    if not text.strip():
        raise UnreadableDocument(name, "no readable text")
    doc = _parse_markdown(Path(name), text)
    doc.sections = [s for s in doc.sections if s.text.strip()]
    if not doc.sections:
        raise UnreadableDocument(name, "no readable text")
    return doc
