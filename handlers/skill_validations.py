"""Use cases: manager validation of skills — a person asks their manager, the manager confirms or declines
(by card or "pending validations"), or validates a report's skill directly.

A manager's validation is verifying evidence. Only whoever the permission matrix allows (``validate_skill``:
someone above the person in their reporting line, or HR) may give it, and the list of pending requests is read
through that capability's scope (fails closed). Every click can arrive twice: a request no longer pending changes nothing.
"""

from __future__ import annotations

import datetime as dt

from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from governance.permissions import Capability, Permission
from handlers.access import allowed, scope
from handlers.context import Ladder
from handlers.skills_common import DEFAULT_CLAIM_LEVEL, date_text, level_text, resolve_skill, skill_json
from skills_engine import proficiency
from storage import UnitOfWork
from storage.models import EvidenceStatus, EvidenceType, Person, Skill, SkillEvidence

MAX_LISTED = 12


def validation_card(uow: UnitOfWork, evidence: SkillEvidence, subject: Person, skill: Skill, now: dt.datetime) -> Card:
    items = proficiency.evidence_items(uow.skills.evidence_for(subject.id))
    prof = proficiency.assess(skill.id, [i for i in items if i.skill_id == skill.id], now) if items else None
    current = "no other evidence"
    if prof and prof.evidence:
        current = (f"level {prof.level}, " + ("verified" if prof.verified else "not verified") +
                   f" ({len(prof.evidence)} piece(s) of evidence)")
    return Card(
        title=f"Validate {skill.label} for {subject.name}?",
        body=f"{subject.name} asks you to confirm they can apply {skill.label} at {level_text(evidence.level)}.",
        facts=[Fact(title="Requested level", value=level_text(evidence.level)), Fact(title="Current evidence", value=current),
               Fact(title="Asked on", value=date_text(evidence.observed_at))],
        buttons=[Button(label="Confirm", ref=ActionRef(kind=ActionKind.validate_skill, target=str(evidence.id)).encode(), style="primary"),
                 Button(label="Decline", ref=ActionRef(kind=ActionKind.decline_skill, target=str(evidence.id)).encode(), style="danger")],
        footer="Your confirmation is recorded as manager-validation evidence, which verifies the skill.",
    )


def _pending_request(uow: UnitOfWork, person_id: int, skill_id: int) -> list[SkillEvidence]:
    return uow.skills.evidence_history(person_id, skill_id, kind=EvidenceType.manager_validation,
                                       status=EvidenceStatus.pending)


def _current_level(uow: UnitOfWork, person_id: int, skill_id: int, now: dt.datetime) -> int:
    """The level to validate when none was named: the person's current estimate, else the usual claim level."""
    profile = proficiency.person_profile(uow.skills, person_id, now)
    return profile[skill_id].level if skill_id in profile else DEFAULT_CLAIM_LEVEL


def _add_validation(uow: UnitOfWork, person_id: int, skill_id: int, level: int, manager_id: int, now: dt.datetime, *,
                    source: str, status: EvidenceStatus) -> SkillEvidence:
    evidence = SkillEvidence(person_id=person_id, skill_id=skill_id, evidence_type=EvidenceType.manager_validation,
                             level=level, source=source, observed_at=now, verifier_id=manager_id, status=status)
    uow.add(evidence)
    uow.flush()  # its id goes into the audit entry and the card
    return evidence


def request_validation(ladder: Ladder, uow: UnitOfWork, person: Person, skill_text: str, level: int | None) -> Reply:
    skill, problem = resolve_skill(ladder, uow, skill_text)
    if problem:
        return problem
    assert skill is not None
    manager = uow.people.get(person.manager_id) if person.manager_id else None
    if manager is None or not manager.active:
        return Reply(text="You have no manager recorded in the directory, so I can't ask anyone to validate it. "
                          f"Ask HR ({ladder.settings.hr_contact}) to record your manager.",
                     data={"intent": "request_validation", "created": False, "reason": "no_manager"})
    now = ladder.now()
    pending = _pending_request(uow, person.id, skill.id)
    if pending:
        return Reply(text=f"You already asked for {skill.label} on {date_text(pending[0].observed_at)}; it's still waiting for "
                          f"{manager.name}. I haven't sent it again.",
                     data={"intent": "request_validation", "created": False, "evidence_id": pending[0].id})
    level = level or _current_level(uow, person.id, skill.id, now)
    evidence = _add_validation(uow, person.id, skill.id, level, manager.id, now, source="validation requested in chat",
                               status=EvidenceStatus.pending)
    uow.audit.record(action="skill.validation_requested", actor_id=person.id, subject_id=person.id,
                     object_type="skill_evidence", object_id=str(evidence.id),
                     detail={"skill": skill.uri, "level": level, "manager_id": manager.id}, at=now)
    card = validation_card(uow, evidence, person, skill, now)
    delivered = ladder.notify(manager.email, Reply(text=f"{person.name} asks you to validate a skill.", cards=[card],
                                                   data={"intent": "validation_request", "evidence_id": evidence.id}))
    where = "I've sent them a card" if delivered else "they'll see it when they ask me for “pending validations”"
    return Reply(text=f"Asked {manager.name} to validate {skill.label} at {level_text(level)} — {where}. "
                      "I'll tell you when they answer.",
                 data={"intent": "request_validation", "created": True, "evidence_id": evidence.id, "delivered": delivered,
                       "manager": manager.email, "skill": skill_json(skill), "level": level})


def pending_validations(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    rows = uow.skills.pending_validations(person.id, scope(uow, person, Capability.validate_skill))
    if not rows:
        return Reply(text="No skill validations are waiting for you.", data={"intent": "pending_validations", "evidence": []})
    now = ladder.now()
    cards = []
    for r in rows[:MAX_LISTED]:
        subject = uow.people.get(r.person_id)
        skill = uow.skills.skill(r.skill_id)
        if subject is not None and skill is not None:
            cards.append(validation_card(uow, r, subject, skill, now))
    more = f" (the oldest {MAX_LISTED} are shown)" if len(rows) > MAX_LISTED else ""
    return Reply(text=f"{len(rows)} skill validation(s) wait for you{more}:", cards=cards,
                 data={"intent": "pending_validations", "evidence": [r.id for r in rows]})


def may_validate(uow: UnitOfWork, manager: Person, subject_id: int) -> Permission:
    """The permission model's answer (``validate_skill``: never on oneself). Fails closed."""
    return allowed(uow, manager, Capability.validate_skill, subject_id)


def decide_validation(ladder: Ladder, uow: UnitOfWork, person: Person, evidence_id: int, *, confirm: bool) -> Reply:
    evidence = uow.skills.evidence(evidence_id)
    if evidence is None or evidence.evidence_type != EvidenceType.manager_validation:
        return Reply(text="I can't find that validation request any more.", ephemeral=True,
                     data={"intent": "decide_validation", "changed": False})
    permission = may_validate(uow, person, evidence.person_id)
    if not permission and (evidence.verifier_id != person.id or evidence.person_id == person.id):
        return Reply(text=f"Only the person's manager can answer this validation request. {permission.reason}", ephemeral=True,
                     data={"intent": "decide_validation", "changed": False, "denied": True, "status": "forbidden"})
    subject = uow.people.get(evidence.person_id)
    skill = uow.skills.skill(evidence.skill_id)
    assert subject is not None and skill is not None
    now = ladder.now()
    new_status = EvidenceStatus.active if confirm else EvidenceStatus.rejected
    values = {"verifier_id": person.id, "observed_at": now} if confirm else {"verifier_id": person.id}
    changed = uow.skills.settle_pending(evidence_id, new_status, **values)
    if not changed:
        done = {EvidenceStatus.active: "confirmed", EvidenceStatus.rejected: "declined"}.get(evidence.status, evidence.status.value)
        return Reply(text=f"This request was already {done} — nothing changed.", replace_original=True,
                     data={"intent": "decide_validation", "changed": False, "status": evidence.status.value})
    uow.audit.record(action="skill.validated" if confirm else "skill.validation_declined", actor_id=person.id,
                     subject_id=subject.id, object_type="skill_evidence", object_id=str(evidence_id),
                     detail={"skill": skill.uri, "level": evidence.level}, at=now)
    if confirm:
        note = f"{person.name} validated your {skill.label} at {level_text(evidence.level)} — it now counts as verified."
        text = f"Confirmed: {subject.name}'s {skill.label} at {level_text(evidence.level)} is now verified."
    else:
        note = f"{person.name} didn't validate your {skill.label} this time. Ask them what evidence would help."
        text = f"Declined: {subject.name}'s {skill.label} stays unverified. I've let them know."
    ladder.notify(subject.email, Reply(text=note, data={"intent": "validation_decided", "evidence_id": evidence_id, "confirmed": confirm}))
    return Reply(text=text, replace_original=True,
                 data={"intent": "decide_validation", "changed": True, "status": new_status.value, "evidence_id": evidence_id})


def _find_report(uow: UnitOfWork, manager: Person, who: str) -> Person | None:
    who = who.strip()
    if "@" in who:
        return uow.people.by_email(who)
    wanted = who.lower()
    reports = uow.people.many(uow.people.report_ids(manager.id))
    return next((p for _, p in sorted(reports.items()) if p.name.lower() == wanted), None)


def validate_for(ladder: Ladder, uow: UnitOfWork, manager: Person, skill_text: str, who: str, level: int | None) -> Reply:
    subject = _find_report(uow, manager, who)
    permission = may_validate(uow, manager, subject.id) if subject is not None else None
    if subject is None or not permission:
        reason = f" {permission.reason}" if permission is not None else ""
        return Reply(text=f"I can only record validations for people who report to you, and “{who}” isn't one of them.{reason}",
                     data={"intent": "validate_for", "changed": False, "denied": True, "status": "forbidden"})
    skill, problem = resolve_skill(ladder, uow, skill_text)
    if problem:
        return problem
    assert skill is not None
    now = ladder.now()
    pending = _pending_request(uow, subject.id, skill.id)
    if pending:
        values = {"verifier_id": manager.id, "observed_at": now, **({"level": level} if level else {})}
        uow.skills.settle_pending(pending[0].id, EvidenceStatus.active, **values)
        evidence_id, level = pending[0].id, level or pending[0].level
    else:
        level = level or _current_level(uow, subject.id, skill.id, now)
        evidence_id = _add_validation(uow, subject.id, skill.id, level, manager.id, now, source="validated by manager in chat",
                                      status=EvidenceStatus.active).id
    uow.audit.record(action="skill.validated", actor_id=manager.id, subject_id=subject.id, object_type="skill_evidence",
                     object_id=str(evidence_id), detail={"skill": skill.uri, "level": level, "direct": True}, at=now)
    ladder.notify(subject.email, Reply(text=f"{manager.name} validated your {skill.label} at {level_text(level)} — it now counts as verified.",
                                       data={"intent": "validation_decided", "evidence_id": evidence_id, "confirmed": True}))
    return Reply(text=f"Recorded: {subject.name}'s {skill.label} validated at {level_text(level)}.",
                 data={"intent": "validate_for", "changed": True, "evidence_id": evidence_id, "person": subject.email,
                       "skill": skill_json(skill), "level": level})
