"""Telling approvers about proposals: one digest message per person, with cards."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from approvals.approvers import delegate_active
from approvals.cards import proposal_card
from approvals.views import ProposalView, views
from conversation import Notifier, Reply
from storage import UnitOfWork

MAX_CARDS = 10


def notify_approvers(uow: UnitOfWork, notifier: Notifier, proposal_ids: list[int], *, today: dt.date,
                     heading: str = "waiting for your decision") -> int:
    """Sends each approver (or their active delegate) a digest of new cards; returns messages delivered."""
    if not notifier or not proposal_ids:
        return 0
    by_person: dict[int, list[ProposalView]] = defaultdict(list)
    proposals = uow.proposals.many(proposal_ids)
    approvers = {p.id: p for p in uow.people.listed({x.approver_id for x in proposals if x.approver_id})}
    for v in views(uow, proposals):
        approver = approvers.get(v.approver_id)  # type: ignore[arg-type]
        if approver is None:
            continue
        to = approver.delegate_id if delegate_active(approver, today) else approver.id
        by_person[to].append(v)  # type: ignore[index]
    emails = {pid: email for pid, (_, email) in uow.people.names_and_emails(by_person).items()}
    sent = 0
    for person_id, items in by_person.items():
        cards = [proposal_card(v, "approver") for v in items[:MAX_CARDS]]
        more = f" (showing {MAX_CARDS}; say “my approvals” for the rest)" if len(items) > MAX_CARDS else ""
        reply = Reply(text=f"*{len(items)} proposal(s) {heading}*{more}", cards=cards,
                      data={"intent": "approvals_digest", "proposals": [v.id for v in items]})
        sent += bool(notifier.notify(emails[person_id], reply))
    return sent
