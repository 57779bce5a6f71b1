"""One permission model, as data: which role may use which capability on whom.

Every entry point asks here — chat intents, admin commands, card clicks, the HTTP API, exports — and
queries are scoped with ``scope_for`` where the data is read. A person's roles come from their record:
everyone is an employee; a person with reports (or the manager access role) is a manager of *their own
reports*; the access roles ``hr``, ``learning`` (L&D) and ``admin`` add those roles; the legacy
``hr_admin`` access role is both HR and admin.

Governance fails closed: any exception while deciding means "no", with a reason a person can act on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from storage.scope import EVERYONE, NOBODY, Scope

__all__ = ["EVERYONE", "GRANTED_BY", "MATRIX", "NOBODY", "Capability", "Directory", "Permission", "Role", "Scope",
           "Target", "allowed_targets", "check", "decide", "may_use", "refusal", "roles_for", "roles_of", "scope_for"]

class Role(str, enum.Enum):
    employee = "employee"
    manager = "manager"
    hr = "hr"
    learning = "learning"  # L&D
    admin = "admin"


class Target(str, enum.Enum):
    self = "self"  # the actor is the subject
    report = "report"  # the subject is in the actor's reporting line (direct or below)
    anyone = "anyone"  # any other person (or no person at all: organisation-wide capabilities)


class Capability(str, enum.Enum):
    view_path = "view_path"  # career path, closest roles, stretch work for someone
    view_skills = "view_skills"  # skills profile, evidence, suggested skills
    claim_skill = "claim_skill"  # add a self-assessed claim, ask for validation
    validate_skill = "validate_skill"  # confirm a claimed skill as evidence
    set_target = "set_target"  # set someone's target role
    enrol = "enrol"  # enrol someone in a course
    view_team = "view_team"  # readiness and gaps across people (team_ready, team_gaps)
    view_proposals = "view_proposals"  # proposals about someone
    decide_proposal = "decide_proposal"  # approve, reject or override a proposal about someone
    challenge = "challenge"  # challenge a decision about someone
    resolve_challenge = "resolve_challenge"
    ask_handbook = "ask_handbook"
    manage_handbook = "manage_handbook"  # ingest and list documents
    manage_catalogue = "manage_catalogue"  # courses and their skill tags
    set_policy = "set_policy"  # the agent's autonomy policy
    run_agent = "run_agent"
    read_audit = "read_audit"  # the audit trail about someone
    admin_status = "admin_status"
    seed_demo = "seed_demo"
    manage_roles = "manage_roles"  # grant or remove an access role
    export_data = "export_data"  # everything Ladder holds about someone (GDPR Art. 15/20)
    request_erasure = "request_erasure"  # ask for someone's data to be erased (GDPR Art. 17)
    approve_erasure = "approve_erasure"  # decide an erasure request (an approval card for HR)
    manage_retention = "manage_retention"  # see and set the retention age, run the purge
    run_bias_audit = "run_bias_audit"
    view_demographics = "view_demographics"
    manage_keys = "manage_keys"  # encryption key rotation
    view_inferences = "view_inferences"  # what Ladder inferred about someone
    set_opt_out = "set_opt_out"  # opt someone out of inference or of being surfaced
    post_opportunity = "post_opportunity"  # post a project, gig or opening on the marketplace (as its owner)
    find_opportunities = "find_opportunities"  # open opportunities that fit someone's skills
    apply_opportunity = "apply_opportunity"  # apply to an opportunity, see one's applications
    view_shortlist = "view_shortlist"  # an opportunity's (blind) shortlist, shortlisting and offering: its owner only
    manage_opportunity = "manage_opportunity"  # edit or close an opportunity: its owner, or HR
    manage_digests = "manage_digests"  # digest schedules, people's time zones and quiet hours, a digest run now
    onboard_hire = "onboard_hire"  # register a new hire: directory record, mandatory courses, plan for the manager
    manage_mandatory_courses = "manage_mandatory_courses"  # which courses new hires must take
    assess_maturity = "assess_maturity"  # where the organisation sits on the maturity ladder; answer its questionnaire
    view_dashboard = "view_dashboard"  # sign in to the web dashboard (each page is then scoped by its own capability)
    manage_lms_clients = "manage_lms_clients"  # issue, list and revoke the xAPI credentials of an LMS
    author_course = "author_course"  # draft a course outline from a document; edit, approve or reject the draft
    share_work_artefact = "share_work_artefact"  # skills read from a text one shares about oneself, as suggestions
    forecast_gaps = "forecast_gaps"  # which skills the organisation (HR) or the team one leads (manager) will lack
    view_outcomes = "view_outcomes"  # outcome analytics: retention and ratings by learning (aggregates, groups of 5+)


S, R, A = Target.self, Target.report, Target.anyone
_SELF = frozenset({S})
_TEAM = frozenset({S, R})
_ALL = frozenset({S, R, A})
_NONE: frozenset[Target] = frozenset()

# capability -> role -> targets. A role missing from a row may do nothing with that capability.
MATRIX: dict[Capability, dict[Role, frozenset[Target]]] = {
    Capability.view_path: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL},
    Capability.view_skills: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL, Role.learning: _ALL},
    Capability.claim_skill: {Role.employee: _SELF},
    # A validation is manager-validation evidence: only someone above the person gives it (HR included).
    Capability.validate_skill: {Role.manager: frozenset({R}), Role.hr: frozenset({R})},
    Capability.set_target: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL},
    Capability.enrol: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL, Role.learning: _ALL},
    Capability.view_team: {Role.manager: _TEAM, Role.hr: _ALL, Role.learning: _ALL},
    Capability.view_proposals: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL},
    Capability.decide_proposal: {Role.manager: frozenset({R}), Role.hr: frozenset({R, A})},
    Capability.challenge: {Role.employee: _SELF, Role.manager: _TEAM},
    Capability.resolve_challenge: {Role.hr: frozenset({R, A})},
    Capability.ask_handbook: {Role.employee: _SELF},
    Capability.manage_handbook: {Role.hr: _ALL, Role.learning: _ALL, Role.admin: _ALL},
    Capability.manage_catalogue: {Role.learning: _ALL, Role.admin: _ALL},
    Capability.set_policy: {Role.admin: _ALL},
    Capability.run_agent: {Role.admin: _ALL},
    Capability.read_audit: {Role.employee: _SELF, Role.hr: _ALL, Role.admin: _ALL},
    Capability.admin_status: {Role.hr: _ALL, Role.learning: _ALL, Role.admin: _ALL},
    Capability.seed_demo: {Role.admin: _ALL},
    Capability.manage_roles: {Role.admin: frozenset({R, A})},
    Capability.export_data: {Role.employee: _SELF, Role.hr: _ALL},
    Capability.request_erasure: {Role.employee: _SELF, Role.hr: _ALL},
    Capability.approve_erasure: {Role.hr: frozenset({R, A})},
    Capability.manage_retention: {Role.admin: _ALL},
    Capability.run_bias_audit: {Role.hr: _ALL},
    Capability.view_demographics: {Role.hr: frozenset({R, A})},
    Capability.manage_keys: {Role.admin: _ALL},
    Capability.view_inferences: {Role.employee: _SELF, Role.hr: _ALL},
    Capability.set_opt_out: {Role.employee: _SELF, Role.hr: _ALL},
    # The marketplace: the subject is the opportunity's owner (post, shortlist, close) or the person matched / applying.
    Capability.post_opportunity: {Role.employee: _SELF},
    Capability.find_opportunities: {Role.employee: _SELF, Role.manager: _TEAM, Role.hr: _ALL},
    Capability.apply_opportunity: {Role.employee: _SELF},
    Capability.view_shortlist: {Role.employee: _SELF},
    Capability.manage_opportunity: {Role.employee: _SELF, Role.hr: _ALL},
    Capability.manage_digests: {Role.admin: _ALL},
    Capability.onboard_hire: {Role.hr: _ALL, Role.admin: _ALL},
    Capability.manage_mandatory_courses: {Role.hr: _ALL, Role.learning: _ALL, Role.admin: _ALL},
    Capability.assess_maturity: {Role.hr: _ALL, Role.admin: _ALL},
    Capability.view_dashboard: {Role.manager: _TEAM, Role.hr: _ALL, Role.learning: _ALL, Role.admin: _ALL},
    Capability.manage_lms_clients: {Role.admin: _ALL},
    Capability.author_course: {Role.learning: _ALL, Role.hr: _ALL, Role.admin: _ALL},
    Capability.share_work_artefact: {Role.employee: _SELF},
    Capability.forecast_gaps: {Role.manager: frozenset({R}), Role.hr: _ALL, Role.admin: _ALL},
    Capability.view_outcomes: {Role.hr: _ALL, Role.manager: _ALL},  # HR and leaders; figures of groups of 5 or more only
}

# What each capability lets a person do, in the words a refusal uses.
WORDS: dict[Capability, str] = {
    Capability.view_path: "see a career path", Capability.view_skills: "see a skills profile",
    Capability.claim_skill: "claim a skill", Capability.validate_skill: "validate a skill",
    Capability.set_target: "set a target role", Capability.enrol: "enrol someone in a course",
    Capability.view_team: "see team readiness and gaps", Capability.view_proposals: "see proposals",
    Capability.decide_proposal: "decide a proposal", Capability.challenge: "challenge a decision",
    Capability.resolve_challenge: "resolve a challenge", Capability.ask_handbook: "ask the handbook",
    Capability.manage_handbook: "manage the knowledge base", Capability.manage_catalogue: "manage the course catalogue",
    Capability.set_policy: "set the agent's policy", Capability.run_agent: "run the agent",
    Capability.read_audit: "read an audit trail", Capability.admin_status: "see Ladder's status",
    Capability.seed_demo: "reset the demo data", Capability.manage_roles: "change access roles",
    Capability.export_data: "export someone's data", Capability.request_erasure: "ask for data to be erased",
    Capability.approve_erasure: "decide an erasure request", Capability.manage_retention: "manage data retention",
    Capability.run_bias_audit: "run a bias audit", Capability.view_demographics: "see demographic data",
    Capability.manage_keys: "rotate encryption keys", Capability.view_inferences: "see what Ladder inferred",
    Capability.set_opt_out: "set an opt-out",
    Capability.post_opportunity: "post an opportunity", Capability.find_opportunities: "find opportunities that fit",
    Capability.apply_opportunity: "apply to an opportunity", Capability.view_shortlist: "see an opportunity's shortlist",
    Capability.manage_opportunity: "change or close an opportunity",
    Capability.manage_digests: "manage digest schedules",
    Capability.onboard_hire: "onboard a new hire", Capability.manage_mandatory_courses: "set which courses are mandatory",
    Capability.assess_maturity: "assess where the organisation sits on the maturity ladder",
    Capability.view_dashboard: "open the web dashboard",
    Capability.manage_lms_clients: "manage the xAPI credentials of an LMS",
    Capability.author_course: "draft, approve or reject a course",
    Capability.share_work_artefact: "read skills from a text you share about your own work",
    Capability.forecast_gaps: "forecast the skills a team or the organisation will be short of",
    Capability.view_outcomes: "see outcome analytics (retention and performance by learning)",
}

# Who can grant a missing role, in words a refusal can use.
GRANTED_BY: dict[Role, str] = {
    Role.employee: "everyone has it",
    Role.manager: "HR, by recording you as the person's manager",
    Role.hr: "an admin, with `/ladder role set <email> hr`",
    Role.learning: "an admin, with `/ladder role set <email> learning`",
    Role.admin: "an existing admin, with `/ladder role set <email> admin`",
}


class PersonLike(Protocol):
    id: int
    active: bool
    access_role: object


@dataclass(frozen=True)
class Permission:
    """The answer to "may this person do this to that one?": allowed, or why not and who can grant it."""

    allowed: bool
    capability: Capability
    target: Target
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def roles_of(person: PersonLike | None, *, has_reports: bool = False) -> frozenset[Role]:
    """The roles a person holds, read from their record (nobody, or an inactive record, holds none)."""
    try:
        if person is None or not person.active:
            return frozenset()
        access = getattr(person.access_role, "value", person.access_role)
        roles = {Role.employee}
        if has_reports or access == "manager":
            roles.add(Role.manager)
        if access in ("hr", "hr_admin"):
            roles.add(Role.hr)
        if access in ("admin", "hr_admin"):
            roles.add(Role.admin)
        if access == "learning":
            roles.add(Role.learning)
        return frozenset(roles)
    except Exception:  # noqa: BLE001 - governance fails closed
        return frozenset()


def allowed_targets(roles: frozenset[Role], capability: Capability) -> frozenset[Target]:
    row = MATRIX.get(capability, {})
    targets: set[Target] = set()
    for role in roles:
        targets |= row.get(role, _NONE)
    return frozenset(targets)


def decide(roles: frozenset[Role], capability: Capability, target: Target) -> Permission:
    """Pure: may someone holding ``roles`` use ``capability`` on a subject of kind ``target``?"""
    try:
        if target in allowed_targets(roles, capability):
            return Permission(True, capability, target)
        return Permission(False, capability, target, refusal(capability, target))
    except Exception:  # noqa: BLE001 - governance fails closed
        return Permission(False, capability, target, "I couldn't check your permissions just now, so I won't do that.")


def roles_that_may(capability: Capability, target: Target) -> list[Role]:
    return [role for role, targets in MATRIX.get(capability, {}).items() if target in targets]


def refusal(capability: Capability, target: Target) -> str:
    """What is needed and who can grant it, in plain words."""
    roles = roles_that_may(capability, target)
    what = WORDS.get(capability, capability.value.replace("_", " "))
    whom = {Target.self: "for yourself", Target.report: "for someone who reports to you", Target.anyone: "for other people"}[target]
    if roles and _organisation_wide(capability):
        return f"To {what} in Ladder you need to be " + " or ".join(_role_words(r) for r in roles) + "." + _grant(roles)
    if roles:
        return f"To {what} {whom}, you need to be " + " or ".join(_role_words(r) for r in roles) + "." + _grant(roles)
    # Nobody may do it to this kind of person: say to whom it can be done, by whom, and who grants that.
    for other in (Target.report, Target.self, Target.anyone):
        others = roles_that_may(capability, other)
        if others:
            whom_other = {Target.self: "for themselves", Target.report: "for people who report to them",
                          Target.anyone: "for anyone"}[other]
            return (f"Nobody can {what} {whom} in Ladder — only " + " or ".join(_role_nouns(r) for r in others)
                    + f" can, {whom_other}." + _grant(others))
    return f"Nobody can {what} {whom} in Ladder."


def refusal_at_all(capability: Capability) -> str:
    """Why someone may not use a capability on anybody: the roles that have it, and who grants them."""
    roles = [role for role in Role if MATRIX.get(capability, {}).get(role)]
    what = WORDS.get(capability, capability.value.replace("_", " "))
    if not roles:
        return f"Nobody can {what} in Ladder."
    words = {Role.manager: "a manager (for the people who report to you)"}
    return f"To {what} you need to be " + " or ".join(words.get(r, _role_words(r)) for r in roles) + "." + _grant(roles)


def _organisation_wide(capability: Capability) -> bool:
    """Every role that has it may use it on anyone: an act on the organisation, not on a person."""
    row = MATRIX.get(capability, {})
    return bool(row) and all(targets == _ALL for targets in row.values())


def _grant(roles: list[Role]) -> str:
    names = {Role.manager: "manager", Role.hr: "HR", Role.learning: "L&D", Role.admin: "admin"}
    grant = "; ".join(f"{names[role]}: {GRANTED_BY[role]}" for role in roles if role != Role.employee)
    return f" Who can grant it — {grant}." if grant else ""


def _role_nouns(role: Role) -> str:
    return {Role.employee: "employees", Role.manager: "their manager", Role.hr: "HR", Role.learning: "L&D",
            Role.admin: "admins"}[role]


def _role_words(role: Role) -> str:
    return {Role.employee: "an employee", Role.manager: "their manager", Role.hr: "in HR",
            Role.learning: "in L&D", Role.admin: "an admin"}[role]


class Directory(Protocol):
    """What the checks read about reporting lines (``storage.people.People`` is one)."""

    def is_in_reporting_line(self, manager_id: int, person_id: int) -> bool: ...

    def report_ids(self, manager_id: int) -> list[int]: ...


def target_of(directory: Directory, actor: PersonLike, subject_id: int | None) -> Target:
    """Self, own report, or anyone else (no subject at all counts as anyone: an organisation-wide act)."""
    if subject_id is not None and subject_id == actor.id:
        return Target.self
    if subject_id is not None and directory.is_in_reporting_line(actor.id, subject_id):
        return Target.report
    return Target.anyone


def check(directory: Directory, actor: PersonLike | None, capability: Capability,
          subject_id: int | None = None) -> Permission:
    """May ``actor`` use ``capability`` on the person ``subject_id`` (``None``: the organisation)?"""
    try:
        if actor is None or not actor.active:
            return Permission(False, capability, Target.anyone,
                              "I don't know who you are in Ladder yet, so I can't do that. Ask HR to add you.")
        target = Target.self if subject_id is None and _self_capability(capability) else target_of(directory, actor, subject_id)
        answer = decide(roles_of(actor, has_reports=target == Target.report), capability, target)
        if answer or Role.manager in roles_of(actor, has_reports=target == Target.report):
            return answer
        # Only when the record alone says no: does having reports (being a manager) change it?
        return decide(roles_of(actor, has_reports=bool(directory.report_ids(actor.id))), capability, target)
    except Exception:  # noqa: BLE001 - governance fails closed
        return Permission(False, capability, Target.anyone, "I couldn't check your permissions just now, so I won't do that.")


def scope_for(directory: Directory, actor: PersonLike | None, capability: Capability) -> Scope:
    """The people ``actor`` may read for ``capability``: what a query is filtered by where it reads."""
    try:
        if actor is None or not actor.active:
            return NOBODY
        reports = directory.report_ids(actor.id)
        targets = allowed_targets(roles_of(actor, has_reports=bool(reports)), capability)
        if Target.anyone in targets:
            return EVERYONE
        ids: set[int] = set()
        if Target.self in targets:
            ids.add(actor.id)
        if Target.report in targets:
            ids.update(reports)
        return Scope(frozenset(ids))
    except Exception:  # noqa: BLE001 - governance fails closed
        return NOBODY


def _self_capability(capability: Capability) -> bool:
    """Capabilities whose natural subject is the actor (no subject named means "me")."""
    row = MATRIX.get(capability, {})
    return Target.self in row.get(Role.employee, _NONE)


def roles_for(directory: Directory, person: PersonLike | None) -> frozenset[Role]:
    """The roles a person holds, their reporting line included (fails closed: no roles)."""
    try:
        if person is None or not person.active:
            return frozenset()
        return roles_of(person, has_reports=bool(directory.report_ids(person.id)))
    except Exception:  # noqa: BLE001 - governance fails closed
        return frozenset()


def may_use(directory: Directory, actor: PersonLike | None, capability: Capability) -> Permission:
    """May ``actor`` use ``capability`` on anybody at all? The gate in front of an entry point; the use case
    then checks the particular subject with ``check`` (or reads through ``scope_for``)."""
    try:
        if actor is None or not actor.active:
            return Permission(False, capability, Target.anyone,
                              "I don't know who you are in Ladder yet, so I can't do that. Ask HR to add you.")
        targets = allowed_targets(roles_of(actor), capability)  # the record alone: no directory read on the hot path
        if not targets and Role.manager not in roles_of(actor):
            targets = allowed_targets(roles_for(directory, actor), capability)
        if targets:
            return Permission(True, capability, min(targets, key=_NARROW.index))
        row = MATRIX.get(capability, {})
        narrowest = min((t for ts in row.values() for t in ts), key=_NARROW.index, default=Target.anyone)
        return Permission(False, capability, narrowest, refusal_at_all(capability))
    except Exception:  # noqa: BLE001 - governance fails closed
        return Permission(False, capability, Target.anyone, "I couldn't check your permissions just now, so I won't do that.")


_NARROW = [Target.self, Target.report, Target.anyone]
