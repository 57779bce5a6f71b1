"""Who decides a proposal: its approver, their delegate while they are away, or an HR admin."""

from __future__ import annotations

import datetime as dt
import logging

from storage import UnitOfWork
from storage.models import AccessRole, Person, Proposal

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


def may_decide(uow: UnitOfWork, person: Person | None, proposal: Proposal, today: dt.date) -> bool:
    """The designated approver, their delegate while they are away, or an HR admin. Fails closed."""
    try:
        if person is None or not person.active or person.id == proposal.subject_id:
            return False
        if person.access_role == AccessRole.hr_admin or person.id == proposal.approver_id:
            return True
        approver = uow.people.get(proposal.approver_id)
        return delegate_active(approver, today) and approver.delegate_id == person.id  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - governance fails closed
        log.exception("permission check failed; denying")
        return False


def belongs_to(uow: UnitOfWork, proposal: Proposal, today: dt.date) -> str:
    approver = uow.people.get(proposal.approver_id)
    if approver is None:
        return "an HR admin"
    if delegate_active(approver, today):
        delegate = uow.people.get(approver.delegate_id)
        if delegate is not None:
            return f"{approver.name} (or {delegate.name} while {approver.name.split()[0]} is away)"
    return approver.name
