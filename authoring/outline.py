"""A course outline: learning objectives with measurable verbs, modules, the skills it teaches, and a short
assessment whose every answer is a quote from the source with its location. Plain data, stored as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Measurable verbs by level of Bloom's taxonomy (revised): an objective must start with one of them.
BLOOM_VERBS: dict[str, tuple[str, ...]] = {
    "remember": ("define", "list", "identify", "name", "recall", "state", "recognise", "recognize"),
    "understand": ("explain", "describe", "summarise", "summarize", "classify", "compare", "interpret"),
    "apply": ("apply", "use", "implement", "demonstrate", "carry out", "execute", "perform", "choose", "follow"),
    "analyse": ("analyse", "analyze", "distinguish", "examine", "differentiate", "assess", "prioritise", "prioritize"),
    "evaluate": ("evaluate", "judge", "justify", "select", "verify", "check", "review"),
    "create": ("create", "design", "plan", "develop", "produce", "write", "configure", "set up", "build"),
}
MEASURABLE = frozenset(v for verbs in BLOOM_VERBS.values() for v in verbs)


def measurable_verb(objective: str) -> str | None:
    """The objective's leading measurable verb, or None ("understand", "know" and "learn about" are not measurable)."""
    words = objective.strip().lower().split()
    for n in (2, 1):
        head = " ".join(words[:n])
        if head in MEASURABLE:
            return head
    return None


@dataclass
class Objective:
    text: str  # "Explain how multi-factor authentication protects an account"
    quote: str = ""  # the source sentence it rests on ("" once L&D rewrote it)
    location: str = ""


@dataclass
class Module:
    title: str
    summary: str = ""  # a quote from its section
    location: str = ""


@dataclass
class Question:
    prompt: str
    answer: str  # verbatim from the source
    location: str


@dataclass
class SkillTag:
    skill_id: int
    uri: str
    label: str
    score: float


@dataclass
class Outline:
    title: str
    objectives: list[Objective]
    modules: list[Module]
    skills: list[SkillTag]
    questions: list[Question]
    method: str  # extractive | llm
    notes: list[str] = field(default_factory=list)  # what the card must say: dropped statements, a fallback

    def as_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Outline":
        return cls(title=data["title"], objectives=[Objective(**o) for o in data.get("objectives", [])],
                   modules=[Module(**m) for m in data.get("modules", [])],
                   skills=[SkillTag(**s) for s in data.get("skills", [])],
                   questions=[Question(**q) for q in data.get("questions", [])],
                   method=data.get("method", "extractive"), notes=list(data.get("notes", [])))
