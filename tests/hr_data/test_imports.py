"""The HRIS imports against the seeded demo on SQLite and PostgreSQL: good, bad, repeated, changed and interrupted
files; managers in any order; new hires onboarded once; role changes proposing a path once, future ones waiting."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

import approvals_helpers as h
from agent.run import run_pass
from hr_data import MappingError, apply_due, parse_mapping, run_import
from storage.models import Onboarding, PerformanceRating, Person, Proposal, RoleChange, Team, TeamKpi

PEOPLE_MAP = {"kind": "people", "date_formats": ["%d.%m.%Y"],
              "columns": {"external_id": "Personalnummer", "email": "E-Mail", "name": "Name", "team": "Abteilung",
                          "manager_external_id": "Vorgesetzter", "role": "Stelle", "job_title": "Titel",
                          "hire_date": "Eintritt", "leave_date": "Austritt", "leave_reason": "Grund"},
              "values": {"leave_reason": {"Kündigung AN": "voluntary", "Kündigung AG": "involuntary"}}}
HEADER = ["Personalnummer", "Name", "E-Mail", "Vorgesetzter", "Abteilung", "Stelle", "Titel", "Eintritt", "Austritt", "Grund"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _person(i: int, manager: str = "", *, title: str = "Analyst", leave: str = "", reason: str = "") -> list[str]:
    return [f"E{i:03}", f"Test Person {i}", f"person{i}@hris-test.example", manager, "Imported Team", "data analyst",
            title, "01.02.2020", leave, reason]


def _import(ladder, path: Path, mapping: dict, **kw):
    errors = io.StringIO()
    report = run_import(ladder.db, path, parse_mapping(mapping), now=ladder.now(), settings=ladder.settings,
                        graph=lambda uow: ladder.indexes.graph(uow.skills.taxonomy), errors_to=errors, **kw)
    return report, list(csv.DictReader(io.StringIO(errors.getvalue())))


KPI_IMPORTED = TeamKpi.source != "seed"


def _count(ladder, model, *where) -> int:
    with ladder.db.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def _people(ladder) -> dict[str, Person]:
    with ladder.db.session() as s:
        return {p.external_id: p for p in s.scalars(select(Person).where(Person.external_id.is_not(None)))}


def test_people_good_bad_repeat_and_changed(fresh_demo, tmp_path):
    ladder = fresh_demo
    h.prepare(ladder)
    rows = [_person(2, "E001"),  # the manager comes later in the file
            _person(1),
            _person(3, "E001", leave="31.10.2026", reason="Kündigung AN"),
            ["E004", "Bad Date", "bad.date@hris-test.example", "", "Imported Team", "data analyst", "X", "2020-02-01", "", ""],
            ["E005", "Bad Role", "bad.role@hris-test.example", "", "Imported Team", "astronaut", "X", "01.02.2020", "", ""],
            ["E006", "Bad Reason", "bad.reason@hris-test.example", "", "", "", "", "01.02.2020", "01.01.2026", "fired"],
            _person(7, "E999"),  # kept, but its manager is unknown
            ["E008", "Short line"]]
    path = _write(tmp_path / "people.csv", HEADER, rows)
    before = _count(ladder, Person)

    report, errors = _import(ladder, path, PEOPLE_MAP)
    assert (report.lines, report.new, report.changed, report.unchanged) == (8, 4, 0, 0)
    by_line = {e["line"]: e for e in errors}
    assert sorted((e["line"], e["column"]) for e in errors) == [
        ("5", "Eintritt"), ("6", "Stelle"), ("7", "Grund"), ("8", "Vorgesetzter"), ("9", "")]
    assert "not a date in the format %d.%m.%Y" in by_line["5"]["reason"] and by_line["7"]["value"] == "fired"
    assert "E999" in by_line["8"]["reason"] and "has 2 cells, the header has 10" in by_line["9"]["reason"]
    people = _people(ladder)
    assert set(people) == {"E001", "E002", "E003", "E007"} and _count(ladder, Person) == before + 4
    assert people["E002"].manager_id == people["E001"].id and people["E007"].manager_id is None
    assert (people["E003"].leave_date, people["E003"].leave_reason, people["E003"].active) == (dt.date(2026, 10, 31), "voluntary", False)
    with ladder.db.session() as s:
        assert s.scalar(select(Team.id).where(Team.name == "Imported Team")) == people["E001"].team_id

    again, errors_again = _import(ladder, path, PEOPLE_MAP)
    assert (again.new, again.changed, again.unchanged, again.errors) == (0, 0, 4, 5)
    assert _count(ladder, Person) == before + 4 and len(errors_again) == 5
    assert "0 new, 0 changed, 4 unchanged" in again.lines_text()[0]

    rows[0] = _person(2, "E003", title="Senior Analyst")  # a new title and a new manager: one person changed
    rows[1] = _person(1, title="Lead")
    changed, _ = _import(ladder, _write(tmp_path / "people2.csv", HEADER, rows), PEOPLE_MAP)
    assert (changed.new, changed.changed, changed.unchanged) == (0, 2, 2)
    people = _people(ladder)
    assert (people["E002"].job_title, people["E002"].manager_id, people["E001"].job_title) == ("Senior Analyst", people["E003"].id, "Lead")


def test_existing_person_is_matched_by_email_and_dry_run_writes_nothing(fresh_demo, tmp_path):
    ladder = fresh_demo
    h.prepare(ladder)
    maya = h.person_id(ladder, h.MAYA)
    path = _write(tmp_path / "p.csv", ["id", "mail", "full name"], [["HR-77", h.MAYA, ""]])
    mapping = {"kind": "people", "columns": {"external_id": "id", "email": "mail", "name": "full name"}}
    dry, _ = _import(ladder, path, mapping, dry_run=True)
    assert (dry.new, dry.changed, dry.dry_run) == (0, 1, True) and _people(ladder) == {}
    report, _ = _import(ladder, path, mapping)
    assert report.changed == 1
    people = _people(ladder)
    assert people["HR-77"].id == maya and people["HR-77"].name  # an empty name cell never blanks a name


def test_interrupted_import_rerun_finishes_cleanly(fresh_demo, tmp_path):
    ladder = fresh_demo
    h.prepare(ladder)
    path = _write(tmp_path / "people.csv", HEADER, [_person(i, "E001" if i > 1 else "") for i in range(1, 8)])

    def killed(done: int) -> None:
        if done >= 3:
            raise KeyboardInterrupt  # the process is stopped after its first chunk was committed

    with pytest.raises(KeyboardInterrupt):
        _import(ladder, path, PEOPLE_MAP, chunk=3, on_progress=killed)
    assert len(_people(ladder)) == 3
    report, errors = _import(ladder, path, PEOPLE_MAP, chunk=3)
    # the first run committed three people but was stopped before its manager pass: two of them get their manager now
    assert (report.new, report.changed, report.unchanged, errors) == (4, 2, 1, [])
    people = _people(ladder)
    assert len(people) == 7 and all(people[f"E{i:03}"].manager_id == people["E001"].id for i in range(2, 8))


def test_mapping_errors_are_clear(tmp_path):
    with pytest.raises(MappingError, match="unknown field.*salary.*The fields are: external_id"):
        parse_mapping({"kind": "people", "columns": {"external_id": "ID", "name": "N", "salary": "Pay"}})
    with pytest.raises(MappingError, match="ratings file needs a column for: rating"):
        parse_mapping({"kind": "ratings", "columns": {"external_id": "ID", "period": "P"}})
    with pytest.raises(MappingError, match="kind"):
        parse_mapping({"kind": "payroll", "columns": {"x": "y"}})
    path = _write(tmp_path / "p.csv", ["ID", "Full Name"], [["1", "A"]])
    mapping = parse_mapping({"kind": "people", "columns": {"external_id": "ID", "name": "Name", "email": "Email"}})
    with pytest.raises(MappingError, match=r"no column 'Name' \(for name\); 'Email' \(for email\). Its columns are: ID, Full Name"):
        run_import(None, path, mapping, now=dt.datetime.now(dt.timezone.utc), settings=None)


def _mover(ladder) -> tuple[int, str, int]:
    """A demo employee (not a manager) whose role isn't data scientist, and the data scientist role's id."""
    with ladder.db.session() as s:
        from storage.models import Occupation

        ds = s.scalar(select(Occupation.id).where(Occupation.label == "data scientist"))
        p = s.scalars(select(Person).where(Person.role_id != ds, Person.access_role == "employee", Person.active.is_(True))
                      .order_by(Person.id)).first()
        return p.id, p.email, ds


def _adjust_paths(ladder, pid: int) -> list[Proposal]:
    with ladder.db.session() as s:
        return list(s.scalars(select(Proposal).where(Proposal.subject_id == pid, Proposal.action_type == "adjust_path")))


def test_role_change_proposes_a_path_once_and_future_ones_wait(fresh_demo, tmp_path):
    ladder = fresh_demo
    clock, _ = h.prepare(ladder)
    h.without_seeded_targets(ladder)
    run_pass(ladder.approvals, ladder.settings)  # the agent has seen the roles as they are
    pid, email, ds = _mover(ladder)
    ids = {"kind": "people", "columns": {"external_id": "id", "email": "mail", "name": "name"}}
    _import(ladder, _write(tmp_path / "ids.csv", ["id", "mail", "name"], [["M-1", email, ""]]), ids)
    roles = {"kind": "roles", "columns": {"external_id": "who", "effective_date": "from", "role": "role", "job_title": "title"}}
    today = clock().date()
    path = _write(tmp_path / "roles.csv", ["who", "from", "role", "title"],
                  [["M-1", (today - dt.timedelta(days=2)).isoformat(), "data scientist", "Data Scientist"],
                   ["M-1", (today + dt.timedelta(days=10)).isoformat(), "data analyst", "Data Analyst"],
                   ["NOBODY", today.isoformat(), "data analyst", ""]])

    report, errors = _import(ladder, path, roles)
    assert (report.new, [e["line"] for e in errors]) == (2, ["4"])
    assert (report.applied.role_changes, len(report.applied.proposal_ids), report.applied.pending_future) == (1, 1, 1)
    with ladder.db.session() as s:
        assert s.get(Person, pid).role_id == ds
    [proposal] = _adjust_paths(ladder, pid)
    assert proposal.payload["role_id"] == ds and proposal.payload["course_codes"]

    again, _ = _import(ladder, path, roles)  # the same file: nothing new, nothing applied twice
    assert (again.new, again.unchanged, again.applied.role_changes) == (0, 2, 0)
    agent = run_pass(ladder.approvals, ladder.settings)  # the agent's own role-change rule doesn't propose it again
    assert len(_adjust_paths(ladder, pid)) == 1 and agent.created["adjust_path"] == 0

    clock.advance(days=11)
    applied = apply_due(ladder.db, now=clock(), settings=ladder.settings)
    assert (applied.role_changes, applied.pending_future) == (1, 0)
    with ladder.db.session() as s:
        assert s.get(Person, pid).job_title == "Data Analyst"
        assert s.scalar(select(func.count()).select_from(RoleChange).where(RoleChange.applied_at.is_(None))) == 0
    assert apply_due(ladder.db, now=clock(), settings=ladder.settings).role_changes == 0


def test_new_hire_is_onboarded_once(fresh_demo, tmp_path):
    ladder = fresh_demo
    clock, _ = h.prepare(ladder)
    lead = h.person_id(ladder, h.DANIEL)
    start = (clock().date() + dt.timedelta(days=7)).strftime("%d.%m.%Y")
    _import(ladder, _write(tmp_path / "lead.csv", ["id", "mail", "name"], [["L-1", h.DANIEL, ""]]),
            {"kind": "people", "columns": {"external_id": "id", "email": "mail", "name": "name"}})
    path = _write(tmp_path / "hire.csv", HEADER, [["N-1", "Nia Newhire", "nia.newhire@hris-test.example", "L-1", "",
                                                   "data analyst", "Data Analyst", start, "", ""]])
    report, errors = _import(ladder, path, PEOPLE_MAP)
    assert errors == [] and report.new == 1 and len(report.onboarded) == 1
    nia = _people(ladder)["N-1"]
    assert nia.manager_id == lead
    again, _ = _import(ladder, path, PEOPLE_MAP)
    assert again.unchanged == 1 and again.onboarded == []
    assert _count(ladder, Onboarding, Onboarding.person_id == nia.id) == 1


def test_ratings_and_kpis_good_bad_repeat_changed(fresh_demo, tmp_path):
    ladder = fresh_demo
    h.prepare(ladder)
    IMPORTED = PerformanceRating.source != "seed"  # the demo's own history has ratings too (insights/demo_history.py)
    _import(ladder, _write(tmp_path / "p.csv", HEADER, [_person(1), _person(2, "E001")]), PEOPLE_MAP)
    ratings = {"kind": "ratings", "columns": {"external_id": "Emp", "period": "Cycle", "rating": "Score"},
               "values": {"rating": {"Exceeds": 5, "Meets": 3}}}
    rows = [["E001", "2025-H1", "Exceeds"], ["E002", "2025-H1", "4"], ["E002", "2025-Q3", "Meets"],
            ["E002", "2025-H1", "2"], ["E001", "spring", "3"], ["E001", "2025", "9"], ["E404", "2025", "3"]]
    path = _write(tmp_path / "r.csv", ["Emp", "Cycle", "Score"], rows)
    report, errors = _import(ladder, path, ratings)
    assert (report.new, [e["line"] for e in errors]) == (3, ["5", "6", "7", "8"])
    assert _count(ladder, PerformanceRating, IMPORTED) == 3
    with ladder.db.session() as s:
        ends = dict(s.execute(select(PerformanceRating.period, PerformanceRating.period_end).where(IMPORTED)).all())
    assert ends == {"2025-H1": dt.date(2025, 6, 30), "2025-Q3": dt.date(2025, 9, 30)}
    again, _ = _import(ladder, path, ratings)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3) and _count(ladder, PerformanceRating, IMPORTED) == 3
    rows[1] = ["E002", "2025-H1", "3.5"]
    changed, _ = _import(ladder, _write(tmp_path / "r2.csv", ["Emp", "Cycle", "Score"], rows), ratings)
    assert (changed.changed, changed.unchanged) == (1, 2)

    kpis = {"kind": "kpis", "columns": {"team": "Team", "name": "KPI", "month": "Month", "value": "Value", "unit": "Unit"}}
    krows = [["Imported Team", "attrition", "2025-09", "2.5", "%"], ["Imported Team", "attrition", "2025-10-15", "1,5", "%"],
             ["Ghost Team", "attrition", "2025-10", "1", "%"], ["Imported Team", "nps", "Oct 2025", "40", ""]]
    kpath = _write(tmp_path / "k.csv", ["Team", "KPI", "Month", "Value", "Unit"], krows)
    report, errors = _import(ladder, kpath, kpis)
    assert (report.new, sorted(e["line"] for e in errors)) == (2, ["4", "5"])
    with ladder.db.session() as s:
        assert dict(s.execute(select(TeamKpi.month, TeamKpi.value).where(KPI_IMPORTED)).all()) == {
            dt.date(2025, 9, 1): 2.5, dt.date(2025, 10, 1): 1.5}
    seeded = _count(ladder, TeamKpi, TeamKpi.source == "seed")  # the demo's own monthly KPIs, left alone
    assert seeded > 0
    again, _ = _import(ladder, kpath, kpis)
    assert (again.new, again.unchanged) == (0, 2) and _count(ladder, TeamKpi, KPI_IMPORTED) == 2
    assert _count(ladder, TeamKpi) == seeded + 2
