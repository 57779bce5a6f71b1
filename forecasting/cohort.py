"""A forecast gap answered with a course: a ``course_cohort`` proposal for HR or L&D to decide (approvals/), listing
the people of the scope who lack the skill at working level, for the shortest course in the catalogue that teaches it.

Who decides: the first L&D person, else the first HR admin — never the proposal's subject. The subject is the lead
of the team the cohort is for (their people are enrolled); for the whole organisation it is the person proposing,
so an organisation-wide cohort needs a second person in HR or L&D.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from approvals import policy
from approvals.actions import ActionType
from approvals.proposing import NewProposal, create
from storage import UnitOfWork
from storage.models import AccessRole, Person, Team
from storage.skills import CourseOffer

WORKING_LEVEL = 2  # below it a person is a cohort candidate (skills_engine.proficiency: "working")
MAX_COHORT = 20  # one course run; a larger gap takes more than one cohort


@dataclass(frozen=True)
class CohortResult:
    """What proposing a cohort did, once: ``message`` is for the person who clicked."""

    status: Literal["proposed", "already", "no_course", "nobody", "no_approver", "off", "unknown_skill"]
    message: str
    proposal_id: int | None = None
    approver_id: int | None = None


def course_for(uow: UnitOfWork, skill_id: int) -> CourseOffer | None:
    """The shortest course with an accepted tag for the skill (ties: the lower id), or None."""
    offers = uow.skills.courses_teaching([skill_id])
    return min(offers, key=lambda c: (c.duration_hours, c.course_id)) if offers else None


def dedupe_key(team: Team | None, skill_id: int) -> str:
    return f"course_cohort:{team.id if team else 'org'}:{skill_id}"


def propose(uow: UnitOfWork, proposer: Person, team: Team | None, skill: str, *, quarter: int, shortfall: float,
            now: dt.datetime, expiry_days: int) -> CohortResult:
    """One cohort proposal for the gap (once: a cohort still waiting for a decision is not proposed again)."""
    scope = team.name if team else "the organisation"
    skill_id = uow.skill_history.skill_id(skill)
    if skill_id is None:
        return CohortResult("unknown_skill", f"I no longer know the skill “{skill}”.")
    if policy.autonomy_for(uow, ActionType.course_cohort) == policy.Autonomy.off:
        return CohortResult("off", "Course cohorts are switched off in Ladder's policy (HR admins set it with /ladder policy), "
                                   "so I can't propose one.")
    waiting = uow.proposals.open_with_key(dedupe_key(team, skill_id))
    if waiting is not None:
        return CohortResult("already", f"A {skill} cohort for {scope} is already waiting for a decision (proposal "
                                       f"{waiting.id}) — nothing more to do.", waiting.id, waiting.approver_id)
    course = course_for(uow, skill_id)
    if course is None:
        return CohortResult("no_course", f"No course in the catalogue teaches {skill} yet, so I can't propose a cohort. "
                                         "You can post an opportunity for it instead, or ask L&D to add a course.")
    subject = uow.people.get(team.lead_id) if team is not None and team.lead_id else None
    subject = subject if subject is not None and subject.active else proposer
    approver = _approver(uow, subject)
    if approver is None:
        return CohortResult("no_approver", f"Nobody in HR or L&D other than you could approve a cohort for {scope}. "
                                           "Propose it for one team instead, or ask HR to name an L&D approver.")
    wanted = max(1, min(MAX_COHORT, math.ceil(shortfall)))
    people = uow.skill_history.cohort_candidates(team.id if team else None, skill_id, course.course_id,
                                                 below_level=WORKING_LEVEL, limit=wanted)
    if not people:
        return CohortResult("nobody", f"Everyone in {scope} who could join already holds {skill} at working level or "
                                      f"is enrolled in {course.code}, so there is nobody to put in a cohort.")
    payload = {"skill_id": skill_id, "skill": skill, "course_id": course.course_id, "course_code": course.code,
               "course": course.title, "team_id": team.id if team else None, "team": team.name if team else None,
               "size": len(people), "quarter": quarter, "person_ids": people, "requested_by": proposer.id}
    rationale = (f"{proposer.name} proposes this from the skill-gap forecast: {scope} is expected to be short of about "
                 f"{shortfall:.0f} {'person' if round(shortfall) == 1 else 'people'} with {skill} in quarter {quarter} "
                 f"ahead. {course.code} “{course.title}” ({course.duration_hours:g} h) teaches it.")
    evidence = [{"kind": "forecast", "text": f"forecast shortfall in {skill}: {shortfall:.1f} people in quarter {quarter} ahead"},
                {"kind": "cohort", "text": f"{len(people)} people without {skill} at working level, not yet enrolled"}]
    proposal = create(uow, NewProposal(ActionType.course_cohort, subject.id, approver.id, payload, rationale, evidence,
                                       dedupe_key(team, skill_id)),
                      level=policy.Autonomy.approve, now=now, expiry_days=expiry_days, created_by=f"person:{proposer.id}")
    uow.audit.record(action="forecast.cohort_proposed", actor_id=proposer.id, subject_id=subject.id, object_type="proposal",
                     object_id=str(proposal.id), at=now, detail={"skill_id": skill_id, "team_id": payload["team_id"],
                                                                 "course_id": course.course_id, "size": len(people)})
    return CohortResult("proposed", f"Proposed a cohort of {len(people)} from {scope} on {course.code} “{course.title}” "
                                    f"for {skill} (proposal {proposal.id}). {approver.name} decides; nobody is enrolled "
                                    "until then.", proposal.id, approver.id)


def _approver(uow: UnitOfWork, subject: Person) -> Person | None:
    """L&D first, then HR — anyone but the subject."""
    for person in [*uow.people.with_access_roles((AccessRole.learning,)), *uow.people.hr_admins()]:
        if person.id != subject.id:
            return person
    return None
