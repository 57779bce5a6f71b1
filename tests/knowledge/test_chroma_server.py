"""The scale-out set-up: a Chroma server (``chroma run``) reached over HTTP when CHROMA_HOST is set."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from kb_helpers import GOOD_FILES
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest_paths, list_documents
from settings import load_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    executable = shutil.which("chroma") or str(Path(__import__("sys").executable).parent / "chroma")
    if not Path(executable).exists():
        pytest.skip("chroma command line not installed")
    port = _free_port()
    process = subprocess.Popen(
        [executable, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None:
                    pytest.skip("chroma server did not start")
                time.sleep(0.2)
        else:
            pytest.skip("chroma server did not start in time")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_ingest_and_filtered_search_through_a_chroma_server(chroma_server, kb_db, handbook, tmp_path):
    settings = load_settings(data_dir=tmp_path / "var", chroma_host="127.0.0.1", chroma_port=chroma_server)
    index = KnowledgeIndex.from_settings(settings, embedder=None)
    report = ingest_paths([handbook], kb_db, index)
    assert len(report.added) == len(GOOD_FILES)
    assert not (settings.chroma_path).exists()  # nothing written to the embedded folder
    assert len(list_documents(kb_db)) == len(GOOD_FILES)
    for query in ("zebracode salary band", "quokkafile case files", "paternity leave"):
        assert all(h.chunk.audience == "everyone" for h in index.search(query, {"everyone"}, k=10))
    assert "zebracode" in index.search("zebracode salary band", {"everyone", "managers"}, k=1)[0].chunk.text
