"""Gap ranking, the role graph, closest roles and path search — direct and through intermediate roles."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.context import Ladder
from settings import Settings
from skills_engine import gaps, routes
from skills_engine.graph import HaveSets, RoleGraph
from skills_engine.proficiency import Proficiency
from storage.models import (
    AccessRole,
    Course,
    CourseSkill,
    EvidenceType,
    Occupation,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    Person,
    RequirementKind,
    RoleSkill,
    Skill,
    SkillEvidence,
)
from storage.skills import Requirement
from tests.skills.skills_helpers import NOW, ask, at_fixed_time

# ---------------------------------------------------------------- a small synthetic taxonomy
# A: where the person is (s1–s5).  T: the target (s1–s3, s6–s17): 12 skills away.
# B: a stepping stone (s1–s11): 6 skills away, and then only s12–s17 (6) to the target.
# C: linked to A but no help for T.  E–F: a two-stone chain for a second person.
ROLES = {
    "role a": list(range(1, 6)),
    "role t": [1, 2, 3] + list(range(6, 18)),
    "role b": list(range(1, 12)),
    "role c": list(range(1, 6)) + [40, 41, 42],
    "lonely role": [50, 51],
}


def build_graph(roles: dict[str, list[int]]) -> tuple[RoleGraph, dict[str, int]]:
    ids = {label: i + 1 for i, label in enumerate(roles)}
    reqs = [(ids[label], s, "essential", 2) for label, skills in roles.items() for s in skills]
    skills = sorted({s for v in roles.values() for s in v})
    graph = RoleGraph.build([(i, f"urn:role:{i}", label) for label, i in ids.items()], reqs,
                            [(s, f"urn:skill:{s}", f"skill {s}") for s in skills])
    return graph, ids


def test_roles_are_linked_by_jaccard_over_essential_skills():
    graph, ids = build_graph(ROLES)
    assert graph.similarity(ids["role a"], ids["role b"]) == pytest.approx(5 / 11)
    linked = dict(graph.neighbours[ids["role t"]])
    assert ids["role b"] in linked and ids["lonely role"] not in linked
    assert graph.neighbours[ids["lonely role"]] == []


def test_small_jump_is_direct():
    graph, ids = build_graph(ROLES)
    have = HaveSets({s: 2 for s in ROLES["role b"]})
    direct, via = routes.route(graph, have, ids["role t"], current=ids["role b"])
    assert len(direct.steps[0].learn) == 6 and via is None


def test_large_jump_goes_through_the_stepping_stone():
    graph, ids = build_graph(ROLES)
    have = HaveSets({s: 2 for s in ROLES["role a"]})
    direct, via = routes.route(graph, have, ids["role t"], current=ids["role a"])
    assert direct.largest_step == 12
    assert via is not None and via.via == [ids["role b"]]
    assert [len(s.learn) for s in via.steps] == [6, 6]
    assert via.steps[-1].learn == frozenset(range(12, 18))


def test_two_intermediate_roles_when_that_is_best():
    roles = {
        "start": [1, 2, 3, 4],
        "target": [1, 2] + list(range(10, 28)),  # 18 skills away
        "stone one": [1, 2, 3, 4] + list(range(10, 16)),  # 6 away
        "stone two": [1, 2] + list(range(10, 22)),  # 6 more after stone one
    }
    graph, ids = build_graph(roles)
    have = HaveSets({s: 2 for s in roles["start"]})
    direct, via = routes.route(graph, have, ids["target"], current=ids["start"])
    assert direct.largest_step == 18
    assert via is not None and via.via == [ids["stone one"], ids["stone two"]]
    assert [len(s.learn) for s in via.steps] == [6, 6, 6]
    one_stone, _ = routes.route(graph, have, ids["target"], current=ids["start"], max_via=1)
    assert one_stone.largest_step == 18


def test_levels_matter_for_the_gap():
    graph, ids = build_graph({"r": [1, 2, 3]})
    assert graph.missing(ids["r"], HaveSets({1: 1, 2: 2, 3: 4})) == frozenset({1})


def test_closest_roles_rank_by_gap_size():
    graph, ids = build_graph(ROLES)
    have = HaveSets({s: 2 for s in ROLES["role a"]})
    nearest = graph.closest(have, limit=10, exclude=[ids["role a"]])
    assert [c.role_id for c in nearest][:3] == [ids["role c"], ids["role b"], ids["role t"]]
    assert [c.missing for c in nearest][:3] == [3, 6, 12]
    assert nearest[-1].role_id == ids["lonely role"]  # shares nothing: last


def test_gap_ranking_essential_first_then_related_roles_then_all_roles():
    reqs = [Requirement(1, "u1", "alpha", RequirementKind.essential, 2),
            Requirement(2, "u2", "beta", RequirementKind.essential, 2),
            Requirement(3, "u3", "gamma", RequirementKind.essential, 3),
            Requirement(4, "u4", "delta", RequirementKind.optional, 2),
            Requirement(5, "u5", "epsilon", RequirementKind.essential, 2)]
    profile = {3: Proficiency(3, 3, 2, 0.9), 5: Proficiency(5, 2, 2, 0.9), 1: Proficiency(1, 2, 0, 0.3)}
    report = gaps.analyse(9, "role", reqs, profile, demand={1: 50, 2: 10, 3: 99}, related_demand={2: 4, 1: 1, 3: 1})
    assert [g.label for g in report.missing] == ["beta", "gamma", "alpha"]  # related demand 4, then 1/1 by demand (99 > 50)
    assert [g.label for g in report.have] == ["epsilon"]
    assert [g.label for g in report.helpful] == ["delta"]
    alpha = next(g for g in report.missing if g.label == "alpha")
    assert "validate" in alpha.closing_evidence  # claimed at level 2, needs verifying
    gamma = next(g for g in report.missing if g.label == "gamma")
    assert "level 3" in gamma.closing_evidence
    beta = next(g for g in report.missing if g.label == "beta")
    assert "course completion alone doesn't verify" in beta.closing_evidence


def test_options_per_skill_prefers_courses_covering_more_gaps():
    from storage.skills import CourseOffer, OpportunityOffer

    courses = [CourseOffer(1, "C1", "narrow", 2.0, frozenset({1})), CourseOffer(2, "C2", "broad", 10.0, frozenset({1, 2})),
               CourseOffer(3, "C3", "other", 1.0, frozenset({9}))]
    opps = [OpportunityOffer(7, "project", "proj", frozenset({2}))]
    options = gaps.options_per_skill([1, 2], courses, opps)
    assert [c.code for c in options[1].courses] == ["C2", "C1"]
    assert options[2].project.opportunity_id == 7 and options[1].project is None


# ---------------------------------------------------------------- the same through the database and the router


def _seed_synthetic(db) -> None:
    now = NOW - dt.timedelta(days=30)
    with db.session() as s, s.begin():
        skills = {n: Skill(uri=f"urn:test:skill:{n}", label=f"skill {n:02d}") for n in sorted({x for v in ROLES.values() for x in v})}
        s.add_all(skills.values())
        roles = {label: Occupation(uri=f"urn:test:occ:{label.replace(' ', '-')}", label=label) for label in ROLES}
        s.add_all(roles.values())
        s.flush()
        for label, skill_ids in ROLES.items():
            s.add_all([RoleSkill(occupation_id=roles[label].id, skill_id=skills[n].id, kind=RequirementKind.essential, target_level=2)
                       for n in skill_ids])
        s.add(RoleSkill(occupation_id=roles["role t"].id, skill_id=skills[40].id, kind=RequirementKind.optional, target_level=2))
        boss = Person(name="Boss Person", email="boss@synthetic.example", access_role=AccessRole.manager)
        s.add(boss)
        s.flush()
        ana = Person(name="Ana Synthetic", email="ana@synthetic.example", role_id=roles["role a"].id, manager_id=boss.id)
        s.add(ana)
        s.flush()
        s.add_all([SkillEvidence(person_id=ana.id, skill_id=skills[n].id, evidence_type=EvidenceType.assessment, level=2,
                                 observed_at=now) for n in ROLES["role a"]])


def test_path_answer_via_intermediate_role_from_an_empty_database(database, tmp_path):
    _seed_synthetic(database)
    ladder = at_fixed_time(Ladder(settings=Settings(data_dir=tmp_path, database_url=database.url), db=database))
    reply = ask(ladder, "what's my path to role t?", email="ana@synthetic.example")
    data = reply.data
    assert data["role"]["label"] == "role t"
    assert len(data["missing"]) == 12 and len(data["have"]) == 3
    route = data["route"]
    assert route is not None and [v["role"]["label"] for v in route["via"]] == ["role b"]
    assert route["largest_step"] == 6 and route["direct"] == 12
    assert "role b" in route["why"] and "12" in route["why"]
    assert "gentler route" in reply.text
    # the direct small jump: no route proposed
    near = ask(ladder, "what's my path to role c?", email="ana@synthetic.example")
    assert near.data["route"] is None and len(near.data["missing"]) == 3

    closest = ask(ladder, "what roles am I closest to?", email="ana@synthetic.example")
    labels = [r["label"] for r in closest.data["roles"]]
    assert labels[:3] == ["role c", "role b", "role t"] and "role a" not in labels
    assert [r["missing"] for r in closest.data["roles"]][:3] == [3, 6, 12]


def test_role_graph_follows_taxonomy_changes(database, tmp_path):
    _seed_synthetic(database)
    ladder = at_fixed_time(Ladder(settings=Settings(data_dir=tmp_path, database_url=database.url), db=database))
    before = ask(ladder, "what's my path to role c?", email="ana@synthetic.example")
    assert len(before.data["missing"]) == 3
    with database.session() as s, s.begin():
        role_c = s.query(Occupation).filter_by(label="role c").one()
        s.add(Skill(uri="urn:test:skill:new", label="brand new skill"))
        s.flush()
        new = s.query(Skill).filter_by(uri="urn:test:skill:new").one()
        s.add(RoleSkill(occupation_id=role_c.id, skill_id=new.id, kind=RequirementKind.essential, target_level=2))
    after = ask(ladder, "what's my path to role c?", email="ana@synthetic.example")
    assert len(after.data["missing"]) == 4


def test_the_opening_when_few_skills_are_missing_none_are_or_nothing_teaches_them(database, tmp_path):
    """Ana (role a, s1–s5 verified) and a synthetic taxonomy without courses or opportunities at first."""
    _seed_synthetic(database)
    ladder = at_fixed_time(Ladder(settings=Settings(data_dir=tmp_path, database_url=database.url), db=database))
    ana = "ana@synthetic.example"

    # already qualified (her own role): said plainly, with a next step and nothing to list
    own = ask(ladder, "what's my path to role a?", email=ana)
    assert own.data["top_missing"] == [] and own.data["missing"] == [] and own.data["stretch_project"] is None
    assert "🎉 You have every essential skill of role a verified — you're qualified for it." in own.text
    assert "what roles am I closest to?" in own.text and "🎯" not in own.text
    assert not any(b.ref.startswith(("show_all_skills:", "enrol:")) for b in own.actions())

    # exactly three missing, no course, no project: all three shown, no "show all", and the gaps said as such
    near = ask(ladder, "what's my path to role c?", email=ana)
    assert [t["label"] for t in near.data["top_missing"]] == ["skill 40", "skill 41", "skill 42"]
    assert "🎯 The three skills you still need:" in near.text
    assert "No open stretch project uses these skills right now — ask your manager for work that uses skill 40." in near.text
    assert "No course in the catalogue teaches these yet" in near.text
    assert "➡️ Next step: ask your manager for a project that uses skill 40" in near.text
    assert near.data["stretch_project"] is None and near.data["time"]["hours"] == 0
    assert not any(b.ref.startswith(("show_all_skills:", "enrol:", "show_projects:")) for b in near.actions())

    # two missing, one course for one of them, a project for the other
    with database.session() as s, s.begin():
        skills = {sk.label: sk for sk in s.query(Skill)}
        role_d = Occupation(uri="urn:test:occ:role-d", label="role d")
        s.add(role_d)
        course = Course(code="S41", title="Skill 41 in a day", duration_hours=6.0)
        gig = Opportunity(kind=OpportunityKind.gig, title="Skill 40 gig")
        s.add_all([course, gig])
        s.flush()
        s.add_all([RoleSkill(occupation_id=role_d.id, skill_id=skills[f"skill {n:02d}"].id, kind=RequirementKind.essential,
                             target_level=2) for n in [1, 2, 3, 4, 5, 40, 41]])
        s.add(CourseSkill(course_id=course.id, skill_id=skills["skill 41"].id))
        s.add(OpportunitySkill(opportunity_id=gig.id, skill_id=skills["skill 40"].id))
    two = ask(ladder, "what's my path to role d?", email=ana)
    top = two.data["top_missing"]
    assert [t["label"] for t in top] == ["skill 41", "skill 40"]  # the course is a reason: 41 ranks first
    assert [r["kind"] for r in top[0]["reasons"]] == ["essential", "neighbours", "course"]
    assert "🎯 The two skills you still need:" in two.text
    assert ("1. skill 41 (level 2) — essential for role d; 1 of its 3 related roles needs it too; a course teaches it: "
            "“Skill 41 in a day” (6 h)") in two.text
    assert "🧗 Stretch gig: “Skill 40 gig” — it uses skill 40." in two.text
    assert "⏱️ The 1 course(s) I'd suggest take about 6 hours — roughly 2 week(s) at 4 h of learning a week." in two.text
    assert two.data["stretch_project"]["title"] == "Skill 40 gig"
    assert [b.ref.split(":")[0] for b in two.actions()] == ["enrol", "show_projects", "set_target"]
