"""Use case: build (or reset) the deterministic demo organisation, Kestrel Systems.

~60 people in six teams with managers, current roles on the ESCO subset Ladder carries, skill
evidence of mixed types and ages, ~40 courses tagged with skills, ~10 open opportunities (projects and
gigs with a number of places) and one HR admin. A few people already aim for another role (``TARGETS``),
and ``prime_agent`` runs one agent pass over the new company, so the demo manager finds proposals
waiting on the first message. Running it again wipes the demo data and builds exactly the same company.

Every demo person also gets *synthetic* demographics (sex, race/ethnicity) so that HR's bias audit has something
to show: drawn by a seeded random generator of their own (the rest of the company is not changed by them), with a
few people of unknown category (nothing recorded) and one race/ethnicity category held by a single person — under
2 % of the data, so the audit shows the LL144 exclusion. They describe nobody real and say nothing about the
demo's names; nothing in Ladder's recommendations reads them.

The company also has a work history (``_work_history``, the model in insights/demo_history.py and docs/insights.md):
~160 former staff hired since 2017 who have left (inactive, with a leave date and reason, no chat identity), the
Kestrel Foundations course in some people's first 90 days, the leadership and data courses, and half-yearly
performance ratings — with a planted effect of early learning on retention (hazard ratio 0.7) and of the data course
on ratings (+0.3), for outcome analytics to find within its intervals.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

from agent.report import AgentReport
from agent.run import run_pass
from conversation import Reply
from handlers.context import Ladder
from handlers.knowledge_answer import ingest_documents
from storage import UnitOfWork
from storage.models import (
    AccessRole,
    ChatIdentity,
    Course,
    CourseSkill,
    Demographic,
    Enrolment,
    EnrolmentStatus,
    MandatoryCourse,
    MandatoryScope,
    EvidenceType,
    Opportunity,
    OpportunityKind,
    OpportunitySkill,
    PerformanceRating,
    Person,
    SkillEvidence,
    Team,
)
from skills_engine.esco_import import import_esco

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
ESCO_SUBSET = DEMO_DIR / "esco"
CATALOGUE = DEMO_DIR / "catalogue.yaml"
DOMAIN = "kestrel.example"
SEED = 20261128
DEMOGRAPHICS_SEED = SEED + 144  # its own generator: adding demographics changed nothing else in the demo
SEXES = [("Female", 47), ("Male", 47)]
RACES = [("White", 40), ("Asian", 22), ("Black or African American", 16), ("Hispanic or Latino", 15),
         ("Two or more races", 7)]
SMALL_RACE = "Native Hawaiian or Other Pacific Islander"  # exactly one person: under 2 % of 60
UNKNOWN_SEX, UNKNOWN_RACE = 2, 2  # people with nothing recorded
TODAY = dt.date(2026, 11, 28)  # the demo is anchored to a fixed date so every run is identical
HANDBOOK = DEMO_DIR / "handbook"
MANDATORY = [("SC101", None), ("DS120", "Data & Analytics")]  # (course, team or None for every new hire)
# Kept across a reset: the taxonomy, and the document registry that mirrors the vector store
# (the handbook is re-ingested by content hash, so unchanged pages cost nothing).
TAXONOMY_TABLES = {"occupations", "skills", "role_skills", "knowledge_documents"}

# (team, lead role, member roles); the personas below are placed first.
TEAMS: list[tuple[str, str, list[str]]] = [
    ("Product Engineering", "ICT project manager",
     ["software developer", "software developer", "software architect", "software tester", "user interface developer", "mobile application developer"]),
    ("Platform Engineering", "ICT operations manager",
     ["cloud engineer", "ICT system administrator", "database administrator", "ICT network engineer", "ICT security engineer"]),
    ("Data & Analytics", "chief data officer",
     ["data analyst", "data analyst", "data scientist", "database developer", "data quality specialist"]),
    ("Customer Success", "ICT help desk manager", ["ICT help desk agent", "ICT help desk agent", "ICT business analyst", "ICT technician"]),
    ("People & Operations", "human resources manager", ["human resources officer", "recruitment consultant", "career guidance advisor"]),
    ("Finance", "financial manager", ["accountant", "financial controller", "budget analyst"]),
]
TEAM_SIZES = [12, 11, 11, 9, 8, 9]  # 60 people including leads

FIRST = ["Ana", "Ben", "Chloe", "David", "Elif", "Farah", "Gabriel", "Hana", "Ivan", "Julia", "Kofi", "Lena", "Mateo",
         "Nadia", "Oscar", "Paula", "Quentin", "Rosa", "Samir", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
         "Aiko", "Bruno", "Carmen", "Diego", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Luca", "Mei",
         "Noah", "Olga", "Pedro", "Rui", "Sofia", "Tomas", "Uma", "Viktor", "Wanda", "Yara", "Zeno", "Amir", "Beatriz",
         "Cyril", "Dalia", "Erik", "Freya", "Goran", "Helena"]
LAST = ["Almeida", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ibrahim", "Jensen", "Kowalski",
        "Lindqvist", "Moreau", "Nowak", "Oliveira", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka", "Uddin", "Varga",
        "Weber", "Xu", "Yilmaz", "Zimmermann", "Andersen", "Bianchi", "Carvalho", "Demir"]
LOCATIONS = ["Lisbon", "Berlin", "Dublin", "Remote (EU)"]

# The people a newcomer can be in the terminal chat (named in the README).
PERSONAS = {
    "manager": ("Daniel Okafor", "daniel.okafor", 0),  # leads Product Engineering
    "employee": ("Maya Patel", "maya.patel", 0),  # software developer in Product Engineering, curious about data
    "hr_admin": ("Priya Raman", "priya.raman", 4),  # leads People & Operations
}

# Who already has a target role, by (team index, member index) in TEAMS — fixed, so every seed is the same.
# Two are on Daniel's team (the manager persona), so his first "what needs my decision?" shows cards. Maya and
# Carmen are left without one: the README's walkthrough has them set their own.
TARGETS: dict[tuple[int, int], str] = {
    (0, 4): "software developer",  # a software tester on Product Engineering
    (0, 7): "cloud engineer",  # a software developer on Product Engineering
    (1, 3): "software architect",  # a database administrator on Platform Engineering
    (2, 1): "data scientist",  # a data analyst on Data & Analytics
    (3, 3): "data analyst",  # an ICT business analyst on Customer Success
}

EVIDENCE_MIX = [
    (EvidenceType.assessment, 20), (EvidenceType.manager_validation, 30), (EvidenceType.project_outcome, 20),
    (EvidenceType.peer_review, 10), (EvidenceType.course_completion, 12), (EvidenceType.self_assessment, 8),
]


@dataclass
class SeedSummary:
    people: int
    teams: int
    courses: int
    opportunities: int
    evidence: int

    def __str__(self) -> str:
        return (f"{self.people} people in {self.teams} teams, {self.evidence} pieces of skill evidence, "
                f"{self.courses} courses, {self.opportunities} open opportunities")


def seed_demo(ladder: Ladder) -> SeedSummary:
    import_esco(ladder.db, ESCO_SUBSET)
    ladder.indexes.invalidate()
    rng = random.Random(SEED)
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    now = dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=dt.timezone.utc)
    with ladder.db.unit_of_work() as uow:
        uow.organisation.wipe(keep_tables=TAXONOMY_TABLES)
        roles = uow.organisation.roles_by_label()
        skills = uow.organisation.skill_ids_by_label()
        essentials = uow.organisation.essential_skills_by_role()

        names = _names(rng)
        people: list[Person] = []
        teams: dict[str, Team] = {}
        evidence_count = 0
        for t_index, ((team_name, lead_role, member_roles), size) in enumerate(zip(TEAMS, TEAM_SIZES)):
            team = Team(name=team_name)
            uow.add(team)
            uow.flush()
            teams[team_name] = team
            lead = None
            for m in range(size):
                is_lead = m == 0
                role_label = lead_role if is_lead else member_roles[(m - 1) % len(member_roles)]
                name, local = _persona_for(t_index, m) or next(names)
                person = Person(
                    name=name, email=f"{local}@{DOMAIN}", team_id=team.id, role_id=roles[role_label].id,
                    job_title=role_label, manager_id=lead.id if lead else None,
                    hire_date=TODAY - dt.timedelta(days=rng.randint(60, 3000)), location=rng.choice(LOCATIONS),
                    access_role=AccessRole.manager if is_lead else AccessRole.employee,
                    target_role_id=roles[TARGETS[(t_index, m)]].id if (t_index, m) in TARGETS else None,
                )
                if (name, local.split("@")[0]) == PERSONAS["hr_admin"][:2]:
                    person.access_role = AccessRole.hr_admin
                uow.add(person)
                uow.flush()
                if is_lead:
                    lead = person
                    team.lead_id = person.id
                people.append(person)
                uow.add(ChatIdentity(person_id=person.id, channel="slack", external_id=f"UKS{person.id:06d}"))
                uow.add(ChatIdentity(person_id=person.id, channel="teams", external_id=str(uuid.uuid5(uuid.NAMESPACE_URL, person.email))))
                evidence_count += _evidence(uow, rng, person, essentials.get(person.role_id, []), lead, now, senior=is_lead)
        # Team leads report to the People & Operations lead's peer structure: the CTO-less demo keeps them top-level,
        # except HR admin who is reachable by everyone through policy, not hierarchy.
        evidence_count += _persona_extras(uow, people, skills, now)
        course_ids = _courses(uow, catalogue["courses"], skills)
        opp_count = _opportunities(uow, catalogue["opportunities"], skills, roles, teams, people)
        _enrolments(uow, rng, people, course_ids, now)
        _mandatory_courses(uow, teams)
        _demographics(uow, people)
        _skill_history(uow, teams, skills)
        _lms(uow, _work_history(uow, people=people, teams=teams, roles=roles, now=now), now)
        _team_kpis(uow, teams, now)
        return SeedSummary(len(people), len(teams), len(course_ids), opp_count, evidence_count)


def _names(rng: random.Random):
    used = {p[1] for p in PERSONAS.values()}
    pairs = [(f, l) for f in FIRST for l in LAST]
    rng.shuffle(pairs)
    for first, last in pairs:
        local = f"{first}.{last}".lower()
        if local in used:
            continue
        used.add(local)
        yield f"{first} {last}", local


def _persona_for(team_index: int, member_index: int) -> tuple[str, str] | None:
    if team_index == 0 and member_index == 0:
        return PERSONAS["manager"][:2]
    if team_index == 0 and member_index == 1:
        return PERSONAS["employee"][:2]
    if team_index == 4 and member_index == 0:
        return PERSONAS["hr_admin"][:2]
    return None


def _pick_type(rng: random.Random) -> EvidenceType:
    total = sum(w for _, w in EVIDENCE_MIX)
    x = rng.uniform(0, total)
    for kind, weight in EVIDENCE_MIX:
        x -= weight
        if x <= 0:
            return kind
    return EVIDENCE_MIX[-1][0]


def _evidence(uow: UnitOfWork, rng: random.Random, person: Person, skill_ids: list[int], lead: Person | None, now, *, senior: bool) -> int:
    count = 0
    for skill_id in skill_ids:
        if rng.random() > 0.72:
            continue  # nobody has documented evidence for everything their role needs
        kind = _pick_type(rng)
        level = rng.choice([3, 3, 4]) if senior else rng.choice([1, 2, 2, 3])
        uow.add(SkillEvidence(
            person_id=person.id, skill_id=skill_id, evidence_type=kind, level=level,
            source=_source(kind), observed_at=now - dt.timedelta(days=rng.randint(10, 1500)),
            verifier_id=lead.id if (kind == EvidenceType.manager_validation and lead) else None,
        ))
        count += 1
    return count


def _source(kind: EvidenceType) -> str:
    return {
        EvidenceType.assessment: "Kestrel skills assessment",
        EvidenceType.manager_validation: "validated by manager",
        EvidenceType.project_outcome: "project retrospective",
        EvidenceType.peer_review: "peer review",
        EvidenceType.course_completion: "course completion (LMS)",
        EvidenceType.self_assessment: "self-assessment",
    }.get(kind, kind.value)


def _persona_extras(uow: UnitOfWork, people: list[Person], skills: dict[str, int], now) -> int:
    """Maya, the demo employee, has started on data skills — some verified, some only claimed."""
    maya = next(p for p in people if p.email.startswith(PERSONAS["employee"][1] + "@"))
    daniel = next(p for p in people if p.email.startswith(PERSONAS["manager"][1] + "@"))
    rows = [
        ("query languages", EvidenceType.assessment, 3, 120, None),
        ("use databases", EvidenceType.manager_validation, 2, 200, daniel.id),
        ("design database scheme", EvidenceType.project_outcome, 2, 300, None),
        ("statistics", EvidenceType.course_completion, 2, 90, None),
        ("data mining", EvidenceType.self_assessment, 2, 30, None),
        ("report analysis results", EvidenceType.peer_review, 2, 150, None),
    ]
    for label, kind, level, age, verifier in rows:
        uow.add(SkillEvidence(person_id=maya.id, skill_id=skills[label], evidence_type=kind, level=level,
                                  source=_source(kind), observed_at=now - dt.timedelta(days=age), verifier_id=verifier))
    return len(rows)


def _courses(uow: UnitOfWork, courses: list[dict], skills: dict[str, int]) -> list[int]:
    ids = []
    for c in courses:
        course = Course(code=c["code"], title=c["title"], provider=c["provider"], duration_hours=float(c["hours"]),
                        description=f"{c['title']}: covers " + ", ".join(c["skills"]) + ".")
        uow.add(course)
        uow.flush()
        for label in c["skills"]:
            uow.add(CourseSkill(course_id=course.id, skill_id=skills[label], level=2))
        ids.append(course.id)
    return ids


def _opportunities(uow: UnitOfWork, opps: list[dict], skills, roles, teams, people) -> int:
    for o in opps:
        team = teams[o["team"]]
        opp = Opportunity(
            kind=OpportunityKind(o["kind"]), title=o["title"], team_id=team.id, owner_id=team.lead_id,
            occupation_id=roles[o["role"]].id if o.get("role") else None, hours_per_week=o.get("hours"),
            description=o["title"], closes_on=TODAY + dt.timedelta(days=45), capacity=o.get("places"),
        )
        uow.add(opp)
        uow.flush()
        for label in o["skills"]:
            uow.add(OpportunitySkill(opportunity_id=opp.id, skill_id=skills[label]))
    return len(opps)


def _enrolments(uow: UnitOfWork, rng, people: list[Person], course_ids: list[int], now) -> None:
    for person in people[::3]:
        course_id = rng.choice(course_ids)
        progress = rng.choice([0.0, 0.1, 0.4, 0.8, 1.0])
        last = now - dt.timedelta(days=rng.choice([2, 5, 30, 45]))
        status = EnrolmentStatus.completed if progress >= 1.0 else (EnrolmentStatus.in_progress if progress else EnrolmentStatus.enrolled)
        uow.add(Enrolment(person_id=person.id, course_id=course_id, status=status, progress=progress,
                              enrolled_at=last - dt.timedelta(days=20), last_activity_at=last,
                              completed_at=last if progress >= 1.0 else None, source="lms"))


def _mandatory_courses(uow: UnitOfWork, teams: dict[str, Team]) -> None:
    """The demo's onboarding policy: security basics for every new hire, data cleaning for the data team."""
    for code, team_name in MANDATORY:
        course = uow.proposals.course_by_code(code)
        if course is None:
            continue
        team = teams.get(team_name) if team_name else None
        uow.add(MandatoryCourse(course_id=course.id, scope=MandatoryScope.team if team else MandatoryScope.everyone,
                                scope_id=team.id if team else 0))


def _demographics(uow: UnitOfWork, people: list[Person]) -> None:
    """Synthetic sex and race/ethnicity for every demo person (see the module's docstring)."""
    rng = random.Random(DEMOGRAPHICS_SEED)
    ids = [p.id for p in people]
    no_sex = set(rng.sample(ids, UNKNOWN_SEX))
    no_race = set(rng.sample(ids, UNKNOWN_RACE))
    small = rng.choice([pid for pid in ids if pid not in no_race])
    for pid in ids:
        sex = None if pid in no_sex else rng.choices([s for s, _ in SEXES], [w for _, w in SEXES])[0]
        race = rng.choices([r for r, _ in RACES], [w for _, w in RACES])[0]
        race = None if pid in no_race else (SMALL_RACE if pid == small else race)
        uow.add(Demographic(person_id=pid, sex=sex, race_ethnicity=race))


def waiting_text(report: AgentReport) -> str:
    if report.skipped:
        return f"the agent did not run ({report.skipped})"
    return f"the agent proposed {sum(report.created.values())} action(s)"


def prime_agent(ladder: Ladder) -> AgentReport:
    """One agent pass over the freshly seeded company: the proposals it makes wait for their approvers."""
    return run_pass(ladder.approvals, ladder.settings)


def admin_seed(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    """`/ladder seed demo` (HR admins): rebuild the demo organisation and bring its handbook up to date."""
    if args.strip().lower() != "demo":
        return Reply(text="Usage: `/ladder seed demo` (resets the demo organisation).", ephemeral=True)
    # The reset runs in transactions of its own and deletes every person, the admin asking included.
    summary = seed_demo(ladder)
    waiting = prime_agent(ladder)
    report = ingest_documents(ladder, [HANDBOOK])
    return Reply(text=f"Demo organisation reset: {summary}; {waiting_text(waiting)}. Handbook: {report.summary()}", ephemeral=True,
                 data={"intent": "admin_seed"})


# The teams that carry the demo's skill history (their share of the organisation's numbers); the other teams have
# none, so "which skills will we be short of?" for them says there is no history yet.
SKILL_HISTORY_SHARES = {"Product Engineering": 0.40, "Platform Engineering": 0.25, "Data & Analytics": 0.35}


def _skill_history(uow: UnitOfWork, teams: dict[str, Team], skills: dict[str, int]) -> None:
    """48 months of supply / pipeline / demand per team and skill up to the demo's month, from the documented model
    of forecasting/demo_history.py (growth, seasonality, machine learning becoming scarce)."""
    from forecasting.demo_history import generate, months_back

    months = months_back(TODAY)
    rows = []
    for series in generate():
        skill_id = skills[series.esco_label]
        for team_name, share in SKILL_HISTORY_SHARES.items():
            rows += [(month, teams[team_name].id, skill_id, round(0.9 * supply * share, 2),
                      round(0.1 * supply * share, 2), round(demand * share, 2))
                     for month, demand, supply in zip(months, series.demand, series.supply)]
    uow.skill_history.add_months(rows)


HISTORY_NAMES_SEED = SEED + 16  # the former staff's names: a generator of their own, like the demographics'


def _work_history(uow: UnitOfWork, *, people: list[Person], teams: dict[str, Team], roles,
                  now) -> list[tuple[str, str, str, dt.datetime]]:
    """Hires and leavers since 2017, first-90-days learning, the leadership and data courses and half-yearly ratings,
    from the documented model of insights/demo_history.py (a planted hazard ratio of 0.7 for early learning).
    Former staff are inactive people with a leave date and reason; they have no chat identity. Returns the
    completions the demo's LMS reports over xAPI (``_lms``)."""
    from insights import demo_history as model

    foundations = Course(code=model.FOUNDATIONS, title=model.FOUNDATIONS_TITLE, provider="Kestrel Academy",
                         duration_hours=6.0, description="Kestrel's onboarding programme: the company, its customers, "
                                                         "how we work. Not tagged with skills.")
    uow.add(foundations)
    uow.flush()
    course_ids = {model.FOUNDATIONS: foundations.id}
    for code in (model.LEADERSHIP_COURSE, model.DATA_COURSE):
        course_ids[code] = uow.proposals.course_by_code(code).id
    rng = random.Random(model.SEED + 1)
    team_names = {t.id: name for name, t in teams.items()}
    leads = {t.lead_id for t in teams.values()}
    kept_apart = {p.id for p in people if p.target_role_id is not None
                  or p.email.split("@")[0] in {v[1] for v in PERSONAS.values()}}
    histories: list[tuple[Person, model.History]] = []
    for person in people:
        level = "lead" if person.id in leads else "individual"
        histories.append((person, model.current_staff(rng, team_names[person.team_id], level, person.hire_date, TODAY,
                                                      data_course=person.id not in kept_apart)))
    names = random.Random(HISTORY_NAMES_SEED)
    by_team = {name: (lead_role, members) for name, lead_role, members in TEAMS}
    for i, h in enumerate(model.former_staff(TODAY)):
        lead_role, members = by_team[h.department]
        role = lead_role if h.level == "lead" else names.choice(members)
        first, last = names.choice(FIRST), names.choice(LAST)
        person = Person(name=f"{first} {last}", email=f"{first}.{last}.{i + 1}@former.{DOMAIN}".lower(),
                        team_id=teams[h.department].id, role_id=roles[role].id,
                        job_title=("senior " + role) if h.level == "senior" else role, hire_date=h.hire_date,
                        location=names.choice(LOCATIONS), access_role=AccessRole.employee, active=False,
                        leave_date=h.leave_date, leave_reason=h.leave_reason)
        uow.add(person)
        histories.append((person, h))
    uow.flush()
    taken = set(uow.proposals.enrolled_pairs())
    sent: list[tuple[str, str, str, dt.datetime]] = []  # the completions the fictional LMS reports over xAPI
    for person, h in histories:
        for code, on in h.completions:
            if (person.id, course_ids[code]) in taken:
                continue
            done = dt.datetime.combine(on, dt.time(16, 0), tzinfo=dt.timezone.utc)
            if code == model.FOUNDATIONS or not person.active:
                sent.append((person.email, person.name, code, done))
            uow.add(Enrolment(person_id=person.id, course_id=course_ids[code], status=EnrolmentStatus.completed,
                              progress=1.0, enrolled_at=done - dt.timedelta(days=14), last_activity_at=done,
                              completed_at=done, source="lms"))
        for period, end, rating in h.ratings:
            uow.add(PerformanceRating(person_id=person.id, period=period, period_end=end, rating=rating, scale_max=5.0,
                                      source="seed", recorded_at=now))
    return sent


def _lms(uow: UnitOfWork, completions: list[tuple[str, str, str, dt.datetime]], now: dt.datetime) -> None:
    """The fictional LMS's xAPI statements, stored through the LRS (learning_records/lrs.py) as if it had POSTed
    them: the Foundations completions of everyone (a course without skill tags: the enrolment is already there,
    nothing changes) and every completion of former staff (stored; a learner who has left changes nothing). So the
    seeded people's skill evidence stays what it was, and the LRS holds real statements (completed, and passed with
    a score for the data course) with fixed ids."""
    from insights import demo_history as model
    from learning_records import lrs

    uow.flush()
    new = lrs.add_client(uow, model.LMS_NAME, now)
    client = lrs.authenticate(uow, new.key, new.secret)
    for code in sorted({c for _e, _n, c, _at in completions}):
        uow.xapi.map_activity(model.activity_id(code), uow.proposals.course_by_code(code).id)
    lrs.store(uow, client, model.lms_statements(completions), now)


def _team_kpis(uow: UnitOfWork, teams: dict[str, Team], now: dt.datetime) -> None:
    """Monthly team KPIs from insights/demo_history.py's model (docs/insights.md), through the HR data repository."""
    from insights import demo_history as model

    uow.hr_data.upsert_kpis([{"team_id": teams[team].id, "name": name, "month": month, "value": value, "unit": unit,
                              "source": "seed", "recorded_at": now}
                             for team, name, month, value, unit in model.team_kpis(TODAY, list(teams))])
