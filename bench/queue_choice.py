"""Which task queue for Ladder's work after the ack: Dramatiq (RabbitMQ, Redis), arq (Redis), Celery (RabbitMQ).

    python bench/queue_choice.py [--only dramatiq-rabbitmq,arq-redis,...] [--sends 2000] [--bursts 20]
                                 [--burst 50] [--singles 100] [--held 12] [--amqp URL] [--redis URL] [--json out.json]

Every candidate whose library imports is measured; the others are reported as skipped. The candidates are not
Ladder's dependencies: run this with a throwaway virtualenv of its own, e.g.

    python3 -m venv /tmp/qvenv
    /tmp/qvenv/bin/pip install 'dramatiq[rabbitmq,redis]==2.2.1' arq==0.28.0 celery==5.7.0 pika==1.4.4 redis==5.3.1
    /tmp/qvenv/bin/python bench/queue_choice.py

(``celery[redis]==5.7.0`` does not install next to ``arq==0.28.0``: kombu's redis extra wants a newer redis-py
than arq's ``redis<6``; Celery is measured on RabbitMQ here, which needs no extra.)

Needs RabbitMQ (``--amqp``, default amqp://guest:guest@127.0.0.1:5672/%2F) and Redis (``--redis``, default
redis://127.0.0.1:6379/0). Each run's bookkeeping lives under keys ``qbench:<candidate>:<run id>:*`` (expiring
after an hour, deleted at the end); each candidate uses its own queue (``qbench``, ``qbench-celery``, ``qbench:arq``, namespace
``qbench-dramatiq``), purged before it runs and purged (RabbitMQ: deleted) after. Nothing else on the broker is touched.

What it measures, for each candidate (this process plays Ladder's web process; workers are separate processes
of this same file, ``_worker <candidate> <run id>``, one process each, 8 tasks at once):

(a) enqueue from inside a running asyncio loop: ``--sends`` sequential enqueues; wall time of each call *on the
    loop* (p50/p99/max) and the loop's stall, seen by a 1 ms ticker running beside it (p99/max of its lateness).
    Synchronous clients (Dramatiq, Celery) are measured twice: called on the loop ("direct"), and handed to one
    publishing thread ("thread", what bot/tasks/broker.py does); arq is awaited. No worker runs during (a); one
    is then started and the time to drain the backlog is reported (throughput, 5 ms-wait tasks are not used here:
    the backlog is no-op tasks).
(b) enqueue -> task start on a worker: ``--bursts`` bursts of ``--burst`` tasks (a 5 ms wait, not CPU) sent at
    once, each burst drained before the next; latency = time.time() at the start of the task minus time.time()
    just before the enqueue call (same machine, same clock). Then ``--singles`` tasks one at a time (each run
    before the next is sent): the hand-over alone, without queueing behind other tasks.
(c) late acknowledgement: ``--held`` tasks that each wait 2 s; 1 s after the first starts, worker A's whole
    process group gets SIGKILL and worker B is started. Reported: tasks held by A at the kill, seconds from
    the kill until each runs again (and B's own start-up time, which is part of it), and after everything
    settles (or 90 s), tasks never completed (lost) and tasks completed twice. Counting is in Redis: every
    start RPUSHes "pid:time" to the task's list, every finish INCRs the task's counter.
(d) retries: a task that always raises, allowed 2 retries with exponential backoff, then a final-failure hook.
    Reported: how many times it ran, the gaps between runs, and whether the hook ran (once). Whether the
    library does this itself or the bench had to write it is stated in the output.

Settings, chosen as a careful user would for late acknowledgement:
  * Dramatiq/RabbitMQ: RabbitmqBroker(confirm_delivery=True); acks after the actor returns (Dramatiq's default).
  * Dramatiq/Redis: RedisBroker(namespace="qbench-dramatiq", heartbeat_timeout=10_000 ms (default 60 s),
    maintenance_chance=50_000 per million (default 1_000): a dead worker's messages are requeued by a later
    maintenance pass once its heartbeat is older than heartbeat_timeout).
  * arq: job_timeout=30 s (arq re-runs a job whose worker died once its in-progress key expires: job_timeout +
    10 s), poll_delay=0.05 s (default 0.5 s), max_jobs=8, max_tries=5.
  * Celery/RabbitMQ: task_acks_late, task_reject_on_worker_lost, worker_prefetch_multiplier=1,
    confirm_publish, ignore results, threads pool with 8 threads, no gossip/mingle.

Self-contained: imports nothing of Ladder.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid

AMQP = "amqp://guest:guest@127.0.0.1:5672/%2F"
REDIS = "redis://127.0.0.1:6379/0"
QUEUE = "qbench"
ARQ_QUEUE = "qbench:arq"
CELERY_QUEUE = "qbench-celery"  # not Dramatiq's: that one is declared with other arguments
THREADS = 8
HOLD_S = 2.0
RETRIES = 2
KEY_TTL = 3600
CANDIDATES = ["dramatiq-rabbitmq", "dramatiq-redis", "arq-redis", "celery-rabbitmq"]
URLS = {"amqp": AMQP, "redis": REDIS}


# ---------------------------------------------------------------------------------------------------- bookkeeping
# One task body for every library: (run, tid, sent, kind, arg). kind: noop | wait (arg seconds) | fail.

def _record_start(r, run: str, tid: str) -> None:
    key = f"{run}:s:{tid}"
    p = r.pipeline()
    p.rpush(key, f"{os.getpid()}:{time.time():.6f}")
    p.expire(key, KEY_TTL)
    p.execute()


def _record_done(r, run: str, tid: str, kind: str) -> None:
    p = r.pipeline()
    p.incr(f"{run}:d:{tid}")
    p.expire(f"{run}:d:{tid}", KEY_TTL)
    p.incr(f"{run}:done:{kind}")
    p.expire(f"{run}:done:{kind}", KEY_TTL)
    p.execute()


class Boom(Exception):
    """The failure of (d)'s task."""


def sync_task(r, run: str, tid: str, sent: float, kind: str, arg: float) -> None:
    _record_start(r, run, tid)
    if kind == "wait":
        time.sleep(arg)
    elif kind == "fail":
        raise Boom(tid)
    _record_done(r, run, tid, kind)


def sync_final(r, run: str, tid: str) -> None:
    r.rpush(f"{run}:final:{tid}", f"{time.time():.6f}")
    r.expire(f"{run}:final:{tid}", KEY_TTL)


def mark_ready(r, run: str) -> None:
    r.rpush(f"{run}:ready", f"{os.getpid()}:{time.time():.6f}")
    r.expire(f"{run}:ready", KEY_TTL)


# ---------------------------------------------------------------------------------------------------- candidates

class Dramatiq:
    """Dramatiq 2.x; one actor for the tasks, one for the final failure (on_retry_exhausted)."""

    built_in = {"retry+backoff": "built in (Retries middleware: max_retries, min/max_backoff, jitter)",
                "final-failure hook": "built in (on_retry_exhausted=<actor>; also Callbacks' on_failure)",
                "delayed send": "built in (send_with_options(delay=ms))",
                "periodic (cron)": "not built in (a separate scheduler: e.g. APScheduler, or periodiq)"}

    def __init__(self, backend: str, urls: dict) -> None:
        import dramatiq
        import redis

        self.backend, self.urls = backend, urls
        if backend == "rabbitmq":
            from dramatiq.brokers.rabbitmq import RabbitmqBroker

            self.broker = RabbitmqBroker(url=urls["amqp"], confirm_delivery=True)
        else:
            from dramatiq.brokers.redis import RedisBroker

            self.broker = RedisBroker(url=urls["redis"], namespace="qbench-dramatiq",
                                      heartbeat_timeout=10_000, maintenance_chance=50_000)
        r = redis.Redis.from_url(urls["redis"])
        self.r = r

        def qb_final(message_data, retry_info) -> None:
            run, tid = message_data["args"][0], message_data["args"][1]
            sync_final(r, run, tid)

        def qb_task(run, tid, sent, kind, arg) -> None:
            sync_task(r, run, tid, sent, kind, arg)

        self.final = dramatiq.actor(qb_final, actor_name="qb_final", queue_name=QUEUE, broker=self.broker,
                                    max_retries=0)
        self.actor = dramatiq.actor(qb_task, actor_name="qb_task", queue_name=QUEUE, broker=self.broker,
                                    max_retries=RETRIES, min_backoff=200, max_backoff=5_000,
                                    on_retry_exhausted="qb_final", retry_when=None)

    def purge(self) -> None:
        self.broker.flush_all()

    def send(self, *args) -> None:
        self.actor.send(*args)

    def close(self) -> None:
        if self.backend == "rabbitmq":  # leave nothing behind on the shared broker
            for q in (QUEUE, f"{QUEUE}.DQ", f"{QUEUE}.XQ"):
                self.broker.channel.queue_delete(q)
        else:
            self.broker.client.delete("qbench-dramatiq:__heartbeats__")
        self.broker.close()

    def work(self, run: str) -> None:
        from dramatiq import Worker

        worker = Worker(self.broker, worker_threads=THREADS)
        worker.start()
        mark_ready(self.r, run)
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        while not stop:
            time.sleep(0.2)
        worker.stop()


class Celery:
    """Celery 5.x on RabbitMQ, late acks."""

    built_in = {"retry+backoff": "built in (autoretry_for, retry_backoff, retry_backoff_max, retry_jitter)",
                "final-failure hook": "built in (Task.on_failure runs once retries are exhausted)",
                "delayed send": "built in (apply_async(countdown=/eta=), held by the worker until due)",
                "periodic (cron)": "built in (celery beat, a separate process)"}

    def __init__(self, urls: dict) -> None:
        import redis
        from celery import Celery as App, Task

        self.urls = urls
        r = redis.Redis.from_url(urls["redis"])
        self.r = r
        app = App("qbench", broker=urls["amqp"])
        app.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
                        task_ignore_result=True, task_default_queue=CELERY_QUEUE,
                        broker_transport_options={"confirm_publish": True},
                        broker_connection_retry_on_startup=True, worker_hijack_root_logger=False)

        class WithFinal(Task):
            def on_failure(self, exc, task_id, args, kwargs, einfo):  # after the last retry
                sync_final(r, args[0], args[1])

        @app.task(name="qb.task", base=WithFinal, bind=True, autoretry_for=(Boom,), max_retries=RETRIES,
                  retry_backoff=1, retry_backoff_max=5, retry_jitter=False)
        def qb_task(self, run, tid, sent, kind, arg):
            sync_task(r, run, tid, sent, kind, arg)

        from celery.signals import worker_ready

        def _ready(**_):
            mark_ready(r, self._run)

        worker_ready.connect(_ready, weak=False)

        self.app, self.task, self._run = app, qb_task, None

    def purge(self) -> None:
        with self.app.connection_for_write() as conn:
            conn.default_channel.queue_declare(CELERY_QUEUE, durable=True, auto_delete=False)
            conn.default_channel.queue_purge(CELERY_QUEUE)

    def send(self, *args) -> None:
        self.task.apply_async(args=args)

    def close(self) -> None:
        with self.app.connection_for_write() as conn:
            conn.default_channel.queue_delete(CELERY_QUEUE)
        self.app.close()

    def work(self, run: str) -> None:
        self._run = run
        self.app.worker_main(["worker", "--pool=threads", f"--concurrency={THREADS}", f"--queues={CELERY_QUEUE}",
                              "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"])


class Arq:
    """arq 0.28 (asyncio-native) on Redis."""

    built_in = {"retry+backoff": "partly: raise Retry(defer=…) and ctx['job_try']; no policy, no backoff curve "
                                 "(an ordinary exception fails the job at once) — the bench writes the backoff",
                "final-failure hook": "not built in (on_job_end/after_job_end run after every job; the bench "
                                      "checks job_try itself)",
                "delayed send": "built in (enqueue_job(_defer_by=/_defer_until=))",
                "periodic (cron)": "built in (cron_jobs in the worker)"}
    is_async = True

    def __init__(self, urls: dict) -> None:
        from arq.connections import RedisSettings

        self.urls = urls
        self.settings = RedisSettings.from_dsn(urls["redis"])
        self.pool = None

    async def connect(self) -> None:
        from arq import create_pool

        self.pool = await create_pool(self.settings, default_queue_name=ARQ_QUEUE)

    async def purge(self) -> None:
        await self.pool.delete(ARQ_QUEUE)

    async def send(self, *args) -> None:
        await self.pool.enqueue_job("qb_task", *args)

    async def close(self) -> None:
        await self.pool.aclose()

    def work(self, run: str) -> None:
        from arq import Retry
        from arq.worker import Worker, func

        async def record(redis, run_, tid, what):
            if what == "start":
                key = f"{run_}:s:{tid}"
                await redis.rpush(key, f"{os.getpid()}:{time.time():.6f}")
                await redis.expire(key, KEY_TTL)

        async def qb_task(ctx, run_, tid, sent, kind, arg):
            redis = ctx["redis"]
            await record(redis, run_, tid, "start")
            if kind == "wait":
                await asyncio.sleep(arg)
            elif kind == "fail":
                if ctx["job_try"] <= RETRIES:
                    raise Retry(defer=0.2 * 2 ** (ctx["job_try"] - 1))  # hand-written backoff
                await redis.rpush(f"{run_}:final:{tid}", f"{time.time():.6f}")  # hand-written final hook
                await redis.expire(f"{run_}:final:{tid}", KEY_TTL)
                return
            p = redis.pipeline()
            p.incr(f"{run_}:d:{tid}")
            p.expire(f"{run_}:d:{tid}", KEY_TTL)
            p.incr(f"{run_}:done:{kind}")
            p.expire(f"{run_}:done:{kind}", KEY_TTL)
            await p.execute()

        async def startup(ctx):
            await ctx["redis"].rpush(f"{run}:ready", f"{os.getpid()}:{time.time():.6f}")

        Worker(functions=[func(qb_task, name="qb_task")], redis_settings=self.settings, queue_name=ARQ_QUEUE,
               max_jobs=THREADS, job_timeout=30, poll_delay=0.05, max_tries=5, keep_result=1,
               on_startup=startup).run()


def make(candidate: str, urls: dict):
    if candidate == "dramatiq-rabbitmq":
        return Dramatiq("rabbitmq", urls)
    if candidate == "dramatiq-redis":
        return Dramatiq("redis", urls)
    if candidate == "arq-redis":
        return Arq(urls)
    if candidate == "celery-rabbitmq":
        return Celery(urls)
    raise SystemExit(f"unknown candidate {candidate}")


def installed(candidate: str) -> str | None:
    """None if the candidate's library imports, else why not."""
    mods = {"dramatiq-rabbitmq": ["dramatiq", "pika", "redis"], "dramatiq-redis": ["dramatiq", "redis"],
            "arq-redis": ["arq"], "celery-rabbitmq": ["celery", "redis"]}[candidate]
    for m in mods:
        try:
            __import__(m)
        except ImportError as e:
            return str(e)
    return None


def version(candidate: str) -> str:
    from importlib.metadata import version as v

    lib = candidate.split("-")[0]
    extra = {"dramatiq-rabbitmq": "pika", "dramatiq-redis": "redis", "arq-redis": "redis",
             "celery-rabbitmq": "kombu"}[candidate]
    return f"{lib}=={v(lib)}, {extra}=={v(extra)}"


# ---------------------------------------------------------------------------------------------------- measuring

def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * len(xs) + 0.5) - 1))]


def ms(x: float) -> float:
    return round(x * 1000, 3)


class Ticker:
    """Lateness of a 1 ms sleep on the loop: how long the loop was kept from running anything else."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._task = None

    async def _run(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            self.late.append(time.perf_counter() - t - 0.001)

    def __enter__(self):
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc):
        self._task.cancel()


class Bench:
    def __init__(self, candidate: str, urls: dict, args) -> None:
        import redis

        self.candidate, self.urls, self.args = candidate, urls, args
        self.q = make(candidate, urls)
        self.r = redis.Redis.from_url(urls["redis"], decode_responses=True)
        self.run = f"qbench:{candidate}:{uuid.uuid4().hex[:8]}"
        self.is_async = getattr(self.q, "is_async", False)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="publish")
        self.workers: list[subprocess.Popen] = []

    # ---- helpers
    async def enqueue(self, mode: str, *args) -> None:
        if mode == "await":
            await self.q.send(*args)
        elif mode == "direct":
            self.q.send(*args)
        else:  # thread: hand over, do not wait
            self.pool.submit(self.q.send, *args)

    def mode(self) -> str:
        return "await" if self.is_async else "thread"

    def spawn(self) -> subprocess.Popen:
        cmd = [sys.executable, os.path.abspath(__file__), "_worker", self.candidate, self.run,
               "--amqp", self.urls["amqp"], "--redis", self.urls["redis"]]
        p = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=open(f"/tmp/qbench-{self.candidate}-{len(self.workers)}.log", "w"))
        self.workers.append(p)
        return p

    def kill(self, p: subprocess.Popen, sig=signal.SIGKILL) -> None:
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()

    async def wait_done(self, kind: str, n: int, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if int(self.r.get(f"{self.run}:done:{kind}") or 0) >= n:
                return True
            await asyncio.sleep(0.002)
        return False

    def starts(self, tid: str) -> list[tuple[int, float]]:
        out = []
        for s in self.r.lrange(f"{self.run}:s:{tid}", 0, -1):
            pid, t = s.split(":")
            out.append((int(pid), float(t)))
        return out

    def ready_times(self) -> dict[int, float]:
        return {int(p): float(t) for p, t in (s.split(":") for s in self.r.lrange(f"{self.run}:ready", 0, -1))}

    # ---- (a)
    async def phase_a(self) -> dict:
        with Ticker() as idle:  # the noise floor: the same ticker on an idle loop, 1 s
            await asyncio.sleep(1.0)
        out = {"idle_stall_p99_ms": ms(pct(idle.late, 99)), "idle_stall_max_ms": ms(max(idle.late))}
        modes = ["await"] if self.is_async else ["direct", "thread"]
        n = self.args.sends
        for mode in modes:
            calls = []
            t0 = time.perf_counter()
            with Ticker() as tick:
                await asyncio.sleep(0.01)
                for i in range(n):
                    t = time.perf_counter()
                    await self.enqueue(mode, self.run, f"a{mode}{i}", time.time(), "noop", 0.0)
                    calls.append(time.perf_counter() - t)
                    await asyncio.sleep(0)  # let the ticker (and anything else) run between sends
                t_loop = time.perf_counter() - t0
                if mode == "thread":
                    await asyncio.wrap_future(self.pool.submit(lambda: None))  # all published
                await asyncio.sleep(0.01)
            t_all = time.perf_counter() - t0
            out[mode] = {"call_p50_ms": ms(pct(calls, 50)), "call_p99_ms": ms(pct(calls, 99)),
                         "call_max_ms": ms(max(calls)), "stall_p99_ms": ms(pct(tick.late, 99)),
                         "stall_max_ms": ms(max(tick.late)), "loop_s": round(t_loop, 3),
                         "published_per_s": round(n / t_all)}
        # drain the backlog with one worker (throughput of no-op tasks)
        p = self.spawn()
        t = time.perf_counter()
        ok = await self.wait_done("noop", n * len(modes), 120)
        out["drain_per_s"] = round(n * len(modes) / (time.perf_counter() - t)) if ok else None
        out["_worker"] = p
        return out

    # ---- (b)
    async def phase_b(self) -> dict:
        sent: dict[str, float] = {}
        for b in range(self.args.bursts):
            for i in range(self.args.burst):
                tid = f"b{b}_{i}"
                sent[tid] = time.time()
                await self.enqueue(self.mode(), self.run, tid, sent[tid], "wait", 0.005)
            if not await self.wait_done("wait", len(sent), 60):
                return {"error": f"burst {b} not drained in 60 s"}
        lat = [self.starts(tid)[0][1] - t for tid, t in sent.items()]
        out = {"n": len(lat), "p50_ms": ms(pct(lat, 50)), "p99_ms": ms(pct(lat, 99)), "max_ms": ms(max(lat))}
        one: dict[str, float] = {}  # and one in flight: the broker's hand-over alone
        for i in range(self.args.singles):
            tid = f"one{i}"
            one[tid] = time.time()
            await self.enqueue(self.mode(), self.run, tid, one[tid], "wait", 0.005)
            if not await self.wait_done("wait", len(sent) + len(one), 30):
                return {**out, "error": f"single {i} not run in 30 s"}
        lat1 = [self.starts(tid)[0][1] - t for tid, t in one.items()]
        out.update({"single_n": len(lat1), "single_p50_ms": ms(pct(lat1, 50)), "single_p99_ms": ms(pct(lat1, 99))})
        return out

    # ---- (c)
    async def phase_c(self, worker_a: subprocess.Popen) -> dict:
        n = self.args.held
        tids = [f"c{i}" for i in range(n)]
        for tid in tids:
            await self.enqueue(self.mode(), self.run, tid, time.time(), "wait", HOLD_S)
        end = time.monotonic() + 30
        while time.monotonic() < end and not any(self.r.exists(f"{self.run}:s:{t}") for t in tids):
            await asyncio.sleep(0.01)
        await asyncio.sleep(1.0)
        t_kill = time.time()
        self.kill(worker_a)
        held = [t for t in tids if self.starts(t) and int(self.r.get(f"{self.run}:d:{t}") or 0) == 0]
        t_spawn = time.time()
        b = self.spawn()
        end = time.monotonic() + 90
        while time.monotonic() < end:
            if all(int(self.r.get(f"{self.run}:d:{t}") or 0) >= 1 for t in tids):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(HOLD_S + 0.5)  # room for a duplicate run to show up
        again = []
        for t in held:
            later = [ts for pid, ts in self.starts(t) if pid != worker_a.pid and ts > t_kill]
            if later:
                again.append(min(later) - t_kill)
        ready = [ts for pid, ts in self.ready_times().items() if pid == b.pid]
        done = {t: int(self.r.get(f"{self.run}:d:{t}") or 0) for t in tids}
        return {"tasks": n, "held_at_kill": len(held), "rerun": len(again),
                "rerun_after_s_p50": round(statistics.median(again), 2) if again else None,
                "rerun_after_s_max": round(max(again), 2) if again else None,
                "worker_b_ready_s": round(ready[0] - t_spawn, 2) if ready else None,
                "lost": sum(1 for v in done.values() if v == 0),
                "completed_twice": sum(1 for v in done.values() if v > 1), "_worker": b}

    # ---- (d)
    async def phase_d(self) -> dict:
        tid = "d0"
        await self.enqueue(self.mode(), self.run, tid, time.time(), "fail", 0.0)
        end = time.monotonic() + 30
        while time.monotonic() < end and not self.r.exists(f"{self.run}:final:{tid}"):
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        runs = [ts for _, ts in self.starts(tid)]
        gaps = [round(b - a, 2) for a, b in zip(runs, runs[1:])]
        return {"runs": len(runs), "gaps_s": gaps, "final_hook_calls": self.r.llen(f"{self.run}:final:{tid}"),
                **self.q.built_in}

    async def all(self) -> dict:
        res = {"candidate": self.candidate, "versions": version(self.candidate)}
        if self.is_async:
            await self.q.connect()
        try:
            await self._maybe(self.q.purge)
            a = await self.phase_a()
            w = a.pop("_worker")
            res["a"] = a
            res["b"] = await self.phase_b()
            c = await self.phase_c(w)
            w = c.pop("_worker")
            res["c"] = c
            res["d"] = await self.phase_d()
        finally:
            for p in self.workers:
                if p.poll() is None:
                    self.kill(p, signal.SIGTERM)
            await self._maybe(self.q.purge)
            await self._maybe(self.q.close)
            self.pool.shutdown(wait=True)
            keys = list(self.r.scan_iter(f"{self.run}:*", count=1000))
            for i in range(0, len(keys), 1000):
                self.r.delete(*keys[i:i + 1000])
        return res

    async def _maybe(self, fn):
        out = fn()
        if asyncio.iscoroutine(out):
            await out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cmd", nargs="?", default="bench")
    ap.add_argument("rest", nargs="*")
    ap.add_argument("--only", default=",".join(CANDIDATES))
    ap.add_argument("--sends", type=int, default=2000)
    ap.add_argument("--bursts", type=int, default=20)
    ap.add_argument("--burst", type=int, default=50)
    ap.add_argument("--singles", type=int, default=100)
    ap.add_argument("--held", type=int, default=12)
    ap.add_argument("--amqp", default=AMQP)
    ap.add_argument("--redis", default=REDIS)
    ap.add_argument("--json")
    args = ap.parse_args()
    urls = {"amqp": args.amqp, "redis": args.redis}
    if args.cmd == "_worker":
        candidate, run = args.rest
        make(candidate, urls).work(run)
        return
    results = []
    for c in args.only.split(","):
        why = installed(c)
        if why:
            print(f"## {c}: skipped ({why})", flush=True)
            results.append({"candidate": c, "skipped": why})
            continue
        print(f"## {c} ({version(c)})", flush=True)
        res = asyncio.run(Bench(c, urls, args).all())
        for k in "abcd":
            print(f"  ({k}) {json.dumps(res.get(k))}", flush=True)
        results.append(res)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
