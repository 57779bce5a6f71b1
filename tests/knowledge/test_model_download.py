"""Where the sentence model comes from on a real install: Chroma's download cache, Chroma's own download, a named
folder, or nowhere (one warning, lexical search).

Chroma downloads from a fixed S3 address; here it is pointed at a stand-in server on 127.0.0.1 that serves an
``onnx.tar.gz`` built from the developers' copy of the same files. That archive is not byte-for-byte S3's, so the
SHA-256 Chroma pins is set to the archive's own: Chroma's download, hash check and extraction all run for real.
"""

from __future__ import annotations

import hashlib
import http.server
import logging
import os
import socket
import subprocess
import sys
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from knowledge import model_files
from knowledge.base import open_knowledge_base
from knowledge.embedding import MiniLMEmbedding, embedder_for
from settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE_PATH = f"/{ONNXMiniLM_L6_V2.MODEL_NAME}/{ONNXMiniLM_L6_V2.ARCHIVE_FILENAME}"


@pytest.fixture(scope="session")
def model_archive(shared_model_dir, tmp_path_factory) -> tuple[Path, str]:
    """``onnx.tar.gz`` laid out as Chroma's (an ``onnx/`` folder), and its SHA-256."""
    archive = tmp_path_factory.mktemp("archive") / "onnx.tar.gz"
    # Level 0: a valid gzip Chroma reads the same way, built in a second instead of fifteen.
    with tarfile.open(archive, "w:gz", compresslevel=0) as tar:
        for file in sorted((shared_model_dir / "onnx").iterdir()):
            tar.add(file, arcname=f"onnx/{file.name}")
    return archive, hashlib.sha256(archive.read_bytes()).hexdigest()


class ModelServer:
    """Serves one file at Chroma's archive path and remembers every request."""

    def __init__(self, body: Path | bytes) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server.requests.append(self.path)
                if self.path != ARCHIVE_PATH:
                    self.send_error(404)
                    return
                data = body.read_bytes() if isinstance(body, Path) else body
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._http.server_port}{ARCHIVE_PATH}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture
def chroma_cache(tmp_path, monkeypatch) -> Path:
    """An empty Chroma download cache of this test's own (Chroma's DOWNLOAD_PATH)."""
    root = tmp_path / "home" / ".cache" / "chroma" / "onnx_models" / ONNXMiniLM_L6_V2.MODEL_NAME
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "DOWNLOAD_PATH", root)
    return root


@pytest.fixture
def serve(monkeypatch) -> Iterator:
    """``serve(body, sha256)``: a stand-in for Chroma's S3 bucket, with Chroma's download pointed at it."""
    servers: list[ModelServer] = []

    def start(body: Path | bytes, sha256: str) -> ModelServer:
        server = ModelServer(body)
        servers.append(server)
        monkeypatch.setattr(ONNXMiniLM_L6_V2, "MODEL_DOWNLOAD_URL", server.url)
        monkeypatch.setattr(ONNXMiniLM_L6_V2, "_MODEL_SHA256", sha256)
        return server

    yield start
    for server in servers:
        server.close()


def link_model_files(source: Path, folder: Path) -> None:
    """The model's files in ``folder`` without copying 90 MB: a link per file, so ``folder`` is a folder of its own."""
    folder.mkdir(parents=True)
    for file in source.iterdir():
        (folder / file.name).symlink_to(file)


def product_settings(tmp_path: Path, **overrides):
    """Settings as a newcomer has them: no EMBEDDING_MODEL_DIR."""
    return load_settings(data_dir=tmp_path / "var", embedding_model_dir=None, **overrides)


def embedding_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "knowledge.embedding" and r.levelno >= logging.WARNING]


def same_vectors(a: MiniLMEmbedding, b: MiniLMEmbedding) -> bool:
    texts = ["How many weeks of parental leave do I get?", "The meal allowance is 45 euros."]
    return bool(np.all(np.sum(np.asarray(a(texts)) * np.asarray(b(texts)), axis=1) > 0.9999))


# --------------------------------------------------------------------------- in the process


def test_a_model_in_chromas_cache_is_used_without_going_online(tmp_path, chroma_cache, serve, model_archive, embedder, caplog):
    link_model_files(embedder.model_dir, chroma_cache / "onnx")  # as a machine that already ran Chroma has it
    server = serve(*model_archive)
    with caplog.at_level(logging.INFO, logger="knowledge"):
        model = embedder_for(product_settings(tmp_path))
    assert model is not None and model.model_dir == chroma_cache / "onnx"
    assert server.requests == []
    assert embedding_warnings(caplog) == []
    assert same_vectors(model, embedder)


def test_the_first_run_downloads_through_chroma_and_loads_with_ladders_embedder(tmp_path, chroma_cache, serve, model_archive, embedder, caplog):
    server = serve(*model_archive)
    settings = product_settings(tmp_path)
    with caplog.at_level(logging.INFO, logger="knowledge"):
        model = embedder_for(settings)
        again = embedder_for(settings)
    assert server.requests == [ARCHIVE_PATH]  # once, from Chroma's download, at Chroma's path
    assert isinstance(model, MiniLMEmbedding) and again is model
    assert model.model_dir == chroma_cache / "onnx" and (chroma_cache / "onnx" / "model.onnx").is_file()
    assert (chroma_cache / "onnx.tar.gz").is_file()  # Chroma keeps its archive, as it does for itself
    assert same_vectors(model, embedder)
    assert embedding_warnings(caplog) == []
    assert any("downloading all-MiniLM-L6-v2 through Chroma" in r.getMessage() for r in caplog.records)


def test_processes_starting_together_download_once(chroma_cache, serve, model_archive):
    server = serve(*model_archive)
    results: list[model_files.ModelFiles] = []
    threads = [threading.Thread(target=lambda: results.append(model_files.download())) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and all(files.present for files in results)
    assert server.requests == [ARCHIVE_PATH]  # the second waited, then found the files in the cache


def test_downloads_off_means_no_request_and_one_warning(tmp_path, chroma_cache, serve, model_archive, caplog):
    server = serve(*model_archive)
    settings = product_settings(tmp_path, embedding_download=False)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert embedder_for(settings) is None
        assert embedder_for(settings) is None
    assert server.requests == []
    assert not (chroma_cache / "onnx.tar.gz").exists()
    [warning] = embedding_warnings(caplog)
    assert "EMBEDDING_DOWNLOAD=false" in warning and str(chroma_cache / "onnx") in warning
    assert "python app.py embedding-model" in warning and "EMBEDDING_MODEL_DIR" in warning
    assert warning.endswith("knowledge search runs lexical-only")


def test_no_internet_is_one_warning_and_a_lexical_knowledge_base(tmp_path, chroma_cache, monkeypatch, kb_db, caplog):
    with socket.socket() as probe:  # a port nothing listens on: what an offline machine gets
        probe.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{probe.getsockname()[1]}{ARCHIVE_PATH}"
    monkeypatch.setattr(ONNXMiniLM_L6_V2, "MODEL_DOWNLOAD_URL", unreachable)
    settings = product_settings(tmp_path)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert embedder_for(settings) is None
        knowledge = open_knowledge_base(settings, kb_db)  # what the bot builds on the first policy question
    assert knowledge.index.lexical_only
    [warning] = embedding_warnings(caplog)
    assert f"the download from {unreachable} failed (ConnectError" in warning
    assert "python app.py embedding-model" in warning and "EMBEDDING_MODEL_DIR" in warning


def test_a_tampered_download_is_refused_not_loaded(tmp_path, chroma_cache, serve, model_archive, caplog):
    _, real_sha256 = model_archive
    server = serve(b"not the model", real_sha256)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert embedder_for(product_settings(tmp_path)) is None
    assert server.requests and set(server.requests) == {ARCHIVE_PATH}  # Chroma retried, then gave up
    assert not (chroma_cache / "onnx" / "model.onnx").exists()
    [warning] = embedding_warnings(caplog)
    assert "does not match expected SHA256" in warning


def test_a_named_folder_is_never_downloaded_into(tmp_path, chroma_cache, serve, model_archive, caplog):
    server = serve(*model_archive)
    empty = tmp_path / "copy-of-the-model"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert embedder_for(load_settings(data_dir=tmp_path / "var", embedding_model_dir=empty, embedding_download=True)) is None
    assert server.requests == [] and list(empty.iterdir()) == []
    [warning] = embedding_warnings(caplog)
    assert f"in {empty} (EMBEDDING_MODEL_DIR)" in warning and "point EMBEDDING_MODEL_DIR at" in warning


# --------------------------------------------------------------------------- the command


def run_cli(args: list[str], kb_db, tmp_path: Path, *, home: Path, prelude: str = "", **env_vars: str):
    """``python app.py ARGS`` in a process of its own (``prelude`` runs first), for a newcomer whose HOME is ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_", "OPENAI_", "EMBEDDING_"))}
    env.update(DATABASE_URL=kb_db.url, DATA_DIR=str(tmp_path / "var"), HOME=str(home), **env_vars)
    code = f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n{prelude}\nimport app\nsys.exit(app.main({args!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


def test_the_command_finds_the_model_in_chromas_cache_under_home(tmp_path, kb_db, shared_model_dir):
    # Nothing patched: Chroma itself derives the cache folder from HOME, as on a newcomer's machine.
    home = tmp_path / "home"
    cache = home / ".cache" / "chroma" / "onnx_models" / "all-MiniLM-L6-v2"
    link_model_files(shared_model_dir / "onnx", cache / "onnx")
    result = run_cli(["embedding-model", "--no-download"], kb_db, tmp_path, home=home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"all-MiniLM-L6-v2: {cache / 'onnx'} (Chroma's download cache), loads, 384 dimensions"


def test_the_command_downloads_a_missing_model(tmp_path, kb_db, model_archive):
    server = ModelServer(model_archive[0])
    home = tmp_path / "home"
    try:
        # Chroma's S3 address and pinned hash, pointed at the stand-in before app.py runs.
        prelude = (
            "from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2 as C\n"
            f"C.MODEL_DOWNLOAD_URL = {server.url!r}\nC._MODEL_SHA256 = {model_archive[1]!r}"
        )
        result = run_cli(["embedding-model"], kb_db, tmp_path, home=home, prelude=prelude, EMBEDDING_DOWNLOAD="false")
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    folder = home / ".cache" / "chroma" / "onnx_models" / "all-MiniLM-L6-v2" / "onnx"
    assert server.requests == [ARCHIVE_PATH]  # asked for explicitly, so it downloads even with EMBEDDING_DOWNLOAD=false
    assert result.stdout.strip() == f"all-MiniLM-L6-v2: {folder} (Chroma's download cache), loads, 384 dimensions"


def test_the_command_explains_a_folder_without_the_model(tmp_path, kb_db):
    empty = tmp_path / "no-model"
    empty.mkdir()
    result = run_cli(["embedding-model"], kb_db, tmp_path, home=tmp_path / "home", EMBEDDING_MODEL_DIR=str(empty))
    assert result.returncode == 1 and result.stdout == ""
    assert f"in {empty} (EMBEDDING_MODEL_DIR); point EMBEDDING_MODEL_DIR at" in result.stderr
    assert "Traceback" not in result.stderr
