"""Slack's names for Ladder's interactive elements: one string enum per kind of id.

A button's ``action_id`` is ``<ActionId value>:<n>`` (Slack wants action ids unique within a block, and a
card may offer the same kind of action twice, e.g. two "Enrol me" buttons). The button's ``value`` is the
encoded ``ActionRef`` — the only thing that decides what a click does.
"""

from __future__ import annotations

import enum
import re

from conversation import ActionKind

PREFIX = "ladder."


class _SlackActionId(str, enum.Enum):
    @classmethod
    def for_kind(cls, kind: ActionKind) -> "ActionId":
        return cls.__members__.get(kind.value, cls.__members__["button"])

    def numbered(self, n: int) -> str:
        return f"{self.value}:{n}"

    @classmethod
    def parse(cls, action_id: str) -> "ActionId":
        return cls(action_id.split(":", 1)[0])


# One id per action kind (``ladder.<kind>``, derived so that no kind is forgotten), and two of Slack's own:
# ``button`` for a kind without an id of its own (the value still decides), ``overflow`` for the "more…" menu
# holding the buttons beyond the first few.
ActionId = _SlackActionId("ActionId", [(kind.value, PREFIX + kind.value) for kind in ActionKind]
                          + [("button", PREFIX + "button"), ("overflow", PREFIX + "overflow")], module=__name__)

# What Bolt listens to: every Ladder element, whatever its number.
ACTION_PATTERN = re.compile(r"^ladder\.[a-z_]+(?::\d+)?$")


class CallbackId(str, enum.Enum):
    form_modal = "ladder.form"


class BlockId(str, enum.Enum):
    field = "ladder.field"  # modal inputs: "ladder.field.<name>", the input's action_id is <name>
