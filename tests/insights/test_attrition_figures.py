"""`python app.py insights attrition --json` against lifelines and pandas run directly (written here, apart from
insights/), on the public IBM HR sample data and on the seeded demo company (both databases); the demo's planted
hazard ratio lies inside the reported interval; small groups are suppressed; bad input is a plain message."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from sqlalchemy import select

from app import main
from storage.models import Course, Enrolment, EnrolmentStatus, Person, Team

IBM = Path(__file__).resolve().parent.parent / "data" / "ibm_hr" / "emp_attrition.csv"
DEMO_DAY = dt.date(2026, 11, 28)
PLANTED_HR = 0.7  # insights/demo_history.py, written down here again on purpose
TOL = 1e-6


def run_cli(capsys, monkeypatch, tmp_path, args, url=None):
    monkeypatch.setenv("DATABASE_URL", url or f"sqlite:///{(tmp_path / 'cli.db').as_posix()}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    code = main(["insights", "attrition", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def km_figures(part: pd.DataFrame, years: list[int]) -> tuple[dict[str, float | None], float | None]:
    km = KaplanMeierFitter().fit(part["T"], part["E"])
    last = part["T"].max()
    surv = {str(y): (float(km.predict(y)) if y <= last else None) for y in years}
    median = km.median_survival_time_
    return surv, (None if median == float("inf") else float(median))


def assert_close(a, b):
    if a is None or b is None:
        assert a is None and b is None
    else:
        assert abs(a - b) <= TOL, (a, b)


def check_groups(report, df: pd.DataFrame, by: str):
    years = list(range(1, min(10, int(df["T"].max())) + 1))
    assert report["n"] == len(df) and report["leavers"] == int(df["E"].sum())
    for group in report["groups"]:
        part = df[df[by].astype(str) == group["group"]]
        assert group["n"] == len(part) and group["leavers"] == int(part["E"].sum())
        assert_close(group["attrition_rate"], float(part["E"].mean()))
        surv, median = km_figures(part, years)
        assert set(group["survival"]) == set(surv)
        for year, value in surv.items():
            assert_close(group["survival"][year], value)
        assert_close(group["median_years"], median)


def ibm() -> pd.DataFrame:
    df = pd.read_csv(IBM, encoding="utf-8-sig")
    df["T"] = df["YearsAtCompany"].astype(float)
    df["E"] = (df["Attrition"] == "Yes").astype(int)
    return df


def ibm_report(capsys, monkeypatch, tmp_path, by: str, event_value: str) -> tuple[dict, pd.DataFrame]:
    """The command's JSON on the IBM data grouped by ``by``, its per-group figures already checked."""
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, ["--from-csv", str(IBM), "--time", "YearsAtCompany",
                                                             "--event", "Attrition", "--event-value", event_value,
                                                             "--by", by, "--json"])
    assert code == 0, err
    report, df = json.loads(out), ibm()
    check_groups(report, df, by)
    return report, df


def assert_ratio(hr: dict, row: pd.Series) -> None:
    assert_close(hr["hazard_ratio"], float(row["exp(coef)"]))
    assert_close(hr["ci_low"], float(row["exp(coef) lower 95%"]))
    assert_close(hr["ci_high"], float(row["exp(coef) upper 95%"]))
    assert_close(hr["p_value"], float(row["p"]))


def test_ibm_overtime_matches_lifelines(capsys, monkeypatch, tmp_path):
    report, df = ibm_report(capsys, monkeypatch, tmp_path, "OverTime", "Yes")
    yes, no = df[df.OverTime == "Yes"], df[df.OverTime == "No"]
    lr = logrank_test(no["T"], yes["T"], event_observed_A=no["E"], event_observed_B=yes["E"])
    assert_close(report["logrank"]["p_value"], float(lr.p_value))
    # Cox: OverTime=Yes against No, adjusted for JobLevel (a number) and Department (against its most common value)
    frame = pd.DataFrame({"T": df["T"], "E": df["E"], "overtime": (df.OverTime == "Yes").astype(float),
                          "JobLevel": df["JobLevel"].astype(float),
                          "hr": (df.Department == "Human Resources").astype(float),
                          "sales": (df.Department == "Sales").astype(float)})
    s = CoxPHFitter().fit(frame, "T", "E").summary.loc["overtime"]
    cox = report["cox"]
    assert cox["reference"] == "No" and cox["adjusted_for"] == ["JobLevel", "Department"]
    [hr] = cox["hazard_ratios"]
    assert hr["group"] == "Yes"
    assert_ratio(hr, s)
    assert any("not a cause" in c for c in report["caveats"])


def test_ibm_training_times_uses_the_multivariate_logrank(capsys, monkeypatch, tmp_path):
    report, df = ibm_report(capsys, monkeypatch, tmp_path, "TrainingTimesLastYear", "yes")  # any case means left
    test = multivariate_logrank_test(df["T"], df["TrainingTimesLastYear"], df["E"])
    assert_close(report["logrank"]["p_value"], float(test.p_value))
    assert report["logrank"]["groups"] == 7 and len(report["cox"]["hazard_ratios"]) == 6


def demo_table(ladder) -> pd.DataFrame:
    """The demo's people, recomputed from the tables: time from hire to leaving (or the demo's day), whether they
    left, whether they completed a course within 90 days of the hire date, the level from the job title, the team."""
    with ladder.db.session() as s:
        people = s.execute(select(Person.id, Person.hire_date, Person.leave_date, Person.job_title, Team.name)
                           .join(Team, Team.id == Person.team_id)).all()
        done = s.execute(select(Enrolment.person_id, Enrolment.completed_at).join(Course, Course.id == Enrolment.course_id)
                         .where(Enrolment.status == EnrolmentStatus.completed)).all()
    first = {}
    for pid, at in done:
        first.setdefault(pid, []).append(at.date())
    rows = []
    for pid, hired, left, title, team in people:
        end = left if left and left <= DEMO_DAY else DEMO_DAY
        early = any(0 <= (d - hired).days <= 90 and d <= end for d in first.get(pid, []))
        words = title.lower().split()
        level = ("lead" if {"head", "chief", "director", "manager", "lead"} & set(words)
                 else "senior" if {"senior", "principal", "staff"} & set(words) else "individual")
        rows.append({"T": (end - hired).days / 365.25, "E": int(end != DEMO_DAY or (left == DEMO_DAY)),
                     "learning": "yes" if early else "no", "level": level, "team": team})
    return pd.DataFrame(rows)


def test_demo_matches_lifelines_and_recovers_the_planted_effect(demo, capsys, monkeypatch, tmp_path):
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, ["--by", "learning", "--as-of", DEMO_DAY.isoformat(), "--json"],
                             url=demo.db.url)
    assert code == 0, err
    report = json.loads(out)
    df = demo_table(demo)
    assert len(df) > 150 and df["E"].sum() > 100  # several years of leavers, not just today's 60 people
    check_groups(report, df, "learning")
    yes, no = df[df.learning == "yes"], df[df.learning == "no"]
    lr = logrank_test(no["T"], yes["T"], event_observed_A=no["E"], event_observed_B=yes["E"])
    assert_close(report["logrank"]["p_value"], float(lr.p_value))
    frame = pd.DataFrame({"T": df["T"], "E": df["E"], "learning": (df.learning == "yes").astype(float)})
    base_level = df["level"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
    for level in sorted(set(df["level"]) - {base_level}):
        frame[f"level_{level}"] = (df["level"] == level).astype(float)
    base_team = df["team"].value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
    for team in sorted(set(df["team"]) - {base_team}):
        frame[f"team_{team}"] = (df["team"] == team).astype(float)
    s = CoxPHFitter().fit(frame, "T", "E").summary.loc["learning"]
    [hr] = report["cox"]["hazard_ratios"]
    assert report["cox"]["adjusted_for"] == ["role_level", "department"] and report["cox"]["reference"] == "no"
    assert_ratio(hr, s)
    assert hr["ci_low"] < PLANTED_HR < hr["ci_high"]


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_groups_under_five_are_suppressed_everywhere(capsys, monkeypatch, tmp_path):
    rows = ["years,left,track"]
    rows += [f"{1 + i % 7},{'yes' if i % 3 == 0 else 'no'},{'a' if i < 30 else 'b' if i < 60 else 'tiny'}" for i in range(64)]
    path = write(tmp_path / "small.csv", rows)
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--time", "years", "--event", "left",
                                                             "--event-value", "yes", "--by", "track", "--json"])
    assert code == 0, err
    report = json.loads(out)
    assert [g["group"] for g in report["groups"]] == ["a", "b"] and report["n"] == 60
    assert report["suppressed"] == [{"group": "tiny", "n": "fewer than 5"}]
    assert all(r["group"] != "tiny" for r in report["cox"]["hazard_ratios"])
    assert any("fewer than 5" in c for c in report["caveats"])
    code, out, _ = run_cli(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--time", "years", "--event", "left",
                                                           "--event-value", "yes", "--by", "track"])
    assert "tiny: fewer than 5 people, not shown" in out and "\ntiny " not in out


@pytest.mark.parametrize("rows, args, words", [
    (["years,left,track", "1,yes,a"], ["--time", "tenure"], "no column “tenure”"),
    (["years,left,track", "1,yes,a", "two,no,b"], [], "line 3 has “two”"),
    (["years,left,track"] + [f"{i},no,{'ab'[i % 2]}" for i in range(12)], [], "Nobody in the data left"),
    (["years,left,track", "1,yes,a"], ["--by", "colour"], "no column “colour” to group by"),
])
def test_bad_input_is_a_plain_message(capsys, monkeypatch, tmp_path, rows, args, words):
    path = write(tmp_path / "bad.csv", rows)
    base = {"--time": "years", "--by": "track"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    code, out, err = run_cli(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), "--event", "left", "--event-value", "yes",
                                                             *[x for kv in base.items() for x in kv], "--json"])
    assert code == 2 and words in err and "Traceback" not in err + out and out == ""


def test_csv_options_need_each_other(capsys, monkeypatch, tmp_path):
    code, _, err = run_cli(capsys, monkeypatch, tmp_path, ["--from-csv", str(IBM), "--by", "OverTime"])
    assert code == 2 and "--from-csv needs --time, --event, --event-value" in err
    code, _, err = run_cli(capsys, monkeypatch, tmp_path, ["--time", "x", "--by", "learning"])
    assert code == 2 and "go with --from-csv" in err
