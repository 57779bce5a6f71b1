"""Where the all-MiniLM-L6-v2 files come from: a folder the admin names, or Chroma's download cache.

Chroma's default embedding function (``ONNXMiniLM_L6_V2``) downloads this same ONNX export on first use
and keeps it in ``~/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx``. Ladder looks there and, when the
files are missing, asks Chroma to fetch them: one copy on disk for both, and the archive is checked
against the SHA-256 that Chroma pins. Ladder only loads the files itself (``knowledge.embedding``).

A folder named by ``EMBEDDING_MODEL_DIR`` is used as it is and never downloaded into: that is how a
machine without internet is set up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
REQUIRED_FILES = ("model.onnx", "tokenizer.json")
FETCH_COMMAND = "python app.py embedding-model"


@dataclass(frozen=True)
class ModelFiles:
    """The folder the model is (or would be) loaded from, and which of its files are not there."""

    folder: Path
    configured: bool  # named by EMBEDDING_MODEL_DIR, rather than Chroma's cache
    missing: tuple[str, ...]

    @property
    def present(self) -> bool:
        return not self.missing

    @property
    def origin(self) -> str:
        return "EMBEDDING_MODEL_DIR" if self.configured else "Chroma's download cache"


def chroma_cache_folder() -> Path:
    """Where Chroma keeps the extracted model. Read from Chroma's class at each call rather than copied, so Ladder
    looks exactly where Chroma downloads, also when someone has pointed ``DOWNLOAD_PATH`` elsewhere."""
    return Path(ONNXMiniLM_L6_V2.DOWNLOAD_PATH) / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME


def locate(configured: Path | None) -> ModelFiles:
    """The configured folder (the model folder itself or the one holding its ``onnx/``), else Chroma's cache."""
    if configured is None:
        folder, named = chroma_cache_folder(), False
    else:
        folder, named = (configured / "onnx" if (configured / "onnx" / "model.onnx").exists() else configured), True
    return ModelFiles(folder, named, tuple(name for name in REQUIRED_FILES if not (folder / name).is_file()))


def download() -> ModelFiles:
    """Fill Chroma's cache with Chroma's own download (archive, SHA-256 check, extraction). Raises when it fails."""
    cache_root = Path(ONNXMiniLM_L6_V2.DOWNLOAD_PATH)
    with _one_download_at_a_time(cache_root):
        files = locate(None)
        if files.present:  # another process fetched it while this one waited
            return files
        log.info("downloading %s through Chroma from %s into %s (about 80 MB, once)",
                 MODEL_NAME, ONNXMiniLM_L6_V2.MODEL_DOWNLOAD_URL, cache_root)
        chroma = ONNXMiniLM_L6_V2()
        # Chroma draws a tqdm bar; disable=None keeps it on a terminal and out of server logs and pipes.
        chroma.tqdm = partial(chroma.tqdm, disable=None)
        # The step Chroma's __call__ runs before its first embedding; calling it alone fetches the files without
        # building Chroma's own ONNX session, which Ladder does not use.
        chroma._download_model_if_not_exists()
    files = locate(None)
    if not files.present:
        raise FileNotFoundError(f"Chroma's download left no {', '.join(files.missing)} in {files.folder}")
    return files


def missing_advice(files: ModelFiles, *, error: BaseException | None = None, not_downloaded_because: str = "") -> str:
    """One sentence: what is missing, why it was not fetched (the download's error, or what kept it from being
    tried), and the setting or command that fixes it."""
    what = f"{MODEL_NAME} not found: no {', '.join(files.missing)} in {files.folder} ({files.origin})"
    if files.configured:
        return (f"{what}; point EMBEDDING_MODEL_DIR at a folder holding the model's ONNX files (model.onnx, "
                f"tokenizer.json), or unset it to let Ladder download the model through Chroma")
    if error is not None:
        why = f"the download from {ONNXMiniLM_L6_V2.MODEL_DOWNLOAD_URL} failed ({type(error).__name__}: {error})"
    else:
        why = f"it was not downloaded ({not_downloaded_because})"
    return (f"{what}, and {why}; run `{FETCH_COMMAND}` once with internet access, or set EMBEDDING_MODEL_DIR to "
            f"a local copy of the model's onnx folder (e.g. copied from Chroma's cache on a machine that has it)")


@contextmanager
def _one_download_at_a_time(cache_root: Path) -> Iterator[None]:
    """Several worker processes can ask for the model at once, and Chroma writes its archive under one fixed name:
    two downloads at a time would corrupt each other. The others wait here, then find the files in the cache."""
    cache_root.mkdir(parents=True, exist_ok=True)
    with open(cache_root / ".ladder-download.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows has no flock; a single process per machine is the usual case there
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
