"""Load test of the scaled-out topology: two web processes, two and then four workers, RabbitMQ, PostgreSQL.

    python bench/load_test.py [--events 300] [--concurrency 10,50] [--workers 2,4] [--no-kill]

Sends correctly signed Slack events (DMs asking for a path) and clicks, and Teams message activities, to two
``serve`` processes (alternating, as a load balancer would) at each concurrency, with two and then four ``worker``
processes (deploy/topology.py; a fresh PostgreSQL database seeded with the demo organisation). Slack's Web API and
the Bot Connector are stand-ins; a bare Bolt app with an empty listener (in its own process) is the
acknowledgement baseline, sent an event from each in-flight slot right after that slot's Ladder request, so both
are measured at the same moments under the same load. In the last phase one worker is killed (SIGKILL)
after a third of the sends.

The stand-ins run in a process of their own (the driver asks them what arrived), so their work is not on the
driver's event loop; everything still shares this machine's CPUs. Reports per phase: acknowledgement p50/p99 (Ladder, and bare Bolt; Ladder's also by channel), answer time p50/p99 (send → the reply at the
stand-in), throughput (answers per second, first send to last answer), errors (non-2xx), and lost / duplicated
answers (each message and click has its own thread; each Teams activity its own id, under which the conversation
shows one message: the holding message, replaced by the answer).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "deploy"), str(ROOT / "tests" / "slack"), str(ROOT / "tests" / "teams"),
                str(ROOT / "bench")]

from aiohttp import ClientSession, TCPConnector  # noqa: E402

from slack_standin import BOT_TOKEN, SIGNING_SECRET, SlackStandIn, free_port, sign  # noqa: E402
from slack_harness import block_actions, direct_message, slack_id  # noqa: E402
from teams_activities import personal_message  # noqa: E402
from teams_standins import StandInConnector  # noqa: E402
from slack_ack_bench import _mention  # noqa: E402
from topology import Topology  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
QUESTION = "what's my path to data scientist?"
SHARED_MODEL = ROOT.parent / "shared" / "models" / "all-MiniLM-L6-v2"


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time of each of these processes so far (Linux /proc); gone ones are left out."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two readings by the processes alive at both (a killed worker's share is not counted)."""
    return sum(after[pid] - before[pid] for pid in before.keys() & after.keys())


def _service_pids(name: str) -> list[int]:
    """Processes of a local service (postgres, beam.smp for RabbitMQ) by command name."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _db_bytes(url: str) -> int:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN) as conn:
        return conn.execute("SELECT pg_database_size(%s)", (name,)).fetchone()[0]


def _serve_bare_bolt(port: int, api_url: str, ready) -> None:
    from aiohttp import web

    from slack_ack_bench import bare_bolt_app  # the same baseline as bench/slack_ack_bench.py

    async def run() -> None:
        runner = web.AppRunner(bare_bolt_app(api_url), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


def _serve_standins(people: dict[str, str], slack_port: int, connector_port: int, control_port: int, ready) -> None:
    """Its own process, off the driver's CPU time: the stand-in Slack Web API and Bot Connector, and a control URL
    listing the answers they received (key, arrival on the machine-wide monotonic clock)."""
    from aiohttp import web

    from bot.teams.bot import HOLDING, reply_activity

    holding = reply_activity(HOLDING).summary

    async def run() -> None:
        api = SlackStandIn(people, validate=False, port=slack_port)
        await api.start()
        connector = StandInConnector(url=f"http://127.0.0.1:{connector_port}")
        runners = []

        async def calls(_request: web.Request) -> web.Response:
            slack = [(c.args.get("thread_ts"), c.at) for c in api.calls
                     if c.method in ("chat.postMessage", "chat.postEphemeral")]
            # A Teams answer is a message the conversation shows under the activity, at the time of its first
            # version that is not the holding message (a message left holding, or none, is a lost answer).
            teams, again, left = [], [], []
            for shown in connector.shown():
                answered = [at for at, body in shown.versions if (body or {}).get("summary") != holding]
                if answered:
                    teams.append((shown.reply_to, answered[0]))
                else:  # still "working on it"
                    left.append(shown.reply_to)
                if len(answered) > 1:  # a redelivered task replaced its own answer: the window the update closes
                    again.append(shown.reply_to)
            return web.json_response({"answers": slack + teams, "answered_again": again, "left_holding": left})

        control = web.Application()
        control.router.add_get("/calls", calls)
        for app, port in ((connector.app(), connector_port), (control, control_port)):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


class Load:
    """One phase's requests and what came back."""

    def __init__(self, slack_api_url: str, connector_url: str, control_url: str) -> None:
        self.slack_api_url = slack_api_url
        self.connector_url = connector_url
        self.control_url = control_url
        self.sent_at: dict[str, float] = {}  # thread ts / Teams activity id -> send time
        self.kinds: dict[str, str] = {}  # the same keys -> slack_dm | slack_click | teams_message
        self.acks: list[float] = []
        self.slack_acks: list[float] = []  # acks split by channel (Teams' include posting the holding message)
        self.teams_acks: list[float] = []
        self.answered_again: list[str] = []
        self.left_holding: list[str] = []  # Teams holding messages never replaced (beside an answer, or none)
        self.errors = 0
        self._answers: dict[str, list[float]] = {}

    async def refresh(self, session: ClientSession) -> dict[str, list[float]]:
        async with session.get(self.control_url) as response:
            found = await response.json()
        listed = found["answers"]
        self.answered_again = [k for k in found["answered_again"] if k in self.sent_at]
        self.left_holding = [k for k in found["left_holding"] if k in self.sent_at]
        seen: dict[str, list[float]] = {}
        for key, at in listed:
            if key in self.sent_at:
                seen.setdefault(key, []).append(at)
        self._answers = seen
        return seen

    def answers(self) -> dict[str, list[float]]:
        return self._answers


@dataclass(frozen=True)
class Signed:
    """One request ready to go: its body encoded and, for Slack, signed (a signature holds 5 minutes)."""

    url: str
    body: bytes
    headers: dict[str, str]
    key: str | None = None  # the thread ts / Teams activity id its answer comes back under


def _slack_request(url: str, body: str, content_type: str, key: str | None) -> Signed:
    return Signed(url, body.encode(), {"Content-Type": content_type, **sign(body)}, key)


def prepare_phase(webs: list[str], load: Load, people: dict[str, str], n: int, concurrency: int,
                  bare_url: str | None = None) -> list[tuple[Signed, Signed | None]]:
    """Every request of a phase, built, encoded and signed before the timed part starts: the driver stands for
    Slack's and Microsoft's servers, which are not on this machine, so its own CPU is kept out of what is timed.
    With ``bare_url``, each Ladder request has a bare Bolt event to send after it (see ``run_phase``)."""
    maya = next(uid for uid, email in people.items() if email == "maya.patel@kestrel.example")
    users = [uid for uid in people][:40]
    requests = []
    for i in range(n):
        web = webs[i % len(webs)]
        kind = i % 5
        if kind == 4:  # a Teams message activity
            activity = personal_message(load.connector_url, people[users[i % len(users)]], QUESTION)
            ladder = Signed(f"{web}/api/messages", json.dumps(activity).encode(),
                            {"Content-Type": "application/json"}, activity["id"])
        elif kind == 3:  # a click on a button of an earlier answer
            message = {"type": "message", "ts": f"{1700000000 + i}.{uuid.uuid4().int % 10**6:06d}",
                       "text": "Ladder", "blocks": []}
            payload = block_actions(maya, value="feedback_up:1", action_id="ladder.feedback_up", message=message,
                                    channel=f"DLOAD{i % 7}", response_url=load.slack_api_url.replace("/api/", f"/response/{i}"))
            ladder = _slack_request(f"{web}/slack/events", urlencode({"payload": json.dumps(payload)}),
                                    "application/x-www-form-urlencoded", message["ts"])
        else:  # a DM asking for a path
            payload = direct_message(users[i % len(users)], QUESTION, channel=f"DLOAD{i % 11}")
            ladder = _slack_request(f"{web}/slack/events", json.dumps(payload), "application/json",
                                    payload["event"]["ts"])
        bare = None
        if bare_url is not None:
            bare = _slack_request(bare_url, json.dumps(_mention(maya, QUESTION, i, f"B{concurrency}")),
                                  "application/json", None)
        load.kinds[ladder.key] = ("slack_dm", "slack_dm", "slack_dm", "slack_click", "teams_message")[kind]
        requests.append((ladder, bare))
    return requests


async def _post(session: ClientSession, request: Signed) -> tuple[int, float]:
    """The request's HTTP status and its round trip in milliseconds (the acknowledgement time)."""
    started = time.monotonic()
    async with session.post(request.url, data=request.body, headers=request.headers) as response:
        await response.read()
    return response.status, (time.monotonic() - started) * 1000


async def run_phase(session: ClientSession, load: Load, requests: list[tuple[Signed, Signed | None]],
                    concurrency: int, on_third=None, bare_acks: list[float] | None = None) -> float:
    """Send the prepared requests with ``concurrency`` in flight; returns the time of the first send. A Ladder
    request's bare Bolt event goes from the same in-flight slot right after it, so both apps' acks are measured at
    the same moments, under the same load (the answers being worked on included)."""
    gate = asyncio.Semaphore(concurrency)
    n = len(requests)
    started = time.monotonic()
    side_work = []

    async def one(i: int, ladder: Signed, bare: Signed | None) -> None:
        async with gate:
            load.sent_at[ladder.key] = time.monotonic()
            status, ms = await _post(session, ladder)
            load.acks.append(ms)
            (load.teams_acks if load.kinds[ladder.key] == "teams_message" else load.slack_acks).append(ms)
            if not 200 <= status < 300:
                load.errors += 1
            if bare is not None:
                bare_acks.append((await _post(session, bare))[1])
            if on_third is not None and i == n // 3:
                # In a thread: killing a worker and reaping it takes tens of milliseconds, and Slack's side does not
                # stop sending meanwhile (on this loop it stalled every request in flight, Ladder's and bare Bolt's).
                side_work.append(asyncio.get_running_loop().run_in_executor(None, on_third))

    await asyncio.gather(*(one(i, ladder, bare) for i, (ladder, bare) in enumerate(requests)))
    await asyncio.gather(*side_work)
    return started


def _driver_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def main(args: argparse.Namespace) -> int:
    import psycopg
    from sqlalchemy import create_engine, text

    name = f"ladder_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    slack_port, connector_port, control_port = free_port(), free_port(), free_port()
    urls = (f"http://127.0.0.1:{slack_port}/api/", f"http://127.0.0.1:{connector_port}",
            f"http://127.0.0.1:{control_port}/calls")
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "LOG_LEVEL": "WARNING",
           "AGENT_INTERVAL_SECONDS": "0", "ONBOARDING_INTERVAL_SECONDS": "0", "DIGEST_INTERVAL_SECONDS": "0",
           "CHAT_RATE_LIMIT_MESSAGES": "100000"}
    if SHARED_MODEL.is_dir() and not os.environ.get("EMBEDDING_MODEL_DIR"):
        env["EMBEDDING_MODEL_DIR"] = str(SHARED_MODEL)
    rows: list[dict] = []
    topology = Topology(web=2, workers=0, schedulers=1, database_url=url, chroma=True, env=env)
    bare_port = free_port()
    ctx = mp.get_context("spawn")
    try:
        topology.run_app("seed", "demo")
        engine = create_engine(url)
        with engine.connect() as conn:
            people = {slack_id(pid): email for pid, email in conn.execute(text("SELECT id, email FROM people")).all()}
        engine.dispose()
        standins_ready, bare_ready = ctx.Event(), ctx.Event()
        standins = ctx.Process(target=_serve_standins, args=(people, slack_port, connector_port, control_port,
                                                             standins_ready), daemon=True)
        standins.start()
        standins_ready.wait(60)
        topology.env["SLACK_API_URL"] = urls[0]
        bare = ctx.Process(target=_serve_bare_bolt, args=(bare_port, urls[0], bare_ready), daemon=True)
        bare.start()
        await asyncio.to_thread(topology.start)
        bare_ready.wait(60)
        webs = [p.url for p in topology.of("web")]
        async with ClientSession(connector=TCPConnector(limit=400)) as session:
            for w, workers in enumerate(args.workers):
                while len(topology.of("worker")) < workers:
                    topology.start_worker()
                await asyncio.sleep(8)  # the new workers load Ladder and connect
                warm = Load(*urls)  # warm-up: caches, connection pools, the role index
                await run_phase(session, warm, prepare_phase(webs, warm, people, 40, 5), 5)
                await _settle(session, warm, 120)
                for c, concurrency in enumerate(args.concurrency):
                    kill = not args.no_kill and w == len(args.workers) - 1 and c == len(args.concurrency) - 1
                    load = Load(*urls)
                    killed = []
                    roles = {"web": [p.popen.pid for p in topology.of("web")],
                             "worker": [p.popen.pid for p in topology.of("worker")],
                             "postgres": _service_pids("postgres"), "rabbitmq": _service_pids("beam.smp")}
                    cpu_before = {r: _cpu_seconds(p) for r, p in roles.items()}
                    db_before = _db_bytes(url)

                    def kill_one() -> None:
                        victim = topology.of("worker")[0]
                        at = time.monotonic()
                        topology.kill(victim)
                        killed.append((victim.popen.pid, (time.monotonic() - at) * 1000))

                    bare_acks: list[float] = []
                    requests = prepare_phase(webs, load, people, args.events, concurrency,
                                             bare_url=f"http://127.0.0.1:{bare_port}/slack/events")
                    driver_before = _driver_cpu_seconds()
                    first = await run_phase(session, load, requests, concurrency,
                                            on_third=kill_one if kill else None, bare_acks=bare_acks)
                    driver_cpu = _driver_cpu_seconds() - driver_before
                    lost = await _settle(session, load, 300)
                    cpu = {r: round(_cpu_delta(cpu_before[r], _cpu_seconds(p)) * 1000 / args.events, 2)
                           for r, p in roles.items()}
                    cpu["driver"] = round(driver_cpu * 1000 / args.events, 2)  # sending both apps' requests
                    db_growth = (_db_bytes(url) - db_before) / args.events
                    answers = load.answers()
                    times = [(min(ats) - load.sent_at[k]) * 1000 for k, ats in answers.items()]
                    last = max((max(ats) for ats in answers.values()), default=first)
                    rows.append({
                        "workers": workers, "in_flight": concurrency, "requests": args.events,
                        "ack_p50": _pct(load.acks, 50), "ack_p99": _pct(load.acks, 99),
                        "bare_p50": _pct(bare_acks, 50), "bare_p99": _pct(bare_acks, 99),
                        "slack_ack_p50": _pct(load.slack_acks, 50), "slack_ack_p99": _pct(load.slack_acks, 99),
                        "teams_ack_p50": _pct(load.teams_acks, 50), "teams_ack_p99": _pct(load.teams_acks, 99),
                        "teams_answered_again": len(load.answered_again),
                        "teams_left_holding": len(load.left_holding),
                        "answer_p50": _pct(times, 50), "answer_p99": _pct(times, 99),
                        "throughput": len(answers) / max(1e-9, last - first), "errors": load.errors,
                        "lost": lost, "duplicated": sum(len(a) - 1 for a in answers.values()),
                        "duplicated_kinds": dict(Counter(load.kinds[k] for k, a in answers.items() if len(a) > 1)),
                        "lost_kinds": dict(Counter(load.kinds[k] for k in load.sent_at if k not in answers)),
                        "worker_killed": bool(killed), "cpu_ms_per_request": cpu,
                        "kill_ms": round(killed[0][1], 1) if killed else None,  # SIGKILL until the worker was reaped
                        "db_bytes_per_request": round(db_growth)})
                    print(json.dumps(rows[-1]), flush=True)
                    if killed:
                        topology.start_worker()  # the topology as it was, for any next phase
        bare.terminate()
        standins.terminate()
    finally:
        topology.cleanup()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    print(f"\nLoad test: {args.events} requests per phase (3 in 5 Slack DMs asking for a path, 1 in 5 Slack clicks, "
          f"1 in 5 Teams messages) to 2 web processes; PostgreSQL, RabbitMQ, Chroma server; "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.")
    print(f"{'workers':>7} {'in flight':>9} {'ack p50':>8} {'ack p99':>8} {'bare p50':>8} {'bare p99':>8} "
          f"{'ans p50':>8} {'ans p99':>8} {'answers/s':>9} {'errors':>6} {'lost':>5} {'dup':>4}  note")
    for r in rows:
        print(f"{r['workers']:>7} {r['in_flight']:>9} {r['ack_p50']:>8.1f} {r['ack_p99']:>8.1f} {r['bare_p50']:>8.1f} "
              f"{r['bare_p99']:>8.1f} {r['answer_p50']:>8.0f} {r['answer_p99']:>8.0f} {r['throughput']:>9.1f} "
              f"{r['errors']:>6} {r['lost']:>5} {r['duplicated']:>4}  {'a worker killed' if r['worker_killed'] else ''}")
    print("(milliseconds; ack: Ladder's HTTP response, bare: a bare Bolt app's; ans: send to the reply at the stand-in)")
    print("CPU ms per request (web / worker / postgres / rabbitmq / this driver, sending both apps' requests) and "
          "database growth per request:")
    for r in rows:
        c = r["cpu_ms_per_request"]
        print(f"  {r['workers']} workers, {r['in_flight']} in flight: {c['web']} / {c['worker']} / {c['postgres']} / "
              f"{c['rabbitmq']} / {c['driver']} ms; {r['db_bytes_per_request']} bytes")
    print("Acks by channel, p50 / p99 (a Teams message's includes posting its holding message), and Teams answers a "
          "redelivered task replaced in place ('again': each would otherwise have been sent twice):")
    for r in rows:
        print(f"  {r['workers']} workers, {r['in_flight']} in flight: Slack {r['slack_ack_p50']:.1f} / "
              f"{r['slack_ack_p99']:.1f} ms, Teams {r['teams_ack_p50']:.1f} / {r['teams_ack_p99']:.1f} ms; "
              f"again {r['teams_answered_again']}; left holding {r['teams_left_holding']}")
    return 0 if all(r["lost"] == 0 and r["duplicated"] == 0 and r["errors"] == 0 and r["teams_left_holding"] == 0
                    for r in rows) else 1


async def _settle(session: ClientSession, load: Load, timeout: float) -> int:
    """Wait until every request has its answer (or ``timeout``), then a little longer for late duplicates; how many
    are still unanswered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(await load.refresh(session)) < len(load.sent_at):
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)
    return len(load.sent_at) - len(await load.refresh(session))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=300, help="requests per phase")
    parser.add_argument("--concurrency", type=lambda s: [int(x) for x in s.split(",")], default=[10, 50])
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[2, 4])
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker in the last phase")
    sys.exit(asyncio.run(main(parser.parse_args())))
