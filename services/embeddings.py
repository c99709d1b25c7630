"""Text embeddings: offline with wordllama (weights inside its wheel, no network),
or an organization's OpenAI-compatible `/v1/embeddings` when it configured a model.

Every vector is L2-normalised, so `cosine` is a dot product. Callers record
`engine` and `model` with each vector: vectors of different models are never
compared (a model change re-indexes).
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from openai import AsyncOpenAI

from services.llm import config as llm_config

if TYPE_CHECKING:
    from settings import Settings

OFFLINE_MODEL = "wordllama-l2_supercat-256"
DEFAULT_OPENAI_MODEL = "text-embedding-3-small"
MAX_BATCH = 256  # texts per request to a remote model


class EmbeddingUnavailable(Exception):
    """The embedding model could not be reached or answered something unusable."""


class Embedder(Protocol):
    engine: str  # "offline" or "openai"
    model: str

    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


def _normalise(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0:
        return [0.0 for _ in vector]
    return [float(x) / norm for x in vector]


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity; 0.0 for vectors of different sizes or a zero vector."""
    if len(a) != len(b) or not a:
        return 0.0
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0


# -- offline: wordllama ----------------------------------------------------------------

_model_lock = threading.Lock()
_wordllama: Any = None


def _load_wordllama() -> Any:
    """Load wordllama's 256-d `l2_supercat` model from its own wheel.

    wordllama looks for the tokenizer under `<cache_dir>/tokenizers/` after its
    package folder's `tokenizer/` (which the wheel does not have); pointing
    `cache_dir` at the package folder, whose `tokenizers/` holds the file, finds it
    without a download. Downloads are disabled: a missing file fails loudly."""
    global _wordllama
    with _model_lock:
        if _wordllama is None:
            import wordllama
            from wordllama import WordLlama

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            package = Path(wordllama.__file__).parent
            _wordllama = WordLlama.load(
                config="l2_supercat", dim=256, cache_dir=package, disable_download=True
            )
        return _wordllama


@dataclass(slots=True)
class OfflineEmbedder:
    engine: str = "offline"
    model: str = OFFLINE_MODEL

    def embed_sync(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = _load_wordllama().embed(list(texts), norm=True)
        return [[float(x) for x in row] for row in vectors]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        # about 50,000 short texts a second: a profile's chunks take milliseconds,
        # so this runs on the loop unless the batch is large
        if len(texts) <= 64:
            return self.embed_sync(texts)
        return await asyncio.to_thread(self.embed_sync, texts)


_offline = OfflineEmbedder()


def offline_embedder() -> Embedder:
    return _offline


# -- an OpenAI-compatible /v1/embeddings -----------------------------------------------


@dataclass(slots=True)
class OpenAIEmbedder:
    base_url: str
    api_key: str
    model: str
    timeout: float = 60.0
    max_retries: int = 2
    engine: str = "openai"

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        client = AsyncOpenAI(
            api_key=self.api_key or "unset",
            base_url=self.base_url or None,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )
        out: list[list[float]] = []
        try:
            for start in range(0, len(texts), MAX_BATCH):
                batch = list(texts[start : start + MAX_BATCH])
                response = await client.embeddings.create(model=self.model, input=batch)
                rows = sorted(response.data, key=lambda d: d.index)
                if len(rows) != len(batch):
                    raise EmbeddingUnavailable(
                        f"the model returned {len(rows)} vectors for {len(batch)} texts"
                    )
                out.extend(_normalise(row.embedding) for row in rows)
        except EmbeddingUnavailable:
            raise
        except Exception as exc:  # connection, timeout, HTTP status: all "down"
            raise EmbeddingUnavailable(f"embedding request failed: {exc}") from exc
        finally:
            await client.close()
        return out


async def embedder_for(
    *, organization_id: int, settings: Settings | None = None
) -> Embedder:
    """The organization's configured OpenAI-compatible model (its own `apiBase` and
    key, or the instance's when it chose `openai` without them), else offline."""
    if settings is None:
        from settings import Settings as _Settings

        settings = _Settings.from_env()
    config = await llm_config.get_config(
        organization_id=organization_id, default_provider=settings.llm_provider
    )
    if config.provider != "openai":
        return offline_embedder()
    model = settings.embedding_model or DEFAULT_OPENAI_MODEL
    if not (config.api_key_encrypted or config.api_base):
        return OpenAIEmbedder(
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
            model=model,
            timeout=settings.llm_timeout,
        )
    if config.api_base:
        try:
            await llm_config.check_api_base(
                config.api_base, allow_private=settings.allow_private_llm_hosts
            )
        except Exception as exc:  # the name now resolves somewhere refused
            raise EmbeddingUnavailable(str(exc)) from None
    key = llm_config.decrypt_key(settings.secret_key, config.api_key_encrypted)
    return OpenAIEmbedder(
        base_url=config.api_base,
        api_key=key or "",
        model=model,
        timeout=settings.llm_timeout,
    )
