"""Embedders: the offline MiniLM model, a missing model, and the OpenAI-compatible path
against a local fake /v1/embeddings server (never a live service)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.kb.embedding import MiniLMEmbedder, OpenAIEmbedder
from sportsgpt.tools.errors import EmbedderError
from tests.fake_openai import FakeOpenAI, fake_openai


def test_minilm_embeds_normalised_and_semantic() -> None:
    embedder = MiniLMEmbedder()
    vectors = embedder.embed(
        ["How many sets of A-skips?", "A-skip drill dose and sets", "barbell bench press"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
    again = embedder.embed(["How many sets of A-skips?"])  # batch and single agree
    np.testing.assert_allclose(again[0], vectors[0], atol=1e-4)
    assert embedder.identity.startswith("all-MiniLM-L6-v2-int8:") and embedder.identity.endswith(
        ":384"
    )


def test_missing_tokenizer_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="embedding model file missing"):
        MiniLMEmbedder(tokenizer_dir=tmp_path)


@pytest.fixture()
def fake_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with fake_openai([]) as fake:
        # the chat model's endpoint setting reaches the embedder too
        monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
        monkeypatch.setenv("SPORTSGPT_LLM_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        monkeypatch.setenv("SPORTSGPT_EMBEDDER", "openai:text-embedding-test")
        yield fake


def test_openai_compatible_embeddings(fake_endpoint: FakeOpenAI) -> None:
    from sportsgpt.kb import KnowledgeBase

    embedder = KnowledgeBase().embedder  # built from the settings, no database needed
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.dims == 4 and embedder.identity == "openai:text-embedding-test:4"
    vectors = embedder.embed(["ab", "abcd"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert vectors[1, 0] > vectors[0, 0]
    assert fake_endpoint.requests[-1]["input"] == ["ab", "abcd"]


def test_openai_endpoint_down_is_a_clear_error() -> None:
    with pytest.raises(EmbedderError, match="embedding endpoint failed"):
        OpenAIEmbedder("text-embedding-test", base_url="http://127.0.0.1:9/v1")
