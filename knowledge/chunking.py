"""Heading-aware chunking: passages of ~120-250 words that never straddle two top-level sections.

Handbook sections are often short (20-80 words), and a 30-word passage retrieves badly and quotes
badly. So consecutive small sections under the same top-level heading are packed together (their
own headings kept as lines in the text, the chunk's section path being their common parent), while
a long section is cut into balanced, sentence-aligned parts.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from itertools import groupby

from knowledge.parsing import ParsedDocument, Section

MIN_WORDS = 120
MAX_WORDS = 250
# A top-level section shorter than this ("Contact: people-ops@...") is too thin to retrieve or
# quote on its own; it joins the previous chunk when that stays within MAX_WORDS.
TINY_WORDS = 40
PATH_SEPARATOR = " > "
SECTION_JOINER = "; "
HEADING_PREFIX = "## "  # marks a sub-heading line inside a packed chunk's text


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    source: str
    doc_title: str
    section: str  # "Parental leave > Paternity"; "" for a document's opening text
    ordinal: int  # position among this document's chunks with the same section path
    text: str
    audience: str
    topic: str | None = None
    contact: str | None = None
    updated: str | None = None  # ISO date

    @property
    def indexed_text(self) -> str:
        """What BM25 and the embedding model see: title and section help short passages match."""
        header = self.doc_title + (f" — {self.section}" if self.section else "")
        return f"{header}\n{self.text}"

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    def metadata(self) -> dict[str, str | int]:
        # Chroma metadata values cannot be None, so absent values are stored as "".
        return {
            "source": self.source,
            "doc_title": self.doc_title,
            "section": self.section,
            "ordinal": self.ordinal,
            "audience": self.audience,
            "topic": self.topic or "",
            "contact": self.contact or "",
            "updated": self.updated or "",
        }

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, meta: dict) -> "Chunk":
        return cls(
            chunk_id=chunk_id,
            source=str(meta.get("source", "")),
            doc_title=str(meta.get("doc_title", "")),
            section=str(meta.get("section", "")),
            ordinal=int(meta.get("ordinal", 0) or 0),
            text=text,
            audience=str(meta.get("audience", "everyone")),
            topic=str(meta.get("topic") or "") or None,
            contact=str(meta.get("contact") or "") or None,
            updated=str(meta.get("updated") or "") or None,
        )


def chunk_id_for(source: str, section: str, ordinal: int) -> str:
    """Stable across re-ingestion while a section keeps its place (so feedback stays attached)."""
    digest = hashlib.sha256(f"{source}\x1f{section}\x1f{ordinal}".encode()).hexdigest()
    return digest[:24]


# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences, with each line (bullet, table row, heading) at least its own unit."""
    units: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            units.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return units


def _words(text: str) -> int:
    return len(text.split())


def _split_long(units: list[str]) -> list[list[str]]:
    """Cut a list of sentences into balanced parts of at most MAX_WORDS each, sentence-aligned."""
    units = [piece for unit in units for piece in _split_oversized_sentence(unit)]
    total = sum(_words(u) for u in units)
    parts = max(1, math.ceil(total / MAX_WORDS))
    target = total / parts
    out: list[list[str]] = [[]]
    size = 0
    for unit in units:
        n = _words(unit)
        # Close the part when this sentence would overshoot: either past the target with enough
        # words already, or past the hard maximum.
        if out[-1] and (size + n > MAX_WORDS or (size >= target and len(out) < parts)):
            out.append([])
            size = 0
        out[-1].append(unit)
        size += n
    return out


def _split_oversized_sentence(unit: str) -> list[str]:
    words = unit.split()
    if len(words) <= MAX_WORDS:
        return [unit]
    return [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]


# --------------------------------------------------------------------------- chunking


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix: list[str] = []
    for parts in zip(*paths):
        if len(set(parts)) != 1:
            break
        prefix.append(parts[0])
    return tuple(prefix)


def _pieces(sections: list[Section]) -> list[tuple[tuple[str, ...], str]]:
    """(path, text) pieces no longer than MAX_WORDS: long sections are split, short ones kept."""
    pieces = []
    for section in sections:
        units = split_sentences(section.text)
        for part in _split_long(units) if _words(section.text) > MAX_WORDS else [units]:
            pieces.append((section.heading_path, "\n".join(part)))
    return pieces


def _render(group_path: tuple[str, ...], pieces: list[tuple[tuple[str, ...], str]]) -> str:
    """Text of packed pieces; a sub-heading is written once, where its text starts."""
    lines: list[str] = []
    shown: tuple[str, ...] = group_path
    for path, text in pieces:
        if path != shown:
            if len(path) > len(group_path):
                # Markdown-style so a reader (or the LLM) sees a heading, and quoting can skip it.
                lines.append(HEADING_PREFIX + " > ".join(path[len(group_path) :]))
            shown = path
        lines.append(text)
    return "\n".join(lines)


def chunk_document(doc: ParsedDocument) -> list[Chunk]:
    """All chunks of a document, in reading order, with stable ids."""
    sections = [s for s in doc.sections if s.text.strip()]
    if not sections:
        return []
    # Group below the deepest heading every section shares (usually the level-2 headings), so a
    # document whose H1 is not its title still splits by chapter.
    shared = len(_common_prefix([s.heading_path for s in sections])) if len(sections) > 1 else 0

    def group_key(section: Section) -> tuple[str, ...]:
        return section.heading_path[: shared + 1]

    packs: list[tuple[str, list[tuple[tuple[str, ...], str]]]] = []
    for _, group in groupby(sections, key=group_key):
        group_packs: list[list[tuple[tuple[str, ...], str]]] = [[]]
        size = 0
        for path, text in _pieces(list(group)):
            n = _words(text) + len(path)
            if group_packs[-1] and size + n > MAX_WORDS:
                group_packs.append([])
                size = 0
            group_packs[-1].append((path, text))
            size += n
        for pack in group_packs:
            path = _common_prefix([p for p, _ in pack])
            text = _render(path, pack)
            label = PATH_SEPARATOR.join(path)
            if packs and _words(text) < TINY_WORDS and _words(packs[-1][1]) + _words(text) <= MAX_WORDS:
                previous_label, previous_text = packs[-1]
                heading = f"{HEADING_PREFIX}{label}\n" if label else ""
                joined = SECTION_JOINER.join(x for x in (previous_label, label) if x)
                packs[-1] = (joined, f"{previous_text}\n{heading}{text}")
            else:
                packs.append((label, text))

    chunks: list[Chunk] = []
    ordinals: dict[str, int] = {}
    for label, text in packs:
        ordinal = ordinals.get(label, 0)
        ordinals[label] = ordinal + 1
        chunks.append(
            Chunk(
                chunk_id=chunk_id_for(doc.source, label, ordinal),
                source=doc.source,
                doc_title=doc.title,
                section=label,
                ordinal=ordinal,
                text=text,
                audience=doc.audience,
                topic=doc.topic,
                contact=doc.contact,
                updated=doc.updated.isoformat() if doc.updated else None,
            )
        )
    return chunks
