"""The root types and the Schema, with the guards every operation passes through."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig

from resolvers import accounts, billing, nodes, profiles, tailoring
from resolvers import agents as agent_resolvers
from resolvers import chat as chat_resolvers
from resolvers import indexing as indexing_resolvers
from resolvers import jobs as job_resolvers
from resolvers import resumes as resume_resolvers
from schema.accounts import (
    ApiKeyNode,
    OrganizationNode,
    PlanType,
    SecurityEventNode,
    UserNode,
)
from schema.agents import (
    AgentMatch,
    AgentNode,
)
from schema.chat import (
    ProfileAnswerEvent,
    TranscriptNode,
)
from schema.docs import describe_arguments
from schema.execution import FastExecutionContext
from schema.guards import Guards, build_rules
from schema.indexing import IndexingEvent
from schema.jobs import (
    JobEvent,
    JobNode,
)
from schema.mutation import Mutation
from schema.profile_sections import (
    CertificationNode,
    EducationNode,
    ExperienceNode,
    ProjectNode,
    SkillNode,
)
from schema.profiles import (
    ProfileNode,
    PublicProfile,
)
from schema.resumes import (
    ResumeConnection,
    ResumeEvent,
    ResumeNode,
    ResumeRowConnection,
)
from schema.scalars import SCALAR_OVERRIDES
from schema.tailoring import (
    CoverLetter,
    JobKeywords,
    LlmConfigType,
    OutreachMessage,
    ResumeMatch,
)
from schema.viewer import Viewer
from settings import Settings


@strawberry.type(
    description="The entry points for reading: the caller (viewer), any object by "
    "id (node), and the public reads that need no sign-in."
)
class Query:
    node: relay.Node | None = strawberry.field(
        resolver=nodes.node,
        description="Any object by its global id; null when it does not exist or "
        "belongs to another organization.",
    )
    viewer: Viewer | None = strawberry.field(
        resolver=accounts.viewer,
        description="The authenticated caller; null with an UNAUTHENTICATED error "
        "for anonymous requests (the rest of the page still answers).",
    )
    plans: list[PlanType] = strawberry.field(
        resolver=billing.plans, description="Every plan and what it entitles to."
    )
    public_profile: PublicProfile | None = strawberry.field(
        resolver=profiles.public_profile,
        description="What a profile's owner made public; no authentication needed. "
        "A pure read: front ends count a visit with recordProfileView.",
    )
    resume: ResumeNode | None = strawberry.field(
        resolver=resume_resolvers.resume,
        description="A resume of the viewer's organization; null otherwise.",
    )
    resumes: ResumeConnection = strawberry.field(
        resolver=resume_resolvers.list_resumes,
        description="The organization's resumes, newest update first (orderBy), "
        "without the master unless filter.includeMaster.",
    )
    job_keywords: JobKeywords = strawberry.field(
        resolver=tailoring.job_keywords,
        description="Skills, keywords and responsibilities of a job description "
        "(deterministic, offline).",
    )
    resume_match: ResumeMatch | None = strawberry.field(
        resolver=tailoring.resume_match,
        description="How well a resume (default: the master) covers a job "
        "description, without tailoring: cheap and deterministic. Null with an "
        "error (e.g. NO_MASTER_RESUME) that leaves the rest of the page.",
    )
    llm_config: LlmConfigType = strawberry.field(
        resolver=tailoring.get_llm_config,
        description="The organization's model settings (API key masked).",
    )
    resume_rows: ResumeRowConnection = strawberry.field(
        resolver=resume_resolvers.resume_rows,
        description="One flat row per resume, for spreadsheets and BI.",
    )
    match_agents: list[AgentMatch] = strawberry.field(
        resolver=agent_resolvers.match_agents,
        description="PUBLIC agents of every organization ranked for a job "
        "description (at most 100): deterministic, offline unless the "
        "organization configured its own model.",
    )


@strawberry.type(
    description="Live streams over WebSocket (graphql-transport-ws): each starts "
    "with the current state, so a reconnect misses nothing."
)
class Subscription:
    security_events: AsyncGenerator[SecurityEventNode, None] = strawberry.subscription(
        resolver=accounts.security_events,
        description="Security events of the viewer's organization as they happen.",
    )
    resume_events: AsyncGenerator[ResumeEvent, None] = strawberry.subscription(
        resolver=resume_resolvers.resume_events,
        description="A resume's parsing: its current state first, then each stage, "
        "ending on READY or FAILED.",
    )
    tailoring_events: AsyncGenerator[ResumeEvent, None] = strawberry.subscription(
        resolver=resume_resolvers.resume_events,
        description="A tailored resume's run: its current state first, then "
        "keywords, plan, rewrite, safety_nets, pass_1, pass_2, pass_3, letters, "
        "render, ending on READY or FAILED (TIMEOUT after 240 s).",
    )
    job_events: AsyncGenerator[JobEvent, None] = strawberry.subscription(
        resolver=job_resolvers.job_events,
        description="Each status change of a job the viewer's organization posted "
        "or received, live (from any process).",
    )
    indexing_events: AsyncGenerator[IndexingEvent, None] = strawberry.subscription(
        resolver=indexing_resolvers.indexing_events,
        description="The viewer's profile index: current state first, then each "
        "step, ending on READY or FAILED.",
    )
    profile_answer: AsyncGenerator[ProfileAnswerEvent, None] = strawberry.subscription(
        resolver=chat_resolvers.profile_answer,
        description="askProfile's answer streamed in pieces; the last has done true.",
    )


describe_arguments(
    Query,
    {
        "node": {"id": "A global id, as any object's `id` field gives it."},
        "public_profile": {"username": "The profile's username (case-insensitive)."},
        "resume": {"id": "Global id of the resume (type Resume)."},
        "resumes": {
            "filter": "Which resumes (status, tags, text, master); null: all but "
            "the master.",
            "order_by": "Field and direction; null: newest update first.",
        },
        "resume_rows": {
            "filter": "Which resumes; null: all, the master included.",
            "order_by": "Field and direction; null: newest update first.",
        },
        "job_keywords": {"job_description": "The job posting's text."},
        "resume_match": {
            "job_description": "The job posting's text.",
            "resume_id": "Global id of a READY resume; null: the master resume "
            "(NO_MASTER_RESUME without one).",
        },
        "match_agents": {
            "description": "The job, 1 to 20,000 characters.",
            "first": "How many matches, 1 to 100 (default 10); outside that "
            "range a VALIDATION_ERROR.",
        },
    },
)
describe_arguments(
    Subscription,
    {
        "resume_events": {"resume_id": "Global id of the resume to follow."},
        "tailoring_events": {
            "resume_id": "Global id of the tailored resume tailorResume returned."
        },
    },
    input_from_type=True,
)


class CareergraphSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: Any = None
    ) -> None:
        """Expected errors are not logged; `Guards` logs the unexpected ones."""


def build_schema(
    settings: Settings, *, on_unexpected: Callable[[GraphQLError], None]
) -> strawberry.Schema:
    rules = build_rules(max_depth=settings.max_depth, max_aliases=settings.max_aliases)

    def guards() -> Guards:
        return Guards(
            rules=rules,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
            on_unexpected=on_unexpected,
        )

    return CareergraphSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            UserNode,
            OrganizationNode,
            ApiKeyNode,
            SecurityEventNode,
            ProfileNode,
            SkillNode,
            ExperienceNode,
            EducationNode,
            ProjectNode,
            CertificationNode,
            ResumeNode,
            CoverLetter,
            OutreachMessage,
            AgentNode,
            JobNode,
            TranscriptNode,
        ],
        extensions=[guards],
        config=StrawberryConfig(disable_field_suggestions=False),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=FastExecutionContext,
    )
