"""Who may decide, stale and duplicate clicks, override validation, the re-rendered card."""

from __future__ import annotations

import datetime as dt

from approvals_helpers import DANIEL, MAYA, PRIYA, button, click, person_id, prepare, proposal, propose_enrolment, say
from sqlalchemy import func, select

from storage.models import Decision, Enrolment, Person, ProposalStatus


def _other_manager(ladder) -> str:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(Person.email).where(Person.access_role == "manager", Person.email != DANIEL).order_by(Person.id))


def test_only_the_approver_delegate_or_hr_may_decide(fresh_demo):
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    pid = propose_enrolment(ladder)
    card = say(ladder, DANIEL, "my approvals")
    assert card.data["proposals"][0]["id"] == pid
    ref = button(card, "approve")

    outsider = _other_manager(ladder)
    denied = click(ladder, outsider, ref)
    assert denied.ephemeral and "this decision belongs to daniel okafor" in denied.text.lower()
    assert proposal(ladder, pid).status == ProposalStatus.proposed

    own = click(ladder, MAYA, ref)
    assert own.ephemeral and "about you" in own.text
    assert proposal(ladder, pid).status == ProposalStatus.proposed

    # Daniel is away: his delegate may decide until away_until, then no longer.
    with ladder.db.session() as s, s.begin():
        daniel = s.get(Person, person_id(ladder, DANIEL))
        delegate = s.scalar(select(Person).where(Person.email == outsider))
        daniel.delegate_id, daniel.away_until = delegate.id, clock().date() + dt.timedelta(days=2)
    listed = say(ladder, outsider, "my approvals")
    assert [p["id"] for p in listed.data["proposals"]] == [pid]
    clock.advance(days=3)
    assert "belongs to daniel okafor" in click(ladder, outsider, ref).text.lower()
    clock.advance(days=-3)
    ok = click(ladder, outsider, ref)
    assert ok.data["status"] == "decided" and ok.replace_original
    assert proposal(ladder, pid).status == ProposalStatus.executed

    pid2 = propose_enrolment(ladder, code="DS110")
    hr = say(ladder, PRIYA, f"reject {pid2} because budget is frozen this quarter")
    assert hr.data["status"] == "decided"
    assert proposal(ladder, pid2).status == ProposalStatus.rejected
    assert "Priya Raman" in hr.cards[0].facts[-1].value and "budget is frozen" in hr.cards[0].facts[-1].value


def test_stale_and_duplicate_clicks_change_nothing_and_say_who_decided(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    ref = button(say(ladder, DANIEL, "my approvals"), "reject")
    first = click(ladder, DANIEL, ref, {"reason": "not this quarter"}, form_submitted=True)
    assert first.data["status"] == "decided" and first.replace_original
    outcome = next(f.value for f in first.cards[0].facts if f.title == "Outcome")
    assert "Rejected by Daniel Okafor" in outcome and "not this quarter" in outcome
    assert first.cards[0].buttons == []  # decided: no more buttons

    again = click(ladder, DANIEL, ref, {"reason": "not this quarter"}, form_submitted=True)  # the same click, delivered twice
    assert again.data["status"] == "stale" and again.replace_original
    assert "Already decided" in again.text and "rejected by Daniel Okafor" in again.text
    approve_old = click(ladder, DANIEL, ref.replace("reject", "approve"))
    assert approve_old.data["status"] == "stale"
    assert proposal(ladder, pid).status == ProposalStatus.rejected
    with ladder.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(Decision).where(Decision.proposal_id == pid)) == 1

    # An out-of-date version on a still-open proposal: nothing changes either.
    pid2 = propose_enrolment(ladder, code="DS110")
    stale = click(ladder, DANIEL, f"approve:{pid2}:99")
    assert stale.data["status"] == "stale" and proposal(ladder, pid2).status == ProposalStatus.proposed


def test_override_needs_a_reason_and_a_valid_change(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    pid = propose_enrolment(ladder)
    ref = button(say(ladder, DANIEL, "my approvals"), "override")

    form = click(ladder, DANIEL, ref)
    assert form.data["intent"] == "override_form" and {f.name for f in form.form.fields} == {"change", "reason"}
    assert click(ladder, DANIEL, ref, {"change": "DB101"}).ephemeral  # no reason
    bad = click(ladder, DANIEL, ref, {"change": "NOPE999", "reason": "better fit"})
    assert bad.data["status"] == "invalid" and "can't find a course" in bad.text
    same = say(ladder, DANIEL, f"override {pid} with DS101 because same")
    assert same.data["status"] == "invalid"
    assert say(ladder, DANIEL, f"override {pid} with DB101").data["intent"] == "override_form"
    assert proposal(ladder, pid).status == ProposalStatus.proposed

    done = click(ladder, DANIEL, ref, {"change": "DB101", "reason": "she needs SQL first"})
    assert done.data["status"] == "decided"
    p = proposal(ladder, pid)
    assert p.status == ProposalStatus.executed and p.payload["course_code"] == "DB101"
    outcome = next(f.value for f in done.cards[0].facts if f.title == "Outcome")
    assert "Overridden by Daniel Okafor" in outcome and "she needs SQL first" in outcome and "DS101 → DB101" in outcome
    with ladder.db.session() as s, s.begin():
        codes = {e.course_id for e in s.scalars(select(Enrolment).where(Enrolment.person_id == p.subject_id, Enrolment.source == f"proposal:{pid}"))}
    assert codes == {p.payload["course_id"]}


def test_checkin_override_validates_dates(fresh_demo):
    ladder = fresh_demo
    prepare(ladder)
    from agent.run import run_pass
    from approvals import policy

    with ladder.db.unit_of_work() as s:
        policy.set_level(s, "schedule_checkin", "approve", actor_id=None, now=ladder.now())
    report = run_pass(ladder.approvals, ladder.settings)
    assert report.created["schedule_checkin"] > 0
    pid = next(p for p in report.proposal_ids if proposal(ladder, p).action_type == "schedule_checkin")
    approver = proposal(ladder, pid).approver_id
    with ladder.db.session() as s, s.begin():
        email = s.get(Person, approver).email
    assert "isn't a date" in say(ladder, email, f"override {pid} with next tuesday because busy").text
    assert "in the past" in say(ladder, email, f"override {pid} with 2020-01-01 because busy").text
    ok = say(ladder, email, f"override {pid} with 2026-12-07 because I'm away until then")
    assert ok.data["status"] == "decided"
    assert proposal(ladder, pid).payload["date"] == "2026-12-07"


def test_a_stand_in_who_manages_nobody_may_decide_in_words_while_the_approver_is_away(fresh_demo):
    """Typed requests are gated on the capability before anything else; a delegate who is neither a manager nor HR
    must still reach the proposals they stand in for (as their card buttons do)."""
    ladder = fresh_demo
    clock, _ = prepare(ladder)
    pid = propose_enrolment(ladder)
    with ladder.db.session() as s, s.begin():
        managers = select(Person.manager_id).where(Person.manager_id.is_not(None))
        stand_in = s.scalar(select(Person).where(Person.access_role == "employee", Person.email != MAYA,
                                                 Person.id.not_in(managers)).order_by(Person.id))
        stand_in_email = stand_in.email
        assert say(ladder, stand_in_email, "my approvals").data["status"] == "forbidden"  # not standing in yet
        daniel = s.get(Person, person_id(ladder, DANIEL))
        daniel.delegate_id, daniel.away_until = stand_in.id, clock().date() + dt.timedelta(days=2)
    listed = say(ladder, stand_in_email, "my approvals")
    assert [p["id"] for p in listed.data["proposals"]] == [pid]
    decided = say(ladder, stand_in_email, f"approve {pid}")
    assert decided.data["status"] == "decided", decided.text
    assert proposal(ladder, pid).status == ProposalStatus.executed
    clock.advance(days=3)  # Daniel is back: the stand-in's words are refused again, as before
    assert say(ladder, stand_in_email, "my approvals").data["status"] == "forbidden"
