"""Does the analysis recover the demo's planted hazard ratio? Many histories from the same model, one Cox fit each.

    python bench/insights_recovery.py [--histories 40]

Keeps the demo's 60 current people (their hire dates, teams and levels, read from the seeded database) and draws, per replicate, their early learning given survival and a
fresh set of former staff (``former_staff`` with another seed). Fits the adjusted Cox model of ``insights.attrition``
on each and prints the geometric mean hazard ratio, the spread of log HR and the share of 95 % intervals that hold
the planted 0.7 (it should be near 95 %). Needs ``python app.py seed demo`` first (DATABASE_URL as for the app).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402

from app import build  # noqa: E402
from handlers.insights import database_table  # noqa: E402
from insights import demo_history as model  # noqa: E402
from insights.attrition import attrition  # noqa: E402

DEMO_DAY = dt.date(2026, 11, 28)


def replicate(current: list[tuple[str, str, dt.date]], rep: int) -> pd.DataFrame:
    rng = random.Random(rep)
    rows = []
    for department, level, hired in current:
        h = model.current_staff(rng, department, level, hired, DEMO_DAY, data_course=False)
        rows.append({"time": (DEMO_DAY - hired).days / 365.25, "event": 0, "learning": "yes" if h.exposed else "no",
                     "role_level": level, "department": department})
    for h in model.former_staff(DEMO_DAY, seed=model.SEED + 1000 + rep):
        rows.append({"time": (h.leave_date - h.hire_date).days / 365.25, "event": 1,
                     "learning": "yes" if h.exposed else "no", "role_level": h.level, "department": h.department})
    return pd.DataFrame(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, default=40)
    args = parser.parse_args()
    ladder = build()
    with ladder.db.read_only() as uow:
        table = database_table(uow, DEMO_DAY)
    staying = table[table["event"] == 0]
    current = [(d, lv, DEMO_DAY - dt.timedelta(days=round(t * 365.25)))
               for d, lv, t in zip(staying["department"], staying["role_level"], staying["time"])]
    logs, inside = [], 0
    for rep in range(args.histories):
        [ratio] = attrition(replicate(current, rep), "learning").cox.ratios
        logs.append(math.log(ratio.hazard_ratio))
        inside += ratio.ci_low < model.PLANTED_HR < ratio.ci_high
    print(f"{args.histories} histories: geometric mean HR {math.exp(statistics.fmean(logs)):.3f} (planted "
          f"{model.PLANTED_HR}), sd of log HR {statistics.stdev(logs):.3f}, 95% intervals holding it: "
          f"{inside}/{args.histories}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
