"""Carrying out one approved action, behind an ``Executor`` interface.

The built-in ``LadderExecutor`` acts on Ladder's own tables (enrolments now; an LMS connector can subclass it
later) and tells people through the notifier. Every action is idempotent — running it twice leaves the same
state — so a retry after a crash or a lost race is safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from approvals.actions import ActionType, plan_lines
from conversation import Notifier, Reply
from storage import UnitOfWork
from storage.models import ApplicationStatus, Enrolment, EnrolmentStatus, Interest, OnboardingStatus, Proposal

if TYPE_CHECKING:
    from governance.privacy.erasure import Erasure


class ExecutionError(Exception):
    """The action can't be carried out; the message is written for people (it is shown on the card)."""


class TransientError(ExecutionError):
    """A failure worth retrying (a timeout, a 503 from an LMS)."""


@dataclass
class ActionContext:
    """What an executor acts with: this attempt's unit of work, the time, and a way to reach people."""

    uow: UnitOfWork
    now: dt.datetime
    notifier: Notifier
    # Side effects already recorded, as (audit action, proposal id), for the proposals a batch looked up at once.
    recorded: set[tuple[str, str]] = field(default_factory=set)
    looked_up: set[int] = field(default_factory=set)
    # Work that must wait until this attempt's transaction is committed (an erasure job runs in steps of its own).
    after_commit: list[Callable[[], object]] = field(default_factory=list)

    def already(self, proposal: Proposal, action: str) -> bool:
        """Whether this side effect of the proposal happened before (it is in the audit trail)."""
        if proposal.id in self.looked_up:
            return (action, str(proposal.id)) in self.recorded
        return self.uow.audit.has_event(action, "proposal", str(proposal.id))

    def tell(self, person_id: int | None, text: str) -> None:
        if not person_id or not self.notifier:
            return
        email = self.uow.people.email_of(person_id)
        if email:
            self.notifier.notify(email, Reply(text=text, data={"intent": "agent_notice"}))


class Executor:
    """Carries out one proposal inside the caller's unit of work; returns a one-line result."""

    def execute(self, ctx: ActionContext, proposal: Proposal) -> str:
        handler = getattr(self, ActionType(proposal.action_type).value)
        return handler(ctx, proposal)

    # Subclasses override these (e.g. an LMS connector for enrol_course).
    def enrol_course(self, ctx: ActionContext, proposal: Proposal) -> str:
        raise NotImplementedError

    schedule_checkin = readiness_nudge = adjust_path = stretch_assignment = manager_reminder = erase_person = enrol_course
    staff_opportunity = enrol_course
    onboarding_plan = course_cohort = enrol_course


class LadderExecutor(Executor):
    def __init__(self, erasure: "Erasure | None" = None) -> None:
        self.erasure = erasure

    def erase_person(self, ctx: ActionContext, proposal: Proposal) -> str:
        """Opens the erasure job (once per request) and runs it after this transaction commits, step by step."""
        if self.erasure is None:
            raise ExecutionError("erasure is not set up in this process; HR can run `python app.py privacy jobs`")
        decision = ctx.uow.proposals.decisions_for([proposal.id]).get(proposal.id)
        decider = decision.decider_id if decision is not None else None
        job = self.erasure.open_job(ctx.uow, proposal_id=proposal.id, person_id=proposal.subject_id,
                                    requested_by=proposal.payload.get("requested_by"), approved_by=decider, now=ctx.now)
        job_id, erasure = job.id, self.erasure
        ctx.after_commit.append(lambda: erasure.run(job_id))
        return f"erasure job {job_id} started"

    def enrol_course(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        created = _enrol(ctx, proposal, p["course_id"])
        title = p.get("course_title") or p.get("course_code")
        ctx.tell(proposal.subject_id, f"You're enrolled in “{title}” — {proposal.rationale}")
        return f"enrolled in {p.get('course_code')}" + ("" if created else " (already enrolled)")

    def adjust_path(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        dropped = [code for eid, code in zip(p.get("drop_enrolment_ids") or [], p.get("drop_course_codes") or [])
                   if _withdraw(ctx, proposal, eid)]
        made = [code for cid, code in zip(p["course_ids"], p["course_codes"]) if _enrol(ctx, proposal, cid)]
        told = f"Your learning path for {p['role_label']} now includes: {', '.join(p['course_codes']) or 'no new courses'}."
        if p.get("drop_course_codes"):
            told += f" No longer on it: {', '.join(p['drop_course_codes'])}."
        ctx.tell(proposal.subject_id, told)
        return (f"path adjusted for {p['role_label']}: enrolled in {', '.join(made) or 'nothing new'}"
                + (f", withdrawn from {', '.join(dropped)}" if dropped else ""))

    def schedule_checkin(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        if not ctx.already(proposal, "checkin.scheduled"):
            ctx.uow.audit.record(action="checkin.scheduled", actor_kind="agent", subject_id=proposal.subject_id,
                                 object_type="proposal", object_id=str(proposal.id), at=ctx.now,
                                 detail={"date": p["date"], "enrolment_id": p["enrolment_id"], "course": p["course_title"],
                                         "with": proposal.approver_id})
        subject = ctx.uow.people.get(proposal.subject_id)
        text = f"Check-in on {p['date']} about “{p['course_title']}” (no progress for {p.get('days_without_progress', 0)} days)."
        ctx.tell(proposal.subject_id, f"{text} Your manager will reach out.")
        if subject is not None and subject.manager_id:
            ctx.tell(subject.manager_id, f"{text} With {subject.name}.")
        return f"check-in scheduled for {p['date']}"

    def readiness_nudge(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        subject = ctx.uow.people.get(proposal.subject_id)
        manager_id = p.get("manager_id") or (subject.manager_id if subject else None)
        if not ctx.already(proposal, "nudge.sent"):
            ctx.tell(manager_id, f"{subject.name if subject else 'Your report'} looks ready for "
                     f"“{p['opportunity_title']}”: their verified skills cover what it needs. {p.get('note') or ''}".strip())
            ctx.uow.audit.record(action="nudge.sent", actor_kind="agent", subject_id=proposal.subject_id, object_type="proposal",
                                 object_id=str(proposal.id), at=ctx.now, detail={"to": manager_id, "opportunity_id": p["opportunity_id"]})
        return "manager nudged"

    def stretch_assignment(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        opp = ctx.uow.proposals.opportunity(p["opportunity_id"])
        if opp is None or opp.status != "open":
            raise ExecutionError(f"the opportunity “{p['opportunity_title']}” is no longer open")
        if not ctx.uow.proposals.has_interest(proposal.subject_id, opp.id):
            ctx.uow.add(Interest(person_id=proposal.subject_id, opportunity_id=opp.id, created_at=ctx.now))
        ctx.tell(proposal.subject_id, f"You've been recommended for the stretch assignment “{opp.title}”.")
        if opp.owner_id:
            ctx.tell(opp.owner_id, f"Ladder recommends a person for “{opp.title}” (proposal {proposal.id}).")
        return f"recommended for {opp.title}"

    def staff_opportunity(self, ctx: ActionContext, proposal: Proposal) -> str:
        """The manager approved the hours: the applicant takes a place. Once: a placed application stays placed.
        The last place taken fills the opportunity; everyone still waiting hears it is filled."""
        p = proposal.payload
        market = ctx.uow.marketplace
        application = market.application(p["application_id"])
        if application is None or application.person_id != proposal.subject_id:
            raise ExecutionError("the application is no longer there (it was withdrawn or erased)")
        if application.status == ApplicationStatus.placed:
            return f"already placed on {p['opportunity_title']}"
        opp = market.opportunity_for_update(p["opportunity_id"])
        if opp is None or opp.status != "open":
            raise ExecutionError(f"“{p['opportunity_title']}” is no longer open")
        placed = market.placed_count(opp.id)
        if opp.capacity is not None and placed >= opp.capacity:
            raise ExecutionError(f"“{opp.title}” has no place left")
        hours = p.get("hours_per_week")
        application.status, application.placed_at, application.hours_per_week = ApplicationStatus.placed, ctx.now, hours
        ctx.uow.audit.record(action="opportunity.placed", actor_kind="system", subject_id=proposal.subject_id,
                             object_type="opportunity", object_id=str(opp.id), at=ctx.now,
                             detail={"application_id": application.id, "proposal_id": proposal.id, "hours_per_week": hours})
        hours_text = f" for {hours:g} hours a week" if hours else ""
        ctx.tell(proposal.subject_id, f"You're on “{opp.title}”{hours_text} — your manager approved it. The owner will be in touch.")
        subject = ctx.uow.people.get(proposal.subject_id)
        ctx.tell(opp.owner_id, f"{subject.name if subject else 'Your candidate'} joins “{opp.title}”{hours_text}: their "
                               "manager approved the hours.")
        if opp.capacity is not None and placed + 1 >= opp.capacity:
            opp.status, opp.closed_at = "filled", ctx.now
            waiting = market.withdraw_unplaced(opp.id)
            ctx.uow.audit.record(action="opportunity.filled", actor_kind="system", subject_id=None, object_type="opportunity",
                                 object_id=str(opp.id), at=ctx.now, detail={"places": opp.capacity, "withdrawn": len(waiting)})
            for person_id in waiting:
                ctx.tell(person_id, f"“{opp.title}” has been filled, so your application is closed. Thank you for applying — "
                                    "say “gigs that fit me” to see what else is open.")
            ctx.tell(opp.owner_id, f"“{opp.title}” is now full ({opp.capacity} place(s)) and no longer listed.")
            return f"placed on {opp.title}; the opportunity is now filled"
        return f"placed on {opp.title}"

    def manager_reminder(self, ctx: ActionContext, proposal: Proposal) -> str:
        p = proposal.payload
        if not ctx.already(proposal, "reminder.sent"):
            waiting = []
            if p.get("proposal_ids"):
                waiting.append(f"{len(p['proposal_ids'])} proposal(s) wait for your decision (say “my approvals”)")
            if p.get("validation_ids"):
                waiting.append(f"{len(p['validation_ids'])} skill validation request(s) wait for you (say “pending validations”)")
            ctx.tell(proposal.subject_id, f"A reminder from Ladder: {'; '.join(waiting)}. The oldest has waited "
                                          f"{p.get('oldest_days', 0)} days.")
            ctx.uow.audit.record(action="reminder.sent", actor_kind="agent", subject_id=proposal.subject_id, object_type="proposal",
                                 object_id=str(proposal.id), at=ctx.now,
                                 detail={"proposals": p.get("proposal_ids"), "validations": p.get("validation_ids")})
        return "manager reminded"

    def onboarding_plan(self, ctx: ActionContext, proposal: Proposal) -> str:
        """The manager confirmed a new hire's plan: its check-ins are scheduled (as the agent's check-ins are: audited
        ``checkin.scheduled``), its path courses enrolled, and both people told. Idempotent, like every action."""
        p = proposal.payload
        subject = ctx.uow.people.get(proposal.subject_id)
        manager_id = p.get("manager_id") or (subject.manager_id if subject else None)
        dates = [str(d) for d in p.get("checkins") or []]
        if not ctx.already(proposal, "checkin.scheduled"):
            for day, date in zip((30, 60, 90), dates):
                ctx.uow.audit.record(action="checkin.scheduled", actor_kind="agent", subject_id=proposal.subject_id,
                                     object_type="proposal", object_id=str(proposal.id), at=ctx.now,
                                     detail={"date": date, "about": f"onboarding: day {day}", "with": manager_id})
        made = [code for cid, code in zip(p.get("path_course_ids") or [], p.get("path_course_codes") or [])
                if _enrol(ctx, proposal, cid)]
        ctx.uow.onboarding.mark(proposal.subject_id, OnboardingStatus.plan_confirmed)
        if not ctx.already(proposal, "onboarding.plan_told"):
            manager = ctx.uow.people.get(manager_id) if manager_id else None
            lines = [f"{manager.name if manager else 'Your manager'} confirmed your plan for your first 90 days:",
                     *(f"• {line}" for line in plan_lines(p))]
            if dates:
                lines.append(f"Your check-ins are booked for {', '.join(dates)}.")
            ctx.tell(proposal.subject_id, "\n".join(lines))
            if manager_id:
                ctx.tell(manager_id, f"Check-ins with {subject.name if subject else 'your new hire'} are scheduled for "
                                     f"{', '.join(dates) or 'no dates'}.")
            ctx.uow.audit.record(action="onboarding.plan_told", actor_kind="agent", subject_id=proposal.subject_id,
                                 object_type="proposal", object_id=str(proposal.id), at=ctx.now, detail={"checkins": dates})
        return f"onboarding plan confirmed: {len(dates)} check-in(s) scheduled" + (f", enrolled in {', '.join(made)}" if made else "")

    def course_cohort(self, ctx: ActionContext, proposal: Proposal) -> str:
        """HR or L&D approved a cohort: every listed person still in the directory is enrolled in the course (once —
        an enrolment already there is left as it is), each newly enrolled person is told, and so is the proposer."""
        p = proposal.payload
        active = {pid for pid, person in ctx.uow.people.many(p.get("person_ids") or []).items() if person.active}
        made = [pid for pid in p.get("person_ids") or [] if pid in active and _enrol(ctx, proposal, p["course_id"], pid)]
        if not ctx.already(proposal, "cohort.enrolled"):
            for pid in made:
                ctx.tell(pid, f"You're enrolled in {p['course_code']} “{p['course']}” with a cohort from "
                              f"{p.get('team') or 'across the organisation'}: {p['skill']} is a skill we expect to be short of.")
            ctx.tell(proposal.subject_id, f"The {p['skill']} cohort on {p['course_code']} is approved: {len(made)} "
                                          f"{'person' if len(made) == 1 else 'people'} enrolled.")
            ctx.uow.audit.record(action="cohort.enrolled", actor_kind="agent", subject_id=proposal.subject_id,
                                 object_type="proposal", object_id=str(proposal.id), at=ctx.now,
                                 detail={"course_id": p["course_id"], "skill_id": p["skill_id"], "team_id": p.get("team_id"),
                                         "enrolled": made, "listed": len(p.get("person_ids") or [])})
        return f"cohort enrolled in {p['course_code']}: {len(made)} new enrolment(s) of {len(p.get('person_ids') or [])} listed"


def _enrol(ctx: ActionContext, proposal: Proposal, course_id: int, person_id: int | None = None) -> bool:
    """Idempotent: the (person, course) pair is unique; an existing enrolment is left as it is. ``person_id``: someone
    other than the proposal's subject (a cohort's members)."""
    learner = proposal.subject_id if person_id is None else person_id
    in_catalogue, enrolment_id = ctx.uow.proposals.enrolment_in(learner, course_id)
    if not in_catalogue:
        raise ExecutionError(f"course {course_id} is no longer in the catalogue")
    if enrolment_id is not None:
        return False
    ctx.uow.add(Enrolment(person_id=learner, course_id=course_id, status=EnrolmentStatus.enrolled,
                          enrolled_at=ctx.now, source=f"proposal:{proposal.id}"))
    ctx.uow.audit.record(action="enrolment.created", actor_kind="agent", subject_id=learner, object_type="course",
                         object_id=str(course_id), at=ctx.now, detail={"source": f"proposal:{proposal.id}"})
    return True


def _withdraw(ctx: ActionContext, proposal: Proposal, enrolment_id: int) -> bool:
    """Idempotent: an enrolment already finished or withdrawn is left as it is."""
    if not ctx.uow.proposals.withdraw_enrolment(enrolment_id, proposal.subject_id):
        return False
    ctx.uow.audit.record(action="enrolment.withdrawn", actor_kind="agent", subject_id=proposal.subject_id, object_type="enrolment",
                         object_id=str(enrolment_id), at=ctx.now, detail={"source": f"proposal:{proposal.id}"})
    return True
