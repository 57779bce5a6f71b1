"""Use case: `/ladder <subcommand>` — help for everyone, the rest for HR admins only.

The same text works in the terminal, as a Slack slash command and as a message in Teams.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conversation import Reply
from handlers.context import Ladder
from storage.models import AccessRole, Course, Occupation, Opportunity, Person, Proposal, ProposalStatus, Skill

HELP = """*Ladder commands*
• Ask me “what's my path to <role>?” — e.g. “what's my path to data scientist?”
• “how do I become a DBA?”, “skills I need for software architect”, “and for cloud engineer?”
• “what roles am I closest to?”, “why do you think I know SQL?”, “I know Python at level 3”, “ask my manager to validate SQL”
• Policy questions: “how much parental leave do I get?”, “can I expense a conference?” — answered from the handbook, with sources
• `/ladder help` — this message
Admins only:
• `/ladder status` — what Ladder knows: people, roles, skills, courses, open proposals
• `/ladder seed demo` — reset the demo organisation (destroys demo data)
• `/ladder kb list` — documents in the knowledge base (add one: share it with me in a DM and say “add to knowledge base”)
• `/ladder policy` · `/ladder policy set <type> <auto|approve|off>` — the agent's autonomy per action type
• `/ladder agent run` — run the agent now · `/ladder audit <email>` — a person's audit trail
• `/ladder challenges` — open challenges (resolve: “uphold 3 because …” / “dismiss 3 because …”)
Managers: “who on my team is ready for <role>?”, “team gaps for <role>”, “pending validations”, “my approvals”, “approve 12”, “reject 12 because …”, “override 12 with DS101 because …”
Everyone: “proposals about me”, “why was I recommended this?”, “I disagree with proposal 12 because …”"""


def is_admin(person: Person | None) -> bool:
    """Fails closed: anything but a clear HR-admin record means no."""
    try:
        return bool(person is not None and person.active and person.access_role == AccessRole.hr_admin)
    except Exception:  # noqa: BLE001 - governance fails closed
        return False


def _status(ladder: Ladder, session: Session, _args: str) -> Reply:
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    pending = session.scalar(select(func.count()).select_from(Proposal).where(Proposal.status == ProposalStatus.proposed)) or 0
    facts = {
        "people": count(Person), "roles": count(Occupation), "skills": count(Skill), "courses": count(Course),
        "open opportunities": session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.status == "open")) or 0,
        "pending proposals": pending,
    }
    lines = ["*Ladder status*", f"Database: {ladder.db.dialect}"] + [f"• {k}: {v:,}" for k, v in facts.items()]
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "admin_status", **{k.replace(" ", "_"): v for k, v in facts.items()}})


def _seed(ladder: Ladder, session: Session, args: str) -> Reply:
    if args.strip().lower() != "demo":
        return Reply(text="Usage: `/ladder seed demo` (resets the demo organisation).", ephemeral=True)
    from handlers.kb_cli import ingest  # imported lazily: only admins ever need these
    from handlers.seed_demo import HANDBOOK, seed_demo

    session.rollback()
    summary = seed_demo(ladder)
    report = ingest(ladder, [str(HANDBOOK)], show_progress=False)
    return Reply(text=f"Demo organisation reset: {summary}. Handbook: {report.summary()}", ephemeral=True,
                 data={"intent": "admin_seed"})


from handlers import approvals, audit_log, challenges, policy  # noqa: E402  MERGE: temporary, until the explicit admin table lands

ADMIN_COMMANDS: dict[str, Callable[[Ladder, Session, str], Reply]] = {"status": _status, "seed": _seed,
    "policy": lambda ladder, uow, args: policy.admin_policy(ladder, uow, uow.proposals.person(current_actor()), args),  # MERGE: temporary
    "audit": lambda ladder, uow, args: audit_log.admin_audit(ladder, uow, uow.proposals.person(current_actor()), args),  # MERGE: temporary
    "challenges": lambda ladder, uow, args: challenges.admin_challenges(ladder, uow, uow.proposals.person(current_actor()), args),  # MERGE
    "agent": lambda ladder, uow, args: approvals.admin_agent(ladder, uow, uow.proposals.person(current_actor()), args),  # MERGE: temporary
}


def register(name: str, handler: Callable[[Ladder, Session, str], Reply]) -> None:
    """Later use cases (policy, audit, kb, …) add their admin subcommands here."""
    ADMIN_COMMANDS[name] = handler


def handle(ladder: Ladder, session: Session, person: Person | None, argument: str) -> Reply:
    name, _, rest = argument.strip().partition(" ")
    name = name.lower()
    if name in ("", "help"):
        return Reply(text=HELP, ephemeral=True, data={"intent": "admin_help"})
    command = ADMIN_COMMANDS.get(name)
    if command is None:
        return Reply(text=f"I don't know the command “{name}”. Try `/ladder help`.", ephemeral=True)
    if not is_admin(person):
        return Reply(text="Sorry — that command is for HR admins only. Ask your HR team if you need it run.", ephemeral=True,
                     data={"intent": "admin_denied", "command": name})
    token = _ACTOR.set(person.id if person is not None else None)
    try:
        return command(ladder, session, rest)
    finally:
        _ACTOR.reset(token)


# Who runs the current admin command, for subcommands that audit their changes (policy, challenges).
_ACTOR: contextvars.ContextVar[int | None] = contextvars.ContextVar("ladder_admin_actor", default=None)


def current_actor(_session: Session | None = None) -> int | None:
    return _ACTOR.get()
