"""End to end through the router (the terminal channel): for every role, a chat intent, an admin command and a
card click it may not use are refused — the reply says what is needed and who can grant it — and nothing
changes. Roles other than the demo's are given with `/ladder role set`, itself audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from conversation import ActionKind, ActionRef, Channel, Message, Reply
from handlers.router import Router
from storage.models import AccessRole, AuditEvent, Person, PolicySetting, Proposal, ProposalStatus
from tests.channel_helpers import make_proposal

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"


def say(ladder, email: str, text: str) -> Reply:
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id=f"t-{email}", text=text))


def click(ladder, email: str, kind: ActionKind, pid: int, version: int, form: dict | None = None) -> Reply:
    ref = ActionRef(kind=kind, target=str(pid), version=version)
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id=f"t-{email}",
                                         action=ref, form=form or {}, form_submitted=form is not None))


def _plain_people(ladder, n: int) -> list[str]:
    """Employees nobody reports to, outside Daniel's team (not Maya)."""
    with ladder.db.session() as s:
        daniel = s.scalar(select(Person.id).where(Person.email == DANIEL))
        managers = select(Person.manager_id).where(Person.manager_id.is_not(None))
        return list(s.scalars(select(Person.email).where(Person.access_role == AccessRole.employee, Person.id.not_in(managers),
                                                         Person.manager_id != daniel).order_by(Person.id).limit(n)))


def _state(ladder) -> dict:
    """What a refused request must leave as it was."""
    with ladder.db.session() as s:
        return {
            "proposals": sorted((p.id, p.status.value, p.version) for p in s.scalars(select(Proposal))),
            "roles": sorted((p.email, p.access_role.value) for p in s.scalars(select(Person))),
            "policy": sorted((p.action_type, p.level) for p in s.scalars(select(PolicySetting))),
            "people": s.scalar(select(func.count(Person.id))),
            "audit": s.scalar(select(func.count(AuditEvent.id))),
        }


def _refused(reply: Reply, *, grant: bool = True) -> None:
    assert reply.data.get("status") == "forbidden" or reply.data.get("intent") == "admin_denied", reply.data
    assert reply.ephemeral
    if grant:
        assert "Who can grant it" in reply.text, reply.text


@pytest.fixture
def org(fresh_demo):
    """The demo with one person in HR, one in L&D and one admin (granted by Priya, an HR admin)."""
    hr, learning, admin = _plain_people(fresh_demo, 3)
    for email, role in ((hr, "hr"), (learning, "learning"), (admin, "admin")):
        granted = say(fresh_demo, PRIYA, f"/ladder role set {email} {role}")
        assert granted.data["status"] == "changed" and granted.data["to"] == role, granted.text
    pid, version = make_proposal(fresh_demo, MAYA, DANIEL)
    return fresh_demo, {"employee": MAYA, "manager": DANIEL, "hr": hr, "learning": learning, "admin": admin}, (pid, version)


def test_granting_a_role_is_audited_and_shown(org):
    ladder, who, _ = org
    shown = say(ladder, PRIYA, f"/ladder role show {who['learning']}")
    assert shown.data["access_role"] == "learning" and "learning" in shown.data["roles"]
    with ladder.db.session() as s:
        target = s.scalar(select(Person.id).where(Person.email == who["learning"]))
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "person.access_role_set", AuditEvent.subject_id == target))
    assert event.detail == {"from": "employee", "to": "learning"}
    assert say(ladder, PRIYA, f"/ladder role set {who['learning']} wizard").data["status"] == "invalid"
    assert say(ladder, PRIYA, f"/ladder role set {who['learning']} learning").data["status"] == "unchanged"
    assert say(ladder, PRIYA, "/ladder role set nobody@nowhere.example hr").data["status"] == "unknown"
    # the new admin may now grant roles too (but, as the refusal test shows, not change their own)
    assert say(ladder, who["admin"], f"/ladder role set {who['hr']} employee").data["status"] == "changed"


# role -> (a chat message it may not send, an admin command it may not run, the card click it may not make)
CASES = {
    "employee": ("team gaps for data scientist", "/ladder policy set enrol_course auto", ("approve", "subject")),
    "manager": ("what challenges are waiting for review?", f"/ladder role set {MAYA} hr", ("approve", "outsider")),
    "hr": ("run the agent for me", "/ladder seed demo", ("approve", "self")),
    "learning": ("approve proposal {pid}", f"/ladder audit {MAYA}", ("approve", "maya")),
    "admin": ("who on my team is ready for data scientist?", "/ladder role set {me} employee", ("reject", "maya")),
}


@pytest.mark.parametrize("role", list(CASES))
def test_each_role_is_refused_what_it_may_not_do_and_nothing_changes(org, role):
    ladder, who, (pid, version) = org
    me = who[role]
    text, command, (verb, about) = CASES[role]
    if about == "outsider":  # a proposal about someone outside Daniel's line, addressed to Priya
        pid, version = make_proposal(ladder, who["hr"], PRIYA)
    elif about == "self":
        pid, version = make_proposal(ladder, me, PRIYA)
    before = _state(ladder)

    chat = say(ladder, me, text.format(pid=pid))
    _refused(chat)
    admin = say(ladder, me, command.format(me=me))
    _refused(admin)
    kind = ActionKind.approve if verb == "approve" else ActionKind.reject
    card = click(ladder, me, kind, pid, version, form={"reason": "no"} if verb == "reject" else None)
    assert card.data["status"] == "forbidden" and card.ephemeral, card.text
    if about in ("self", "subject"):
        assert "about you" in card.text and "challenge" in card.text
    if about not in ("self", "subject"):  # about oneself: the reply says so, and that one may challenge it
        assert "Who can grant it" in card.text or "belongs to" in card.text, card.text

    assert _state(ladder) == before
    with ladder.db.session() as s:
        assert s.get(Proposal, pid).status == ProposalStatus.proposed


def test_help_lists_only_what_each_role_may_use(org):
    ladder, who, _ = org
    listed = {role: set(say(ladder, email, "help").data["capabilities"]) for role, email in who.items()}
    assert "team_ready" not in listed["employee"] and "team_ready" in listed["manager"] and "team_ready" in listed["learning"]
    assert "set_policy" in listed["admin"] and "set_policy" not in listed["hr"] and "set_policy" not in listed["manager"]
    assert "resolve_challenge" in listed["hr"] and "resolve_challenge" not in listed["admin"]
    assert "career_path" in listed["employee"]
    commands = {role: set(say(ladder, email, "/ladder help").data["commands"]) for role, email in who.items()}
    assert commands["employee"] == {"audit"}  # their own trail
    assert {"role", "policy", "seed", "agent"} <= commands["admin"] and "role" not in commands["hr"]
