"""Use cases: deciding proposals (cards and text commands), listing them, explaining them.

Clicks carry ``ActionRef(kind, proposal id, version)``; text commands ("approve 12", "reject 12
because …", "override 12 with DS101 because …") do the same without a version. All the rules —
who may decide, exactly-once, validation — live in ``approvals.service``; this module turns results
into replies.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from approvals import service
from approvals.actions import ActionType
from approvals.cards import evidence_lines, outcome_line, proposal_card
from conversation import ActionKind, Message, Reply
from handlers import audit_log, challenges, policy as _policy_commands  # noqa: F401 - registers /ladder subcommands
from handlers.access import is_admin  # MERGE: is_admin moved from handlers.admin
from handlers.context import Ladder
from storage.models import Course, Opportunity, Person, Proposal

VERBS = {ActionKind.approve: "approve", ActionKind.reject: "reject", ActionKind.override: "override"}

_DECIDE = re.compile(
    r"^(?P<verb>approve|reject|decline|override)\s+(?:proposal\s+)?#?(?P<id>\d+)"
    r"(?:\s+(?:with|to|->)\s+(?P<change>.+?))?"
    r"(?:\s*[,;:]?\s*(?:because|since|as|reason:?)\s+(?P<reason>.+?))?\s*[.!]*$",
    re.IGNORECASE | re.DOTALL,
)
_EXPLAIN_ID = re.compile(r"(?:proposal\s*#?|#|^(?:why|explain)\s+)(?P<id>\d+)\b", re.IGNORECASE)


def parse_decision(text: str) -> tuple[str, int, str | None, str | None] | None:
    m = _DECIDE.match(text.strip())
    if not m:
        return None
    verb = m.group("verb").lower()
    return ("reject" if verb == "decline" else verb), int(m.group("id")), m.group("change"), m.group("reason")


# --------------------------------------------------------------------------- clicks


def click(ladder: Ladder, session: Session, person: Person, message: Message) -> Reply:
    ref = message.action
    assert ref is not None
    proposal_id = int(ref.target)
    if ref.kind == ActionKind.explain:
        return explain(ladder, session, person, proposal_id)
    if ref.kind == ActionKind.challenge:
        return challenges.challenge(ladder, session, person, proposal_id, message.form.get("reason", ""), from_card=True)
    verb = VERBS[ref.kind]
    form = message.form or {}
    if verb == "override" and not (form.get("change", "").strip() and form.get("reason", "").strip()):
        return override_form(ladder, session, person, proposal_id, missing_reason=bool(form.get("change")))
    result = service.decide(ladder, session, proposal_id, person, verb, version=ref.version,
                            reason=form.get("reason"), change=form.get("change"))
    return decision_reply(result, from_card=True)


def decide_text(ladder: Ladder, session: Session, person: Person, text: str) -> Reply:
    parsed = parse_decision(text)
    if parsed is None:
        return Reply(text="Try “approve 12”, “reject 12 because …” or “override 12 with DS101 because …”.", ephemeral=True)
    verb, proposal_id, change, reason = parsed
    if verb == "override" and not (change and reason):
        return override_form(ladder, session, person, proposal_id, missing_reason=bool(change))
    result = service.decide(ladder, session, proposal_id, person, verb, reason=reason, change=change)  # type: ignore[arg-type]
    return decision_reply(result, from_card=False)


def decision_reply(result: service.DecisionResult, *, from_card: bool) -> Reply:
    v = result.view
    data = {"intent": "decision", "status": result.status, "proposal": v.as_data() if v else None}
    if result.status in ("forbidden", "invalid", "not_found", "busy"):
        return Reply(text=result.message, ephemeral=True, data=data)
    assert v is not None
    text = result.message
    outcome = outcome_line(v)
    if outcome and result.status == "decided":
        text += " " + outcome
    # The card is re-rendered in place: outcome, who decided, when, why (for the loser of a race too).
    return Reply(text=text, cards=[proposal_card(v, "approver")], replace_original=from_card, data=data)


def override_form(ladder: Ladder, session: Session, person: Person, proposal_id: int, *, missing_reason: bool) -> Reply:
    p = session.get(Proposal, proposal_id)
    if p is None:
        return Reply(text=f"I can't find proposal {proposal_id}.", ephemeral=True)
    today = ladder.now().date()
    if not service.may_decide(session, person, p, today):
        return Reply(text=f"This decision belongs to {service.belongs_to(session, p, today)}.", ephemeral=True,
                     data={"intent": "decision", "status": "forbidden"})
    hint = service.override_hint(p.action_type).format(id=p.id)
    options = _override_options(session, p)
    text = ("An override needs a reason. " if missing_reason else "Override: change the proposal and say why. ") + hint
    if options:
        text += "\nOptions: " + ", ".join(o["label"] for o in options[:12])
    return Reply(text=text, ephemeral=True, data={
        "intent": "override_form", "proposal_id": p.id, "version": p.version,
        "form": [{"name": "change", "label": "Change to", "required": True, "options": options},
                 {"name": "reason", "label": "Reason", "required": True}],
    })


def _override_options(session: Session, p: Proposal) -> list[dict[str, str]]:
    kind = ActionType(p.action_type)
    if kind in (ActionType.enrol_course, ActionType.adjust_path):
        return [{"value": c, "label": f"{c} {t}"} for c, t in session.execute(select(Course.code, Course.title).order_by(Course.code).limit(50))]
    if kind in (ActionType.readiness_nudge, ActionType.stretch_assignment):
        return [{"value": str(i), "label": t} for i, t in session.execute(
            select(Opportunity.id, Opportunity.title).where(Opportunity.status == "open").order_by(Opportunity.id).limit(50))]
    return []


# --------------------------------------------------------------------------- lists and explanations


def my_approvals(ladder: Ladder, session: Session, person: Person) -> Reply:
    pending = service.pending_for(session, person, ladder.now().date())
    if not pending:
        return Reply(text="Nothing is waiting for your decision right now.", data={"intent": "my_approvals", "proposals": []})
    scope = "all pending proposals (HR admin)" if is_admin(person) else "waiting for your decision"
    return Reply(text=f"*{len(pending)} proposal(s) {scope}*", cards=[proposal_card(v, "approver") for v in pending],
                 data={"intent": "my_approvals", "proposals": [v.as_data() for v in pending]})


def about_me(ladder: Ladder, session: Session, person: Person) -> Reply:
    rows = list(session.scalars(select(Proposal).where(Proposal.subject_id == person.id)
                                .order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(10)))
    if not rows:
        return Reply(text="Ladder hasn't proposed anything about you.", data={"intent": "proposals_about_me", "proposals": []})
    vs = service.views(session, rows)
    return Reply(text=f"*What Ladder proposed about you ({len(vs)})* — ask “why?” or challenge any of them.",
                 cards=[proposal_card(v, "subject") for v in vs], data={"intent": "proposals_about_me", "proposals": [v.as_data() for v in vs]})


def explain(ladder: Ladder, session: Session, person: Person, proposal_id: int | None) -> Reply:
    if proposal_id is None:
        p = challenges_latest(session, person)
        if p is None:
            return Reply(text="Ladder hasn't recommended anything for you yet, so there's nothing to explain.",
                         data={"intent": "explain", "proposal": None})
    else:
        p = session.get(Proposal, proposal_id)
        if p is None:
            return Reply(text=f"I can't find proposal {proposal_id}.", ephemeral=True)
    today = ladder.now().date()
    if p.subject_id != person.id and not service.may_decide(session, person, p, today):
        return Reply(text="Only the person a proposal is about, its approver or HR can see why it was made.", ephemeral=True,
                     data={"intent": "explain", "status": "forbidden"})
    v = service.views(session, [p])[0]
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


def challenges_latest(session: Session, person: Person) -> Proposal | None:
    from approvals.challenges import latest_proposal_about

    return latest_proposal_about(session, person)


def explain_text(ladder: Ladder, session: Session, person: Person, text: str) -> Reply:
    m = _EXPLAIN_ID.search(text)
    return explain(ladder, session, person, int(m.group("id")) if m else None)


# --------------------------------------------------------------------------- /ladder agent run


def _agent(ladder: Ladder, session: Session, args: str) -> Reply:
    if args.strip().lower() not in ("run", ""):
        return Reply(text="Usage: `/ladder agent run` — one pass of the agent now.", ephemeral=True)
    from agent.run import run_pass

    session.commit()  # the pass uses its own transactions
    report = run_pass(ladder)
    return Reply(text="\n".join(["*Agent run*", *report.lines()]), ephemeral=True, data={"intent": "agent_run", **report.as_data()})


# MERGE: the admin-command signature of handlers.admin.ADMIN_COMMANDS (the s-approvals branch has its own).
def admin_agent(ladder: Ladder, uow, actor: Person, args: str) -> Reply:
    return _agent(ladder, uow, args)
