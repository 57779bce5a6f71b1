"""The embedding model: one per process, Chroma-compatible, pad-to-longest, and optional."""

from __future__ import annotations

import logging

import chromadb
import numpy as np

from kb_helpers import index_files
from knowledge.answer import Answerer
from knowledge.embedding import MiniLMEmbedding, load_embedder
from knowledge.index import KnowledgeIndex
from settings import load_settings


def test_one_model_per_process(embedder, shared_model_dir):
    assert load_embedder(shared_model_dir) is embedder
    assert load_embedder(shared_model_dir / "onnx") is embedder  # the onnx/ folder itself works too
    assert load_embedder(shared_model_dir, download=True) is embedder  # a named folder is never downloaded into


def test_batches_pad_to_their_longest_text_and_match_single_embeddings(embedder):
    texts = ["Parental leave.", "How many vacation days do I get per year if I work four days a week?"]
    encodings = embedder._tokenizer.encode_batch(texts)
    assert len({len(e.ids) for e in encodings}) == 1
    assert len(encodings[0].ids) == len(embedder._tokenizer.encode(texts[1]).ids) < 64  # not 256
    together = np.asarray(embedder(texts))
    alone = np.asarray([embedder([t])[0] for t in texts])
    assert together.shape == (2, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(together * alone, axis=1) > 0.9999)


def test_usable_as_a_chroma_embedding_function(embedder, tmp_path):
    client = chromadb.PersistentClient(path=str(tmp_path / "chroma"))
    collection = client.get_or_create_collection("ef-check", embedding_function=embedder)
    collection.add(ids=["a", "b"], documents=["Paternity leave is eight weeks.", "The meal allowance is 45 euros."])
    result = collection.query(query_texts=["how long is leave for new fathers"], n_results=1)
    assert result["ids"][0] == ["a"]
    assert MiniLMEmbedding.name() == "ladder-minilm-l6-v2"
    assert MiniLMEmbedding.build_from_config(embedder.get_config()) is embedder


def test_missing_model_means_lexical_only_with_one_warning(tmp_path, caplog, handbook):
    empty = tmp_path / "no-model"
    empty.mkdir()
    settings = load_settings(data_dir=tmp_path / "var", embedding_model_dir=empty)
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert load_embedder(settings.embedding_model_dir) is None
        assert load_embedder(settings.embedding_model_dir) is None
        index = KnowledgeIndex.from_settings(settings)
    warnings = [r for r in caplog.records if r.name == "knowledge.embedding"]
    assert len(warnings) == 1
    message = warnings[0].getMessage()
    assert "model.onnx" in message and str(empty) in message and "point EMBEDDING_MODEL_DIR at" in message

    assert index.lexical_only
    index_files(index, handbook / "parental-leave.md", handbook / "expenses.html")
    hits = index.search("paternity leave weeks", {"everyone"}, k=2)
    assert hits and hits[0].vector_similarity is None
    answer = Answerer(index, settings, chat_model=None).answer("how many weeks of paternity leave", {"everyone"})
    assert answer.answered and "8 weeks" in answer.text


def test_a_broken_model_file_is_a_warning_not_a_crash(tmp_path, caplog, embedder):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "model.onnx").write_bytes(b"not an onnx graph")
    (broken / "tokenizer.json").write_text((embedder.model_dir / "tokenizer.json").read_text())
    with caplog.at_level(logging.WARNING, logger="knowledge.embedding"):
        assert load_embedder(broken) is None
    assert "could not be loaded" in caplog.text
