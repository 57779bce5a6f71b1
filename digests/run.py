"""One digest run: who is due now (their schedule, time zone and quiet hours), build their digests, and send each
exactly once.

Exactly once, across processes and restarts:
1. one run at a time: a database lease (``storage.leases``, name ``digest run``); a process that finds it held skips;
2. claim, then send: each (kind, person, period) row is inserted under a unique key and committed before the message
   goes out; a process that loses the insert sends nothing. After sending, the row says ``sent`` or ``failed``;
   a failed one is claimed again on a later tick (a conditional update only one process wins) and never a sent one;
3. a row still ``sending`` after the lease time belongs to a process that stopped mid-send: it is marked
   ``interrupted`` and not sent again (it may have gone out). An empty digest is recorded ``empty`` and not sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agent.lease import holder_id
from conversation import Reply
from digests import employee, learning, manager
from digests.content import Digest, Window
from digests.deps import DigestDeps
from digests.schedule import DigestKind, Due, QuietHours, Schedule, ScheduleError, due, zone
from storage.digests import Recipient
from storage.models import AccessRole, Person

log = logging.getLogger(__name__)

RUN_LEASE = "digest run"
LEARNING_ROLES = (AccessRole.learning, AccessRole.hr, AccessRole.hr_admin)


@dataclass
class KindReport:
    due: int = 0
    sent: int = 0
    failed: int = 0
    empty: int = 0
    taken: int = 0  # claimed by another process, or settled earlier in the period

    def as_data(self) -> dict[str, int]:
        return {"due": self.due, "sent": self.sent, "failed": self.failed, "empty": self.empty, "taken": self.taken}


@dataclass
class RunReport:
    at: dt.datetime
    dry_run: bool = False
    skipped: str | None = None
    interrupted: int = 0
    kinds: dict[str, KindReport] = field(default_factory=dict)
    previews: list[tuple[str, str, Reply]] = field(default_factory=list)  # dry run: (kind, email, reply)

    def as_data(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "dry_run": self.dry_run, "skipped": self.skipped, "interrupted": self.interrupted,
                "kinds": {k: r.as_data() for k, r in self.kinds.items()}}

    def lines(self) -> list[str]:
        if self.skipped:
            return [f"Digest run skipped: {self.skipped}."]
        head = "Digest run (dry run: nothing sent)" if self.dry_run else "Digest run"
        out = [f"{head} at {self.at:%Y-%m-%d %H:%M} UTC"]
        for kind, r in self.kinds.items():
            verb = "would send" if self.dry_run else "sent"
            out.append(f"• {kind}: {r.due} due, {r.sent} {verb}, {r.empty} empty (not sent), {r.failed} failed"
                       + (f", {r.taken} already done" if r.taken else ""))
        if self.interrupted:
            out.append(f"• {self.interrupted} digest(s) left mid-send by a stopped process: marked interrupted, not resent")
        return out


# --------------------------------------------------------------------------- schedules


def default_schedule(deps: DigestDeps, kind: DigestKind) -> Schedule:
    text = {DigestKind.manager: deps.settings.digest_manager_schedule, DigestKind.employee: deps.settings.digest_employee_schedule,
            DigestKind.learning: deps.settings.digest_learning_schedule}[kind]
    try:
        return Schedule.parse(text)
    except ScheduleError:
        log.warning("digest schedule setting is not valid; using Monday 09:00", extra={"kind": kind.value, "value": text})
        return Schedule(0, dt.time(9, 0))


def schedules(deps: DigestDeps, uow) -> dict[DigestKind, Schedule]:
    """Each kind's schedule: an admin's (in the database) or the settings'."""
    stored = uow.digests.schedules()
    out = {}
    for kind in DigestKind:
        row = stored.get(kind.value)
        if row is None:
            out[kind] = default_schedule(deps, kind)
        else:
            out[kind] = Schedule(row.weekday, dt.time(*map(int, row.local_time.split(":"))), bool(row.enabled))
    return out


def quiet_hours(deps: DigestDeps, own: str | None) -> QuietHours | None:
    for text in (own, deps.settings.digest_quiet_hours):
        if text is None:
            continue
        try:
            return QuietHours.parse(text)
        except ScheduleError:
            continue
    return None


def due_for(deps: DigestDeps, recipient: Recipient, schedule: Schedule, now: dt.datetime) -> Due | None:
    return due(now, schedule, zone(recipient.time_zone, deps.settings.digest_time_zone),
               quiet_hours(deps, recipient.quiet_hours), dt.timedelta(hours=deps.settings.digest_catch_up_hours))


def recipient_ids(uow, kind: DigestKind) -> list[int]:
    if kind == DigestKind.manager:
        return uow.digests.managers()
    if kind == DigestKind.employee:
        return uow.digests.subscribers(kind.value)
    return [p.id for p in uow.people.with_access_roles(LEARNING_ROLES)]


# --------------------------------------------------------------------------- building


def build(deps: DigestDeps, uow, kind: DigestKind, people: list[Person], windows: dict[int, Window]) -> dict[int, Digest | None]:
    """Each person's digest of ``kind`` for their window (None: empty)."""
    graph = deps.graph(uow)
    stalled = deps.settings.checkin_after_days
    if kind == DigestKind.manager:
        previous = uow.digests.last_details(kind.value, [p.id for p in people])
        return {p.id: manager.build(uow, graph, p, windows[p.id], stalled_after_days=stalled, previous=previous.get(p.id))
                for p in people}
    if kind == DigestKind.employee:
        out: dict[int, Digest | None] = {}
        by_window: dict[Window, list[Person]] = {}
        for p in people:
            by_window.setdefault(windows[p.id], []).append(p)
        for window, group in by_window.items():
            out.update(employee.build_many(uow, graph, group, window, deps.settings.digest_max_opportunities))
        return out
    shared: dict[Window, Digest | None] = {}
    out = {}
    for p in people:
        window = windows[p.id]
        if window not in shared:
            shared[window] = learning.build(uow, graph, window, stalled_after_days=stalled, closest_page=deps.closest_page)
        made = shared[window]
        out[p.id] = None if made is None else Digest(kind, p.id, made.reply, dict(made.detail))
    return out


def digest_for(deps: DigestDeps, kind: DigestKind, person_id: int) -> Digest | None:
    """One person's digest of ``kind`` as it would be built now, whatever the schedule (for "show my digest")."""
    now = deps.now()
    with deps.db.read_only() as uow:
        person = uow.people.get(person_id)
        if person is None:
            return None
        schedule = schedules(deps, uow)[kind]
        window = Window(now - schedule.period, now)
        return build(deps, uow, kind, [person], {person.id: window})[person.id]


# --------------------------------------------------------------------------- the run


@contextlib.contextmanager
def _lease(deps: DigestDeps) -> Iterator[str | None]:
    """This run's holder id when it took the lease, else None (another process is running)."""
    holder = holder_id()
    seconds = deps.settings.digest_lease_seconds
    now = deps.now()
    with deps.db.unit_of_work() as uow:
        taken = uow.leases.take(RUN_LEASE, holder, now=now, until=now + dt.timedelta(seconds=seconds))
    if not taken:
        yield None
        return
    try:
        yield holder
    finally:
        with deps.db.unit_of_work() as uow:
            uow.leases.release(RUN_LEASE, holder)


def _renew(deps: DigestDeps, holder: str) -> bool:
    now = deps.now()
    with deps.db.unit_of_work() as uow:
        return uow.leases.take(RUN_LEASE, holder, now=now, until=now + dt.timedelta(seconds=deps.settings.digest_lease_seconds))


def run(deps: DigestDeps, *, kinds: Iterable[DigestKind] | None = None, dry_run: bool = False, force: bool = False) -> RunReport:
    """Send every digest due now. ``force``: everyone of these kinds is due now for the current period (an admin's
    "run it now"), still once per period. ``dry_run``: build and count, claim and send nothing."""
    now = deps.now()
    report = RunReport(now, dry_run=dry_run)
    wanted = list(kinds or DigestKind)
    if not dry_run and not deps.notifier:
        report.skipped = "no chat channel is configured to deliver digests (set up Slack or Teams)"
        return report
    with _lease(deps) as holder:
        if holder is None:
            with deps.db.unit_of_work() as uow:
                held = uow.leases.held(RUN_LEASE)
            report.skipped = f"another digest run ({held[0] if held else 'another process'}) holds the lock"
            return report
        if not dry_run:
            with deps.db.unit_of_work() as uow:
                report.interrupted = uow.digests.interrupt_stale(now - dt.timedelta(seconds=deps.settings.digest_lease_seconds))
        for kind in wanted:
            report.kinds[kind.value] = _run_kind(deps, kind, now, holder, report, dry_run=dry_run, force=force)
            if not dry_run and not _renew(deps, holder):
                log.warning("digest run lost its lease; stopping", extra={"holder": holder})
                break
    return report


def _run_kind(deps: DigestDeps, kind: DigestKind, now: dt.datetime, holder: str, report: RunReport, *, dry_run: bool,
              force: bool) -> KindReport:
    out = KindReport()
    with deps.db.read_only() as uow:
        schedule = schedules(deps, uow)[kind]
        recipients = uow.digests.recipients(recipient_ids(uow, kind))
        dues: dict[int, Due] = {}
        for pid, r in recipients.items():
            found = due_for(deps, r, schedule, now)
            if found is None and force:
                found = _forced(deps, r, schedule, now)
            if found is not None:
                dues[pid] = found
        settled = uow.digests.settled(kind.value, {d.period_key for d in dues.values()})
        todo = {}
        for pid, d in dues.items():
            status = settled.get((pid, d.period_key))
            if status is None or status == "failed":
                todo[pid] = d
            else:
                out.taken += 1
        out.due = len(todo)
        if not todo:
            return out
        people = sorted((p for p in uow.people.listed(todo) if p.active), key=lambda p: p.id)
        windows = {pid: Window(d.since, now) for pid, d in todo.items()}
        digests = build(deps, uow, kind, people, windows)
        order = [p.id for p in people]
    for pid in order:
        digest = digests.get(pid)
        if dry_run:
            if digest is None:
                out.empty += 1
            else:
                out.sent += 1
                report.previews.append((kind.value, recipients[pid].email, digest.reply))
            continue
        _deliver(deps, kind, recipients[pid], todo[pid].period_key, digest, holder, out)
    return out


def _forced(deps: DigestDeps, r: Recipient, schedule: Schedule, now: dt.datetime) -> Due | None:
    """The current period, due now (quiet hours still hold)."""
    from digests.schedule import latest_occurrence

    tz = zone(r.time_zone, deps.settings.digest_time_zone)
    local = now.astimezone(tz)
    quiet = quiet_hours(deps, r.quiet_hours)
    if quiet is not None and quiet.covers(local):
        return None
    _, key = latest_occurrence(local, Schedule(schedule.weekday, schedule.at))
    return Due(key, local, (local - schedule.period).astimezone(dt.timezone.utc))


def _deliver(deps: DigestDeps, kind: DigestKind, recipient: Recipient, period: str, digest: Digest | None, holder: str,
             out: KindReport) -> None:
    now = deps.now()
    if digest is None:  # nothing to send: claimed and settled in one transaction
        with deps.db.unit_of_work() as uow:
            run_id = uow.digests.claim(kind.value, recipient.person_id, period, holder=holder, now=now)
            if run_id is not None:
                uow.digests.finish(run_id, "empty", now=now)
        if run_id is None:
            out.taken += 1
        else:
            out.empty += 1
        return
    with deps.db.unit_of_work() as uow:  # committed before anything is sent
        run_id = uow.digests.claim(kind.value, recipient.person_id, period, holder=holder, now=now)
    if run_id is None:
        out.taken += 1
        return
    error = None
    try:
        delivered = deps.notifier.notify(recipient.email, digest.reply)
    except Exception as exc:  # noqa: BLE001 - recorded as failed; the next tick tries again
        delivered, error = False, f"{type(exc).__name__}: {exc}"
    with deps.db.unit_of_work() as uow:
        if delivered:
            uow.digests.finish(run_id, "sent", now=deps.now(), detail=digest.detail)
            out.sent += 1
        else:
            uow.digests.finish(run_id, "failed", now=deps.now(), error=error or "no channel reached the person")
            out.failed += 1
