"""Repository: digests — schedules, opt-in subscriptions, the record of each digest sent, and the reads the
digests are built from (enrolment activity, demand for skills no course teaches, questions left unanswered).

Exactly once: ``claim`` inserts the (kind, person, period) row under its unique key before anything is sent, so
of two schedulers (or a scheduler and a cron run) only one gets it; a failed send is claimed again by a conditional
update from ``failed``, which again only one process wins. A row left ``sending`` by a process that stopped is
marked ``interrupted`` and never sent again: the one message whose fate is unknown is not risked twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import (
    AnswerFeedback,
    Course,
    CourseSkill,
    DigestRun,
    DigestSchedule,
    DigestSubscription,
    Enrolment,
    EnrolmentStatus,
    Opportunity,
    OpportunitySkill,
    Person,
    RequirementKind,
    RoleSkill,
    TagStatus,
)
from storage.repository import Repository, utc

_CHUNK = 5000
UNANSWERED_PREFIX = "unanswered-"  # answer_feedback rows recording a question the knowledge base could not answer
ACTIVE = (EnrolmentStatus.enrolled, EnrolmentStatus.in_progress)


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    name: str
    email: str
    time_zone: str | None
    quiet_hours: str | None
    access_role: str


@dataclass(frozen=True, slots=True)
class EnrolmentActivity:
    person_id: int
    course_id: int
    course_title: str
    status: str
    progress: float
    enrolled_at: dt.datetime
    last_activity_at: dt.datetime | None
    completed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LearningCounts:
    enrolled: int  # new enrolments in the period
    completed: int  # completions in the period
    withdrawn: int  # withdrawals in the period
    stalled: int  # active enrolments with no activity since the stall cut-off
    active: int  # active enrolments now


@dataclass(frozen=True, slots=True)
class SkillDemand:
    skill_id: int
    people_targeting: int  # people whose target role needs it (essential)
    open_opportunities: int  # open opportunities that ask for it


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    question: str
    asked_at: dt.datetime
    unanswered: bool  # True: no answer was found; False: answered, marked not helpful


class Digests(Repository):
    # ------------------------------------------------------------------ schedules

    def schedules(self) -> dict[str, DigestSchedule]:
        return {row.kind: row for row in self._session.scalars(select(DigestSchedule))}

    def set_schedule(self, kind: str, *, weekday: int | None, local_time: str, enabled: bool, by: int | None,
                     at: dt.datetime) -> DigestSchedule:
        row = self._session.get(DigestSchedule, kind)
        if row is None:
            row = DigestSchedule(kind=kind)
            self._session.add(row)
        row.weekday, row.local_time, row.enabled, row.updated_by, row.updated_at = weekday, local_time, enabled, by, at
        self._session.flush()
        return row

    # ------------------------------------------------------------------ opt-in subscriptions

    def subscribed(self, person_id: int, kind: str) -> bool:
        return self._session.get(DigestSubscription, (person_id, kind)) is not None

    def subscribe(self, person_id: int, kind: str, at: dt.datetime) -> bool:
        """True when this is new (asking twice changes nothing)."""
        if self.subscribed(person_id, kind):
            return False
        try:
            with self._session.begin_nested():
                self._session.add(DigestSubscription(person_id=person_id, kind=kind, created_at=at))
        except IntegrityError:  # the same request arrived twice at once
            return False
        return True

    def unsubscribe(self, person_id: int, kind: str) -> bool:
        return bool(self._session.execute(delete(DigestSubscription).where(
            DigestSubscription.person_id == person_id, DigestSubscription.kind == kind)).rowcount)

    def subscribers(self, kind: str) -> list[int]:
        rows = self._session.scalars(select(DigestSubscription.person_id).join(Person, Person.id == DigestSubscription.person_id)
                                     .where(DigestSubscription.kind == kind, Person.active.is_(True))
                                     .order_by(DigestSubscription.person_id))
        return list(rows)

    # ------------------------------------------------------------------ recipients

    def managers(self) -> list[int]:
        """Active people with at least one active direct report."""
        report = select(Person.manager_id).where(Person.active.is_(True), Person.manager_id.is_not(None))
        return list(self._session.scalars(select(Person.id).where(Person.id.in_(report), Person.active.is_(True))
                                          .order_by(Person.id)))

    def manages_anyone(self, person_id: int) -> bool:
        return self._session.scalar(select(Person.id).where(Person.manager_id == person_id, Person.active.is_(True))
                                    .limit(1)) is not None

    def recipients(self, person_ids: Iterable[int]) -> dict[int, Recipient]:
        ids = sorted(set(person_ids))
        out: dict[int, Recipient] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = self._session.execute(
                select(Person.id, Person.name, Person.email, Person.time_zone, Person.quiet_hours, Person.access_role)
                .where(Person.id.in_(ids[start:start + _CHUNK]), Person.active.is_(True)))
            for pid, name, email, zone, quiet, role in rows:
                out[pid] = Recipient(pid, name, email, zone, quiet, getattr(role, "value", role))
        return out

    def set_time_zone(self, person_id: int, time_zone: str | None) -> bool:
        return bool(self._session.execute(update(Person).where(Person.id == person_id).values(time_zone=time_zone)
                                          .execution_options(synchronize_session=False)).rowcount)

    def set_quiet_hours(self, person_id: int, quiet_hours: str | None) -> bool:
        return bool(self._session.execute(update(Person).where(Person.id == person_id).values(quiet_hours=quiet_hours)
                                          .execution_options(synchronize_session=False)).rowcount)

    # ------------------------------------------------------------------ the record of digests sent

    def settled(self, kind: str, period_keys: Iterable[str]) -> dict[tuple[int, str], str]:
        """(person, period) -> status of every run of ``kind`` in these periods."""
        keys = sorted(set(period_keys))
        if not keys:
            return {}
        rows = self._session.execute(select(DigestRun.person_id, DigestRun.period_key, DigestRun.status)
                                     .where(DigestRun.kind == kind, DigestRun.period_key.in_(keys)))
        return {(pid, key): status for pid, key, status in rows}

    def claim(self, kind: str, person_id: int, period_key: str, *, holder: str, now: dt.datetime) -> int | None:
        """The run's id when this caller may send it now: newly claimed, or a failed one taken back; else None."""
        try:
            with self._session.begin_nested():
                run = DigestRun(kind=kind, person_id=person_id, period_key=period_key, status="sending", claimed_by=holder,
                                claimed_at=now, attempts=1, detail={})
                self._session.add(run)
                self._session.flush()
            return run.id
        except IntegrityError:
            pass
        retaken = self._session.execute(
            update(DigestRun)
            .where(DigestRun.kind == kind, DigestRun.person_id == person_id, DigestRun.period_key == period_key,
                   DigestRun.status == "failed")
            .values(status="sending", claimed_by=holder, claimed_at=now, attempts=DigestRun.attempts + 1)
            .execution_options(synchronize_session=False))
        if not retaken.rowcount:
            return None
        return self._session.scalar(select(DigestRun.id).where(DigestRun.kind == kind, DigestRun.person_id == person_id,
                                                               DigestRun.period_key == period_key))

    def finish(self, run_id: int, status: str, *, now: dt.datetime, error: str | None = None,
               detail: dict[str, Any] | None = None) -> None:
        """``sending`` → sent | failed | empty (only from sending: a finish never overwrites another outcome)."""
        values: dict[str, Any] = {"status": status, "last_error": (error or None) and error[:300]}
        if status == "sent":
            values["sent_at"] = now
        if detail is not None:
            values["detail"] = detail
        self._session.execute(update(DigestRun).where(DigestRun.id == run_id, DigestRun.status == "sending")
                              .values(**values).execution_options(synchronize_session=False))

    def interrupt_stale(self, before: dt.datetime) -> int:
        """Runs still ``sending`` since before ``before``: their sender stopped. Marked interrupted, never resent."""
        return self._session.execute(update(DigestRun).where(DigestRun.status == "sending", DigestRun.claimed_at < before)
                                     .values(status="interrupted", last_error="the sender stopped before it finished")
                                     .execution_options(synchronize_session=False)).rowcount or 0

    def last_details(self, kind: str, person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """The detail of each person's latest sent run of ``kind`` (what the previous digest said)."""
        ids = sorted(set(person_ids))
        out: dict[int, tuple[int, dict[str, Any]]] = {}
        for start in range(0, len(ids), _CHUNK):
            rows = self._session.execute(select(DigestRun.person_id, DigestRun.id, DigestRun.detail).where(
                DigestRun.kind == kind, DigestRun.status == "sent", DigestRun.person_id.in_(ids[start:start + _CHUNK])))
            for pid, run_id, detail in rows:
                if pid not in out or run_id > out[pid][0]:
                    out[pid] = (run_id, dict(detail or {}))
        return {pid: detail for pid, (_, detail) in out.items()}

    def run_counts(self, period_keys: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
        """(kind, status) -> how many runs, in these periods (None: all)."""
        query = select(DigestRun.kind, DigestRun.status, func.count()).group_by(DigestRun.kind, DigestRun.status)
        if period_keys is not None:
            query = query.where(DigestRun.period_key.in_(sorted(set(period_keys))))
        return {(kind, status): n for kind, status, n in self._session.execute(query)}

    def runs_of(self, person_id: int) -> list[DigestRun]:
        return list(self._session.scalars(select(DigestRun).where(DigestRun.person_id == person_id).order_by(DigestRun.id)))

    # ------------------------------------------------------------------ what digests are built from

    def enrolment_activity(self, person_ids: Iterable[int]) -> dict[int, list[EnrolmentActivity]]:
        ids = sorted(set(person_ids))
        out: dict[int, list[EnrolmentActivity]] = {pid: [] for pid in ids}
        for start in range(0, len(ids), _CHUNK):
            rows = self._session.execute(
                select(Enrolment.person_id, Enrolment.course_id, Course.title, Enrolment.status, Enrolment.progress,
                       Enrolment.enrolled_at, Enrolment.last_activity_at, Enrolment.completed_at)
                .join(Course, Course.id == Enrolment.course_id)
                .where(Enrolment.person_id.in_(ids[start:start + _CHUNK])).order_by(Enrolment.id))
            for pid, cid, title, status, progress, enrolled, last, completed in rows:
                out[pid].append(EnrolmentActivity(pid, cid, title, getattr(status, "value", status), float(progress or 0.0),
                                                  utc(enrolled), utc(last), utc(completed)))
        return out

    def learning_counts(self, since: dt.datetime, stalled_before: dt.datetime) -> LearningCounts:
        """Organisation-wide: enrolments, completions and withdrawals since ``since``; active enrolments with no
        activity since ``stalled_before`` (drop-off risk)."""
        def count(*conditions) -> int:
            return int(self._session.scalar(select(func.count()).select_from(Enrolment).join(Person, Person.id == Enrolment.person_id)
                                            .where(Person.active.is_(True), *conditions)) or 0)

        last = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
        return LearningCounts(
            enrolled=count(Enrolment.enrolled_at >= since),
            completed=count(Enrolment.status == EnrolmentStatus.completed, Enrolment.completed_at >= since),
            withdrawn=count(Enrolment.status == EnrolmentStatus.withdrawn, last >= since),
            stalled=count(Enrolment.status.in_(ACTIVE), last < stalled_before),
            active=count(Enrolment.status.in_(ACTIVE)),
        )

    def dropped_courses(self, stalled_before: dt.datetime, limit: int = 5) -> list[tuple[str, int]]:
        """Courses with the most stalled or withdrawn enrolments: (title, how many)."""
        last = func.coalesce(Enrolment.last_activity_at, Enrolment.enrolled_at)
        stalled = (Enrolment.status == EnrolmentStatus.withdrawn) | (Enrolment.status.in_(ACTIVE) & (last < stalled_before))
        rows = self._session.execute(select(Course.title, func.count()).join(Enrolment, Enrolment.course_id == Course.id)
                                     .where(stalled).group_by(Course.id, Course.title)
                                     .order_by(func.count().desc(), Course.title).limit(limit))
        return [(title, int(n)) for title, n in rows]

    def skills_in_demand_without_course(self) -> list[SkillDemand]:
        """Skills that target roles (essential requirements of the roles people aim for) or open opportunities ask
        for and that no course has an accepted tag for."""
        taught = select(CourseSkill.skill_id).where(CourseSkill.status == TagStatus.accepted)
        targeting = self._session.execute(
            select(RoleSkill.skill_id, func.count(Person.id))
            .join(Person, Person.target_role_id == RoleSkill.occupation_id)
            .where(RoleSkill.kind == RequirementKind.essential, Person.active.is_(True), RoleSkill.skill_id.not_in(taught))
            .group_by(RoleSkill.skill_id))
        wanted = self._session.execute(
            select(OpportunitySkill.skill_id, func.count(func.distinct(OpportunitySkill.opportunity_id)))
            .join(Opportunity, Opportunity.id == OpportunitySkill.opportunity_id)
            .where(Opportunity.status == "open", OpportunitySkill.skill_id.not_in(taught))
            .group_by(OpportunitySkill.skill_id))
        people = {sid: int(n) for sid, n in targeting}
        opportunities = {sid: int(n) for sid, n in wanted}
        return [SkillDemand(sid, people.get(sid, 0), opportunities.get(sid, 0)) for sid in sorted(set(people) | set(opportunities))]

    def questions_without_answer(self, since: dt.datetime) -> list[OpenQuestion]:
        """Questions asked since ``since`` that the knowledge base could not answer, or whose answer was marked not
        helpful (the question text is decrypted as it is read)."""
        rows = self._session.execute(select(AnswerFeedback.question, AnswerFeedback.created_at, AnswerFeedback.answer_id)
                                     .where(AnswerFeedback.helpful.is_(False), AnswerFeedback.created_at >= since)
                                     .order_by(AnswerFeedback.created_at, AnswerFeedback.id))
        return [OpenQuestion(question or "", utc(at), str(answer_id).startswith(UNANSWERED_PREFIX))
                for question, at, answer_id in rows if (question or "").strip()]
