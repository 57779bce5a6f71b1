"""The command line as scripts use it (`chat --json`, `--click`) and the HTTP server's health checks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


def _env(database_url: str, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_"))}
    env.update(DATABASE_URL=database_url, DATA_DIR=str(tmp / "var"))
    return env


def run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, APP, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.fixture
def seeded_env(db_factory, tmp_path):
    env = _env(db_factory.url(), tmp_path)
    result = run(["seed", "demo"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "60 people in 6 teams" in result.stdout
    return env


def test_chat_json_then_click_in_another_process(seeded_env, tmp_path):
    first = run(["chat", "--as", "maya.patel@kestrel.example", "--message", "what's my path to data scientist?", "--json"], seeded_env, tmp_path)
    assert first.returncode == 0, first.stderr
    reply = json.loads(first.stdout)
    assert set(reply) >= {"text", "cards", "citations", "data"}
    assert reply["data"]["role"]["label"] == "data scientist"
    refs = [b["ref"] for card in reply["cards"] for b in card["buttons"]]
    enrol = next(r for r in refs if r.startswith("enrol:"))
    clicked = run(["chat", "--as", "maya.patel@kestrel.example", "--click", enrol, "--json"], seeded_env, tmp_path)
    assert json.loads(clicked.stdout)["data"]["created"] is True
    # a third process sees what the second did
    again = run(["chat", "--as", "maya.patel@kestrel.example", "--click", enrol, "--json"], seeded_env, tmp_path)
    assert json.loads(again.stdout)["data"]["created"] is False


def test_click_with_a_made_up_reference_is_refused_plainly(seeded_env, tmp_path):
    result = run(["chat", "--as", "maya.patel@kestrel.example", "--click", "launch:rockets"], seeded_env, tmp_path)
    assert result.returncode == 2 and "not a button reference" in result.stderr and "Traceback" not in result.stderr


def test_interactive_chat_numbered_buttons(seeded_env, tmp_path):
    proc = subprocess.run(
        [sys.executable, APP, "chat", "--as", "maya.patel@kestrel.example"],
        input="what's my path to developer?\n1\n9\nquit\n", capture_output=True, text=True, env=seeded_env, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "[1]" in out and "Which role?" in out
    assert "Your path to" in out  # button 1 was pressed
    assert "There is no button 9" in out


def _makefile_email() -> str:
    line = next(l for l in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines() if l.startswith("EMAIL ?="))
    return line.split("?=", 1)[1].strip()


def test_demo_manager_finds_cards_waiting_on_the_first_message(seeded_env, tmp_path):
    """`make demo`: `seed demo`, then the chat as the Makefile's EMAIL, whose first question gets pending cards."""
    email = _makefile_email()
    assert email == "daniel.okafor@kestrel.example"  # the demo manager (README: the manager persona)
    proc = subprocess.run([sys.executable, APP, "chat", "--as", email], input="what needs my decision?\nquit\n",
                          capture_output=True, text=True, env=seeded_env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "waiting for your decision" in proc.stdout and "Approve" in proc.stdout and "Decides: Daniel Okafor" in proc.stdout
    reply = json.loads(run(["chat", "--as", email, "--message", "what needs my decision?", "--json"], seeded_env, tmp_path).stdout)
    pending = [c for c in reply["cards"] if any(b["ref"].startswith("approve:") for b in c["buttons"])]
    assert pending, reply["text"]
    kinds = {c["title"].split(" · ", 1)[1] for c in pending}
    assert {"course enrolment", "stretch assignment"} <= kinds
    assert all("Waiting for a decision" in json.dumps(c["facts"]) for c in pending)


def test_placeholder_secret_is_refused_at_start_up(tmp_path):
    env = _env(f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    env["SLACK_BOT_TOKEN"] = "xoxb-your-token"
    result = run(["db", "upgrade"], env, tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN looks like a placeholder" in result.stderr


def test_unreachable_database_is_reported_plainly(tmp_path):
    env = _env("postgresql://postgres@127.0.0.1:1/nowhere", tmp_path)
    result = run(["db", "upgrade"], env, tmp_path)
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_readiness(seeded_env, tmp_path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, APP, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=seeded_env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.loads(r.read()) == {"status": "ok"}
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            body = json.loads(r.read())
            assert r.status == 200 and body["database"] is True
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/readyz" for line in lines), err  # structured access log
