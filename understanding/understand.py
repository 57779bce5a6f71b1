"""From a typed message to what it asks: an intent, how sure Ladder is, and the slots it found.

Three outcomes (``Understood.outcome``):

* ``act``: one intent is clearly the most likely — route to it;
* ``clarify``: two intents are close — ask one question with a button for each;
* ``fallback``: nothing is likely enough — the knowledge base if it has a grounded answer, else what Ladder can do.

The thresholds were chosen on the development set (``python app.py nlu sweep eval/nlu_dev.jsonl`` prints the
grid), never on the held-out set: among the settings that act on as many messages correctly, the one that still
asks or falls back when the best intent is not well ahead.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from skills_engine.labels import LabelIndex
from understanding import slots as slot_finding
from understanding.catalogue import Catalogue, IntentSpec
from understanding.classifier import IntentClassifier, Ranking, clean, normalise
from understanding.language import LanguageGuesser
from understanding.slots import Directory, Slots, SlotValue

log = logging.getLogger(__name__)

Outcome = Literal["act", "clarify", "fallback"]

HANDBOOK_INTENT = "policy_question"  # answered by the handbook search, which reads English only
ENGLISH_WORD_SHARE = 0.5  # at least this share of known words: English enough not to ask the language model
MAX_CLASSIFIED_CHARS = 600  # a 10,000-character paste is classified on its opening, which says what it is about


@dataclass(frozen=True)
class Thresholds:
    act: float = 0.25  # the best intent's probability needed to act on it (37 intents: chance is 0.03)
    margin: float = 0.10  # ... and its lead over the runner-up
    clarify: float = 0.20  # both of two close intents at least this likely: ask which


@dataclass
class Understood:
    intent: str  # a catalogue name, "admin_command" for `/ladder …`, or "unknown"
    outcome: Outcome
    confidence: float
    slots: Slots = field(default_factory=Slots)
    alternatives: tuple[str, ...] = ()  # the two intents to choose between, when clarifying
    # "wordless": emoji, punctuation or a lone number; "other_language": nothing likely enough, and not English
    source: Literal["classifier", "llm", "command", "empty", "wordless", "other_language"] = "classifier"
    text: str = ""  # what was typed, cleaned
    argument: str = ""  # the rest of a `/ladder …` command
    language: str = ""  # with source "other_language": the language's name ("Spanish", "another language")

    def slot_text(self, name: str) -> str:
        return self.slots.text(name)


def _none() -> None:
    return None


@dataclass(frozen=True)
class Vocabularies:
    """What slot values are resolved against, made per question by the caller. Each is asked for only when an
    intent takes a slot of its kind (the indexes themselves are shared; even checking they are current costs a read)."""

    roles: Callable[[], LabelIndex | None] = _none
    skills: Callable[[], LabelIndex | None] = _none
    directory: Callable[[], Directory] = Directory  # loaded only for intents that take a person or a course


_ADMIN = re.compile(r"^\s*/ladder(?:\s+(?P<arg>.*))?$", re.IGNORECASE | re.DOTALL)
_WORDLESS = re.compile(r"^[\W_\d]*$")


def has_words(text: str) -> bool:
    """Not only emoji, punctuation, numbers and mentions: something a person said."""
    return not _WORDLESS.match(clean(text))


class Understander:
    def __init__(self, catalogue: Catalogue, classifier: IntentClassifier, *, thresholds: Thresholds = Thresholds(),
                 proposer: "IntentProposer | None" = None, languages: LanguageGuesser | None = None) -> None:
        self.catalogue = catalogue
        self.classifier = classifier
        self.thresholds = thresholds
        self.proposer = proposer
        self.languages = languages or LanguageGuesser()
        self._carrier = {i.name: slot_finding.carrier_words(e.carrier() for e in i.examples) for i in catalogue.intents}

    def understand(self, text: str, vocabularies: Vocabularies) -> Understood:
        cleaned = clean(text)
        if not cleaned:
            return Understood("help", "act", 1.0, source="empty", text=cleaned)
        admin = _ADMIN.match(cleaned)
        if admin:  # the slash command's syntax, typed: `/ladder status`
            return Understood("admin_command", "act", 1.0, source="command", text=cleaned, argument=(admin.group("arg") or "").strip())
        if not has_words(cleaned):  # emoji, punctuation, a lone number: nothing to classify
            return Understood("unknown", "fallback", 0.0, source="wordless", text=cleaned)
        proposed = self.proposer.propose(cleaned) if self.proposer is not None else None
        if proposed is not None and proposed.intent in self.catalogue.names():
            return Understood(proposed.intent, "act", 1.0, self.find_slots(proposed.intent, cleaned, vocabularies,
                                                                           hints=proposed.slots), source="llm", text=cleaned)
        ranking = self.classifier.rank(cleaned[:MAX_CLASSIFIED_CHARS])
        understood = self.decide(ranking, cleaned[:slot_finding.MAX_TEXT], vocabularies)
        if (understood.outcome == "fallback" or understood.intent == HANDBOOK_INTENT) and \
                self.classifier.lexical.known_word_share(normalise(cleaned)) < ENGLISH_WORD_SHARE:
            # Nothing likely enough, or only the handbook search, and most words are ones no example uses: perhaps
            # because the message is not in English. (The cheap word check keeps the language model unloaded for
            # the everyday handbook question.)
            other = self.languages.other_language(cleaned[:MAX_CLASSIFIED_CHARS])
            if other is not None:
                return Understood("unknown", "fallback", understood.confidence, source="other_language", text=understood.text,
                                  language=other.name)
        return understood

    def outcome(self, ranking: Ranking) -> Outcome:
        (_best, p1), (_second, p2) = ranking.intents[0], ranking.runner_up
        t = self.thresholds
        if p1 >= t.act and p1 - p2 >= t.margin:
            return "act"
        if p1 >= t.clarify and p2 >= t.clarify:
            return "clarify"
        return "fallback"

    def decide(self, ranking: Ranking, text: str, vocabularies: Vocabularies) -> Understood:
        best, p1 = ranking.intents[0]
        second, _p2 = ranking.runner_up
        outcome = self.outcome(ranking)
        if outcome == "act":
            return Understood(best, "act", p1, self.find_slots(best, text, vocabularies), text=text)
        if outcome == "clarify":
            return Understood(best, "clarify", p1, alternatives=(best, second), text=text)
        return Understood("unknown", "fallback", p1, alternatives=(best,), text=text)

    def find_slots(self, intent: str, text: str, vocabularies: Vocabularies, *, hints: dict[str, str] | None = None) -> Slots:
        """Every slot the intent declares, looked for anywhere in ``text`` (an LLM's hints are resolved the same way)."""
        spec = self._spec(intent)
        found = Slots()
        if spec is None:
            return found
        carrier = self._carrier.get(intent, frozenset())
        directory: Directory | None = None
        taken = text  # what a role or skill may be read from: not the words a person, course or number was
        # People, courses and numbers first: "confirm Python for Maya" names a person, not the 3D software "Maya".
        for slot in sorted(spec.slots, key=lambda s: s.kind in ("role", "skill")):
            source = (hints or {}).get(slot.name) or (taken if slot.kind in ("role", "skill") else text)
            value: SlotValue | None = None
            if slot.kind in ("role", "skill"):
                index = vocabularies.roles() if slot.kind == "role" else vocabularies.skills()
                value = slot_finding.find_label(index, source, carrier, slot.name) if index is not None else None
            elif slot.kind in ("person", "course"):
                directory = directory or vocabularies.directory()
                value = (slot_finding.find_person(source, directory, carrier) if slot.kind == "person"
                         else slot_finding.find_course(source, directory))
            elif slot.kind == "level":
                value = slot_finding.find_level(source)
            elif slot.kind in ("proposal_id", "challenge_id"):
                value = slot_finding.find_number(source, slot.kind)
            elif slot.kind == "autonomy":
                value = slot_finding.find_autonomy(source)
            elif slot.kind in ("verb", "verdict", "action_type"):
                value = slot_finding.find_keyword(source, slot.kind)
            elif slot.kind == "reason":
                value = slot_finding.find_reason(text)
            elif slot.kind == "ordinal":
                value = slot_finding.find_ordinal(source)
            if value is not None:
                found.values[slot.name] = replace(value, name=slot.name)
                if slot.kind in ("person", "course") and value.status == "found" and value.text:
                    taken = re.sub(re.escape(value.text), " ", taken, flags=re.IGNORECASE)
        return found

    def _spec(self, intent: str) -> IntentSpec | None:
        try:
            return self.catalogue[intent]
        except KeyError:
            return None


@dataclass(frozen=True)
class Proposal:
    """What an LLM proposes: an intent of the catalogue and the slot values as it read them."""

    intent: str
    slots: dict[str, str]


class IntentProposer(Protocol):  # understanding.llm implements it
    def propose(self, text: str) -> Proposal | None: ...
