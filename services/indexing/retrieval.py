"""Retrieval over a profile's chunks: BM25 (`bm25s`), cosine over the stored
vectors, and their reciprocal-rank fusion; visibility decides what a visitor may
read. A profile's index is loaded once per process and cached until it is
re-indexed."""

from __future__ import annotations

import contextlib
import logging
import math
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import bm25s
import numpy as np

from models.indexing import ProfileChunk, ProfileIndex
from models.profiles import (
    Profile,
)
from services import embeddings
from services.embeddings import EmbeddingUnavailable

if TYPE_CHECKING:
    from settings import Settings


from services.indexing.chunks import SECTION_MODELS, tokenize, unpack
from services.indexing.runs import touch

log = logging.getLogger("careergraph.indexing")

# -- retrieval -------------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    chunk: ProfileChunk
    score: float
    bm25: float
    cosine: float
    bm25_rank: int | None = None
    cosine_rank: int | None = None


@dataclass(slots=True)
class _Index:
    key: tuple[Any, ...]
    chunks: list[ProfileChunk]
    bm25: bm25s.BM25 | None
    vectors: np.ndarray[Any, Any]
    model: str
    vocab: set[str] = field(default_factory=set)


_cache: OrderedDict[int, _Index] = OrderedDict()
_CACHE_SIZE = 256


def visible(chunk: ProfileChunk, profile: Profile) -> bool:
    """Whether a visitor may read the chunk: public profile content only, never
    a hidden section, never a contact field the owner does not show, never the
    master resume."""
    vis = chunk.visibility
    if vis == "public":
        return True
    if vis == "email":
        return profile.show_email
    if vis == "phone":
        return profile.show_phone
    if vis in SECTION_MODELS:
        return vis not in set(profile.hidden_sections)
    return False


def _build(chunks: list[ProfileChunk], key: tuple[Any, ...]) -> _Index:
    corpus = [c.tokens or ["\u2205"] for c in chunks]
    retriever: bm25s.BM25 | None = None
    if chunks:
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
    dim = chunks[0].dim if chunks else 0
    vectors = (
        np.vstack([unpack(c.vector, c.dim) for c in chunks])
        if chunks and all(c.dim == dim for c in chunks)
        else np.zeros((len(chunks), max(dim, 1)), dtype=np.float32)
    )
    return _Index(
        key=key,
        chunks=chunks,
        bm25=retriever,
        vectors=vectors,
        model=chunks[0].model if chunks else "",
        vocab={t for doc in corpus for t in doc},
    )


async def load_index(profile_id: int, last_indexed_at: datetime | None) -> _Index:
    key = (profile_id, last_indexed_at)
    cached = _cache.get(profile_id)
    if cached is not None and cached.key == key:
        _cache.move_to_end(profile_id)
        return cached
    chunks = list(await ProfileChunk.filter(profile_id=profile_id).order_by("position"))
    built = _build(chunks, key)
    _cache[profile_id] = built
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return built


RRF_K = 5.0


def rank(
    index: _Index,
    *,
    query: str,
    query_vector: Sequence[float] | None,
    allowed: Sequence[bool],
    mode: str = "hybrid",
    ignore: Iterable[str] = (),
) -> list[Hit]:
    """Score every allowed chunk: BM25, cosine, and their reciprocal-rank fusion
    (`mode` hybrid, bm25 or embeddings). Best first."""
    n = len(index.chunks)
    if n == 0:
        return []
    skip = set(ignore)
    terms = [t for t in tokenize(query) if t in index.vocab and t not in skip]
    bm25 = (
        np.asarray(index.bm25.get_scores(terms), dtype=np.float64)
        if terms and index.bm25 is not None
        else np.zeros(n)
    )
    if query_vector is not None and index.vectors.shape[1] == len(query_vector):
        cos = index.vectors @ np.asarray(query_vector, dtype=np.float32)
    else:
        cos = np.zeros(n, dtype=np.float32)
    ids = [i for i in range(n) if allowed[i]]
    by_bm25 = sorted((i for i in ids if bm25[i] > 0), key=lambda i: -bm25[i])
    by_cos = sorted(ids, key=lambda i: -cos[i]) if query_vector is not None else []
    bm25_rank = {i: r for r, i in enumerate(by_bm25)}
    cos_rank = {i: r for r, i in enumerate(by_cos)}
    hits = []
    for i in ids:
        if mode == "bm25":
            score = float(bm25[i])
        elif mode == "embeddings":
            score = float(cos[i])
        else:
            score = 0.0
            if i in bm25_rank:
                score += 1.0 / (RRF_K + bm25_rank[i])
            if i in cos_rank:
                score += 1.0 / (RRF_K + cos_rank[i])
        hits.append(
            Hit(
                chunk=index.chunks[i],
                score=score,
                bm25=float(bm25[i]),
                cosine=float(cos[i]),
                bm25_rank=bm25_rank.get(i),
                cosine_rank=cos_rank.get(i),
            )
        )
    hits.sort(key=lambda h: (-h.score, h.chunk.position))
    return hits


async def search(
    *,
    profile: Profile,
    query: str,
    settings: Settings,
    public_only: bool = True,
    mode: str = "hybrid",
) -> list[Hit]:
    """The profile's chunks ranked for `query`. A query embedding from another
    model than the indexed one is not used (BM25 alone), and marks the profile
    dirty so it is indexed again with the current model."""
    state = await ProfileIndex.get_or_none(profile_id=profile.id)
    if state is None or state.last_indexed_at is None:
        return []
    index = await load_index(profile.id, state.last_indexed_at)
    allowed = [(visible(c, profile) if public_only else True) for c in index.chunks]
    query_vector: list[float] | None = None
    if mode != "bm25":
        try:
            embedder = await embeddings.embedder_for(
                organization_id=profile.organization_id, settings=settings
            )
            if embedder.model == index.model:
                query_vector = (await embedder.embed([query]))[0]
            else:
                with contextlib.suppress(Exception):
                    await touch(organization_id=profile.organization_id)
        except EmbeddingUnavailable:
            query_vector = None  # lexical only while the model is down
    # the owner's name is in the question ("where did Ada study?") but says
    # nothing about which passage answers it
    name = tokenize(profile.full_name or "")
    hits = rank(
        index,
        query=query,
        query_vector=query_vector,
        allowed=allowed,
        mode=mode,
        ignore=name,
    )
    if query_vector is None and mode == "hybrid":
        hits = [h for h in hits if h.bm25 > 0] or hits
    return hits


def relevant(hits: Sequence[Hit], *, limit: int = 3) -> list[Hit]:
    """The hits good enough to answer from: some lexical match, or a strong
    semantic one."""
    out = [h for h in hits if h.bm25 > 0 or h.cosine >= COSINE_FLOOR]
    return out[:limit]


COSINE_FLOOR = 0.45


def norm(vector: Sequence[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))
