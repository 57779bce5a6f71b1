"""Use cases: what Ladder inferred about me (against what it was given), my privacy settings, and the two opt-outs.

* Opting out of **inference** sets aside everything Ladder reads from what a person does rather than from what
  someone told it: inferred skills and course completions counted as weak evidence stop counting anywhere (the
  evidence reads leave them out, ``storage.preferences``), and the agent reads no activity signal about them.
* Opting out of **surfacing** keeps a person out of every list shown to someone else: readiness lists, the agent's
  readiness nudges to managers, the talent marketplace (``storage.preferences.surfaced_people_filter``).

Each change is recorded in the audit trail. Everyone may see and change their own; HR may for anyone
(``Capability.view_inferences``, ``Capability.set_opt_out``).
"""

from __future__ import annotations

from conversation import Reply
from governance.permissions import Capability, check, scope_for
from handlers.context import Ladder
from handlers.intents import Intent, IntentKind
from skills_engine import proficiency
from skills_engine.graph import HaveSets
from storage import UnitOfWork
from storage.models import EvidenceStatus, EvidenceType, Person
from storage.preferences import FROM_ACTIVITY, OptOuts

MAX_LISTED = 8
GIVEN_VERIFIED = (EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome,
                  EvidenceType.peer_review)
WHERE_FROM = {EvidenceType.inferred: "inferred from your work", EvidenceType.course_completion: "a course you completed"}
STATUS_WORDS = {EvidenceStatus.pending: "waiting for your answer", EvidenceStatus.active: "accepted by you",
                EvidenceStatus.rejected: "declined by you"}

# intent -> (which opt-out, its new value)
CHANGES: dict[IntentKind, tuple[str, bool]] = {
    IntentKind.opt_out_inference: ("inference", True),
    IntentKind.opt_in_inference: ("inference", False),
    IntentKind.opt_out_surfacing: ("surfacing", True),
    IntentKind.opt_in_surfacing: ("surfacing", False),
}
INTENTS = frozenset({IntentKind.my_inferences, IntentKind.privacy_settings, *CHANGES})


def handle(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    if intent.kind == IntentKind.my_inferences:
        return inferences(ladder, uow, person, person)
    if intent.kind == IntentKind.privacy_settings:
        return settings_reply(uow, person)
    which, value = CHANGES[intent.kind]
    return set_opt_out(ladder, uow, person, person, which, value)


def _denied(intent: str, reason: str) -> Reply:
    return Reply(text=reason, ephemeral=True, data={"intent": intent, "denied": True})


# --------------------------------------------------------------------------- settings


def describe(opt: OptOuts) -> list[str]:
    inference = ("• Inference from your activity: *off* — inferred skills and course completions don't count, "
                 "and I read no activity signals about you." if opt.inference else
                 "• Inference from your activity: *on* — I may suggest skills from your work and count course "
                 "completions as weak (never verifying) evidence.")
    surfacing = ("• Shown to others: *no* — you're left out of readiness lists, the agent's readiness nudges and "
                 "the talent marketplace." if opt.surfacing else
                 "• Shown to others: *yes* — your manager may see you in readiness lists, and the agent may "
                 "suggest you for open opportunities.")
    return [inference, surfacing]


def settings_reply(uow: UnitOfWork, person: Person) -> Reply:
    permission = check(uow.people, person, Capability.view_inferences, person.id)
    if not permission.allowed:
        return _denied("privacy_settings", permission.reason)
    opt = uow.preferences.of(person.id)
    lines = ["*Your privacy settings*", *describe(opt),
             "Change them by saying e.g. “stop inferring skills from my activity”, “hide me from readiness lists”, "
             "or “you can show me to others again”."]
    return Reply(text="\n".join(lines), ephemeral=True,
                 data={"intent": "privacy_settings", "opt_out_inference": opt.inference, "opt_out_surfacing": opt.surfacing})


def set_opt_out(ladder: Ladder, uow: UnitOfWork, actor: Person, subject: Person, which: str, value: bool) -> Reply:
    intent = f"opt_{'out' if value else 'in'}_{which}"
    permission = check(uow.people, actor, Capability.set_opt_out, subject.id)
    if not permission.allowed:
        return _denied(intent, permission.reason)
    before, after = uow.preferences.set(subject.id, **{which: value}, at=ladder.now())
    changed = getattr(before, which) != getattr(after, which)
    if changed:
        uow.audit.record(action=f"privacy.{intent}", actor_id=actor.id, subject_id=subject.id,
                         object_type="privacy_preferences", object_id=str(subject.id),
                         detail={"opt_out_inference": after.inference, "opt_out_surfacing": after.surfacing}, at=ladder.now())
    done = {
        "opt_out_inference": "Done — I've stopped inferring skills from your activity. Inferred skills and course "
                             "completions no longer count anywhere, and I read no activity signals about you.",
        "opt_in_inference": "Done — I may infer skills from your activity again (you still confirm every suggestion).",
        "opt_out_surfacing": "Done — you're hidden from others: no readiness lists, no readiness nudges to managers, "
                             "no talent marketplace.",
        "opt_in_surfacing": "Done — you may appear in readiness lists and be suggested for opportunities again.",
    }[intent]
    text = done if changed else "That was already your setting — nothing changed."
    return Reply(text=text + "\n" + "\n".join(describe(after)), ephemeral=True,
                 data={"intent": intent, "changed": changed, "opt_out_inference": after.inference,
                       "opt_out_surfacing": after.surfacing})


# --------------------------------------------------------------------------- what Ladder inferred


def inferences(ladder: Ladder, uow: UnitOfWork, actor: Person, subject: Person) -> Reply:
    """What Ladder worked out about ``subject`` (inferred skills, readiness, agent proposals and why), set against
    what it was given (the HR record, their own claims, verified evidence)."""
    permission = check(uow.people, actor, Capability.view_inferences, subject.id)
    if not permission.allowed:
        return _denied("my_inferences", permission.reason)
    opt = uow.preferences.of(subject.id)
    history = uow.skills.evidence_history(subject.id, set_aside_too=True)
    labels = uow.skills.skill_labels(sorted({e.skill_id for e in history}))
    name = lambda sid: labels.get(sid, ("", f"skill {sid}"))[1]  # noqa: E731 - a short local lookup

    inferred = [e for e in history if e.evidence_type in FROM_ACTIVITY]
    lines = ["*What I inferred about you*"]
    if inferred:
        note = " (set aside: you opted out of inference, so none of these count)" if opt.inference else ""
        lines.append(f"Skills from your activity{note}:")
        for e in inferred[:MAX_LISTED]:
            status = STATUS_WORDS.get(e.status, e.status.value) if e.evidence_type == EvidenceType.inferred else "counts as weak evidence"
            lines.append(f"• {name(e.skill_id)} at level {e.level} — {WHERE_FROM[e.evidence_type]}"
                         f"{f' ({e.source})' if e.source else ''}, {status}")
        if len(inferred) > MAX_LISTED:
            lines.append(f"…and {len(inferred) - MAX_LISTED} more.")
    else:
        lines.append("• No skills inferred from your activity.")

    readiness = _readiness(ladder, uow, subject)
    lines.append("Readiness I computed from your verified skills:")
    lines += [f"• {r['label']} — {r['missing']} essential skill(s) to go, {r['have']} of {r['essential']} verified"
              for r in readiness] or ["• None yet (no verified skills)."]

    proposals = uow.proposals.about(subject.id, limit=MAX_LISTED, scope=scope_for(uow.people, actor, Capability.view_inferences))
    if proposals:
        lines.append("What the agent proposed about you, and why:")
        for p in proposals:
            lines.append(f"• #{p.id} {p.action_type.replace('_', ' ')} ({p.status.value}) — {p.rationale}")
    else:
        lines.append("• The agent has proposed nothing about you.")

    lines.append("*What I was given*")
    role = subject.role.label if subject.role else None
    record = ", ".join(x for x in (subject.job_title, role and f"role {role}",
                                   subject.manager and f"manager {subject.manager.name}") if x)
    lines.append(f"• HR record: {subject.name} ({subject.email})" + (f" — {record}" if record else ""))
    claims = [e for e in history if e.evidence_type == EvidenceType.self_assessment and e.status == EvidenceStatus.active]
    verified = [e for e in history if e.evidence_type in GIVEN_VERIFIED and e.status == EvidenceStatus.active]
    lines.append("• Your own claims: " + (", ".join(f"{name(e.skill_id)} (level {e.level})" for e in claims[:MAX_LISTED]) or "none"))
    lines.append("• Verified evidence: " + (", ".join(f"{name(e.skill_id)} ({e.evidence_type.value.replace('_', ' ')})"
                                                    for e in verified[:MAX_LISTED]) or "none"))
    lines += describe(opt)
    return Reply(text="\n".join(lines), ephemeral=True, data={
        "intent": "my_inferences", "person": subject.email,
        "inferred": [{"evidence_id": e.id, "skill": name(e.skill_id), "type": e.evidence_type.value, "level": e.level,
                      "source": e.source, "status": e.status.value, "counts": not opt.inference and e.status == EvidenceStatus.active}
                     for e in inferred],
        "readiness": readiness,
        "proposals": [{"id": p.id, "action_type": p.action_type, "status": p.status.value, "rationale": p.rationale}
                      for p in proposals],
        "given": {"claims": [e.id for e in claims], "verified": [e.id for e in verified]},
        "opt_out_inference": opt.inference, "opt_out_surfacing": opt.surfacing})


def _readiness(ladder: Ladder, uow: UnitOfWork, subject: Person) -> list[dict]:
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    have = HaveSets(proficiency.verified_levels(proficiency.evidence_items(uow.skills.evidence_for(subject.id)), ladder.now()))
    if not have.at(1):
        return []
    nearest = graph.closest(have, limit=3, exclude=(subject.role_id,) if subject.role_id else ())
    return [{"role_id": c.role_id, "label": graph.roles[c.role_id].label, "missing": c.missing, "have": c.have,
             "essential": c.essential} for c in nearest]
