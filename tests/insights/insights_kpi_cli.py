"""Running `python app.py insights kpi` in a test, on a database and data directory of the test's own."""

from __future__ import annotations

from app import main


def run_kpi(capsys, monkeypatch, tmp_path, args):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{(tmp_path / 'cli.db').as_posix()}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    code = main(["insights", "kpi", *args])
    out = capsys.readouterr()
    return code, out.out, out.err
