"""What a typed message asks for, as the use cases see it: an ``Intent`` made from what ``understanding`` found.

The names are the intent catalogue's (``understanding/catalogue.yaml``); ``IntentKind`` lists them so that the
use cases can name them in code, and a test keeps the two the same.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from storage import UnitOfWork
from storage.models import Person
from understanding.slots import Directory, Slots
from understanding.understand import Understood, Vocabularies


class IntentKind(str, enum.Enum):
    career_path = "career_path"
    follow_up_role = "follow_up_role"  # "and for cloud engineer?" after a path or team answer
    closest_roles = "closest_roles"
    show_all = "show_all"  # the full list after a path answer
    claim_skill = "claim_skill"
    explain_skill = "explain_skill"
    my_skills = "my_skills"
    suggested_skills = "suggested_skills"
    request_validation = "request_validation"
    pending_validations = "pending_validations"
    validate_for = "validate_for"
    team_ready = "team_ready"
    team_gaps = "team_gaps"
    my_approvals = "my_approvals"
    decide_proposal = "decide_proposal"
    proposals_about_me = "proposals_about_me"
    explain_proposal = "explain_proposal"
    challenge_proposal = "challenge_proposal"
    open_challenges = "open_challenges"
    resolve_challenge = "resolve_challenge"
    enrol = "enrol"
    set_target = "set_target"
    stretch_projects = "stretch_projects"
    admin_status = "admin_status"
    agent_run = "agent_run"
    show_policy = "show_policy"
    set_policy = "set_policy"
    audit_log = "audit_log"
    bias_audit = "bias_audit"
    kb_list = "kb_list"
    seed_demo = "seed_demo"
    policy_question = "policy_question"
    help = "help"
    greeting = "greeting"
    whoami = "whoami"
    confirm = "confirm"  # "yes, do that": the suggestion Ladder just made
    pick_option = "pick_option"  # "the second one": a button of the last answer
    why_followup = "why_followup"  # "why?" after an answer
    export_my_data = "export_my_data"
    export_person_data = "export_person_data"
    erase_my_data = "erase_my_data"
    erase_person_data = "erase_person_data"
    retention_status = "retention_status"
    retention_run = "retention_run"
    my_inferences = "my_inferences"  # what Ladder inferred about me, against what it was given
    privacy_settings = "privacy_settings"
    opt_out_inference = "opt_out_inference"
    opt_in_inference = "opt_in_inference"
    opt_out_surfacing = "opt_out_surfacing"
    opt_in_surfacing = "opt_in_surfacing"
    post_opportunity = "post_opportunity"  # the marketplace: a brief in plain words becomes a draft
    my_opportunities = "my_opportunities"  # what I posted, with applicants and the shortlist
    close_opportunity = "close_opportunity"
    my_applications = "my_applications"
    digest_subscribe = "digest_subscribe"  # "send me a weekly digest"
    digest_unsubscribe = "digest_unsubscribe"  # "stop my digest"
    show_my_digest = "show_my_digest"
    show_team_digest = "show_team_digest"
    onboard_hire = "onboard_hire"  # HR / admins register a new hire in words
    maturity = "maturity"  # HR / admins: where the organisation sits on the maturity ladder
    dashboard = "dashboard"  # a one-time sign-in link to the web dashboard
    author_course = "author_course"  # L&D / HR / admins: a course outline drafted from a document, text or link
    extract_skills = "extract_skills"  # a person shares a project summary, CV or review excerpt: skills as suggestions
    forecast_gaps = "forecast_gaps"  # HR: the skills the organisation / a team will lack; managers: their team
    mandatory_courses = "mandatory_courses"  # the mandatory-course policy for new hires
    outcome_insights = "outcome_insights"  # HR and leaders: does learning relate to retention / performance?
    # not in the catalogue: the command syntax, and nothing understood
    admin_command = "admin_command"
    unknown = "unknown"


NOT_IN_CATALOGUE = frozenset({IntentKind.admin_command, IntentKind.unknown})


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    slots: Slots = field(default_factory=Slots)
    text: str = ""  # what was typed (cleaned)
    argument: str = ""  # the rest of a `/ladder …` command
    understood: Understood | None = None

    @property
    def role_text(self) -> str:
        """The role as the taxonomy knows it when found, else as typed (the use case then offers candidates)."""
        return _label_or_text(self.slots, "role")

    @property
    def skill_text(self) -> str:
        return _label_or_text(self.slots, "skill")

    @property
    def person_text(self) -> str:
        slot = self.slots.get("person")
        return (slot.value or slot.text) if slot is not None else ""

    @property
    def level(self) -> int | None:
        value = self.slots.value("level")
        return int(value) if value is not None else None

    def value(self, name: str) -> Any:
        return self.slots.value(name)

    @classmethod
    def of(cls, understood: Understood) -> "Intent":
        kind = IntentKind(understood.intent) if understood.outcome == "act" else IntentKind.unknown
        return cls(kind, understood.slots, understood.text, understood.argument, understood)


def _label_or_text(slots: Slots, name: str) -> str:
    slot = slots.get(name)
    if slot is None:
        return ""
    return str(slot.value) if slot.status == "found" and slot.value else slot.text


def vocabularies(indexes, uow: UnitOfWork, person: Person | None) -> Vocabularies:
    """What slots are resolved against for this person, the directory read only if an intent needs it."""
    taxonomy = uow.skills.taxonomy

    def directory() -> Directory:
        manager = uow.people.get(person.manager_id) if person is not None and person.manager_id else None
        return Directory(people=uow.people.directory(), courses=uow.skills.course_codes(),
                         manager_email=manager.email if manager is not None else None)

    return Vocabularies(roles=lambda: indexes.roles(taxonomy), skills=lambda: indexes.skills(taxonomy), directory=directory)
