"""Slack tests: helpers live in slack_harness.py and slack_standin.py (this folder is on sys.path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
