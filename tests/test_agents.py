"""Agents end to end: the default agent of every user, CRUD rules, the User
fields of the seed, visibility across organizations, and matching."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from strawberry import relay

from tests.helpers import gql, sign_up

AGENT_FIELDS = (
    "id name personality avatarUrl isDefault visibility owner { userId name }"
)
VIEWER_AGENTS = f"""
query Agents($first: Int, $after: String) {{
  viewer {{ agents(first: $first, after: $after) {{
    edges {{ cursor node {{ {AGENT_FIELDS} activeJobCount }} }}
    pageInfo {{ hasNextPage endCursor }}
  }} }}
}}
"""
CREATE = f"""
mutation Create($input: CreateAgentInput!) {{
  createAgent(input: $input) {{
    agent {{ {AGENT_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
UPDATE = f"""
mutation Update($input: UpdateAgentInput!) {{
  updateAgent(input: $input) {{
    agent {{ {AGENT_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
DELETE = """
mutation Delete($input: DeleteAgentInput!) {
  deleteAgent(input: $input) { deletedId userErrors { field message code } }
}
"""
MATCH = """
query Match($description: String!, $first: Int) {
  matchAgents(description: $description, first: $first) {
    agent { id name personality } score matchedTerms
  }
}
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    ... on Agent { id name personality activeJobCount jobs { edges { cursor } } }
  }
}
"""
VIEWER_USER = """
{ viewer { user { id name avatarUrl credits createdAt stripeAccountStatus } } }
"""


async def create(client: TestClient, token: str, **fields: Any) -> dict[str, Any]:
    body = await gql(client, CREATE, {"input": fields}, token=token)
    payload: dict[str, Any] = body["data"]["createAgent"]
    return payload


async def test_viewer_user_has_the_seed_fields(client: TestClient) -> None:
    auth = await sign_up(client)
    body = await gql(client, VIEWER_USER, token=auth["accessToken"])
    user = body["data"]["viewer"]["user"]
    assert user["id"] == auth["user"]["id"]
    assert user["name"] == "Ada Lovelace"
    assert user["avatarUrl"] is None
    assert user["credits"] == 20  # the organization's starting credits
    assert user["stripeAccountStatus"] == "NONE"
    assert user["createdAt"].startswith("20")
    node = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on User { name credits } } }",
        {"id": user["id"]},
        token=auth["accessToken"],
    )
    assert node["data"]["node"] == {"name": "Ada Lovelace", "credits": 20}


async def test_every_user_gets_a_default_agent_first(client: TestClient) -> None:
    auth = await sign_up(client)
    token = auth["accessToken"]
    second = await create(client, token, name="Coach", personality="Career coach")
    assert second["userErrors"] == []
    body = await gql(client, VIEWER_AGENTS, token=token)
    edges = body["data"]["viewer"]["agents"]["edges"]
    assert [e["node"]["name"] for e in edges] == ["default", "Coach"]
    default = edges[0]["node"]
    assert default["isDefault"] is True
    assert default["personality"] is None
    assert default["avatarUrl"] is None
    assert default["visibility"] == "PRIVATE"
    assert default["activeJobCount"] == 0
    assert default["owner"] == {"userId": auth["user"]["id"], "name": "Ada Lovelace"}
    # pages follow the same order
    page = await gql(client, VIEWER_AGENTS, {"first": 1}, token=token)
    agents = page["data"]["viewer"]["agents"]
    assert [e["node"]["name"] for e in agents["edges"]] == ["default"]
    assert agents["pageInfo"]["hasNextPage"] is True
    rest = await gql(
        client,
        VIEWER_AGENTS,
        {"first": 1, "after": agents["pageInfo"]["endCursor"]},
        token=token,
    )
    rest_agents = rest["data"]["viewer"]["agents"]
    assert [e["node"]["name"] for e in rest_agents["edges"]] == ["Coach"]
    assert rest_agents["pageInfo"]["hasNextPage"] is False


async def test_create_agent_validates_and_names_are_unique_ignoring_case(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    bad = await create(
        client,
        token,
        name="  ",
        personality="x" * 4001,
        avatarUrl="javascript:alert(1)",
    )
    assert bad == {
        "agent": None,
        "userErrors": [
            {
                "field": ["input", "name"],
                "message": "name must be 1-64 characters",
                "code": "VALIDATION_ERROR",
            },
            {
                "field": ["input", "personality"],
                "message": "personality is at most 4000 characters",
                "code": "VALIDATION_ERROR",
            },
            {
                "field": ["input", "avatarUrl"],
                "message": "avatarUrl must be an http(s) URL (≤ 2048 chars)",
                "code": "VALIDATION_ERROR",
            },
        ],
    }
    long_name = await create(client, token, name="n" * 65)
    assert long_name["userErrors"][0]["code"] == "VALIDATION_ERROR"
    ok = await create(
        client,
        token,
        name="Resume Coach",
        avatarUrl="https://example.com/a.png",
        visibility="PUBLIC",
    )
    assert ok["userErrors"] == []
    assert ok["agent"]["visibility"] == "PUBLIC"
    assert ok["agent"]["avatarUrl"] == "https://example.com/a.png"
    dup = await create(client, token, name="RESUME coach")
    assert dup == {
        "agent": None,
        "userErrors": [
            {
                "field": ["input", "name"],
                "message": "You already have an agent with this name",
                "code": "CONFLICT",
            }
        ],
    }
    # another user may use the same name
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    assert (await create(client, bob, name="Resume Coach"))["userErrors"] == []
    body = await gql(client, VIEWER_AGENTS, token=token)
    names = [e["node"]["name"] for e in body["data"]["viewer"]["agents"]["edges"]]
    assert names == ["default", "Resume Coach"]  # nothing of the failures was kept


async def test_update_keeps_left_out_fields_and_delete_rules(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    agent = (
        await create(
            client, token, name="Coach", personality="Data careers", visibility="PUBLIC"
        )
    )["agent"]
    body = await gql(
        client,
        UPDATE,
        {"input": {"id": agent["id"], "name": "Data Coach"}},
        token=token,
    )
    updated = body["data"]["updateAgent"]
    assert updated["userErrors"] == []
    assert updated["agent"]["name"] == "Data Coach"
    assert updated["agent"]["personality"] == "Data careers"
    assert updated["agent"]["visibility"] == "PUBLIC"
    cleared = await gql(
        client, UPDATE, {"input": {"id": agent["id"], "personality": None}}, token=token
    )
    assert cleared["data"]["updateAgent"]["agent"]["personality"] is None
    clash = await gql(
        client, UPDATE, {"input": {"id": agent["id"], "name": "Default"}}, token=token
    )
    assert clash["data"]["updateAgent"]["userErrors"][0]["code"] == "CONFLICT"

    agents = await gql(client, VIEWER_AGENTS, token=token)
    default_id = agents["data"]["viewer"]["agents"]["edges"][0]["node"]["id"]
    refused = await gql(client, DELETE, {"input": {"id": default_id}}, token=token)
    assert refused["data"]["deleteAgent"] == {
        "deletedId": None,
        "userErrors": [
            {
                "field": ["input", "id"],
                "message": "The default agent cannot be deleted",
                "code": "DEFAULT_AGENT",
            }
        ],
    }
    # another organization cannot touch it: NOT_FOUND, not a permission error
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    foreign = await gql(client, DELETE, {"input": {"id": agent["id"]}}, token=bob)
    assert foreign["data"]["deleteAgent"]["userErrors"][0]["code"] == "NOT_FOUND"
    foreign_update = await gql(
        client, UPDATE, {"input": {"id": agent["id"], "name": "x"}}, token=bob
    )
    assert foreign_update["data"]["updateAgent"]["userErrors"][0]["code"] == "NOT_FOUND"
    done = await gql(client, DELETE, {"input": {"id": agent["id"]}}, token=token)
    assert done["data"]["deleteAgent"] == {"deletedId": agent["id"], "userErrors": []}
    left = await gql(client, VIEWER_AGENTS, token=token)
    assert [e["node"]["name"] for e in left["data"]["viewer"]["agents"]["edges"]] == [
        "default"
    ]


async def test_other_organizations_see_public_fields_of_public_agents_only(
    client: TestClient,
) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    public = (
        await create(
            client, ada, name="Pub", personality="Public bio", visibility="PUBLIC"
        )
    )["agent"]
    private = (await create(client, ada, name="Priv", personality="Secret"))["agent"]
    seen = await gql(client, NODE, {"id": public["id"]}, token=bob)
    assert seen["data"]["node"] == {
        "id": public["id"],
        "name": "Pub",
        "personality": "Public bio",
        "activeJobCount": None,
        "jobs": None,
    }
    hidden = await gql(client, NODE, {"id": private["id"]}, token=bob)
    assert hidden["data"]["node"] is None
    own = await gql(client, NODE, {"id": private["id"]}, token=ada)
    assert own["data"]["node"]["activeJobCount"] == 0
    assert own["data"]["node"]["jobs"] == {"edges": []}


async def _profile(
    client: TestClient, token: str, username: str, **fields: Any
) -> None:
    body = await gql(
        client,
        "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) "
        "{ userErrors { message } } }",
        {"input": {"username": username, **fields}},
        token=token,
    )
    assert body["data"]["updateProfile"]["userErrors"] == []


async def _skill(client: TestClient, token: str, name: str) -> None:
    body = await gql(
        client,
        "mutation($input: CreateSkillInput!) { createSkill(input: $input) "
        "{ userErrors { message } } }",
        {"input": {"name": name}},
        token=token,
    )
    assert body["data"]["createSkill"]["userErrors"] == []


async def test_match_agents_ranks_public_agents_by_personality_and_profile(
    client: TestClient,
) -> None:
    ada = (await sign_up(client))["accessToken"]
    bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
    cy = (await sign_up(client, "cy@example.com", "Cy"))["accessToken"]
    data = (
        await create(
            client,
            bob,
            name="Data Coach",
            personality="I review resumes for data engineering roles: Spark, Airflow.",
            visibility="PUBLIC",
        )
    )["agent"]
    await _profile(client, bob, "bob-data", headline="Staff data engineer")
    await _skill(client, bob, "Kafka")
    design = (
        await create(
            client,
            cy,
            name="Design Mentor",
            personality="Portfolio reviews for product designers and UX research.",
            visibility="PUBLIC",
        )
    )["agent"]
    await create(  # private: never matched
        client, cy, name="Hidden", personality="data engineering spark kafka airflow"
    )
    description = "Review my resume for a data engineering job with Kafka and Spark"
    body = await gql(client, MATCH, {"description": description}, token=ada)
    matches = body["data"]["matchAgents"]
    assert [m["agent"]["name"] for m in matches] == ["Data Coach"]
    assert matches[0]["agent"]["id"] == data["id"]
    # Kafka comes from the owner's public profile, not the personality
    assert matches[0]["matchedTerms"] == [
        "resume",
        "data",
        "engineering",
        "kafka",
        "spark",
    ]
    assert all(
        m["agent"]["id"] != design["id"] or m["score"] < matches[0]["score"]
        for m in matches
    )
    ux = await gql(
        client, MATCH, {"description": "UX portfolio for a product designer"}, token=ada
    )
    assert [m["agent"]["id"] for m in ux["data"]["matchAgents"]] == [design["id"]]
    assert ux["data"]["matchAgents"][0]["matchedTerms"] == [
        "ux",
        "portfolio",
        "product",
        "designer",
    ]
    again = await gql(client, MATCH, {"description": description}, token=ada)
    assert again["data"]["matchAgents"] == matches  # deterministic
    too_many = await gql(client, MATCH, {"description": "x", "first": 101}, token=ada)
    assert too_many["errors"][0]["message"] == "first must be between 1 and 100"
    assert relay.GlobalID.from_id(data["id"]).type_name == "Agent"


async def test_the_migration_gives_existing_users_their_default_agent(
    client: TestClient,
) -> None:
    """Users created before agents existed get theirs from migration 0008's data
    step; running it again adds nothing."""
    import importlib

    from tortoise import connections
    from tortoise.migrations import operations

    from models.accounts import User
    from models.agents import Agent

    await sign_up(client)
    await sign_up(client, "bob@example.com", "Bob")
    await Agent.all().delete()  # as before migration 0008
    migration = importlib.import_module("migrations.0008_agents_jobs").Migration
    [step] = [op for op in migration.operations if isinstance(op, operations.RunSQL)]
    conn = connections.get("default")
    for _ in range(2):
        await conn.execute_script(step.sql)
    agents = await Agent.all().order_by("id")
    users = await User.all().order_by("id")
    assert [(a.owner_id, a.organization_id) for a in agents] == [
        (u.id, u.default_organization_id) for u in users
    ]
    assert {(a.name, a.is_default, a.visibility) for a in agents} == {
        ("default", True, "PRIVATE")
    }
    assert [a.created_at for a in agents] == [u.created_at for u in users]


async def test_an_organizations_own_model_embeds_for_its_matches(
    aiohttp_client: Any, settings: Any
) -> None:
    """With a configured OpenAI-compatible model, matching embeds through its
    /v1/embeddings (a local fake speaking that protocol, reached by the SDK)."""
    from dataclasses import replace

    from aiohttp import web
    from aiohttp.test_utils import TestServer

    import server
    from tests.helpers import reset_state

    calls: list[dict[str, Any]] = []

    async def embeddings(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append(body)
        sweet = ("cake", "bake", "pastry")
        data = [
            {
                "object": "embedding",
                "index": i,
                "embedding": [1.0, 0.0]
                if any(w in t.lower() for w in sweet)
                else [0.0, 1.0],
            }
            for i, t in enumerate(body["input"])
        ]
        return web.json_response(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )

    fake = web.Application()
    fake.router.add_post("/v1/embeddings", embeddings)
    fake_server = TestServer(fake)
    await fake_server.start_server()
    try:
        app = server.create_app(replace(settings, allow_private_llm_hosts=True))
        client: TestClient = await aiohttp_client(app)
        await reset_state(settings)
        ada = (await sign_up(client))["accessToken"]
        bob = (await sign_up(client, "bob@example.com", "Bob"))["accessToken"]
        chef = (
            await create(
                client, bob, name="Chef", personality="Pastry chef", visibility="PUBLIC"
            )
        )["agent"]
        await create(
            client, bob, name="Coach", personality="Resume coach", visibility="PUBLIC"
        )
        description = "Something sweet for a wedding: a cake"
        offline = await gql(client, MATCH, {"description": description}, token=bob)
        assert offline["data"]["matchAgents"] == []  # no shared term, offline
        assert calls == []
        body = await gql(
            client,
            "mutation U($input: UpdateLlmConfigInput!) { updateLlmConfig(input: "
            "$input) { userErrors { code message } } }",
            {
                "input": {
                    "provider": "OPENAI",
                    "model": "embed-model",
                    "apiKey": "sk-org-secret-1234",
                    "apiBase": str(fake_server.make_url("/v1")),
                }
            },
            token=ada,
        )
        assert body["data"]["updateLlmConfig"]["userErrors"] == []
        matched = await gql(client, MATCH, {"description": description}, token=ada)
        assert matched["data"]["matchAgents"] == [
            {
                "agent": {
                    "id": chef["id"],
                    "name": "Chef",
                    "personality": "Pastry chef",
                },
                "score": 0.4,  # semantic only: 0.4 x cosine 1.0
                "matchedTerms": [],
            }
        ]
        # embeddings use EMBEDDING_MODEL (default below), not the chat model
        assert [c["model"] for c in calls] == ["text-embedding-3-small"] * 2
        assert calls[0]["input"] == [description]
        # the model unreachable: a clear error, no silent offline answer
        await fake_server.close()
        down = await gql(client, MATCH, {"description": description}, token=ada)
        assert down["data"] is None
        assert down["errors"][0]["message"] == (
            "The organization's embedding model did not answer"
        )
        assert down["errors"][0]["extensions"]["code"] == "LLM_UNAVAILABLE"
    finally:
        await fake_server.close()
