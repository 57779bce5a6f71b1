"""`python app.py insights kpi`: a KPI's mean before and after a programme's start with the Welch interval, checked
against SciPy's Welch t-test and the Welch–Satterthwaite interval written out here; bad input is a plain message."""

from __future__ import annotations

import json
import math
from pathlib import Path

from scipy import stats

from insights_kpi_cli import run_kpi


def kpi_csv(tmp_path: Path, values: list[float]) -> Path:
    path = tmp_path / "kpi.csv"
    path.write_text("month,nps\n" + "\n".join(f"2025-{i + 1:02d},{v}" for i, v in enumerate(values)) + "\n", encoding="utf-8")
    return path


def test_kpi_before_and_after_matches_welch(capsys, monkeypatch, tmp_path):
    values = [31.0, 29.5, 30.2, 32.0, 30.8, 31.1, 34.0, 35.5, 33.9, 36.2, 35.0, 37.1]
    path = kpi_csv(tmp_path, values)
    code, out, err = run_kpi(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--month", "month", "--value", "nps",
                                                             "--start", "2025-07-01", "--json"])
    assert code == 0, err
    report = json.loads(out)
    before, after = values[:6], values[6:]
    test = stats.ttest_ind(after, before, equal_var=False)
    va, vb = stats.tvar(after) / len(after), stats.tvar(before) / len(before)
    df = (va + vb) ** 2 / (va ** 2 / (len(after) - 1) + vb ** 2 / (len(before) - 1))
    diff = sum(after) / 6 - sum(before) / 6
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert abs(report["difference"] - diff) < 1e-9 and abs(report["p_value"] - test.pvalue) < 1e-9
    assert abs(report["ci_low"] - (diff - half)) < 1e-9 and abs(report["ci_high"] - (diff + half)) < 1e-9
    assert report["months_before"] == 6 and report["months_after"] == 6 and len(report["caveats"]) == 2


def test_kpi_needs_three_months_each_side(capsys, monkeypatch, tmp_path):
    path = kpi_csv(tmp_path, [1, 2, 3, 4, 5])
    code, out, err = run_kpi(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--month", "month", "--value", "nps",
                                                             "--start", "2025-04-01"])
    assert code == 2 and "at least 3 months before and after" in err and "Traceback" not in err and out == ""
    code, _, err = run_kpi(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--month", "when", "--value", "nps",
                                                           "--start", "2025-04-01"])
    assert code == 2 and "no column “when”" in err
