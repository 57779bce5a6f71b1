"""The scaled-out topology as separate processes (deploy/topology.py): two web processes and two workers on
PostgreSQL, RabbitMQ and a Chroma server, with two schedulers. Slack's Web API and the Bot Connector are stand-ins
in this process; everything of Ladder's is real and runs in its own processes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from aiohttp import ClientSession
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT / "deploy"), str(ROOT / "tests" / "slack"), str(ROOT / "tests" / "teams")]

from slack_standin import BOT_TOKEN, SIGNING_SECRET, SignedClient, SlackStandIn  # noqa: E402
from slack_harness import app_mention, slack_id  # noqa: E402
from teams_activities import personal_message  # noqa: E402
from teams_standins import ServerThread, StandInConnector  # noqa: E402
from topology import Topology  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SEAL_EVERY = 2  # seconds: the audit sealer's slots, so a short test sees several


@pytest.fixture()
def pg_database():
    name = f"ladder_topology_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _people(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, email FROM people")).all()
    engine.dispose()
    return {slack_id(pid): email for pid, email in rows}


def _job_runs(topology: Topology, job: str) -> Counter:
    """(slot → how many workers ran it) from the workers' JSON log lines."""
    runs: Counter = Counter()
    for process in topology.processes:
        if process.role != "worker":
            continue
        for line in process.log.read_text(errors="replace").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("msg") == "scheduled job done" and record.get("job") == job:
                runs[record["slot"]] += 1
    return runs


def _replies_by_thread(api: SlackStandIn) -> Counter:
    """Answers per thread: in the thread, or privately to the asker there (a path is personal)."""
    return Counter(call.args.get("thread_ts") for method in ("chat.postMessage", "chat.postEphemeral")
                   for call in api.of(method))


def _niceness(pid: int) -> set[int]:
    """The nice values of a process's threads (field 19 of /proc/<pid>/task/<tid>/stat)."""
    return {int((task / "stat").read_text().rsplit(")", 1)[1].split()[16]) for task in Path(f"/proc/{pid}/task").iterdir()}


def _cpus_allowed(pid: int) -> dict[str, str]:
    """Each thread of a process: the CPUs it may run on, as /proc lists them ("0", "0-1")."""
    allowed = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for line in (task / "status").read_text().splitlines():
            if line.startswith("Cpus_allowed_list:"):
                allowed[task.name] = line.split(":", 1)[1].strip()
    return allowed


async def _until(predicate, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def test_two_web_processes_and_two_workers_answer_every_message_once_even_with_a_worker_killed(
        pg_database, shared_model_dir, tmp_path):
    connector = StandInConnector()
    connector_server = ServerThread(connector.app()).start()
    connector.url = connector_server.url

    async def scenario() -> None:
        env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "EMBEDDING_MODEL_DIR": str(shared_model_dir), "LOG_LEVEL": "INFO",
               "AGENT_INTERVAL_SECONDS": "0", "ONBOARDING_INTERVAL_SECONDS": "0", "DIGEST_INTERVAL_SECONDS": "0",
               "RETENTION_INTERVAL_SECONDS": "0", "AUDIT_SEAL_INTERVAL_SECONDS": str(SEAL_EVERY),
               "SCHEDULER_TICK_SECONDS": "0.5", "TASK_MIN_BACKOFF_MS": "100", "WORKER_CPUS": "0"}
        topology = Topology(web=2, workers=2, schedulers=2, database_url=pg_database, chroma=True, env=env,
                            folder=tmp_path / "topology")
        try:
            await asyncio.to_thread(topology.run_app, "seed", "demo")
            people = _people(pg_database)
            async with SlackStandIn(people) as api:
                topology.env["SLACK_API_URL"] = api.api_url
                await asyncio.to_thread(topology.start)
                webs = topology.of("web")
                maya = next(uid for uid, email in people.items() if email == "maya.patel@kestrel.example")
                async with ClientSession() as session:
                    clients = [SignedClient(f"{w.url}/slack/events", session) for w in webs]

                    # 1. Events spread over both web processes; each one also retried to the other (as Slack does
                    #    after a slow ack): one answer per message, whoever takes it.
                    first = [app_mention(maya, "what's my path to data scientist?", channel="CTOPO0001")
                             for _ in range(12)]
                    for i, payload in enumerate(first):
                        status, _ = await clients[i % 2].event(payload)
                        assert status == 200
                        status, _ = await clients[(i + 1) % 2].event(payload, headers={"X-Slack-Retry-Num": "1"})
                        assert status == 200
                    threads = {p["event"]["ts"] for p in first}
                    await _until(lambda: threads <= set(_replies_by_thread(api)), 120, "the first answers")
                    # WORKER_CPUS: each worker, every one of its threads, runs on CPU 0 only (the web processes anywhere),
                    # and at WORKER_PRIORITY low (nice 10), the web processes at 0
                    for worker in topology.of("worker"):
                        assert set(_cpus_allowed(worker.popen.pid).values()) == {"0"}
                        assert _niceness(worker.popen.pid) == {10}
                    assert _niceness(webs[0].popen.pid) == {0}
                    assert set(_cpus_allowed(webs[0].popen.pid).values()) == {_cpus_allowed(os.getpid())[str(os.getpid())]}

                    # 2. A worker killed while messages are in flight: the broker hands what it held to the other.
                    second = [app_mention(maya, "what's my path to data scientist?", channel="CTOPO0002")
                              for _ in range(30)]
                    sends = [clients[i % 2].event(p) for i, p in enumerate(second)]
                    await asyncio.gather(*sends[:10])
                    topology.kill(topology.of("worker")[0])
                    await asyncio.gather(*sends[10:])
                    threads |= {p["event"]["ts"] for p in second}
                    await _until(lambda: threads <= set(_replies_by_thread(api)), 180, "every answer after the kill")
                    await asyncio.sleep(3)  # anything redelivered late would show up now

                    replies = _replies_by_thread(api)
                    assert {t: n for t, n in replies.items() if t in threads and n != 1} == {}
                    answer = next(c for m in ("chat.postMessage", "chat.postEphemeral") for c in api.of(m)
                                  if c.args.get("thread_ts") == first[0]["event"]["ts"])
                    assert "data scientist" in (answer.args.get("text") or "").lower()

                    # 3. A Teams message through a web process, answered by a worker through the connector: the web
                    #    process posts a holding message, the worker puts the answer in its place.
                    activity = personal_message(connector.url, "maya.patel@kestrel.example", "what's my path to data scientist?")
                    async with session.post(f"{webs[1].url}/api/messages", json=activity) as response:
                        assert response.status == 202

                    def answered() -> bool:
                        return any("data scientist" in json.dumps(m.body).lower() for m in connector.shown(activity["id"]))

                    await _until(answered, 60, "the Teams answer")
                    [shown] = connector.shown(activity["id"])
                    assert len(shown.versions) == 2 and "working on it" in json.dumps(shown.versions[0][1]).lower()

                # 4. Two schedulers, one run per slot of the sealer's schedule, by whichever worker took it.
                await _until(lambda: len(_job_runs(topology, "audit_seal")) >= 3, 60, "three sealer slots")
                runs = _job_runs(topology, "audit_seal")
                assert set(runs.values()) == {1}, runs
        except BaseException:
            print(topology.logs())
            raise
        finally:
            await asyncio.to_thread(topology.cleanup)

    try:
        asyncio.run(scenario())
    finally:
        connector_server.stop()
