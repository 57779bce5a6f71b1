"""The classifier: scoring with plain arrays agrees with scikit-learn's own, it is cached, and it works without
the embedding model."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from understanding.catalogue import load
from understanding.classifier import IntentClassifier, analyse, fit, normalise, training_set

CATALOGUE = load()
ROOT_ESCO = __import__("pathlib").Path(__file__).resolve().parents[2] / "demo" / "esco" / "en"
SENTENCES = ["what's my path to data scientist?", "how many vacation days do I have", "approve 12",
             "waht skils do i need for cloud enginer", "🙂", "", "x" * 300]


def test_scoring_here_agrees_with_scikit_learn(embedder):
    """Answering scores the fitted model with numpy (scikit-learn's import is too slow for every process). This
    fits scikit-learn's own pipeline on the same features and compares: it fails if scikit-learn ever weighs
    TF-IDF or multinomial probabilities differently."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from understanding import classifier

    texts, labels = training_set(CATALOGUE)
    texts, labels = texts[::3], labels[::3]
    vectors = np.asarray(embedder(texts), dtype=np.float64)
    compiled = fit(texts, labels, vectors)
    vectorizer = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=classifier.MIN_DOCUMENT_FREQUENCY)
    lexical = vectorizer.fit_transform(texts)
    features = sparse.hstack([lexical, sparse.csr_matrix(vectors * classifier.EMBEDDING_WEIGHT)], format="csr")
    reference = LogisticRegression(C=classifier.REGULARISATION_C, max_iter=3000).fit(features, labels)
    for sentence in SENTENCES:
        text = normalise(sentence)
        vector = np.asarray(embedder([text]), dtype=np.float64)[0]
        ours = compiled.probabilities(text, vector)
        theirs = reference.predict_proba(sparse.hstack([vectorizer.transform([text]),
                                                        sparse.csr_matrix(vector * classifier.EMBEDDING_WEIGHT)]))[0]
        assert list(compiled.labels) == list(reference.classes_)
        assert np.allclose(ours, theirs, atol=1e-4), sentence


def test_the_fitted_model_is_cached_and_a_broken_cache_is_refitted(tmp_path, caplog):
    first = IntentClassifier(CATALOGUE, None, cache_dir=tmp_path)
    [cached] = list(tmp_path.glob("intents-*-lexical.pickle"))
    again = IntentClassifier(CATALOGUE, None, cache_dir=tmp_path)
    assert again.rank("path to dba").intents == first.rank("path to dba").intents
    cached.write_bytes(b"not a pickle")
    with caplog.at_level(logging.INFO, logger="understanding.classifier"):
        repaired = IntentClassifier(CATALOGUE, None, cache_dir=tmp_path)
    assert "retraining" in caplog.text
    assert repaired.rank("path to dba").best == "career_path"


@pytest.mark.parametrize("text,intent", [
    ("what's my path to data scientist?", "career_path"),
    ("what needs my decision", "my_approvals"),
    ("how many vacation days do I get", "policy_question"),
    ("run the agent now", "agent_run"),
])
def test_without_the_embedding_model_words_alone_still_route(tmp_path, text, intent):
    lexical = IntentClassifier(CATALOGUE, None, cache_dir=tmp_path)
    assert not lexical.uses_embeddings
    assert lexical.rank(text).best == intent


def test_probabilities_are_a_distribution_over_every_intent(tmp_path):
    ranking = IntentClassifier(CATALOGUE, None, cache_dir=tmp_path).rank("hello there")
    assert {name for name, _ in ranking.intents} == set(CATALOGUE.names())
    assert abs(sum(p for _, p in ranking.intents) - 1.0) < 1e-6
    assert ranking.intents[0][1] >= ranking.intents[1][1]


def test_a_message_the_words_place_surely_is_not_embedded(embedder, tmp_path):
    from understanding import classifier

    calls: list[list[str]] = []

    def counting(texts):  # the real model, counted
        calls.append(list(texts))
        return embedder(texts)

    hybrid = IntentClassifier(CATALOGUE, counting, cache_dir=tmp_path)
    calls.clear()
    sure = hybrid.rank("what's my path to data scientist?")
    assert sure.best == "career_path" and sure.confidence >= classifier.LEXICAL_SURE and calls == []
    unsure = hybrid.rank("hmm the thing with my boss and the certificate")
    assert calls == [["hmm the thing with my boss and the certificate"]]  # embedded: the words alone were unsure
    assert {name for name, _ in unsure.intents} == set(CATALOGUE.names())


def test_examples_naming_a_role_or_skill_are_also_trained_with_other_names():
    from understanding.classifier import SLOT_VARIANTS, LabelPool

    pool = LabelPool(roles=("lighthouse keeper",), skills=("tightrope walking",))
    plain, _ = training_set(CATALOGUE)
    varied, labels = training_set(CATALOGUE, pool)
    with_slots = sum(1 for i in CATALOGUE.intents for e in i.examples
                     if any({s.name: s.kind for s in i.slots}.get(n) in ("role", "skill") for n, _ in e.spans))
    assert len(varied) == len(plain) + SLOT_VARIANTS * with_slots
    assert any("lighthouse keeper" in t for t, label in zip(varied, labels) if label == "career_path")
    assert any("tightrope walking" in t for t, label in zip(varied, labels) if label == "claim_skill")
    assert LabelPool.from_esco(ROOT_ESCO).roles  # the subset the repository carries


def test_the_sentence_model_is_loaded_only_when_a_message_needs_it(embedder, tmp_path):
    IntentClassifier(CATALOGUE, embedder, cache_dir=tmp_path)  # fitted and cached, as a first start does
    loads: list[int] = []

    def load():
        loads.append(1)
        return embedder

    classifier = IntentClassifier(CATALOGUE, cache_dir=tmp_path, load_embedder=load)
    assert classifier.rank("what's my path to data scientist?").best == "career_path" and loads == []
    classifier.rank("hmm the thing with my boss and the certificate")
    classifier.rank("something else entirely vague")
    assert loads == [1]  # once, on the first message the words alone could not place
