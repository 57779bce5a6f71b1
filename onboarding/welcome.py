"""The welcome a new hire gets on (or after) their start date, in a direct message: who their manager is, their
mandatory courses and where each stands, their first steps, and what they can ask Ladder. Built from the database
alone, so a pass on any process words it the same way."""

from __future__ import annotations

from approvals.actions import plan_lines
from conversation import Reply
from storage import UnitOfWork
from storage.models import Onboarding, Person, ProposalStatus

STATE_WORDS = {
    ProposalStatus.proposed: "waiting for your manager's approval",
    ProposalStatus.approved: "approved — enrolment on its way",
    ProposalStatus.overridden: "changed by your manager — enrolment on its way",
    ProposalStatus.executed: "you're enrolled",
    ProposalStatus.rejected: "not needed after all (your manager decided)",
    ProposalStatus.expired: "not decided yet — ask your manager",
    ProposalStatus.failed: "couldn't be arranged — HR has been told",
}
ASK_LADDER = [
    "“what's my path to {role}?” — the skills and courses for your role",
    "“my skills” — what Ladder knows about your skills, and how to add your own",
    "“how much parental leave do I get?” — questions about the handbook, answered with sources",
    "“proposals about me” — what Ladder has suggested for you, and why",
]


def welcome(uow: UnitOfWork, record: Onboarding, person: Person) -> Reply:
    manager = uow.people.get(person.manager_id) if person.manager_id else None
    role = person.role.label if person.role else (person.job_title or "your new role")
    lines = [f"*Welcome to the team, {person.name.split()[0]}!* I'm Ladder — I help you learn and grow here."]
    lines.append(f"Your manager is {manager.name} ({manager.email})." if manager else
                 "Your manager isn't recorded yet — HR will let you know who it is.")
    proposals = {p.id: p for p in uow.proposals.many(list(record.enrolment_proposal_ids or []))}
    courses = []
    for pid in record.enrolment_proposal_ids or []:
        p = proposals.get(pid)
        if p is not None:
            courses.append(f"• {p.payload.get('course_code')} “{p.payload.get('course_title')}” — {STATE_WORDS.get(p.status, p.status.value)}")
    lines += (["Your mandatory courses:", *courses] if courses else ["No courses are mandatory for you."])
    plan = uow.proposals.get(record.plan_proposal_id) if record.plan_proposal_id else None
    if plan is not None and plan.status in (ProposalStatus.approved, ProposalStatus.overridden, ProposalStatus.executed):
        lines += ["Your first 90 days (confirmed by your manager):", *(f"• {line}" for line in plan_lines(plan.payload))]
    else:
        lines += ["Your first steps:", "• Days 1–30: your mandatory courses, and meet the team",
                  "• Days 31–60: the first courses of your path and a stretch task with a buddy",
                  "• Days 61–90: a first check-in with your manager on the skills you've practised"]
        if plan is not None and plan.status == ProposalStatus.proposed:
            lines.append("Your manager is reviewing your 30/60/90-day plan; I'll tell you when it's confirmed.")
    path = [c.code for c in uow.onboarding.courses(list(record.path_course_ids or []))][:4]
    if path:
        lines.append(f"Your path as {role}: " + ", ".join(path) + " — ask me about any of them.")
    lines.append("You can ask me, for example:")
    lines += [f"• {line.format(role=role)}" for line in ASK_LADDER]
    return Reply(text="\n".join(lines), data={"intent": "onboarding_welcome", "person": person.email,
                                              "manager": manager.email if manager else None,
                                              "mandatory": [p.payload.get("course_code") for p in proposals.values()]})
