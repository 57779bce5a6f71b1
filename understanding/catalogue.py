"""The intent catalogue: every capability a person can reach in chat, as data (``catalogue.yaml``).

Each entry names the intent and the permission capability it uses, says in one line what it does, which slots
it needs and how people ask for it. Who may use it is not written here: it is the permission matrix's row for
that capability (``governance.permissions.MATRIX``), so there is one source of truth. Routing, ``help``, the channels' command lists, the classifier and the tests all read
this one file; adding a capability is adding an entry (and the use case it routes to).

Examples mark slot values inline, ``"how do I become a [DBA](role)?"``; ``Example.text`` is the plain text.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from governance.permissions import MATRIX, Capability, Role

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")

SlotKind = Literal["role", "skill", "level", "person", "proposal_id", "challenge_id", "course", "verb", "verdict",
                   "action_type", "autonomy", "reason", "ordinal"]

_MARK = re.compile(r"\[([^\]]+)\]\(([a-z_]+)\)")


class SlotSpec(BaseModel):
    name: str
    kind: SlotKind
    required: bool = False


class Example(BaseModel):
    marked: str  # as written in the catalogue, with [value](slot) marks

    @property
    def text(self) -> str:
        return _MARK.sub(lambda m: m.group(1), self.marked)

    @property
    def spans(self) -> list[tuple[str, str]]:
        """(slot name, value as typed) for every marked value."""
        return [(m.group(2), m.group(1)) for m in _MARK.finditer(self.marked)]

    def carrier(self) -> str:
        """The example without its slot values: the words that say *what* is asked, not *about what*."""
        return _MARK.sub(" ", self.marked)


class IntentSpec(BaseModel):
    name: str
    description: str
    capability: Capability | None  # None: conversation anyone in the directory may have (help, greetings)
    slots: list[SlotSpec] = Field(default_factory=list)
    help: str = ""
    listed: bool = True  # offered in help, the channels' command lists and "did you mean"
    examples: list[Example]

    @model_validator(mode="before")
    @classmethod
    def _examples_from_strings(cls, data: dict) -> dict:
        if isinstance(data, dict):
            if "who" in data:
                raise ValueError(f"intent {data.get('name')}: `who` comes from the permission matrix — name a `capability:` instead")
            data = dict(data)
            data["examples"] = [{"marked": e} if isinstance(e, str) else e for e in data.get("examples") or []]
        return data

    @model_validator(mode="after")
    def _marks_name_declared_slots(self) -> "IntentSpec":
        declared = {s.name for s in self.slots}
        for example in self.examples:
            for slot, _value in example.spans:
                if slot not in declared:
                    raise ValueError(f"intent {self.name}: example {example.marked!r} marks undeclared slot {slot!r}")
        return self

    def slot(self, name: str) -> SlotSpec | None:
        return next((s for s in self.slots if s.name == name), None)

    @property
    def who(self) -> list[Role]:
        """The roles that may use this intent on somebody: read from the permission matrix."""
        if self.capability is None:
            return list(Role)
        row = MATRIX.get(self.capability, {})
        return [role for role in Role if row.get(role)]

    def allowed(self, roles: frozenset[Role]) -> bool:
        """Whether someone holding ``roles`` may use this intent at all."""
        return any(role in roles for role in self.who)


class Catalogue(BaseModel):
    version: int
    intents: list[IntentSpec]

    @model_validator(mode="after")
    def _unique(self) -> "Catalogue":
        names = [i.name for i in self.intents]
        if len(set(names)) != len(names):
            raise ValueError("intent names must be unique")
        seen: dict[str, str] = {}
        for intent in self.intents:
            for example in intent.examples:
                key = example.text.strip().lower()
                if key in seen and seen[key] != intent.name:
                    raise ValueError(f"example {example.text!r} is given for both {seen[key]} and {intent.name}")
                seen[key] = intent.name
        return self

    def __getitem__(self, name: str) -> IntentSpec:
        for intent in self.intents:
            if intent.name == name:
                return intent
        raise KeyError(name)

    def names(self) -> list[str]:
        return [i.name for i in self.intents]

    def fingerprint(self) -> str:
        """Changes whenever an example or an intent changes: what cached example embeddings are keyed by."""
        digest = hashlib.sha256()
        for intent in self.intents:
            digest.update(intent.name.encode())
            for example in intent.examples:
                digest.update(b"\0" + example.text.encode())
        return digest.hexdigest()[:16]


def parse(text: str) -> Catalogue:
    return Catalogue.model_validate(yaml.safe_load(text))


def load(path: Path = CATALOGUE_FILE) -> Catalogue:
    """The catalogue, read and validated (the composition root reads it once and hands it on)."""
    return parse(path.read_text(encoding="utf-8"))
