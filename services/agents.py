"""Agents: worker personas of users. CRUD scoped by the caller's organization,
the default agent created with every user, and `match_agents`, which ranks the
PUBLIC agents of every organization for a job description.

Matching is deterministic: a lexical score (the description's terms found in the
agent's document, weighted by their rarity among the candidates) plus the cosine
of embeddings (offline wordllama by default, the organization's model when it
configured one). An agent's document is its name and personality and its owner's
public profile: headline, skills and experience titles, when the profile has a
public username and does not hide those sections.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import numpy as np
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models.agents import Agent
from models.jobs import Job
from models.profiles import Experience, Profile, Skill
from services import embeddings
from services.errors import (
    AgentHasActiveJobs,
    Conflict,
    DefaultAgent,
    NotFound,
    ValidationFailed,
)

if TYPE_CHECKING:
    from services.accounts import Actor
    from settings import Settings

log = logging.getLogger(__name__)

VISIBILITIES = ("PRIVATE", "PUBLIC")
ACTIVE_JOB_STATUSES = ("HELD", "ACCEPTED", "SUBMITTED")
MAX_NAME = 64
MAX_PERSONALITY = 4000
MAX_AVATAR_URL = 2048
MAX_DESCRIPTION = 20_000
MAX_MATCHES = 100
DEFAULT_NAME = "default"
LEXICAL_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.4
# an agent qualifies when it shares a term, or its embedding is this close
SEMANTIC_ONLY_THRESHOLD = 0.6


# -- CRUD ----------------------------------------------------------------------


async def create_default_agent(*, organization_id: int, owner_id: int) -> Agent:
    """The user's default agent; called inside the transaction creating the user."""
    return await Agent.create(
        organization_id=organization_id,
        owner_id=owner_id,
        name=DEFAULT_NAME,
        name_key=DEFAULT_NAME,
        is_default=True,
        visibility="PRIVATE",
    )


def _clean(changes: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: list[tuple[list[str], str]] = []
    if "name" in changes or creating:
        name = (changes.get("name") or "").strip()
        if not 1 <= len(name) <= MAX_NAME:
            problems.append((["name"], f"name must be 1-{MAX_NAME} characters"))
        values["name"], values["name_key"] = name, name.casefold()
    if "personality" in changes:
        personality = changes["personality"]
        if personality is not None:
            personality = personality.strip() or None
        if personality is not None and len(personality) > MAX_PERSONALITY:
            problems.append(
                (
                    ["personality"],
                    f"personality is at most {MAX_PERSONALITY} characters",
                )
            )
        values["personality"] = personality
    if "avatar_url" in changes:
        url = changes["avatar_url"]
        if url is not None:
            url = url.strip() or None
        if url is not None:
            parts = urlsplit(url)
            if (
                parts.scheme not in ("http", "https")
                or not parts.hostname
                or len(url) > MAX_AVATAR_URL
            ):
                problems.append(
                    (["avatarUrl"], "avatarUrl must be an http(s) URL (≤ 2048 chars)")
                )
        values["avatar_url"] = url
    if "visibility" in changes:
        visibility = changes["visibility"]
        if visibility not in VISIBILITIES:
            problems.append((["visibility"], "visibility is PRIVATE or PUBLIC"))
        values["visibility"] = visibility
    if problems:
        raise ValidationFailed(problems[0][1], problems=problems)
    return values


async def create_agent(*, actor: Actor, changes: dict[str, Any]) -> Agent:
    values = _clean({"visibility": "PRIVATE", **changes}, creating=True)
    try:
        async with in_transaction():
            await _check_name_free(actor, values["name_key"], exclude_id=None)
            return await Agent.create(
                organization_id=actor.organization_id,
                owner_id=actor.user_id,
                is_default=False,
                **values,
            )
    except IntegrityError:  # a concurrent request took the name
        raise _name_taken() from None


def _name_taken() -> Conflict:
    return Conflict("You already have an agent with this name", field=["name"])


async def _check_name_free(actor: Actor, name_key: str, exclude_id: int | None) -> None:
    query = Agent.filter(owner_id=actor.user_id, name_key=name_key)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    if await query.exists():
        raise _name_taken()


async def _own_agent(actor: Actor, agent_id: int) -> Agent:
    agent = await Agent.get_or_none(id=agent_id, organization_id=actor.organization_id)
    if agent is None:
        raise NotFound("Agent not found", field=["id"])
    return agent


async def update_agent(
    *, actor: Actor, agent_id: int, changes: dict[str, Any]
) -> Agent:
    values = _clean(changes, creating=False)
    agent = await _own_agent(actor, agent_id)
    if not values:
        return agent
    try:
        async with in_transaction():
            if "name_key" in values:
                await _check_name_free(actor, values["name_key"], exclude_id=agent.id)
            agent.update_from_dict(values)
            await agent.save(update_fields=[*values, "updated_at"])
    except IntegrityError:
        raise _name_taken() from None
    return agent


async def delete_agent(*, actor: Actor, agent_id: int) -> int:
    """Delete an agent without held, accepted or submitted jobs; not the default."""
    async with in_transaction():
        # the row lock orders this against a concurrent postJob to the agent
        agent = (
            await Agent.filter(id=agent_id, organization_id=actor.organization_id)
            .select_for_update()
            .first()
        )
        if agent is None:
            raise NotFound("Agent not found", field=["id"])
        if agent.is_default:
            raise DefaultAgent("The default agent cannot be deleted", field=["id"])
        if await Job.filter(
            receiver_agent_id=agent.id, status__in=ACTIVE_JOB_STATUSES
        ).exists():
            raise AgentHasActiveJobs(
                "The agent has held, accepted or submitted jobs", field=["id"]
            )
        await Agent.filter(id=agent.id).delete()
    return agent_id


# -- reads (for loaders) ---------------------------------------------------------------


async def list_agents(
    *,
    actor: Actor,
    first: int,
    after: tuple[bool, int] | None,
    backward: bool = False,
) -> list[Agent]:
    """The viewer's agents, the default first, then by creation: `first + 1` rows
    after the keyset `(is_default, id)`; `backward`: that order reversed (the
    default last), `first + 1` rows before the keyset."""
    query = Agent.filter(owner_id=actor.user_id, organization_id=actor.organization_id)
    if backward:
        if after is not None:
            was_default, last_id = after
            query = (
                query.filter(id__in=[])  # nothing comes before the default
                if was_default
                else query.filter(Q(is_default=True) | Q(id__lt=last_id))
            )
        return await query.order_by("is_default", "-id").limit(first + 1)
    if after is not None:
        was_default, last_id = after
        query = (
            query.filter(is_default=False)
            if was_default
            else query.filter(is_default=False, id__gt=last_id)
        )
    return await query.order_by("-is_default", "id").limit(first + 1)


async def count_agents(*, actor: Actor) -> int:
    return await Agent.filter(
        owner_id=actor.user_id, organization_id=actor.organization_id
    ).count()


async def agents_by_id(ids: Sequence[int]) -> list[Agent]:
    """Rows by id, unscoped: callers decide what the viewer may see of each."""
    return await Agent.filter(id__in=list(ids)) if ids else []


def visible_to(agent: Agent, organization_id: int) -> bool:
    return agent.organization_id == organization_id or agent.visibility == "PUBLIC"


async def active_job_counts(
    *, organization_id: int, ids: Sequence[int]
) -> dict[int, int]:
    rows = (
        await Job.filter(
            receiver_agent_id__in=list(ids),
            receiver_organization_id=organization_id,
            status__in=ACTIVE_JOB_STATUSES,
        )
        .annotate(count=Count("id"))
        .group_by("receiver_agent_id")
        .values("receiver_agent_id", "count")
    )
    return {int(row["receiver_agent_id"]): int(row["count"]) for row in rows}


# -- matching ------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*")
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because
    been before being below between both but by can could did do does doing down
    during each else few for from further get got had has have having he her here
    hers him his how i if in into is it its itself just me more most my need needs
    no nor not now of off on once only or other our ours out over own please same
    she should so some such than that the their them then there these they this
    those through to too under until up us very want wanted was we were what when
    where which while who whom why will with would you your yours looking someone
    help job role work working review"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Distinct lexical terms in order of appearance (lower case, light stemming,
    no stop words)."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(text.lower()):
        if token in STOPWORDS or len(token) < 2:
            continue
        seen.setdefault(_stem(token), None)
    return list(seen)


@dataclass(frozen=True, slots=True)
class Candidate:
    agent_id: int
    organization_id: int
    document: str


@dataclass(frozen=True, slots=True)
class Match:
    agent: Agent
    score: float
    matched_terms: list[str]


async def public_candidates(
    *, exclude_organization_id: int | None = None
) -> list[Candidate]:
    """Every PUBLIC agent with its matching document: four queries in all."""
    public = Agent.filter(visibility="PUBLIC")
    if exclude_organization_id is not None:
        public = public.exclude(organization_id=exclude_organization_id)
    agents = await public.order_by("id").values(
        "id", "organization_id", "name", "personality"
    )
    orgs = Subquery(public.values("organization_id"))
    profiles = await Profile.filter(
        organization_id__in=orgs, username__isnull=False
    ).values("organization_id", "headline", "hidden_sections")
    shown: dict[int, list[str]] = {}
    hidden: dict[int, set[str]] = {}
    for row in profiles:
        org = int(row["organization_id"])
        shown[org] = [row["headline"] or ""]
        hidden[org] = set(row["hidden_sections"] or [])
    skills = (
        await Skill.filter(organization_id__in=orgs)
        .order_by("position", "id")
        .values("organization_id", "name")
    )
    titles = (
        await Experience.filter(organization_id__in=orgs)
        .order_by("position", "id")
        .values("organization_id", "title")
    )
    for section, rows, key in (
        ("skills", skills, "name"),
        ("experience", titles, "title"),
    ):
        for row in rows:
            org = int(row["organization_id"])
            if org in shown and section not in hidden[org]:
                shown[org].append(row[key] or "")
    return [
        Candidate(
            agent_id=int(a["id"]),
            organization_id=int(a["organization_id"]),
            document="\n".join(
                [
                    a["name"],
                    a["personality"] or "",
                    *shown.get(int(a["organization_id"]), []),
                ]
            ),
        )
        for a in agents
    ]


@dataclass(frozen=True, slots=True)
class Document:
    vector: np.ndarray[Any, np.dtype[np.float32]]  # L2-normalised
    terms: frozenset[str]


class DocumentCache:
    """Agents' documents analysed once: embedding and terms by (model, text
    digest), bounded, per process. A document is embedded again only when its
    text changed (an edited personality or profile)."""

    def __init__(self, size: int = 50_000) -> None:
        self._size = size
        self._rows: OrderedDict[tuple[str, str], Document] = OrderedDict()

    async def documents(
        self, embedder: embeddings.Embedder, texts: Sequence[str]
    ) -> list[Document]:
        keys = [(embedder.model, hashlib.sha256(t.encode()).hexdigest()) for t in texts]
        todo: dict[tuple[str, str], str] = {}  # one embedding per distinct text
        for key, text in zip(keys, texts, strict=True):
            if key not in self._rows:
                todo.setdefault(key, text)
        if todo:
            fresh = await embedder.embed(list(todo.values()))
            for (key, text), vector in zip(todo.items(), fresh, strict=True):
                self._rows[key] = Document(
                    vector=np.asarray(vector, dtype=np.float32),
                    terms=frozenset(terms(text)),
                )
        out = [self._rows[k] for k in keys]
        for key in keys:
            self._rows.move_to_end(key)
        while len(self._rows) > self._size:
            self._rows.popitem(last=False)
        return out


_documents = DocumentCache()


def rank(
    description: str,
    description_vector: Sequence[float],
    candidates: Sequence[Candidate],
    documents: Sequence[Document],
) -> list[tuple[Candidate, float, list[str]]]:
    """Score every candidate; qualifying ones, best first (ties: lower id)."""
    if not candidates:
        return []
    wanted = terms(description)
    count = len(candidates)
    weight = {
        t: math.log(1 + (count + 1) / (1 + sum(t in d.terms for d in documents)))
        for t in wanted
    }
    total = sum(weight.values()) or 1.0
    matrix = np.stack([d.vector for d in documents])
    similarities = np.clip(
        matrix @ np.asarray(description_vector, dtype=np.float32), 0.0, 1.0
    ).tolist()
    scored = []
    for candidate, document, similarity in zip(
        candidates, documents, similarities, strict=True
    ):
        matched = [t for t in wanted if t in document.terms]
        if not matched and similarity < SEMANTIC_ONLY_THRESHOLD:
            continue
        lexical = sum(weight[t] for t in matched) / total
        score = round(LEXICAL_WEIGHT * lexical + SEMANTIC_WEIGHT * similarity, 6)
        scored.append((candidate, score, matched))
    scored.sort(key=lambda item: (-item[1], item[0].agent_id))
    return scored


async def match_agents(
    *,
    actor: Actor,
    description: str,
    first: int,
    exclude_organization_id: int | None = None,
    settings: Settings | None = None,
) -> list[Match]:
    description = description.strip()
    if not description or len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"description must be 1-{MAX_DESCRIPTION} characters", field=["description"]
        )
    if not 1 <= first <= MAX_MATCHES:
        raise ValidationFailed(
            f"first must be between 1 and {MAX_MATCHES}", field=["first"]
        )
    candidates = await public_candidates(
        exclude_organization_id=exclude_organization_id
    )
    if not candidates:
        return []
    embedder = await embeddings.embedder_for(
        organization_id=actor.organization_id, settings=settings
    )
    try:
        [query_vector] = await embedder.embed([description])
        documents = await _documents.documents(
            embedder, [c.document for c in candidates]
        )
    except Exception as exc:
        if embedder.engine == "offline":
            raise
        from services.tailoring.engines import LlmUnavailable

        log.warning(
            "embeddings of organization %s failed: %s", actor.organization_id, exc
        )
        raise LlmUnavailable(
            "The organization's embedding model did not answer", field=["description"]
        ) from None
    ranked = rank(description, query_vector, candidates, documents)[:first]
    rows = {a.id: a for a in await agents_by_id([c.agent_id for c, _, _ in ranked])}
    return [
        Match(agent=rows[c.agent_id], score=score, matched_terms=matched)
        for c, score, matched in ranked
        if c.agent_id in rows
    ]
