"""Benchmark: the bias audit over 100,000 synthetic decisions.

    python bench/bias_bench.py [--decisions 100000] [--repeat 5]

Generates decisions with sex and race/ethnicity (a few per cent unknown, one category under 2 %), then times
``governance.bias.audit`` — selection rates and impact ratios by sex, by race/ethnicity and by their intersection —
and, apart, the CSV path of ``python app.py audit bias --from-csv`` (reading the file included). Prints the best and
median of the repeats.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from governance.bias import Decision, audit  # noqa: E402
from handlers.bias_cli import csv_audit  # noqa: E402

SEXES = (["Female", "Male", None], [48, 48, 4])
RACES = (["White", "Asian", "Black", "Hispanic", "Two or more", "Pacific Islander", None], [40, 20, 16, 15, 4.5, 1.5, 3])


def decisions(n: int, seed: int = 144) -> list[Decision]:
    rng = random.Random(seed)
    sexes = rng.choices(*SEXES, k=n)
    races = rng.choices(*RACES, k=n)
    return [Decision(i, {"sex": s, "race_ethnicity": r}, rng.random() < (0.3 if s == "Female" else 0.38))
            for i, (s, r) in enumerate(zip(sexes, races))]


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decisions", type=int, default=100_000)
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    rows = decisions(args.decisions)
    result = audit("bench", rows)
    times = timed(lambda: audit("bench", rows), args.repeat)
    print(f"bias audit over {args.decisions:,} decisions (3 tables, {sum(len(t.rows) for t in result.tables)} categories, "
          f"{len(result.flagged)} flagged): best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "decisions.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id", "outcome", "sex", "race_ethnicity"])
            for d in rows:
                w.writerow([d.subject_id, "yes" if d.selected else "no", d.categories["sex"] or "",
                            d.categories["race_ethnicity"] or ""])
        csv_times = timed(lambda: csv_audit(path, "outcome", "yes", ["sex", "race_ethnicity"]), args.repeat)
    print(f"the same from a CSV file (read + audit): best {min(csv_times) * 1000:.0f} ms, "
          f"median {statistics.median(csv_times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
