"""How much autonomy the agent has, per action type: ``auto`` | ``approve`` | ``off``.

Actions that bear on mobility or advancement (readiness nudges, stretch assignments) always need a
person: they can never be set to ``auto``. Any failure while reading the policy means ``approve``
(governance fails closed: a person decides).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging

from approvals.actions import LABELS, ActionType, parse_type
from storage import UnitOfWork
from storage.models import PolicySetting

log = logging.getLogger(__name__)


class Autonomy(str, enum.Enum):
    auto = "auto"
    approve = "approve"
    off = "off"


DEFAULTS: dict[ActionType, Autonomy] = {
    ActionType.enrol_course: Autonomy.approve,
    ActionType.schedule_checkin: Autonomy.auto,
    ActionType.readiness_nudge: Autonomy.approve,
    ActionType.adjust_path: Autonomy.approve,
    ActionType.stretch_assignment: Autonomy.approve,
    ActionType.manager_reminder: Autonomy.auto,  # a reminder of what already waits for them; decides nothing
    ActionType.erase_person: Autonomy.approve,
    ActionType.staff_opportunity: Autonomy.approve,
    ActionType.onboarding_plan: Autonomy.approve,  # a manager confirms their new hire's first 90 days
    ActionType.course_cohort: Autonomy.approve,  # HR or L&D decide a cohort a forecast gap suggests
}
# Consequential for a person's mobility or advancement: a human always decides.
LOCKED: frozenset[ActionType] = frozenset({ActionType.readiness_nudge, ActionType.stretch_assignment, ActionType.erase_person,
                                           ActionType.staff_opportunity})
# A plan a manager owns: it can be switched off, but never made automatic (the manager confirms it).
MANAGER_CONFIRMS: frozenset[ActionType] = frozenset({ActionType.onboarding_plan})
# Several people's time and a course budget at once: HR or L&D decide it; it can be switched off, never made automatic.
HR_DECIDES: frozenset[ActionType] = frozenset({ActionType.course_cohort})
# Neither automatic nor switched off: a person's legal right, decided by HR every time; and the hours a person gives a
# marketplace opportunity, which their manager approves every time.
ALWAYS_APPROVE: frozenset[ActionType] = frozenset({ActionType.erase_person, ActionType.staff_opportunity})

MEANING = {
    Autonomy.auto: "Ladder acts, then tells the manager",
    Autonomy.approve: "a card goes to the approver; nothing happens until they decide",
    Autonomy.off: "Ladder never proposes it",
}


class PolicyError(ValueError):
    """A policy change that is not allowed; the message is for the person who asked."""


def current(uow: UnitOfWork) -> dict[ActionType, Autonomy]:
    levels = dict(DEFAULTS)
    try:
        for action_type, autonomy in uow.proposals.policy_levels():
            try:
                kind, level = ActionType(action_type), Autonomy(autonomy)
            except ValueError:
                continue
            never_auto = kind in LOCKED or kind in MANAGER_CONFIRMS or kind in HR_DECIDES
            levels[kind] = Autonomy.approve if (never_auto and level == Autonomy.auto) or kind in ALWAYS_APPROVE else level
    except Exception:  # noqa: BLE001 - governance fails closed
        log.exception("policy unreadable; every action needs approval")
        return {k: (Autonomy.approve if v == Autonomy.auto else v) for k, v in DEFAULTS.items()}
    return levels


def autonomy_for(uow: UnitOfWork, action_type: ActionType | str) -> Autonomy:
    return current(uow)[ActionType(action_type)]


def set_level(uow: UnitOfWork, action_type: str, level: str, *, actor_id: int | None, now: dt.datetime) -> tuple[ActionType, Autonomy, Autonomy]:
    """Change one action type's autonomy (audited). Returns (type, old, new); raises PolicyError."""
    kind = _parse_type(action_type)
    try:
        new = Autonomy(level.strip().lower())
    except ValueError:
        raise PolicyError(f"“{level}” is not a policy level. Use auto, approve or off.") from None
    if kind in ALWAYS_APPROVE and new != Autonomy.approve:
        raise PolicyError(
            f"{kind.value} can only be approve: erasing a person's data can't be undone, so HR decides every "
            "request — it is never automatic and can't be switched off (it is the person's legal right)."
        )
    if kind in LOCKED and new == Autonomy.auto:
        raise PolicyError(
            f"{kind.value} can't be set to auto: {LABELS[kind]}s bear on a person's mobility or advancement, "
            "so a person must always approve them. Use approve or off."
        )
    if kind in MANAGER_CONFIRMS and new == Autonomy.auto:
        raise PolicyError(f"{kind.value} can't be set to auto: a new hire's manager confirms their {LABELS[kind]}. "
                          "Use approve or off.")
    if kind in HR_DECIDES and new == Autonomy.auto:
        raise PolicyError(f"{kind.value} can't be set to auto: a {LABELS[kind]} enrols several people at once, so HR or "
                          "L&D decide every one. Use approve or off.")
    old = autonomy_for(uow, kind)
    row = uow.proposals.policy_setting(kind.value)
    if row is None:
        uow.add(PolicySetting(action_type=kind.value, autonomy=new.value, updated_by=actor_id, updated_at=now))
    else:
        row.autonomy, row.updated_by, row.updated_at = new.value, actor_id, now
    uow.audit.record(action="policy.changed", actor_id=actor_id, object_type="policy", object_id=kind.value,
           detail={"action_type": kind.value, "from": old.value, "to": new.value}, at=now)
    return kind, old, new


def _parse_type(value: str) -> ActionType:
    kind = parse_type(value)
    if kind is None:
        raise PolicyError(f"“{value}” is not an action type. Types: " + ", ".join(t.value for t in ActionType) + ".")
    return kind


def note(kind: ActionType, level: Autonomy) -> str:
    """The footer every card carries: why a person sees (or saw) this."""
    label = LABELS[kind]
    if level == Autonomy.auto:
        return f"Done automatically because the policy for {label}s is auto (Ladder acts, then tells the manager)."
    if kind in ALWAYS_APPROVE:
        return ("Needs HR's approval because erasing a person's data can't be undone: "
                "the policy requires a person to decide every request, always.")
    if kind in MANAGER_CONFIRMS:
        return f"Needs your confirmation because you are the new hire's manager: a {label} is never automatic."
    if kind in HR_DECIDES:
        return (f"Needs HR's or L&D's approval because a {label} enrols several people at once: the policy never makes "
                "it automatic (HR admins can switch it off with /ladder policy).")
    if kind in LOCKED:
        return (f"Needs your approval because {label}s bear on mobility or advancement: "
                "the policy requires a person to decide, always.")
    return f"Needs your approval because the policy for {label}s is approve (set by HR admins with /ladder policy)."
