"""The demo company's work history: hires and leavers since 2017, learning in the first 90 days, the leadership and
data courses, and half-yearly performance ratings — generated from a documented model with a *planted* effect of
learning on retention, so that the analytics can be checked against a known truth (docs/insights.md).

The model, per person:

- department d and role level l (lead, senior, individual) drawn at hire;
- learning exposure x ~ Bernoulli(p_d): "completed the Kestrel Foundations course (``FOUNDATIONS``) in the first 90
  days" (completed 10–80 days after the hire date); p_d differs by department (``EXPOSURE``);
- time to leaving T = 0.25 years (nobody leaves in their first three months) + Weibull(shape ``SHAPE``,
  scale ``SCALE[d] · (HR^x · LEVEL_HAZARD[l])^(−1/SHAPE)``): a proportional-hazards model in which learning multiplies
  the leaving rate by ``PLANTED_HR`` = 0.7 at every moment, whatever the department and level. Departments with more
  learning also lose fewer people for reasons of their own, so the raw comparison overstates the effect and the
  adjusted Cox model should find it;
- the reason of a leaver: voluntary 75 %, involuntary 20 %, retirement 5 %.

Former staff are simulated hires (uniform over 2017-01-01 … six months before the demo's day) whose leaving came
before the demo's day; simulated hires who would still be employed are dropped, because the demo's 60 current people
stand for them. For those 60 (hire date, department and level given, still employed today) the exposure is drawn from
its probability *given that they are still there* under the same model, p·S₁(t) / (p·S₁(t) + (1−p)·S₀(t)), so the
whole company follows one model.

The data course (``DATA_COURSE``) raises later ratings by ``PLANTED_RATING_GAIN``; the leadership course
(``LEADERSHIP_COURSE``) has no planted effect on anything.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from dataclasses import dataclass, field

SEED = 20261203
HISTORY_START = dt.date(2017, 1, 1)
SIMULATED_HIRES = 300
PROBATION_YEARS = 0.25
SHAPE = 1.3
PLANTED_HR = 0.7
PLANTED_RATING_GAIN = 0.3  # rating points (1–5 scale) after the data course
FOUNDATIONS = "KF101"
FOUNDATIONS_TITLE = "Kestrel Foundations: your first 90 days"
LEADERSHIP_COURSE = "LD101"
DATA_COURSE = "DS101"
# Department → (hire weight, Weibull scale in years, probability of learning in the first 90 days)
DEPARTMENTS = {
    "Product Engineering": (12, 4.5, 0.50),
    "Platform Engineering": (11, 5.0, 0.50),
    "Data & Analytics": (11, 6.0, 0.65),
    "Customer Success": (9, 2.8, 0.30),
    "People & Operations": (8, 4.5, 0.45),
    "Finance": (9, 6.0, 0.40),
}
LEVELS = (("individual", 0.69, 1.0), ("senior", 0.25, 0.85), ("lead", 0.06, 0.8))  # (level, share, hazard multiplier)
LEVEL_HAZARD = {name: h for name, _, h in LEVELS}
REASONS = (("voluntary", 0.75), ("involuntary", 0.20), ("retirement", 0.05))
DATA_COURSE_DEPARTMENTS = {"Product Engineering", "Data & Analytics"}
DAYS_PER_YEAR = 365.25


@dataclass
class History:
    """One person's generated history."""

    department: str
    level: str
    hire_date: dt.date
    leave_date: dt.date | None = None
    leave_reason: str | None = None
    exposed: bool = False
    completions: list[tuple[str, dt.date]] = field(default_factory=list)  # (course code, completed on)
    ratings: list[tuple[str, dt.date, float]] = field(default_factory=list)  # (period, period end, rating 1–5)


def survival(years: float, department: str, level: str, exposed: bool) -> float:
    """The model's probability of still being employed ``years`` after the hire date."""
    if years <= PROBATION_YEARS:
        return 1.0
    scale = _scale(department, level, exposed)
    return math.exp(-(((years - PROBATION_YEARS) / scale) ** SHAPE))


def _scale(department: str, level: str, exposed: bool) -> float:
    multiplier = (PLANTED_HR if exposed else 1.0) * LEVEL_HAZARD[level]
    return DEPARTMENTS[department][1] * multiplier ** (-1 / SHAPE)


def _pick(rng: random.Random, pairs) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


def _day(start: dt.date, days: float) -> dt.date:
    return start + dt.timedelta(days=int(days))


def former_staff(today: dt.date, seed: int = SEED) -> list[History]:
    """The simulated hires who left before ``today``, oldest hire first."""
    rng = random.Random(seed)
    names = list(DEPARTMENTS)
    span = (today - dt.timedelta(days=183) - HISTORY_START).days
    out = []
    for _ in range(SIMULATED_HIRES):
        department = rng.choices(names, [DEPARTMENTS[n][0] for n in names])[0]
        level = rng.choices([lv[0] for lv in LEVELS], [lv[1] for lv in LEVELS])[0]
        hired = _day(HISTORY_START, rng.uniform(0, span))
        exposed = rng.random() < DEPARTMENTS[department][2]
        years = PROBATION_YEARS + rng.weibullvariate(_scale(department, level, exposed), SHAPE)
        left = _day(hired, years * DAYS_PER_YEAR)
        reason = _pick(rng, REASONS)
        person = History(department, level, hired, exposed=exposed)
        _courses(rng, person, end=min(left, today))
        _ratings(rng, person, end=min(left, today))
        if left < today:
            person.leave_date, person.leave_reason = left, reason
            out.append(person)
    return sorted(out, key=lambda p: p.hire_date)


def current_staff(rng: random.Random, department: str, level: str, hired: dt.date, today: dt.date,
                  *, data_course: bool) -> History:
    """A person employed today: exposure given survival to today (the module's docstring), courses and ratings.
    ``data_course``: whether they may have taken the data course (the seed keeps it away from people whose open
    proposals the demo shows)."""
    years = (today - hired).days / DAYS_PER_YEAR
    p = DEPARTMENTS[department][2]
    s1, s0 = survival(years, department, level, True), survival(years, department, level, False)
    person = History(department, level, hired, exposed=rng.random() < p * s1 / (p * s1 + (1 - p) * s0))
    _courses(rng, person, end=today - dt.timedelta(days=35), data_course=data_course)  # nothing lands in this month's digests
    _ratings(rng, person, end=today)
    return person


def _courses(rng: random.Random, person: History, *, end: dt.date, data_course: bool = True) -> None:
    """Foundations in the first 90 days when exposed; the leadership course for some leads and seniors; the data
    course for some people in product engineering and data — each only if it was finished before ``end``."""
    wanted = []
    if person.exposed:
        wanted.append((FOUNDATIONS, _day(person.hire_date, rng.uniform(10, 80))))
    if person.level != "individual" and rng.random() < 0.5:
        wanted.append((LEADERSHIP_COURSE, _day(person.hire_date, rng.uniform(100, 700))))
    if data_course and person.department in DATA_COURSE_DEPARTMENTS and rng.random() < 0.4:
        wanted.append((DATA_COURSE, _day(person.hire_date, rng.uniform(200, 900))))
    person.completions = [(code, on) for code, on in wanted if on <= end]
    if person.exposed and not any(code == FOUNDATIONS for code, _ in person.completions):
        person.exposed = False  # a course finished too late to be recorded is no exposure


def _ratings(rng: random.Random, person: History, *, end: dt.date) -> None:
    """A rating at the end of each half-year the person worked six months or more of (1–5, one decimal)."""
    base = rng.gauss(3.2, 0.45)
    data_done = next((on for code, on in person.completions if code == DATA_COURSE), None)
    for year in range(person.hire_date.year, end.year + 1):
        for half, period_end in (("H1", dt.date(year, 6, 30)), ("H2", dt.date(year, 12, 31))):
            if period_end > end or (period_end - person.hire_date).days < 182:
                continue
            gain = PLANTED_RATING_GAIN if data_done is not None and data_done <= period_end else 0.0
            rating = min(5.0, max(1.0, round(base + gain + rng.gauss(0, 0.35), 1)))
            person.ratings.append((f"{year}-{half}", period_end, rating))


# ------------------------------------------------------------------ team KPIs and the fictional LMS's statements

KPI_TEAMS = {"Data & Analytics": ("report_turnaround_days", "days", 6.0), "Customer Success": ("csat", "%", 82.0)}
KPI_MONTHS = 36
PROGRAMME_START = dt.date(2025, 6, 1)  # the data course's team-wide rollout: the KPI programme `insights kpi` compares
PROGRAMME_EFFECT = {"report_turnaround_days": -0.8, "csat": 2.0}  # the step at the programme start, in the KPI's unit
LMS_NAME = "Kestrel Academy LMS (fictional, demo)"
LMS_HOME = "https://academy.kestrel.example"


def team_kpis(today: dt.date, teams: list[str]) -> list[tuple[str, str, dt.date, float, str]]:
    """(team, KPI, month, value, unit): ``KPI_MONTHS`` months up to ``today``'s month for the ``KPI_TEAMS`` the demo
    has. Model: base level + a yearly cycle (amplitude 3% of base, peak in December) + Gaussian noise (sd 2% of base)
    + ``PROGRAMME_EFFECT`` from ``PROGRAMME_START`` on. Seeded, so a reseed writes the same numbers."""
    rng = random.Random(SEED + 7)
    first = dt.date(today.year, today.month, 1)
    months = []
    for back in range(KPI_MONTHS - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(dt.date(y, m + 1, 1))
    out = []
    for team in teams:
        if team not in KPI_TEAMS:
            continue
        name, unit, base = KPI_TEAMS[team]
        for month in months:
            cycle = 0.03 * base * math.cos(2 * math.pi * (month.month - 12) / 12)
            step = PROGRAMME_EFFECT[name] if month >= PROGRAMME_START else 0.0
            out.append((team, name, month, round(base + cycle + step + rng.gauss(0, 0.02 * base), 3), unit))
    return out


def statement_id(email: str, code: str, verb: str) -> str:
    """The same statement id on every reseed: the LRS keeps one statement per (learner, course, verb)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{LMS_HOME}/{email}/{code}/{verb}"))


def activity_id(code: str) -> str:
    return f"{LMS_HOME}/courses/{code}"


def lms_statements(completions: list[tuple[str, str, str, dt.datetime]]) -> list[dict]:
    """xAPI 1.0.3 statements the fictional LMS sends for (email, name, course code, completed at): *completed* for
    every completion, and for the data course a *passed* assessment with a scaled score (0.6–0.98, seeded)."""
    rng = random.Random(SEED + 9)
    out = []
    for email, name, code, at in completions:
        stamp = at.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        actor = {"objectType": "Agent", "name": name, "mbox": f"mailto:{email}"}
        activity = {"objectType": "Activity", "id": activity_id(code),
                    "definition": {"name": {"en-US": code}, "type": "http://adlnet.gov/expapi/activities/course"}}
        out.append({"id": statement_id(email, code, "completed"), "actor": actor, "object": activity, "timestamp": stamp,
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
                    "result": {"completion": True}})
        if code == DATA_COURSE:
            scaled = round(rng.uniform(0.6, 0.98), 2)
            out.append({"id": statement_id(email, code, "passed"), "actor": actor, "object": activity, "timestamp": stamp,
                        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-US": "passed"}},
                        "result": {"success": True, "completion": True,
                                   "score": {"scaled": scaled, "raw": round(100 * scaled), "min": 0, "max": 100}}})
    return out
