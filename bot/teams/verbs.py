"""Teams ``Action.Execute`` verbs: one string enum, one verb per Ladder action.

A button carries ``verb`` (what it does) and ``data = {"ref": ActionRef.encode()}`` (on what). The verb
is checked against the ref on the way back in, so a card can't be tampered into another action.
"""

from __future__ import annotations

import enum

from conversation import ActionKind


class TeamsVerb(str, enum.Enum):
    pick_role = "ladder.pickRole"
    show_path = "ladder.showPath"
    set_target = "ladder.setTarget"
    enrol = "ladder.enrol"
    show_projects = "ladder.showProjects"
    approve = "ladder.approve"
    reject = "ladder.reject"
    override = "ladder.override"
    challenge = "ladder.challenge"
    explain = "ladder.explain"
    validate_skill = "ladder.validateSkill"
    decline_skill = "ladder.declineSkill"
    accept_skill = "ladder.acceptSkill"
    feedback_up = "ladder.feedbackUp"
    feedback_down = "ladder.feedbackDown"

    @classmethod
    def for_kind(cls, kind: ActionKind) -> "TeamsVerb":
        return cls[kind.value]

    @property
    def kind(self) -> ActionKind:
        return ActionKind(self.name)
