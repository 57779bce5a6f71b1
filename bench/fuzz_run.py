"""The long fuzz run: every HTTP door and chat entry, on SQLite and PostgreSQL, with Hypothesis' ``long`` profile.

    python bench/fuzz_run.py [--profile long] [--backend sqlite|postgresql|both]

Runs ``tests/fuzz`` under pytest (the fuzz tests are ordinary tests; ``make test`` runs them with the small ``ci``
profile) and prints the summary they write to ``var/fuzz-report.json``: how many inputs were tried at each door and
how many tests failed (the run exits non-zero if any did).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "fuzz-report.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="long", choices=["ci", "long"])
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "-q", "tests/fuzz", f"--hypothesis-profile={args.profile}"]
    if args.backend != "both":
        command += ["-k", args.backend]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = subprocess.call(command, cwd=ROOT, env=env)
    if REPORT.is_file():
        report = json.loads(REPORT.read_text())
        print(f"\n{report['inputs_tried']:,} inputs tried ({report['profile']} profile, {report['seconds']} s), "
              f"{report['failed']} failed")
        for door, n in report["by_door"].items():
            print(f"  {door:40} {n:>6,}")
    return code


if __name__ == "__main__":
    sys.exit(main())
