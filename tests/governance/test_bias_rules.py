"""The bias audit's arithmetic: equal to Fairlearn's on the same data (through the CLI's --json), and the LL144 rules
(unknowns counted apart, the 2 % exclusion, the intersectional table) and the four-fifths flag, each on its own."""

from __future__ import annotations

import csv
import json
import random

import pytest

from app import main
from governance.bias import Decision, audit

TOLERANCE = 1e-9


def _people(spec: list[tuple[dict, int, int]]) -> list[Decision]:
    """(categories, n, selected) -> that many decisions."""
    out = []
    for categories, n, selected in spec:
        out += [Decision(len(out), categories, i < selected) for i in range(n)]
    return out


def test_selection_rate_and_impact_ratio_against_the_highest_category():
    result = audit("x", _people([({"sex": "F"}, 50, 20), ({"sex": "M"}, 50, 30)]), ["sex"])
    table = result.table("sex")
    assert table.row("F").selection_rate == pytest.approx(0.4) and table.row("M").selection_rate == pytest.approx(0.6)
    assert table.row("M").impact_ratio == 1.0
    assert table.row("F").impact_ratio == pytest.approx(0.4 / 0.6)
    assert [r.category for r in table.flagged] == ["F"]  # 0.667 < 0.8


def test_four_fifths_line_exactly_at_0_8_is_not_flagged_and_just_under_is():
    at = audit("x", _people([({"sex": "F"}, 100, 40), ({"sex": "M"}, 100, 50)]), ["sex"]).table("sex")
    assert at.row("F").impact_ratio == pytest.approx(0.8) and not at.row("F").flagged
    under = audit("x", _people([({"sex": "F"}, 100, 39), ({"sex": "M"}, 100, 50)]), ["sex"]).table("sex")
    assert under.row("F").flagged


def test_unknown_people_are_counted_not_categorised_and_not_in_any_rate():
    decisions = _people([({"sex": "F"}, 40, 10), ({"sex": "M"}, 40, 20), ({"sex": None}, 5, 5), ({"sex": " "}, 3, 3),
                         ({"sex": "Unknown"}, 2, 2), ({}, 1, 1)])
    table = audit("x", decisions, ["sex"]).table("sex")
    assert table.unknown == 11
    assert [r.category for r in table.rows] == ["F", "M"]
    assert table.row("M").selection_rate == 0.5  # the 11 selected unknowns did not raise it
    assert table.row("F").n + table.row("M").n + table.unknown == len(decisions)


def test_a_category_under_two_percent_is_listed_and_left_out_of_the_ratios():
    # 1 of 100 (1 %) is under 2 %; 2 of 100 is not. The tiny category's perfect rate must not become the highest.
    decisions = _people([({"r": "A"}, 60, 30), ({"r": "B"}, 37, 10), ({"r": "C"}, 2, 1), ({"r": "Tiny"}, 1, 1)])
    table = audit("x", decisions, ["r"]).table("r")
    assert [r.category for r in table.excluded] == ["Tiny"]
    tiny = table.row("Tiny")
    assert tiny.impact_ratio is None and not tiny.flagged and tiny.selection_rate == 1.0 and tiny.n == 1
    assert table.highest_rate == 0.5 and table.row("A").impact_ratio == 1.0
    assert not table.row("C").excluded and table.row("C").impact_ratio == 1.0
    assert audit("x", decisions, ["r"], exclude_under=0).table("r").row("Tiny").impact_ratio == 1.0  # rule off


def test_intersectional_table_crosses_both_dimensions_and_an_unknown_in_either_is_unknown():
    decisions = _people([({"sex": "F", "race": "A"}, 30, 15), ({"sex": "F", "race": "B"}, 30, 6),
                         ({"sex": "M", "race": "A"}, 30, 12), ({"sex": "M", "race": "B"}, 30, 12),
                         ({"sex": "M", "race": None}, 4, 0), ({"sex": None, "race": "B"}, 3, 3)])
    result = audit("x", decisions, ["sex", "race"])
    both = result.table("sex × race")
    assert [r.category for r in both.rows] == ["F · A", "F · B", "M · A", "M · B"]
    assert both.row("F · B").parts == ("F", "B")
    assert both.unknown == 7
    assert both.row("F · B").impact_ratio == pytest.approx(0.2 / 0.5) and both.row("F · B").flagged
    assert result.table("sex").unknown == 3 and result.table("race").unknown == 4
    # one dimension alone: no intersection
    assert [t.dimension for t in audit("x", decisions, ["sex"]).tables] == ["sex"]


def test_nobody_selected_means_no_ratio_and_no_flag():
    table = audit("x", _people([({"sex": "F"}, 10, 0), ({"sex": "M"}, 10, 0)]), ["sex"]).table("sex")
    assert all(r.impact_ratio is None and not r.flagged for r in table.rows)


# --------------------------------------------------------------------------- against Fairlearn, through the CLI


def _write_csv(path, rows: int, seed: int = 144) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "decision", "gender", "ethnicity"])
        for i in range(rows):
            gender = rng.choices(["Female", "Male", "Non-binary", ""], [47, 47, 1.5, 4.5])[0]
            ethnicity = rng.choices(["Asian", "Black", "Hispanic", "White", "Pacific Islander", "unknown"],
                                    [20, 18, 17, 40, 1.2, 3.8])[0]
            p = {"Female": 0.31, "Male": 0.42, "Non-binary": 0.5, "": 0.4}[gender] * (0.8 if ethnicity == "Black" else 1)
            w.writerow([i, "advance" if rng.random() < p else "reject", gender, ethnicity])


def _cli_json(capsys, monkeypatch, tmp_path, args: list[str]) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{(tmp_path / 'cli.db').as_posix()}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    code = main(["audit", "bias", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_csv_audit_equals_fairlearn_to_1e_9(capsys, monkeypatch, tmp_path):
    import pandas as pd
    from fairlearn.metrics import MetricFrame, selection_rate

    path = tmp_path / "decisions.csv"
    _write_csv(path, 6000)
    code, out, err = _cli_json(capsys, monkeypatch, tmp_path, ["--json", "--from-csv", str(path), "--outcome", "decision",
                                                               "--selected", "advance", "--category", "gender",
                                                               "--category", "ethnicity"])
    assert code == 0, err
    tables = {t["dimension"]: t for t in json.loads(out)["audit"]["tables"]}
    assert set(tables) == {"gender", "ethnicity", "gender × ethnicity"}

    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    def known(column):
        return ~frame[column].str.strip().str.lower().isin(["", "unknown"])

    for dimension, columns in (("gender", ["gender"]), ("ethnicity", ["ethnicity"]),
                               ("gender × ethnicity", ["gender", "ethnicity"])):
        rows = frame[known(columns[0]) & known(columns[-1])]  # LL144: unknowns are in no category
        y = (rows.decision == "advance").astype(int)
        features = rows[columns] if len(columns) == 2 else rows[columns[0]]
        metric = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=features)
        by_group = metric.by_group
        counts = features.value_counts()
        table = tables[dimension]
        assert table["unknown"] == len(frame) - len(rows)
        ours = {tuple(r["parts"]): r for r in table["rows"]}
        keys = [k if isinstance(k, tuple) else (k,) for k in by_group.index]
        assert set(ours) == set(keys)
        included = [k for k in by_group.index if counts[k] / len(frame) >= 0.02]
        highest = by_group[included].max()
        for key in by_group.index:
            row = ours[key if isinstance(key, tuple) else (key,)]
            assert row["n"] == counts[key]
            assert abs(row["selection_rate"] - by_group[key]) < TOLERANCE
            if key in included:
                assert abs(row["impact_ratio"] - by_group[key] / highest) < TOLERANCE
                assert row["flagged"] == bool(by_group[key] / highest < 0.8)
            else:
                assert row["excluded"] and row["impact_ratio"] is None
        if dimension == "gender":  # the data was made so: Non-binary under 2 %, women under the line
            assert table["excluded"] == ["Non-binary"] and "Female" in table["flagged"]


@pytest.mark.parametrize("content,args,expected", [
    (None, ["--outcome", "decision", "--selected", "advance", "--category", "gender"], "no such file"),
    ("id,decision,gender\n1,advance,F\n", ["--outcome", "outcome", "--selected", "advance", "--category", "gender"],
     "no column 'outcome'"),
    ("id,decision,gender\n1,advance,F\n", ["--outcome", "decision", "--selected", "advance", "--category", "sex"],
     "no column 'sex'"),
    ("id,decision,gender\n", ["--outcome", "decision", "--selected", "advance", "--category", "gender"], "no rows"),
    ("", ["--outcome", "decision", "--selected", "advance", "--category", "gender"], "empty"),
    (b"id,decision,gender\n1,advance,F\xe9minin\n", ["--outcome", "decision", "--selected", "advance", "--category", "gender"],
     "not UTF-8"),
    ("id,decision,gender\n1,advance,F\n", ["--outcome", "decision", "--category", "gender"], "needs --selected"),
])
def test_bad_csv_input_is_a_plain_message_and_exit_code_2(capsys, monkeypatch, tmp_path, content, args, expected):
    path = tmp_path / "in.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = _cli_json(capsys, monkeypatch, tmp_path, ["--from-csv", str(path), *args])
    assert code == 2
    assert expected in err and "Traceback" not in err + out


def test_spacing_differences_are_one_category_and_no_decisions_is_an_empty_audit():
    table = audit("x", _people([({"sex": "F"}, 10, 5), ({"sex": " F "}, 10, 5), ({"sex": "M"}, 20, 10)]), ["sex"]).table("sex")
    assert [(r.category, r.n) for r in table.rows] == [("F", 20), ("M", 20)]
    empty = audit("x", [], ["sex", "race"])
    assert empty.total == 0 and all(not t.rows and t.unknown == 0 for t in empty.tables) and len(empty.tables) == 3
