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


class ActionId(str, enum.Enum):
    pick_role = "ladder.pick_role"
    show_path = "ladder.show_path"
    set_target = "ladder.set_target"
    enrol = "ladder.enrol"
    show_projects = "ladder.show_projects"
    approve = "ladder.approve"
    reject = "ladder.reject"
    override = "ladder.override"
    challenge = "ladder.challenge"
    explain = "ladder.explain"
    validate_skill = "ladder.validate_skill"
    decline_skill = "ladder.decline_skill"
    accept_skill = "ladder.accept_skill"
    feedback_up = "ladder.feedback_up"
    feedback_down = "ladder.feedback_down"
    button = "ladder.button"  # an action kind added later without its own id here (the value still decides)
    overflow = "ladder.overflow"  # "more…" menu holding the buttons beyond the first few

    @classmethod
    def for_kind(cls, kind: ActionKind) -> "ActionId":
        return cls.__members__.get(kind.value, cls.button)

    def numbered(self, n: int) -> str:
        return f"{self.value}:{n}"

    @classmethod
    def parse(cls, action_id: str) -> "ActionId":
        return cls(action_id.split(":", 1)[0])


# What Bolt listens to: every Ladder element, whatever its number.
ACTION_PATTERN = re.compile(r"^ladder\.[a-z_]+(?::\d+)?$")

# Action kinds that ask for input (a reason, a change) in a modal before they reach the router.
NEEDS_REASON = frozenset({ActionKind.reject, ActionKind.override, ActionKind.challenge})
# Of those, the ones whose use case describes its own form (Reply.data["form"]) when clicked without input.
ASKS_FOR_FORM = frozenset({ActionKind.override, ActionKind.challenge})


class CallbackId(str, enum.Enum):
    reason_modal = "ladder.reason"


class BlockId(str, enum.Enum):
    field = "ladder.field"  # modal inputs: "ladder.field.<name>", the input's action_id is <name>

