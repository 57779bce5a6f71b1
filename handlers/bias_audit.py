"""Use case: the bias audit of Ladder's own outputs about people (HR only), in chat and on the command line.

Audited (one ``governance.bias`` table set per outcome):

* ``ready_for_role`` — surfaced as ready: the readiness that "who on my team is ready for X?" computes
  (``manager_views.readiness``), for each active person against their target role, or their current role when
  they have none. Selected: no essential skill missing.
* ``proposal_<action type>`` — who got a recommendation or nudge: for each action type the agent proposes
  (enrolment, check-in, readiness nudge, …), every active person; selected: at least one proposal of that type
  was ever made about them.
* ``proposal_approved`` — approved vs rejected: one row per proposal a person decided (an override counts as
  approved); selected: approved.
* ``marketplace_shortlisted`` — one row per marketplace application; selected: the owner shortlisted them (the
  moment the blind shortlist reveals a name).
* ``marketplace_placed`` — one row per marketplace application; selected: placed (their manager approved the hours).

Demographics are read here and only here (besides export and erasure), through the HR-only repository, after the
outcomes are computed without them: nothing that decides an outcome can see them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from approvals.actions import LABELS, ActionType
from conversation import Attachment, Reply
from governance import bias
from governance.permissions import Capability, Permission, check
from handlers.context import Ladder
from handlers.manager_views import readiness
from storage import UnitOfWork
from storage.audited_outcomes import audited_outcomes
from storage.demographics import demographics
from storage.models import DEMOGRAPHIC_FIELDS, Person
from storage.scope import EVERYONE

DIMENSIONS = DEMOGRAPHIC_FIELDS  # sex, race_ethnicity (and their intersection)


@dataclass(frozen=True)
class Outcome:
    """One audited output before demographics are joined: (subject id, selected) per decision."""

    name: str
    description: str
    decisions: list[tuple[int, bool]]


@dataclass(frozen=True)
class BiasReport:
    title: str
    audits: list[bias.OutcomeAudit]
    unavailable: list[bias.Unavailable]

    def as_data(self) -> dict:
        return {"title": self.title, "outcomes": [a.as_data() for a in self.audits],
                "unavailable": [u.as_data() for u in self.unavailable],
                "rules": {"impact_ratio": "selection rate / highest selection rate among included categories",
                          "flag_below": bias.FOUR_FIFTHS, "exclude_under_share": bias.SMALL_CATEGORY_SHARE}}


# --------------------------------------------------------------------------- Ladder's outcomes (no demographics)


def ladder_outcomes(ladder: Ladder, uow: UnitOfWork) -> list[Outcome]:
    """Every audited output Ladder produced about people, computed from skills, roles and proposals alone."""
    repo = audited_outcomes(uow)
    people = repo.people_and_roles()
    ids = [pid for pid, _role, _target in people]
    out = [_ready_for_role(ladder, uow, people)]
    got = repo.proposal_types_by_subject()
    for kind in ActionType:
        out.append(Outcome(f"proposal_{kind.value}", f"got a {LABELS[kind]} proposal",
                           [(pid, kind.value in got.get(pid, set())) for pid in ids]))
    out.append(Outcome("proposal_approved", "proposal approved (vs rejected) by a person",
                       [(subject, approved) for _pid, subject, approved in repo.human_decisions()]))
    applications = repo.marketplace_applications()
    out.append(Outcome("marketplace_shortlisted", "shortlisted by an opportunity's owner (of those who applied)",
                       [(pid, shortlisted) for pid, shortlisted, _placed in applications]))
    out.append(Outcome("marketplace_placed", "placed on a marketplace opportunity (of those who applied)",
                       [(pid, placed) for pid, _shortlisted, placed in applications]))
    return out


def _ready_for_role(ladder: Ladder, uow: UnitOfWork, people: list[tuple[int, int | None, int | None]]) -> Outcome:
    graph = ladder.indexes.graph(uow.skills.taxonomy)
    by_role: dict[int, list[int]] = {}
    for pid, role_id, target_id in people:
        role = target_id or role_id
        if role is not None and role in graph.roles and graph.roles[role].essential:
            by_role.setdefault(role, []).append(pid)
    ready: dict[int, bool] = {}
    for role_id, pids in by_role.items():
        for r in readiness(ladder, uow, graph, pids, role_id, EVERYONE):  # HR's audit, run_bias_audit checked
            ready[r.person_id] = not r.missing
    return Outcome("ready_for_role", "surfaced as ready for their target (or current) role",
                   [(pid, ready[pid]) for pid, *_ in people if pid in ready])


# --------------------------------------------------------------------------- joining categories, auditing


def audit_outcomes(outcomes: Iterable[Outcome], categories: dict[int, dict[str, str | None]]) -> list[bias.OutcomeAudit]:
    return [bias.audit(o.name, (bias.Decision(pid, categories.get(pid, {}), selected) for pid, selected in o.decisions),
                       DIMENSIONS, description=o.description) for o in outcomes]


def ladder_report(ladder: Ladder, uow: UnitOfWork, permission: Permission) -> BiasReport:
    outcomes = ladder_outcomes(ladder, uow)  # first, and without demographics
    categories = demographics(uow).for_hr(permission)
    return BiasReport("Bias audit of Ladder's outputs", audit_outcomes(outcomes, categories), [])


# --------------------------------------------------------------------------- presenting


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def table_lines(audit: bias.OutcomeAudit) -> list[str]:
    """One outcome as fixed-width text tables (read in a terminal, or in a code block in chat)."""
    lines = [f"{audit.description or audit.outcome} [{audit.outcome}] — {audit.selected} of {audit.total} selected"]
    for table in audit.tables:
        width = max([len(table.dimension)] + [len(r.category) for r in table.rows])
        lines.append(f"  {table.dimension:<{width}}  {'n':>6}  {'selected':>8}  {'rate':>7}  {'ratio':>6}")
        for r in table.rows:
            note = " excluded (<2%)" if r.excluded else (" ⚠ below 0.8" if r.flagged else "")
            lines.append(f"  {r.category:<{width}}  {r.n:>6}  {r.selected:>8}  {_pct(r.selection_rate):>7}  "
                         f"{_ratio(r.impact_ratio):>6}{note}")
        extras = [f"unknown category: {table.unknown}"]
        if table.excluded:
            extras.append("left out of the ratios (under 2% of the data): " + ", ".join(r.category for r in table.excluded))
        if table.highest_rate == 0 or table.highest_rate is None:
            extras.append("nobody selected in any included category: impact ratios undefined")
        lines.append("  " + "; ".join(extras))
    return lines


def report_text(report: BiasReport, *, compact: bool = False) -> str:
    """Every table; ``compact`` (chat): an outcome that selected nobody is one line instead of its tables — except
    the first (readiness), whose tables also show who is in which category and how many are unknown."""
    lines = [report.title, "Impact ratio = a category's selection rate ÷ the highest category's; below 0.8 is flagged "
             "(four-fifths guideline). Unknown categories are counted, not rated.", ""]
    for index, audit in enumerate(report.audits):
        if compact and audit.selected == 0 and index > 0:
            lines.append(f"{audit.description} [{audit.outcome}]: nobody selected among {audit.total} — no ratios")
            continue
        lines += table_lines(audit) + [""]
    for u in report.unavailable:
        lines.append(f"{u.description} [{u.outcome}]: {u.reason}")
    flagged = [(a.outcome, d, c, r) for a in report.audits for d, c, r in a.flagged]
    lines.append(f"{len(flagged)} categor{'y' if len(flagged) == 1 else 'ies'} below the four-fifths line"
                 + (": " + "; ".join(f"{o} / {d} / {c} ({r:.2f})" for o, d, c, r in flagged[:8]) if flagged else "."))
    return "\n".join(lines)


# --------------------------------------------------------------------------- chat


NOT_HR = "The bias audit is for HR."


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, _intent: object = None) -> Reply:
    """"run a bias audit" / "are our recommendations fair?" — HR gets the tables and a chart; others a refusal."""
    from handlers.bias_chart import impact_ratio_chart

    permission = check(uow.people, person, Capability.run_bias_audit)
    if not permission.allowed:
        return Reply(text=permission.reason or NOT_HR, ephemeral=True,
                     data={"intent": "bias_audit", "status": "refused"})
    report = ladder_report(ladder, uow, permission)
    png, alt = impact_ratio_chart(report.audits)
    text = "```\n" + report_text(report, compact=True) + "\n```"
    return Reply(text=text, ephemeral=True, attachments=[Attachment(filename="bias-audit.png", content_type="image/png",
                                                                   data=png, alt_text=alt)],
                 data={"intent": "bias_audit", "status": "done", "audit": report.as_data()})
