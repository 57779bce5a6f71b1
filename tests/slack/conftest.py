"""Slack tests: helpers live in slack_harness.py and slack_standin.py (this folder is on sys.path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


# Where Slack's work after the ack runs: in the serving process (no broker, the default), or as tasks through
# RabbitMQ to a worker (TASK_BROKER_URL). A test that takes ``slack_tasks`` runs in both.
SLACK_MODES = {"in_process": "in_process", "broker": "broker"}


def pytest_generate_tests(metafunc):
    if "slack_tasks" in metafunc.fixturenames:
        metafunc.parametrize("slack_tasks", list(SLACK_MODES.values()), ids=list(SLACK_MODES))
