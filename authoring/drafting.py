"""One draft from one source: the LLM's outline when a model is configured and enough of it is grounded, otherwise
the extractive one; the skills it teaches from the skill extraction component either way."""

from __future__ import annotations

import logging

from authoring import extractive, llm_writer
from authoring.outline import Outline, SkillTag
from authoring.sources import Source
from skills_engine.extraction import SkillExtractor

log = logging.getLogger(__name__)

MAX_SKILLS = 8


def draft(source: Source, extractor: SkillExtractor | None, model: llm_writer.ChatModel | None = None) -> Outline:
    outline: Outline | None = None
    if model is not None:
        try:
            written, dropped = llm_writer.write(model, source)
        except llm_writer.WriterFailed as exc:
            log.warning("course outline by the LLM failed (%s); writing it extractively", exc)
            outline = extractive.outline(source)
            outline.notes.append("The language model could not write this draft, so it is built from the document's "
                                 "own sentences.")
        else:
            if llm_writer.usable(written):
                outline = written
                if dropped:
                    outline.notes.append(f"{dropped} statement{'s' if dropped != 1 else ''} the model wrote "
                                         f"{'were' if dropped != 1 else 'was'} not found in the document and "
                                         f"{'were' if dropped != 1 else 'was'} dropped.")
            else:
                outline = extractive.outline(source)
                outline.notes.append(f"Too little of what the model wrote was found in the document ({dropped} "
                                     "statements dropped), so this draft is built from the document's own sentences.")
    if outline is None:
        outline = extractive.outline(source)
    if extractor is not None:
        outline.skills = [SkillTag(s.skill_id, s.uri, s.label, s.score)
                          for s in extractor.extract(source.text, top_k=MAX_SKILLS)]
    return outline
