"""Use case: `/ladder <subcommand>` — help for everyone, the rest for HR admins only.

The same text works in the terminal, as a Slack slash command and as a message in Teams.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.messages import Reply
from handlers.context import Ladder
from storage.models import AccessRole, Course, Occupation, Opportunity, Person, Proposal, ProposalStatus, Skill

HELP = """*Ladder commands*
• Ask me “what's my path to <role>?” — e.g. “what's my path to data scientist?”
• “how do I become a DBA?”, “skills I need for software architect”, “and for cloud engineer?”
• `/ladder help` — this message
Admins only:
• `/ladder status` — what Ladder knows: people, roles, skills, courses, open proposals
• `/ladder seed demo` — reset the demo organisation (destroys demo data)"""


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
    from handlers.seed_demo import seed_demo  # imported lazily: only admins ever need it

    session.rollback()
    summary = seed_demo(ladder)
    return Reply(text=f"Demo organisation reset: {summary}.", ephemeral=True, data={"intent": "admin_seed"})


ADMIN_COMMANDS: dict[str, Callable[[Ladder, Session, str], Reply]] = {"status": _status, "seed": _seed}


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
    return command(ladder, session, rest)
