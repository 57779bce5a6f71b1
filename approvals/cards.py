"""Card builders for proposals: pure functions from a ``ProposalView`` to a channel-neutral ``Card``."""

from __future__ import annotations

from conversation import ActionKind, ActionRef, Button, Card, Fact
from approvals.actions import LABELS, ActionType, plan_lines
from approvals.utc import when
from approvals.views import ProposalView

OUTCOME_WORDS = {
    "approved": "Approved", "rejected": "Rejected", "overridden": "Overridden", "expired": "Expired",
    "executed": "Done", "failed": "Failed",
}


def _ref(kind: ActionKind, v: ProposalView, versioned: bool = True) -> str:
    return ActionRef(kind=kind, target=str(v.id), version=v.version if versioned else None).encode()


def evidence_lines(v: ProposalView, limit: int = 6) -> list[str]:
    lines = []
    for item in v.evidence[:limit]:
        text = item.get("text") if isinstance(item, dict) else str(item)
        if text:
            lines.append(f"• {text}")
    if len(v.evidence) > limit:
        lines.append(f"• … and {len(v.evidence) - limit} more")
    return lines


def outcome_line(v: ProposalView) -> str:
    """Who decided what, when, why — and what happened next."""
    if v.status == "proposed":
        return ""
    if v.status == "expired":
        return f"Expired on {when(v.decided_at)}: nobody decided in time, so nothing was done."
    outcome = OUTCOME_WORDS.get(v.decision_outcome or v.status, v.status)
    if v.action_type == ActionType.onboarding_plan.value:  # the plan card's own verbs: Confirm, Adjust…
        outcome = {"Approved": "Confirmed", "Overridden": "Adjusted"}.get(outcome, outcome)
    line = f"{outcome} by {v.decider_name or 'someone'} on {when(v.decided_at)}"
    if v.decision_reason:
        line += f" — reason: {v.decision_reason}"
    if v.decision_changes:
        changed = "; ".join(f"{k}: {c.get('from')} → {c.get('to')}" for k, c in v.decision_changes.items() if isinstance(c, dict))
        line += f" (changed {changed})"
    line += "."
    if v.status == "executed":
        line += f" Carried out on {when(v.executed_at)}."
    elif v.status == "failed":
        line += f" Could not be carried out after {v.attempts} attempt(s): {v.last_error}. HR has the details in the audit trail."
    elif v.status in ("approved", "overridden") and v.last_error:
        line += f" Retrying (attempt {v.attempts} failed: {v.last_error})."
    return line


def proposal_card(v: ProposalView, audience: str = "approver") -> Card:
    """``audience`` approver: Approve / Reject / Override while open; subject: Why? / Challenge."""
    label = LABELS[ActionType(v.action_type)]
    body = [v.summary, "", v.rationale] if v.rationale else [v.summary]
    plan = v.action_type == ActionType.onboarding_plan.value
    if plan:  # the plan itself: what confirming it commits to (it changes with an adjustment; the evidence doesn't)
        body += ["", "The plan:", *(f"• {line}" for line in plan_lines(v.payload))]
    ev = evidence_lines(v)
    if ev:
        body += ["", "Evidence:", *ev]
    facts = [Fact(title="For", value=v.subject_name), Fact(title="Decides", value=v.approver_name)]
    if v.status == "proposed":
        facts.append(Fact(title="Decide by", value=when(v.expires_at)))
    facts.append(Fact(title="Status", value=OUTCOME_WORDS.get(v.status, "Waiting for a decision")))
    outcome = outcome_line(v)
    if outcome:
        facts.append(Fact(title="Outcome", value=outcome))
    buttons: list[Button] = []
    if v.status == "proposed" and audience == "approver":
        buttons = [
            Button(label="Confirm" if plan else "Approve", ref=_ref(ActionKind.approve, v), style="primary"),
            Button(label="Reject", ref=_ref(ActionKind.reject, v), style="danger"),
        ]
        if v.action_type != ActionType.erase_person.value:  # an erasure is approved or rejected, never changed
            buttons.append(Button(label="Adjust…" if plan else "Override…", ref=_ref(ActionKind.override, v)))
    elif audience == "subject":
        buttons = [Button(label="Why this?", ref=_ref(ActionKind.explain, v, False))]
        if v.status not in ("rejected", "expired"):
            buttons.append(Button(label="Challenge", ref=_ref(ActionKind.challenge, v, False), style="danger"))
    # An escalated proposal's note starts with the escalation sentence.
    return Card(title=f"Proposal {v.id} · {label}", body="\n".join(body), facts=facts, buttons=buttons, footer=v.policy_note)
