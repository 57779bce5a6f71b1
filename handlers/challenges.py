"""Use cases: a person challenges a proposal about them; HR reviews and resolves; the outcome goes back."""

from __future__ import annotations

from typing import Literal

from approvals import challenges as domain
from approvals import service
from conversation import ActionKind, ActionRef, Form, FormField, Reply
from governance.permissions import Capability
from handlers.access import gate, refused, scope
from handlers.approval_text import parse_challenge, parse_resolution
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

CHALLENGE_INTRO = "Say why you disagree. HR reviews every challenge, and nothing happens until they have."


def challenge_text(ladder: Ladder, uow: UnitOfWork, person: Person, text: str) -> Reply:
    parsed = parse_challenge(text)
    proposal_id, reason = (parsed.proposal_id, parsed.reason) if parsed else (None, "")
    if proposal_id is None:
        latest = domain.latest_proposal_about(uow, person.id)
        proposal_id = latest.id if latest is not None else None
    return challenge(ladder, uow, person, proposal_id, reason)


def challenge(ladder: Ladder, uow: UnitOfWork, person: Person, proposal_id: int | None, reason: str) -> Reply:
    if not reason.strip():
        return _challenge_form(proposal_id)
    try:
        uow.release()  # the domain runs its own transactions: hold no connection meanwhile
        c = domain.open_challenge(ladder.approvals, person.id, proposal_id, reason)
    except domain.ChallengeError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "challenge", "status": "refused"})
    for admin in service.hr_admins(uow):
        if admin.id != person.id:
            ladder.notify(admin.email, Reply(
                text=f"*New challenge #{c.id}* from {person.name}: {c.subject}\nReason: {c.reason}\n"
                     f"Resolve with “uphold {c.id} because …” or “dismiss {c.id} because …”.",
                data={"intent": "challenge_opened", "challenge_id": c.id}))
    return Reply(text=f"Thanks — your challenge (#{c.id}) is with HR review. Nothing will happen on this until they've looked; "
                      "you'll hear the outcome here.", data={"intent": "challenge", "status": "opened", "challenge_id": c.id,
                                                             "proposal_id": proposal_id})


def _challenge_form(proposal_id: int | None) -> Reply:
    """A challenge needs a reason. Without a proposal to attach it to there is nothing to submit, so only words."""
    target = f"proposal {proposal_id}" if proposal_id else "it"
    form = None if proposal_id is None else Form(
        title="Challenge this", submit=ActionRef(kind=ActionKind.challenge, target=str(proposal_id)).encode(),
        submit_label="Send to HR", intro=CHALLENGE_INTRO, fields=[FormField(name="reason", label="Why do you disagree?")])
    return Reply(text=f"Tell me why you disagree and I'll send it to HR review: “I disagree with {target} because …”.",
                 ephemeral=True, form=form, data={"intent": "challenge_form", "proposal_id": proposal_id})


def challenge_parts(ladder: Ladder, uow: UnitOfWork, person: Person, proposal_id: int | None, reason: str) -> Reply:
    """A challenge said in a plain sentence: no number means the latest proposal about the person."""
    if proposal_id is None:
        latest = domain.latest_proposal_about(uow, person.id)
        proposal_id = latest.id if latest is not None else None
    return challenge(ladder, uow, person, proposal_id, reason)


def resolve_text(ladder: Ladder, uow: UnitOfWork, person: Person, text: str) -> Reply:
    parsed = parse_resolution(text)
    if parsed is None:
        permission = gate(uow, person, Capability.resolve_challenge)
        if not permission:
            return refused(permission, "resolve_challenge")
        return Reply(text="Try “uphold 3 because …” or “dismiss 3 because …”.", ephemeral=True)
    return resolve_parts(ladder, uow, person, parsed.challenge_id, parsed.outcome, parsed.reason)


def resolve_parts(ladder: Ladder, uow: UnitOfWork, person: Person, challenge_id: int,
                  outcome: Literal["upheld", "dismissed"], reason: str) -> Reply:
    permission = gate(uow, person, Capability.resolve_challenge)
    if not permission:
        return refused(permission, "resolve_challenge")
    try:
        uow.release()  # the domain runs its own transactions: hold no connection meanwhile
        c = domain.resolve(ladder.approvals, person.id, challenge_id, outcome, reason)
    except domain.ChallengeError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "resolve_challenge", "status": "refused"})
    extra = ""
    if outcome == "upheld" and c.proposal_id is not None:
        uow.release()  # the domain runs its own transactions: hold no connection meanwhile
        result = service.decide(ladder.approvals, c.proposal_id, person.id, "reject", reason=f"challenge #{c.id} upheld: {c.resolution}")
        if result.status == "decided":
            extra = f" Proposal {c.proposal_id} was rejected as a result."
    subject = uow.people.get(c.person_id)
    delivered = False
    if subject is not None:
        delivered = ladder.notify(subject.email, Reply(
            text=f"HR has reviewed your challenge #{c.id} ({c.subject}): *{outcome}* by {person.name}. Reason: {c.resolution}.{extra}",
            data={"intent": "challenge_resolved", "challenge_id": c.id, "outcome": outcome}))
    return Reply(text=f"Challenge {c.id} {outcome}.{extra} "
                      + ("The person has been told." if delivered else "I couldn't reach the person in chat — please let them know."),
                 data={"intent": "resolve_challenge", "status": outcome, "challenge_id": c.id, "notified": delivered})


def admin_challenges(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder challenges`: the open challenges, oldest first."""
    items = domain.open_challenges(uow, scope(uow, actor, Capability.resolve_challenge))
    if not items:
        return Reply(text="No open challenges.", ephemeral=True, data={"intent": "admin_challenges", "challenges": []})
    lines = [f"*Open challenges ({len(items)})*"]
    for c in items:
        about = f"proposal {c.proposal_id}: " if c.proposal_id else ""
        lines.append(f"• #{c.id} {c.person_name} ({c.person_email}) — {about}{c.subject}\n  Reason: {c.reason}")
    lines.append("Resolve with “uphold <id> because …” or “dismiss <id> because …”.")
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "admin_challenges", "challenges": [c.__dict__ for c in items]})
