"""One scheduler process for the multi-process digest tests: `python digest_process.py --at ISO --log FILE`.

Builds Ladder the way `python app.py` does (settings from the environment: DATABASE_URL, DATA_DIR, ENCRYPTION_KEYS),
fixes its clock at ``--at``, and delivers through a stand-in channel that appends one line per message to ``--log``
(O_APPEND: lines from several processes never interleave). ``--crash-after N``: the process dies (os._exit, no
clean-up, as a killed process would) right after delivering its N-th message, before recording it as sent.
Prints the run's report as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import build  # noqa: E402
from digests.run import run  # noqa: E402
from handlers.digests import deps_for  # noqa: E402


class FileChannel:
    def __init__(self, path: str, crash_after: int | None) -> None:
        self.path, self.crash_after, self.count = path, crash_after, 0

    def notify(self, person_email: str, reply) -> bool:
        line = json.dumps({"pid": os.getpid(), "email": person_email, "kind": reply.data.get("kind")}) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)
        self.count += 1
        if self.crash_after is not None and self.count >= self.crash_after:
            os._exit(3)
        return True


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--at", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--crash-after", type=int)
    args = ap.parse_args()
    at = dt.datetime.fromisoformat(args.at)
    ladder = build()
    ladder.now = lambda: at
    ladder.notifiers.replace_all([FileChannel(args.log, args.crash_after)])
    print(json.dumps(run(deps_for(ladder)).as_data()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
