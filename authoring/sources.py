"""What a course is drafted from: a file, pasted text or a web page, read into text with locations.

Every reader returns a ``Source`` (segments, each with a location a quote can cite: a section path or a page) or
raises ``SourceProblem`` whose message is the plain-language reply a person reads. Files are parsed by the
knowledge base's reader (knowledge/parsing.py), so the handbook and authoring read documents the same way.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.parsing import NoTextLayer, ParsedDocument, UnreadableDocument, parse_document, parse_markdown_text

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".md", ".markdown", ".txt", ".html", ".htm")
AUDIO_SUFFIXES = (".mp3", ".m4a", ".wav", ".ogg", ".webm", ".mp4", ".mpeg", ".mpga")
_URL_TYPES = {"text/html": ".html", "application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx"}


class SourceProblem(Exception):
    """Why a course cannot be drafted from what was shared; ``str()`` is the reply, nothing was stored."""

    def __init__(self, message: str, kind: str) -> None:
        self.kind = kind  # empty | scanned | unsupported | too_large | unreadable | fetch | transcription
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Segment:
    location: str  # "Managing passwords", "Page 4": what a quote cites
    text: str


@dataclass(frozen=True)
class Source:
    title: str
    kind: str  # pdf | docx | markdown | text | html | pasted | web | voice
    name: str  # the file name, the URL, or "pasted text"
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.segments)

    @property
    def words(self) -> int:
        return sum(len(s.text.split()) for s in self.segments)


def supported() -> str:
    return ", ".join(s.lstrip(".").upper() for s in (".pdf", ".docx", ".md", ".txt", ".html")) + \
        " or a voice memo (MP3, M4A, WAV, OGG, WEBM)"


def _kind(suffix: str) -> str:
    return {".pdf": "pdf", ".docx": "docx", ".md": "markdown", ".markdown": "markdown", ".txt": "text",
            ".html": "html", ".htm": "html"}[suffix]


def _from_parsed(doc: ParsedDocument, kind: str, name: str, max_words: int) -> Source:
    segments = tuple(Segment(s.path_label or ("Introduction" if kind != "pdf" else "Page 1"), s.text)
                     for s in doc.sections if s.text.strip())
    source = Source(title=doc.title, kind=kind, name=name, segments=segments)
    if not segments or source.words < 20:
        raise SourceProblem(f"{name} has almost no text ({source.words} words) — there is nothing to build a course "
                            "from. Share the full document.", "empty")
    if source.words > max_words:
        raise SourceProblem(f"{name} is too long for one course: {source.words:,} words, and the limit is "
                            f"{max_words:,} (about {max_words // 500} pages). Split it into parts and share each.",
                            "too_large")
    return source


def from_file(path: Path | str, *, display_name: str | None = None, max_bytes: int, max_words: int) -> Source:
    path = Path(path)
    name = display_name or path.name
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise SourceProblem(f"I can't draft a course from a {suffix or 'file without an extension'} file. "
                            f"I can read {supported()}.", "unsupported")
    size = path.stat().st_size if path.exists() else 0
    if size > max_bytes:
        raise SourceProblem(f"{name} is too large: {size / 1e6:.1f} MB, and the limit is {max_bytes / 1e6:.0f} MB. "
                            "Split it into parts and share each.", "too_large")
    if size == 0:
        raise SourceProblem(f"{name} is empty — there is nothing to build a course from.", "empty")
    try:
        doc = parse_document(path)
    except NoTextLayer:
        raise SourceProblem(f"{name}: this PDF has no text layer — it looks scanned. Share the original document "
                            "(or a PDF exported from it) rather than a scan.", "scanned") from None
    except UnreadableDocument as exc:
        if "empty" in exc.reason or "no readable text" in exc.reason:
            raise SourceProblem(f"{name} is empty — there is nothing to build a course from.", "empty") from None
        raise SourceProblem(f"I couldn't read {name}: {exc.reason}.", "unreadable") from None
    return _from_parsed(doc, _kind(suffix), name, max_words)


def from_text(text: str, *, max_words: int, kind: str = "pasted", name: str = "pasted text") -> Source:
    try:
        doc = parse_markdown_text(text, name)
    except UnreadableDocument:
        raise SourceProblem("There is no text to build a course from — paste it after your request, share a file, "
                            "or give me a link.", "empty") from None
    return _from_parsed(doc, kind, name, max_words)


def from_url(url: str, *, max_bytes: int, max_words: int, timeout: float, transport=None) -> Source:
    """A web page (or a PDF / DOCX behind a link), fetched with a size cap and a timeout."""
    import httpx

    try:
        with httpx.Client(timeout=timeout, follow_redirects=True, transport=transport) as client, \
                client.stream("GET", url, headers={"User-Agent": "Ladder course authoring"}) as response:
            if response.status_code >= 400:
                raise SourceProblem(f"I couldn't fetch {url}: the site answered {response.status_code}.", "fetch")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            suffix = _URL_TYPES.get(content_type) or Path(httpx.URL(url).path).suffix.lower()
            if suffix not in DOCUMENT_SUFFIXES:
                raise SourceProblem(f"{url} is {content_type or 'an unknown type'}, which I can't draft a course from. "
                                    f"I can read {supported()}.", "unsupported")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise SourceProblem(f"{url} is too large: more than {max_bytes / 1e6:.0f} MB, the limit.", "too_large")
    except httpx.HTTPError as exc:
        raise SourceProblem(f"I couldn't fetch {url} ({exc.__class__.__name__}). Check the link, or share the "
                            "document as a file.", "fetch") from None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"page{suffix}"
        path.write_bytes(bytes(body))
        source = from_file(path, display_name=url, max_bytes=max_bytes, max_words=max_words)
    return Source(title=source.title if source.title != "Page" else url, kind="web", name=url, segments=source.segments)
