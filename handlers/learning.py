"""Use cases behind the path card's buttons: enrol in a course, set a target role, list stretch work."""

from __future__ import annotations

from conversation import Card, Reply
from handlers.context import Ladder
from skills_engine import proficiency
from storage import UnitOfWork
from storage.models import Enrolment, Person


def enrol(ladder: Ladder, uow: UnitOfWork, person: Person, course_id: int) -> Reply:
    course = uow.skills.course(course_id)
    if course is None:
        return Reply(text="That course is no longer in the catalogue.", ephemeral=True)
    existing = uow.skills.enrolment(person.id, course.id)
    if existing is not None:
        return Reply(text=f"You're already enrolled in “{course.title}” (status: {existing.status.value}).",
                     data={"intent": "enrol", "course_id": course.id, "created": False})
    uow.add(Enrolment(person_id=person.id, course_id=course.id, source="self", enrolled_at=ladder.now()))
    uow.audit.record(action="enrolment.created", actor_id=person.id, subject_id=person.id,
                     object_type="course", object_id=str(course.id), detail={"source": "self", "course": course.title},
                     at=ladder.now())
    return Reply(text=f"Done — you're enrolled in “{course.title}” ({course.duration_hours:g} h). Good luck!",
                 data={"intent": "enrol", "course_id": course.id, "created": True})


def set_target(ladder: Ladder, uow: UnitOfWork, person: Person, occupation_id: int) -> Reply:
    role = uow.skills.occupation(occupation_id)
    if role is None:
        return Reply(text="I can't find that role any more.", ephemeral=True)
    if person.target_role_id == role.id:
        return Reply(text=f"{role.label} is already your target role.", data={"intent": "set_target", "changed": False})
    person.target_role_id = role.id
    uow.audit.record(action="target_role.set", actor_id=person.id, subject_id=person.id,
                     object_type="occupation", object_id=str(role.id), detail={"label": role.label}, at=ladder.now())
    return Reply(text=f"Saved: {role.label} is now your target role. I'll keep your path in view.",
                 data={"intent": "set_target", "changed": True, "role_id": role.id})


def stretch_projects(ladder: Ladder, uow: UnitOfWork, person: Person, occupation_id: int) -> Reply:
    role = uow.skills.occupation(occupation_id)
    if role is None:
        return Reply(text="I can't find that role any more.", ephemeral=True)
    profile = proficiency.person_profile(uow.skills, person.id, ladder.now())
    needed = [r.skill_id for r in uow.skills.requirements(role.id)
              if not (profile.get(r.skill_id) and profile[r.skill_id].verified_level >= r.target_level)]
    offers = sorted(uow.skills.open_opportunities_for(needed),
                    key=lambda o: (-len(o.skill_ids & set(needed)), o.opportunity_id))[:5]
    if not offers:
        return Reply(text=f"There are no open projects or gigs right now that exercise the skills you need for {role.label}.")
    labels = uow.skills.skill_labels(sorted({s for o in offers for s in o.skill_ids & set(needed)}))
    cards = [
        Card(title=f"{o.title} ({o.kind})",
             body="Practises: " + ", ".join(labels[s][1] for s in sorted(o.skill_ids & set(needed))))
        for o in offers
    ]
    return Reply(text=f"Open stretch work that builds skills for {role.label}:", cards=cards,
                 data={"intent": "stretch_projects", "opportunities": [o.opportunity_id for o in offers]})

