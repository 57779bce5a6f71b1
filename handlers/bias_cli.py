"""`python app.py audit bias [--json]` — the bias audit of Ladder's outputs, or of another tool's decisions in a CSV.

    python app.py audit bias                    Ladder's own outputs (readiness, proposals, approvals)
    python app.py audit bias --from-csv FILE --outcome COLUMN --selected VALUE --category COLUMN [--category COLUMN …]

With a CSV, each row is one decision: selected when its ``--outcome`` column equals ``--selected`` (spaces around
it ignored); each ``--category`` column is one dimension, and with two or more the intersection is audited too.
A blank category, or one recorded as unknown, is counted as unknown. Bad input is a plain message and exit code 2.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from governance import bias
from governance.permissions import Capability, Permission, Target
from handlers import bias_audit
from handlers.context import Ladder

# Whoever runs the command line holds the database itself: it reads as HR's bias audit does, and says so.
OPERATOR = Permission(True, Capability.run_bias_audit, Target.anyone, "the command line (database access)")


class CsvProblem(Exception):
    """A CSV the audit cannot read, in words for the person who gave it."""


def add_parser(sub) -> None:
    audit = sub.add_parser("audit", help="audits: the bias audit (selection rates, impact ratios); the audit trail's "
                                         "hash chain (verify, seal)")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    from handlers import audit_verify

    audit_verify.add_parsers(audit_sub)  # `audit verify` / `audit seal`: the hash chain of the audit trail
    b = audit_sub.add_parser("bias", help="selection rates and impact ratios by sex, race/ethnicity and both (LL144)")
    b.add_argument("--json", action="store_true", help="print every figure as JSON")
    b.add_argument("--from-csv", metavar="FILE", help="audit another tool's decisions instead of Ladder's")
    b.add_argument("--outcome", metavar="COLUMN", help="with --from-csv: the column holding the decision")
    b.add_argument("--selected", metavar="VALUE", help="with --from-csv: the value of --outcome that means selected")
    b.add_argument("--category", metavar="COLUMN", action="append", default=[],
                   help="with --from-csv: a demographic column (repeat; two or more also audit the intersection)")


def run(args, ladder: Ladder) -> int:
    if args.from_csv is None:
        if args.outcome or args.selected is not None or args.category:
            print("--outcome, --selected and --category go with --from-csv FILE.", file=sys.stderr)
            return 2
        with ladder.db.read_only() as uow:
            report = bias_audit.ladder_report(ladder, uow, OPERATOR)
        print(json.dumps(report.as_data(), indent=2, ensure_ascii=False) if args.json else bias_audit.report_text(report))
        return 0
    missing = [flag for flag, value in (("--outcome", args.outcome), ("--selected", args.selected)) if value is None]
    if missing or not args.category:
        print(f"--from-csv needs {', '.join(missing + ([] if args.category else ['--category']))}.", file=sys.stderr)
        return 2
    try:
        audit = csv_audit(Path(args.from_csv), args.outcome, args.selected, args.category)
    except CsvProblem as exc:
        print(f"Cannot audit {args.from_csv}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"source": args.from_csv, "audit": audit.as_data()}, indent=2, ensure_ascii=False))
    else:
        print("\n".join(bias_audit.table_lines(audit)))
    return 0


def csv_audit(path: Path, outcome: str, selected_value: str, categories: list[str]) -> bias.OutcomeAudit:
    decisions = read_decisions(path, outcome, selected_value, categories)
    return bias.audit(outcome, decisions, categories, description=f"{outcome} = {selected_value} in {path.name}")


def read_decisions(path: Path, outcome: str, selected_value: str, categories: list[str]) -> list[bias.Decision]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvProblem("there is no such file.") from None
    except IsADirectoryError:
        raise CsvProblem("that is a folder, not a CSV file.") from None
    except UnicodeDecodeError as exc:
        raise CsvProblem(f"it is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV and try again.") from None
    except OSError as exc:
        raise CsvProblem(f"it cannot be read ({exc.strerror or exc}).") from None
    if not text.strip():
        raise CsvProblem("it is empty.")
    try:
        reader = csv.DictReader(text.splitlines())
        header = reader.fieldnames or []
        wanted = [outcome, *categories]
        absent = [c for c in dict.fromkeys(wanted) if c not in header]
        if absent:
            shown = ", ".join(header[:12]) or "none"
            raise CsvProblem(f"no column {', '.join(repr(c) for c in absent)} (its columns: {shown}).")
        want = selected_value.strip()
        decisions = [bias.Decision(i, {c: row.get(c) for c in categories}, (row.get(outcome) or "").strip() == want)
                     for i, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise CsvProblem(f"it is not well-formed CSV ({exc}).") from None
    if not decisions:
        raise CsvProblem("it has a header but no rows.")
    return decisions
