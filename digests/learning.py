"""The L&D and HR digest, built overnight: enrolments, completions and drop-off over the last day; skills in demand
(essential for the roles people aim for, asked for by open opportunities) that no course teaches; and the
questions the knowledge base could not answer, grouped by topic with the page that would answer them.

The same for every reader (it names nobody): built once per run and sent to each L&D and HR person.
"""

from __future__ import annotations

import datetime as dt

from conversation import Card, Fact, Reply
from digests.content import Digest, Window, when
from digests.deps import ClosestPage
from digests.schedule import DigestKind
from digests.topics import closest_document, group
from skills_engine.graph import RoleGraph
from storage import UnitOfWork

MAX_SKILLS = 8
MAX_TOPICS = 6
MAX_QUESTIONS = 3


def registry_page(uow: UnitOfWork, words) -> str | None:
    """The default page finder: the registered document whose title, topic or file name shares the most words."""
    return closest_document([(d.title, d.topic, d.source) for d in uow.knowledge.documents()], words)


def build(uow: UnitOfWork, graph: RoleGraph, window: Window, *, stalled_after_days: int,
          closest_page: ClosestPage | None = None) -> Digest | None:
    """The shared digest (person_id 0: the run addresses a copy to each reader), or None when there is nothing."""
    stall_cutoff = window.now - dt.timedelta(days=stalled_after_days)
    counts = uow.digests.learning_counts(window.since, stall_cutoff)
    dropped = uow.digests.dropped_courses(stall_cutoff)
    demand = uow.digests.skills_in_demand_without_course()
    demand.sort(key=lambda d: (-(d.people_targeting + d.open_opportunities), -graph.demand.get(d.skill_id, 0),
                               graph.skills.get(d.skill_id, ("", ""))[1]))
    questions = uow.digests.questions_without_answer(window.since)
    topics = group([q.question for q in questions])
    find = closest_page or registry_page
    for topic in topics[:MAX_TOPICS]:
        topic.page = find(uow, topic.words)

    activity = counts.enrolled or counts.completed or counts.withdrawn
    if not (activity or demand or topics):
        return None
    lines = [f"*Learning and HR digest* — {when(window.since)} to {when(window.now)}"]
    cards: list[Card] = []
    lines.append(f"\n*Learning*: {counts.enrolled} new enrolment(s), {counts.completed} completion(s), "
                 f"{counts.withdrawn} withdrawal(s); {counts.active} active, {counts.stalled} with no activity in "
                 f"{stalled_after_days}+ days.")
    if dropped:
        lines.append("Most drop-off: " + "; ".join(f"{title} ({n})" for title, n in dropped))
    if demand:
        lines.append(f"\n*Skills in demand that no course teaches* ({len(demand)})")
        for d in demand[:MAX_SKILLS]:
            label = graph.skills.get(d.skill_id, ("", f"skill {d.skill_id}"))[1]
            why = []
            if d.people_targeting:
                why.append(f"{d.people_targeting} people's target role needs it")
            if d.open_opportunities:
                why.append(f"{d.open_opportunities} open opportunit{'y' if d.open_opportunities == 1 else 'ies'}")
            lines.append(f"• {label} — {', '.join(why)}")
        if len(demand) > MAX_SKILLS:
            lines.append(f"• … and {len(demand) - MAX_SKILLS} more")
    if topics:
        lines.append(f"\n*Questions the handbook could not answer* ({len(questions)}, {len(topics)} topic(s))")
        for topic in topics[:MAX_TOPICS]:
            examples = "; ".join(f"“{q}”" for q in topic.questions[:MAX_QUESTIONS])
            page = f"closest page: {topic.page}" if topic.page else "no page yet"
            lines.append(f"• {topic.keyword} ({len(topic.questions)}) — {examples} — {page}")
            cards.append(Card(title=f"Unanswered: {topic.keyword}", body="\n".join(topic.questions[:MAX_QUESTIONS]),
                              facts=[Fact(title="Questions", value=str(len(topic.questions))),
                                     Fact(title="Page that would answer them", value=topic.page or "no page yet")]))
    data = {"intent": "digest", "kind": DigestKind.learning.value, "enrolled": counts.enrolled, "completed": counts.completed,
            "withdrawn": counts.withdrawn, "stalled": counts.stalled,
            "skills_without_course": [graph.skills.get(d.skill_id, ("", ""))[0] for d in demand[:MAX_SKILLS]],
            "topics": [{"keyword": t.keyword, "questions": len(t.questions), "page": t.page} for t in topics[:MAX_TOPICS]]}
    return Digest(DigestKind.learning, 0, Reply(text="\n".join(lines), cards=cards[:MAX_TOPICS], data=data),
                  detail={"topics": len(topics), "skills": len(demand)})
