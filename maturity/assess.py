"""The maturity assessment: each stage of the ladder as criteria Ladder checks in its own data, plus one question
for what it cannot see; the organisation sits at the highest stage whose criteria (and those of every stage
below) are met; the next steps are the first unmet criteria above it.

The thresholds are deliberately plain (a share of active people, "at least one in the last 90 days"), so that an
HR admin can read why a stage is or is not met and what would change it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from storage.maturity import Observed

STAGES = {
    1: "Personalised learning",
    2: "Operational automation",
    3: "Skills intelligence",
    4: "Business outcomes",
    5: "Agentic",
}


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True, slots=True)
class Criterion:
    stage: int
    what: str  # what is checked, in plain words
    met: Callable[[Observed], bool]
    evidence: Callable[[Observed], str]  # what Ladder saw
    step: str  # what to do when it is not met


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    stage: int
    text: str
    step: str  # what to do when the answer is no


CRITERIA: tuple[Criterion, ...] = (
    Criterion(1, "roles have skill requirements", lambda o: o.roles_with_requirements > 0,
              lambda o: f"{o.roles_with_requirements:,} roles with skill requirements",
              "Import the ESCO taxonomy so that roles have requirements (`python app.py taxonomy import-esco DIR`)."),
    Criterion(1, "a course catalogue exists", lambda o: o.courses > 0, lambda o: f"{o.courses:,} courses",
              "Bring your course catalogue into Ladder (L&D can also turn a document into a course in chat)."),
    Criterion(1, "the handbook answers questions", lambda o: o.handbook_documents > 0,
              lambda o: f"{o.handbook_documents:,} handbook documents",
              "Add the HR and learning-policy documents to the knowledge base (`python app.py kb ingest PATH`, or share one in a DM)."),
    Criterion(1, "at least 10% of people follow a path to a target role",
              lambda o: _share(o.people_with_target, o.active_people) >= 0.10,
              lambda o: f"{o.people_with_target:,} of {o.active_people:,} people have a target role",
              "Invite people to set a target role (“what's my path to …?” then “set it as my target”)."),
    Criterion(2, "at least 80% of courses are tagged with the skills they teach",
              lambda o: o.courses > 0 and _share(o.courses_tagged, o.courses) >= 0.80,
              lambda o: f"{o.courses_tagged:,} of {o.courses:,} courses tagged",
              "Tag the catalogue by skill (`python app.py skills tag-courses` suggests tags to accept)."),
    Criterion(2, "the agent proposed actions in the last 90 days", lambda o: o.agent_proposals_90d > 0,
              lambda o: f"{o.agent_proposals_90d:,} agent proposals in 90 days",
              "Let the agent run on a schedule (`AGENT_INTERVAL_SECONDS`) so enrolments follow role changes."),
    Criterion(2, "scheduled digests went out in the last 30 days", lambda o: o.digests_sent_30d > 0,
              lambda o: f"{o.digests_sent_30d:,} digests sent in 30 days",
              "Turn on the weekly digests (`/ladder digest schedule manager mon 09:00`)."),
    Criterion(3, "at least half of people have verified skills evidence",
              lambda o: _share(o.people_with_verified_evidence, o.active_people) >= 0.50,
              lambda o: f"{o.people_with_verified_evidence:,} of {o.active_people:,} people with verified evidence "
                        f"(assessment, manager validation, project outcome or peer review)",
              "Ask managers to validate their reports' skills; a finished course alone is not competence."),
    Criterion(3, "the talent marketplace is in use (open opportunities, applications in 90 days)",
              lambda o: (o.opportunities_open > 0 or o.opportunities_posted_90d > 0) and o.applications_90d > 0,
              lambda o: f"{o.opportunities_open:,} open opportunities ({o.opportunities_posted_90d:,} posted in 90 days), "
                        f"{o.applications_90d:,} applications in 90 days",
              "Post projects and gigs on the marketplace (“I need someone who can …”)."),
    Criterion(4, "the HR system is linked (hire dates, leavers, role changes)",
              lambda o: _share(o.people_with_hire_date, o.active_people) >= 0.80 and (o.leavers_recorded > 0 or o.role_changes > 0),
              lambda o: f"hire dates for {o.people_with_hire_date:,} of {o.active_people:,} people, "
                        f"{o.leavers_recorded:,} leavers and {o.role_changes:,} role changes recorded",
              "Connect the HR system: people with hire and leave dates, and role changes (see “Connect an HRIS”)."),
    Criterion(4, "performance ratings cover at least half of people in the last year",
              lambda o: _share(o.people_rated_last_year, o.active_people) >= 0.50,
              lambda o: f"{o.people_rated_last_year:,} of {o.active_people:,} people rated in the last year",
              "Import performance ratings per review period from the HR system."),
    Criterion(4, "team KPIs arrive monthly", lambda o: o.team_kpi_months_last_quarter >= 2,
              lambda o: f"team KPIs for {o.team_kpi_months_last_quarter} of the last 3 months",
              "Import team KPIs every month."),
    Criterion(5, "people decide the agent's proposals (some decided in 90 days)", lambda o: o.decided_proposals_90d > 0,
              lambda o: f"{o.decided_proposals_90d:,} proposals decided in 90 days",
              "Managers decide the cards the agent sends them (“what needs my decision?”)."),
    Criterion(5, "at least one kind of action runs on its own under the policy", lambda o: o.auto_policies > 0,
              lambda o: f"{o.auto_policies} action kinds set to run automatically",
              "Let low-risk actions run on their own (`/ladder policy set schedule_checkin auto`)."),
)

QUESTIONS: tuple[Question, ...] = (
    Question("paths_in_conversations", 1, "Do managers use people's paths in their development conversations?",
             "Bring the path answer into one-to-ones: managers ask “team gaps for …” before each review."),
    Question("content_reviewed", 2, "Is learning content reviewed and retired on a schedule?",
             "Give every course an owner and a review date; retire what no path uses."),
    Question("skills_in_decisions", 3, "Do staffing and promotion decisions use the skills profile?",
             "Use verified skills (not tenure) in staffing and promotion cases."),
    Question("outcomes_reviewed", 4, "Do leaders review learning outcomes next to retention, performance and KPIs at least quarterly?",
             "Review the outcome analytics with leaders every quarter (“does training relate to attrition?”)."),
    Question("agent_policy_owned", 5, "Has someone accountable signed off which of the agent's actions may run on their own?",
             "Have an accountable owner sign off the agent's autonomy policy (`/ladder policy`)."),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)


@dataclass(frozen=True, slots=True)
class Check:
    what: str
    met: bool
    evidence: str


@dataclass
class StageResult:
    stage: int
    name: str
    checks: list[Check] = field(default_factory=list)
    answer: bool | None = None  # the questionnaire's answer for this stage (None: not asked yet)
    question: str = ""

    @property
    def met(self) -> bool:
        return all(c.met for c in self.checks) and self.answer is not False


@dataclass
class Assessment:
    stage: int  # 0: not even the first rung
    stages: list[StageResult]
    next_steps: list[str]
    unanswered: list[Question]

    def as_data(self) -> dict:
        return {"stage": self.stage, "stage_name": STAGES.get(self.stage, "not started"),
                "stages": [{"stage": r.stage, "name": r.name, "met": r.met, "answer": r.answer, "question": r.question,
                            "checks": [{"what": c.what, "met": c.met, "evidence": c.evidence} for c in r.checks]}
                           for r in self.stages],
                "next_steps": self.next_steps, "unanswered": [q.key for q in self.unanswered]}


def assess(observed: Observed, answers: Mapping[str, bool]) -> Assessment:
    results = {n: StageResult(n, name) for n, name in STAGES.items()}
    for c in CRITERIA:
        results[c.stage].checks.append(Check(c.what, c.met(observed), c.evidence(observed)))
    for q in QUESTIONS:
        results[q.stage].answer, results[q.stage].question = answers.get(q.key), q.text
    reached = 0
    for n in sorted(results):
        if not results[n].met:
            break
        reached = n
    steps: list[str] = []
    for n in sorted(results):
        if n <= reached:
            continue
        steps += [c.step for c in CRITERIA if c.stage == n and not c.met(observed)]
        steps += [q.step for q in QUESTIONS if q.stage == n and answers.get(q.key) is False]
    unanswered = [q for q in QUESTIONS if q.key not in answers]
    return Assessment(reached, [results[n] for n in sorted(results)], steps[:3], unanswered)
