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

A worker can run several calls at once on its own event loop (``SLACK_CALLS_PER_WORKER``), so one slow
call (an LLM answer, a document import, a long admin command) doesn't hold up everyone else's. The default
is one: measured in bench/slack_ack_bench.py on 2 CPUs, overlapping calls let a worker spread over more than
one CPU and the ack p99 ratio went from 1.1–1.7x to 1.1–4x.

What the domain wants to send proactively (``Ladder.notify``: approval cards, nudges) is handed to the
serving process as it happens, because that process owns the channel clients that reach people first
(Teams among them); it delivers them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
import pickle
import time
from collections import deque
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection

from conversation import Reply

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


# ---------------------------------------------------------------------------------- the wire

# Serving process → worker: (call id, pickled (method, args)). Worker → serving process: (STARTED, call id) once it has
# taken a call, (DONE, call id) when the call is over, (NOTIFY, email, reply) for a proactive message, and (READY,) once,
# when its channel has started (the server's /readyz counts ready workers).
STARTED, DONE, NOTIFY, READY = "started", "done", "notify", "ready"
STARVED_SECONDS = 10.0  # a call not taken by its worker after this long is logged
SEND_INLINE_BYTES = 64 * 1024  # well under a local socket's buffer: written from the event loop at once


def _dumps(message: tuple) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


# ---------------------------------------------------------------------------------- in a worker process


class _Outbox:
    """Ladder.notify in a worker: hand the message to the serving process, which owns the channel clients."""

    def __init__(self, send: Callable[[bytes], None]) -> None:
        self.send = send

    def notify(self, person_email: str, reply: Reply) -> bool:
        self.send(_dumps((NOTIFY, person_email, reply.model_dump(mode="json"))))
        return True


def _worker_main(settings, conn: Connection) -> None:
    """A worker process: build a headless SlackChannel, then run calls until the serving process hangs up.

    The serving process holds the only other end of ``conn``: when it exits, however it exits, the worker
    reads end-of-file and leaves with it.
    """
    import threading

    _yield_cpu_to_the_server(settings.slack_worker_priority)
    from bot.logging_setup import configure
    from bot.slack import build_channel
    from handlers.context import Ladder
    from storage import Database
    from storage.encryption import Cipher

    configure(settings.log_level, json_lines=settings.log_json)
    sending = threading.Lock()  # the loop and the domain's threads (notifications) both write

    def send(data: bytes) -> None:
        with sending:
            conn.send_bytes(data)

    from storage.audit_keys import AuditKeys

    db = Database(settings.database_url, cipher=Cipher(settings.encryption_key_ring()), audit_keys=AuditKeys(settings.pseudonym_key))
    ladder = Ladder(settings=settings, db=db)
    ladder.notifiers.replace_all([_Outbox(send)])
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Calls overlap while they wait (on Slack, on the network); their synchronous work (routing, the database)
    # takes turns on one thread, so a worker keeps to about one CPU and leaves the serving process its own.
    channel = build_channel(ladder, answer_processes=0, threads=1)
    hung_up = loop.create_future()
    running: set[asyncio.Task] = set()

    async def run(call_id: int, method: str, args: tuple) -> None:
        try:
            await getattr(channel, method)(*args)  # reports its own failures to the person
        except Exception:  # noqa: BLE001 - a worker outlives any one call
            log.exception("slack worker call failed", extra={"work": method})
        try:
            send(_dumps((DONE, call_id)))
        except OSError:
            hung_up.done() or hung_up.set_result(None)

    def on_readable() -> None:
        try:
            while conn.poll():
                call_id, call = pickle.loads(conn.recv_bytes())
                method, args = pickle.loads(call)
                send(_dumps((STARTED, call_id)))  # from here on, a death mid-call must be reported, not retried
                task = loop.create_task(run(call_id, method, args))
                running.add(task)
                task.add_done_callback(running.discard)
        except (EOFError, OSError):
            hung_up.done() or hung_up.set_result(None)

    async def serve() -> None:
        await channel.start()
        loop.add_reader(conn.fileno(), on_readable)
        send(_dumps((READY,)))
        await hung_up
        loop.remove_reader(conn.fileno())
        if running:
            await asyncio.wait(list(running), timeout=10)
        await channel.close()

    loop.run_until_complete(serve())


# ---------------------------------------------------------------------------------- in the serving process


class WorkerLost(RuntimeError):
    """The worker process died (killed, out of memory) before it finished a call."""

    def __init__(self, reason: str, *, started: bool) -> None:
        super().__init__(reason)
        self.started = started


class _Call:
    __slots__ = ("started", "done")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.started = loop.create_future()
        self.done = loop.create_future()


class _Worker:
    """One worker process and its pipe, read by the event loop; calls are told apart by id."""

    def __init__(self, settings, deliver: Callable[[str, dict], None]) -> None:
        # spawn, not fork: the serving process runs threads and an event loop that must not be copied.
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(settings, child), name="ladder-slack-worker", daemon=True)
        self.process.start()
        child.close()  # the worker holds the only copy: its death is end-of-file here
        self.deliver = deliver
        self.loop = asyncio.get_running_loop()
        self.calls: dict[int, _Call] = {}
        self.lost: str | None = None
        self.ready = False  # its channel has started: calls are taken at once
        self._ids = itertools.count(1)
        self._sending = asyncio.Lock()
        self.loop.add_reader(self.conn.fileno(), self._on_readable)

    async def call(self, method_and_args: bytes) -> None:
        """Run one call (a pickled (method, args), as queued: it crosses the pipe as it is) in the worker, to its
        end. WorkerLost says whether the worker had taken it."""
        if self.lost is not None:
            raise WorkerLost(self.lost, started=False)
        call_id = next(self._ids)
        call = self.calls[call_id] = _Call(self.loop)
        try:
            payload = _dumps((call_id, method_and_args))
            try:
                async with self._sending:
                    if len(payload) <= SEND_INLINE_BYTES:
                        self.conn.send_bytes(payload)
                    else:  # could wait for the worker to read (it may still be starting): not on the event loop
                        await asyncio.to_thread(self.conn.send_bytes, payload)
            except OSError as exc:
                raise WorkerLost(str(exc), started=False) from exc
            while not (await asyncio.wait({call.started}, timeout=STARVED_SECONDS))[0]:
                log.warning("a Slack call has not been taken by its worker process yet: the worker is still starting, "
                            "or the machine's CPUs are busy with other work (Slack workers yield to everything else)",
                            extra={"pid": self.process.pid, "seconds": STARVED_SECONDS})
            call.started.result()
            await call.done
        finally:
            self.calls.pop(call_id, None)
            for future in (call.started, call.done):  # a death fails both; one of them is never awaited
                if future.done() and not future.cancelled():
                    future.exception()

    def _on_readable(self) -> None:
        try:
            while self.conn.poll():
                message = pickle.loads(self.conn.recv_bytes())
                if message[0] == NOTIFY:
                    self.deliver(message[1], message[2])
                    continue
                if message[0] == READY:
                    self.ready = True
                    continue
                call = self.calls.get(message[1])
                if call is not None:
                    future = call.started if message[0] == STARTED else call.done
                    future.done() or future.set_result(None)
        except (EOFError, OSError) as exc:
            self._lose(str(exc) or type(exc).__name__)

    def _lose(self, reason: str) -> None:
        if self.lost is not None:
            return
        self.lost = reason
        self.loop.remove_reader(self.conn.fileno())
        for call in self.calls.values():
            started = call.started.done() and not call.started.cancelled()
            for future in (call.started, call.done):
                if not future.done():
                    future.set_exception(WorkerLost(reason, started=started))

    def stop(self) -> None:
        """End-of-file for the worker: it finishes what it is running and leaves."""
        if self.lost is None:
            self.loop.remove_reader(self.conn.fileno())
            self.lost = "stopped"
        self.conn.close()

    def kill(self) -> None:
        """No waiting: the next worker's start reaps it (multiprocessing collects finished children then)."""
        self._lose("killed")
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()


class WorkerPool:
    """The serving process's side: a backlog of calls, and pumps (``calls_per_worker`` per worker) feeding it.

    A call waiting for a worker is one pickled ``bytes`` in a deque, not a task with its frames and payload
    dicts: a backlog of thousands costs the garbage collector nothing to scan, so it never lengthens an ack.
    """

    def __init__(self, settings, processes: int, *, deliver: Callable[[str, dict], Awaitable[None]],
                 report_lost: Callable[[str, tuple], Awaitable[None]]) -> None:
        self.settings = settings
        self.processes = processes
        self.calls_per_worker = settings.slack_calls_per_worker
        self.deliver = deliver
        self.report_lost = report_lost
        self.backlog: deque[bytes] = deque()
        self.busy = 0
        self._workers: list[_Worker] = []
        self._wakeup: asyncio.Event | None = None
        self._pumps: list[asyncio.Task] = []
        self._deliveries: set[asyncio.Task] = set()

    def submit(self, method: str, args: tuple) -> None:
        """Queue ``SlackChannel.<method>(*args)`` for a worker (call from the event loop)."""
        self.backlog.append(_dumps((method, args)))
        self.start()
        self._wakeup.set()

    def pending(self) -> int:
        return len(self.backlog) + self.busy + len(self._deliveries)

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._workers]

    def ready(self) -> int:
        """How many worker processes are up and taking calls (``processes`` when all are; fewer while they start,
        or while a dead one is replaced)."""
        return sum(1 for w in self._workers if w.ready and w.lost is None)

    def start(self) -> None:
        """Spawn the workers now (they load in the background), not when the first person is waiting."""
        if self._pumps:
            return
        self._wakeup = asyncio.Event()
        self._workers = [self._new_worker() for _ in range(self.processes)]
        self._pumps = [asyncio.ensure_future(self._pump(i % self.processes))
                       for i in range(self.processes * self.calls_per_worker)]

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

    def _new_worker(self) -> _Worker:
        return _Worker(self.settings, self._deliver)

    def _deliver(self, email: str, reply: dict) -> None:
        task = asyncio.ensure_future(self.deliver(email, reply))
        self._deliveries.add(task)
        task.add_done_callback(self._deliveries.discard)

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
                await worker.call(payload)
                return
            except WorkerLost as lost:
                self._replace(index, worker)
                if lost.started or attempt == 2:  # it died during the call: the person hears so, as from any failure
                    await self.report_lost(*pickle.loads(payload))
                    return
                # it died before taking the call (nothing happened yet): a fresh worker takes it

    def _replace(self, index: int, dead: _Worker) -> None:
        if self._workers[index] is not dead:
            return  # another call on the same worker already replaced it
        log.error("a Slack worker process died; starting a new one",
                  extra={"pid": dead.process.pid, "exitcode": dead.process.exitcode})
        dead.kill()
        self._workers[index] = self._new_worker()
