"""Use cases: a person's skills — claim, explain, ask for and give validation, accept what Ladder inferred,
and "what roles am I closest to?".

Every credited skill rests on evidence Ladder can show. A claim is recorded as a self-assessment (it
counts a little, never verifies); a manager's validation is verifying evidence. Every click can arrive
twice: deciding evidence that is no longer pending changes nothing and says so.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from handlers.intents import Intent, IntentKind
from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from handlers.context import Ladder
from skills_engine import proficiency
from skills_engine.graph import HaveSets, graph_for
from skills_engine.proficiency import LEVEL_NAMES, EvidenceItem, Proficiency
from skills_engine.skill_index import SKILLS, SkillIndex, SkillMatch
from storage import queries
from storage.audit import record
from storage.models import AccessRole, EvidenceStatus, EvidenceType, Person, Skill, SkillEvidence

DEFAULT_CLAIM_LEVEL = 2
MAX_LISTED = 12
EVIDENCE_NAMES = {
    EvidenceType.assessment: "assessment",
    EvidenceType.manager_validation: "manager validation",
    EvidenceType.project_outcome: "project outcome",
    EvidenceType.peer_review: "peer review",
    EvidenceType.course_completion: "course completion",
    EvidenceType.self_assessment: "self-assessment",
    EvidenceType.inferred: "inferred by Ladder",
}

INTENTS = frozenset({
    IntentKind.claim_skill, IntentKind.explain_skill, IntentKind.my_skills, IntentKind.suggested_skills,
    IntentKind.request_validation, IntentKind.pending_validations, IntentKind.validate_for, IntentKind.closest_roles,
    IntentKind.team_ready, IntentKind.team_gaps,
})
CLICKS = frozenset({ActionKind.validate_skill, ActionKind.decline_skill, ActionKind.accept_skill})


def handle(ladder: Ladder, session: Session, person: Person, intent: Intent) -> Reply:
    """One entry point for the router: every skills intent."""
    from handlers import manager_views  # the manager views build on this module

    kind = intent.kind
    if kind == IntentKind.claim_skill:
        return claim_skill(ladder, session, person, intent.skill_text, intent.level)
    if kind == IntentKind.explain_skill:
        return explain_skill(ladder, session, person, intent.skill_text)
    if kind == IntentKind.my_skills:
        return my_skills(ladder, session, person)
    if kind == IntentKind.suggested_skills:
        return suggested_skills(ladder, session, person)
    if kind == IntentKind.request_validation:
        return request_validation(ladder, session, person, intent.skill_text, intent.level)
    if kind == IntentKind.pending_validations:
        return pending_validations(ladder, session, person)
    if kind == IntentKind.validate_for:
        return validate_for(ladder, session, person, intent.skill_text, intent.person_text, intent.level)
    if kind == IntentKind.closest_roles:
        return closest_roles(ladder, session, person)
    if kind == IntentKind.team_ready:
        return manager_views.team_ready(ladder, session, person, intent.role_text)
    if kind == IntentKind.team_gaps:
        return manager_views.team_gaps(ladder, session, person, intent.role_text)
    return Reply(text="I can't do that with skills yet.")


def click(ladder: Ladder, session: Session, person: Person, kind: ActionKind, evidence_id: int) -> Reply:
    if kind == ActionKind.accept_skill:
        return decide_inferred(ladder, session, person, evidence_id, accept=True)
    evidence = session.get(SkillEvidence, evidence_id)
    if evidence is not None and evidence.evidence_type == EvidenceType.inferred:
        return decide_inferred(ladder, session, person, evidence_id, accept=False)
    return decide_validation(ladder, session, person, evidence_id, confirm=kind == ActionKind.validate_skill)


# --------------------------------------------------------------------------- helpers


def skill_index(ladder: Ladder, session: Session) -> SkillIndex:
    return SKILLS.get(ladder.db, session)


def person_profile(ladder: Ladder, session: Session, person_id: int) -> dict[int, Proficiency]:
    return proficiency.profile(queries.evidence_for(session, person_id), ladder.now())


def _resolve(ladder: Ladder, session: Session, text: str) -> tuple[Skill | None, Reply | None]:
    if not text.strip():
        return None, Reply(text="Which skill? Try “I know SQL” or “I have Python at level 3”.")
    match = skill_index(ladder, session).resolve(text)
    if match.status == "found" and match.skill is not None:
        return session.get(Skill, match.skill.skill_id), None
    return None, _choice_reply(match)


def _choice_reply(match: SkillMatch) -> Reply:
    names = [c.label for c in match.candidates[:5]]
    if match.status == "ambiguous":
        text = f"I know several skills that could be “{match.query}”: " + "; ".join(f"“{n}”" for n in names) + \
            ". Say it again with the exact name."
    elif names:
        text = f"I couldn't find a skill called “{match.query}”. The closest I know: " + "; ".join(f"“{n}”" for n in names) + "."
    else:
        text = f"I couldn't find a skill called “{match.query}”. Try its usual name, e.g. “SQL” or “data mining”."
    return Reply(text=text, data={"intent": "skill_choice", "status": match.status, "query": match.query,
                                   "candidates": [{"id": c.skill_id, "label": c.label, "score": c.score} for c in match.candidates]})


def _level_text(level: int) -> str:
    return f"level {level} ({LEVEL_NAMES.get(level, '?')})"


def _date(value: dt.datetime) -> str:
    return value.date().isoformat()


def _now(ladder: Ladder) -> dt.datetime:
    return ladder.now()


def proficiency_json(p: Proficiency, skill: tuple[str, str]) -> dict:
    return {"skill_id": p.skill_id, "uri": skill[0], "label": skill[1], "level": p.level, "verified_level": p.verified_level,
            "verified": p.verified, "confidence": p.confidence,
            "evidence": [evidence_json(e) for e in p.evidence]}


def evidence_json(e: EvidenceItem) -> dict:
    return {"id": e.evidence_id, "type": e.evidence_type.value, "level": e.level, "observed_at": e.observed_at.isoformat(),
            "source": e.source, "verifier": e.verifier}


# --------------------------------------------------------------------------- claiming and explaining


def claim_skill(ladder: Ladder, session: Session, person: Person, skill_text: str, level: int | None) -> Reply:
    skill, problem = _resolve(ladder, session, skill_text)
    if problem:
        return problem
    assert skill is not None
    now = _now(ladder)
    existing = [e for e in queries.evidence_rows(session, person.id, skill.id)
                if e.evidence_type == EvidenceType.self_assessment and e.status == EvidenceStatus.active]
    level = level or (existing[0].level if existing else DEFAULT_CLAIM_LEVEL)
    changed = True
    if existing and existing[0].level == level:
        changed = False
        text = f"I already have your self-assessment of {skill.label} at {_level_text(level)} — nothing changed."
    else:
        if existing:
            existing[0].level, existing[0].observed_at = level, now
            evidence_id = existing[0].id
        else:
            row = SkillEvidence(person_id=person.id, skill_id=skill.id, evidence_type=EvidenceType.self_assessment,
                                level=level, source="self-assessment in chat", observed_at=now, status=EvidenceStatus.active)
            session.add(row)
            session.flush()
            evidence_id = row.id
        record(session, action="skill.claimed", actor_id=person.id, subject_id=person.id, object_type="skill_evidence",
               object_id=str(evidence_id), detail={"skill": skill.uri, "level": level}, at=now)
        text = f"Noted: you know {skill.label} at {_level_text(level)}. I've recorded it as a self-assessment."
    lines = [text,
             "A self-assessment counts a little towards your level but never verifies a skill on its own. "
             f"To verify it, say “ask my manager to validate {skill.label}”, or pass an assessment."]
    return Reply(text="\n".join(lines), data={"intent": "claim_skill", "changed": changed,
                                               "skill": {"id": skill.id, "uri": skill.uri, "label": skill.label}, "level": level})


def explain_skill(ladder: Ladder, session: Session, person: Person, skill_text: str) -> Reply:
    skill, problem = _resolve(ladder, session, skill_text)
    if problem:
        return problem
    assert skill is not None
    rows = queries.evidence_rows(session, person.id, skill.id)
    now = _now(ladder)
    verifiers = {p.id: p.name for p in (session.get(Person, r.verifier_id) for r in rows if r.verifier_id) if p}
    items = [EvidenceItem(r.skill_id, r.evidence_type, r.level, r.observed_at, r.source or "", verifiers.get(r.verifier_id),
                          evidence_id=r.id) for r in rows if r.status == EvidenceStatus.active]
    if not rows:
        return Reply(text=f"I have no evidence that you know {skill.label}, so I don't credit it to you. "
                          f"Say “I know {skill.label}” to claim it, then ask your manager to validate it.",
                     data={"intent": "explain_skill", "skill": {"id": skill.id, "uri": skill.uri, "label": skill.label},
                           "level": 0, "verified_level": 0, "verified": False, "confidence": 0.0, "evidence": []})
    prof = proficiency.assess(skill.id, items, now) if items else Proficiency(skill.id, 0, 0, 0.0, [])
    lines = [f"*Why I think you know {skill.label}*"]
    if items:
        verdict = (f"verified at {_level_text(prof.verified_level)}" if prof.verified
                   else "not verified (no recent assessment, manager validation, project outcome or peer review)")
        lines.append(f"Your level: {_level_text(prof.level)}, {verdict}; confidence {prof.confidence:.0%}.")
    else:
        lines.append("None of this evidence counts yet (it's pending or was declined).")
    evidence_out = []
    for r in rows:
        weight = proficiency.decayed_weight(EvidenceItem(r.skill_id, r.evidence_type, r.level, r.observed_at), now)
        counts = r.status == EvidenceStatus.active
        verifying = counts and proficiency.is_verifying(EvidenceItem(r.skill_id, r.evidence_type, r.level, r.observed_at), now)
        who = f", by {verifiers[r.verifier_id]}" if r.verifier_id in verifiers else ""
        state = "" if counts else f" — {r.status.value}, doesn't count"
        role = " ✔ verifies" if verifying else ""
        lines.append(f"• {EVIDENCE_NAMES[r.evidence_type]} at level {r.level}, {_date(r.observed_at)}"
                     f" ({r.source or 'no source'}{who}) — weight now {weight:.2f}{role}{state}")
        evidence_out.append({"id": r.id, "type": r.evidence_type.value, "level": r.level, "date": _date(r.observed_at),
                             "source": r.source, "verifier": verifiers.get(r.verifier_id), "status": r.status.value,
                             "weight": round(weight, 3), "verifies": verifying})
    lines.append(f"Older evidence counts less: it loses half its weight every {proficiency.HALF_LIFE_DAYS:g} days. "
                 "Course completions and self-assessments never verify a skill on their own.")
    return Reply(text="\n".join(lines), data={
        "intent": "explain_skill", "skill": {"id": skill.id, "uri": skill.uri, "label": skill.label},
        "level": prof.level, "verified_level": prof.verified_level, "verified": prof.verified,
        "confidence": prof.confidence, "evidence": evidence_out})


def my_skills(ladder: Ladder, session: Session, person: Person) -> Reply:
    profile = person_profile(ladder, session, person.id)
    labels = queries.skill_labels(session, list(profile))
    verified = sorted((p for p in profile.values() if p.verified), key=lambda p: (-p.verified_level, -p.confidence, labels[p.skill_id][1]))
    claimed = sorted((p for p in profile.values() if not p.verified), key=lambda p: (-p.level, labels[p.skill_id][1]))
    lines = [f"*Your skills* — {len(verified)} verified, {len(claimed)} not yet verified"]
    for p in verified[:MAX_LISTED]:
        lines.append(f"• {labels[p.skill_id][1]} — {_level_text(p.verified_level)} ✔ verified, confidence {p.confidence:.0%}")
    if len(verified) > MAX_LISTED:
        lines.append(f"• …and {len(verified) - MAX_LISTED} more verified")
    if claimed:
        lines.append("Not yet verified: " + ", ".join(f"{labels[p.skill_id][1]} (level {p.level})" for p in claimed[:MAX_LISTED]) + ".")
    lines.append("Ask “why do you think I know <skill>?” to see the evidence behind any of them.")
    return Reply(text="\n".join(lines), data={
        "intent": "my_skills", "person": person.email,
        "skills": [proficiency_json(p, labels[p.skill_id]) for p in verified + claimed]})


def suggested_skills(ladder: Ladder, session: Session, person: Person) -> Reply:
    rows = [r for r in queries.evidence_rows(session, person.id)
            if r.evidence_type == EvidenceType.inferred and r.status == EvidenceStatus.pending]
    if not rows:
        return Reply(text="I haven't inferred any skills for you that wait for your answer.", data={"intent": "suggested_skills", "evidence": []})
    labels = queries.skill_labels(session, sorted({r.skill_id for r in rows}))
    cards = [Card(title=f"Do you know {labels[r.skill_id][1]}?",
                  body=f"I inferred it at level {r.level} from {r.source or 'your work'}. Accepting records it as inferred "
                       "evidence (it never verifies a skill on its own).",
                  buttons=[Button(label="Yes, I know it", ref=ActionRef(kind=ActionKind.accept_skill, target=str(r.id)).encode(), style="primary"),
                           Button(label="No", ref=ActionRef(kind=ActionKind.decline_skill, target=str(r.id)).encode())])
             for r in rows[:MAX_LISTED]]
    return Reply(text=f"I think you may know {len(rows)} skill(s) — is that right?", cards=cards,
                 data={"intent": "suggested_skills", "evidence": [r.id for r in rows]})


def decide_inferred(ladder: Ladder, session: Session, person: Person, evidence_id: int, *, accept: bool) -> Reply:
    evidence = session.get(SkillEvidence, evidence_id)
    if evidence is None or evidence.evidence_type != EvidenceType.inferred:
        return Reply(text="I can't find that suggestion any more.", ephemeral=True, data={"intent": "decide_inferred", "changed": False})
    if evidence.person_id != person.id:
        return Reply(text="Only the person a skill was inferred for can accept or decline it.", ephemeral=True,
                     data={"intent": "decide_inferred", "changed": False, "denied": True})
    label = queries.skill_labels(session, [evidence.skill_id])[evidence.skill_id][1]
    new_status = EvidenceStatus.active if accept else EvidenceStatus.rejected
    changed = _transition(session, evidence_id, new_status, {})
    if not changed:
        session.refresh(evidence)
        done = "accepted" if evidence.status == EvidenceStatus.active else "declined"
        return Reply(text=f"You already {done} {label} — nothing changed.", replace_original=True,
                     data={"intent": "decide_inferred", "changed": False, "status": evidence.status.value})
    record(session, action="skill.inferred_accepted" if accept else "skill.inferred_declined", actor_id=person.id,
           subject_id=person.id, object_type="skill_evidence", object_id=str(evidence_id), detail={"skill_id": evidence.skill_id},
           at=_now(ladder))
    text = (f"Thanks — {label} is now on your profile as inferred evidence (not verified)." if accept
            else f"Got it — I won't credit {label} to you.")
    return Reply(text=text, replace_original=True, data={"intent": "decide_inferred", "changed": True, "status": new_status.value})


def _transition(session: Session, evidence_id: int, status: EvidenceStatus, values: dict) -> bool:
    """Pending → active | rejected, atomically: a second (or concurrent) click finds nothing pending."""
    result = session.execute(
        update(SkillEvidence)
        .where(SkillEvidence.id == evidence_id, SkillEvidence.status == EvidenceStatus.pending)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return result.rowcount == 1


# --------------------------------------------------------------------------- manager validation


def validation_card(session: Session, evidence: SkillEvidence, subject: Person, skill: Skill, now: dt.datetime) -> Card:
    items = queries.evidence_for(session, subject.id)
    prof = proficiency.assess(skill.id, [i for i in items if i.skill_id == skill.id], now) if items else None
    current = "no other evidence"
    if prof and prof.evidence:
        current = (f"level {prof.level}, " + ("verified" if prof.verified else "not verified") +
                   f" ({len(prof.evidence)} piece(s) of evidence)")
    return Card(
        title=f"Validate {skill.label} for {subject.name}?",
        body=f"{subject.name} asks you to confirm they can apply {skill.label} at {_level_text(evidence.level)}.",
        facts=[Fact(title="Requested level", value=_level_text(evidence.level)), Fact(title="Current evidence", value=current),
               Fact(title="Asked on", value=_date(evidence.observed_at))],
        buttons=[Button(label="Confirm", ref=ActionRef(kind=ActionKind.validate_skill, target=str(evidence.id)).encode(), style="primary"),
                 Button(label="Decline", ref=ActionRef(kind=ActionKind.decline_skill, target=str(evidence.id)).encode(), style="danger")],
        footer="Your confirmation is recorded as manager-validation evidence, which verifies the skill.",
    )


def request_validation(ladder: Ladder, session: Session, person: Person, skill_text: str, level: int | None) -> Reply:
    skill, problem = _resolve(ladder, session, skill_text)
    if problem:
        return problem
    assert skill is not None
    manager = session.get(Person, person.manager_id) if person.manager_id else None
    if manager is None or not manager.active:
        return Reply(text="You have no manager recorded in the directory, so I can't ask anyone to validate it. "
                          f"Ask HR ({ladder.settings.hr_contact}) to record your manager.",
                     data={"intent": "request_validation", "created": False, "reason": "no_manager"})
    now = _now(ladder)
    pending = [e for e in queries.evidence_rows(session, person.id, skill.id)
               if e.evidence_type == EvidenceType.manager_validation and e.status == EvidenceStatus.pending]
    if pending:
        return Reply(text=f"You already asked for {skill.label} on {_date(pending[0].observed_at)}; it's still waiting for "
                          f"{manager.name}. I haven't sent it again.",
                     data={"intent": "request_validation", "created": False, "evidence_id": pending[0].id})
    profile = person_profile(ladder, session, person.id)
    level = level or (profile[skill.id].level if skill.id in profile else DEFAULT_CLAIM_LEVEL)
    evidence = SkillEvidence(person_id=person.id, skill_id=skill.id, evidence_type=EvidenceType.manager_validation, level=level,
                             source="validation requested in chat", observed_at=now, verifier_id=manager.id,
                             status=EvidenceStatus.pending)
    session.add(evidence)
    session.flush()
    record(session, action="skill.validation_requested", actor_id=person.id, subject_id=person.id,
           object_type="skill_evidence", object_id=str(evidence.id),
           detail={"skill": skill.uri, "level": level, "manager_id": manager.id}, at=now)
    card = validation_card(session, evidence, person, skill, now)
    delivered = ladder.notify(manager.email, Reply(text=f"{person.name} asks you to validate a skill.", cards=[card],
                                                   data={"intent": "validation_request", "evidence_id": evidence.id}))
    where = "I've sent them a card" if delivered else "they'll see it when they ask me for “pending validations”"
    return Reply(text=f"Asked {manager.name} to validate {skill.label} at {_level_text(level)} — {where}. "
                      "I'll tell you when they answer.",
                 data={"intent": "request_validation", "created": True, "evidence_id": evidence.id, "delivered": delivered,
                       "manager": manager.email, "skill": {"id": skill.id, "uri": skill.uri, "label": skill.label}, "level": level})


def pending_validations(ladder: Ladder, session: Session, person: Person) -> Reply:
    rows = queries.pending_validations(session, person.id)
    if not rows:
        return Reply(text="No skill validations are waiting for you.", data={"intent": "pending_validations", "evidence": []})
    now = _now(ladder)
    cards = []
    for r in rows[:MAX_LISTED]:
        subject = session.get(Person, r.person_id)
        skill = session.get(Skill, r.skill_id)
        if subject is not None and skill is not None:
            cards.append(validation_card(session, r, subject, skill, now))
    more = f" (the oldest {MAX_LISTED} are shown)" if len(rows) > MAX_LISTED else ""
    return Reply(text=f"{len(rows)} skill validation(s) wait for you{more}:", cards=cards,
                 data={"intent": "pending_validations", "evidence": [r.id for r in rows]})


def may_validate(session: Session, manager: Person, subject_id: int) -> bool:
    """Fails closed: only someone above the person in their reporting line may validate their skills."""
    try:
        return manager.id != subject_id and queries.is_in_reporting_line(session, manager.id, subject_id)
    except Exception:  # noqa: BLE001 - governance fails closed
        return False


def decide_validation(ladder: Ladder, session: Session, person: Person, evidence_id: int, *, confirm: bool) -> Reply:
    evidence = session.get(SkillEvidence, evidence_id)
    if evidence is None or evidence.evidence_type != EvidenceType.manager_validation:
        return Reply(text="I can't find that validation request any more.", ephemeral=True,
                     data={"intent": "decide_validation", "changed": False})
    if evidence.verifier_id != person.id and not may_validate(session, person, evidence.person_id):
        return Reply(text="Only the person's manager can answer this validation request.", ephemeral=True,
                     data={"intent": "decide_validation", "changed": False, "denied": True})
    subject = session.get(Person, evidence.person_id)
    skill = session.get(Skill, evidence.skill_id)
    assert subject is not None and skill is not None
    now = _now(ladder)
    new_status = EvidenceStatus.active if confirm else EvidenceStatus.rejected
    changed = _transition(session, evidence_id, new_status,
                          {"verifier_id": person.id, "observed_at": now} if confirm else {"verifier_id": person.id})
    if not changed:
        session.refresh(evidence)
        done = {EvidenceStatus.active: "confirmed", EvidenceStatus.rejected: "declined"}.get(evidence.status, evidence.status.value)
        return Reply(text=f"This request was already {done} — nothing changed.", replace_original=True,
                     data={"intent": "decide_validation", "changed": False, "status": evidence.status.value})
    record(session, action="skill.validated" if confirm else "skill.validation_declined", actor_id=person.id,
           subject_id=subject.id, object_type="skill_evidence", object_id=str(evidence_id),
           detail={"skill": skill.uri, "level": evidence.level}, at=now)
    if confirm:
        note = f"{person.name} validated your {skill.label} at {_level_text(evidence.level)} — it now counts as verified."
        text = f"Confirmed: {subject.name}'s {skill.label} at {_level_text(evidence.level)} is now verified."
    else:
        note = f"{person.name} didn't validate your {skill.label} this time. Ask them what evidence would help."
        text = f"Declined: {subject.name}'s {skill.label} stays unverified. I've let them know."
    ladder.notify(subject.email, Reply(text=note, data={"intent": "validation_decided", "evidence_id": evidence_id, "confirmed": confirm}))
    return Reply(text=text, replace_original=True,
                 data={"intent": "decide_validation", "changed": True, "status": new_status.value, "evidence_id": evidence_id})


def _find_report(session: Session, manager: Person, who: str) -> Person | None:
    who = who.strip()
    if "@" in who:
        return queries.person_by_email(session, who)
    wanted = who.lower()
    for pid in queries.report_ids(session, manager.id):
        p = session.get(Person, pid)
        if p is not None and p.name.lower() == wanted:
            return p
    return None


def validate_for(ladder: Ladder, session: Session, manager: Person, skill_text: str, who: str, level: int | None) -> Reply:
    subject = _find_report(session, manager, who)
    if subject is None or not may_validate(session, manager, subject.id):
        return Reply(text=f"I can only record validations for people who report to you, and “{who}” isn't one of them.",
                     data={"intent": "validate_for", "changed": False, "denied": True})
    skill, problem = _resolve(ladder, session, skill_text)
    if problem:
        return problem
    assert skill is not None
    now = _now(ladder)
    pending = [e for e in queries.evidence_rows(session, subject.id, skill.id)
               if e.evidence_type == EvidenceType.manager_validation and e.status == EvidenceStatus.pending]
    if pending:
        values = {"verifier_id": manager.id, "observed_at": now, **({"level": level} if level else {})}
        _transition(session, pending[0].id, EvidenceStatus.active, values)
        evidence_id, level = pending[0].id, level or pending[0].level
    else:
        profile = person_profile(ladder, session, subject.id)
        level = level or (profile[skill.id].level if skill.id in profile else DEFAULT_CLAIM_LEVEL)
        row = SkillEvidence(person_id=subject.id, skill_id=skill.id, evidence_type=EvidenceType.manager_validation, level=level,
                            source="validated by manager in chat", observed_at=now, verifier_id=manager.id,
                            status=EvidenceStatus.active)
        session.add(row)
        session.flush()
        evidence_id = row.id
    record(session, action="skill.validated", actor_id=manager.id, subject_id=subject.id, object_type="skill_evidence",
           object_id=str(evidence_id), detail={"skill": skill.uri, "level": level, "direct": True}, at=now)
    ladder.notify(subject.email, Reply(text=f"{manager.name} validated your {skill.label} at {_level_text(level)} — it now counts as verified.",
                                       data={"intent": "validation_decided", "evidence_id": evidence_id, "confirmed": True}))
    return Reply(text=f"Recorded: {subject.name}'s {skill.label} validated at {_level_text(level)}.",
                 data={"intent": "validate_for", "changed": True, "evidence_id": evidence_id, "person": subject.email,
                       "skill": {"id": skill.id, "uri": skill.uri, "label": skill.label}, "level": level})


# --------------------------------------------------------------------------- closest roles


def closest_roles(ladder: Ladder, session: Session, person: Person, limit: int = 8) -> Reply:
    graph = graph_for(ladder, session)
    have = HaveSets(proficiency.verified_levels(queries.evidence_for(session, person.id), ladder.now()))
    exclude = (person.role_id,) if person.role_id else ()
    nearest = graph.closest(have, limit=limit, exclude=exclude)
    lines = [f"*Roles you're closest to* (from your {len(have.at(1))} verified skill(s))"]
    for c in nearest:
        lines.append(f"• {graph.roles[c.role_id].label} — {c.missing} essential skill(s) to go, {c.have} of {c.essential} verified")
    buttons = [Button(label=f"Show my path to {graph.roles[c.role_id].label}"[:75],
                      ref=ActionRef(kind=ActionKind.show_path, target=str(c.role_id)).encode()) for c in nearest[:3]]
    return Reply(text="\n".join(lines), cards=[Card(title="Closest roles", buttons=buttons)] if buttons else [],
                 data={"intent": "closest_roles", "person": person.email, "roles": [
                     {"id": c.role_id, "uri": graph.roles[c.role_id].uri, "label": graph.roles[c.role_id].label,
                      "missing": c.missing, "have": c.have, "essential": c.essential} for c in nearest]})


def is_manager(person: Person) -> bool:
    try:
        return person.active and person.access_role in (AccessRole.manager, AccessRole.hr_admin)
    except Exception:  # noqa: BLE001 - governance fails closed
        return False


# --------------------------------------------------------------------------- course tagging (admin)


def tag_courses(ladder: Ladder, session: Session, *, min_score: float | None = None) -> dict:
    """Suggest ESCO skills for every course without accepted tags; stored as ``suggested`` with a score."""
    from skills_engine import tagging
    from storage.models import CourseSkill, TagStatus

    index = skill_index(ladder, session)
    forms = index.forms()
    out = []
    for course in queries.courses_without_accepted_tags(session):
        suggestions = tagging.suggest(index, course.title, course.description or "", fuzzy_labels=forms,
                                      min_score=min_score if min_score is not None else tagging.MIN_SCORE)
        for s in suggestions:
            row = session.get(CourseSkill, (course.id, s.skill_id))
            if row is None:
                session.add(CourseSkill(course_id=course.id, skill_id=s.skill_id, level=2, status=TagStatus.suggested, score=s.score))
            elif row.status == TagStatus.suggested:
                row.score = s.score
        labels = queries.skill_labels(session, [s.skill_id for s in suggestions])
        out.append({"course": course.code, "title": course.title,
                    "suggestions": [{"skill_id": s.skill_id, "uri": labels[s.skill_id][0], "label": s.label, "score": s.score,
                                     "matched": s.matched} for s in suggestions]})
    record(session, action="course_tags.suggested", actor_kind="system", object_type="course",
           detail={"courses": len(out), "suggestions": sum(len(c["suggestions"]) for c in out)}, at=_now(ladder))
    return {"courses": out}


def accept_tag(ladder: Ladder, session: Session, course_code: str, skill_uri: str, actor: Person | None = None) -> dict:
    """An admin accepts a suggested (or new) tag: the course then counts as teaching the skill."""
    from sqlalchemy import select

    from storage.models import Course, CourseSkill, TagStatus

    course = session.scalar(select(Course).where(Course.code == course_code))
    skill = session.scalar(select(Skill).where(Skill.uri == skill_uri))
    if course is None or skill is None:
        return {"accepted": False, "reason": "unknown course" if course is None else "unknown skill"}
    row = session.get(CourseSkill, (course.id, skill.id))
    changed = row is None or row.status != TagStatus.accepted
    if row is None:
        session.add(CourseSkill(course_id=course.id, skill_id=skill.id, level=2, status=TagStatus.accepted))
    else:
        row.status = TagStatus.accepted
    if changed:
        record(session, action="course_tag.accepted", actor_id=actor.id if actor else None,
               actor_kind="person" if actor else "system", object_type="course", object_id=str(course.id),
               detail={"skill": skill.uri, "course": course.code}, at=_now(ladder))
    return {"accepted": True, "changed": changed, "course": course.code, "skill": {"uri": skill.uri, "label": skill.label}}
