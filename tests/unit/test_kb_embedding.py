"""Embedders: the offline MiniLM model, a missing model, and the OpenAI-compatible path
against a local fake /v1/embeddings server (never a live service)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import numpy as np
import pytest

from sportsgpt.kb.embedding import MiniLMEmbedder, OpenAIEmbedder
from sportsgpt.tools.errors import EmbedderError


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


class _Embeddings(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path.endswith("/embeddings")
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0, 0.0, 2.0]}
            for i, t in enumerate(body["input"])
        ]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        doc = {"object": "list", "data": data, "model": body["model"], "usage": usage}
        payload = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Embeddings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/v1"
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    yield url
    server.shutdown()


def test_openai_compatible_embeddings(fake_openai: str) -> None:
    embedder = OpenAIEmbedder("text-embedding-test")
    assert embedder.dims == 4 and embedder.identity == "openai:text-embedding-test:4"
    vectors = embedder.embed(["ab", "abcd"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert vectors[1, 0] > vectors[0, 0]


def test_openai_endpoint_down_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    with pytest.raises(EmbedderError, match="embedding endpoint failed"):
        OpenAIEmbedder("text-embedding-test")
