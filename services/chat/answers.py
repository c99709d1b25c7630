"""Visitor chat with a public profile, its transcripts and engagement insights.

`ask` answers an anonymous visitor's question from the profile's public chunks
only (`indexing.visible`: no hidden section, no contact field the owner hides, no
master resume). Offline the answer is extractive: the best sentences of the best
chunks, each cited. With a model (the organization's, `model_for`), the model
writes from the same excerpts and every sentence then passes the tailoring
truthfulness check (`refine.align_text`): a number, employer, school, skill or
name absent from the public profile removes the sentence; nothing left means the
extractive answer is used. No relevant chunk means a plain "not in the profile".

Every question is stored with its conversation; the visitor is only an HMAC of
the IP and the user-agent family under a key derived from SECRET_KEY. Reading
transcripts needs Pro; insights exports need Starter.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.chat import ChatMessage, Conversation
from models.profiles import Profile
from services import indexing
from services.accounts import RequestMeta
from services.errors import NotFound, RateLimited, ValidationFailed
from services.ratelimit import MemoryRateLimiter, RateLimiter
from services.tailoring import refine
from services.tailoring.engines import model_for
from settings import Settings

log = logging.getLogger("careergraph.chat")

MAX_QUESTION_CHARS = 500
MAX_CITATIONS = 3
MAX_SNIPPET_CHARS = 300
USERNAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
SYSTEM_PROMPT = (
    "You answer a visitor's question about the person whose profile excerpts are "
    "given, in at most three sentences, using only facts stated in the excerpts. "
    "Never add an employer, school, skill, date or number that the excerpts do not "
    "state. If the excerpts do not answer the question, say that the profile does "
    'not say. Answer as JSON: {"answer": "...", "sources": [excerpt numbers]}.'
)
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "sources": {"type": "array", "items": {"type": "integer"}},
    },
    "required": ["answer"],
}


@dataclass(frozen=True, slots=True)
class Citation:
    section: str
    entry_id: int | None
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "entry_id": self.entry_id,
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    answer: str
    answered: bool
    citations: list[Citation]
    conversation_id: str
    engine: str
    removed: int  # model sentences the truthfulness check removed


@dataclass(slots=True)
class ChatDeps:
    settings: Settings
    limiter: RateLimiter | MemoryRateLimiter


# -- visitors --------------------------------------------------------------------------


def user_agent_family(user_agent: str) -> str:
    ua = user_agent.casefold()
    for needle, family in (
        ("edg/", "edge"),
        ("opr/", "opera"),
        ("firefox/", "firefox"),
        ("chrome/", "chrome"),
        ("safari/", "safari"),
        ("curl/", "curl"),
        ("python", "python"),
        ("bot", "bot"),
    ):
        if needle in ua:
            return family
    return "other" if ua else "none"


def visitor_hash(*, secret_key: str, ip: str, user_agent: str) -> str:
    """HMAC-SHA256 of the IP and the user-agent family; without the server's key
    the hash cannot be tested against guessed addresses."""
    key = hashlib.sha256(b"visitor:" + secret_key.encode()).digest()
    message = f"{ip}|{user_agent_family(user_agent)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# -- answering -------------------------------------------------------------------------


def clean_question(question: str) -> str:
    text = " ".join(question.split())
    if not text:
        raise ValidationFailed("Ask a question", field=["question"])
    if len(text) > MAX_QUESTION_CHARS:
        raise ValidationFailed(
            f"A question is at most {MAX_QUESTION_CHARS} characters",
            field=["question"],
        )
    return text


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _snippet(text: str, query_terms: set[str]) -> str:
    """The chunk's head (what the entry is) and its sentence that shares most
    words with the question, cut to MAX_SNIPPET_CHARS."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    if len(sentences) <= 2:
        out = " ".join(sentences)
    else:
        head, rest = sentences[0], sentences[1:]
        best = max(
            rest,
            key=lambda s: (len(query_terms & set(indexing.tokenize(s))), -len(s)),
        )
        out = f"{head} {best}"
    if len(out) > MAX_SNIPPET_CHARS:
        out = out[: MAX_SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return out


def extractive(
    hits: Sequence[indexing.Hit], question: str
) -> tuple[str, list[Citation]]:
    terms = set(indexing.tokenize(question))
    citations = [
        Citation(h.chunk.section, h.chunk.entry_id, _snippet(h.chunk.text, terms))
        for h in hits
    ]
    return " ".join(c.snippet for c in citations), citations


def not_found_answer(profile: Profile) -> str:
    name = profile.full_name or profile.username or "this person"
    return f"I could not find that in {name}'s profile."


async def _model_answer(
    *,
    profile: Profile,
    question: str,
    hits: Sequence[indexing.Hit],
    evidence_texts: Sequence[str],
    settings: Settings,
) -> tuple[str, list[int], int] | None:
    """The model's checked answer, the excerpt numbers it cites, and how many
    sentences the check removed; None without a model or when it fails."""
    try:
        model = await model_for(
            organization_id=profile.organization_id, settings=settings
        )
    except Exception:  # the configured address is refused now: answer offline
        return None
    if model is None:
        return None
    excerpts = "\n".join(f"[{i + 1}] {h.chunk.text}" for i, h in enumerate(hits))
    name = profile.full_name or profile.username or "the owner"
    try:
        result = await model.complete_json(
            system=SYSTEM_PROMPT,
            user=f"Profile of {name}.\nExcerpts:\n{excerpts}\n\nQuestion: {question}",
            schema_name="ProfileAnswer",
            schema=ANSWER_SCHEMA,
        )
    except Exception as exc:
        log.warning("chat model failed, answering offline: %s", exc)
        return None
    if not isinstance(result, dict) or not isinstance(result.get("answer"), str):
        return None
    evidence = refine.Evidence(
        {"excerpts": list(evidence_texts)},
        allowed=[profile.full_name, profile.username],
    )
    drafted = result["answer"][:4000]
    text, _violations = refine.align_text(drafted, evidence=evidence, location="answer")
    removed = len(_sentences(drafted)) - len(_sentences(text))
    sources = [
        int(s)
        for s in result.get("sources") or []
        if isinstance(s, int) and 1 <= s <= len(hits)
    ]
    return text, sources, removed


async def _visible_texts(profile: Profile) -> list[str]:
    state = await indexing.get_state(organization_id=profile.organization_id)
    index = await indexing.load_index(profile.id, state.last_indexed_at)
    return [c.text for c in index.chunks if indexing.visible(c, profile)]


async def answer_question(
    *, profile: Profile, question: str, settings: Settings
) -> tuple[str, bool, list[Citation], str, int]:
    hits = await indexing.search(profile=profile, query=question, settings=settings)
    best = indexing.relevant(hits, limit=MAX_CITATIONS)
    if not best:
        return not_found_answer(profile), False, [], "offline", 0
    text, citations = extractive(best, question)
    drafted = await _model_answer(
        profile=profile,
        question=question,
        hits=best,
        evidence_texts=await _visible_texts(profile),
        settings=settings,
    )
    if drafted is None:
        return text, True, citations, "offline", 0
    model_text, sources, removed = drafted
    if not model_text:
        return text, True, citations, "offline", removed
    cited = [citations[s - 1] for s in dict.fromkeys(sources)] or citations
    return model_text, True, cited, "openai", removed


async def _profile(username: str) -> Profile:
    name = username.strip().lower()
    profile = (
        await Profile.get_or_none(username=name) if USERNAME_RE.match(name) else None
    )
    if profile is None:
        raise NotFound("No public profile with that username", field=["username"])
    return profile


async def _limit(deps: ChatDeps, meta: RequestMeta) -> None:
    verdict = await deps.limiter.hit(
        f"chat:{meta.ip or 'unknown'}", per_minute=deps.settings.chat_rate_limit
    )
    if not verdict.allowed:
        raise RateLimited(
            f"At most {deps.settings.chat_rate_limit} questions a minute; try again "
            f"in {verdict.retry_after} s",
            retry_after=verdict.retry_after,
        )


async def ask(
    *,
    username: str,
    question: str,
    conversation_id: str | None,
    meta: RequestMeta,
    deps: ChatDeps,
) -> Answer:
    """Answer a visitor and store the exchange in its conversation."""
    text = clean_question(question)
    profile = await _profile(username)
    await _limit(deps, meta)
    answer, answered, citations, engine, removed = await answer_question(
        profile=profile, question=text, settings=deps.settings
    )
    visitor = visitor_hash(
        secret_key=deps.settings.secret_key, ip=meta.ip, user_agent=meta.user_agent
    )
    conversation = None
    if conversation_id:
        conversation = await Conversation.get_or_none(
            token=conversation_id[:64], profile_id=profile.id, visitor_hash=visitor
        )
    if conversation is None:
        conversation = await Conversation.create(
            organization_id=profile.organization_id,
            profile_id=profile.id,
            token=secrets.token_urlsafe(18),
            visitor_hash=visitor,
        )
    await ChatMessage.create(
        organization_id=profile.organization_id,
        conversation_id=conversation.id,
        question=text,
        answer=answer,
        answered=answered,
        citations=[c.as_dict() for c in citations],
        engine=engine,
        removed=removed,
    )
    conversation.question_count += 1
    await conversation.save(update_fields=["question_count", "updated_at"])
    await prune(
        organization_id=profile.organization_id,
        days=deps.settings.transcript_retention_days,
    )
    return Answer(
        answer=answer,
        answered=answered,
        citations=citations,
        conversation_id=conversation.token,
        engine=engine,
        removed=removed,
    )


async def stream(
    *,
    username: str,
    question: str,
    conversation_id: str | None,
    meta: RequestMeta,
    deps: ChatDeps,
) -> AsyncIterator[tuple[str, Answer | None]]:
    """The same answer in pieces (a few words each), then the whole of it. The
    truthfulness check runs on whole sentences, so pieces start once it passed."""
    result = await ask(
        username=username,
        question=question,
        conversation_id=conversation_id,
        meta=meta,
        deps=deps,
    )
    words = result.answer.split(" ")
    for start in range(0, len(words), 4):
        piece = " ".join(words[start : start + 4])
        yield (piece if start == 0 else " " + piece), None
    yield "", result


async def prune(*, organization_id: int, days: int) -> int:
    """Delete conversations idle for longer than the retention period."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    return await Conversation.filter(
        organization_id=organization_id, updated_at__lt=cutoff
    ).delete()
