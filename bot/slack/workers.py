"""Post-ack work in separate processes (``SLACK_ANSWER_PROCESSES`` unset or > 0: the default for ``serve``).

Threads of the serving process share its interpreter (and GIL) with the event loop that acknowledges
Slack, so a busy answer (~15 ms of CPU for a path question) delays the next ack. With worker processes
the serving process only verifies, acks and forwards: each worker runs a headless ``SlackChannel`` of
its own (same settings, own database connections, own Web API client, lower CPU priority) and does
*everything* after the ack — identity, dedupe claim, routing, rendering, Web API calls, failure reports.

The serving process talks to each worker over one pipe, read by its event loop (``add_reader``): no
executor or feeder threads compete with the loop for the GIL. Calls waiting for a worker are pickled
``bytes`` in a deque, so a backlog of thousands gives the garbage collector nothing to scan (in
bench/slack_ack_bench.py, a backlog kept as tasks and payload dicts made collections pause acks by 3–6 ms).

What the domain wants to send proactively (``Ladder.notify``: approval cards, nudges) is collected and
handed back, because the serving process owns the channel clients that reach people first (Teams among
them); it delivers them.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import time
from collections import deque
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection

from bot.messages import Reply

log = logging.getLogger(__name__)

# Worker processes at SLACK_WORKER_PRIORITY=low (and at idle where Linux's SCHED_IDLE is not available).
WORKER_NICENESS = 10


def default_processes() -> int:
    """SLACK_ANSWER_PROCESSES when unset: one per CPU but one, which the serving process keeps for acks.

    Measured in bench/slack_ack_bench.py on 2 CPUs: with as many busy workers as CPUs the serving process
    had to win a CPU back for every ack and its p99 went to 2–4x bare Bolt's; with one CPU left to it, within 2x.
    """
    return max(1, (os.cpu_count() or 2) - 1)


def _yield_cpu_to_the_server(priority: str) -> None:
    """Answers are background work: the serving process, which must ack within 3 s (and Ladder promises far
    less), gets the CPU first. ``idle`` (the default): Linux's SCHED_IDLE, which does exactly that — but under
    sustained load from *other* programs a worker gets only a sliver of CPU; ``low``: niceness 10, a fair
    share against everything but a smaller one; ``normal``: no change."""
    if priority == "idle":
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            return
        except (AttributeError, OSError):  # not Linux: the next best
            pass
    if priority in ("idle", "low"):
        try:
            os.nice(WORKER_NICENESS)
        except OSError:
            pass


# ---------------------------------------------------------------------------------- in a worker process


class _CollectingNotifier:
    """Keeps what the domain wanted to send; the serving process delivers it."""

    def __init__(self) -> None:
        self.outbox: list[tuple[str, dict]] = []

    def notify(self, person_email: str, reply: Reply) -> bool:
        self.outbox.append((person_email, reply.model_dump(mode="json")))
        return True


def _worker_main(settings, conn: Connection) -> None:
    """A worker process: build a headless SlackChannel, then answer calls until the serving process hangs up.

    The serving process holds the only other end of ``conn``: when it exits, however it exits, ``recv``
    sees end-of-file and the worker leaves with it.
    """
    _yield_cpu_to_the_server(settings.slack_worker_priority)
    from bot.logging_setup import configure
    from bot.slack import build_channel
    from handlers.context import Ladder
    from storage import Database

    configure(settings.log_level, json_lines=settings.log_json)
    ladder = Ladder(settings=settings, db=Database(settings.database_url))
    collector = _CollectingNotifier()
    ladder.notifiers = [collector]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    channel = build_channel(ladder, answer_processes=0)
    loop.run_until_complete(channel.start())
    while True:
        try:
            method, args = pickle.loads(conn.recv_bytes())
            conn.send_bytes(STARTED)  # from here on, a death mid-call must be reported, not retried
        except (EOFError, OSError):
            break
        collector.outbox.clear()
        try:
            loop.run_until_complete(getattr(channel, method)(*args))  # reports its own failures to the person
        except Exception:  # noqa: BLE001 - a worker outlives any one call
            log.exception("slack worker call failed", extra={"work": method})
        try:
            conn.send_bytes(pickle.dumps(collector.outbox, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            break
    loop.run_until_complete(channel.close())


# ---------------------------------------------------------------------------------- in the serving process


STARTED = b"started"
STARVED_SECONDS = 10.0  # a call not taken by its worker after this long is logged
SEND_INLINE_BYTES = 64 * 1024  # well under a local socket's buffer


class WorkerLost(RuntimeError):
    """The worker process died (killed, out of memory) before it finished a call."""

    def __init__(self, reason: str, *, started: bool) -> None:
        super().__init__(reason)
        self.started = started


class _Worker:
    def __init__(self, settings) -> None:
        # spawn, not fork: the serving process runs threads and an event loop that must not be copied.
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(settings, child), name="ladder-slack-worker", daemon=True)
        self.process.start()
        child.close()  # the worker holds the only copy: its death is end-of-file here

    async def send(self, payload: bytes) -> bool:
        """Hand the worker a call; False if it is gone (then the call never started)."""
        try:
            if len(payload) <= SEND_INLINE_BYTES:
                self.conn.send_bytes(payload)  # the socket buffer takes it at once, whether or not the worker reads yet
            else:  # could wait for the worker to read (it may still be starting): not on the event loop
                await asyncio.to_thread(self.conn.send_bytes, payload)
            return True
        except OSError:
            return False

    async def result(self) -> list[tuple[str, dict]]:
        """The call's outcome. WorkerLost says whether the worker had taken the call before it died."""
        started = False
        try:
            while not await self._readable(timeout=STARVED_SECONDS):
                log.warning("a Slack call has not been taken by its worker process yet: the worker is still starting, "
                            "or the machine's CPUs are busy with other work (Slack workers yield to everything else)",
                            extra={"pid": self.process.pid, "seconds": STARVED_SECONDS})
            started = self.conn.recv_bytes() == STARTED
            await self._readable()
            return pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError) as exc:
            raise WorkerLost(str(exc) or type(exc).__name__, started=started) from exc

    async def _readable(self, timeout: float | None = None) -> bool:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = self.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            loop.remove_reader(fd)

    def stop(self) -> None:
        self.conn.close()  # end-of-file: the worker finishes its call and leaves

    def kill(self) -> None:
        """No waiting: the next worker's start reaps it (multiprocessing collects finished children then)."""
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()


class WorkerPool:
    """The serving process's side: a backlog of calls and one pump per worker process feeding it."""

    def __init__(self, settings, processes: int, *, deliver: Callable[[list], Awaitable[None]],
                 report_lost: Callable[[str, tuple], Awaitable[None]]) -> None:
        self.settings = settings
        self.processes = processes
        self.deliver = deliver
        self.report_lost = report_lost
        self.backlog: deque[bytes] = deque()
        self.busy = 0
        self._workers: list[_Worker] = []
        self._wakeup: asyncio.Event | None = None
        self._pumps: list[asyncio.Task] = []

    def submit(self, method: str, args: tuple) -> None:
        """Queue ``SlackChannel.<method>(*args)`` for a worker (call from the event loop)."""
        self.backlog.append(pickle.dumps((method, args), protocol=pickle.HIGHEST_PROTOCOL))
        self.start()
        self._wakeup.set()

    def pending(self) -> int:
        return len(self.backlog) + self.busy

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def start(self) -> None:
        """Spawn the workers now (they load in the background), not when the first person is waiting."""
        if self._pumps:
            return
        self._wakeup = asyncio.Event()
        self._workers = [_Worker(self.settings) for _ in range(self.processes)]
        self._pumps = [asyncio.ensure_future(self._pump(i)) for i in range(self.processes)]

    async def drain(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.pending() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        for pump in self._pumps:
            pump.cancel()
        self._pumps = []
        if self.backlog:
            log.warning("Slack work left unanswered at shutdown", extra={"calls": len(self.backlog)})
            self.backlog.clear()
        for worker in self._workers:
            worker.stop()
        for worker in self._workers:
            await asyncio.to_thread(worker.process.join, 10)
            if worker.process.is_alive():
                worker.kill()
                await asyncio.to_thread(worker.process.join, 5)
        self._workers = []

    async def _pump(self, index: int) -> None:
        while True:
            if not self.backlog:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            payload = self.backlog.popleft()
            self.busy += 1
            try:
                await self._run(index, payload)
            except Exception:  # noqa: BLE001 - a pump must outlive any one call
                log.exception("slack worker call failed")
            finally:
                self.busy -= 1

    async def _run(self, index: int, payload: bytes) -> None:
        for attempt in range(3):
            worker = self._workers[index]
            try:
                if not await worker.send(payload):
                    raise WorkerLost("gone", started=False)
                outbox = await worker.result()
            except WorkerLost as lost:
                self._replace(index)
                if lost.started or attempt == 2:  # it died during the call: the person hears so, as from any failure
                    await self.report_lost(*pickle.loads(payload))
                    return
                continue  # it died before taking the call (nothing happened yet): a fresh worker takes it
            if outbox:
                await self.deliver(outbox)
            return

    def _replace(self, index: int) -> _Worker:
        dead = self._workers[index]
        log.error("a Slack worker process died; starting a new one",
                  extra={"pid": dead.process.pid, "exitcode": dead.process.exitcode})
        dead.kill()
        self._workers[index] = _Worker(self.settings)
        return self._workers[index]
