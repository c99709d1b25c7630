"""Hot read paths keep their query counts: a resumes page with the cover letters
and outreach messages of every resume costs the same number of queries for 2
resumes as for 6 (the letters of all resumes come in one batched query per page
shape), and each resume still gets exactly its own letters, newest first, paged."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from aiohttp.test_utils import TestClient
from graphql import GraphQLResolveInfo
from strawberry import relay
from strawberry.extensions import SchemaExtension

from schema.execution import FastExecutionContext
from tests.helpers import count_queries, gql, sign_up

RESUMES = """
query {
  resumes(first: 100) {
    edges { node {
      title
      coverLetters(first: 2) {
        edges { node { company } }
        pageInfo { hasNextPage }
      }
      outreachMessages(first: 5) { edges { node { company } } }
    } }
  }
}
"""


async def _add_resumes(email: str, count: int, letters: int) -> None:
    from models.accounts import Membership, User
    from models.resumes import Resume
    from models.tailoring import Letter

    user = await User.get(email=email)
    org = (await Membership.get(user_id=user.id)).organization_id
    for i in range(count):
        resume = await Resume.create(
            organization_id=org, title=f"R{i}", status="READY", tags=[], kind="pdf"
        )
        for j in range(letters):
            await Letter.create(
                organization_id=org,
                resume_id=resume.id,
                kind="COVER_LETTER",
                company=f"{i}-{j}",
            )
        await Letter.create(
            organization_id=org, resume_id=resume.id, kind="OUTREACH", company=f"o{i}"
        )


async def test_letters_of_a_resumes_page_cost_constant_queries(
    client: TestClient,
) -> None:
    token = (await sign_up(client))["accessToken"]
    other = (await sign_up(client, "eve@example.com", "Eve"))["accessToken"]
    await _add_resumes("eve@example.com", 1, 3)  # another tenant's letters

    await _add_resumes("ada@example.com", 2, 3)
    with count_queries() as small:
        body = await gql(client, RESUMES, token=token)
    assert [e["node"] for e in body["data"]["resumes"]["edges"]] == [
        {
            "title": f"R{i}",
            "coverLetters": {
                "edges": [
                    {"node": {"company": f"{i}-2"}},
                    {"node": {"company": f"{i}-1"}},
                ],
                "pageInfo": {"hasNextPage": True},
            },
            "outreachMessages": {"edges": [{"node": {"company": f"o{i}"}}]},
        }
        for i in (1, 0)
    ]

    await _add_resumes("ada@example.com", 4, 1)
    with count_queries() as large:
        body = await gql(client, RESUMES, token=token)
    nodes = [e["node"] for e in body["data"]["resumes"]["edges"]]
    assert len(nodes) == 6
    assert nodes[0]["coverLetters"] == {
        "edges": [{"node": {"company": "3-0"}}],
        "pageInfo": {"hasNextPage": False},
    }
    assert len(large) == len(small)

    body = await gql(client, RESUMES, token=other)
    [eve] = [e["node"] for e in body["data"]["resumes"]["edges"]]
    assert eve["coverLetters"]["edges"] == [
        {"node": {"company": "0-2"}},
        {"node": {"company": "0-1"}},
    ]


async def test_redis_subscriptions_share_one_connection() -> None:
    """Many subscribers of a process ride one Redis connection; a channel stays
    subscribed on Redis while one local subscriber is left."""
    import asyncio
    import os

    import pytest
    import redis.asyncio as aioredis

    from services.pubsub import RedisPubSub

    url = os.environ.get("TEST_REDIS_URL", "")
    if os.environ.get("TEST_BACKEND") != "postgres" or not url:
        pytest.skip("needs Redis (TEST_BACKEND=postgres)")
    client = aioredis.Redis.from_url(url)
    pubsub = RedisPubSub(client)
    clients_before = len(await client.client_list())
    try:
        async with pubsub.subscribe("bench:a") as first:
            async with (
                pubsub.subscribe("bench:a") as second,
                pubsub.subscribe("bench:b") as third,
            ):
                assert len(await client.client_list()) == clients_before + 1
                await pubsub.publish("bench:a", {"n": 1})
                await pubsub.publish("bench:b", {"n": 2})
                async with asyncio.timeout(5):
                    assert await anext(first) == {"n": 1}
                    assert await anext(second) == {"n": 1}
                    assert await anext(third) == {"n": 2}
            assert await client.pubsub_numsub("bench:a", "bench:b") == [
                (b"bench:a", 1),
                (b"bench:b", 0),
            ]
            await pubsub.publish("bench:a", {"n": 3})
            async with asyncio.timeout(5):
                assert await anext(first) == {"n": 3}
        assert await client.pubsub_numsub("bench:a") == [(b"bench:a", 0)]
    finally:
        await pubsub.close()
        await client.aclose()


# -- the executor's fast path (schema/execution.py) ---------------------------------


@strawberry.enum
class _Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class _Item(relay.Node):
    id: relay.NodeID[int]
    name: str
    note: str | None
    colors: list[_Color]
    maybe: list[int | None] | None
    strict: str  # None at run time below: a non-null violation


@strawberry.type
class _Thing:
    name: str


@strawberry.type
class _Query:
    @strawberry.field
    def items(self) -> list[_Item]:
        broken: Any = None
        return [
            _Item(
                id=1,
                name="a",
                note=None,
                colors=[_Color.RED],
                maybe=[1, None],
                strict="x",
            ),
            _Item(id=2, name="b", note="n", colors=[], maybe=None, strict=broken),
        ]

    @strawberry.field
    def thing(self) -> _Thing:
        return _Thing(name="x")


async def test_the_fast_executor_answers_like_graphql_core() -> None:
    fast = strawberry.Schema(query=_Query, execution_context_class=FastExecutionContext)
    plain = strawberry.Schema(query=_Query)
    for query in (
        "{ items { id name note colors maybe } }",
        "{ items { id name strict } }",  # the error and its path
        "{ items { name n2: name __typename } }",
        "{ items { name @include(if: false) note @skip(if: false) } }",
    ):
        a = await fast.execute(query)
        b = await plain.execute(query)
        assert a.data == b.data, query
        assert [e.formatted for e in a.errors or ()] == [
            e.formatted for e in b.errors or ()
        ], query
    result = await fast.execute("{ items { id strict } }")
    assert result.data is None  # the null propagates to the root, as graphql-core does
    [error] = result.errors or []
    assert error.path == ["items", 1, "strict"]
    assert "Cannot return null for non-nullable field Item.strict" in error.message
    ids = await fast.execute("{ items { id } }")
    assert ids.data == {
        "items": [
            {"id": relay.to_base64("Item", 1)},
            {"id": relay.to_base64("Item", 2)},
        ]
    }


async def test_an_extension_resolve_hook_still_sees_every_field() -> None:
    seen: list[str] = []

    class Spy(SchemaExtension):
        def resolve(
            self,
            _next: Any,
            root: Any,
            info: GraphQLResolveInfo,
            *args: Any,
            **kwargs: Any,
        ) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *args, **kwargs)

    schema = strawberry.Schema(
        query=_Query, extensions=[Spy], execution_context_class=FastExecutionContext
    )
    result = await schema.execute("{ thing { name } }")
    assert result.data == {"thing": {"name": "x"}}
    assert seen == ["thing", "name"]
