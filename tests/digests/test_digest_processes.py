"""Digests across real processes: two schedulers started together on one database send each digest exactly once;
a scheduler killed mid-run leaves nothing to send twice when the next one runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from digest_helpers import DANIEL, MONDAY, at_local, manager_of_team, pending_validation, set_zone
from storage.models import DigestRun, Person
from tests.conftest import ROOT

SCRIPT = str(Path(__file__).with_name("digest_process.py"))


def _env(ladder, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    env.update(DATABASE_URL=ladder.db.url, DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT), DIGEST_LEASE_SECONDS="600")
    return env


def _start(env, at: dt.datetime, log: Path, crash_after: int | None = None) -> subprocess.Popen:
    cmd = [sys.executable, SCRIPT, "--at", at.isoformat(), "--log", str(log)]
    if crash_after is not None:
        cmd += ["--crash-after", str(crash_after)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=str(log.parent))


def _lines(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _rows(ladder) -> list[tuple[str, str, str, str]]:
    with ladder.db.session() as s, s.begin():
        return [tuple(r) for r in s.execute(select(DigestRun.kind, Person.email, DigestRun.period_key, DigestRun.status)
                                            .join(Person, Person.id == DigestRun.person_id))]


def _setup(ladder) -> None:
    set_zone(ladder, DANIEL, "Europe/Berlin")
    other = manager_of_team(ladder, DANIEL)
    set_zone(ladder, other, "Europe/Berlin")
    pending_validation(ladder, DANIEL)
    pending_validation(ladder, other)


def test_two_scheduler_processes_started_together_send_each_digest_once(fresh_demo, tmp_path):
    _setup(fresh_demo)
    env, log = _env(fresh_demo, tmp_path), tmp_path / "sent.jsonl"
    at = at_local(MONDAY.date(), 9, 5, "Europe/Berlin")
    procs = [_start(env, at, log) for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    sent = _lines(log)
    assert sent, "nothing was sent"
    per = Counter((line["kind"], line["email"]) for line in sent)
    assert max(per.values()) == 1, [k for k, n in per.items() if n > 1]  # nobody got a digest twice
    assert ("manager", DANIEL) in per
    rows = _rows(fresh_demo)
    assert sorted((k, e) for k, e, _, s in rows if s == "sent") == sorted(per)  # every send recorded, once
    totals = [sum(k["sent"] for k in r["kinds"].values()) for r in reports]
    assert sum(totals) == len(sent)
    # The second either found the lease held or found everything claimed already.
    idle = [r for r in reports if sum(k["sent"] for k in r["kinds"].values()) == 0]
    assert idle and (idle[0]["skipped"] or all(k["due"] == 0 for k in idle[0]["kinds"].values()))


def test_a_scheduler_killed_mid_run_sends_nothing_twice_after_a_restart(fresh_demo, tmp_path):
    _setup(fresh_demo)
    env, log = _env(fresh_demo, tmp_path), tmp_path / "sent.jsonl"
    at = at_local(MONDAY.date(), 9, 5, "Europe/Berlin")
    crashed = _start(env, at, log, crash_after=2)
    _, err = crashed.communicate(timeout=300)
    assert crashed.returncode == 3, err
    before = _lines(log)
    assert len(before) == 2
    in_flight = [r for r in _rows(fresh_demo) if r[3] == "sending"]
    assert len(in_flight) == 1  # the second message went out, but the process died before recording it
    # A restart while the dead process's lease still holds: skipped, nothing sent.
    early = _start(env, at + dt.timedelta(minutes=1), log)
    out, err = early.communicate(timeout=300)
    assert early.returncode == 0, err
    assert "holds the lock" in json.loads(out.strip().splitlines()[-1])["skipped"]
    assert len(_lines(log)) == 2
    # After the lease expired: the rest goes out; the two already delivered do not go out again.
    late = _start(env, at + dt.timedelta(minutes=11), log)
    out, err = late.communicate(timeout=300)
    assert late.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["interrupted"] == 1
    sent = _lines(log)
    per = Counter((line["kind"], line["email"]) for line in sent)
    assert max(per.values()) == 1, [k for k, n in per.items() if n > 1]
    assert len(sent) > 2
    statuses = Counter(r[3] for r in _rows(fresh_demo))
    assert statuses["interrupted"] == 1 and statuses["sending"] == 0
    assert statuses["sent"] == len(sent) - 1  # every delivery recorded except the one the crash cut off
