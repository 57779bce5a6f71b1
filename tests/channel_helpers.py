"""Shared by the channel tests (Slack, Teams, terminal): a form as a use case asks for one, and an approval
proposal made the way the agent makes them."""

from __future__ import annotations

from storage import UnitOfWork

from sqlalchemy import select

from conversation import Choice, Form, FormField

OVERRIDE_FORM = Form(
    title="Override proposal 17 for Maya Patel",  # longer than Slack's 24 characters for a modal title
    submit="override:17:3",
    submit_label="Override",
    intro="Say what should happen instead and why.\nYour reason is recorded in the audit trail.",
    fields=[
        FormField(name="change", label="Change to", kind="choice", initial="DS110",
                  choices=[Choice(label="DS101 Statistics", value="DS101"), Choice(label="DS110 Python", value="DS110")]),
        FormField(name="reason", label="Reason", placeholder="Because…"),
        FormField(name="note", label="Note for Maya", kind="text", required=False, max_length=200, initial="See you Monday"),
    ],
)


def make_proposal(ladder, subject: str, approver: str, code: str = "DS101", *, source: str = "channel-test") -> tuple[int, int]:
    """An enrolment proposal about ``subject`` for ``approver`` to decide (approvals.service.create): (id, version)."""
    from approvals import policy, service
    from approvals.actions import ActionType
    from storage.models import Course, Person

    with ladder.db.session() as s, s.begin():
        course = s.scalar(select(Course).where(Course.code == code))
        subject_person = s.scalar(select(Person).where(Person.email == subject))
        approver_id = s.scalar(select(Person.id).where(Person.email == approver))
        p = service.create(UnitOfWork(s), service.NewProposal(
            ActionType.enrol_course, subject_person.id, approver_id,
            {"course_id": course.id, "course_code": course.code, "course_title": course.title},
            f"{subject_person.name} needs {course.code}.", [{"kind": "gap", "text": "statistics is not verified"}],
            f"{source}:{subject_person.id}:{code}"),
            level=policy.Autonomy.approve, now=ladder.now(), expiry_days=ladder.settings.approval_expiry_days)
        s.flush()
        return p.id, p.version
