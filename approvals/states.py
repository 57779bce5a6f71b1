"""The proposal state machine's named states.

    proposed → approved | rejected | overridden | expired
    approved | overridden → executed | failed
"""

from __future__ import annotations

from typing import Literal

from storage.models import ProposalStatus

OPEN = ProposalStatus.proposed
DECIDED_OK = (ProposalStatus.approved, ProposalStatus.overridden)  # decided, waiting to be carried out

Verb = Literal["approve", "reject", "override"]
OUTCOME: dict[str, ProposalStatus] = {
    "approve": ProposalStatus.approved,
    "reject": ProposalStatus.rejected,
    "override": ProposalStatus.overridden,
}
