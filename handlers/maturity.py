"""“Where do we sit on the ladder?”: the maturity assessment in chat (HR and admins), its questionnaire (one
yes / no question at a time, as buttons), `/ladder maturity` and ``python app.py maturity``."""

from __future__ import annotations

from conversation import ActionKind, ActionRef, Button, Card, Reply
from handlers import access
from handlers.access import Capability
from handlers.context import Ladder
from handlers.intents import Intent
from maturity.assess import QUESTIONS, STAGES, Assessment, Question, assess
from storage import UnitOfWork
from storage.models import Person

CLICKS = frozenset({ActionKind.maturity_yes, ActionKind.maturity_no})
USAGE = "`/ladder maturity` — where the organisation sits on the maturity ladder, with the evidence and the next three steps"


def assessment(ladder: Ladder, uow: UnitOfWork) -> Assessment:
    return assess(uow.maturity.observed(ladder.now()), uow.maturity.answers())


def render(result: Assessment) -> Reply:
    where = (f"stage {result.stage} of {len(STAGES)}, *{STAGES[result.stage]}*" if result.stage
             else "below the first stage (*Personalised learning* is not in place yet)")
    lines = [f"*Where we sit on the ladder*: {where}."]
    for stage in result.stages:
        mark = "✅" if stage.met else "⬜"
        lines.append(f"\n{mark} *{stage.stage}. {stage.name}*")
        lines += [f"  {'✓' if c.met else '✗'} {c.what} — {c.evidence}" for c in stage.checks]
        said = {True: "yes", False: "no", None: "not answered yet"}[stage.answer]
        lines.append(f"  {'✓' if stage.answer else ('✗' if stage.answer is False else '?')} {stage.question} — {said}")
    if result.next_steps:
        lines.append("\n*Next steps*")
        lines += [f"{i}. {step}" for i, step in enumerate(result.next_steps, start=1)]
    else:
        lines.append("\nEvery stage is in place. Keep the data flowing and review the outcomes each quarter.")
    lines.append("_What Ladder can see is counted in its own data; the questions cover what it cannot see._")
    cards = [question_card(result.unanswered[0], len(result.unanswered))] if result.unanswered else []
    return Reply(text="\n".join(lines), cards=cards, data={"intent": "maturity", **result.as_data()})


def question_card(question: Question, left: int) -> Card:
    index = str(QUESTIONS.index(question))
    return Card(title=f"A question Ladder cannot answer itself ({left} left)", body=question.text,
                buttons=[Button(label="Yes", ref=ActionRef(kind=ActionKind.maturity_yes, target=index).encode(), style="primary"),
                         Button(label="No", ref=ActionRef(kind=ActionKind.maturity_no, target=index).encode())])


def chat(ladder: Ladder, uow: UnitOfWork, person: Person, _intent: Intent) -> Reply:
    permission = access.gate(uow, person, Capability.assess_maturity)
    if not permission:
        return access.refused(permission, "maturity")
    return render(assessment(ladder, uow))


def admin_maturity(ladder: Ladder, uow: UnitOfWork, actor: Person, args: str) -> Reply:
    if args.strip():
        return Reply(text="Usage: " + USAGE, ephemeral=True)
    return render(assessment(ladder, uow))


def click(ladder: Ladder, uow: UnitOfWork, person: Person, kind: ActionKind, target: int) -> Reply:
    """An answer to one question: recorded once (the same answer again changes nothing), audited, then the
    assessment again with the next question."""
    permission = access.gate(uow, person, Capability.assess_maturity)
    if not permission:
        return access.refused(permission, "maturity")
    if not 0 <= target < len(QUESTIONS):
        return Reply(text="That question is no longer asked — say “where do we sit on the ladder?” for the current ones.",
                     ephemeral=True)
    question, answer = QUESTIONS[target], kind == ActionKind.maturity_yes
    changed = uow.maturity.answer(question.key, answer, person.id, ladder.now())
    if changed:
        uow.audit.record(action="maturity.answered", actor_id=person.id, object_type="maturity_question",
                         object_id=question.key, detail={"answer": answer})
    reply = render(assessment(ladder, uow))
    said = "yes" if answer else "no"
    head = f"Noted: “{question.text}” — {said}." if changed else f"That answer (“{said}”) was already recorded; nothing changed."
    return Reply(text=head + "\n\n" + reply.text, cards=reply.cards, data={**reply.data, "changed": changed, "answered": question.key})
