"""Use cases: deciding proposals (cards and text commands), listing them, explaining them, running the agent.

Clicks carry ``ActionRef(kind, proposal id, version)``; text commands ("approve 12", "reject 12
because …", "override 12 with DS101 because …") do the same without a version. A click that lacks its
inputs (an override without a change and a reason; a reject from a card, whose reason is optional) answers
with a ``Form``; its submission comes back as the same click with ``form_submitted``. All the rules — who
may decide, exactly-once, validation — live in ``approvals``; this module turns results into replies.
"""

from __future__ import annotations

import onboarding
from agent.run import run_pass
from approvals import service
from approvals.cards import evidence_lines, outcome_line, proposal_card
from approvals.challenges import latest_proposal_about
from conversation import ActionKind, ActionRef, Choice, Form, FormField, Message, Reply
from handlers import challenges
from handlers import marketplace as marketplace_handler
from governance.permissions import Capability
from handlers.access import allowed, scope
from handlers.approval_text import parse_decision, parse_explained_id
from handlers.context import Ladder
from storage import UnitOfWork
from storage.models import Person

VERBS: dict[ActionKind, service.Verb] = {ActionKind.approve: "approve", ActionKind.reject: "reject", ActionKind.override: "override"}
REJECT_INTRO = "Tell the person why (optional, but it helps). Your reason is recorded in the audit trail."
OVERRIDE_INTRO = "Say what should happen instead and why. Your reason is recorded in the audit trail."
ADJUST_INTRO = ("Change the buddy, the stretch task, the three check-in dates or the path courses — any of them — and say why. "
                "Your reason is recorded in the audit trail.")
PLAN_PLACEHOLDER = "buddy: alex@example.com; stretch: build the weekly report; checkins: 2027-01-08, 2027-02-05, 2027-03-05"


# --------------------------------------------------------------------------- clicks and text commands


def click(ladder: Ladder, uow: UnitOfWork, person: Person, message: Message) -> Reply:
    ref = message.action
    assert ref is not None
    proposal_id = int(ref.target)
    if ref.kind == ActionKind.explain:
        return explain(ladder, uow, person, proposal_id)
    if ref.kind == ActionKind.challenge:
        return challenges.challenge(ladder, uow, person, proposal_id, message.form.get("reason", ""))
    verb = VERBS[ref.kind]
    form = message.form or {}
    change, reason = form.get("change", "").strip(), form.get("reason", "").strip()
    if verb == "override" and not (change and reason):
        return override_form(ladder, uow, person, proposal_id, version=ref.version, change=change, from_card=True)
    if verb == "reject" and not message.form_submitted:
        return reject_form(ladder, uow, person, proposal_id, version=ref.version)
    uow.release()  # the domain runs its own transactions: hold no connection meanwhile
    result = service.decide(ladder.approvals, proposal_id, person.id, verb, version=ref.version, reason=reason, change=change)
    _after(ladder, uow, result)
    return decision_reply(result, from_card=True)


def decide_text(ladder: Ladder, uow: UnitOfWork, person: Person, text: str) -> Reply:
    parsed = parse_decision(text)
    if parsed is None:
        return Reply(text="Try “approve 12”, “reject 12 because …” or “override 12 with DS101 because …”.", ephemeral=True)
    return decide_parts(ladder, uow, person, parsed.verb, parsed.proposal_id, change=parsed.change, reason=parsed.reason)


def decide_parts(ladder: Ladder, uow: UnitOfWork, person: Person, verb: service.Verb, proposal_id: int, *,
                 change: str | None, reason: str | None) -> Reply:
    """A decision said in words, its parts already found (the exact command or a plain sentence)."""
    if verb == "override" and not (change and reason):
        return override_form(ladder, uow, person, proposal_id, version=None, change=change or "", from_card=False)
    uow.release()  # the domain runs its own transactions: hold no connection meanwhile
    result = service.decide(ladder.approvals, proposal_id, person.id, verb, reason=reason, change=change)
    _after(ladder, uow, result)
    return decision_reply(result, from_card=False)


def _after(ladder: Ladder, uow: UnitOfWork, result: service.DecisionResult) -> None:
    """What a decision means beyond the proposal (a rejected marketplace placement: the people involved hear it)."""
    if result.status == "decided" and result.view is not None:
        marketplace_handler.after_decision(ladder, uow, result.view.id, result.view.action_type)


def decision_reply(result: service.DecisionResult, *, from_card: bool) -> Reply:
    v = result.view
    data = {"intent": "decision", "status": result.status, "proposal": v.as_data() if v else None}
    if result.status in ("forbidden", "invalid", "not_found", "busy"):
        return Reply(text=result.message, ephemeral=True, error_id=result.error_id, data=data)
    assert v is not None
    text = result.message
    outcome = outcome_line(v)
    if outcome and result.status == "decided":
        text += " " + outcome
    # The card is re-rendered in place: outcome, who decided, when, why (for the loser of a race too).
    return Reply(text=text, cards=[proposal_card(v, "approver")], replace_original=from_card, data=data)


# --------------------------------------------------------------------------- forms


def reject_form(ladder: Ladder, uow: UnitOfWork, person: Person, proposal_id: int, *, version: int | None) -> Reply:
    """A reject click from a card asks for an optional reason first (unless the decision can't happen)."""
    refused = service.why_not(uow, proposal_id, person, ladder.now().date(), version=version)
    if refused is not None:
        return decision_reply(refused, from_card=True)
    submit = _submit_ref(uow, ActionKind.reject, proposal_id, version)
    form = Form(title="Reject proposal", submit=submit.encode(), submit_label="Reject", intro=REJECT_INTRO,
                fields=[FormField(name="reason", label="Reason", required=False)])
    return Reply(text=f"Reject proposal {proposal_id}? {REJECT_INTRO}", ephemeral=True, form=form,
                 data={"intent": "reject_form", "proposal_id": proposal_id, "version": submit.version})


def override_form(ladder: Ladder, uow: UnitOfWork, person: Person, proposal_id: int, *, version: int | None, change: str,
                  from_card: bool) -> Reply:
    """What an override needs (a change and a reason), with the choices it can switch to."""
    refused = service.why_not(uow, proposal_id, person, ladder.now().date(), version=version)
    if refused is not None:
        return decision_reply(refused, from_card=from_card)
    submit = _submit_ref(uow, ActionKind.override, proposal_id, version)
    action_type = uow.proposals.get(proposal_id).action_type  # type: ignore[union-attr] - why_not found it
    choices = [Choice(label=label, value=value) for label, value in service.override_choices(uow, action_type)]
    text = ("An override needs a reason. " if change else "Override: change the proposal and say why. ")
    text += service.override_hint(action_type).format(id=proposal_id)
    if choices:
        text += "\nOptions: " + ", ".join(c.label for c in choices[:12])
    picked = change if any(c.value == change for c in choices) else ""
    plan = action_type == "onboarding_plan"
    change_field = (FormField(name="change", label="Change to", kind="choice", choices=choices, initial=picked) if choices else
                    FormField(name="change", label="What to change" if plan else "Change to", kind="multiline" if plan else "text",
                              initial=change, placeholder=PLAN_PLACEHOLDER if plan else
                              "YYYY-MM-DD" if action_type == "schedule_checkin" else ""))
    form = Form(title="Adjust plan" if plan else "Override proposal", submit=submit.encode(),
                submit_label="Adjust" if plan else "Override", intro=ADJUST_INTRO if plan else OVERRIDE_INTRO,
                fields=[change_field, FormField(name="reason", label="Reason")])
    return Reply(text=text, ephemeral=True, form=form,
                 data={"intent": "override_form", "proposal_id": proposal_id, "version": submit.version})


def _submit_ref(uow: UnitOfWork, kind: ActionKind, proposal_id: int, version: int | None) -> ActionRef:
    """The click the form's submission performs: the card's version, or (a text command) the current one."""
    if version is None:
        version = uow.proposals.get(proposal_id).version  # type: ignore[union-attr] - the caller found it
    return ActionRef(kind=kind, target=str(proposal_id), version=version)


# --------------------------------------------------------------------------- lists and explanations


def my_approvals(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    pending = service.pending_for(uow, person, ladder.now().date())
    if not pending:
        return Reply(text="Nothing is waiting for your decision right now.", data={"intent": "my_approvals", "proposals": []})
    everyone = scope(uow, person, Capability.decide_proposal).everyone
    which = "all pending proposals (you may decide for anyone)" if everyone else "waiting for your decision"
    return Reply(text=f"*{len(pending)} proposal(s) {which}*", cards=[proposal_card(v, "approver") for v in pending],
                 data={"intent": "my_approvals", "proposals": [v.as_data() for v in pending]})


def about_me(ladder: Ladder, uow: UnitOfWork, person: Person) -> Reply:
    vs = service.views(uow, uow.proposals.about(person.id, limit=10, scope=scope(uow, person, Capability.view_proposals)))
    if not vs:
        return Reply(text="Ladder hasn't proposed anything about you.", data={"intent": "proposals_about_me", "proposals": []})
    return Reply(text=f"*What Ladder proposed about you ({len(vs)})* — ask “why?” or challenge any of them.",
                 cards=[proposal_card(v, "subject") for v in vs], data={"intent": "proposals_about_me", "proposals": [v.as_data() for v in vs]})


def explain(ladder: Ladder, uow: UnitOfWork, person: Person, proposal_id: int | None) -> Reply:
    if proposal_id is None:
        p = latest_proposal_about(uow, person.id)
        if p is None:
            return Reply(text="Ladder hasn't recommended anything for you yet, so there's nothing to explain.",
                         data={"intent": "explain", "proposal": None})
    else:
        p = uow.proposals.get(proposal_id)
        if p is None:
            return Reply(text=f"I can't find proposal {proposal_id}.", ephemeral=True)
    if not (allowed(uow, person, Capability.view_proposals, p.subject_id) or service.may_decide(uow, person, p, ladder.now().date())):
        permission = allowed(uow, person, Capability.view_proposals, p.subject_id)
        return Reply(text=f"Only the person a proposal is about, its approver or HR can see why it was made. {permission.reason}",
                     ephemeral=True, data={"intent": "explain", "status": "forbidden"})
    v = service.views(uow, [p])[0]
    lines = [f"*Why Ladder proposed this (proposal {v.id})*", v.summary, "", v.rationale]
    ev = evidence_lines(v, limit=12)
    if ev:
        lines += ["", "Evidence:", *ev]
    lines += ["", f"Policy: {v.policy_note}"]
    outcome = outcome_line(v)
    if outcome:
        lines.append(f"Outcome: {outcome}")
    if p.subject_id == person.id:
        lines.append(f"If you disagree, say “I disagree with proposal {v.id} because …” — HR will review it.")
    audience = "subject" if p.subject_id == person.id else "approver"
    return Reply(text="\n".join(lines), cards=[proposal_card(v, audience)], data={"intent": "explain", "proposal": v.as_data()})


def explain_text(ladder: Ladder, uow: UnitOfWork, person: Person, text: str) -> Reply:
    return explain(ladder, uow, person, parse_explained_id(text))


# --------------------------------------------------------------------------- /ladder agent run


def admin_agent(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder agent run`: one pass of the agent now (it works in its own transactions)."""
    if args.strip().lower() not in ("run", ""):
        return Reply(text="Usage: `/ladder agent run` — one pass of the agent now.", ephemeral=True)
    uow.release()  # the passes run their own transactions
    report = run_pass(ladder.approvals, ladder.settings)
    hires = onboarding.run(ladder.approvals)  # the onboarding pass rides along: new hires whose start date has come
    return Reply(text="\n".join(["*Agent run*", *report.lines(), *hires.lines()]), ephemeral=True,
                 data={"intent": "agent_run", **report.as_data(), "onboarding": hires.as_data()})
