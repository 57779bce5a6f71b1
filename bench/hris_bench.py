"""Benchmark: the HRIS import rate — 100,000 people rows, then the same file again, then 100,000 ratings.

    python bench/hris_bench.py [--backend sqlite|postgresql] [--rows 100000]

Builds a throwaway database (bench/scratch_db.py) with the ESCO subset the demo carries (role names resolve against
it), writes a generated people export (HRIS column names, US dates, managers named by HRIS id and listed *after*
their reports, 1 in 200 lines broken) and a ratings export, and times ``hr_data.run_import`` on them as
``python app.py hris import`` runs it (1,000-line transactions, the manager pass, the error report). Prints lines
per second for: the first import (all new), the same file again (all unchanged), and the ratings.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scratch_db import drop, fresh_url  # noqa: E402
from hr_data import parse_mapping, run_import  # noqa: E402
from skills_engine.esco_import import import_esco  # noqa: E402
from storage import Database  # noqa: E402
from storage.encryption import Cipher  # noqa: E402

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone.utc)
PEOPLE = {"kind": "people", "date_formats": ["%m/%d/%Y"],
          "columns": {"external_id": "Employee ID", "email": "Work Email", "first_name": "First Name",
                      "last_name": "Last Name", "manager_external_id": "Manager ID", "team": "Department",
                      "role": "Job Profile", "job_title": "Business Title", "hire_date": "Hire Date",
                      "leave_date": "Termination Date", "leave_reason": "Termination Reason"},
          "values": {"leave_reason": {"Resigned": "voluntary", "Dismissed": "involuntary"}}}
RATINGS = {"kind": "ratings", "columns": {"external_id": "Employee ID", "period": "Cycle", "rating": "Rating"},
           "values": {"rating": {"Exceeds": 5, "Meets": 3, "Below": 1}}}
ROLES = ["software developer", "data analyst", "data scientist", "cloud engineer", "accountant", "ICT help desk agent",
         "database administrator", "human resources officer"]


@dataclass
class Settings:
    approval_expiry_days: int = 7
    agent_cooldown_days: int = 30
    agent_cooldown_days_by_kind: dict[str, int] = field(default_factory=dict)


def write_people(path: Path, rows: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Employee ID", "First Name", "Last Name", "Work Email", "Manager ID", "Department", "Job Profile",
                    "Business Title", "Hire Date", "Termination Date", "Termination Reason"])
        for i in range(rows, 0, -1):  # reports before their managers: the manager pass must resolve them
            manager = f"W{(i - 1) // 10:06d}" if i > 1 and (i - 1) // 10 >= 1 else ""
            role = rng.choice(ROLES)
            hired = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 5000))
            left = hired + dt.timedelta(days=rng.randint(200, 2000)) if rng.random() < 0.08 else None
            bad = rng.random() < 0.005
            w.writerow([f"W{i:06d}", f"First{i}", f"Last{i}", f"person{i}@bench.example", manager, f"Team {i // 25:04d}",
                        "astronaut" if bad else role, role.title(), hired.strftime("%m/%d/%Y"),
                        left.strftime("%m/%d/%Y") if left else "", rng.choice(["Resigned", "Dismissed"]) if left else ""])


def write_ratings(path: Path, rows: int, seed: int = 12) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Employee ID", "Cycle", "Rating"])
        for i in range(1, rows + 1):
            w.writerow([f"W{i:06d}", "2025-H1", rng.choice(["Exceeds", "Meets", "Meets", "Below", "4", "2"])])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["postgresql", "sqlite"], default="sqlite")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--esco", default=str(ROOT / "demo" / "esco"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url, name = fresh_url(args.backend, tmp_path, "hris-bench")
        try:
            db = Database(url, cipher=Cipher.throwaway())
            db.migrate()
            import_esco(db, Path(args.esco))
            people, ratings = tmp_path / "people.csv", tmp_path / "ratings.csv"
            write_people(people, args.rows)
            write_ratings(ratings, args.rows)
            print(f"{args.backend}: {args.rows:,} rows per file")
            for label, path, mapping in (("people, first import", people, PEOPLE), ("people, same file again", people, PEOPLE),
                                         ("ratings, first import", ratings, RATINGS)):
                report = run_import(db, path, parse_mapping(mapping), now=NOW, settings=Settings(), errors_to=io.StringIO())
                print(f"  {label:<26} {report.lines / report.seconds:>8,.0f} lines/s  ({report.seconds:.1f} s; "
                      f"{report.new:,} new, {report.changed:,} changed, {report.unchanged:,} unchanged, {report.errors:,} errors)")
            db.dispose()
        finally:
            drop(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
