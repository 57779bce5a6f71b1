"""`python app.py privacy …`: a person's data export, and the erasure jobs (listed, resumed) — never an erasure itself.

    python app.py privacy export EMAIL [--out FILE]   everything Ladder holds about them (JSON; a summary beside it)
    python app.py privacy jobs                        erasure jobs and their steps
    python app.py privacy resume ID                   carry on an interrupted erasure job
    python app.py privacy purge                       the retention purge, now (for cron)

Erasing someone always goes through an HR admin's approval in chat ("erase <person>" → a card): there is no
command that erases without one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from governance.privacy import retention
from governance.privacy.erasure import step_names
from governance.privacy.export import build_export, summary_markdown, to_json
from handlers.context import Ladder


def add_parser(sub) -> None:
    p = sub.add_parser("privacy", help="data export, erasure jobs, retention purge (see handlers/privacy_cli.py)")
    actions = p.add_subparsers(dest="privacy_command", required=True)
    export = actions.add_parser("export", help="everything Ladder holds about a person, as JSON and a summary")
    export.add_argument("email")
    export.add_argument("--out", help="the JSON file to write (default: DATA_DIR/exports/ladder-export-<id>.json)")
    actions.add_parser("jobs", help="erasure jobs and their progress")
    resume = actions.add_parser("resume", help="carry on an interrupted erasure job")
    resume.add_argument("job_id", type=int)
    actions.add_parser("purge", help="run the retention purge now")


def run(args: argparse.Namespace, ladder: Ladder) -> int:
    command = args.privacy_command
    if command == "export":
        return _export(ladder, args.email, args.out)
    if command == "jobs":
        return _jobs(ladder)
    if command == "resume":
        report = ladder.erasure.run(args.job_id)
        print("\n".join(report.lines()))
        return 0 if report.status == "done" else 1
    report = retention.run(ladder.db, ladder.now(), ladder.settings.retention_days)
    print(f"Retention purge: {report.total} rows older than {ladder.settings.retention_days} days — "
          + ", ".join(f"{k}: {v}" for k, v in report.purged.items()))
    return 0


def _export(ladder: Ladder, email: str, out: str | None) -> int:
    now = ladder.now()
    with ladder.db.unit_of_work() as uow:
        person = uow.people.by_email(email)
        if person is None:
            print(f"Nobody active has the email {email}.", file=sys.stderr)
            return 2
        data = build_export(uow, person.id, now)
        uow.audit.record(action="privacy.exported", actor_kind="system", subject_id=person.id, object_type="person",
                         object_id=str(person.id), at=now, detail={"counts": data["counts"], "via": "cli"})
    path = Path(out) if out else ladder.settings.data_dir / "exports" / f"ladder-export-{data['profile']['id']}.json"
    _write(path, to_json(data))
    _write(path.with_suffix(".md"), summary_markdown(data))
    print(f"Export written to {path} (summary: {path.with_suffix('.md')}).")
    return 0


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: its owner only
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _jobs(ladder: Ladder) -> int:
    names = step_names(ladder.erasure.stores)
    with ladder.db.unit_of_work() as uow:
        jobs = uow.privacy.jobs()
        rows = [{"id": j.id, "status": j.status, "pseudonym": j.pseudonym, "proposal_id": j.proposal_id,
                 "steps_done": len(j.steps or {}), "steps": len(names), "last_error": j.last_error,
                 "created_at": j.created_at.isoformat() if j.created_at else None} for j in jobs]
    if not rows:
        print("No erasure jobs.")
        return 0
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    return 0
