"""What each page of the web dashboard shows, as plain data (``bot/web/dashboard.py`` renders it as HTML).

Every page reads through the permission model: the skills heat map through ``view_team`` (a manager: their own
reports), approvals through ``view_proposals``, the audit summary through ``read_audit``, the maturity assessment
through ``assess_maturity``, the forecast through ``forecast_gaps`` (HR and admins: the organisation and every team;
a manager: the team they lead — ``handlers.forecast.visible_scopes``, the chat's rule), the outcomes page through
``view_outcomes``. Outcomes are organisation-level aggregates for HR and managers alike, as in chat: groups of
fewer than 5 people are suppressed and no individual is ever listed. The repositories filter by the scope in SQL, so a page can't show what its visitor
may not see even if a check here were missed. Groups are shown by team; a cell is a share of people.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from approvals.actions import ActionType, LABELS
from forecasting.gaps import Gap, NoHistory, chart_png
from handlers import access, maturity
from handlers import forecast as forecast_handler
from handlers import insights as insights_handler
from handlers.access import Capability
from handlers.context import Ladder
from skills_engine import proficiency
from storage import UnitOfWork
from storage.dashboard import AuditRow, PendingRow
from storage.models import Person

HEATMAP_SKILLS = 10
RECENT_AUDIT = 50
PENDING_SHOWN = 50
AUDIT_WINDOW_DAYS = 30
FORECAST_QUARTERS = 4


@dataclass(frozen=True)
class Cell:
    needed: int  # people in the team whose role needs the skill
    verified: int  # of them, verified at the level their role needs

    @property
    def share(self) -> float | None:
        return self.verified / self.needed if self.needed else None


@dataclass(frozen=True)
class HeatMap:
    skills: list[str]  # column labels, the most needed across the visible teams first
    teams: list[tuple[str, int, list[Cell]]]  # (team, people, one cell per skill)

    def weakest(self, limit: int = 3) -> list[tuple[str, str, float]]:
        """(team, skill, share) of the lowest cells that at least two people need."""
        cells = [(team, self.skills[i], c.share) for team, _n, row in self.teams for i, c in enumerate(row)
                 if c.share is not None and c.needed >= 2]
        return sorted(cells, key=lambda t: (t[2], t[0], t[1]))[:limit]


@dataclass(frozen=True)
class Page:
    """What every page knows about its visitor: who, and which sections their roles open."""

    name: str
    may: dict[str, bool] = field(default_factory=dict)  # section -> allowed


def sections(uow: UnitOfWork, person: Person) -> dict[str, bool]:
    return {"skills": bool(access.gate(uow, person, Capability.view_team)),
            "approvals": bool(access.gate(uow, person, Capability.view_proposals)),
            "audit": bool(access.gate(uow, person, Capability.read_audit)),
            "maturity": bool(access.gate(uow, person, Capability.assess_maturity)),
            "forecast": bool(access.gate(uow, person, Capability.forecast_gaps)),
            "outcomes": bool(access.gate(uow, person, Capability.view_outcomes))}


def heat_map(ladder: Ladder, uow: UnitOfWork, person: Person) -> HeatMap:
    """Per team, per skill: of the people whose current role needs the skill (essential), how many are verified at
    the level it needs. Only people the visitor may see for team views; the columns are the skills most needed."""
    readable = access.scope(uow, person, Capability.view_team)
    members = uow.dashboard.members(readable)
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    evidence = uow.skills.evidence_for_people([m.person_id for m in members], readable)
    now = ladder.now()
    needs: dict[str, Counter] = {}
    verified: dict[str, Counter] = {}
    size: Counter = Counter()
    for m in members:
        size[m.team] += 1
        role = graph.roles.get(m.role_id) if m.role_id is not None else None
        if role is None:
            continue
        have = proficiency.verified_levels(proficiency.evidence_items(evidence.get(m.person_id, [])), now)
        for level, skills in role.by_level:
            for sid in skills:
                needs.setdefault(m.team, Counter())[sid] += 1
                if have.get(sid, 0) >= level:
                    verified.setdefault(m.team, Counter())[sid] += 1
    overall = Counter()
    for counts in needs.values():
        overall.update(counts)
    top = [sid for sid, _n in sorted(overall.items(), key=lambda kv: (-kv[1], graph.skills.get(kv[0], ("", ""))[1]))[:HEATMAP_SKILLS]]
    rows = [(team, size[team], [Cell(needs.get(team, Counter())[sid], verified.get(team, Counter())[sid]) for sid in top])
            for team in sorted(size)]
    return HeatMap([graph.skills.get(sid, ("", f"skill {sid}"))[1] for sid in top], rows)


@dataclass(frozen=True)
class Approvals:
    counts: dict[str, int]
    pending: list[PendingRow]

    @staticmethod
    def label(action_type: str) -> str:
        try:
            return LABELS[ActionType(action_type)]
        except (ValueError, KeyError):
            return action_type.replace("_", " ")


def approvals(uow: UnitOfWork, person: Person) -> Approvals:
    readable = access.scope(uow, person, Capability.view_proposals)
    return Approvals(uow.dashboard.proposal_counts(readable), uow.dashboard.pending(readable, PENDING_SHOWN))


@dataclass(frozen=True)
class AuditSummary:
    since: dt.datetime
    counts: list[tuple[str, int]]
    recent: list[AuditRow]


def audit(ladder: Ladder, uow: UnitOfWork, person: Person) -> AuditSummary:
    readable = access.scope(uow, person, Capability.read_audit)
    since = ladder.now() - dt.timedelta(days=AUDIT_WINDOW_DAYS)
    counts = sorted(uow.dashboard.audit_counts(readable, since).items(), key=lambda kv: (-kv[1], kv[0]))
    return AuditSummary(since, counts, uow.dashboard.recent_audit(readable, RECENT_AUDIT))


def maturity_assessment(ladder: Ladder, uow: UnitOfWork):
    return maturity.assessment(ladder, uow)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@dataclass(frozen=True)
class ForecastScope:
    scope: str  # a team's name, or "the organisation"
    gaps: list[Gap]  # the top ones, largest first
    chart: str | None  # PNG as a data URI
    alt: str
    problem: str | None  # no history for this scope


@dataclass(frozen=True)
class ForecastPage:
    scopes: list[tuple[str, str]]  # every scope the visitor may forecast: (label, query value; "" the organisation)
    chosen: ForecastScope | None  # None: the visitor asked for a scope they may not see (or may see none)
    value: str  # the chosen scope's query value


ORGANISATION = "the organisation"


def forecast(uow: UnitOfWork, person: Person, team: str | None, quarters: int = FORECAST_QUARTERS) -> ForecastPage:
    """The top skill gaps of one scope the visitor may forecast — the chat's forecast (handlers/forecast.py), one
    scope per page because each takes seconds: ``team`` names it ("" or None: the first the visitor may see — the
    organisation for HR, a manager's own team)."""
    visible = forecast_handler.visible_scopes(uow, person)
    scopes = [(t.name if t else ORGANISATION, t.name if t else "") for t in visible]
    if not scopes:
        return ForecastPage(scopes, None, "")
    value = scopes[0][1] if team is None else team
    picked = [t for t, (_label, v) in zip(visible, scopes) if v == value]
    if not picked:
        return ForecastPage(scopes, None, value)
    scope = picked[0].name if picked[0] else ORGANISATION
    try:
        top = forecast_handler.scope_gaps(uow, picked[0], quarters)[:forecast_handler.TOP]
    except NoHistory:
        return ForecastPage(scopes, ForecastScope(scope, [], None, "", "no monthly skill history yet"), value)
    chart = data_uri(chart_png(top, f"Skill gaps ahead — {scope}")) if top else None
    return ForecastPage(scopes, ForecastScope(scope, top, chart, forecast_handler.chart_alt(top) if top else "", None), value)


@dataclass(frozen=True)
class Outcomes:
    retention: insights_handler.Retention | None
    chart: str | None  # the Kaplan–Meier PNG as a data URI
    alt: str
    problem: str | None
    min_group: int


def outcomes(ladder: Ladder, uow: UnitOfWork) -> Outcomes:
    """Attrition by learning in the first days, organisation-wide (the chat's answer to "does training relate to
    attrition?"), with the Kaplan–Meier chart."""
    from handlers.insights_chart import survival_chart
    from insights.caveats import MIN_GROUP
    from insights.problems import InsightsInputError

    try:
        found = insights_handler.retention(insights_handler.database_table(uow, ladder.now().date()), None)
    except InsightsInputError as exc:
        return Outcomes(None, None, "", str(exc), MIN_GROUP)
    png, alt = survival_chart(found.result, found.label)
    return Outcomes(found, data_uri(png), alt, None, MIN_GROUP)
