"""Resolvers of the agents domain: agent CRUD, matching, and the viewer's agents."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from models.agents import Agent
from resolvers.errors import user_errors
from resolvers.inputs import decode_node_id, given_fields
from schema.agents import (
    AgentMatch,
    AgentNode,
    AgentPayload,
    CreateAgentInput,
    DeleteAgentInput,
    DeleteAgentPayload,
    UpdateAgentInput,
)
from schema.context import Info
from services import agents
from services.errors import ServiceError


def _node(info: Info, row: Agent) -> AgentNode:
    org = info.context.require_actor().organization_id
    return AgentNode.from_row(row, viewer_organization_id=org)


async def create_agent(info: Info, input: CreateAgentInput) -> AgentPayload:
    actor = info.context.require_actor()
    try:
        row = await agents.create_agent(actor=actor, changes=given_fields(input))
    except ServiceError as exc:
        return AgentPayload(user_errors=user_errors(exc))
    return AgentPayload(agent=_node(info, row))


async def update_agent(info: Info, input: UpdateAgentInput) -> AgentPayload:
    actor = info.context.require_actor()
    changes = given_fields(input)  # null on name or visibility: VALIDATION_ERROR
    try:
        row = await agents.update_agent(
            actor=actor,
            agent_id=decode_node_id(input.id, "Agent"),
            changes=changes,
        )
    except ServiceError as exc:
        return AgentPayload(user_errors=user_errors(exc))
    return AgentPayload(agent=_node(info, row))


async def delete_agent(info: Info, input: DeleteAgentInput) -> DeleteAgentPayload:
    actor = info.context.require_actor()
    try:
        agent_id = await agents.delete_agent(
            actor=actor, agent_id=decode_node_id(input.id, "Agent")
        )
    except ServiceError as exc:
        return DeleteAgentPayload(user_errors=user_errors(exc))
    return DeleteAgentPayload(
        deleted_id=strawberry.ID(relay.to_base64("Agent", agent_id))
    )


async def match_agents(
    info: Info,
    description: str,
    first: Annotated[
        int | None,
        strawberry.argument(
            description="How many agents, 1 to 100 (default 10); outside that "
            "range the field fails with a VALIDATION_ERROR."
        ),
    ] = 10,
) -> list[AgentMatch]:
    # expected failures (bad arguments, the organization's model unreachable) are
    # top-level errors with their code: this is a query, not a mutation
    matches = await agents.match_agents(
        actor=info.context.require_actor(),
        description=description,
        first=10 if first is None else first,
        settings=info.context.runtime.settings,
    )
    return [
        AgentMatch(
            agent=_node(info, m.agent), score=m.score, matched_terms=m.matched_terms
        )
        for m in matches
    ]
