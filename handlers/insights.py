"""Use case: outcome analytics for HR and leaders — does learning relate to retention (and performance)?

``database_table`` is the one-row-per-person table both the command line and chat analyse.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from conversation import Attachment, Reply
from governance.permissions import Capability
from handlers import access
from handlers.context import Ladder
from handlers.intents import Intent
from insights import caveats
from insights.attrition import AttritionResult, attrition
from insights.performance import rating_change
from insights.problems import InsightsInputError
from insights.report import headline, p_text
from insights.table import LEARNING_WINDOW_DAYS, person_table, took_course
from storage import UnitOfWork
from storage.models import Person


def database_table(uow: UnitOfWork, today: dt.date) -> pd.DataFrame:
    return person_table(uow.outcomes.people(), uow.outcomes.completions(), today)


# --------------------------------------------------------------------------- chat


PERFORMANCE = re.compile(r"\b(perform\w*|ratings?|reviews?)\b", re.IGNORECASE)
# Words people use for a course that its title may not carry: the word → words of titles and descriptions.
TOPIC_WORDS = {"leadership": ("manager", "manage staff", "leadership"), "leaders": ("manager", "leadership"),
               "management": ("manager", "management")}
NOT_TOPICS = {"course", "courses", "training", "trained", "people", "who", "did", "the", "after", "retention", "attrition",
              "relate", "does", "took", "taken", "take", "with", "what", "about", "performance", "rating", "ratings",
              "learning", "leave", "left", "stay", "stayed", "those", "that", "their", "them", "from", "employees"}


def _course(uow, text: str, completed: dict[str, int]) -> tuple[str, str] | None:
    """The course the question is about: by code, else by the words of its title (and TOPIC_WORDS); among several,
    the one most people completed."""
    titles = uow.outcomes.course_titles()
    lowered = text.lower()
    for code, title in titles.items():
        if re.search(rf"\b{re.escape(code.lower())}\b", lowered):
            return code, title
    words = [w for w in re.findall(r"[a-z]+", lowered) if len(w) >= 4 and w not in NOT_TOPICS]
    if not words or not re.search(r"\bcourse|programme|program|class|training\b", lowered):
        return None
    wanted = [t for w in words for t in TOPIC_WORDS.get(w, (w,))]
    found = [code for code, title in titles.items() if any(re.search(rf"\b{re.escape(t)}", title.lower()) for t in wanted)]
    if not found:
        return None
    code = max(found, key=lambda c: (completed.get(c, 0), c))
    return code, titles[code]


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, intent: Intent) -> Reply:
    """"does training relate to attrition?", "retention of people who did the leadership course", "performance after
    the data course": a short answer with the effect, its interval, n and the caveats, and a Kaplan–Meier chart."""
    permission = access.gate(uow, person, Capability.view_outcomes)
    if not permission:
        return access.refused(permission, "outcome_insights")
    today = ladder.now().date()
    table = database_table(uow, today)
    completed = {}
    for codes in table["completed"]:
        for code in codes:
            completed[code] = completed.get(code, 0) + 1
    course = _course(uow, intent.text, completed)
    try:
        if PERFORMANCE.search(intent.text) and course:
            return _performance(uow, table, course)
        return _retention(table, course)
    except InsightsInputError as exc:
        return Reply(text=f"I can't answer that from the data yet: {exc}", ephemeral=True,
                     data={"intent": "outcome_insights", "status": "no_data"})


@dataclass(frozen=True)
class Retention:
    result: AttritionResult
    label: str  # what the groups are by, in words
    headline: str
    caveats: list[str]


def retention(table: pd.DataFrame, course: tuple[str, str] | None) -> Retention:
    """Attrition by early learning (or by one course, ``course`` = (code, title)): the result the chat and the
    dashboard show, with its one-sentence headline and caveats. Raises InsightsInputError without data."""
    if course:
        table = table.assign(took=took_course(table, course[0]))
        by, label, who = "took", f"took {course[1]}", f"took {course[1]}"
    else:
        by, label = "learning", f"learning in the first {LEARNING_WINDOW_DAYS} days"
        who = f"completed a course in their first {LEARNING_WINDOW_DAYS} days"
    result = attrition(table, by)
    return Retention(result, label, headline(result, label, who), result.caveats + ([caveats.IMMORTAL] if course else []))


def _retention(table: pd.DataFrame, course: tuple[str, str] | None) -> Reply:
    from handlers.insights_chart import survival_chart

    found = retention(table, course)
    result, label, notes = found.result, found.label, found.caveats
    lines = [found.headline]
    for g in result.groups:
        lines.append(f"• {label} = {g.name}: {g.n} people, {g.leavers} left"
                     + (f", median stay {g.median_years:.1f} years" if g.median_years else ", median stay not reached"))
    lines.append(f"Log-rank p = {p_text(result.logrank_p)}. Ask “insights attrition --json” on the command line "
                 "for every figure.")
    lines += [f"_{c}_" for c in notes]
    png, alt = survival_chart(result, label)
    return Reply(text="\n".join(lines), ephemeral=True,
                 attachments=[Attachment(filename="retention.png", content_type="image/png", data=png, alt_text=alt)],
                 data={"intent": "outcome_insights", "status": "done", "analysis": "attrition",
                       "course": course[0] if course else None, "result": {**result.as_dict(), "caveats": notes}})


def _performance(uow: UnitOfWork, table: pd.DataFrame, course: tuple[str, str]) -> Reply:
    departments = dict(zip(table["person"], table["department"]))
    result = rating_change(course[0], departments, uow.outcomes.completions(), uow.outcomes.ratings())
    if result.suppressed:
        text = (f"Too few people to compare ratings after {course[1]} (groups under {caveats.MIN_GROUP} are not shown).")
    else:
        text = (f"Ratings after {course[1]}: takers changed by {result.mean_change_takers:+.2f} points on average, "
                f"comparable non-takers by {result.mean_change_comparison:+.2f}; the difference, adjusted for the rating "
                f"before, is {result.effect:+.2f} (95% CI {result.ci_low:+.2f} to {result.ci_high:+.2f}), "
                f"{result.takers} takers and {result.comparison} others.")
    text += "\n" + "\n".join(f"_{c}_" for c in result.caveats)
    return Reply(text=text, ephemeral=True, data={"intent": "outcome_insights", "status": "done",
                                                 "analysis": "rating_change", "course": course[0],
                                                 "result": result.as_dict()})
