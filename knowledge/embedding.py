"""Sentence embeddings with all-MiniLM-L6-v2 (ONNX), one loaded model per process.

Why not Chroma's ``DefaultEmbeddingFunction``: it builds a new ONNX session on every call (~0.4 s
per query) and pads every text to 256 tokens (~19 sentences/s on 2 cores). This class keeps one
session and one tokenizer and pads each batch only to its longest text (~150-180 sentences/s on
2 cores). The files are Chroma's own ONNX export, found or downloaded by ``knowledge.model_files``.

If the model cannot be loaded, ``load_embedder`` logs one warning saying what is missing and how to
fix it, and returns ``None``: retrieval then runs lexical-only (BM25) instead of failing.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.model_files import MODEL_NAME, REQUIRED_FILES, ModelFiles, download, locate, missing_advice

if TYPE_CHECKING:
    from settings import Settings

log = logging.getLogger(__name__)

__all__ = ["DIMENSIONS", "MODEL_NAME", "REQUIRED_FILES", "MiniLMEmbedding", "embedder_for", "load_embedder"]

DIMENSIONS = 384
# sentence-transformers' max_seq_length for this model; longer texts are truncated (chunks are
# sized to ~250 words so little is lost).
MAX_TOKENS = 256


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Chroma-compatible embedding function: one ONNX session, pad-to-longest batches."""

    def __init__(self, model_dir: str | Path, batch_size: int = 32) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        # tokenizer.json ships with fixed 128-token padding; we truncate at the model's 256 and pad
        # only to the longest text of each batch.
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # keep onnxruntime's own chatter out of our logs
        self._session = onnxruntime.InferenceSession(
            str(self.model_dir / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        # onnxruntime sessions are thread-safe for run(), the tokenizer's padding state is not.
        self._lock = threading.Lock()

    def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 - Chroma's protocol name
        texts = [str(t) for t in input]
        if not texts:
            return []
        # Sorting by length keeps texts of similar size in one batch, so padding stays small.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            vectors = self._embed_batch([texts[i] for i in idx])
            for i, vec in zip(idx, vectors):
                out[i] = vec
        return [v for v in out if v is not None]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # [batch, seq, 384]
        # Mean pooling over real tokens, then L2 normalisation (what sentence-transformers does).
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    @staticmethod
    def name() -> str:
        return "ladder-minilm-l6-v2"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"model_dir": str(self.model_dir)}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "MiniLMEmbedding":
        embedder = load_embedder(Path(config["model_dir"]))
        if embedder is None:
            raise ValueError(f"embedding model not found in {config['model_dir']}")
        return embedder


# --------------------------------------------------------------------------- one per process

# Keyed by (folder, whether a download may fill it): a folder that failed with downloads off may still succeed
# when another caller allows them. A model that loaded is stored under both.
_cache: dict[tuple[Path, bool], MiniLMEmbedding | None] = {}
_cache_lock = threading.Lock()


def embedder_for(settings: Settings) -> MiniLMEmbedding | None:
    """The embedder the settings ask for: EMBEDDING_MODEL_DIR, else Chroma's cache (downloading if allowed)."""
    return load_embedder(
        settings.embedding_model_dir, download=settings.embedding_download, not_downloaded_because="EMBEDDING_DOWNLOAD=false"
    )


def load_embedder(
    model_dir: Path | None = None, *, download: bool = False, not_downloaded_because: str = "this tool does not download"
) -> MiniLMEmbedding | None:
    """The process-wide embedder, or None after one warning (callers then go lexical-only).

    ``model_dir`` (EMBEDDING_MODEL_DIR) is a local copy, used as it is. Without one, the model is taken from
    Chroma's download cache; when it is not there and ``download`` allows it, Chroma's own download fetches it
    first. Downloading is off unless asked for, so no caller goes online by accident; ``not_downloaded_because``
    tells the person reading the warning what kept it off.
    """
    files = locate(model_dir)
    may_download = download and not files.configured
    key = (files.folder.resolve(), may_download)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        embedder = _load(files, may_download, not_downloaded_because)
        _cache[key] = embedder
        if embedder is not None:
            _cache[(key[0], not may_download)] = embedder
        return embedder


def _load(files: ModelFiles, may_download: bool, not_downloaded_because: str) -> MiniLMEmbedding | None:
    if not files.present and may_download:
        try:
            files = download()
        except Exception as exc:  # noqa: BLE001 - offline, a proxy, a full disk: lexical search still works
            log.warning("embedding model %s; knowledge search runs lexical-only", missing_advice(files, error=exc))
            return None
    if not files.present:
        advice = missing_advice(files, not_downloaded_because=not_downloaded_because)
        log.warning("embedding model %s; knowledge search runs lexical-only", advice)
        return None
    try:
        return MiniLMEmbedding(files.folder)
    except Exception as exc:  # noqa: BLE001 - a broken model must not stop the bot
        log.warning(
            "embedding model in %s could not be loaded (%s: %s); knowledge search runs lexical-only",
            files.folder,
            type(exc).__name__,
            exc,
        )
        return None
