"""`python app.py insights attrition` — attrition by a grouping column, from the database or from a CSV.

    python app.py insights attrition --by learning [--json]
    python app.py insights attrition --from-csv FILE --time COLUMN --event COLUMN --event-value VALUE --by COLUMN

From the database, the table is the one of ``insights.table.person_table`` (columns: learning, courses_completed,
role_level, department, hire_year, leave_reason). Bad input is a plain message and exit code 2.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from handlers.context import Ladder
from insights.attrition import attrition
from insights.problems import InsightsInputError
from insights.report import lines
from insights.table import csv_columns, csv_table


def add_parser(sub) -> None:
    ins = sub.add_parser("insights", help="outcome analytics: attrition by learning exposure (Kaplan–Meier, log-rank, Cox)")
    ins_sub = ins.add_subparsers(dest="insights_command", required=True)
    at = ins_sub.add_parser("attrition", help="per group n, leavers, survival per year, median; log-rank p; Cox hazard ratio")
    at.add_argument("--by", required=True, metavar="COLUMN", help="the column to group by (database: learning, "
                                                                  "role_level, department, hire_year, …)")
    at.add_argument("--from-csv", metavar="FILE", help="a CSV with one row per person instead of the database")
    at.add_argument("--time", metavar="COLUMN", help="with --from-csv: time employed (years)")
    at.add_argument("--event", metavar="COLUMN", help="with --from-csv: the column saying whether the person left")
    at.add_argument("--event-value", metavar="VALUE", help="with --from-csv: the value of --event that means left")
    at.add_argument("--adjust", metavar="COLUMN", action="append",
                    help="adjust the Cox model for this column (repeat); default: tenure_at_start, role level and "
                         "department where the table has them")
    at.add_argument("--as-of", metavar="YYYY-MM-DD", help="database: count time up to this day (default: today)")
    at.add_argument("--json", action="store_true", help="print every figure as JSON")
    kp = ins_sub.add_parser("kpi", help="a KPI before and after a programme's start: difference of means, Welch 95% CI")
    kp.add_argument("--from-csv", metavar="FILE", required=True, help="one row per month")
    kp.add_argument("--month", metavar="COLUMN", required=True, help="the month (YYYY-MM or YYYY-MM-DD)")
    kp.add_argument("--value", metavar="COLUMN", required=True, help="the KPI's value")
    kp.add_argument("--start", metavar="YYYY-MM-DD", required=True, help="when the programme started")
    kp.add_argument("--months", type=int, default=6, help="months on each side (default 6)")
    kp.add_argument("--json", action="store_true", help="print every figure as JSON")


def run(args, ladder: Ladder) -> int:
    if args.insights_command == "kpi":
        return run_kpi(args)
    try:
        table, source = _table(args, ladder)
        result = attrition(table, args.by, adjust=args.adjust)
    except InsightsInputError as exc:
        print(f"Cannot analyse attrition: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"source": source, **result.as_dict()}, indent=2, ensure_ascii=False))
    else:
        print("\n".join(lines(result)))
    return 0


def _table(args, ladder: Ladder):
    if args.from_csv is None:
        stray = [f for f, v in (("--time", args.time), ("--event", args.event), ("--event-value", args.event_value)) if v]
        if stray:
            raise InsightsInputError(", ".join(stray) + " go with --from-csv FILE.")
        try:
            today = dt.date.fromisoformat(args.as_of) if args.as_of else ladder.now().date()
        except ValueError:
            raise InsightsInputError(f"--as-of wants a date as YYYY-MM-DD, not “{args.as_of}”.") from None
        from handlers.insights import database_table

        with ladder.db.read_only() as uow:
            return database_table(uow, today), f"database, as of {today.isoformat()}"
    missing = [f for f, v in (("--time", args.time), ("--event", args.event), ("--event-value", args.event_value)) if v is None]
    if missing:
        raise InsightsInputError("--from-csv needs " + ", ".join(missing) + ".")
    return csv_table(Path(args.from_csv), args.time, args.event, args.event_value), args.from_csv


def run_kpi(args) -> int:
    from insights.kpi import kpi_change

    try:
        series = csv_series(Path(args.from_csv), args.month, args.value)
        try:
            start = dt.date.fromisoformat(args.start)
        except ValueError:
            raise InsightsInputError(f"--start wants a date as YYYY-MM-DD, not “{args.start}”.") from None
        result = kpi_change(series, start, args.months)
    except InsightsInputError as exc:
        print(f"Cannot compare the KPI: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"source": args.from_csv, **result.as_dict()}, indent=2, ensure_ascii=False))
    else:
        print(f"{args.value}: mean {result.mean_before:.3f} over {result.months_before} months before "
              f"{result.start.isoformat()}, {result.mean_after:.3f} over {result.months_after} months from it: "
              f"difference {result.difference:+.3f} (95% CI {result.ci_low:+.3f} to {result.ci_high:+.3f}), "
              f"p = {result.p_value:.3f}")
        print("\n".join(f"- {c}" for c in result.caveats))
    return 0


def csv_series(path: Path, month: str, value: str) -> list[tuple[dt.date, float]]:
    """(first day of the month, value) per row of the CSV."""
    table = csv_columns(path, [month, value])
    out = []
    for line, (m, v) in enumerate(zip(table[month], table[value]), start=2):
        try:
            day = dt.date.fromisoformat(m.strip() if len(m.strip()) > 7 else m.strip() + "-01")
            out.append((day.replace(day=1), float(v)))
        except ValueError:
            raise InsightsInputError(f"line {line}: “{m}” is not a month or “{v}” is not a number.") from None
    return out
