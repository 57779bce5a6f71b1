"""The skills use cases as the router sees them: which intents and clicks they answer, and where each goes.

The use cases themselves live by concern: a person's own skills (``skill_claims``), manager validation
(``skill_validations``), the nearest roles (``closest_roles``) and the team views (``manager_views``).
"""

from __future__ import annotations

from conversation import ActionKind, Reply
from handlers import closest_roles, manager_views, skill_claims, skill_validations
from handlers.context import Ladder
from handlers.intents import Intent, IntentKind
from storage import UnitOfWork
from storage.models import EvidenceType, Person

INTENTS = frozenset({
    IntentKind.claim_skill, IntentKind.explain_skill, IntentKind.my_skills, IntentKind.suggested_skills,
    IntentKind.request_validation, IntentKind.pending_validations, IntentKind.validate_for, IntentKind.closest_roles,
    IntentKind.team_ready, IntentKind.team_gaps,
})
CLICKS = frozenset({ActionKind.validate_skill, ActionKind.decline_skill, ActionKind.accept_skill})


def handle(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """One entry point for the router: every skills intent."""
    kind = intent.kind
    if kind == IntentKind.claim_skill:
        return skill_claims.claim_skill(ladder, uow, person, intent.skill_text, intent.level)
    if kind == IntentKind.explain_skill:
        return skill_claims.explain_skill(ladder, uow, person, intent.skill_text)
    if kind == IntentKind.my_skills:
        return skill_claims.my_skills(ladder, uow, person)
    if kind == IntentKind.suggested_skills:
        return skill_claims.suggested_skills(ladder, uow, person)
    if kind == IntentKind.request_validation:
        return skill_validations.request_validation(ladder, uow, person, intent.skill_text, intent.level)
    if kind == IntentKind.pending_validations:
        return skill_validations.pending_validations(ladder, uow, person)
    if kind == IntentKind.validate_for:
        return skill_validations.validate_for(ladder, uow, person, intent.skill_text, intent.person_text, intent.level)
    if kind == IntentKind.closest_roles:
        return closest_roles.closest_roles(ladder, uow, person)
    if kind == IntentKind.team_ready:
        return manager_views.team_ready(ladder, uow, person, intent.role_text)
    if kind == IntentKind.team_gaps:
        return manager_views.team_gaps(ladder, uow, person, intent.role_text)
    return Reply(text="I can't do that with skills yet.")


def click(ladder: Ladder, uow: UnitOfWork, person: Person, kind: ActionKind, evidence_id: int) -> Reply:
    """Accept / decline an inferred skill, or confirm / decline a validation request (decline serves both)."""
    if kind == ActionKind.accept_skill:
        return skill_claims.decide_inferred(ladder, uow, person, evidence_id, accept=True)
    evidence = uow.skills.evidence(evidence_id)
    if evidence is not None and evidence.evidence_type == EvidenceType.inferred:
        return skill_claims.decide_inferred(ladder, uow, person, evidence_id, accept=False)
    return skill_validations.decide_validation(ladder, uow, person, evidence_id, confirm=kind == ActionKind.validate_skill)
