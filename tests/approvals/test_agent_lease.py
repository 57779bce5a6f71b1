"""One agent pass at a time across processes: the lease row, on SQLite and PostgreSQL.

Two OS processes running `python app.py agent run` against one database at the same time: exactly one pass
creates proposals and none is duplicated. A pass that finds the lease held skips and says so; a crashed
holder's lease expires.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections import Counter

from approvals_helpers import prepare
from sqlalchemy import func, select

from agent.lease import PASS_LEASE
from agent.run import run_pass
from storage.models import AgentLease, Proposal
from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _env(ladder, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    env.update(DATABASE_URL=ladder.db.url, DATA_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    return env


def _agent_run(env, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, APP, "agent", "run", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=cwd)


def _proposals(ladder) -> list[tuple[str, str]]:
    with ladder.db.session() as s, s.begin():
        return [(k, t) for k, t in s.execute(select(Proposal.dedupe_key, Proposal.action_type))]


def test_two_processes_started_together_make_one_set_of_proposals(fresh_demo, tmp_path):
    env = _env(fresh_demo, tmp_path)
    procs = [_agent_run(env, tmp_path) for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    made = [sum(r["created"].values()) for r in reports]
    assert sorted(made)[0] == 0 and sorted(made)[1] > 0  # exactly one pass proposed anything
    idle = reports[made.index(0)]
    # The other one either found the lease held, or ran after the first and found everything proposed already.
    if idle["skipped"]:
        assert "holds the lock" in idle["skipped"]
    else:
        assert sum(idle["duplicates"].values()) > 0
    rows = _proposals(fresh_demo)
    assert len(rows) == max(made)
    assert not [k for k, n in Counter(k for k, _ in rows).items() if n > 1]  # no duplicates
    with fresh_demo.db.session() as s, s.begin():
        assert s.scalar(select(func.count()).select_from(AgentLease)) == 0  # given back at the end


def test_a_pass_that_finds_the_lease_held_skips_and_says_so(fresh_demo, tmp_path):
    clock, _ = prepare(fresh_demo)
    clock.at = dt.datetime.now(dt.timezone.utc)  # the other process reads the real clock
    with fresh_demo.db.unit_of_work() as uow:  # another process holds it (it's the database that counts)
        assert uow.leases.take(PASS_LEASE, "worker-7:4242:abcd", now=clock(), until=clock() + dt.timedelta(minutes=10))
    # A second OS process sees the lease and skips.
    done = subprocess.run([sys.executable, APP, "agent", "run"], capture_output=True, text=True, env=_env(fresh_demo, tmp_path),
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Agent pass skipped" in done.stdout and "worker-7:4242:abcd holds the lock" in done.stdout
    # In process, with the controllable clock: still held, then the holder "crashed" and its lease expired.
    held = run_pass(fresh_demo.approvals, fresh_demo.settings)
    assert held.skipped and "worker-7:4242:abcd" in held.skipped and sum(held.created.values()) == 0
    assert "Agent pass skipped" in held.lines()[0]
    assert _proposals(fresh_demo) == []
    clock.advance(minutes=11)
    ran = run_pass(fresh_demo.approvals, fresh_demo.settings)
    assert ran.skipped is None and sum(ran.created.values()) > 0
    with fresh_demo.db.unit_of_work() as uow:
        assert uow.leases.held(PASS_LEASE) is None  # released after the pass


def test_lease_take_renew_release(database):
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.timezone.utc)
    later = now + dt.timedelta(seconds=60)
    with database.unit_of_work() as uow:
        assert uow.leases.take("x", "a", now=now, until=later)
    with database.unit_of_work() as uow:
        assert not uow.leases.take("x", "b", now=now + dt.timedelta(seconds=30), until=later)
        assert uow.leases.take("x", "a", now=now + dt.timedelta(seconds=30), until=later + dt.timedelta(seconds=30))  # renewed
    with database.unit_of_work() as uow:
        assert not uow.leases.take("x", "b", now=later, until=later + dt.timedelta(seconds=60))  # a's renewal counts
        assert not uow.leases.release("x", "b")
        assert uow.leases.take("x", "b", now=later + dt.timedelta(seconds=31), until=later + dt.timedelta(seconds=90))  # expired
    with database.unit_of_work() as uow:
        assert not uow.leases.release("x", "a")  # a lost it; b's lease stays
        assert uow.leases.held("x")[0] == "b"
        assert uow.leases.release("x", "b") and uow.leases.held("x") is None
