"""Text embeddings behind one small interface: the offline wordllama model (its
256-d `l2_supercat` weights ship inside the wheel; no network), or an
organization's configured OpenAI-compatible `/v1/embeddings`.

Minimal version written with the agents domain; the indexing domain owns and
extends it. Public surface: `Embedder`, `offline_embedder`, `embedder_for`,
`cosine`.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

OFFLINE_MODEL = "wordllama-l2_supercat-256"


class Embedder(Protocol):
    engine: str  # "offline" or "openai"
    model: str

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text."""
        ...


@functools.cache
def _wordllama() -> Any:
    import wordllama
    from wordllama import WordLlama

    # The wheel holds the tokenizer under `tokenizers/` while WordLlama looks in
    # `tokenizer/` and then `<cache_dir>/tokenizers/`: the package directory as
    # the cache directory finds it, and downloads stay off.
    package = Path(wordllama.__file__).parent
    return WordLlama.load(
        config="l2_supercat", dim=256, cache_dir=package, disable_download=True
    )


class OfflineEmbedder:
    engine = "offline"
    model = OFFLINE_MODEL

    def embed_sync(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = _wordllama().embed(list(texts), norm=True)
        return [[float(x) for x in row] for row in vectors]

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_sync, texts)


@functools.cache
def offline_embedder() -> OfflineEmbedder:
    return OfflineEmbedder()


class OpenAIEmbedder:
    engine = "openai"

    def __init__(self, *, base_url: str, api_key: str, model: str) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.model = model

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        from openai import AsyncOpenAI

        client = AsyncOpenAI(
            base_url=self.base_url or None,
            api_key=self.api_key or "none",
            timeout=30.0,
            max_retries=1,
        )
        try:
            answer = await client.embeddings.create(model=self.model, input=list(texts))
        finally:
            await client.close()
        return [_normalised(item.embedding) for item in answer.data]


def _normalised(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


async def embedder_for(*, organization_id: int) -> Embedder:
    """The organization's configured OpenAI-compatible embeddings, else offline."""
    from services.llm import config as llm_config
    from settings import Settings

    config = await llm_config.get_config(organization_id=organization_id)
    if config.provider != "openai" or not config.api_base:
        return offline_embedder()
    key = llm_config.decrypt_key(
        Settings.from_env().secret_key, config.api_key_encrypted
    )
    return OpenAIEmbedder(
        base_url=config.api_base,
        api_key=key or "",
        model=config.model or "text-embedding-3-small",
    )


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else 0.0
