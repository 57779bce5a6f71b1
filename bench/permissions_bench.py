"""Benchmark: what a permission check costs per message, on the seeded demo database.

    DATABASE_URL=sqlite:////tmp/ladder.db python bench/permissions_bench.py [--rounds 2000]

Times, for an employee, a manager and an HR admin of the demo company: the router's gate (``may_use``), a
check about one person (``check``) and a read scope (``scope_for``) — each a call through the real directory.
Prints p50 / p99 in milliseconds. Target: p50 under 2 ms (at most one recursive reporting-line query); a gate
the access role alone answers reads nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance.permissions import Capability, check, may_use, scope_for  # noqa: E402
from settings import load_settings  # noqa: E402
from storage import Database  # noqa: E402

PEOPLE = {"employee": "maya.patel@kestrel.example", "manager": "daniel.okafor@kestrel.example",
          "hr_admin": "priya.raman@kestrel.example"}


def _times(fn, rounds: int) -> tuple[float, float]:
    spent = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        spent.append((time.perf_counter() - started) * 1000)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.99) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    db = Database(load_settings().database_url)
    with db.read_only() as uow:
        other = uow.people.by_email(PEOPLE["employee"])
        for label, email in PEOPLE.items():
            actor = uow.people.by_email(email)
            cases = {
                "may_use(view_team)": lambda: may_use(uow.people, actor, Capability.view_team),
                "check(view_skills, Maya)": lambda: check(uow.people, actor, Capability.view_skills, other.id),
                "scope_for(view_team)": lambda: scope_for(uow.people, actor, Capability.view_team),
            }
            for name, fn in cases.items():
                p50, p99 = _times(fn, args.rounds)
                print(f"{label:9} {name:26} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms")


if __name__ == "__main__":
    main()
