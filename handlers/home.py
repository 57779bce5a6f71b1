"""Use case: a person's home page — verified skills, target role and path, and (for managers) decisions waiting.

Channel-neutral: Slack shows it as App Home, other channels may show it as a message.
"""

from __future__ import annotations

from approvals.approvers import decision_scope
from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from handlers import career_path
from handlers.context import Ladder
from skills_engine import proficiency
from storage import UnitOfWork
from storage.models import Person, Proposal

MAX_SKILLS_LISTED = 8
MAX_PROPOSALS = 10


def home(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    cards = [_skills_card(ladder, uow, person), _target_card(ladder, uow, person)]
    pending = uow.proposals.waiting_for(person.id, decision_scope(uow, person, ladder.now().date())[0])
    cards.extend(_proposal_card(uow, p) for p in pending[:MAX_PROPOSALS])
    lines = [f"*Hi {person.name.split()[0]}, here is where you stand*"]
    if pending:
        more = len(pending) - MAX_PROPOSALS
        lines.append(f"{len(pending)} decision(s) wait for you" + (f" — the oldest {MAX_PROPOSALS} are shown." if more > 0 else "."))
    return Reply(
        text="\n".join(lines),
        cards=cards,
        data={"intent": "home", "person": person.email, "pending_proposals": [p.id for p in pending]},
    )


def _skills_card(ladder: Ladder, uow: UnitOfWork, person: Person) -> Card:
    profile = proficiency.person_profile(uow.skills, person.id, ladder.now())
    verified = sorted((p for p in profile.values() if p.verified), key=lambda p: (-p.verified_level, -p.confidence, p.skill_id))
    unverified = sum(1 for p in profile.values() if not p.verified)
    labels = uow.skills.skill_labels([p.skill_id for p in verified[:MAX_SKILLS_LISTED]])
    if verified:
        body = "\n".join(
            f"• {labels[p.skill_id][1]} — {proficiency.LEVEL_NAMES[p.verified_level]}" for p in verified[:MAX_SKILLS_LISTED]
            if p.skill_id in labels
        )
        if len(verified) > MAX_SKILLS_LISTED:
            body += f"\n• …and {len(verified) - MAX_SKILLS_LISTED} more"
    else:
        body = "No verified skills yet: an assessment, a project outcome or a manager's validation verifies a skill."
    facts = [Fact(title="Verified skills", value=str(len(verified))),
             Fact(title="Claimed, not yet verified", value=str(unverified))]
    return Card(title="Your verified skills", body=body, facts=facts)


def _target_card(ladder: Ladder, uow: UnitOfWork, person: Person) -> Card:
    current = person.role.label if person.role else (person.job_title or "not recorded")
    role = person.target_role
    if role is None:
        return Card(title="Your target role", body=f"You are currently: {current}. No target role set yet — "
                    "ask me “what's my path to <role>?” and press “Set … as my target role”.")
    path = career_path.path_reply(ladder, uow, person, role)
    data = path.data
    missing = data.get("missing", [])
    facts = [Fact(title="Current role", value=current),
             Fact(title="Essential skills verified", value=f"{len(data.get('have', []))} / {len(data.get('have', [])) + len(missing)}")]
    plan = data.get("plan", {})
    if plan.get("courses"):
        facts.append(Fact(title="Estimated time", value=f"{plan['hours']:g} h (~{plan['weeks']} wk)"))
    first = data.get("top_missing") or missing  # the three the path answer opens with, chosen for why they matter
    body = ("Next to learn: " + ", ".join(m["label"] for m in first[:3])) if missing else "You have every essential skill verified."
    buttons = [Button(label=f"Show my path to {role.label}"[:75], ref=ActionRef(kind=ActionKind.show_path, target=str(role.id)).encode())]
    return Card(title=f"Target role: {role.label}", body=body, facts=facts, buttons=buttons)


def _proposal_card(uow: UnitOfWork, proposal: Proposal) -> Card:
    subject = uow.people.get(proposal.subject_id)
    who = subject.name if subject else f"person {proposal.subject_id}"
    facts = [Fact(title="For", value=who), Fact(title="Action", value=proposal.action_type.replace("_", " "))]
    if proposal.expires_at:
        facts.append(Fact(title="Decide by", value=proposal.expires_at.strftime("%Y-%m-%d")))
    target, version = str(proposal.id), proposal.version
    buttons = [
        Button(label="Approve", ref=ActionRef(kind=ActionKind.approve, target=target, version=version).encode(), style="primary"),
        Button(label="Reject", ref=ActionRef(kind=ActionKind.reject, target=target, version=version).encode(), style="danger"),
        Button(label="Override", ref=ActionRef(kind=ActionKind.override, target=target, version=version).encode()),
    ]
    return Card(title=f"Waiting for your decision: {proposal.action_type.replace('_', ' ')} for {who}",
                body=proposal.rationale or "", facts=facts, buttons=buttons, footer=proposal.policy_note or "")
