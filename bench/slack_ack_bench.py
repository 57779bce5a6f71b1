"""Time-to-ack for Slack events: Ladder's /slack/events next to a bare Bolt app, in the same run.

    python bench/slack_ack_bench.py [--events 500] [--concurrency 20] [--rounds 3] [--text "…"]

Three processes on loopback, like production: this one sends the requests (Slack's side), one runs the
stand-in Slack Web API (tests/slack/slack_standin.py) that absorbs Ladder's replies, and one runs both
servers — Ladder's real ``serve`` app (bot.server.build_app with Slack mounted) and a bare Bolt AsyncApp.
Both verify signatures. Each request is an ``app_mention`` signed exactly as Slack signs it, with a fresh
event id. Ladder really does the work (identity, dedupe, routing, rendering, chat.postMessage) after the
ack, in the serving process (no broker: the embedded default) — so its acks are measured while that work competes
for the same CPU. bench/load_test.py measures the scaled-out topology (web processes, workers, a broker). Between
phases Ladder's backlog is drained so it never slows the bare app's phase.

Reports p50 / p99 / max in milliseconds for sequential sends and for ``--concurrency`` requests in flight,
over ``--rounds`` alternating rounds of both apps, and the p99 ratio of each round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "slack")]

from aiohttp import ClientSession, TCPConnector, web  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from slack_standin import BOT_TOKEN, SIGNING_SECRET, SlackStandIn, free_port, sign  # noqa: E402


def _mention(user: str, text: str, n: int, tag: str) -> dict:
    ts = f"{int(time.time())}.{n:06d}"
    return {
        "token": "verification_token", "team_id": "T111", "api_app_id": "A111", "type": "event_callback",
        "event_id": f"Ev{tag}{n:07d}", "event_time": int(time.time()), "authed_users": ["UBOT00001"],
        "event": {"type": "app_mention", "user": user, "text": f"<@UBOT00001> {text}", "ts": ts, "event_ts": ts,
                  "channel": f"C{tag}", "team": "T111", "client_msg_id": f"m{tag}{n}"},
    }


def bare_bolt_app(api_url: str) -> web.Application:
    bolt = AsyncApp(client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url), signing_secret=SIGNING_SECRET)

    @bolt.event("app_mention")
    async def _empty(event) -> None:  # the baseline: an empty listener
        pass

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", endpoint)
    return app


async def _send(session: ClientSession, url: str, payload: dict) -> float:
    body = json.dumps(payload)
    headers = {"Content-Type": "application/json", **sign(body)}
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as resp:
        await resp.read()
        elapsed = time.perf_counter() - started
        if resp.status != 200:
            raise RuntimeError(f"{url} answered {resp.status}")
    return elapsed * 1000


async def run_phase(session: ClientSession, url: str, payloads: list[dict], concurrency: int) -> list[float]:
    if concurrency <= 1:
        return [await _send(session, url, p) for p in payloads]
    gate = asyncio.Semaphore(concurrency)

    async def one(p: dict) -> float:
        async with gate:
            return await _send(session, url, p)

    return list(await asyncio.gather(*(one(p) for p in payloads)))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _serve_standin(port: int, people: dict[str, str], ready) -> None:
    """Process 1: the stand-in Slack Web API (Slack's side of the wire)."""
    async def run() -> None:
        api = SlackStandIn(people, validate=False, port=port)
        await api.start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


def _serve_apps(settings_json: str, ladder_port: int, bare_port: int, ready) -> None:
    """Process 2: Ladder's real server (build_app with Slack mounted) and the bare Bolt app, side by side."""
    from app import build
    from bot.server import build_app
    from bot.slack import SLACK_CHANNEL_KEY
    from settings import Settings

    settings = Settings.model_validate_json(settings_json)
    settings = settings.model_copy(update={"slack_bot_token": SecretStr(BOT_TOKEN), "slack_signing_secret": SecretStr(SIGNING_SECRET)})
    ladder = build(settings)
    ladder_app = build_app(ladder)
    channel = ladder_app[SLACK_CHANNEL_KEY]

    async def pending(_request: web.Request) -> web.Response:  # the bench waits for Ladder's backlog between phases
        return web.json_response({"pending": channel.pending()})

    ladder_app.router.add_get("/bench/pending", pending)

    async def run() -> None:
        import signal

        runners = []
        for app, port in ((ladder_app, ladder_port), (bare_bolt_app(settings.slack_api_url), bare_port)):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        ready.set()
        await stop.wait()
        for runner in runners:
            await runner.cleanup()

    asyncio.run(run())


async def _drain(session: ClientSession, base: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(f"{base}/bench/pending") as resp:
            if (await resp.json())["pending"] == 0:
                return
        await asyncio.sleep(0.1)
    raise RuntimeError("Ladder's background work did not finish")


async def main(args: argparse.Namespace) -> int:
    import multiprocessing as mp

    from app import build
    from handlers.seed_demo import seed_demo
    from settings import load_settings
    from sqlalchemy import select

    from storage.models import Person

    data = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    url = args.database_url or f"sqlite:///{(data / 'bench.db').as_posix()}"
    api_port, ladder_port, bare_port = free_port(), free_port(), free_port()
    settings = load_settings(data_dir=data, database_url=url, log_level="ERROR", slack_api_url=f"http://127.0.0.1:{api_port}/api/")
    ladder = build(settings)
    seed_demo(ladder)
    with ladder.db.session() as s:
        people = {f"UKS{p.id:06d}": p.email for p in s.scalars(select(Person))}
    maya = next(uid for uid, email in people.items() if email == "maya.patel@kestrel.example")
    ladder.db.dispose()

    ctx = mp.get_context("spawn")
    api_ready, apps_ready = ctx.Event(), ctx.Event()
    procs = [ctx.Process(target=_serve_standin, args=(api_port, people, api_ready), daemon=True),
             ctx.Process(target=_serve_apps, args=(settings.model_dump_json(), ladder_port, bare_port, apps_ready), daemon=False)]
    for p in procs:
        p.start()
    try:
        if not (api_ready.wait(60) and apps_ready.wait(120)):
            raise RuntimeError("servers did not start")
        ladder_base = f"http://127.0.0.1:{ladder_port}"
        targets = (("ladder", f"{ladder_base}/slack/events"), ("bare bolt", f"http://127.0.0.1:{bare_port}/slack/events"))
        results: dict[tuple[str, str], list[float]] = {}
        rounds: dict[str, list[float]] = {}  # p99 ratio of each round, per mode
        async with ClientSession(connector=TCPConnector(limit=args.concurrency * 2)) as session:
            for name, target in targets:  # warm-up: auth.test, role index, connection pools
                await run_phase(session, target, [_mention(maya, args.text, i, f"W{name[0]}") for i in range(20)], 1)
            await _drain(session, ladder_base)
            # Rounds alternate the two apps, so noise from the machine (a busy neighbour) falls on both alike.
            for r in range(args.rounds):
                for mode, conc in (("sequential", 1), (f"{args.concurrency} in flight", args.concurrency)):
                    p99 = {}
                    for name, target in targets:
                        tag = f"{name[0].upper()}{conc}R{r}"
                        payloads = [_mention(maya, args.text, i, tag) for i in range(args.events)]
                        values = await run_phase(session, target, payloads, conc)
                        results.setdefault((name, mode), []).extend(values)
                        p99[name] = _pct(values, 99)
                        await _drain(session, ladder_base)
                    rounds.setdefault(mode, []).append(p99["ladder"] / p99["bare bolt"])
    finally:
        for p in procs:
            p.terminate()
            p.join(15)
            if p.is_alive():
                p.kill()
        if not args.database_url:
            shutil.rmtree(data, ignore_errors=True)

    dialect = url.split(":", 1)[0]
    print(f"Slack time-to-ack: {args.rounds} round(s) of {args.events} signed app_mention events per phase over loopback "
          f"({dialect}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs).")
    where = "the serving process (tasks in process, no broker)"
    print(f"Ladder answers each one ({args.text!r}) after the ack, in {where}; the bare Bolt app has an empty listener.")
    print(f"{'endpoint':<12}{'mode':<16}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'mean ms':>9}")
    for (name, mode), values in results.items():
        print(f"{name:<12}{mode:<16}{_pct(values, 50):>9.2f}{_pct(values, 99):>9.2f}{max(values):>9.2f}"
              f"{statistics.fmean(values):>9.2f}")
    for mode in dict.fromkeys(m for _, m in results):
        ratio = _pct(results[("ladder", mode)], 99) / _pct(results[("bare bolt", mode)], 99)
        each = ", ".join(f"{x:.2f}x" for x in rounds[mode])
        print(f"p99 ratio ladder / bare bolt, {mode}: {ratio:.2f}x over all rounds; "
              f"per round {each}; median {statistics.median(rounds[mode]):.2f}x")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of both apps (default 3)")
    parser.add_argument("--text", default="what's my path to data scientist?")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file in a temp folder")
    sys.exit(asyncio.run(main(parser.parse_args())))
