"""The managers' weekly digest: decisions waiting for them, validations to review, who on the team made progress or
stalled (enrolment activity), and who is ready for their target role — each with its one-click action.

Everything is read through the manager's own permissions: decisions through their decision scope (as "my
approvals" reads them), validations through ``validate_skill``, the team through ``view_team`` with people who
opted out of being shown to others left out (as the team views leave them out).
"""

from __future__ import annotations

import datetime as dt

from approvals.cards import proposal_card
from approvals.views import pending_for
from conversation import ActionKind, ActionRef, Button, Card, Fact, Reply
from digests.content import MAX_CARDS, Digest, Window, when
from digests.readiness import labels, missing_for_targets
from digests.schedule import DigestKind
from governance.permissions import Capability, scope_for
from skills_engine.graph import RoleGraph
from storage import UnitOfWork
from storage.models import Person, SkillEvidence

MAX_LINES = 8


class _Directory:
    """The directory as the permission checks read it, with this manager's reporting line read once (a digest asks
    for three scopes of the same person; each would walk the reporting line again)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._people = uow.people
        self._reports: dict[int, list[int]] = {}

    def report_ids(self, manager_id: int) -> list[int]:
        if manager_id not in self._reports:
            self._reports[manager_id] = self._people.report_ids(manager_id)
        return self._reports[manager_id]

    def is_in_reporting_line(self, manager_id: int, person_id: int) -> bool:
        return self._people.is_in_reporting_line(manager_id, person_id)


def _validation_card(evidence: SkillEvidence, subject: str, skill: str) -> Card:
    return Card(
        title=f"Validate {skill} for {subject}?",
        body=f"{subject} asks you to confirm they can apply {skill} at level {evidence.level}.",
        facts=[Fact(title="Asked on", value=when(evidence.observed_at))],
        buttons=[Button(label="Confirm", ref=ActionRef(kind=ActionKind.validate_skill, target=str(evidence.id)).encode(), style="primary"),
                 Button(label="Decline", ref=ActionRef(kind=ActionKind.decline_skill, target=str(evidence.id)).encode(), style="danger")])


def build(uow: UnitOfWork, graph: RoleGraph, manager: Person, window: Window, *, stalled_after_days: int,
          previous: dict | None = None) -> Digest | None:
    """The digest, or None when there is nothing to say."""
    now = window.now
    decisions = pending_for(uow, manager, now.date(), limit=50)
    directory = _Directory(uow)
    validations = uow.skills.pending_validations(manager.id, scope_for(directory, manager, Capability.validate_skill))
    team_scope = scope_for(directory, manager, Capability.view_team)
    # The team as the team views read it: their reporting line, through the scope, without those who opted out of
    # being shown to others.
    reports = team_scope.only(directory.report_ids(manager.id))
    hidden = uow.preferences.hidden_among(reports)
    team = uow.people.in_scope([pid for pid in reports if pid not in hidden], team_scope)
    activity = uow.digests.enrolment_activity(team)
    stall_cutoff = now - dt.timedelta(days=stalled_after_days)
    progressed: list[str] = []
    stalled: list[str] = []
    for pid in sorted(team, key=lambda p: team[p].name):
        done = [a.course_title for a in activity[pid] if a.status == "completed" and window.covers(a.completed_at)]
        moving = [f"{a.course_title} ({a.progress:.0%})" for a in activity[pid]
                  if a.status in ("enrolled", "in_progress") and window.covers(a.last_activity_at)]
        stuck = [a.course_title for a in activity[pid] if a.status in ("enrolled", "in_progress")
                 and (a.last_activity_at or a.enrolled_at) < stall_cutoff]
        if done or moving:
            parts = ([f"completed {', '.join(done)}"] if done else []) + ([f"working on {', '.join(moving)}"] if moving else [])
            progressed.append(f"• {team[pid].name} — {'; '.join(parts)}")
        if stuck:
            stalled.append(f"• {team[pid].name} — no activity in {stalled_after_days}+ days on {', '.join(stuck)}")
    targets = {pid: p.target_role_id for pid, p in team.items() if p.target_role_id}
    missing = missing_for_targets(uow, graph, targets, team_scope, now)
    ready = sorted(pid for pid, gaps in missing.items() if not gaps)
    before = set((previous or {}).get("ready", []))
    close = sorted((pid for pid, gaps in missing.items() if 0 < len(gaps) <= 2), key=lambda p: (len(missing[p]), team[p].name))

    if not (decisions or validations or progressed or stalled or ready):
        return None
    lines = [f"*Your weekly team digest* — {when(window.since)} to {when(now)}"]
    cards: list[Card] = []
    if decisions:
        lines.append(f"\n*{len(decisions)} decision(s) waiting for you*"
                     + (f" — the first {MAX_CARDS} are below; say “my approvals” for all." if len(decisions) > MAX_CARDS else ""))
        cards += [proposal_card(v, "approver") for v in decisions[:MAX_CARDS]]
    if validations:
        people = uow.people.many(sorted({e.person_id for e in validations}))
        skills = uow.skills.skill_labels(sorted({e.skill_id for e in validations}))
        lines.append(f"\n*{len(validations)} skill validation(s) to review*"
                     + (f" — say “pending validations” for all." if len(validations) > MAX_CARDS else ""))
        cards += [_validation_card(e, people[e.person_id].name if e.person_id in people else "someone",
                                   skills.get(e.skill_id, ("", "a skill"))[1]) for e in validations[:MAX_CARDS]]
    if progressed:
        lines.append(f"\n*Progress this week* ({len(progressed)})")
        lines += progressed[:MAX_LINES] + ([f"• … and {len(progressed) - MAX_LINES} more"] if len(progressed) > MAX_LINES else [])
    if stalled:
        lines.append(f"\n*Stalled* ({len(stalled)}) — a check-in may help")
        lines += stalled[:MAX_LINES] + ([f"• … and {len(stalled) - MAX_LINES} more"] if len(stalled) > MAX_LINES else [])
    if ready:
        lines.append(f"\n*Ready for their target role* ({len(ready)})")
        for pid in ready[:MAX_LINES]:
            new = " — newly ready" if pid not in before else ""
            lines.append(f"• {team[pid].name}: every essential skill for {graph.roles[targets[pid]].label} is verified{new}")
    if close:
        lines.append("\n*Close to ready*")
        lines += [f"• {team[pid].name} — {graph.roles[targets[pid]].label}: missing {labels(graph, missing[pid])}"
                  for pid in close[:MAX_LINES]]
    data = {"intent": "digest", "kind": DigestKind.manager.value, "decisions": [v.id for v in decisions],
            "validations": [e.id for e in validations], "progressed": len(progressed), "stalled": len(stalled),
            "ready": [team[pid].email for pid in ready]}
    reply = Reply(text="\n".join(lines), cards=cards, data=data)
    return Digest(DigestKind.manager, manager.id, reply, detail={"ready": ready, "decisions": len(decisions),
                                                                  "validations": len(validations)})
