"""Use case: `/ladder <subcommand>` — help for everyone, each other subcommand for whoever its capability allows.

The same text works in the terminal, as a Slack slash command and as a message in Teams. Every subcommand is
listed in ``ADMIN_COMMANDS`` below with the capability it needs (``governance.permissions``); nothing adds itself
from elsewhere, and a refusal says what is needed and who can grant it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from conversation import Reply
from governance.permissions import Capability
from handlers.access import gate, refused
from handlers.approvals import admin_agent
from handlers.audit_log import admin_audit
from handlers.challenges import admin_challenges
from handlers.context import Ladder
from handlers.digests import admin_digest
from handlers.knowledge_answer import admin_kb
from handlers.maturity import USAGE as MATURITY_USAGE, admin_maturity
from handlers.dashboard import USAGE as DASHBOARD_USAGE, admin_dashboard
from handlers.lms_clients import USAGE as LMS_USAGE, admin_lms
from handlers.authoring import USAGE as AUTHOR_USAGE, admin_author
from handlers.onboarding import HIRE_USAGE, MANDATORY_USAGE, admin_hire, admin_mandatory, admin_onboarding
from handlers.policy import admin_policy
from handlers.privacy import admin_retention
from handlers.roles import admin_role
from handlers.seed_demo import admin_seed
from storage import UnitOfWork
from storage.models import Person

HELP = """*Ladder commands*
• Ask me “what's my path to <role>?” — e.g. “what's my path to data scientist?”
• “how do I become a DBA?”, “skills I need for software architect”, “and for cloud engineer?”
• “what roles am I closest to?”, “why do you think I know SQL?”, “I know Python at level 3”, “ask my manager to validate SQL”
• Policy questions: “how much parental leave do I get?”, “can I expense a conference?” — answered from the handbook, with sources
• `/ladder help` — this message
Managers: “who on my team is ready for <role>?”, “team gaps for <role>”, “pending validations”, “my approvals”, “approve 12”, “reject 12 because …”, “override 12 with DS101 because …”
Everyone: “proposals about me”, “why was I recommended this?”, “I disagree with proposal 12 because …”, “export my data”, “delete my data”"""

# A subcommand's work: the application, the unit of work, the person running it, and the rest of the line.
AdminRun = Callable[[Ladder, UnitOfWork, Person, str], Reply]


class AdminCommand(NamedTuple):
    capability: Capability  # what running it needs (a command about one person checks that person too)
    run: AdminRun
    usage: str  # its help line


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
    "status": AdminCommand(Capability.admin_status, admin_status,
                           "`/ladder status` — what Ladder knows: people, roles, skills, courses, open proposals"),
    "seed": AdminCommand(Capability.seed_demo, admin_seed, "`/ladder seed demo` — reset the demo organisation (destroys demo data)"),
    "kb": AdminCommand(Capability.manage_handbook, admin_kb,
                       "`/ladder kb list` — documents in the knowledge base (add one: share it with me in a DM and say “add to knowledge base”)"),
    "policy": AdminCommand(Capability.set_policy, admin_policy,
                           "`/ladder policy` · `/ladder policy set <type> <auto|approve|off>` — the agent's autonomy per action type"),
    "agent": AdminCommand(Capability.run_agent, admin_agent, "`/ladder agent run` — run the agent now"),
    "audit": AdminCommand(Capability.read_audit, admin_audit,
                          "`/ladder audit <email>` · `/ladder audit proposal <id>` — an audit trail · "
                          "`/ladder audit verify` — check the trail's hash chain"),
    "challenges": AdminCommand(Capability.resolve_challenge, admin_challenges,
                               "`/ladder challenges` — open challenges (resolve: “uphold 3 because …” / “dismiss 3 because …”)"),
    "role": AdminCommand(Capability.manage_roles, admin_role,
                         "`/ladder role show <email>` · `/ladder role set <email> <employee|manager|hr|learning|admin|hr_admin>` — access roles"),
    "digest": AdminCommand(Capability.manage_digests, admin_digest,
                           "`/ladder digest show` · `/ladder digest schedule <manager|employee|learning> <mon 09:00|daily 08:00|off>` · "
                           "`/ladder digest run [kind]` · `/ladder digest timezone|quiet <email> <value>` — scheduled digests"),
    "hire": AdminCommand(Capability.onboard_hire, admin_hire, HIRE_USAGE + " — register a new hire"),
    "onboarding": AdminCommand(Capability.onboard_hire, admin_onboarding,
                               "`/ladder onboarding` — new hires and where each stands · `/ladder onboarding run` — the onboarding pass now"),
    "mandatory": AdminCommand(Capability.manage_mandatory_courses, admin_mandatory, MANDATORY_USAGE),
    "maturity": AdminCommand(Capability.assess_maturity, admin_maturity, MATURITY_USAGE),
    "dashboard": AdminCommand(Capability.view_dashboard, admin_dashboard, DASHBOARD_USAGE),
    "lms": AdminCommand(Capability.manage_lms_clients, admin_lms, LMS_USAGE),
    "author": AdminCommand(Capability.author_course, admin_author, AUTHOR_USAGE),
    "retention": AdminCommand(Capability.manage_retention, admin_retention,
                              "`/ladder retention` — how long personal free text is kept, and the last purge · "
                              "`/ladder retention run` — purge now"),
}


COMMAND_NAMES = frozenset(ADMIN_COMMANDS) | {"help"}  # what may follow "ladder" (with or without its slash)


def help_text(uow: UnitOfWork, person: Person | None) -> tuple[str, list[str]]:
    """The help message, with the subcommands this person may run (and only those)."""
    mine = [name for name, command in ADMIN_COMMANDS.items() if gate(uow, person, command.capability)]
    lines = [HELP]
    if mine:
        lines.append("Commands you may run:")
        lines += [f"• {ADMIN_COMMANDS[name].usage}" for name in mine]
    return "\n".join(lines), mine


def handle(ladder: Ladder, uow: UnitOfWork, person: Person | None, argument: str) -> Reply:
    name, _, rest = argument.strip().partition(" ")
    name = name.lower()
    if name in ("", "help"):
        text, mine = help_text(uow, person)
        return Reply(text=text, ephemeral=True, data={"intent": "admin_help", "commands": mine})
    command = ADMIN_COMMANDS.get(name)
    if command is None:
        return Reply(text=f"I don't know the command “{name}”. Try `/ladder help`.", ephemeral=True)
    permission = gate(uow, person, command.capability)
    if person is None or not permission:
        return refused(permission, "admin_denied", command=name)
    return command.run(ladder, uow, person, rest)
