"""Telling approvers (and subjects) about proposals: one digest message per person, with cards."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import service
from storage.models import Person, Proposal

MAX_CARDS = 10


def notify_approvers(ladder, session: Session, proposal_ids: list[int], *, heading: str = "waiting for your decision") -> int:
    """Sends each approver (or their active delegate) a digest of new cards; returns messages delivered."""
    if not ladder.notifiers or not proposal_ids:
        return 0
    from approvals.cards import proposal_card
    from conversation import Reply

    today = ladder.now().date()
    by_person: dict[int, list[service.ProposalView]] = defaultdict(list)
    proposals = list(session.scalars(select(Proposal).where(Proposal.id.in_(proposal_ids))))
    approvers = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({x.approver_id for x in proposals if x.approver_id})))}
    for v in service.views(session, proposals):
        approver = approvers.get(v.approver_id)
        if approver is None:
            continue
        to = approver.delegate_id if service.delegate_active(approver, today) else approver.id
        by_person[to].append(v)
    emails = dict(session.execute(select(Person.id, Person.email).where(Person.id.in_(list(by_person)))).all())
    sent = 0
    for person_id, items in by_person.items():
        cards = [proposal_card(v, "approver") for v in items[:MAX_CARDS]]
        more = f" (showing {MAX_CARDS}; say “my approvals” for the rest)" if len(items) > MAX_CARDS else ""
        reply = Reply(text=f"*{len(items)} proposal(s) {heading}*{more}", cards=cards,
                      data={"intent": "approvals_digest", "proposals": [v.id for v in items]})
        sent += bool(ladder.notify(emails[person_id], reply))
    return sent


def notify_subject(ladder, session: Session, proposal_id: int, text: str) -> bool:
    if not ladder.notifiers:
        return False
    from approvals.cards import proposal_card
    from conversation import Reply

    v = service.view(session, proposal_id)
    if v is None or not v.subject_email:
        return False
    return ladder.notify(v.subject_email, Reply(text=text, cards=[proposal_card(v, "subject")], data={"intent": "proposal_notice", "proposal": v.id}))
