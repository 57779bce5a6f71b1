from __future__ import annotations

import pytest

from knowledge.embedding import load_embedder


@pytest.fixture(scope="session")
def embedder():
    model = load_embedder(None)  # the shared offline copy next to the repository
    if model is None:
        pytest.skip("all-MiniLM-L6-v2 not available in ../shared/models")
    return model
