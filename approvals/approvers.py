"""Who decides a proposal: its approver, their delegate while they are away, or HR (``decide_proposal`` on
anyone). Never the subject. A manager's right to decide for their reports (the matrix's ``report`` cell) is
exercised through the proposals addressed to them: once one is escalated past them, it is no longer theirs."""

from __future__ import annotations

import datetime as dt
import logging

from governance.permissions import Capability, Permission, Role, Scope, Target, check, decide, refusal, roles_for, scope_for
from storage import UnitOfWork
from storage.models import Person, Proposal

log = logging.getLogger(__name__)


def hr_admins(uow: UnitOfWork) -> list[Person]:
    return uow.people.hr_admins()


def default_approver_id(uow: UnitOfWork, subject: Person) -> int | None:
    """The subject's manager; without one, the first HR admin who isn't the subject."""
    if subject.manager_id is not None and subject.manager_id != subject.id:
        return subject.manager_id
    for admin in hr_admins(uow):
        if admin.id != subject.id:
            return admin.id
    return None


def delegate_active(approver: Person | None, today: dt.date) -> bool:
    return bool(approver is not None and approver.delegate_id and approver.away_until and approver.away_until >= today)


def permission(uow: UnitOfWork, person: Person | None, proposal: Proposal, today: dt.date) -> Permission:
    """May this person decide this proposal? The designated approver and their delegate while they are away may
    (the designation is the grant); anyone else only through a role other than manager that the matrix lets
    decide about the subject (HR). Never the subject. Fails closed."""
    cap = Capability.decide_proposal
    try:
        if person is not None and person.active and person.id == proposal.subject_id:
            return Permission(False, cap, Target.self, "This proposal is about you, so you can't decide it — but you can challenge it.")
        if person is not None and person.active and person.id == proposal.approver_id:
            return Permission(True, cap, Target.report)
        approver = uow.people.get(proposal.approver_id)
        if person is not None and person.active and delegate_active(approver, today) and approver.delegate_id == person.id:  # type: ignore[union-attr]
            return Permission(True, cap, Target.report)
        matrix = check(uow.people, person, cap, proposal.subject_id)
        if not matrix:
            return matrix
        beyond_manager = decide(roles_for(uow.people, person) - {Role.manager}, cap, matrix.target)
        return beyond_manager if beyond_manager else Permission(False, cap, matrix.target, refusal(cap, Target.anyone))
    except Exception:  # noqa: BLE001 - governance fails closed
        log.exception("permission check failed; denying")
        return Permission(False, cap, Target.anyone, "I couldn't check your permissions just now, so I won't do that.")


def may_decide(uow: UnitOfWork, person: Person | None, proposal: Proposal, today: dt.date) -> bool:
    return permission(uow, person, proposal, today).allowed


def decision_scope(uow: UnitOfWork, person: Person, today: dt.date) -> tuple[Scope, list[int]]:
    """Whose proposals this person may see waiting for a decision, and as whose approver: their own
    ``decide_proposal`` scope widened by that of every away manager who handed them their decisions."""
    delegators = uow.people.away_delegators(person.id, today)
    scopes = [scope_for(uow.people, person, Capability.decide_proposal)]
    scopes += [scope_for(uow.people, d, Capability.decide_proposal) for d in uow.people.many(delegators).values()]
    if any(s.everyone for s in scopes):
        return Scope(None), [person.id, *delegators]
    return Scope(frozenset().union(*(s.person_ids or frozenset() for s in scopes))), [person.id, *delegators]


def belongs_to(uow: UnitOfWork, proposal: Proposal, today: dt.date) -> str:
    approver = uow.people.get(proposal.approver_id)
    if approver is None:
        return "an HR admin"
    if delegate_active(approver, today):
        delegate = uow.people.get(approver.delegate_id)
        if delegate is not None:
            return f"{approver.name} (or {delegate.name} while {approver.name.split()[0]} is away)"
    return approver.name
