"""Teams ``Action.Execute`` verbs: one string enum, one verb per Ladder action.

A button carries ``verb`` (what it does) and ``data = {"ref": ActionRef.encode()}`` (on what). The verb
is checked against the ref on the way back in, so a card can't be tampered into another action.
"""

from __future__ import annotations

import enum

from conversation import ActionKind

PREFIX = "ladder."


class _Verb(str, enum.Enum):
    @classmethod
    def for_kind(cls, kind: ActionKind) -> "TeamsVerb":
        return cls[kind.value]

    @property
    def kind(self) -> ActionKind:
        return ActionKind(self.name)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


# ``ladder.<kindInCamelCase>`` (``pick_role`` → ``ladder.pickRole``), derived so that no kind is forgotten.
TeamsVerb = _Verb("TeamsVerb", [(kind.value, PREFIX + _camel(kind.value)) for kind in ActionKind], module=__name__)
