"""“Which skills will we be short of next year?”: the skill-gap forecast for the organisation or one team, with the
reasons (demand against supply, with intervals) and a chart. HR and admins may ask about the organisation or any
team; a manager about the team they lead only. ``python app.py forecast gaps --team NAME`` uses the same answer."""

from __future__ import annotations

import re

from conversation import Reply
from conversation.messages import Attachment
from forecasting.gaps import NoHistory, chart_png, gaps
from governance.permissions import Role
from handlers import access
from handlers.access import Capability
from handlers.context import Ladder
from handlers.intents import Intent
from storage import UnitOfWork
from storage.models import Person, Team

TOP = 5
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
    roles = access.roles(uow, person)
    org_wide = bool(roles & {Role.hr, Role.admin})
    team = uow.skill_history.team_by_name(team_name) if team_name else None
    if team_name and team is None:
        return Reply(text=f"I don't know a team called “{team_name}”.", ephemeral=True,
                     data={"intent": "forecast_gaps", "status": "unknown_team"})
    if not org_wide:
        led = uow.skill_history.team_led_by(person.id) if person else None
        if led is None or (team is not None and team.id != led.id):
            return Reply(text="Sorry — I can only forecast skill gaps for the team you lead. HR can see other teams "
                              "and the whole organisation.", ephemeral=True,
                         data={"intent": "forecast_gaps", "status": "forbidden", "denied": True})
        team = led
    return scoped_reply(uow, team, quarters)


def scoped_reply(uow: UnitOfWork, team: Team | None, quarters: int) -> Reply:
    """The answer for one scope (a team, or the organisation when ``team`` is None), permission already checked."""
    scope = team.name if team else "the organisation"
    try:
        found = gaps(uow.skill_history.series(team.id if team else None), quarters)
    except NoHistory:
        return Reply(text=f"There is no monthly skill history for {scope} yet, so I can't forecast its gaps. "
                          "It needs at least three months of supply and demand per skill for that team.", ephemeral=True,
                     data={"intent": "forecast_gaps", "status": "no_history", "scope": scope})
    if not found:
        return Reply(text=f"No skill is expected to be short in {scope} over the next {quarters} quarters.",
                     data={"intent": "forecast_gaps", "status": "done", "scope": scope, "gaps": []})
    top = found[:TOP]
    lines = [f"*Skills {scope} is expected to be short of in the next {quarters} quarters*"]
    lines += [f"{i}. *{g.skill}* — {g.why()}" for i, g in enumerate(top, start=1)]
    lines.append("_Forecast: exponential smoothing chosen per series by backtest (docs/forecasting.md); "
                 "intervals from backtest errors._")
    alt = "Bar chart of demand minus supply per quarter ahead for " + ", ".join(g.skill for g in top[:4])
    return Reply(text="\n".join(lines),
                 attachments=[Attachment(filename="skill-gaps.png", content_type="image/png",
                                         data=chart_png(top, f"Skill gaps ahead — {scope}"), alt_text=alt)],
                 data={"intent": "forecast_gaps", "status": "done", "scope": scope,
                       "gaps": [g.as_dict() for g in top]})
