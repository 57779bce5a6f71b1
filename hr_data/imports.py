"""Importing an HRIS export: people, role changes, performance ratings or team KPIs, as a mapping file describes it.

``run_import`` streams the file, parses a chunk of lines, compares them with what the database holds and writes only
what is new or changed — one transaction per chunk, so a file of any size never sits in memory and an import killed
half-way keeps what it committed; run again, it finds those lines unchanged and finishes the rest. A line that can't
be used is reported (line number, column, reason) and skipped; the good lines around it are kept. The same file
twice: "0 new, 0 changed, N unchanged".

People are matched by the HRIS id (``external_id``), then by email (a person already in Ladder gets their HRIS id).
Managers are named by HRIS id and resolved after the whole file is read, so the order of lines doesn't matter. A new
hire (a start date in the last ``ONBOARD_WITHIN_DAYS`` days or later, no onboarding yet) is onboarded
(``onboarding.start_onboarding``); an existing person whose role changes gets a role change (history) and the path
proposal a role change brings (``hr_data.role_changes``). A roles file's changes wait for their effective date.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

from hr_data.mapping import Mapping
from hr_data.role_changes import Applied, PathSettings, apply_due, propose_paths
from hr_data.rows import BadCell, Cells, LineError, Parser, period_end, read
from onboarding import OnboardingError, start_onboarding
from skills_engine.graph import RoleGraph
from storage import Database, UnitOfWork

CHUNK = 1000  # lines per transaction
ONBOARD_WITHIN_DAYS = 30  # a new person whose start date is older than this is an existing employee, not a new hire
KEEP_ERRORS = 20  # errors kept in the report (all of them go to the error file)

Progress = Callable[[int], None]  # lines read so far; called after each committed chunk


@dataclass
class ImportReport:
    kind: str
    file: str
    dry_run: bool = False
    lines: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    first_errors: list[LineError] = field(default_factory=list)
    onboarded: list[int] = field(default_factory=list)
    applied: Applied | None = None
    errors_file: str | None = None
    seconds: float = 0.0

    def lines_text(self) -> list[str]:
        head = "Dry run (nothing written) — " if self.dry_run else ""
        rate = f" in {self.seconds:.1f} s ({self.lines / self.seconds:,.0f} lines/s)" if self.seconds > 0 else ""
        out = [f"{head}{self.kind} from {self.file}: {self.lines:,} lines{rate} — {self.new:,} new, {self.changed:,} changed, "
               f"{self.unchanged:,} unchanged, {self.errors:,} with errors"]
        for e in self.first_errors:
            out.append(f"  line {e.line}: {e.reason}{f' — {e.value!r}' if e.value else ''}")
        if self.errors > len(self.first_errors):
            out.append(f"  … and {self.errors - len(self.first_errors):,} more")
        if self.errors and self.errors_file:
            out.append(f"Every error, one per line: {self.errors_file}")
        if self.onboarded:
            out.append(f"New hires onboarded: {len(self.onboarded)}")
        if self.applied is not None:
            out.append(self.applied.line())
        return out

    def as_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "dry_run": self.dry_run, "lines": self.lines, "new": self.new,
                "changed": self.changed, "unchanged": self.unchanged, "errors": self.errors,
                "first_errors": [e.__dict__ for e in self.first_errors], "onboarded": self.onboarded,
                "errors_file": self.errors_file, "seconds": round(self.seconds, 3),
                "applied": None if self.applied is None else {
                    "role_changes": self.applied.role_changes, "left": self.applied.left,
                    "proposal_ids": self.applied.proposal_ids, "pending_future": self.applied.pending_future}}


class ErrorSink:
    """Every line error: counted, the first few kept, all written as CSV (line, column, reason, value) when asked."""

    def __init__(self, report: ImportReport, out: TextIO | None) -> None:
        import csv

        self.report = report
        self._writer = csv.writer(out) if out is not None else None
        if self._writer is not None:
            self._writer.writerow(["line", "column", "reason", "value"])

    def add(self, error: LineError) -> None:
        self.report.errors += 1
        if len(self.report.first_errors) < KEEP_ERRORS:
            self.report.first_errors.append(error)
        if self._writer is not None:
            self._writer.writerow([error.line, error.column, error.reason, error.value])


@dataclass
class Context:
    db: Database
    mapping: Mapping
    parser: Parser
    sink: ErrorSink
    report: ImportReport
    now: dt.datetime
    dry_run: bool
    settings: PathSettings
    graph: Callable[[UnitOfWork], RoleGraph] | None

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def bad(self, line: int, cell: BadCell) -> None:
        self.sink.add(LineError(line, self.parser.column(cell.field), f"{self.parser.column(cell.field)} {cell.reason}", cell.value))


def run_import(db: Database, path: Path, mapping: Mapping, *, now: dt.datetime, settings: PathSettings,
               graph: Callable[[UnitOfWork], RoleGraph] | None = None, dry_run: bool = False,
               errors_to: TextIO | None = None, errors_file: str | None = None, on_progress: Progress | None = None,
               chunk: int = CHUNK) -> ImportReport:
    """Imports one file. ``graph`` builds the role graph onboarding needs (without it nobody is onboarded);
    a MappingError (bad mapping, missing column, unreadable file) stops it before anything is written."""
    started = time.perf_counter()
    report = ImportReport(mapping.kind, path.name, dry_run, errors_file=errors_file)
    ctx = Context(db, mapping, Parser(mapping), ErrorSink(report, errors_to), report, now, dry_run, settings, graph)
    importer = IMPORTERS[mapping.kind](ctx)
    lines = read(path, mapping)  # reads the header now: a missing column fails here
    first = next(lines, None)
    stream = lines if first is None else _prepend(first, lines)
    while batch := list(islice(stream, chunk)):
        good: list[tuple[int, Cells]] = []
        for line, cells in batch:
            if isinstance(cells, LineError):
                ctx.sink.add(cells)
            else:
                good.append((line, cells))
        report.lines += len(batch)
        with db.unit_of_work() as uow:
            importer.chunk(uow, good)
        if on_progress is not None:
            on_progress(report.lines)
    importer.finish()
    if not dry_run:
        with db.unit_of_work() as uow:
            uow.audit.record(action=f"hris.import.{mapping.kind}", actor_id=None, actor_kind="system", object_type="import",
                             object_id=path.name[:100], at=now, detail={
                                 "lines": report.lines, "new": report.new, "changed": report.changed,
                                 "unchanged": report.unchanged, "errors": report.errors})
    report.seconds = time.perf_counter() - started
    return report


def _prepend(first, rest: Iterator) -> Iterator:
    yield first
    yield from rest


class PeopleImport:
    """People by HRIS id; managers in a second pass; new hires onboarded; role changes on the way."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.mapped = set(ctx.mapping.columns)
        self.status: dict[str, str] = {}  # external id → new | changed | unchanged (this file)
        self.lines: dict[str, int] = {}
        self.managers: list[tuple[int, str, str]] = []  # (line, person's id, manager's id)
        self.hires: list[tuple[str, dt.date]] = []
        self.emails: dict[str, str] = {}  # email → external id (this file)
        self.roles: dict[str, int] | None = None
        self.moves: list[tuple[int, int, int]] = []

    def _parse(self, line: int, cells: Cells, uow: UnitOfWork) -> dict[str, Any] | None:
        p, ctx = self.ctx.parser, self.ctx
        try:
            ext = p.text(cells, "external_id", required=True, max_len=120)
            rec: dict[str, Any] = {"external_id": ext}
            if "email" in self.mapped:
                rec["email"] = p.email(cells)
            if "name" in self.mapped:
                rec["name"] = p.text(cells, "name")
            elif {"first_name", "last_name"} <= self.mapped:
                rec["name"] = " ".join(x for x in (p.text(cells, "first_name"), p.text(cells, "last_name")) if x) or None
            if "job_title" in self.mapped:
                rec["job_title"] = p.text(cells, "job_title")
            if "location" in self.mapped:
                rec["location"] = p.text(cells, "location", max_len=120)
            if "team" in self.mapped:
                rec["team"] = p.text(cells, "team", max_len=120)
            if "role" in self.mapped:
                rec["role_id"] = self._role(cells)
            if "hire_date" in self.mapped:
                rec["hire_date"] = p.date(cells, "hire_date")
            if "leave_date" in self.mapped:
                rec["leave_date"] = p.date(cells, "leave_date")
                rec["active"] = rec["leave_date"] is None or rec["leave_date"] > ctx.today
            if "leave_reason" in self.mapped:
                rec["leave_reason"] = p.leave_reason(cells)
            if "manager_external_id" in self.mapped:
                rec["manager"] = p.text(cells, "manager_external_id", max_len=120)
        except BadCell as cell:
            ctx.bad(line, cell)
            return None
        if ext in self.lines:
            ctx.sink.add(LineError(line, p.column("external_id"), f"{ext} is on line {self.lines[ext]} already; this line is skipped", ext))
            return None
        email = rec.get("email")
        if email and email in self.emails:
            ctx.sink.add(LineError(line, p.column("email"), f"the same email is on the line of {self.emails[email]}; this line is skipped", email))
            return None
        self.lines[ext] = line
        if email:
            self.emails[email] = ext
        return rec

    def _role(self, cells: Cells) -> int | None:
        raw = self.ctx.parser.mapped(cells, "role")
        if not raw:
            return None
        assert self.roles is not None
        rid = self.roles.get(raw.lower())
        if rid is None:
            raise BadCell("role", "is not a role in the taxonomy (an occupation's label, code or URI; map the export's "
                                  "words under values: role)", raw)
        return rid

    def chunk(self, uow: UnitOfWork, lines: list[tuple[int, Cells]]) -> None:
        ctx, report = self.ctx, self.ctx.report
        if self.roles is None:
            self.roles = uow.hr_data.occupation_lookup() if "role" in self.mapped else {}
        parsed = [(line, rec) for line, cells in lines if (rec := self._parse(line, cells, uow)) is not None]
        if not parsed:
            return
        teams = uow.hr_data.team_ids((r.get("team") for _, r in parsed), create=not ctx.dry_run)
        by_ext, by_email = uow.hr_data.people_rows((r["external_id"] for _, r in parsed), (r.get("email") or "" for _, r in parsed))
        inserts, updates, history = [], [], []
        for line, rec in parsed:
            ext = rec["external_id"]
            team = rec.pop("team", None) if "team" in rec else ...
            manager = rec.pop("manager", ...)
            if team is not ...:
                rec["team_id"] = teams.get(team) if team else None
            existing = by_ext.get(ext)
            if existing is None and rec.get("email"):
                existing = by_email.get(rec["email"])
                if existing is not None and existing["external_id"] not in (None, ext):
                    ctx.sink.add(LineError(line, ctx.parser.column("email"), f"{rec['email']} belongs to the person with "
                                           f"HRIS id {existing['external_id']}, not {ext}; this line is skipped", rec["email"]))
                    continue
            if existing is None:
                missing = [f for f in ("email", "name") if not rec.get(f)]
                if missing:
                    ctx.sink.add(LineError(line, ctx.parser.column(missing[0]), f"a new person needs {' and '.join(missing)}; "
                                           "this line is skipped"))
                    continue
                inserts.append(rec)
                self.status[ext] = "new"
            else:
                diff = {k: v for k, v in rec.items() if existing.get(k) != v and not (k in ("email", "name") and v is None)}
                taken = by_email.get(diff["email"]) if diff.get("email") else None
                if taken is not None and taken["id"] != existing["id"]:
                    ctx.sink.add(LineError(line, ctx.parser.column("email"), f"{diff['email']} is another person's email; "
                                           "this line is skipped", diff["email"]))
                    continue
                if diff:
                    updates.append({"id": existing["id"], **diff})
                    self.status[ext] = "changed"
                    if "role_id" in diff and diff["role_id"] is not None:
                        history.append({"person_id": existing["id"], "effective_date": ctx.today, "role_id": diff["role_id"],
                                        "team_id": rec.get("team_id"), "manager_id": None, "job_title": rec.get("job_title"),
                                        "source": "hris"})
                        if existing["role_id"] is not None:
                            self.moves.append((existing["id"], existing["role_id"], diff["role_id"]))
                else:
                    self.status[ext] = "unchanged"
            if manager is not ...:
                self.managers.append((line, ext, manager or ""))
            hire = rec.get("hire_date") or (existing or {}).get("hire_date")
            if hire is not None and hire >= ctx.today - dt.timedelta(days=ONBOARD_WITHIN_DAYS) and (rec.get("active", True)):
                self.hires.append((ext, hire))
        counts = [self.status[r["external_id"]] for r in inserts] + ["changed"] * len(updates)
        report.new += counts.count("new")
        report.changed += len(updates)
        report.unchanged += sum(1 for _, r in parsed if self.status.get(r["external_id"]) == "unchanged")
        if ctx.dry_run:
            return
        if inserts:
            uow.hr_data.insert_people([{"access_role": "employee", "active": True, **r} for r in inserts])
        uow.hr_data.update_people(updates)
        uow.hr_data.upsert_role_changes(history, applied_at=ctx.now)  # history: applied above, by the update itself

    def finish(self) -> None:
        ctx, report = self.ctx, self.ctx.report
        for start in range(0, len(self.managers), CHUNK):
            part = self.managers[start:start + CHUNK]
            with ctx.db.unit_of_work() as uow:
                ids = uow.hr_data.person_ids({e for _, e, _ in part} | {m for _, _, m in part if m})
                current = uow.hr_data.managers(ids.values())
                changes = []
                for line, ext, mgr in part:
                    pid = ids.get(ext)
                    if pid is None and not ctx.dry_run:
                        continue  # skipped with an error of its own
                    want = ids.get(mgr) if mgr else None
                    if mgr and want is None and not (ctx.dry_run and mgr in self.lines):
                        ctx.sink.add(LineError(line, ctx.parser.column("manager_external_id"),
                                               f"no person has the HRIS id {mgr} (in this file or in Ladder); the manager is left as it was", mgr))
                        continue
                    if mgr == ext:
                        ctx.sink.add(LineError(line, ctx.parser.column("manager_external_id"), "a person can't be their own manager", mgr))
                        continue
                    if pid is not None and current.get(pid) != want and not (ctx.dry_run and want is None and mgr):
                        changes.append({"id": pid, "manager_id": want})
                        if self.status.get(ext) == "unchanged":
                            self.status[ext] = "changed"
                            report.unchanged -= 1
                            report.changed += 1
                if not ctx.dry_run:
                    uow.hr_data.update_people(changes)
        if ctx.dry_run:
            return
        if ctx.graph is not None and self.hires:
            self._onboard()
        if self.moves:
            with ctx.db.unit_of_work() as uow:
                ids, auto = propose_paths(uow, self.moves, now=ctx.now, settings=ctx.settings)
            report.applied = Applied(role_changes=len(self.moves), proposal_ids=ids, auto_ids=auto)
        left = apply_due(ctx.db, now=ctx.now, settings=ctx.settings)  # leave dates that have come; due role changes
        if report.applied is None:
            report.applied = left
        else:
            report.applied.left = left.left
            report.applied.pending_future = left.pending_future

    def _onboard(self) -> None:
        ctx = self.ctx
        for start in range(0, len(self.hires), 200):
            part = self.hires[start:start + 200]
            with ctx.db.unit_of_work() as uow:
                ids = uow.hr_data.person_ids(e for e, _ in part)
                graph = ctx.graph(uow)
                for ext, hire in part:
                    pid = ids.get(ext)
                    if pid is None or uow.onboarding.of(pid) is not None:
                        continue
                    try:
                        started = start_onboarding(uow, pid, now=ctx.now, graph=graph, start_date=hire, source="hris",
                                                   expiry_days=ctx.settings.approval_expiry_days)
                    except OnboardingError as e:
                        ctx.sink.add(LineError(self.lines.get(ext, 0), ctx.parser.column("hire_date"), f"not onboarded: {e}"))
                        continue
                    if started.status == "started":
                        ctx.report.onboarded.append(pid)


class RolesImport:
    """Effective-dated role changes: stored once per person and date; applied when their date comes."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.mapped = set(ctx.mapping.columns)
        self.roles: dict[str, int] | None = None
        self.seen: dict[tuple[str, dt.date], int] = {}

    def chunk(self, uow: UnitOfWork, lines: list[tuple[int, Cells]]) -> None:
        ctx, p = self.ctx, self.ctx.parser
        if self.roles is None:
            self.roles = uow.hr_data.occupation_lookup() if "role" in self.mapped else {}
        raw = []
        for line, cells in lines:
            try:
                ext = p.text(cells, "external_id", required=True, max_len=120)
                day = p.date(cells, "effective_date", required=True)
                role = p.mapped(cells, "role")
                rid = self.roles.get(role.lower()) if role else None
                if role and rid is None:
                    raise BadCell("role", "is not a role in the taxonomy (an occupation's label, code or URI)", role)
                rec = {"ext": ext, "effective_date": day, "role_id": rid, "team": p.text(cells, "team", max_len=120),
                       "manager": p.text(cells, "manager_external_id", max_len=120),
                       "job_title": p.text(cells, "job_title")}
            except BadCell as cell:
                ctx.bad(line, cell)
                continue
            if _repeated(ctx, self.seen, (ext, day), line, p.column("effective_date"), f"{ext} has a change on {day}"):
                continue
            raw.append((line, rec))
        people = uow.hr_data.person_ids({r["ext"] for _, r in raw} | {r["manager"] for _, r in raw if r["manager"]})
        teams = uow.hr_data.team_ids((r["team"] for _, r in raw if r["team"]), create=not ctx.dry_run)
        rows = []
        for line, r in raw:
            pid = people.get(r["ext"])
            if pid is None:
                ctx.sink.add(LineError(line, p.column("external_id"), f"no person has the HRIS id {r['ext']} (import the people first)", r["ext"]))
                continue
            mid = people.get(r["manager"]) if r["manager"] else None
            if r["manager"] and mid is None:
                ctx.sink.add(LineError(line, p.column("manager_external_id"), f"no person has the HRIS id {r['manager']}", r["manager"]))
                continue
            if not any((r["role_id"], r["team"], mid, r["job_title"])):
                ctx.sink.add(LineError(line, "", "says nothing changes (no role, team, manager or job title)"))
                continue
            rows.append({"person_id": pid, "effective_date": r["effective_date"], "role_id": r["role_id"],
                         "team_id": teams.get(r["team"]) if r["team"] else None, "manager_id": mid,
                         "job_title": r["job_title"], "source": "hris"})
        existing = uow.hr_data.role_change_rows((r["person_id"], r["effective_date"]) for r in rows)
        write = []
        for row in rows:
            old = existing.get((row["person_id"], row["effective_date"]))
            if old is None:
                ctx.report.new += 1
                write.append(row)
            elif any(old[k] != row[k] for k in ("role_id", "team_id", "manager_id", "job_title")):
                ctx.report.changed += 1
                write.append(row)
            else:
                ctx.report.unchanged += 1
        if not ctx.dry_run:
            uow.hr_data.upsert_role_changes(write)

    def finish(self) -> None:
        if not self.ctx.dry_run:
            self.ctx.report.applied = apply_due(self.ctx.db, now=self.ctx.now, settings=self.ctx.settings)


class RatingsImport:
    """One rating per person and review period; a rerun with a new value changes it, the same value changes nothing."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen: dict[tuple[str, str], int] = {}

    def chunk(self, uow: UnitOfWork, lines: list[tuple[int, Cells]]) -> None:
        ctx, p = self.ctx, self.ctx.parser
        raw = []
        for line, cells in lines:
            try:
                ext = p.text(cells, "external_id", required=True, max_len=120)
                period = p.text(cells, "period", required=True, max_len=16)
                rating = p.number(cells, "rating", required=True)
                scale = p.number(cells, "scale_max") if "scale_max" in ctx.mapping.columns else None
                scale = scale if scale is not None else ctx.mapping.scale_max
                end = p.date(cells, "period_end") if "period_end" in ctx.mapping.columns else None
                end = end or period_end(period)
                if end is None:
                    raise BadCell("period", "is not a period Ladder can date (2025, 2025-H1, 2025-Q3, 2025-03); "
                                            "map a period_end column", period)
                if scale <= 0 or not 0 <= rating <= scale:
                    raise BadCell("rating", f"is outside the scale 0–{scale:g}", cells.get("rating", ""))
            except BadCell as cell:
                ctx.bad(line, cell)
                continue
            if _repeated(ctx, self.seen, (ext, period), line, p.column("period"), f"{ext} has a rating for {period}"):
                continue
            raw.append((line, ext, period, end, rating, scale))
        people = uow.hr_data.person_ids({r[1] for r in raw})
        rows = []
        for line, ext, period, end, rating, scale in raw:
            pid = people.get(ext)
            if pid is None:
                ctx.sink.add(LineError(line, p.column("external_id"), f"no person has the HRIS id {ext} (import the people first)", ext))
                continue
            rows.append({"person_id": pid, "period": period, "period_end": end, "rating": rating, "scale_max": scale,
                         "source": "hris", "recorded_at": ctx.now})
        existing = uow.hr_data.rating_rows((r["person_id"], r["period"]) for r in rows)
        write = _tally(ctx, rows, existing, lambda r: (r["person_id"], r["period"]),
                       lambda r: (r["period_end"], r["rating"], r["scale_max"]))
        if not ctx.dry_run:
            uow.hr_data.upsert_ratings(write)

    def finish(self) -> None:
        pass


class KpisImport:
    """One value per team, KPI and month."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.seen: dict[tuple[str, str, dt.date], int] = {}

    def chunk(self, uow: UnitOfWork, lines: list[tuple[int, Cells]]) -> None:
        ctx, p = self.ctx, self.ctx.parser
        raw = []
        for line, cells in lines:
            try:
                team = p.text(cells, "team", required=True, max_len=120)
                name = p.text(cells, "name", required=True, max_len=80)
                month = p.month(cells, "month")
                value = p.number(cells, "value", required=True)
                unit = p.text(cells, "unit", max_len=20) if "unit" in ctx.mapping.columns else None
            except BadCell as cell:
                ctx.bad(line, cell)
                continue
            key = (team, name, month)
            if key in self.seen:
                ctx.sink.add(LineError(line, p.column("month"), f"{team} has {name} for {month:%Y-%m} on line {self.seen[key]} "
                                       "already; this line is skipped"))
                continue
            self.seen[key] = line
            raw.append((line, team, name, month, value, unit))
        teams = uow.hr_data.team_ids({r[1] for r in raw}, create=False)
        rows = []
        for line, team, name, month, value, unit in raw:
            tid = teams.get(team)
            if tid is None:
                ctx.sink.add(LineError(line, p.column("team"), f"there is no team called {team!r} in Ladder", team))
                continue
            rows.append({"team_id": tid, "name": name, "month": month, "value": value, "unit": unit, "source": "hris",
                         "recorded_at": ctx.now})
        existing = uow.hr_data.kpi_rows((r["team_id"], r["name"], r["month"]) for r in rows)
        write = _tally(ctx, rows, existing, lambda r: (r["team_id"], r["name"], r["month"]), lambda r: (r["value"], r["unit"]))
        if not ctx.dry_run:
            uow.hr_data.upsert_kpis(write)

    def finish(self) -> None:
        pass


def _tally(ctx: Context, rows: list[dict[str, Any]], existing: dict, key: Callable, values: Callable) -> list[dict[str, Any]]:
    write = []
    for row in rows:
        old = existing.get(key(row))
        if old is None:
            ctx.report.new += 1
            write.append(row)
        elif tuple(old) != values(row):
            ctx.report.changed += 1
            write.append(row)
        else:
            ctx.report.unchanged += 1
    return write


IMPORTERS: dict[str, Callable[[Context], Any]] = {"people": PeopleImport, "roles": RolesImport, "ratings": RatingsImport,
                                                  "kpis": KpisImport}


def _repeated(ctx, seen: dict, key: tuple, line: int, column: str, what: str) -> bool:
    """True (and the line reported) when ``key`` came on an earlier line of the file; else remember this line."""
    if key in seen:
        ctx.sink.add(LineError(line, column, f"{what} on line {seen[key]} already; this line is skipped"))
        return True
    seen[key] = line
    return False
