"""Erasure (GDPR Art. 17, CCPA right to delete): a request in chat becomes a card for HR; approved, the job removes
the person from every table, the vector store, conversation memory and caches; the audit trail keeps its entries
under a keyed pseudonym. Interrupted, it resumes. A second click erases nothing twice."""

from __future__ import annotations

from sqlalchemy import func, select

from approvals import policy
from approvals.actions import ActionType
from governance import audit_chain
from governance.permissions import Capability, Target, refusal
from governance.privacy.erasure import TABLE_STEPS, Erasure, step_names
from governance.privacy.pseudonym import pseudonym
from handlers.context import knowledge_base
from privacy_helpers import (DANIEL, MAYA, PRIYA, Victim, audit_spine, click, make_victim, person_id, prepare, say,
                             scan_chroma, scan_database)
from storage.models import AuditEvent, ErasureJob, Person, PolicySetting, Proposal, SkillEvidence


def _card_for(notifier, email: str, proposal_id: int):
    for reply in notifier.to(email):
        for card in reply.cards:
            if card.title.startswith(f"Proposal {proposal_id} "):
                return card
    raise AssertionError(f"no card for proposal {proposal_id} sent to {email}")


def test_erasure_end_to_end_leaves_no_trace_and_the_audit_trail_keeps_every_entry(fresh_demo, tmp_path):
    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    victim = make_victim(ladder, tmp_path)
    forgotten: list[tuple] = []
    ladder.caches.append(lambda ids, email: forgotten.append((tuple(ids), email)) or 1)
    chroma = knowledge_base(ladder).index.client
    assert scan_chroma(chroma, victim), "the handbook page should put the person in the vector store"
    assert scan_database(ladder.db, victim)

    asked = say(ladder, victim.email, "delete my data")
    assert asked.data["status"] == "requested", asked.text
    pid = asked.data["proposal_id"]
    card = _card_for(notifier, PRIYA, pid)
    assert [b.label for b in card.buttons] == ["Approve", "Reject"]  # approved or rejected, never changed
    assert "HR's approval" in card.footer
    with ladder.db.session() as s, s.begin():
        assert s.get(Proposal, pid).status.value == "proposed"  # nothing happens on its own
        assert s.scalar(select(func.count()).select_from(ErasureJob)) == 0
    assert say(ladder, victim.email, "delete my data").data["status"] == "already_requested"

    # Only HR decides: not the person, not their manager.
    approve = next(b.ref for b in card.buttons if b.label == "Approve")
    assert click(ladder, victim.email, approve).data.get("status") != "decided"
    by_manager = click(ladder, DANIEL, approve)
    assert by_manager.data.get("status") != "decided"
    assert refusal(Capability.approve_erasure, Target.report) in by_manager.text

    before = audit_spine(ladder.db)
    assert audit_chain.seal(ladder.db, ladder.now) == len(before)  # sealed before the erasure scrubs them
    clock.advance(minutes=5)
    done = click(ladder, PRIYA, approve)
    assert done.data.get("status") == "decided", done.text
    again = click(ladder, PRIYA, approve)  # the same click delivered twice
    assert again.data.get("status") != "decided" and "Already decided" in again.text

    with ladder.db.session() as s, s.begin():
        jobs = s.scalars(select(ErasureJob)).all()
        assert len(jobs) == 1 and jobs[0].status == "done", [(j.status, j.last_error) for j in jobs]
        assert set(jobs[0].steps) == set(step_names(ladder.erasure.stores))
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "privacy.erasure.completed")) == 1
        tombstone = s.get(Person, victim.id)
        assert tombstone.active is False and tombstone.name == "Erased person"
        ref = pseudonym(ladder.settings.pseudonym_key(), victim.id)
        assert jobs[0].pseudonym == ref
        about = s.scalars(select(AuditEvent).where(AuditEvent.subject_ref == ref)).all()
        assert len(about) >= 5 and all(e.subject_id is None for e in about)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.actor_ref == ref)) >= 1
        # Maya's own records stay; only the link to the erased person goes.
        maya_evidence = s.scalar(select(SkillEvidence).where(SkillEvidence.source.like("peer review by%")))
        assert maya_evidence is not None and maya_evidence.verifier_id is None
        assert s.get(Proposal, pid).status.value == "executed"

    found = scan_database(ladder.db, victim) + scan_chroma(chroma, victim)
    assert found == [], "\n".join(found[:20])
    # The audit trail kept every entry it had, in order, with the same times, actions and objects.
    after = audit_spine(ladder.db)
    assert after[:len(before)] == before
    # ... and still verifies: the chain holds across the scrubbed entries, which name the job that scrubbed them.
    verified = audit_chain.verify(ladder.db, ladder.now)
    assert verified.ok, verified.problems
    assert verified.unsealed == 0 and verified.sealed == len(after)
    with ladder.db.session() as s:
        scrubbed = s.scalars(select(AuditEvent).where(AuditEvent.redacted_by_job.is_not(None))).all()
        assert {e.redacted_by_job for e in scrubbed} == {jobs[0].id}
        written_before = {row[0] for row in before}
        assert {e.id for e in about if e.id in written_before} <= {e.id for e in scrubbed}
        assert verified.redacted == len(scrubbed)
    # Reported: the person when it started (their last message), HR when it finished; caches were told.
    assert any(r.data.get("intent") == "erasure_started" for r in notifier.to(victim.email))
    assert any(r.data.get("intent") == "erasure_done" for r in notifier.to(PRIYA))
    assert forgotten and victim.slack_id in forgotten[0][0]
    # Gone from chat too: the person is no longer recognised.
    assert "can't find you in the directory" in say(ladder, victim.email, "export my data").text


def test_hr_requests_an_erasure_for_someone_and_an_employee_cannot(fresh_demo, tmp_path):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    victim = make_victim(ladder, tmp_path, with_handbook=False)

    refused = say(ladder, MAYA, f"erase {victim.email}")
    assert refused.text == refusal(Capability.request_erasure, Target.anyone)
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Proposal).where(Proposal.action_type == "erase_person")) == 0

    asked = say(ladder, PRIYA, f"erase {victim.email}")
    assert asked.data["status"] == "requested", asked.text
    assert asked.data["approver_id"] == person_id(ladder, PRIYA)  # the demo's one HR admin
    card = _card_for(notifier, PRIYA, asked.data["proposal_id"])
    assert click(ladder, PRIYA, next(b.ref for b in card.buttons if b.label == "Approve")).data["status"] == "decided"
    assert scan_database(ladder.db, victim) == []


def test_no_policy_makes_erasure_automatic_or_switches_it_off(fresh_demo, tmp_path):
    ladder = fresh_demo
    prepare(ladder)
    for level in ("auto", "off"):
        reply = say(ladder, PRIYA, f"/ladder policy set erase_person {level}")
        assert "can only be approve" in reply.text, reply.text
    with ladder.db.session() as s, s.begin():  # even a row written behind the policy's back is not obeyed
        s.add(PolicySetting(action_type=ActionType.erase_person.value, autonomy="auto"))
    with ladder.db.unit_of_work() as uow:
        assert policy.autonomy_for(uow, ActionType.erase_person) == policy.Autonomy.approve
    victim = make_victim(ladder, tmp_path, with_handbook=False)
    asked = say(ladder, victim.email, "erase my data")
    with ladder.db.session() as s, s.begin():
        assert s.get(Proposal, asked.data["proposal_id"]).status.value == "proposed"
        assert s.scalar(select(func.count()).select_from(ErasureJob)) == 0
    assert say(ladder, PRIYA, f"reject {asked.data['proposal_id']} because we need it for a legal hold").data["status"] == "decided"
    assert scan_database(ladder.db, victim)  # rejected: nothing erased


class FailsOnce:
    """A store that is down the first time (a Chroma server restarting): the job stops there and resumes later."""

    name = "flaky"

    def __init__(self) -> None:
        self.calls = 0

    def forget(self, subject) -> int:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("store unavailable")
        return 0


def test_an_interrupted_erasure_resumes_after_its_last_finished_step(fresh_demo, tmp_path):
    ladder = fresh_demo
    _, notifier = prepare(ladder)
    flaky = FailsOnce()
    real = Erasure(ladder.db, ladder.settings.pseudonym_key(), now=ladder.now, notifier=ladder.notifiers,
                   stores=[flaky, *ladder.erasure.stores])
    assert "approvals" not in ladder.__dict__
    ladder.erasure = real  # what the approvals' executor will use (set before the first use of ladder.approvals)
    victim = make_victim(ladder, tmp_path)

    pid = say(ladder, victim.email, "delete my data").data["proposal_id"]
    card = _card_for(notifier, PRIYA, pid)
    assert click(ladder, PRIYA, next(b.ref for b in card.buttons if b.label == "Approve")).data["status"] == "decided"
    k = 1 + len(TABLE_STEPS)  # notify_subject and every table's step finished; the flaky store failed
    with ladder.db.session() as s, s.begin():
        job = s.scalars(select(ErasureJob)).one()
        assert job.status == "failed" and "step store:flaky failed" in job.last_error
        assert list(job.steps) == step_names(real.stores)[:k]
        first = dict(job.steps)
        job_id = job.id
    assert scan_database(ladder.db, victim)  # not finished: the directory row and chat accounts are still there

    from handlers import privacy_cli

    class Args:
        privacy_command, job_id = "resume", 0

    Args.job_id = job_id
    assert privacy_cli.run(Args, ladder) == 0  # `python app.py privacy resume ID`
    with ladder.db.session() as s, s.begin():
        job = s.get(ErasureJob, job_id)
        assert job.status == "done" and list(job.steps) == step_names(real.stores)
        assert {name: job.steps[name] for name in first} == first  # finished steps were not run again
    assert flaky.calls == 2
    found = scan_database(ladder.db, victim) + scan_chroma(knowledge_base(ladder).index.client, victim)
    assert found == [], "\n".join(found[:20])
    assert real.run(job_id).status == "done"  # running a finished job changes nothing


def test_cli_has_no_way_to_erase_without_approval():
    from app import parser

    privacy = parser()._subparsers._group_actions[0].choices["privacy"]
    commands = set(privacy._subparsers._group_actions[0].choices)
    assert commands == {"export", "jobs", "resume", "purge"}


def test_an_undecided_request_waits_a_month_then_goes_to_another_hr_admin_never_a_manager(fresh_demo, tmp_path):
    from approvals.service import sweep_deadlines
    from storage.models import AccessRole

    ladder = fresh_demo
    clock, notifier = prepare(ladder)
    victim = make_victim(ladder, tmp_path, with_handbook=False)
    with ladder.db.session() as s, s.begin():
        priya = s.scalar(select(Person).where(Person.email == PRIYA))
        priya.manager_id = s.scalar(select(Person.id).where(Person.email == MAYA))  # a manager who is not HR
        s.scalar(select(Person).where(Person.email == DANIEL)).access_role = AccessRole.hr_admin
    ladder.settings.approval_escalate_to = "manager"
    pid = say(ladder, victim.email, "delete my data").data["proposal_id"]
    with ladder.db.session() as s, s.begin():
        p = s.get(Proposal, pid)
        approver, expires = p.approver_id, p.expires_at
    assert (expires.replace(tzinfo=None) - clock().replace(tzinfo=None)).days == 30
    clock.advance(days=8)  # the agent's usual week has passed: still waiting
    sweep_deadlines(ladder.approvals)
    with ladder.db.session() as s, s.begin():
        assert s.get(Proposal, pid).escalated_at is None and s.get(Proposal, pid).approver_id == approver
    clock.advance(days=23)
    sweep_deadlines(ladder.approvals)
    with ladder.db.session() as s, s.begin():
        p = s.get(Proposal, pid)
        assert p.escalated_at is not None and p.status.value == "proposed"
        escalated_to = p.approver_id
    assert escalated_to not in (approver, person_id(ladder, MAYA))
    assert escalated_to in (person_id(ladder, PRIYA), person_id(ladder, DANIEL))
