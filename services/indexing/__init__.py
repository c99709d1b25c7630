"""Profile indexing (a package: `chunks` cuts the profile, `runs` keeps the index
state and runs the debounced jobs, `retrieval` ranks chunks for a question).

Callers use this surface: `touch`/`changed` (mark a profile dirty), `clear`,
`request_reindex`, `run`, `claim_stuck`, `get_state`/`status`, `channel`/`event`
(live progress), `search`/`relevant`/`visible` (the chat), `IndexDeps`/`set_deps`.
"""

from __future__ import annotations

from models.indexing import ProfileChunk, ProfileIndex
from models.profiles import Profile
from services import embeddings
from services.indexing.chunks import (
    SECTION_MODELS,
    Draft,
    chunk_tokens,
    collect,
    embed_text,
    profile_drafts,
    resume_drafts,
    tokenize,
)
from services.indexing.retrieval import (
    COSINE_FLOOR,
    Hit,
    load_index,
    rank,
    relevant,
    search,
    visible,
)
from services.indexing.runs import (
    STATES,
    TERMINAL,
    IndexDeps,
    IndexStatus,
    Superseded,
    changed,
    channel,
    claim_stuck,
    clear,
    current_deps,
    event,
    get_state,
    request_reindex,
    reset_deps,
    run,
    set_deps,
    status,
    status_of,
    touch,
)
from settings import Settings

__all__ = [
    "COSINE_FLOOR",
    "SECTION_MODELS",
    "STATES",
    "TERMINAL",
    "Draft",
    "Hit",
    "IndexDeps",
    "IndexStatus",
    "Profile",
    "ProfileChunk",
    "ProfileIndex",
    "Settings",
    "Superseded",
    "changed",
    "channel",
    "chunk_tokens",
    "claim_stuck",
    "clear",
    "collect",
    "current_deps",
    "embed_text",
    "embeddings",
    "event",
    "get_state",
    "load_index",
    "profile_drafts",
    "rank",
    "relevant",
    "request_reindex",
    "reset_deps",
    "resume_drafts",
    "run",
    "search",
    "set_deps",
    "status",
    "status_of",
    "tokenize",
    "touch",
    "visible",
]
