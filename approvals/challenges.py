"""Challenges: the person a proposal concerns disputes it; HR reviews; the outcome goes back to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import service
from storage.audit import record
from storage.models import Challenge, Person, Proposal


class ChallengeError(ValueError):
    """Not allowed or not possible; the message is for the person."""


@dataclass
class ChallengeView:
    id: int
    person_name: str
    person_email: str
    proposal_id: int | None
    subject: str
    reason: str
    status: str
    resolution: str | None
    resolver_name: str | None


def open_challenge(ladder, session: Session, person: Person, proposal_id: int | None, reason: str, subject: str = "") -> Challenge:
    reason = reason.strip()
    if not reason:
        raise ChallengeError("Tell me why you disagree — e.g. “I disagree with proposal 12 because I've already done that course”.")
    if proposal_id is not None:
        p = session.get(Proposal, proposal_id)
        if p is None:
            raise ChallengeError(f"I can't find proposal {proposal_id}.")
        if p.subject_id != person.id:
            raise ChallengeError("Only the person a proposal is about can challenge it.")
        subject = subject or service.views(session, [p])[0].summary
        existing = session.scalar(select(Challenge).where(Challenge.proposal_id == p.id, Challenge.person_id == person.id,
                                                          Challenge.status == "open"))
        if existing is not None:
            raise ChallengeError(f"You already challenged proposal {p.id} (challenge {existing.id}); HR will get back to you.")
    now = ladder.now()
    c = Challenge(person_id=person.id, proposal_id=proposal_id, subject=subject, reason=reason, status="open", created_at=now)
    session.add(c)
    session.flush()
    record(session, action="challenge.opened", actor_id=person.id, subject_id=person.id, object_type="challenge",
           object_id=str(c.id), at=now, detail={"proposal_id": proposal_id, "reason": reason, "subject": subject})
    return c


def resolve(ladder, session: Session, hr: Person, challenge_id: int, outcome: str, reason: str) -> Challenge:
    if outcome not in ("upheld", "dismissed"):
        raise ChallengeError("A challenge is either upheld or dismissed.")
    reason = reason.strip()
    if not reason:
        raise ChallengeError("Give a reason — the person will see it, e.g. “uphold 3 because the course was already completed”.")
    c = session.get(Challenge, challenge_id)
    if c is None:
        raise ChallengeError(f"There is no challenge {challenge_id}.")
    if c.status != "open":
        raise ChallengeError(f"Challenge {c.id} was already {c.status}: {c.resolution}")
    if c.person_id == hr.id:
        raise ChallengeError("You can't resolve your own challenge — another HR admin must.")
    now = ladder.now()
    c.status, c.resolution, c.resolved_by, c.resolved_at = outcome, reason, hr.id, now
    record(session, action=f"challenge.{outcome}", actor_id=hr.id, subject_id=c.person_id, object_type="challenge",
           object_id=str(c.id), at=now, detail={"proposal_id": c.proposal_id, "reason": reason})
    return c


def open_challenges(session: Session, limit: int = 20) -> list[ChallengeView]:
    rows = session.execute(
        select(Challenge, Person.name, Person.email).join(Person, Person.id == Challenge.person_id)
        .where(Challenge.status == "open").order_by(Challenge.created_at, Challenge.id).limit(limit)
    ).all()
    return [ChallengeView(c.id, name, email, c.proposal_id, c.subject, c.reason, c.status, c.resolution, None) for c, name, email in rows]


def latest_proposal_about(session: Session, person: Person) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.subject_id == person.id).order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(1))
