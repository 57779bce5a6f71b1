"""The path answer's content for demo people, checked against the tables."""

from __future__ import annotations

import pytest

import datetime as dt

from sqlalchemy import select

from conversation import ActionRef, Channel, Message
from handlers.router import Router
from storage.models import Enrolment, EvidenceType, Occupation, Person, RequirementKind, RoleSkill, Skill, SkillEvidence

MAYA = "maya.patel@kestrel.example"
VERIFYING = {EvidenceType.assessment, EvidenceType.manager_validation, EvidenceType.project_outcome, EvidenceType.peer_review}


def ask(ladder, text, email=MAYA, conversation="t"):
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id=conversation, text=text))


def click(ladder, ref, email=MAYA):
    return Router(ladder).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="t", action=ActionRef.decode(ref)))


def test_maya_path_to_data_scientist_separates_verified_from_claimed(demo):
    reply = ask(demo, "what's my path to data scientist?")
    data = reply.data
    assert data["role"]["label"] == "data scientist"
    assert data["current_role"] == "software developer"
    have = {g["label"] for g in data["have"]}
    missing = {g["label"] for g in data["missing"]}
    assert {"query languages", "use databases", "design database scheme", "report analysis results"} <= have
    # a finished course and a self-assessment are not competence
    assert {"statistics", "data mining"} <= missing
    stats = next(g for g in data["missing"] if g["label"] == "statistics")
    assert stats["verified_level"] == 0 and stats["claimed_level"] == 2
    assert "not yet verified" in reply.text
    assert f"{len(have)} of the {len(have) + len(missing)} essential skills" in reply.text
    assert data["plan"]["courses"] and data["plan"]["weeks"] > 0
    assert "Next step" in reply.text


def test_the_path_answer_opens_with_three_skills_one_stretch_project_and_the_time(demo):
    reply = ask(demo, "what's my path to data scientist?")
    data, lines = reply.data, reply.text.splitlines()
    top = data["top_missing"]
    assert len(top) == 3 and data["view"] == "opening"
    assert [t["score"] for t in top] == sorted((t["score"] for t in top), reverse=True)
    assert all(t["score"] == sum(r["points"] for r in t["reasons"]) for t in top)
    # statistics: claimed at level 2 through a finished course, so a validation away — it leads
    assert top[0]["label"] == "statistics"
    close = next(r for r in top[0]["reasons"] if r["kind"] == "close")
    assert close["closeness"] == "claimed_at_target" and close["points"] == 3 and "course_completion" in close["evidence"]
    assert all(t["reasons"][0]["kind"] == "essential" for t in top)
    ids = {g["skill_id"] for g in data["missing"]}
    assert {t["skill_id"] for t in top} <= ids

    # the opening, in order: the three (with why), the project, the time — before anything else
    start = lines.index(f"🎯 Start with these three of your {len(data['missing'])} missing skills:")
    assert start == 3
    for n, t in enumerate(top, 1):
        assert lines[start + n].startswith(f"{n}. {t['label']} (level {t['target_level']}) — essential for data scientist")
        assert all(r["text"] in lines[start + n] for r in t["reasons"])
    project = data["stretch_project"]
    assert project is not None and project["uses"][0] in {t["skill_id"] for t in top}
    assert lines[start + 4].startswith(f"🧗 Stretch {project['kind']}: “{project['title']}”")
    plan = data["plan"]
    assert lines[start + 5].startswith(f"⏱️ The {len(plan['courses'])} course(s) I'd suggest take about {plan['hours']:g} hours"
                                       f" — roughly {plan['weeks']} week(s) at 4 h of learning a week")
    assert data["time"] == {"hours": plan["hours"], "weeks": plan["weeks"], "hours_per_week": 4.0,
                            "top_hours": data["time"]["top_hours"], "top_weeks": data["time"]["top_weeks"]}
    assert 0 < data["time"]["top_hours"] <= plan["hours"]
    assert lines.index(next(x for x in lines if x.startswith("✅ Already verified"))) > start + 5
    # the long list is not in the opening: skills beyond the three are named only where a claim or the project needs them
    rest = [g["label"] for g in data["missing"] if g["skill_id"] not in {t["skill_id"] for t in top}]
    assert not any(line.startswith("• ") for line in lines)
    assert sum(label in reply.text for label in rest) <= 4


def test_the_buttons_enrol_in_the_course_for_the_top_skills_and_show_all_is_one_click_away(demo):
    reply = ask(demo, "what's my path to data scientist?")
    buttons = reply.cards[0].buttons
    assert len(buttons) <= 5  # Slack shows five without a "more…" menu
    role_id = reply.data["role"]["id"]
    assert buttons[0].ref.startswith("enrol:") and buttons[0].style == "primary"
    first = next(c for r in reply.data["top_missing"] for x in r["reasons"] if (c := x.get("course")))
    assert buttons[0].label == f"Enrol me in {first['title']}"
    show_all = next(b for b in buttons if b.ref.startswith("show_all_skills:"))
    assert show_all.ref == f"show_all_skills:{role_id}"
    assert show_all.label == f"Show all {len(reply.data['missing'])} missing skills"
    assert any(b.ref == f"set_target:{role_id}" for b in buttons)

    full = click(demo, show_all.ref)
    data = full.data
    for key in ("status", "role", "have", "missing", "plan", "route", "top_missing"):
        assert data[key] == reply.data[key], key
    assert data["view"] == "all" and len(data["all_missing"]) == len(data["missing"])
    assert [m["label"] for m in data["all_missing"][:3]] == [t["label"] for t in data["top_missing"]]
    numbered = [line for line in full.text.splitlines() if line.split(". ", 1)[0].isdigit()]
    assert len(numbered) == len(data["missing"])
    assert [line.split(". ", 1)[1].split(" — ")[0] for line in numbered] == [m["label"] for m in data["all_missing"]]
    assert full.text.startswith(f"*All {len(data['missing'])} missing skills for data scientist*")
    refs = [b.ref for b in full.actions()]
    assert f"show_path:{role_id}" in refs and not any(r.startswith("show_all_skills:") for r in refs)
    assert click(demo, f"show_path:{role_id}").data["view"] == "opening"


def test_show_all_is_answered_read_only_like_the_path():
    from conversation import ActionKind
    from handlers import career_path

    assert ActionKind.show_all_skills in career_path.READ_ONLY_CLICKS
    assert ActionRef.decode("show_all_skills:12").kind is ActionKind.show_all_skills


def test_have_and_missing_partition_the_essentials_and_agree_with_the_evidence(demo):
    """For every demo person and a few target roles: have ∪ missing = the role's essentials, every
    'have' skill rests on verifying evidence, and no 'missing' skill has fresh verifying evidence at level."""
    now = dt.datetime(2026, 11, 28, 9, tzinfo=dt.timezone.utc)
    with demo.db.session() as s, s.begin():
        people = s.execute(select(Person.id, Person.email).where(Person.active.is_(True))).all()  # today's staff
        roles = {label: oid for oid, label in s.execute(select(Occupation.id, Occupation.label)
                 .where(Occupation.label.in_(["data scientist", "cloud engineer", "software architect"])))}
        essentials = {
            label: {sid for (sid,) in s.execute(select(RoleSkill.skill_id).where(RoleSkill.occupation_id == oid, RoleSkill.kind == RequirementKind.essential))}
            for label, oid in roles.items()
        }
        evidence: dict[int, list] = {}
        for row in s.execute(select(SkillEvidence.person_id, SkillEvidence.skill_id, SkillEvidence.evidence_type, SkillEvidence.level, SkillEvidence.observed_at)):
            evidence.setdefault(row[0], []).append(row)
    checked = 0
    for pid, email in people:
        for label in roles:
            reply = ask(demo, f"what's my path to {label}?", email=email)
            have = {g["skill_id"] for g in reply.data["have"]}
            missing = {g["skill_id"] for g in reply.data["missing"]}
            assert have | missing == essentials[label] and not have & missing
            for sid in have:
                rows = [r for r in evidence.get(pid, []) if r[1] == sid and r[2] in VERIFYING]
                assert rows, (email, label, sid)
            for sid in missing:
                strong = [r for r in evidence.get(pid, []) if r[1] == sid and r[2] in VERIFYING and r[3] >= 2
                          and (now - r[4].replace(tzinfo=dt.timezone.utc)).days < 90]
                # fresh, verifying evidence at the target level would have closed the gap
                assert not strong or min(x[3] for x in strong) < 2, (email, label, sid)
            checked += 1
    assert checked == len(people) * len(roles)


def test_unknown_person_is_told_they_are_not_in_the_directory(demo):
    reply = ask(demo, "what's my path to data scientist?", email="stranger@elsewhere.example")
    assert "can't find you in the directory" in reply.text
    assert demo.settings.hr_contact in reply.text
    assert reply.data["intent"] == "not_in_directory"


def test_pick_role_button_answers_the_path(demo):
    reply = ask(demo, "what's my path to developer?")
    ref = next(b.ref for b in reply.actions() if b.label == "software developer")
    answer = click(demo, ref)
    assert answer.data["role"]["label"] == "software developer"


def test_follow_up_in_the_same_conversation(demo):
    ask(demo, "what's my path to data scientist?", conversation="thread-1")
    reply = ask(demo, "and for cloud engineer?", conversation="thread-1")
    assert reply.data["role"]["label"] == "cloud engineer"


def test_enrol_button_enrols_once(fresh_demo):
    reply = ask(fresh_demo, "what's my path to data scientist?")
    enrol_ref = next(b.ref for b in reply.actions() if b.ref.startswith("enrol:"))
    first = click(fresh_demo, enrol_ref)
    second = click(fresh_demo, enrol_ref)
    assert first.data["created"] is True and second.data["created"] is False
    assert "already enrolled" in second.text
    with fresh_demo.db.session() as s, s.begin():
        maya = s.scalar(select(Person).where(Person.email == MAYA))
        course_id = int(enrol_ref.split(":")[1])
        assert len(s.scalars(select(Enrolment).where(Enrolment.person_id == maya.id, Enrolment.course_id == course_id)).all()) == 1


def test_set_target_role_is_remembered(fresh_demo):
    reply = ask(fresh_demo, "what's my path to cloud engineer?")
    ref = next(b.ref for b in reply.actions() if b.ref.startswith("set_target:"))
    assert click(fresh_demo, ref).data["changed"] is True
    assert "Target role: cloud engineer" in ask(fresh_demo, "who am i").text
    again = ask(fresh_demo, "what's my path to cloud engineer?")
    assert not any(b.ref.startswith("set_target:") for b in again.actions())


def test_a_stale_button_gets_a_plain_answer(demo):
    reply = click(demo, "enrol:999999")
    assert "no longer in the catalogue" in reply.text


def test_admin_commands_are_refused_to_employees_and_work_for_hr(demo):
    refused = ask(demo, "/ladder status")
    assert "To see Ladder's status you need to be in HR or in L&D or an admin" in refused.text and refused.ephemeral
    status = ask(demo, "/ladder status", email="priya.raman@kestrel.example")
    assert status.data["people"] == 60
    assert "help" in ask(demo, "/ladder help").text.lower()


def test_demo_company_shape(demo):
    from storage.models import AccessRole, Course, Opportunity, Team

    with demo.db.session() as s, s.begin():
        people = s.scalars(select(Person).where(Person.active.is_(True))).all()
        assert len(people) == 60  # today's staff; the former staff of the demo's history are inactive
        assert s.scalars(select(Person).where(Person.active.is_(False), Person.leave_date.is_(None))).all() == []
        assert len(s.scalars(select(Team)).all()) == 6
        assert sum(p.access_role == AccessRole.hr_admin for p in people) == 1
        assert all(p.manager_id for p in people if p.access_role == AccessRole.employee)
        assert len(s.scalars(select(Course)).all()) >= 40
        assert len(s.scalars(select(Opportunity)).all()) >= 10
        kinds = {e for (e,) in s.execute(select(SkillEvidence.evidence_type).distinct())}
        assert len(kinds) >= 5
        assert s.scalar(select(Skill).where(Skill.label == "data mining")) is not None


def test_reseeding_resets_cleanly(fresh_demo):
    from handlers.seed_demo import seed_demo

    ask(fresh_demo, "what's my path to data scientist?")
    reply = ask(fresh_demo, "what's my path to data scientist?")
    click(fresh_demo, next(b.ref for b in reply.actions() if b.ref.startswith("enrol:")))
    with fresh_demo.db.session() as s, s.begin():
        before = sorted((p.email, p.role_id) for p in s.scalars(select(Person)))
        enrolments_before = len(s.scalars(select(Enrolment)).all())
    seed_demo(fresh_demo)
    with fresh_demo.db.session() as s, s.begin():
        assert sorted((p.email, p.role_id) for p in s.scalars(select(Person))) == before
        assert len(s.scalars(select(Enrolment)).all()) == enrolments_before - 1


@pytest.mark.parametrize("related,of,text", [
    (1, 1, "its one related role needs it too"),
    (3, 3, "all 3 related roles need it too"),
    (1, 3, "1 of its 3 related roles needs it too"),
])
def test_the_neighbour_reason_reads_as_a_sentence(related, of, text):
    from handlers.career_path import _reason_text
    from skills_engine.paths import Reason, ReasonKind
    from storage.models import Occupation

    assert _reason_text(Occupation(label="cloud engineer"), Reason(ReasonKind.neighbours, 2, related=related, of=of)) == text
