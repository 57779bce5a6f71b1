"""Count the results of a run of ADL's LRS conformance suite (scripts/xapi-conformance.sh runs it).

The statement API is every test except those of the document resources this LRS does not implement (Communication 2.2
documents, 2.3 state, 2.4 agents, 2.5 activities, 2.6 agent profile, 2.7 activity profile) and 3.1 concurrency
(which concerns those documents), and the HEAD tests of other sections that ask one of those resources; they are
reported apart, as not implemented.

    python bench/xapi_conformance.py LOG.json [--failures]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

NOT_IMPLEMENTED = re.compile(r"Communication 2\.[2-7]\)|Communication 3\.1\)")
# Tests of other sections that exercise one of those resources (HEAD on /activities, /agents/profile, ...).
OTHER_RESOURCE = re.compile(r"\b(activities|agents)\b( (profile|state))? with no body", re.I)


def _leaves(node: dict, path: list[str]):
    if not node.get("tests"):
        yield path, node
        return
    for child in node["tests"]:
        yield from _leaves(child, [*path, child["title"]])


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("log", type=Path)
    args.add_argument("--failures", action="store_true", help="list every failing statement-API test")
    opts = args.parse_args()
    run = json.loads(opts.log.read_text())
    totals = {"statement API": [0, 0], "not implemented": [0, 0]}
    failures: list[str] = []
    for section in run["log"]["tests"]:
        group = "not implemented" if NOT_IMPLEMENTED.search(section["title"]) else "statement API"
        passed = failed = 0
        for path, test in _leaves(section, [section["title"]]):
            if group == "statement API" and OTHER_RESOURCE.search(test["title"]):
                bucket = totals["not implemented"]
                bucket[0] += test["status"] == "passed"
                bucket[1] += test["status"] in ("passed", "failed")
                continue
            if test["status"] == "passed":
                passed += 1
            elif test["status"] == "failed":
                failed += 1
                if group == "statement API":
                    failures.append(" > ".join(p[:80] for p in path) + " :: " + (test.get("error") or "")[:160])
        totals[group][0] += passed
        totals[group][1] += passed + failed
        print(f"{passed:5d}/{passed + failed:<5d} {section['title']}")
    for group, (passed, total) in totals.items():
        print(f"{group}: {passed}/{total} passed")
    if opts.failures:
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
