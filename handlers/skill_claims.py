"""Use cases: a person's own skills — claim one, explain why Ladder credits one, list them, and accept or
decline what Ladder inferred.

Every credited skill rests on evidence Ladder can show. A claim is recorded as a self-assessment (it
counts a little, never verifies). Every click can arrive twice: deciding evidence that is no longer
pending changes nothing and says so.
"""

from __future__ import annotations

from conversation import ActionKind, ActionRef, Button, Card, Reply
from handlers.context import Ladder
from handlers.skills_common import DEFAULT_CLAIM_LEVEL, date_text, level_text, resolve_skill, skill_json
from skills_engine import proficiency
from skills_engine.proficiency import EvidenceItem, Proficiency
from storage import UnitOfWork
from storage.models import EvidenceStatus, EvidenceType, Person, SkillEvidence

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


def proficiency_json(p: Proficiency, skill: tuple[str, str]) -> dict:
    return {"skill_id": p.skill_id, "uri": skill[0], "label": skill[1], "level": p.level, "verified_level": p.verified_level,
            "verified": p.verified, "confidence": p.confidence,
            "evidence": [evidence_json(e) for e in p.evidence]}


def evidence_json(e: EvidenceItem) -> dict:
    return {"id": e.evidence_id, "type": e.evidence_type.value, "level": e.level, "observed_at": e.observed_at.isoformat(),
            "source": e.source, "verifier": e.verifier}


def claim_skill(ladder: Ladder, uow: UnitOfWork, person: Person, skill_text: str, level: int | None) -> Reply:
    skill, problem = resolve_skill(ladder, uow, skill_text)
    if problem:
        return problem
    assert skill is not None
    now = ladder.now()
    existing = uow.skills.evidence_history(person.id, skill.id, kind=EvidenceType.self_assessment,
                                           status=EvidenceStatus.active)
    level = level or (existing[0].level if existing else DEFAULT_CLAIM_LEVEL)
    changed = True
    if existing and existing[0].level == level:
        changed = False
        text = f"I already have your self-assessment of {skill.label} at {level_text(level)} — nothing changed."
    else:
        if existing:
            existing[0].level, existing[0].observed_at = level, now
            evidence_id = existing[0].id
        else:
            row = SkillEvidence(person_id=person.id, skill_id=skill.id, evidence_type=EvidenceType.self_assessment,
                                level=level, source="self-assessment in chat", observed_at=now, status=EvidenceStatus.active)
            uow.add(row)
            uow.flush()
            evidence_id = row.id
        uow.audit.record(action="skill.claimed", actor_id=person.id, subject_id=person.id, object_type="skill_evidence",
                         object_id=str(evidence_id), detail={"skill": skill.uri, "level": level}, at=now)
        text = f"Noted: you know {skill.label} at {level_text(level)}. I've recorded it as a self-assessment."
    lines = [text,
             "A self-assessment counts a little towards your level but never verifies a skill on its own. "
             f"To verify it, say “ask my manager to validate {skill.label}”, or pass an assessment."]
    return Reply(text="\n".join(lines), data={"intent": "claim_skill", "changed": changed,
                                               "skill": skill_json(skill), "level": level})


def explain_skill(ladder: Ladder, uow: UnitOfWork, person: Person, skill_text: str) -> Reply:
    skill, problem = resolve_skill(ladder, uow, skill_text)
    if problem:
        return problem
    assert skill is not None
    rows = uow.skills.evidence_history(person.id, skill.id)
    now = ladder.now()
    verifiers = {p.id: p.name for p in (uow.people.get(r.verifier_id) for r in rows if r.verifier_id) if p}
    items = [EvidenceItem(r.skill_id, r.evidence_type, r.level, r.observed_at, r.source or "", verifiers.get(r.verifier_id),
                          evidence_id=r.id) for r in rows if r.status == EvidenceStatus.active]
    if not rows:
        return Reply(text=f"I have no evidence that you know {skill.label}, so I don't credit it to you. "
                          f"Say “I know {skill.label}” to claim it, then ask your manager to validate it.",
                     data={"intent": "explain_skill", "skill": skill_json(skill),
                           "level": 0, "verified_level": 0, "verified": False, "confidence": 0.0, "evidence": []})
    prof = proficiency.assess(skill.id, items, now) if items else Proficiency(skill.id, 0, 0, 0.0, [])
    lines = [f"*Why I think you know {skill.label}*"]
    if items:
        verdict = (f"verified at {level_text(prof.verified_level)}" if prof.verified
                   else "not verified (no recent assessment, manager validation, project outcome or peer review)")
        lines.append(f"Your level: {level_text(prof.level)}, {verdict}; confidence {prof.confidence:.0%}.")
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
        lines.append(f"• {EVIDENCE_NAMES[r.evidence_type]} at level {r.level}, {date_text(r.observed_at)}"
                     f" ({r.source or 'no source'}{who}) — weight now {weight:.2f}{role}{state}")
        evidence_out.append({"id": r.id, "type": r.evidence_type.value, "level": r.level, "date": date_text(r.observed_at),
                             "source": r.source, "verifier": verifiers.get(r.verifier_id), "status": r.status.value,
                             "weight": round(weight, 3), "verifies": verifying})
    lines.append(f"Older evidence counts less: it loses half its weight every {proficiency.HALF_LIFE_DAYS:g} days. "
                 "Course completions and self-assessments never verify a skill on their own.")
    return Reply(text="\n".join(lines), data={
        "intent": "explain_skill", "skill": skill_json(skill),
        "level": prof.level, "verified_level": prof.verified_level, "verified": prof.verified,
        "confidence": prof.confidence, "evidence": evidence_out})


def my_skills(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    profile = proficiency.person_profile(uow.skills, person.id, ladder.now())
    labels = uow.skills.skill_labels(list(profile))
    verified = sorted((p for p in profile.values() if p.verified), key=lambda p: (-p.verified_level, -p.confidence, labels[p.skill_id][1]))
    claimed = sorted((p for p in profile.values() if not p.verified), key=lambda p: (-p.level, labels[p.skill_id][1]))
    lines = [f"*Your skills* — {len(verified)} verified, {len(claimed)} not yet verified"]
    for p in verified[:MAX_LISTED]:
        lines.append(f"• {labels[p.skill_id][1]} — {level_text(p.verified_level)} ✔ verified, confidence {p.confidence:.0%}")
    if len(verified) > MAX_LISTED:
        lines.append(f"• …and {len(verified) - MAX_LISTED} more verified")
    if claimed:
        lines.append("Not yet verified: " + ", ".join(f"{labels[p.skill_id][1]} (level {p.level})" for p in claimed[:MAX_LISTED]) + ".")
    lines.append("Ask “why do you think I know <skill>?” to see the evidence behind any of them.")
    return Reply(text="\n".join(lines), data={
        "intent": "my_skills", "person": person.email,
        "skills": [proficiency_json(p, labels[p.skill_id]) for p in verified + claimed]})


def suggested_skills(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    rows = uow.skills.evidence_history(person.id, kind=EvidenceType.inferred, status=EvidenceStatus.pending)
    if not rows:
        return Reply(text="I haven't inferred any skills for you that wait for your answer.", data={"intent": "suggested_skills", "evidence": []})
    labels = uow.skills.skill_labels(sorted({r.skill_id for r in rows}))
    cards = [Card(title=f"Do you know {labels[r.skill_id][1]}?",
                  body=f"I inferred it at level {r.level} from {r.source or 'your work'}. Accepting records it as inferred "
                       "evidence (it never verifies a skill on its own).",
                  buttons=[Button(label="Yes, I know it", ref=ActionRef(kind=ActionKind.accept_skill, target=str(r.id)).encode(), style="primary"),
                           Button(label="No", ref=ActionRef(kind=ActionKind.decline_skill, target=str(r.id)).encode())])
             for r in rows[:MAX_LISTED]]
    return Reply(text=f"I think you may know {len(rows)} skill(s) — is that right?", cards=cards,
                 data={"intent": "suggested_skills", "evidence": [r.id for r in rows]})


def decide_inferred(ladder: Ladder, uow: UnitOfWork, person: Person, evidence_id: int, *, accept: bool) -> Reply:
    evidence = uow.skills.evidence(evidence_id)
    if evidence is None or evidence.evidence_type != EvidenceType.inferred:
        return Reply(text="I can't find that suggestion any more.", ephemeral=True, data={"intent": "decide_inferred", "changed": False})
    if evidence.person_id != person.id:
        return Reply(text="Only the person a skill was inferred for can accept or decline it.", ephemeral=True,
                     data={"intent": "decide_inferred", "changed": False, "denied": True})
    label = uow.skills.skill_labels([evidence.skill_id])[evidence.skill_id][1]
    new_status = EvidenceStatus.active if accept else EvidenceStatus.rejected
    changed = uow.skills.settle_pending(evidence_id, new_status)
    if not changed:
        done = "accepted" if evidence.status == EvidenceStatus.active else "declined"
        return Reply(text=f"You already {done} {label} — nothing changed.", replace_original=True,
                     data={"intent": "decide_inferred", "changed": False, "status": evidence.status.value})
    uow.audit.record(action="skill.inferred_accepted" if accept else "skill.inferred_declined", actor_id=person.id,
                     subject_id=person.id, object_type="skill_evidence", object_id=str(evidence_id), detail={"skill_id": evidence.skill_id},
                     at=ladder.now())
    text = (f"Thanks — {label} is now on your profile as inferred evidence (not verified)." if accept
            else f"Got it — I won't credit {label} to you.")
    return Reply(text=text, replace_original=True, data={"intent": "decide_inferred", "changed": True, "status": new_status.value})
