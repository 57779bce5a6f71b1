"""Slack tests: helpers live in slack_harness.py and slack_standin.py (this folder is on sys.path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


# How Slack's work after the ack runs: in threads of the serving process (0), or in worker processes as
# `serve` does by default (two here, so calls really do spread over processes). A test that takes
# ``slack_processes`` runs in both.
SLACK_MODES = {"threads": 0, "processes": 2}


def pytest_generate_tests(metafunc):
    if "slack_processes" in metafunc.fixturenames:
        metafunc.parametrize("slack_processes", list(SLACK_MODES.values()), ids=list(SLACK_MODES))
