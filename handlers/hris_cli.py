"""`python app.py hris import people|roles|ratings|kpis FILE --mapping MAPPING.yaml [--dry-run] [--errors OUT] [--json]`
and `python app.py hris apply-due`: the HRIS import at the command line, with progress on stderr.

After the import's own transactions, what must wait for the commit is done here: path proposals the policy approved on
its own are carried out, and approvers get their cards (as after an agent pass).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from approvals.execution import execute_pending
from approvals.notify import notify_approvers
from handlers.context import Ladder
from handlers.progress import StepProgress
from hr_data import Applied, ImportReport, MappingError, apply_due, load_mapping, run_import


def import_file(ladder: Ladder, path: Path, mapping_path: Path, *, kind: str | None = None, dry_run: bool = False,
                errors_path: Path | None = None, show_progress: bool = True) -> ImportReport:
    """Raises MappingError (bad mapping, one for another kind of file, a column the file lacks, an unreadable file)
    before anything is written."""
    mapping = load_mapping(mapping_path)
    if kind is not None and mapping.kind != kind:
        raise MappingError(f"{mapping_path.name} is a mapping for a {mapping.kind} file, not for {kind}")
    errors_path = errors_path or path.with_name(path.name + ".errors.csv")
    step = StepProgress(f"importing {mapping.kind}", "lines") if show_progress else None
    out = errors_path.open("w", encoding="utf-8", newline="")
    try:
        report = run_import(ladder.db, path, mapping, now=ladder.now(), settings=ladder.settings,
                            graph=lambda uow: ladder.indexes.graph(uow.skills.taxonomy), dry_run=dry_run,
                            errors_to=out, errors_file=str(errors_path),
                            on_progress=(lambda done: step.update(done)) if step is not None else None)
    finally:
        out.close()
        if step is not None:
            step.close()
    if report.errors == 0:
        errors_path.unlink(missing_ok=True)
        report.errors_file = None
    if report.applied is not None:
        follow_up(ladder, report.applied)
    return report


def follow_up(ladder: Ladder, applied: Applied) -> None:
    deps = ladder.approvals
    if applied.auto_ids:
        execute_pending(deps, applied.auto_ids)
    cards = [pid for pid in applied.proposal_ids if pid not in set(applied.auto_ids)]
    if cards:
        with ladder.db.unit_of_work() as uow:
            notify_approvers(uow, deps.notifier, cards, today=ladder.now().date(),
                             heading="after a role change in the HRIS — waiting for your decision")


def run(args, ladder: Ladder) -> int:
    if args.action == "apply-due":
        applied = apply_due(ladder.db, now=ladder.now(), settings=ladder.settings)
        follow_up(ladder, applied)
        print(json.dumps(applied.__dict__) if args.json else applied.line())
        return 0
    if not args.file or not args.mapping:
        print("Say which file and which mapping: hris import people FILE --mapping MAPPING.yaml", file=sys.stderr)
        return 2
    try:
        report = import_file(ladder, Path(args.file), Path(args.mapping), kind=args.kind, dry_run=args.dry_run,
                             errors_path=Path(args.errors) if args.errors else None, show_progress=not args.json)
    except MappingError as e:
        print(f"Nothing was imported: {e}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_data(), indent=2, default=str) if args.json else "\n".join(report.lines_text()))
    return 0
