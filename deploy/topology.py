"""Ladder's scaled-out topology as local processes on one machine — no container engine needed.

    python deploy/topology.py --web 2 --workers 2 --schedulers 1 [--database-url postgresql+psycopg://…]
                              [--broker-url amqp://…] [--chroma] [--seed]

The same shape as deploy/docker-compose.yml: N ``serve`` processes (each on its own port; put any HTTP load
balancer in front), N ``worker`` processes, schedulers, a Chroma server, on a shared PostgreSQL and a broker. Every
process gets the environment of this one plus what the topology sets (DATABASE_URL, TASK_BROKER_URL, TASK_QUEUE,
CHROMA_HOST/CHROMA_PORT, DATA_DIR): put SLACK_* and MICROSOFT_* there as for one ``serve``. The tests and the load
test (bench/load_test.py) use ``Topology`` from Python; from the command line it runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672/%2F"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    role: str  # web | worker | scheduler | chroma
    popen: subprocess.Popen
    log: Path
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Topology:
    """Start with ``start()`` (or ``with Topology(...) as t:``); every process logs to ``folder/<role>-<n>.log``."""

    web: int = 2
    workers: int = 2
    schedulers: int = 1
    database_url: str = DEFAULT_DATABASE
    broker_url: str = DEFAULT_BROKER
    chroma: bool = True
    env: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None
    queue: str = field(default_factory=lambda: f"ladder-{uuid.uuid4().hex[:10]}")
    python: str = sys.executable
    processes: list[Process] = field(default_factory=list)
    chroma_port: int | None = None  # set when the Chroma server starts

    def __post_init__(self) -> None:
        self._own_folder = self.folder is None
        self.folder = Path(self.folder or tempfile.mkdtemp(prefix="ladder-topology-"))
        (self.folder / "data").mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ what every process shares

    def environment(self) -> dict[str, str]:
        env = {**os.environ, "DATA_DIR": str(self.folder / "data"), "DATABASE_URL": self.database_url,
               "TASK_BROKER_URL": self.broker_url, "TASK_QUEUE": self.queue, "LOG_JSON": "true",
               "PYTHONUNBUFFERED": "1", **self.env}
        if self.chroma_port is not None:
            env |= {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(self.chroma_port)}
        return env

    def run_app(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        """``python app.py <args>`` once, with the topology's environment (e.g. ``seed demo``), the Chroma server up."""
        if self.chroma and self.chroma_port is None:
            self.start_chroma()
        return subprocess.run([self.python, str(ROOT / "app.py"), *args], env=self.environment(), cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=True)

    # ------------------------------------------------------------------ processes

    def _spawn(self, role: str, args: list[str], port: int | None = None) -> Process:
        n = sum(1 for p in self.processes if p.role == role)
        log = self.folder / f"{role}-{n}.log"
        handle = open(log, "ab")
        popen = subprocess.Popen(args, env=self.environment(), cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                 start_new_session=True)
        handle.close()
        process = Process(role, popen, log, port)
        self.processes.append(process)
        return process

    def start_chroma(self) -> Process:
        self.chroma_port = free_port()
        chroma = shutil.which("chroma", path=str(Path(self.python).parent)) or "chroma"
        process = self._spawn("chroma", [chroma, "run", "--path", str(self.folder / "chroma"), "--host", "127.0.0.1",
                                         "--port", str(self.chroma_port)], self.chroma_port)
        _wait_http(f"{process.url}/api/v2/heartbeat", process, 60)
        return process

    def start_web(self) -> Process:
        port = free_port()
        process = self._spawn("web", [self.python, str(ROOT / "app.py"), "serve", "--host", "127.0.0.1", "--port", str(port)], port)
        return process

    def start_worker(self) -> Process:
        return self._spawn("worker", [self.python, str(ROOT / "app.py"), "worker"])

    def start_scheduler(self) -> Process:
        return self._spawn("scheduler", [self.python, str(ROOT / "app.py"), "scheduler"])

    def start(self, ready_timeout: float = 180) -> "Topology":
        if self.chroma and self.chroma_port is None:
            self.start_chroma()
        self.run_app("db", "upgrade")  # once, before processes that would each migrate at start-up, concurrently
        webs = [self.start_web() for _ in range(self.web)]
        for _ in range(self.workers):
            self.start_worker()
        for _ in range(self.schedulers):
            self.start_scheduler()
        for web in webs:
            _wait_http(f"{web.url}/readyz", web, ready_timeout)
        return self

    def of(self, role: str) -> list[Process]:
        return [p for p in self.processes if p.role == role and p.alive()]

    def kill(self, process: Process) -> None:
        """SIGKILL: no clean-up, nothing finished — what a crash or the OOM killer does."""
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait(10)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.alive():
                process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes:
            try:
                process.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(5)
        self.processes = [p for p in self.processes if p.alive()]

    def cleanup(self) -> None:
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Topology":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def logs(self, role: str | None = None) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.log.read_text(errors='replace')[-4000:]}"
                         for p in self.processes if role is None or p.role == role)


def _wait_http(url: str, process: Process, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.role} exited ({process.popen.returncode}): "
                               f"{process.log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{process.role} at {url} was not ready after {timeout}s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--schedulers", type=int, default=1)
    sys.path.insert(0, str(ROOT))
    from settings import Settings

    configured = Settings()  # DATABASE_URL and TASK_BROKER_URL, when set, are the defaults
    shared = not configured.database_url.startswith("sqlite")  # Ladder's own default, a file, is no shared database
    parser.add_argument("--database-url", default=configured.database_url if shared else DEFAULT_DATABASE)
    parser.add_argument("--broker-url", default=configured.task_broker_url or DEFAULT_BROKER)
    parser.add_argument("--no-chroma", action="store_true", help="no Chroma server (embedded Chroma in each process)")
    parser.add_argument("--seed", action="store_true", help="migrate and seed the demo organisation first")
    parser.add_argument("--folder", type=Path, help="logs and DATA_DIR (default: a new temporary folder)")
    args = parser.parse_args()
    topology = Topology(web=args.web, workers=args.workers, schedulers=args.schedulers, database_url=args.database_url,
                        broker_url=args.broker_url, chroma=not args.no_chroma, folder=args.folder)
    try:
        if args.seed:
            topology.run_app("seed", "demo")
        topology.start()
        for p in topology.processes:
            print(f"{p.role:<10} pid {p.popen.pid:<8} {p.url if p.port else ''}  log {p.log}")
        print("Ctrl-C stops them all.")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        topology.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
