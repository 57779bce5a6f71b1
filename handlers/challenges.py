"""Use cases: a person challenges a proposal about them; HR reviews and resolves; the outcome goes back."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from approvals import challenges as domain
from approvals import service
from conversation import Reply
from handlers.access import is_admin  # MERGE: is_admin moved from handlers.admin
from handlers.context import Ladder
from storage.models import Person

_CHALLENGE = re.compile(
    r"^(?:i\s+(?:disagree|object)|challenge)(?:\s+(?:with|to))?(?:\s+(?:proposal|recommendation)\s*#?(?P<id>\d+)|\s+#?(?P<id2>\d+))?"
    r"(?:\s+(?:this|that|it|the recommendation))?\s*[,;:]?\s*(?:because\s+(?P<reason>.+?))?\s*[.!]*$",
    re.IGNORECASE | re.DOTALL,
)
_RESOLVE = re.compile(r"^(?P<verb>uphold|dismiss)\s+(?:challenge\s+)?#?(?P<id>\d+)\s*[,;:]?\s*(?:because\s+)?(?P<reason>.*?)\s*[.!]*$",
                      re.IGNORECASE | re.DOTALL)


def parse_challenge(text: str) -> tuple[int | None, str] | None:
    m = _CHALLENGE.match(text.strip())
    if not m:
        return None
    pid = m.group("id") or m.group("id2")
    return (int(pid) if pid else None), (m.group("reason") or "").strip()


def challenge_text(ladder: Ladder, session: Session, person: Person, text: str) -> Reply:
    parsed = parse_challenge(text)
    proposal_id, reason = parsed if parsed else (None, "")
    if proposal_id is None:
        latest = domain.latest_proposal_about(session, person)
        proposal_id = latest.id if latest is not None else None
    return challenge(ladder, session, person, proposal_id, reason, from_card=False)


def challenge(ladder: Ladder, session: Session, person: Person, proposal_id: int | None, reason: str, *, from_card: bool) -> Reply:
    if not reason.strip():
        target = f"proposal {proposal_id}" if proposal_id else "it"
        return Reply(text=f"Tell me why you disagree and I'll send it to HR review: “I disagree with {target} because …”.",
                     ephemeral=True, data={"intent": "challenge_form", "proposal_id": proposal_id,
                                           "form": [{"name": "reason", "label": "Why do you disagree?", "required": True}]})
    try:
        c = domain.open_challenge(ladder, session, person, proposal_id, reason)
    except domain.ChallengeError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "challenge", "status": "refused"})
    session.commit()
    for admin in service.hr_admins(session):
        if admin.id != person.id:
            ladder.notify(admin.email, Reply(
                text=f"*New challenge #{c.id}* from {person.name}: {c.subject}\nReason: {c.reason}\n"
                     f"Resolve with “uphold {c.id} because …” or “dismiss {c.id} because …”.",
                data={"intent": "challenge_opened", "challenge_id": c.id}))
    return Reply(text=f"Thanks — your challenge (#{c.id}) is with HR review. Nothing will happen on this until they've looked; "
                      "you'll hear the outcome here.", data={"intent": "challenge", "status": "opened", "challenge_id": c.id,
                                                             "proposal_id": proposal_id})


def resolve_text(ladder: Ladder, session: Session, person: Person, text: str) -> Reply:
    if not is_admin(person):
        return Reply(text="Only HR admins can resolve challenges.", ephemeral=True, data={"intent": "resolve_challenge", "status": "forbidden"})
    m = _RESOLVE.match(text.strip())
    if not m:
        return Reply(text="Try “uphold 3 because …” or “dismiss 3 because …”.", ephemeral=True)
    outcome = "upheld" if m.group("verb").lower() == "uphold" else "dismissed"
    try:
        c = domain.resolve(ladder, session, person, int(m.group("id")), outcome, m.group("reason") or "")
    except domain.ChallengeError as exc:
        return Reply(text=str(exc), ephemeral=True, data={"intent": "resolve_challenge", "status": "refused"})
    session.commit()
    extra = ""
    if outcome == "upheld" and c.proposal_id is not None:
        result = service.decide(ladder, session, c.proposal_id, person, "reject", reason=f"challenge #{c.id} upheld: {c.resolution}")
        if result.status == "decided":
            extra = f" Proposal {c.proposal_id} was rejected as a result."
    subject = session.get(Person, c.person_id)
    delivered = False
    if subject is not None:
        delivered = ladder.notify(subject.email, Reply(
            text=f"HR has reviewed your challenge #{c.id} ({c.subject}): *{outcome}* by {person.name}. Reason: {c.resolution}.{extra}",
            data={"intent": "challenge_resolved", "challenge_id": c.id, "outcome": outcome}))
    return Reply(text=f"Challenge {c.id} {outcome}.{extra} "
                      + ("The person has been told." if delivered else "I couldn't reach the person in chat — please let them know."),
                 data={"intent": "resolve_challenge", "status": outcome, "challenge_id": c.id, "notified": delivered})


def _list(ladder: Ladder, session: Session, _args: str) -> Reply:
    items = domain.open_challenges(session)
    if not items:
        return Reply(text="No open challenges.", ephemeral=True, data={"intent": "admin_challenges", "challenges": []})
    lines = [f"*Open challenges ({len(items)})*"]
    for c in items:
        about = f"proposal {c.proposal_id}: " if c.proposal_id else ""
        lines.append(f"• #{c.id} {c.person_name} ({c.person_email}) — {about}{c.subject}\n  Reason: {c.reason}")
    lines.append("Resolve with “uphold <id> because …” or “dismiss <id> because …”.")
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "admin_challenges", "challenges": [c.__dict__ for c in items]})


# MERGE: the admin-command signature of handlers.admin.ADMIN_COMMANDS (the s-approvals branch has its own).
def admin_challenges(ladder: Ladder, uow, actor: Person, args: str) -> Reply:
    return _list(ladder, uow, args)
