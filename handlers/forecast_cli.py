"""`python app.py forecast backtest|gaps|snapshot` — the skill-gap forecast's rolling-origin backtest, the gaps
ahead, and this month's numbers stored into the monthly history.

``backtest`` needs no database: it runs on the demo company's generated history (forecasting/demo_history.py) or
on the public monthly Mauna Loa CO₂ series. ``gaps`` reads the same demo history (the organisation).
"""

from __future__ import annotations

import json

SERIES = ("demo", "co2")


def add_parser(sub) -> None:
    fc = sub.add_parser("forecast", help="skill-gap forecasting: backtest against baselines, gaps ahead")
    fc_sub = fc.add_subparsers(dest="forecast_command", required=True)
    bt = fc_sub.add_parser("backtest", help="rolling-origin MASE per quarter ahead (method, naive, seasonal naive), "
                                            "80%/95% interval coverage")
    bt.add_argument("--series", choices=SERIES, action="append", help="which series (default: both)")
    bt.add_argument("--json", action="store_true", help="print the reports as JSON")
    gp = fc_sub.add_parser("gaps", help="the skills the organisation (or one team) is expected to be short of")
    gp.add_argument("--team", help="one team, by name (default: the organisation)")
    gp.add_argument("--demo-history", action="store_true",
                    help="the generated demo history (forecasting/demo_history.py) instead of the database")
    gp.add_argument("--quarters", type=int, default=4, help="2 to 4 quarters ahead (default 4)")
    gp.add_argument("--json", action="store_true", help="print the gaps as JSON")
    fc_sub.add_parser("snapshot", help="store this month's supply, pipeline and demand per team and skill in the "
                                       "monthly history (run monthly; again in the same month replaces it)")


def backtest_report(series: str):
    from forecasting import backtest

    if series == "demo":
        return backtest.run(backtest.demo_series(), label="demo company (48 months, 5 skills × demand/supply)")
    return backtest.run(backtest.co2_series(), label="Mauna Loa CO₂, monthly (NOAA; last 240 months)", origins=12, step=3)


def run(args) -> int:
    if args.forecast_command == "snapshot":
        return snapshot()
    if args.forecast_command == "backtest":
        reports = [backtest_report(s) for s in (args.series or SERIES)]
        if args.json:
            print(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
        else:
            from forecasting.backtest import render

            print("\n\n".join(render(r) for r in reports))
        return 0
    from forecasting.demo_history import generate
    from forecasting.gaps import gaps

    if not 2 <= args.quarters <= 4:
        print("The forecast covers 2 to 4 quarters ahead; pick --quarters 2, 3 or 4.")
        return 2
    if not args.demo_history:
        return database_gaps(args)
    found = gaps({s.skill: (list(s.demand), list(s.supply)) for s in generate()}, args.quarters)
    if args.json:
        print(json.dumps([g.as_dict() for g in found], indent=2, ensure_ascii=False))
    elif not found:
        print(f"No skill is expected to be short in the next {args.quarters} quarters.")
    else:
        print(f"Skills expected to be short in the next {args.quarters} quarters (demo organisation):")
        for i, g in enumerate(found, start=1):
            print(f"{i}. {g.skill}: {g.why()}")
    return 0


def snapshot() -> int:
    """This month into ``skill_monthly`` (forecasting/snapshot.py), for the organisation's real history to grow."""
    from app import build
    from forecasting.snapshot import take

    ladder = build()
    with ladder.db.unit_of_work() as uow:
        taken = take(uow, ladder.now())
    print(f"Recorded {taken.month:%B %Y}: {taken.skills} skill(s) × {taken.teams} team(s) = {taken.rows} row(s) in the "
          "monthly skill history (taking it again this month replaces them).")
    return 0


def database_gaps(args) -> int:
    """The gaps from the recorded monthly history (``skill_monthly``), as the operator (no permission check: the
    command line is the operator's), in the words chat uses."""
    from app import build
    from handlers.forecast import scoped_reply

    ladder = build()
    with ladder.db.read_only() as uow:
        team = uow.skill_history.team_by_name(args.team) if args.team else None
        if args.team and team is None:
            print(f"I don't know a team called “{args.team}”.")
            return 2
        reply = scoped_reply(uow, team, args.quarters)
    if args.json:
        print(json.dumps(reply.data, indent=2, ensure_ascii=False))
    else:
        print(reply.text)
    return 0 if reply.data["status"] == "done" else 1
