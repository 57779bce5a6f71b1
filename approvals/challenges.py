"""Challenges: the person a proposal concerns disputes it; HR reviews; the outcome goes back to them."""

from __future__ import annotations

from dataclasses import dataclass

from approvals.deps import ApprovalsDeps
from approvals.views import views
from governance.permissions import Capability, Scope, check
from storage import UnitOfWork
from storage.models import Challenge, Proposal


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


def open_challenge(deps: ApprovalsDeps, person_id: int, proposal_id: int | None, reason: str, subject: str = "") -> Challenge:
    """Record a challenge (committed before anyone is told about it); raises ChallengeError."""
    reason = reason.strip()
    if not reason:
        raise ChallengeError("Tell me why you disagree — e.g. “I disagree with proposal 12 because I've already done that course”.")
    with deps.db.unit_of_work() as uow:
        if proposal_id is not None:
            p = uow.proposals.get(proposal_id)
            if p is None:
                raise ChallengeError(f"I can't find proposal {proposal_id}.")
            if p.subject_id != person_id:
                raise ChallengeError("Only the person a proposal is about can challenge it.")
            subject = subject or views(uow, [p])[0].summary
            existing = uow.proposals.open_challenge_by(person_id, p.id)
            if existing is not None:
                raise ChallengeError(f"You already challenged proposal {p.id} (challenge {existing.id}); HR will get back to you.")
        now = deps.now()
        c = Challenge(person_id=person_id, proposal_id=proposal_id, subject=subject, reason=reason, status="open", created_at=now)
        uow.add(c)
        uow.flush()
        uow.audit.record(action="challenge.opened", actor_id=person_id, subject_id=person_id, object_type="challenge",
                         object_id=str(c.id), at=now, detail={"proposal_id": proposal_id, "reason": reason, "subject": subject})
    return c


def resolve(deps: ApprovalsDeps, hr_id: int, challenge_id: int, outcome: str, reason: str) -> Challenge:
    """Uphold or dismiss an open challenge (committed before the person is told); raises ChallengeError."""
    if outcome not in ("upheld", "dismissed"):
        raise ChallengeError("A challenge is either upheld or dismissed.")
    reason = reason.strip()
    if not reason:
        raise ChallengeError("Give a reason — the person will see it, e.g. “uphold 3 because the course was already completed”.")
    with deps.db.unit_of_work() as uow:
        c = uow.proposals.challenge(challenge_id)
        if c is None:
            raise ChallengeError(f"There is no challenge {challenge_id}.")
        if c.status != "open":
            raise ChallengeError(f"Challenge {c.id} was already {c.status}: {c.resolution}")
        if c.person_id == hr_id:
            raise ChallengeError("You can't resolve your own challenge — another HR admin must.")
        permission = check(uow.people, uow.people.get(hr_id), Capability.resolve_challenge, c.person_id)
        if not permission:
            raise ChallengeError(permission.reason)
        now = deps.now()
        c.status, c.resolution, c.resolved_by, c.resolved_at = outcome, reason, hr_id, now
        uow.audit.record(action=f"challenge.{outcome}", actor_id=hr_id, subject_id=c.person_id, object_type="challenge",
                         object_id=str(c.id), at=now, detail={"proposal_id": c.proposal_id, "reason": reason})
    return c


def open_challenges(uow: UnitOfWork, readable: Scope, limit: int = 20) -> list[ChallengeView]:
    """Open challenges by the people ``readable`` covers (the reader's ``resolve_challenge`` scope)."""
    return [ChallengeView(c.id, name, email, c.proposal_id, c.subject, c.reason, c.status, c.resolution, None)
            for c, name, email in uow.proposals.open_challenges(limit, readable)]


def latest_proposal_about(uow: UnitOfWork, person_id: int) -> Proposal | None:
    latest = uow.proposals.about(person_id, limit=1, scope=Scope(frozenset({person_id})))
    return latest[0] if latest else None
