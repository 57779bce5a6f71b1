"""Skill-gap forecasting: the method against its baselines, the short-history fallback, the gaps and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import backtest
from forecasting.demo_history import MONTHS, generate
from forecasting.gaps import NoHistory, chart_png, gaps
from forecasting.methods import MIN_ETS_MONTHS, forecast, naive


@pytest.fixture(scope="module")
def demo_report():
    return backtest.run(backtest.demo_series(), label="demo")


@pytest.fixture(scope="module")
def co2_report():
    return backtest.run(backtest.co2_series(), label="co2", origins=12, step=3)


def test_method_beats_both_baselines_on_the_demo_history(demo_report):
    o = demo_report.overall
    assert o["method"] < o["naive"] and o["method"] < o["seasonal_naive"], o
    # every quarter ahead, not only on average
    for row in demo_report.rows:
        assert row.mase["method"] < min(row.mase["naive"], row.mase["seasonal_naive"]), row


def test_method_beats_both_baselines_on_co2(co2_report):
    o = co2_report.overall
    assert o["method"] < o["naive"] and o["method"] < o["seasonal_naive"], o


def test_intervals_cover_roughly_their_level(demo_report, co2_report):
    for report in (demo_report, co2_report):
        assert 0.5 <= report.overall["coverage80"] <= 1.0
        assert report.overall["coverage95"] >= report.overall["coverage80"]


def test_short_history_falls_back_to_naive():
    y = [10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 15.0, 13.0, 16.0, 15.0]
    assert len(y) < MIN_ETS_MONTHS
    fc = forecast(y, 6)
    assert fc.method == "naive"
    assert fc.point == tuple(naive(np.array(y), 6))
    lo, hi = fc.interval(0.80)[0]
    assert lo < y[-1] < hi


def test_long_history_chooses_an_ets_candidate():
    fc = forecast(generate()[0].demand, 12)
    assert fc.method != "naive"
    assert all(b >= a for a, b in zip(fc.scale, fc.scale[1:]))  # intervals widen with the horizon


def test_demo_history_has_a_skill_that_becomes_scarce():
    series = generate()
    assert len(series) >= 3 and all(len(s.demand) == MONTHS >= 36 for s in series)
    ml = next(s for s in series if s.skill == "Machine learning")
    assert ml.supply[0] > ml.demand[0]  # not short at the start …
    found = gaps({s.skill: (list(s.demand), list(s.supply)) for s in series}, 4)
    assert found and found[0].skill == "Machine learning"  # … the largest gap ahead
    assert found[0].gap > 0 and found[0].high80 > found[0].gap > found[0].low80


def test_no_history_is_a_clear_error():
    with pytest.raises(NoHistory):
        gaps({}, 4)
    with pytest.raises(NoHistory):
        gaps({"Python": ([1.0], [2.0])}, 4)


def test_chart_is_a_png():
    series = generate()
    found = gaps({s.skill: (list(s.demand), list(s.supply)) for s in series}, 4)
    assert chart_png(found, "gaps").startswith(b"\x89PNG")


def test_cli_backtest_and_gaps(capsys):
    from app import main

    assert main(["forecast", "backtest", "--series", "demo"]) == 0
    out = capsys.readouterr().out
    assert "| quarter ahead | method MASE |" in out and "| all |" in out
    assert main(["forecast", "gaps", "--demo-history", "--quarters", "3"]) == 0
    assert "Machine learning" in capsys.readouterr().out
    assert main(["forecast", "gaps", "--quarters", "9"]) == 2
    assert "2 to 4 quarters" in capsys.readouterr().out
