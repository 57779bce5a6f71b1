"""The terminal-chat walkthrough through Router.handle, and the audit trail of the whole lifecycle.

Manager Daniel sees the agent's proposals for his reports, approves one, overrides another with a
reason (the enrolments exist afterwards); employee Maya asks why and challenges; HR admin Priya sees
the challenge, resolves it, and Maya hears the outcome.
"""

from __future__ import annotations

from approvals_helpers import DANIEL, MAYA, PRIYA, click, person_id, prepare, say, without_seeded_targets
from sqlalchemy import select

from storage.models import AuditEvent, Challenge, Course, Enrolment, Person


def _set_target(ladder, email, role):
    path = say(ladder, email, f"what's my path to {role}?")
    return click(ladder, email, next(b.ref for b in path.actions() if b.ref.startswith("set_target")))


def test_manager_employee_and_hr_in_the_terminal(fresh_demo):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    without_seeded_targets(ladder)
    daniel_id, maya_id = person_id(ladder, DANIEL), person_id(ladder, MAYA)
    with ladder.db.session() as s, s.begin():
        colleague = s.scalar(select(Person.email).where(Person.manager_id == daniel_id, Person.id != maya_id).order_by(Person.id))
    assert _set_target(ladder, MAYA, "data scientist").data["changed"]
    assert _set_target(ladder, colleague, "software architect").data["changed"]

    # This walkthrough is about enrolments: stretch assignments (they'd be proposed for the same targets) are off.
    say(ladder, PRIYA, "/ladder policy set stretch_assignment off")
    run = say(ladder, PRIYA, "/ladder agent run")
    assert run.data["created"]["enrol_course"] == 2 and run.data["disabled"]["stretch_assignment"] >= 1

    # Daniel: the agent's proposals for his reports, as cards with Approve / Reject / Override.
    pending = say(ladder, DANIEL, "my approvals")
    subjects = {p["subject"]: p for p in pending.data["proposals"]}
    assert set(subjects) == {MAYA, colleague}
    assert all([b.label for b in card.buttons] == ["Approve", "Reject", "Override…"] for card in pending.cards)
    assert all("Needs your approval because" in card.footer for card in pending.cards)
    theirs, mayas = subjects[colleague], subjects[MAYA]

    approve_ref = next(b.ref for b in pending.actions() if b.ref.startswith(f"approve:{theirs['id']}:"))
    approved = click(ladder, DANIEL, approve_ref)
    assert approved.replace_original and approved.data["status"] == "decided"
    assert "Approved by Daniel Okafor" in approved.text

    overridden = say(ladder, DANIEL, f"override {mayas['id']} with DB120 because she should consolidate database design first")
    assert overridden.data["status"] == "decided"
    assert "Overridden by Daniel Okafor" in overridden.text and "consolidate database design" in overridden.text
    assert say(ladder, DANIEL, "my approvals").data["proposals"] == []

    with ladder.db.session() as s, s.begin():
        enrolled = {(e, c) for e, c in s.execute(select(Person.email, Course.code).join(Enrolment, Enrolment.person_id == Person.id)
                                                 .join(Course, Course.id == Enrolment.course_id).where(Enrolment.source.like("proposal:%")))}
    assert (MAYA, "DB120") in enrolled and (colleague, theirs["payload"]["course_code"]) in enrolled
    assert any("DB120" in r.text or "Database Design" in r.text for r in notifier.to(MAYA))

    # Maya: what was proposed about her, why, and a challenge.
    mine = say(ladder, MAYA, "proposals about me")
    assert [b.label for b in mine.cards[0].buttons] == ["Why this?", "Challenge"]
    why = say(ladder, MAYA, "why was I recommended this?")
    assert "Why Ladder proposed this" in why.text and "data scientist" in why.text and "Evidence:" in why.text
    assert "Overridden by Daniel Okafor" in why.text
    ask = click(ladder, MAYA, next(b.ref for b in mine.cards[0].buttons if b.label == "Challenge"))
    assert ask.data["intent"] == "challenge_form"
    challenged = say(ladder, MAYA, f"I disagree with proposal {mayas['id']} because I already design schemas every week")
    assert challenged.data["status"] == "opened"
    cid = challenged.data["challenge_id"]
    assert any(f"New challenge #{cid}" in r.text for r in notifier.to(PRIYA))
    assert "Only the person" in say(ladder, colleague, f"I disagree with proposal {mayas['id']} because no").text

    # Priya (HR admin): sees it, resolves it; Maya hears back.
    listed = say(ladder, PRIYA, "/ladder challenges")
    assert [c["id"] for c in listed.data["challenges"]] == [cid] and "already design schemas" in listed.text
    assert say(ladder, DANIEL, f"dismiss {cid} because nope").data["status"] == "forbidden"
    resolved = say(ladder, PRIYA, f"uphold {cid} because her project outcomes show schema design at level 3")
    assert resolved.data["status"] == "upheld" and resolved.data["notified"]
    assert any(f"challenge #{cid}" in r.text and "upheld" in r.text for r in notifier.to(MAYA))
    with ladder.db.session() as s, s.begin():
        c = s.get(Challenge, cid)
        assert (c.status, c.resolved_by) == ("upheld", person_id(ladder, PRIYA))

    audit = say(ladder, PRIYA, f"/ladder audit {MAYA}")
    actions = [e["action"] for e in audit.data["events"]]
    for expected in ("target_role.set", "proposal.created", "proposal.overridden", "proposal.executed", "enrolment.created",
                     "challenge.opened", "challenge.upheld"):
        assert expected in actions, expected
    assert "consolidate database design" in audit.text
    # The permission matrix: everyone may read their own trail (only events about them), nobody else's.
    own = say(ladder, MAYA, f"/ladder audit {MAYA}")
    assert own.data["intent"] == "admin_audit" and "challenge.opened" in [e["action"] for e in own.data["events"]]
    others = say(ladder, MAYA, f"/ladder audit {DANIEL}")
    assert others.data["intent"] == "admin_denied" and "who can grant it" in others.text.lower() and "events" not in others.data


def test_audit_rows_for_a_full_lifecycle(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    from approvals_helpers import propose_enrolment

    pid = propose_enrolment(ladder)
    say(ladder, DANIEL, f"override {pid} with DS110 because data mining comes first")
    say(ladder, MAYA, f"I disagree with proposal {pid} because I took it last year")
    say(ladder, PRIYA, "dismiss 1 because no completion is on record")
    with ladder.db.session() as s, s.begin():
        rows = list(s.scalars(select(AuditEvent).where(AuditEvent.subject_id == person_id(ladder, MAYA)).order_by(AuditEvent.id)))
    trail = [(r.action, r.actor_kind, r.actor_id) for r in rows]
    daniel, maya, priya = person_id(ladder, DANIEL), person_id(ladder, MAYA), person_id(ladder, PRIYA)
    assert trail == [
        ("proposal.created", "agent", None),
        ("proposal.overridden", "person", daniel),
        ("enrolment.created", "agent", None),
        ("proposal.executed", "system", None),
        ("challenge.opened", "person", maya),
        ("challenge.dismissed", "person", priya),
    ]
    created, overridden, _, executed, opened, dismissed = rows
    assert created.detail["action_type"] == "enrol_course" and created.detail["rationale"] and created.detail["evidence"]
    assert overridden.detail["reason"] == "data mining comes first"
    assert overridden.detail["changes"] == {"course": {"from": "DS101", "to": "DS110"}}
    assert executed.detail["result"].startswith("enrolled in DS110")
    assert opened.detail["reason"] == "I took it last year" and opened.detail["proposal_id"] == pid
    assert dismissed.detail["reason"] == "no completion is on record"
