"""Use case: `/ladder <subcommand>` — help for everyone, the rest for HR admins only.

The same text works in the terminal, as a Slack slash command and as a message in Teams. Every subcommand is
listed in ``ADMIN_COMMANDS`` below; nothing adds itself from elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from conversation import Reply
from handlers.access import is_admin
from handlers.approvals import admin_agent
from handlers.audit_log import admin_audit
from handlers.challenges import admin_challenges
from handlers.context import Ladder
from handlers.knowledge_answer import admin_kb
from handlers.policy import admin_policy
from handlers.privacy import admin_retention
from handlers.seed_demo import admin_seed
from storage import UnitOfWork
from storage.models import Person

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
• `/ladder retention` — how long personal free text is kept, and the last purge · `/ladder retention run` — purge now
• “export data for <person>” — everything Ladder holds about them, as files · “erase <person>” — an erasure request (an HR admin approves it)
Managers: “who on my team is ready for <role>?”, “team gaps for <role>”, “pending validations”, “my approvals”, “approve 12”, “reject 12 because …”, “override 12 with DS101 because …”
Everyone: “proposals about me”, “why was I recommended this?”, “I disagree with proposal 12 because …”, “export my data”, “delete my data”"""

# An admin subcommand: the application, the unit of work, the HR admin running it, and the rest of the line.
AdminCommand = Callable[[Ladder, UnitOfWork, Person, str], Reply]


def admin_status(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder status`: what Ladder knows, in numbers."""
    counts = uow.organisation.headcounts()
    facts = {
        "people": counts.people, "roles": counts.roles, "skills": counts.skills, "courses": counts.courses,
        "open opportunities": counts.open_opportunities, "pending proposals": counts.pending_proposals,
    }
    lines = ["*Ladder status*", f"Database: {ladder.db.dialect}"] + [f"• {k}: {v:,}" for k, v in facts.items()]
    return Reply(text="\n".join(lines), ephemeral=True, data={"intent": "admin_status", **{k.replace(" ", "_"): v for k, v in facts.items()}})


ADMIN_COMMANDS: dict[str, AdminCommand] = {
    "status": admin_status,
    "seed": admin_seed,
    "kb": admin_kb,
    "policy": admin_policy,
    "agent": admin_agent,
    "audit": admin_audit,
    "challenges": admin_challenges,
    "retention": admin_retention,
}


COMMAND_NAMES = frozenset(ADMIN_COMMANDS) | {"help"}  # what may follow "ladder" (with or without its slash)


def handle(ladder: Ladder, uow: UnitOfWork, person: Person | None, argument: str) -> Reply:
    name, _, rest = argument.strip().partition(" ")
    name = name.lower()
    if name in ("", "help"):
        return Reply(text=HELP, ephemeral=True, data={"intent": "admin_help"})
    command = ADMIN_COMMANDS.get(name)
    if command is None:
        return Reply(text=f"I don't know the command “{name}”. Try `/ladder help`.", ephemeral=True)
    if person is None or not is_admin(person):
        return Reply(text="Sorry — that command is for HR admins only. Ask your HR team if you need it run.", ephemeral=True,
                     data={"intent": "admin_denied", "command": name})
    return command(ladder, uow, person, rest)
