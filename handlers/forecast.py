"""“Which skills will we be short of next year?”: the skill-gap forecast for the organisation or one team, with the
reasons (demand against supply, with intervals) and a chart. HR and admins may ask about the organisation or any
team; a manager about the team they lead only. ``python app.py forecast gaps --team NAME`` uses the same answer.

Each gap comes with two actions (buttons, re-checked on the click like the question): *Post an opportunity* opens
the marketplace's draft card asking for the skill, for the asker to edit and publish; *Propose a course cohort*
sends HR or L&D a ``course_cohort`` proposal (forecasting/cohort.py) — offered only when a course teaches the skill."""

from __future__ import annotations

import re

from approvals.notify import notify_approvers
from conversation import ActionKind, ActionRef, Button, Card, Reply
from conversation.messages import Attachment
from forecasting import cohort
from forecasting.gaps import Gap, NoHistory, chart_png, gaps
from governance.permissions import Role
from handlers import access
from handlers import marketplace as marketplace_handler
from handlers.access import Capability
from handlers.context import Ladder
from handlers.intents import Intent
from storage import UnitOfWork
from storage.models import Person, Team

TOP = 5
CLICKS = frozenset({ActionKind.post_gap_opportunity, ActionKind.propose_cohort})
QUARTERS = re.compile(r"\b([234])\s*quarters?\b", re.IGNORECASE)


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """In words: a team is named by its name anywhere in the message; "next 3 quarters" sets the horizon (default
    4, "next year")."""
    text = intent.text.lower()
    team = next((t.name for t in uow.skill_history.teams() if t.name.lower() in text), None)
    m = QUARTERS.search(intent.text)
    return answer(ladder, uow, person, team, int(m.group(1)) if m else 4)


def answer(ladder: Ladder, uow: UnitOfWork, person: Person | None, team_name: str | None = None,
           quarters: int = 4) -> Reply:
    permission = access.gate(uow, person, Capability.forecast_gaps)
    if not permission:
        return access.refused(permission, "forecast_gaps")
    if not 2 <= quarters <= 4:
        return Reply(text="I forecast 2 to 4 quarters ahead — ask for the next 2, 3 or 4 quarters.", ephemeral=True,
                     data={"intent": "forecast_gaps", "status": "bad_quarters"})
    team = uow.skill_history.team_by_name(team_name) if team_name else None
    if team_name and team is None:
        return Reply(text=f"I don't know a team called “{team_name}”.", ephemeral=True,
                     data={"intent": "forecast_gaps", "status": "unknown_team"})
    team, forbidden = _scope(uow, person, team, "forecast_gaps", organisation=team_name is None)
    return forbidden or scoped_reply(uow, team, quarters)


def _scope(uow: UnitOfWork, person: Person | None, team: Team | None, intent: str, *,
           organisation: bool) -> tuple[Team | None, Reply | None]:
    """The scope this person may see: HR and admins any team or the organisation; a manager the team they lead
    (asked about the organisation, they get their team — a click about the organisation is refused)."""
    if access.roles(uow, person) & {Role.hr, Role.admin}:
        return team, None
    led = uow.skill_history.team_led_by(person.id) if person else None
    if led is None or (team is not None and team.id != led.id) or (team is None and not organisation):
        return None, Reply(text="Sorry — I can only forecast skill gaps for the team you lead. HR can see other teams "
                                "and the whole organisation.", ephemeral=True,
                           data={"intent": intent, "status": "forbidden", "denied": True})
    return led, None


def visible_scopes(uow: UnitOfWork, person: Person | None) -> list[Team | None]:
    """Every scope ``person`` may forecast (None: the organisation), as ``_scope`` decides it for a question: HR and
    admins the organisation and each team, a manager the team they lead, anyone else nothing."""
    if not access.gate(uow, person, Capability.forecast_gaps):
        return []
    if access.roles(uow, person) & {Role.hr, Role.admin}:
        return [None, *uow.skill_history.teams()]
    led = uow.skill_history.team_led_by(person.id) if person else None
    return [led] if led is not None else []


def scope_gaps(uow: UnitOfWork, team: Team | None, quarters: int) -> list[Gap]:
    """The forecast gaps of one scope, largest first (raises NoHistory) — what the chat and the dashboard show."""
    return gaps(uow.skill_history.series(team.id if team else None), quarters)


def scoped_reply(uow: UnitOfWork, team: Team | None, quarters: int) -> Reply:
    """The answer for one scope (a team, or the organisation when ``team`` is None), permission already checked."""
    scope = team.name if team else "the organisation"
    try:
        found = scope_gaps(uow, team, quarters)
    except NoHistory:
        return Reply(text=f"There is no monthly skill history for {scope} yet, so I can't forecast its gaps. "
                          "It needs at least three months of supply and demand per skill for that team.", ephemeral=True,
                     data={"intent": "forecast_gaps", "status": "no_history", "scope": scope})
    if not found:
        return Reply(text=f"No skill is expected to be short in {scope} over the next {quarters} quarters.",
                     data={"intent": "forecast_gaps", "status": "done", "scope": scope, "gaps": []})
    top = found[:TOP]
    skill_ids = {g.skill: uow.skill_history.skill_id(g.skill) for g in top}
    courses = {g.skill: cohort.course_for(uow, sid) if sid is not None else None for g, sid in zip(top, skill_ids.values())}
    lines = [f"*Skills {scope} is expected to be short of in the next {quarters} quarters*"]
    lines += [f"{i}. *{g.skill}* — {g.why()}" for i, g in enumerate(top, start=1)]
    lines.append("_Forecast: exponential smoothing chosen per series by backtest (docs/forecasting.md); "
                 "intervals from backtest errors._")
    alt = chart_alt(top)
    cards = [_gap_card(i, g, team, skill_ids[g.skill], courses[g.skill]) for i, g in enumerate(top, start=1)
             if skill_ids[g.skill] is not None]
    return Reply(text="\n".join(lines), cards=cards,
                 attachments=[Attachment(filename="skill-gaps.png", content_type="image/png",
                                         data=chart_png(top, f"Skill gaps ahead — {scope}"), alt_text=alt)],
                 data={"intent": "forecast_gaps", "status": "done", "scope": scope,
                       "gaps": [g.as_dict() for g in top]})


def chart_alt(top: list[Gap]) -> str:
    return "Bar chart of demand minus supply per quarter ahead for " + ", ".join(g.skill for g in top[:4])


def _gap_card(rank: int, g: Gap, team: Team | None, skill_id: int, course) -> Card:
    target = f"{skill_id}.{team.id if team else 0}.{g.quarter}.{max(1, round(g.gap))}"
    buttons = [Button(label="Post an opportunity", ref=ActionRef(kind=ActionKind.post_gap_opportunity, target=target).encode())]
    if course is not None:
        buttons.append(Button(label="Propose a course cohort", style="primary",
                              ref=ActionRef(kind=ActionKind.propose_cohort, target=target).encode()))
        offer = f"A cohort would take {course.code} “{course.title}” ({course.duration_hours:g} h); HR or L&D decide it."
    else:
        offer = f"No course in the catalogue teaches {g.skill} yet, so a course cohort can't be proposed."
    return Card(title=f"{rank}. {g.skill} — short by {g.gap:.0f} in quarter {g.quarter} ahead", body=offer, buttons=buttons)


def click(ladder: Ladder, uow: UnitOfWork, person: Person, kind: ActionKind, target: str) -> Reply:
    """A gap's button: the permission of the question is checked again, for the scope the button names."""
    intent = "post_opportunity" if kind == ActionKind.post_gap_opportunity else "propose_cohort"
    parts = target.split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return Reply(text="That button is out of date — ask for the forecast again and use the new one.", ephemeral=True,
                     data={"intent": intent, "status": "stale"})
    skill_id, team_id, quarter, shortfall = (int(p) for p in parts)
    permission = access.gate(uow, person, Capability.forecast_gaps)
    if not permission:
        return access.refused(permission, intent)
    team = uow.skill_history.team(team_id) if team_id else None
    if team_id and team is None:
        return Reply(text="That team is no longer in the directory.", ephemeral=True, data={"intent": intent, "status": "unknown_team"})
    team, forbidden = _scope(uow, person, team, intent, organisation=False)
    if forbidden is not None:
        return forbidden
    skill = uow.skills.skill_labels([skill_id]).get(skill_id, ("", None))[1]
    if skill is None:
        return Reply(text="I no longer know that skill.", ephemeral=True, data={"intent": intent, "status": "unknown_skill"})
    scope = team.name if team else "the organisation"
    if kind == ActionKind.post_gap_opportunity:
        return marketplace_handler.post_for_skill(ladder, uow, person, skill_id, skill, scope)
    now = ladder.now()
    result = cohort.propose(uow, person, team, skill, quarter=min(max(quarter, 1), 4), shortfall=float(shortfall), now=now,
                            expiry_days=ladder.settings.approval_expiry_days)
    if result.status == "proposed" and result.proposal_id is not None:
        uow.flush()
        notify_approvers(uow, ladder.notifiers, [result.proposal_id], today=now.date(),
                         heading="to decide: a course cohort for a forecast skill gap")
    return Reply(text=result.message, ephemeral=True,
                 data={"intent": intent, "status": result.status, "proposal_id": result.proposal_id,
                       "approver_id": result.approver_id, "skill": skill, "scope": scope})
