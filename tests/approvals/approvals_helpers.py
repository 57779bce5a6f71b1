"""Helpers for the approvals tests: chatting through the real router, a settable clock, a recording notifier."""

from __future__ import annotations

from storage import UnitOfWork

import datetime as dt

from sqlalchemy import select

from approvals import policy, service
from approvals.actions import ActionType
from conversation import ActionRef, Channel, Message, Reply
from handlers.router import Router
from storage.models import Course, Person, Proposal

MAYA = "maya.patel@kestrel.example"
DANIEL = "daniel.okafor@kestrel.example"
PRIYA = "priya.raman@kestrel.example"
START = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.timezone.utc)
USED: list = []  # ladders a test used; conftest disposes their engines after the test


def _use(ladder):
    if not any(ladder is x for x in USED):
        USED.append(ladder)
    return ladder


class Clock:
    """An injectable ``ladder.now``: time moves only when the test says so."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.at = start

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at += dt.timedelta(**kwargs)


class RecordingNotifier:
    """Stands in for a chat channel's proactive messages: remembers what was sent to whom."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Reply]] = []

    def notify(self, person_email: str, reply: Reply) -> bool:
        self.sent.append((person_email, reply))
        return True

    def to(self, email: str) -> list[Reply]:
        return [r for e, r in self.sent if e == email]


def prepare(ladder) -> tuple[Clock, RecordingNotifier]:
    _use(ladder)
    clock, notifier = Clock(), RecordingNotifier()
    ladder.now = clock
    ladder.notifiers.add(notifier)
    ladder.settings.execution_backoff_seconds = 0.0
    return clock, notifier


def say(ladder, email: str, text: str) -> Reply:
    return Router(_use(ladder)).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="test", text=text))


def click(ladder, email: str, ref: str | ActionRef, form: dict[str, str] | None = None, *, form_submitted: bool = False) -> Reply:
    """``form_submitted``: the click comes back from the Form a reply asked for (a reject's optional reason)."""
    action = ActionRef.decode(ref) if isinstance(ref, str) else ref
    return Router(_use(ladder)).handle(Message(channel=Channel.terminal, sender_email=email, conversation_id="test",
                                         action=action, form=form or {}, form_submitted=form_submitted))


def person_id(ladder, email: str) -> int:
    with ladder.db.session() as s, s.begin():
        return s.scalar(select(Person.id).where(Person.email == email))


def course(ladder, code: str) -> tuple[int, str, str]:
    with ladder.db.session() as s, s.begin():
        c = s.scalar(select(Course).where(Course.code == code))
        return c.id, c.code, c.title


def propose_enrolment(ladder, subject_email: str = MAYA, code: str = "DS101", level: policy.Autonomy = policy.Autonomy.approve) -> int:
    """A proposal made the way the agent makes them (service.create), for tests that start from one."""
    cid, ccode, title = course(ladder, code)
    with ladder.db.session() as s, s.begin():
        subject = s.scalar(select(Person).where(Person.email == subject_email))
        p = service.create(UnitOfWork(s), service.NewProposal(
            ActionType.enrol_course, subject.id, service.default_approver_id(UnitOfWork(s), subject),
            {"course_id": cid, "course_code": ccode, "course_title": title}, f"{subject.name} needs {ccode}.",
            [{"kind": "gap", "text": "statistics is not verified"}], f"test:enrol:{subject.id}:{ccode}"),
            level=level, now=ladder.now(), expiry_days=ladder.settings.approval_expiry_days)
        s.flush()
        return p.id


def proposal(ladder, pid: int) -> Proposal:
    with ladder.db.session() as s, s.begin():
        return s.get(Proposal, pid)


def button(reply: Reply, kind: str) -> str:
    return next(b.ref for b in reply.actions() if b.ref.startswith(kind + ":"))


def without_seeded_targets(ladder) -> None:
    """The demo seeds a few target roles (handlers/seed_demo.TARGETS); tests that follow one person's journey from a
    blank slate clear them first, so the agent proposes only what that journey causes."""
    from sqlalchemy import update

    with ladder.db.session() as s, s.begin():
        s.execute(update(Person).values(target_role_id=None))
