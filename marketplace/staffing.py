"""Applying and staffing: a person applies with a note; the owner reads a blind shortlist (skills and fit, no name,
photo or tenure) and shortlists someone, which reveals their name to the owner; offering the place asks the
candidate's manager to approve the hours (a ``staff_opportunity`` proposal through the approval workflow, decided
exactly once; ``approvals.executor`` places the person when it is approved).

Each function returns a typed result once. People who opted out of being shown to others never reach a shortlist
(``storage.marketplace.applicants`` filters them in SQL) and can't apply while they are hidden.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field
from typing import Literal

from approvals import policy, service
from approvals.actions import ActionType
from marketplace.matching import person_fit
from marketplace.posting import OpportunityView, view
from storage import UnitOfWork
from storage.marketplace import OpenOpportunity
from storage.models import Application, ApplicationStatus, Opportunity, Person, ProposalStatus

MAX_NOTE = 1000
SETTLED_NO = (ProposalStatus.rejected, ProposalStatus.expired, ProposalStatus.failed)

STATUS_WORDS = {
    "applied": "applied — on the owner's blind shortlist",
    "shortlisted": "shortlisted by the owner",
    "proposed": "offered the place — waiting for your manager to approve the hours",
    "placed": "placed",
    "declined": "not taken forward",
    "withdrawn": "closed (the opportunity was filled or closed)",
}


@dataclass(frozen=True)
class ApplyResult:
    status: Literal["applied", "already", "closed", "own", "hidden", "full", "not_found"]
    message: str
    application_id: int | None = None
    opportunity: OpportunityView | None = None
    label: str = ""


@dataclass(frozen=True)
class Candidate:
    """One applicant as the owner sees them: blind (``name`` None) until shortlisted."""

    application_id: int
    label: str  # "Candidate A"
    name: str | None
    status: str
    fit: float
    have: tuple[str, ...]
    learn: tuple[str, ...]
    note: str | None
    proposal_id: int | None = None


@dataclass(frozen=True)
class Shortlist:
    opportunity: OpportunityView
    candidates: list[Candidate]


@dataclass(frozen=True)
class StaffResult:
    status: Literal["shortlisted", "offered", "unchanged", "invalid", "forbidden", "not_found", "declined"]
    message: str
    candidate: Candidate | None = None
    proposal_id: int | None = None
    approver_id: int | None = None
    opportunity: OpportunityView | None = None
    told: tuple[tuple[int, str], ...] = field(default_factory=tuple)  # (person id, what to tell them)


def letter(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA …"""
    letters = string.ascii_uppercase
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = letters[r] + out
    return out


def label_of(uow: UnitOfWork, application: Application) -> str:
    return f"Candidate {letter(uow.marketplace.labels_in_order(application.opportunity_id).get(application.id, 0))}"


def apply(uow: UnitOfWork, person: Person, opportunity_id: int, note: str, *, now: dt.datetime) -> ApplyResult:
    today = now.date()
    opp = uow.marketplace.opportunity_for_update(opportunity_id)
    if opp is None or opp.status in ("draft", "discarded"):
        return ApplyResult("not_found", "I can't find that opportunity — it may have been taken down. Say “gigs that fit me” "
                                        "to see what is open.")
    existing = uow.marketplace.application_of(person.id, opp.id)
    if existing is not None:
        return ApplyResult("already", f"You already applied to “{opp.title}” on {existing.created_at:%-d %B} — your "
                                      f"application is {STATUS_WORDS[existing.status.value]}. Nothing was sent twice.",
                           existing.id, view(uow, opp), label_of(uow, existing))
    if opp.owner_id == person.id:
        return ApplyResult("own", f"“{opp.title}” is your own opportunity, so you can't apply to it.")
    if opp.status != "open" or (opp.closes_on is not None and opp.closes_on < today):
        state = opp.status if opp.status != "open" else "closed for applications"
        return ApplyResult("closed", f"“{opp.title}” is {state}, so it takes no more applications. Say “gigs that fit me” to "
                                     "see what is open.")
    if uow.preferences.of(person.id).surfacing:
        return ApplyResult("hidden", "You've asked me not to show you to others, so I can't put you on an owner's shortlist. "
                                     "Say “you can show me to others again” first, then apply.")
    if opp.capacity is not None and uow.marketplace.placed_count(opp.id) >= opp.capacity:
        return ApplyResult("full", f"“{opp.title}” has no place left.")
    scored = person_fit(uow, person.id, _open(uow, opp), today=today)
    made = Application(opportunity_id=opp.id, person_id=person.id, note=(note or "").strip()[:MAX_NOTE] or None,
                       status=ApplicationStatus.applied, fit=scored.score if scored else 0.0, created_at=now)
    application = uow.marketplace.add_application(made)
    if application is not made:  # a second click raced this one and won: it applied
        return ApplyResult("already", f"You already applied to “{opp.title}”. Nothing was sent twice.", application.id,
                           view(uow, opp), label_of(uow, application))
    uow.marketplace.add_interest(person.id, opp.id, now)
    uow.audit.record(action="opportunity.applied", actor_id=person.id, subject_id=person.id, object_type="opportunity",
                     object_id=str(opp.id), at=now, detail={"application_id": application.id, "fit": application.fit,
                                                            "note": application.note})
    return ApplyResult("applied", f"You've applied to “{opp.title}”. The owner sees your skills and fit, not your name, until "
                                  "they shortlist you; I'll tell you what happens.", application.id, view(uow, opp),
                       label_of(uow, application))


def shortlist_of(uow: UnitOfWork, owner: Person, opportunity_id: int, *, today: dt.date) -> Shortlist | None:
    """The owner's view of an opportunity's applicants; None when it isn't theirs (or doesn't exist). Call ``settle``
    first, so that a placement a manager declined shows as declined (and its people hear it)."""
    opp = uow.marketplace.opportunity(opportunity_id)
    if opp is None or opp.owner_id != owner.id:
        return None
    order = uow.marketplace.labels_in_order(opp.id)
    applicants = uow.marketplace.applicants(opp.id)
    names = uow.people.names_and_emails([a.person_id for a in applicants if a.revealed])
    as_open = _open(uow, opp)
    candidates = []
    for a in applicants:
        scored = person_fit(uow, a.person_id, as_open, today=today)
        labels = uow.skills.skill_labels(sorted({*(scored.have if scored else ()), *(scored.learn if scored else ())}))
        name = lambda sid: labels.get(sid, ("", f"skill {sid}"))[1]  # noqa: E731 - a short local lookup
        application = uow.marketplace.application(a.application_id)
        candidates.append(Candidate(
            a.application_id, f"Candidate {letter(order.get(a.application_id, 0))}",
            names.get(a.person_id, (None, None))[0] if a.revealed else None, a.status,
            scored.score if scored else 0.0, tuple(name(i) for i in scored.have) if scored else (),
            tuple(name(i) for i in scored.learn) if scored else (), a.note,
            application.proposal_id if application is not None else None))
    candidates.sort(key=lambda c: (-c.fit, c.application_id))
    return Shortlist(view(uow, opp), candidates)


def shortlist(uow: UnitOfWork, owner: Person, application_id: int, *, now: dt.datetime) -> StaffResult:
    """The owner picks a candidate: their name is revealed to the owner (audited), and they hear they were shortlisted."""
    application, opp, refused = _owners_application(uow, owner, application_id)
    if refused is not None:
        return refused
    assert application is not None and opp is not None
    label = label_of(uow, application)
    if application.status != ApplicationStatus.applied:
        return StaffResult("unchanged", f"{label} is already {STATUS_WORDS[application.status.value].split(' —')[0]} — nothing changed.",
                           _candidate(uow, application, label), opportunity=view(uow, opp))
    if uow.preferences.of(application.person_id).surfacing:
        return StaffResult("not_found", "That candidate is no longer available.")
    application.status, application.revealed_at = ApplicationStatus.shortlisted, now
    uow.audit.record(action="opportunity.shortlisted", actor_id=owner.id, subject_id=application.person_id,
                     object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={"application_id": application.id, "label": label, "revealed": True})
    candidate = _candidate(uow, application, label)
    return StaffResult("shortlisted", f"{label} is {candidate.name} — shortlisted. Offer them the place when you're ready; "
                                      "their manager then approves the hours.", candidate, opportunity=view(uow, opp),
                       told=((application.person_id, f"Good news: the owner of “{opp.title}” shortlisted you."),))


def offer(uow: UnitOfWork, owner: Person, application_id: int, *, now: dt.datetime, expiry_days: int) -> StaffResult:
    """Offer a shortlisted candidate the place: a ``staff_opportunity`` proposal for their manager (once)."""
    application, opp, refused = _owners_application(uow, owner, application_id, lock=True)
    if refused is not None:
        return refused
    assert application is not None and opp is not None
    label = label_of(uow, application)
    if application.status == ApplicationStatus.applied:
        return StaffResult("invalid", f"Shortlist {label} first — that shows you who they are before you offer the place.",
                           _candidate(uow, application, label))
    if application.status != ApplicationStatus.shortlisted:
        return StaffResult("unchanged", f"{label} is already {STATUS_WORDS[application.status.value].split(' —')[0]} — "
                                        "nothing changed.", _candidate(uow, application, label))
    if opp.status != "open":
        return StaffResult("invalid", f"“{opp.title}” is {opp.status}; it takes nobody new.")
    if opp.capacity is not None and uow.marketplace.placed_count(opp.id) >= opp.capacity:
        return StaffResult("invalid", f"“{opp.title}” has no place left.")
    subject = uow.people.get(application.person_id)
    if subject is None or not subject.active:
        return StaffResult("not_found", "That candidate is no longer in the directory.")
    approver_id = service.default_approver_id(uow, subject)
    hours = f"{opp.hours_per_week:g} hours a week" if opp.hours_per_week else "the hours it needs"
    proposal = service.create(uow, service.NewProposal(
        ActionType.staff_opportunity, subject.id, approver_id,
        {"opportunity_id": opp.id, "opportunity_title": opp.title, "application_id": application.id,
         "hours_per_week": opp.hours_per_week, "duration_weeks": opp.duration_weeks, "owner_id": opp.owner_id},
        f"{owner.name} offers {subject.name} a place on “{opp.title}” ({hours}"
        + (f" for {opp.duration_weeks} weeks" if opp.duration_weeks else "") + "). Approve the hours to let them take it.",
        [{"kind": "fit", "text": f"fit {round(application.fit * 100)}% on the opportunity's skills"},
         *([{"kind": "note", "text": "they applied themselves, with a note"}] if application.note else [])],
        f"staff_opportunity:{application.id}"),
        level=policy.Autonomy.approve, now=now, expiry_days=expiry_days, created_by=f"person:{owner.id}")
    application.status, application.proposal_id = ApplicationStatus.proposed, proposal.id
    uow.audit.record(action="opportunity.offered", actor_id=owner.id, subject_id=subject.id, object_type="opportunity",
                     object_id=str(opp.id), at=now, detail={"application_id": application.id, "proposal_id": proposal.id})
    return StaffResult("offered", f"Offered {subject.name} the place. Their manager approves the hours (proposal {proposal.id}); "
                                  "you'll hear the outcome.", _candidate(uow, application, label), proposal.id, approver_id,
                       view(uow, opp),
                       told=((subject.id, f"The owner of “{opp.title}” offered you a place. Your manager approves the hours — "
                                          "I'll tell you when they have."),))


def settle(uow: UnitOfWork, opportunity_id: int | None = None, *, proposal_id: int | None = None,
           now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Applications whose staffing proposal was rejected, expired or failed become ``declined``; returns who to tell
    what (the candidate and the owner), once — a settled application is not settled again."""
    told: list[tuple[int, str]] = []
    if proposal_id is not None:
        found = uow.marketplace.application_by_proposal(proposal_id)
        applications = [found] if found is not None else []
    else:
        applications = [a for a in (uow.marketplace.application(x.application_id) for x in uow.marketplace.applicants(opportunity_id))
                        if a is not None] if opportunity_id is not None else []
    for a in applications:
        if a.status != ApplicationStatus.proposed or a.proposal_id is None:
            continue
        p = uow.proposals.get(a.proposal_id)
        if p is None or p.status not in SETTLED_NO:
            continue
        a.status = ApplicationStatus.declined
        opp = uow.marketplace.opportunity(a.opportunity_id)
        title = opp.title if opp is not None else "the opportunity"
        why = {"rejected": "your manager didn't approve the hours", "expired": "nobody approved the hours in time",
               "failed": "it couldn't be completed"}[p.status.value]
        uow.audit.record(action="opportunity.declined", actor_kind="system", subject_id=a.person_id, object_type="opportunity",
                         object_id=str(a.opportunity_id), at=now,
                         detail={"application_id": a.id, "proposal_id": p.id, "why": p.status.value})
        told.append((a.person_id, f"Your place on “{title}” didn't go ahead: {why}."))
        if opp is not None and opp.owner_id:
            told.append((opp.owner_id, f"{label_of(uow, a)} won't join “{title}”: {why.replace('your manager', 'their manager')}."))
    return told


def applications_of(uow: UnitOfWork, person_id: int) -> list[tuple[OpportunityView, str, dt.datetime]]:
    """A person's own applications: (opportunity, status, when), newest first."""
    rows = []
    for oid, status in uow.marketplace.applications_by(person_id).items():
        opp = uow.marketplace.opportunity(oid)
        application = uow.marketplace.application_of(person_id, oid)
        if opp is not None and application is not None:
            rows.append((view(uow, opp), status, application.created_at))
    return sorted(rows, key=lambda r: r[2], reverse=True)


def _owners_application(uow: UnitOfWork, owner: Person, application_id: int, *,
                        lock: bool = False) -> tuple[Application | None, Opportunity | None, StaffResult | None]:
    application = uow.marketplace.application(application_id)
    if application is None:
        return None, None, StaffResult("not_found", "I can't find that application any more.")
    opp = (uow.marketplace.opportunity_for_update if lock else uow.marketplace.opportunity)(application.opportunity_id)
    if opp is None or opp.owner_id != owner.id:
        return None, None, StaffResult("forbidden", "Only the opportunity's owner can see and staff its shortlist.")
    return application, opp, None


def _candidate(uow: UnitOfWork, application: Application, label: str) -> Candidate:
    revealed = application.revealed_at is not None
    name = uow.people.names_and_emails([application.person_id]).get(application.person_id, (None, None))[0] if revealed else None
    return Candidate(application.id, label, name, application.status.value, application.fit, (), (), application.note,
                     application.proposal_id)


def _open(uow: UnitOfWork, opp: Opportunity) -> OpenOpportunity:
    return OpenOpportunity(opp.id, opp.title, opp.kind.value, opp.hours_per_week, opp.closes_on, opp.capacity, opp.owner_id,
                           tuple(uow.marketplace.skills_of(opp.id)))
