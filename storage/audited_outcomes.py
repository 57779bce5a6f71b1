"""Repository: what the bias audit audits — Ladder's own outputs about people, as plain rows.

No demographics here (``storage.demographics`` holds them, apart): these are the outcomes, keyed by person, that the
audit lines up with each person's categories.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Application, ApplicationStatus, Decision, Person, Proposal, ProposalStatus
from storage.repository import Repository
from storage.uow import UnitOfWork

APPROVED = (ProposalStatus.approved, ProposalStatus.overridden)  # a person said yes (an override: yes, changed)


def audited_outcomes(uow: UnitOfWork) -> "AuditedOutcomes":
    return AuditedOutcomes(uow._session)  # noqa: SLF001 - storage's own session


class AuditedOutcomes(Repository):
    def people_and_roles(self) -> list[tuple[int, int | None, int | None]]:
        """(person id, current role id, target role id) of every active person, by id."""
        return [tuple(r) for r in self._session.execute(
            select(Person.id, Person.role_id, Person.target_role_id).where(Person.active.is_(True)).order_by(Person.id))]

    def proposal_types_by_subject(self) -> dict[int, set[str]]:
        """Person id -> the action types of every proposal ever made about them (whatever became of it)."""
        out: dict[int, set[str]] = {}
        for subject_id, action_type in self._session.execute(select(Proposal.subject_id, Proposal.action_type).distinct()):
            out.setdefault(subject_id, set()).add(action_type)
        return out

    def human_decisions(self) -> list[tuple[int, int, bool]]:
        """(proposal id, subject id, approved?) of every proposal a person approved, overrode or rejected
        (the policy's automatic approvals have no decider, and are not a person's decision)."""
        rows = self._session.execute(
            select(Decision.proposal_id, Proposal.subject_id, Decision.outcome)
            .join(Proposal, Proposal.id == Decision.proposal_id)
            .where(Decision.outcome.in_((*APPROVED, ProposalStatus.rejected)), Decision.decider_id.is_not(None)).order_by(Decision.proposal_id))
        return [(pid, subject, outcome in APPROVED) for pid, subject, outcome in rows]

    def marketplace_applications(self) -> list[tuple[int, bool, bool]]:
        """(person id, shortlisted by the owner?, placed?) of every marketplace application, by application id."""
        rows = self._session.execute(select(Application.person_id, Application.revealed_at, Application.status).order_by(Application.id))
        return [(pid, revealed is not None, status == ApplicationStatus.placed) for pid, revealed, status in rows]
