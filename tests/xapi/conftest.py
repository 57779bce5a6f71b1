"""xAPI tests' fixtures; the helpers they share live in ``xapi_helpers`` (a module named ``conftest`` can't be
imported by tests: every test folder has one)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from xapi_helpers import lrs  # noqa: E402,F401 - the fixture, registered here
