"""Posting an opportunity: a brief in plain words becomes a draft, the owner edits it, publishes it or discards it;
later closes it. Each step returns a typed result once and writes an audit row when something changed.

A draft is an ``Opportunity`` with status ``draft``: every list of open opportunities filters ``status == "open"``,
so nobody sees it until it is published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from marketplace import brief as briefs
from skills_engine.extraction import ExtractedSkill
from storage import UnitOfWork
from storage.models import Opportunity, OpportunityKind

Extract = Callable[[str], Sequence[ExtractedSkill]]
ResolveSkill = Callable[[str], "tuple[int, str] | None"]  # a skill named in a form -> (id, label)
MAX_SKILLS = 8
REQUIRED_LEVEL = 2  # "working": applies it to routine work without help (skills_engine.proficiency)
LEARN_LEVEL = 1


@dataclass(frozen=True)
class OpportunityView:
    id: int
    title: str
    kind: str
    status: str
    hours_per_week: float | None
    duration_weeks: int | None
    closes_on: dt.date | None
    capacity: int | None
    owner_id: int | None
    needed: tuple[str, ...]
    learn: tuple[str, ...]
    description: str = ""
    placed: int = 0

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.placed)


@dataclass(frozen=True)
class PostResult:
    status: Literal["drafted", "updated", "published", "discarded", "closed", "unchanged", "invalid", "forbidden", "not_found"]
    message: str
    opportunity: OpportunityView | None = None
    told: tuple[int, ...] = field(default_factory=tuple)  # people whose application the change closed


def view(uow: UnitOfWork, opp: Opportunity) -> OpportunityView:
    rows = uow.marketplace.skills_of(opp.id)
    labels = uow.skills.skill_labels([r.skill_id for r in rows])
    name = lambda sid: labels.get(sid, ("", f"skill {sid}"))[1]  # noqa: E731 - a short local lookup
    return OpportunityView(opp.id, opp.title, opp.kind.value, opp.status, opp.hours_per_week, opp.duration_weeks, opp.closes_on,
                           opp.capacity, opp.owner_id, tuple(name(r.skill_id) for r in rows if r.required),
                           tuple(name(r.skill_id) for r in rows if not r.required), opp.description,
                           uow.marketplace.placed_count(opp.id))


def draft(uow: UnitOfWork, owner_id: int, text: str, extract: Extract, *, now: dt.datetime) -> PostResult:
    """A draft from the owner's words, or why it can't be one (too short, no skill, a closing date gone by)."""
    today = now.date()
    try:
        read = briefs.read(text, today)
    except briefs.BriefError as exc:
        return PostResult("invalid", str(exc))
    needed_text, learn_text = briefs.learning_part(text)
    needed = _skills(extract(needed_text)) if needed_text else []
    learn = [s for s in (_skills(extract(learn_text)) if learn_text else []) if s not in needed]
    if not needed and not learn:
        return PostResult("invalid", "I couldn't recognise a skill in that brief, so nobody could be matched to it. Name what "
                                     "the person should be able to do — for example “SQL”, “data mining” or “cloud "
                                     "monitoring” — and send it again.")
    opp = Opportunity(kind=OpportunityKind(read.kind), title=read.title, description=text.strip()[:4000], owner_id=owner_id,
                      created_by=owner_id, hours_per_week=read.hours_per_week, duration_weeks=read.duration_weeks,
                      closes_on=read.closes_on, capacity=read.capacity, status="draft")
    uow.marketplace.add_opportunity(opp, [(sid, True, REQUIRED_LEVEL) for sid in needed[:MAX_SKILLS]]
                                    + [(sid, False, LEARN_LEVEL) for sid in learn[:MAX_SKILLS]])
    uow.audit.record(action="opportunity.drafted", actor_id=owner_id, object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={"title": opp.title, "skills": needed[:MAX_SKILLS], "learn": learn[:MAX_SKILLS]})
    note = "" if read.closes_on_said else f" I set it to close on {read.closes_on:%-d %B} — change that with Edit if you like."
    return PostResult("drafted", f"Here's the draft. Check it, then publish it.{note}", view(uow, opp))


def draft_for_skill(uow: UnitOfWork, owner_id: int, skill_id: int, skill: str, scope: str, *, now: dt.datetime) -> PostResult:
    """A draft asking for ``skill`` (a forecast gap's), written as the owner might have said it, for them to check,
    edit and publish like any other draft. The skill is known, so nothing is read from the words."""
    text = (f"I need someone who can help with {skill} for {scope}, a skill the forecast expects us to be short of. "
            "Hours and duration to agree.")
    known = ExtractedSkill(skill_id=skill_id, uri="", label=skill, score=1.0, sentence=text)
    result = draft(uow, owner_id, text, lambda _text: [known], now=now)
    if result.opportunity is not None:
        opp = uow.marketplace.opportunity(result.opportunity.id)
        opp.title = f"{skill[:1].upper()}{skill[1:]} for {scope}"[:300]
        result = PostResult(result.status, result.message, view(uow, opp))
    return result


def update(uow: UnitOfWork, actor_id: int, opportunity_id: int, values: dict[str, str], resolve: ResolveSkill, *,
           now: dt.datetime) -> PostResult:
    """The Edit form's values on a draft (or an open opportunity: its owner may correct it). Nothing is changed unless
    every value is good; the message says which one is not."""
    opp, refused = _owned(uow, actor_id, opportunity_id)
    if refused is not None:
        return refused
    assert opp is not None
    if opp.status not in ("draft", "open"):
        return PostResult("invalid", f"“{opp.title}” is {opp.status}; it can't be edited any more.", view(uow, opp))
    today = now.date()
    changes: dict[str, object] = {}
    try:
        title = (values.get("title") or "").strip()
        if not title:
            raise briefs.BriefError("The title can't be empty.")
        changes["title"] = title[:300]
        hours = (values.get("hours") or "").strip()
        changes["hours_per_week"] = _hours(hours) if hours else None
        duration = (values.get("duration") or "").strip()
        changes["duration_weeks"] = _weeks(duration, today) if duration else None
        closes = (values.get("closes") or "").strip()
        date = briefs.parse_date(closes, today) if closes else None
        if date is None:
            raise briefs.BriefError(f"“{closes}” isn't a date I can read — try “20 December” or 2026-12-20.")
        if date < today:
            raise briefs.BriefError(f"The closing date {date:%-d %B %Y} has already passed — give a date from today on.")
        changes["closes_on"] = date
        places = (values.get("places") or "1").strip()
        if not places.isdigit() or not 1 <= int(places) <= 100:
            raise briefs.BriefError(f"“{places}” isn't a number of places — give a whole number from 1 to 100.")
        changes["capacity"] = int(places)
        needed = _named_skills(values.get("skills") or "", resolve)
        learn = [s for s in _named_skills(values.get("learn") or "", resolve) if s not in needed]
        if not needed and not learn:
            raise briefs.BriefError("Name at least one skill (skills separated by commas), so people can be matched to it.")
    except briefs.BriefError as exc:
        return PostResult("invalid", str(exc), view(uow, opp))
    for name, value in changes.items():
        setattr(opp, name, value)
    uow.marketplace.set_skills(opp.id, [(sid, True, REQUIRED_LEVEL) for sid in needed[:MAX_SKILLS]]
                               + [(sid, False, LEARN_LEVEL) for sid in learn[:MAX_SKILLS]])
    uow.audit.record(action="opportunity.edited", actor_id=actor_id, object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={**{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in changes.items()},
                             "skills": needed[:MAX_SKILLS], "learn": learn[:MAX_SKILLS]})
    return PostResult("updated", "Updated." + (" Publish it when it looks right." if opp.status == "draft" else ""), view(uow, opp))


def publish(uow: UnitOfWork, actor_id: int, opportunity_id: int, *, now: dt.datetime) -> PostResult:
    opp, refused = _owned(uow, actor_id, opportunity_id, lock=True)
    if refused is not None:
        return refused
    assert opp is not None
    if opp.status == "open":
        return PostResult("unchanged", f"“{opp.title}” is already published — nothing changed.", view(uow, opp))
    if opp.status != "draft":
        return PostResult("invalid", f"“{opp.title}” was {opp.status}, so it can't be published. Post it again if you need it.",
                          view(uow, opp))
    if opp.closes_on is not None and opp.closes_on < now.date():
        return PostResult("invalid", f"Its closing date ({opp.closes_on:%-d %B}) has passed — edit it first.", view(uow, opp))
    opp.status, opp.posted_at = "open", now
    uow.audit.record(action="opportunity.published", actor_id=actor_id, object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={"title": opp.title, "closes_on": opp.closes_on.isoformat() if opp.closes_on else None})
    return PostResult("published", f"Published “{opp.title}”. People whose skills fit will find it; you'll hear when someone "
                                   "applies.", view(uow, opp))


def discard(uow: UnitOfWork, actor_id: int, opportunity_id: int, *, now: dt.datetime) -> PostResult:
    opp, refused = _owned(uow, actor_id, opportunity_id, lock=True)
    if refused is not None:
        return refused
    assert opp is not None
    if opp.status == "discarded":
        return PostResult("unchanged", "That draft is already discarded — nothing changed.", view(uow, opp))
    if opp.status != "draft":
        return PostResult("invalid", f"“{opp.title}” is {opp.status}, not a draft. To take it down, close it.", view(uow, opp))
    opp.status, opp.closed_at = "discarded", now
    uow.audit.record(action="opportunity.discarded", actor_id=actor_id, object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={"title": opp.title})
    return PostResult("discarded", f"Discarded the draft “{opp.title}”. Nothing was published.", view(uow, opp))


def close(uow: UnitOfWork, actor_id: int, opportunity_id: int, *, now: dt.datetime, hr: bool = False) -> PostResult:
    """The owner (or HR) takes an open opportunity down: it leaves every list; applications not placed are withdrawn."""
    opp, refused = _owned(uow, actor_id, opportunity_id, lock=True, hr=hr)
    if refused is not None:
        return refused
    assert opp is not None
    if opp.status in ("closed", "filled", "discarded"):
        return PostResult("unchanged", f"“{opp.title}” is already {opp.status} — nothing changed.", view(uow, opp))
    if opp.status == "draft":
        return discard(uow, actor_id, opportunity_id, now=now)
    opp.status, opp.closed_at = "closed", now
    withdrawn = uow.marketplace.withdraw_unplaced(opp.id)
    uow.audit.record(action="opportunity.closed", actor_id=actor_id, object_type="opportunity", object_id=str(opp.id), at=now,
                     detail={"title": opp.title, "withdrawn": len(withdrawn)})
    return PostResult("closed", f"Closed “{opp.title}”: it's no longer listed"
                                + (f", and {len(withdrawn)} open application(s) were closed (they've been told)." if withdrawn else "."),
                      view(uow, opp), tuple(withdrawn))


def _owned(uow: UnitOfWork, actor_id: int, opportunity_id: int, *, lock: bool = False,
           hr: bool = False) -> tuple[Opportunity | None, PostResult | None]:
    opp = uow.marketplace.opportunity_for_update(opportunity_id) if lock else uow.marketplace.opportunity(opportunity_id)
    if opp is None:
        return None, PostResult("not_found", "I can't find that opportunity any more.")
    if opp.owner_id != actor_id and not hr:
        return None, PostResult("forbidden", f"Only the owner of “{opp.title}” can change it.")
    return opp, None


def _skills(found: Sequence[ExtractedSkill]) -> list[int]:
    out: list[int] = []
    for s in sorted(found, key=lambda s: -s.score):
        if s.skill_id not in out:
            out.append(s.skill_id)
    return out


def _named_skills(text: str, resolve: ResolveSkill) -> list[int]:
    out: list[int] = []
    for part in (p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")):
        if not part:
            continue
        found = resolve(part)
        if found is None:
            raise briefs.BriefError(f"I don't know a skill called “{part}” — use the names shown on the card, or another "
                                    "wording of the skill.")
        if found[0] not in out:
            out.append(found[0])
    return out


def _hours(text: str) -> float:
    value = briefs.hours_per_week(text if "week" in text.lower() else f"{text} hours a week")
    if value is None:
        raise briefs.BriefError(f"“{text}” isn't a number of hours a week — e.g. “4”.")
    return value


def _weeks(text: str, today: dt.date) -> int:
    said = text.strip().lower()
    if said.isdigit():
        return max(1, int(said))
    weeks = briefs.duration_weeks(said if said.startswith("for ") else f"for {said}", today)
    if weeks is None:
        raise briefs.BriefError(f"“{text}” isn't a duration I can read — e.g. “3 months” or “6 weeks”.")
    return weeks
