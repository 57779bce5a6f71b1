"""The approvals API in one import, for callers outside the package (handlers, the agent, tests).

Nothing inside ``approvals`` imports this module; each name lives in the module that says what it is.
"""

from __future__ import annotations

from approvals.approvers import belongs_to, default_approver_id, delegate_active, hr_admins, may_decide
from approvals.deadlines import apply_deadline, sweep_deadlines
from approvals.decisions import DecisionResult, decide, stale_message, why_not
from approvals.deps import ApprovalsDeps, ApprovalSettings
from approvals.overrides import override_choices, override_hint, override_payload
from approvals.proposing import NewProposal, create, write
from approvals.states import DECIDED_OK, OPEN, OUTCOME, Verb
from approvals.utc import aware, when
from approvals.views import ProposalView, pending_for, view, views

__all__ = [
    "DECIDED_OK", "OPEN", "OUTCOME", "ApprovalSettings", "ApprovalsDeps", "DecisionResult", "NewProposal", "ProposalView",
    "Verb", "apply_deadline", "aware", "belongs_to", "create", "decide", "default_approver_id", "delegate_active",
    "hr_admins", "may_decide", "override_choices", "override_hint", "override_payload", "pending_for", "stale_message",
    "sweep_deadlines", "view", "views", "when", "why_not", "write",
]
