"""The outline without an LLM: modules from the document's sections, objectives and assessment answers from its own
sentences (each kept verbatim, with its location), skills through the skill extraction component.

Nothing is written that the source does not say: an objective is a measurable verb put in front of the section it
rests on (its quote is kept beside it), a question blanks out a term of a source sentence and its answer is that
sentence, word for word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from authoring.outline import Module, Objective, Outline, Question
from authoring.sources import Source

MAX_MODULES = 8
MAX_QUESTIONS = 5
MIN_QUESTIONS = 3
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_NUMBER = re.compile(r"\b\d[\d,.]*\b(?:\s*(?:%|percent|days?|hours?|minutes?|months?|years?|characters?))?")
_STOP = frozenset("""a an the and or but if then of to in on for with by at from as is are was were be been being this
that these those it its they them their there here we you your our he she his her not no can could may might must
should will would shall do does did have has had so such than too very also into about over under more most other
any each all some which who whom what when where why how only own same just one two because while after before
nobody everyone someone anyone even unless until through""".split())
_RULE = re.compile(r"\b(must|should|never|always|required|do not|don't|need to|ensure)\b", re.I)
_DEFINITION = re.compile(r"^(?P<subject>[A-Z][^,;:]{2,60}?)\s+(?:is|are|means|refers to)\s+", re.U)


@dataclass(frozen=True, slots=True)
class _Sentence:
    text: str
    location: str
    module: int


def split_sentences(text: str) -> list[str]:
    out = []
    for part in _SENTENCE.split(text):
        part = part.strip()
        if part.startswith(("- ", "• ", "* ")):
            part = part[2:].strip()
        if part:
            out.append(part)
    return out


def _modules(source: Source) -> list[tuple[str, list[tuple[str, str]]]]:
    """(title, [(location, text)]): sections grouped by their top heading; pages grouped into at most 8 parts."""
    if source.kind in ("pdf",) or all(s.location.startswith("Page ") for s in source.segments):
        pages = list(source.segments)
        size = max(1, -(-len(pages) // MAX_MODULES))
        groups = [pages[i:i + size] for i in range(0, len(pages), size)]
        return [(_page_title(g), [(s.location, s.text) for s in g]) for g in groups]
    grouped: dict[str, list[tuple[str, str]]] = {}
    for s in source.segments:
        grouped.setdefault(s.location.split(" > ")[0], []).append((s.location, s.text))
    items = list(grouped.items())
    if len(items) > MAX_MODULES:  # fold the tail into the last module rather than drop it
        head, tail = items[:MAX_MODULES - 1], items[MAX_MODULES - 1:]
        items = head + [(tail[0][0], [p for _t, parts in tail for p in parts])]
    return items


def _page_title(group) -> str:
    first, last = group[0].location.removeprefix("Page "), group[-1].location.removeprefix("Page ")
    return f"Pages {first}–{last}" if first != last else f"Page {first}"


def _content_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2]


def _score(sentence: str, weights: Counter) -> float:
    words = _content_words(sentence)
    n = len(sentence.split())
    if not words or n < 6 or n > 45:
        return 0.0
    base = sum(weights[w] for w in set(words)) / (len(set(words)) ** 0.5)
    cue = 1.3 if _RULE.search(sentence) or _NUMBER.search(sentence) or _DEFINITION.match(sentence) else 1.0
    return base * cue


def _objective(topic: str, sentence: str) -> str:
    topic = topic.strip().rstrip(".:")
    topic_l = topic[:1].lower() + topic[1:] if not topic[:2].isupper() else topic
    definition = _DEFINITION.match(sentence)
    if definition and len(definition.group("subject").split()) <= 6 \
            and definition.group("subject").split()[0].lower() not in _STOP:
        subject = definition.group("subject")
        subject = subject[:1].lower() + subject[1:] if not subject[:2].isupper() else subject
        return f"Explain what {subject} {'are' if ' are ' in sentence[:len(subject) + 6] else 'is'}"
    if _RULE.search(sentence):
        return f"Apply the rules on {topic_l} in everyday work"
    if _NUMBER.search(sentence):
        return f"State the figures and limits set out for {topic_l}"
    return f"Describe the main points of {topic_l}"


def _cloze(sentence: str, weights: Counter) -> str:
    number = _NUMBER.search(sentence)
    if number:
        return sentence[:number.start()] + "_____" + sentence[number.end():]
    words = [m for m in _WORD.finditer(sentence) if m.group().lower() not in _STOP and len(m.group()) > 3][1:] \
        or list(_WORD.finditer(sentence))
    key = max(words, key=lambda m: weights[m.group().lower()])
    return sentence[:key.start()] + "_____" + sentence[key.end():]


def outline(source: Source) -> Outline:
    """Objectives, modules and questions from the source alone (skills are added by ``drafting``)."""
    weights = Counter(_content_words(source.text))
    modules: list[Module] = []
    objectives: list[Objective] = []
    candidates: list[tuple[float, _Sentence]] = []
    for number, (title, parts) in enumerate(_modules(source)):
        sentences = [_Sentence(t, loc, number) for loc, text in parts for t in split_sentences(text)]
        scored = sorted(((round(_score(s.text, weights), 6), i, s) for i, s in enumerate(sentences)), key=lambda x: (-x[0], x[1]))
        scored = [(sc, s) for sc, _i, s in scored if sc > 0]
        if not scored:
            continue
        best = scored[0][1]
        topic = source.title if title in ("Introduction", "") or title.startswith("Page") else title
        modules.append(Module(title=title, summary=best.text, location=best.location))
        objectives.append(Objective(text=_objective(topic, best.text), quote=best.text, location=best.location))
        candidates += scored[:4]
    questions = _questions(candidates, weights)
    return Outline(title=source.title, objectives=objectives[:6], modules=modules, skills=[], questions=questions,
                   method="extractive")


def _questions(candidates: list[tuple[float, _Sentence]], weights: Counter) -> list[Question]:
    """3–5 questions from different modules where it can, rules, figures and definitions first."""
    ranked = sorted(candidates, key=lambda c: (-(bool(_RULE.search(c[1].text) or _NUMBER.search(c[1].text)
                                                        or _DEFINITION.match(c[1].text))), -c[0]))
    chosen: list[_Sentence] = []
    used_modules: set[int] = set()
    for _score_, s in ranked:  # one per module first
        if s.module not in used_modules and len(chosen) < MAX_QUESTIONS:
            chosen.append(s)
            used_modules.add(s.module)
    for _score_, s in ranked:  # then fill up to the minimum
        if len(chosen) >= MIN_QUESTIONS:
            break
        if s not in chosen:
            chosen.append(s)
    return [Question(prompt=f"{s.location}: fill in the blank — “{_cloze(s.text, weights)}”", answer=s.text,
                     location=s.location) for s in chosen]
