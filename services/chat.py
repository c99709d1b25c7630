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

import csv
import hashlib
import hmac
import io
import json
import logging
import re
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from models.accounts import Organization
from models.chat import ChatMessage, Conversation
from models.profiles import Profile
from services import files, indexing, profiles
from services.accounts import Actor, RequestMeta
from services.errors import NotFound, PlanRequired, RateLimited, ValidationFailed
from services.ratelimit import MemoryRateLimiter, RateLimiter
from services.tailoring import refine
from services.tailoring.engines import model_for
from settings import Settings

log = logging.getLogger("careergraph.chat")

MAX_QUESTION_CHARS = 500
MAX_CITATIONS = 3
MAX_SNIPPET_CHARS = 300
MAX_RANGE_DAYS = 366
TRANSCRIPT_PLANS = frozenset({"pro", "enterprise"})
INSIGHT_EXPORT_PLANS = frozenset({"starter", "pro", "enterprise"})
EXPORT_KEEP = timedelta(days=1)
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


# -- transcripts (Pro) -----------------------------------------------------------------


async def plan_of(organization_id: int) -> str:
    org = await Organization.get(id=organization_id).only("id", "plan")
    return str(org.plan)


async def require_plan(organization_id: int, plans: frozenset[str], what: str) -> None:
    if await plan_of(organization_id) not in plans:
        needed = "Pro" if "starter" not in plans else "Starter"
        raise PlanRequired(f"{what} need the {needed} plan or above")


def _range(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    if start and end and end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    low = (
        datetime.combine(start, time.min, UTC)
        if start
        else datetime.min.replace(tzinfo=UTC)
    )
    high = (
        datetime.combine(end + timedelta(days=1), time.min, UTC)
        if end
        else datetime.max.replace(tzinfo=UTC)
    )
    return low, high


async def list_transcripts(
    *,
    actor: Actor,
    first: int,
    before_id: int | None,
    start: date | None,
    end: date | None,
) -> list[Conversation]:
    """Newest first, keyset by id; `first` + 1 rows so the caller knows if more."""
    await require_plan(actor.organization_id, TRANSCRIPT_PLANS, "Transcripts")
    low, high = _range(start, end)
    query = Conversation.filter(
        organization_id=actor.organization_id, created_at__gte=low, created_at__lt=high
    )
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return list(await query.order_by("-id").limit(first + 1))


async def messages_of(
    *, organization_id: int, conversation_ids: Sequence[int]
) -> dict[int, list[ChatMessage]]:
    rows = await ChatMessage.filter(
        organization_id=organization_id, conversation_id__in=list(conversation_ids)
    ).order_by("id")
    out: dict[int, list[ChatMessage]] = {i: [] for i in conversation_ids}
    for row in rows:
        out[row.conversation_id].append(row)
    return out


async def get_transcript(*, actor: Actor, transcript_id: int) -> Conversation:
    await require_plan(actor.organization_id, TRANSCRIPT_PLANS, "Transcripts")
    row = await Conversation.get_or_none(
        id=transcript_id, organization_id=actor.organization_id
    )
    if row is None:
        raise NotFound("Transcript not found", field=["id"])
    return row


async def get_transcripts(
    *, organization_id: int, ids: Sequence[int]
) -> list[Conversation]:
    """For node(id:): nothing below Pro (as if the rows did not exist)."""
    if await plan_of(organization_id) not in TRANSCRIPT_PLANS:
        return []
    return list(
        await Conversation.filter(organization_id=organization_id, id__in=list(ids))
    )


async def delete_transcript(*, actor: Actor, transcript_id: int) -> int:
    row = await get_transcript(actor=actor, transcript_id=transcript_id)
    await row.delete()
    return transcript_id


# -- insights --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayEngagement:
    day: date
    conversations: int
    questions: int
    answered: int
    unanswered: int


@dataclass(frozen=True, slots=True)
class Engagement:
    days: list[DayEngagement]
    top_questions: list[tuple[str, int]]
    most_cited_sections: list[tuple[str, int]]


def _question_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s+#]", " ", text.casefold()).split())


async def engagement(*, organization_id: int, start: date, end: date) -> Engagement:
    """Per UTC day from `start` to `end`: conversations started, questions,
    answered and unanswered; the most asked questions and the most cited
    sections of the range."""
    if end < start:
        raise ValidationFailed("`to` must not be before `from`", field=["to"])
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"A range covers at most {MAX_RANGE_DAYS} days", field=["from"]
        )
    low, high = _range(start, end)
    started = await Conversation.filter(
        organization_id=organization_id, created_at__gte=low, created_at__lt=high
    ).values_list("created_at", flat=True)
    messages = await ChatMessage.filter(
        organization_id=organization_id, created_at__gte=low, created_at__lt=high
    ).values_list("created_at", "answered", "question", "citations")
    conversations: Counter[date] = Counter(
        d.astimezone(UTC).date()  # type: ignore[attr-defined]
        for d in started
    )
    questions: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    asked: Counter[str] = Counter()
    wording: dict[str, str] = {}
    sections: Counter[str] = Counter()
    for created_at, was_answered, question, citations in messages:
        day = created_at.astimezone(UTC).date()
        questions[day] += 1
        if was_answered:
            answered[day] += 1
        key = _question_key(question)
        asked[key] += 1
        wording.setdefault(key, question)
        for citation in citations or []:
            sections[str(citation.get("section"))] += 1
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return Engagement(
        days=[
            DayEngagement(
                day=d,
                conversations=conversations[d],
                questions=questions[d],
                answered=answered[d],
                unanswered=questions[d] - answered[d],
            )
            for d in days
        ],
        top_questions=[
            (wording[k], n)
            for k, n in sorted(asked.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        most_cited_sections=sorted(sections.items(), key=lambda kv: (-kv[1], kv[0])),
    )


# -- exports ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExportLink:
    url: str
    expires_at: datetime
    filename: str
    content_type: str
    content: str


async def _publish_export(
    *,
    actor: Actor,
    signer: files.Signer,
    base_url: str,
    kind: str,
    fmt: str,
    content: str,
) -> ExportLink:
    filename = f"{kind}.{fmt.lower()}"
    content_type = "application/json" if fmt == "JSON" else "text/csv"
    url, expires_at = await files.publish(
        signer=signer,
        base_url=base_url,
        organization_id=actor.organization_id,
        kind=f"export:{kind}",
        filename=filename,
        content_type=content_type,
        data=content.encode(),
        keep_for=EXPORT_KEEP,
    )
    return ExportLink(url, expires_at, filename, content_type, content)


def _check_format(fmt: str) -> None:
    if fmt not in ("JSON", "CSV"):
        raise ValidationFailed(f"Unknown format {fmt!r}", field=["format"])


async def export_transcripts(
    *,
    actor: Actor,
    fmt: str,
    start: date | None,
    end: date | None,
    signer: files.Signer,
    base_url: str,
) -> ExportLink:
    _check_format(fmt)
    await require_plan(actor.organization_id, TRANSCRIPT_PLANS, "Transcripts")
    low, high = _range(start, end)
    conversations = list(
        await Conversation.filter(
            organization_id=actor.organization_id,
            created_at__gte=low,
            created_at__lt=high,
        ).order_by("id")
    )
    messages = await messages_of(
        organization_id=actor.organization_id,
        conversation_ids=[c.id for c in conversations],
    )
    if fmt == "JSON":
        document = [
            {
                "id": c.id,
                "visitor": c.visitor_hash,
                "created_at": c.created_at.isoformat(),
                "messages": [
                    {
                        "question": m.question,
                        "answer": m.answer,
                        "answered": m.answered,
                        "citations": m.citations,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in messages[c.id]
                ],
            }
            for c in conversations
        ]
        content = json.dumps(document, ensure_ascii=False, indent=2)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "transcript_id",
                "visitor",
                "asked_at",
                "question",
                "answer",
                "answered",
                "cited_sections",
            ]
        )
        for c in conversations:
            for m in messages[c.id]:
                writer.writerow(
                    [
                        c.id,
                        c.visitor_hash,
                        m.created_at.isoformat(),
                        _csv_safe(m.question),
                        _csv_safe(m.answer),
                        "true" if m.answered else "false",
                        ";".join(str(x.get("section")) for x in m.citations),
                    ]
                )
        content = out.getvalue()
    return await _publish_export(
        actor=actor,
        signer=signer,
        base_url=base_url,
        kind="transcripts",
        fmt=fmt,
        content=content,
    )


def _csv_safe(value: str) -> str:
    """Visitors write these: a leading =, +, - or @ would run as a spreadsheet
    formula, so such a cell starts with an apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


async def export_insights(
    *,
    actor: Actor,
    fmt: str,
    start: date,
    end: date,
    signer: files.Signer,
    base_url: str,
) -> ExportLink:
    _check_format(fmt)
    await require_plan(actor.organization_id, INSIGHT_EXPORT_PLANS, "Insight exports")
    data = await engagement(organization_id=actor.organization_id, start=start, end=end)
    views = await profiles.insights(
        organization_id=actor.organization_id, start=start, end=end
    )
    view_of = dict(views)
    if fmt == "JSON":
        document = {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "days": [
                {
                    "day": d.day.isoformat(),
                    "views": view_of.get(d.day, 0),
                    "conversations": d.conversations,
                    "questions": d.questions,
                    "answered": d.answered,
                    "unanswered": d.unanswered,
                }
                for d in data.days
            ],
            "top_questions": [
                {"question": q, "count": n} for q, n in data.top_questions
            ],
            "most_cited_sections": [
                {"section": s, "count": n} for s, n in data.most_cited_sections
            ],
        }
        content = json.dumps(document, ensure_ascii=False, indent=2)
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["day", "views", "conversations", "questions", "answered", "unanswered"]
        )
        for d in data.days:
            writer.writerow(
                [
                    d.day.isoformat(),
                    view_of.get(d.day, 0),
                    d.conversations,
                    d.questions,
                    d.answered,
                    d.unanswered,
                ]
            )
        content = out.getvalue()
    return await _publish_export(
        actor=actor,
        signer=signer,
        base_url=base_url,
        kind="insights",
        fmt=fmt,
        content=content,
    )
