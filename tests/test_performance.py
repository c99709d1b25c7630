"""Hot read paths keep their query counts: a resumes page with the cover letters
and outreach messages of every resume costs the same number of queries for 2
resumes as for 6 (the letters of all resumes come in one batched query per page
shape), and each resume still gets exactly its own letters, newest first, paged."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

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
