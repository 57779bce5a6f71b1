"""Fuzzing every door: Hypothesis profiles, the tally of inputs tried, and Ladder's real server with its stand-ins.

Profiles: ``ci`` (the default here: a few hundred inputs over the whole folder, on both databases) and ``long``
(``--hypothesis-profile=long``, or ``bench/fuzz_run.py``). Every input a fuzz test tries is counted; at the end the
count and the failures (none, or the run fails) are printed and written to ``var/fuzz-report.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "slack"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "teams"))

from fuzz_harness import TALLY, LiveServers  # noqa: E402

REPORT = Path(__file__).resolve().parents[2] / "var" / "fuzz-report.json"
_COMMON = dict(deadline=None, derandomize=False, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=12, **_COMMON)
settings.register_profile("long", max_examples=200, **_COMMON)


def pytest_configure(config) -> None:
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci")
    TALLY.started = time.time()


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" and "fuzz" in report.nodeid and report.failed:
        TALLY.failed_tests.append(report.nodeid)


def pytest_terminal_summary(terminalreporter) -> None:
    if not TALLY.tried:
        return
    total = sum(TALLY.tried.values())
    data = {"profile": settings.get_current_profile_name(), "inputs_tried": total, "failed_tests": TALLY.failed_tests,
            "failed": len(TALLY.failed_tests), "seconds": round(time.time() - TALLY.started, 1),
            "by_door": dict(sorted(TALLY.tried.items()))}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(data, indent=2) + "\n")
    verdict = "none failed" if not TALLY.failed_tests else f"{len(TALLY.failed_tests)} test(s) FAILED"
    terminalreporter.write_line(f"fuzz: {total:,} inputs tried at every door ({settings.get_current_profile_name()} profile), "
                                f"{verdict} — {REPORT}")


@pytest.fixture(scope="module")
def fuzz_ladder(db_factory, tmp_path_factory):
    """A seeded demo company of its own for a fuzz module (fuzzing changes things)."""
    from handlers.seed_demo import seed_demo

    ladder = db_factory.ladder(tmp_path_factory.mktemp("fuzz"))
    seed_demo(ladder)
    yield ladder
    db_factory.release(ladder.db)


@pytest.fixture(scope="module")
def live(fuzz_ladder, tmp_path_factory):
    """Ladder's real server (Slack and Teams mounted, emulator-mode Teams) and a Teams server with Bot Framework
    credentials, with a stand-in Slack Web API, Bot Connector and token service."""
    servers = LiveServers(fuzz_ladder).start()
    yield servers
    servers.stop()

