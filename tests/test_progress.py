"""Progress output fits where it goes: a live bar on a terminal, one plain line per step anywhere else."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from handlers.progress import StepProgress, track

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_one_summary_line_per_step_and_no_control_characters():
    out, clock = io.StringIO(), Clock()
    rows = []
    for row in track(range(2500), "reading skills", 2500, stream=out, clock=clock):
        rows.append(row)
        clock.now += 0.001
    step = StepProgress("ingesting", "files", stream=out, clock=clock)
    for done in range(1, 4):
        step.update(done, 4, f"file-{done}.md")
    clock.now += 2.0
    step.close()
    assert rows == list(range(2500))
    assert out.getvalue().splitlines() == ["reading skills: 2,500 rows in 2.5 s", "ingesting: 3 of 4 files in 2.0 s"]
    assert not any(ch in out.getvalue() for ch in "\r\x1b")


def test_a_terminal_gets_a_live_bar():
    out = Terminal()
    assert list(track(range(50), "reading occupations", 50, stream=out)) == list(range(50))
    assert "\r" in out.getvalue() and "reading occupations" in out.getvalue()


def test_the_command_line_logs_plain_lines_when_not_at_a_terminal(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ladder.db'}", "DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "app.py", "taxonomy", "import-esco", "demo/esco"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("reading ")]
    assert [line.split(":")[0] for line in lines] == ["reading occupations", "reading skills", "reading relations"]
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
