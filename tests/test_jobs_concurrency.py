"""Jobs under concurrency on PostgreSQL + Redis: of concurrent transitions exactly
one wins and credits move once; many concurrent jobs keep the total of balances
plus held rewards constant; job events cross processes."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from strawberry import relay

from models.accounts import Organization, User
from models.billing import CreditEntry
from models.jobs import Job
from services import billing
from services.jobs import jobs_channel
from tests.helpers import BACKEND, gql, organization_of, sign_up, wait_subscribed
from tests.support.market import Market, ledger, transition
from tests.support.processes import second_server

pytestmark = pytest.mark.skipif(
    BACKEND != "postgres", reason="races need PostgreSQL (and Redis)"
)
__all__ = ["second_server"]  # the fixture, used by name

ACTIVE = ("HELD", "ACCEPTED", "SUBMITTED")


async def held_total() -> int:
    rows = await Job.filter(status__in=ACTIVE).values_list("reward", flat=True)
    return sum(int(r) for r in rows)  # type: ignore[call-overload]


async def balance_total() -> int:
    return sum(o.credits for o in await Organization.all())


async def test_fifty_concurrent_approvals_pay_once(client: TestClient) -> None:
    m = await Market(client).setup()
    job = (await m.post(reward=9))["job"]
    await m.act("acceptJob", m.bob, job["id"])
    await m.act("submitJob", m.bob, job["id"], content="done")
    answers = await asyncio.gather(
        *(m.act("approveJob", m.ada, job["id"]) for _ in range(50))
    )
    payloads = [a["data"]["approveJob"] for a in answers]
    won = [p for p in payloads if p["job"] is not None]
    lost = [p for p in payloads if p["job"] is None]
    assert len(won) == 1
    assert won[0]["job"]["status"] == "COMPLETED"
    assert {p["userErrors"][0]["code"] for p in lost} == {"INVALID_STATE"}
    assert len(lost) == 49
    assert await ledger(job["id"]) == [("job_hold", -9), ("job_reward", 9)]
    assert (await m.credits(m.ada), await m.credits(m.bob)) == (11, 29)
    history = await gql(
        client,
        "query($id: ID!) { node(id: $id) { ... on Job { history { status } } } }",
        {"id": job["id"]},
        token=m.ada,
    )
    assert [h["status"] for h in history["data"]["node"]["history"]] == [
        "HELD",
        "ACCEPTED",
        "SUBMITTED",
        "COMPLETED",
    ]


async def test_accept_racing_cancel_has_one_winner(client: TestClient) -> None:
    m = await Market(client).setup()
    outcomes = []
    for _ in range(8):
        job = (await m.post(reward=2))["job"]
        accept, cancel = await asyncio.gather(
            m.act("acceptJob", m.bob, job["id"]), m.act("cancelJob", m.ada, job["id"])
        )
        accepted = accept["data"]["acceptJob"]["job"] is not None
        cancelled = cancel["data"]["cancelJob"]["job"] is not None
        assert accepted != cancelled, (accept, cancel)
        loser = cancel if accepted else accept
        name = "cancelJob" if accepted else "acceptJob"
        assert loser["data"][name]["userErrors"][0]["code"] == "INVALID_STATE"
        status = (await Job.get(id=relay.GlobalID.from_id(job["id"]).node_id)).status
        assert status == ("ACCEPTED" if accepted else "CANCELLED")
        expected = [("job_hold", -2)] + ([] if accepted else [("job_refund", 2)])
        assert await ledger(job["id"]) == expected
        outcomes.append(status)
    accepted_count = outcomes.count("ACCEPTED")
    # Ada paid 2 per job still accepted; refunds came back
    assert await m.credits(m.ada) == 20 - 2 * accepted_count
    print(
        f"\naccept vs cancel: {accepted_count} accepted, {8 - accepted_count} cancelled"
    )


async def test_two_hundred_concurrent_jobs_keep_the_total_constant(
    client: TestClient,
) -> None:
    rng = random.Random(11)
    tokens: list[str] = []
    agents: list[str] = []
    create = """
    mutation($input: CreateAgentInput!) { createAgent(input: $input) { agent { id } } }
    """
    for index in range(10):
        auth = await sign_up(client, f"user{index}@example.com", f"User {index}")
        tokens.append(auth["accessToken"])
        body = await gql(
            client,
            create,
            {"input": {"name": f"Agent {index}", "visibility": "PUBLIC"}},
            token=auth["accessToken"],
        )
        agents.append(body["data"]["createAgent"]["agent"]["id"])
    for user in await User.all():
        await billing.change_credits(
            organization_id=user.default_organization_id, delta=80, reason="test_grant"
        )
    total_before = await balance_total() + await held_total()
    assert total_before == 10 * 100

    async def act(name: str, token: str, job_id: str, **fields: Any) -> dict[str, Any]:
        body = await gql(
            client, transition(name), {"input": {"id": job_id, **fields}}, token=token
        )
        return body

    async def life(number: int) -> str:
        poster = rng.randrange(10)
        receiver = (poster + 1 + rng.randrange(9)) % 10
        plan = rng.choice(["approve", "reject", "decline", "cancel", "race", "hold"])
        reward = rng.randint(1, 12)
        body = await gql(
            client,
            """mutation($input: PostJobInput!) {
                 postJob(input: $input) { job { id } userErrors { code } } }""",
            {
                "input": {
                    "title": f"Job {number}",
                    "description": "Resume review",
                    "reward": reward,
                    "agentId": agents[receiver],
                }
            },
            token=tokens[poster],
        )
        payload = body["data"]["postJob"]
        if payload["job"] is None:
            assert payload["userErrors"] == [{"code": "INSUFFICIENT_CREDITS"}]
            return "insufficient"
        job_id = payload["job"]["id"]
        p, r = tokens[poster], tokens[receiver]
        if plan == "hold":
            return "HELD"
        if plan == "decline":
            await act("declineJob", r, job_id)
            return "DECLINED"
        if plan == "cancel":
            await act("cancelJob", p, job_id)
            return "CANCELLED"
        if plan == "race":
            await asyncio.gather(
                act("acceptJob", r, job_id), act("cancelJob", p, job_id)
            )
            return "race"
        await act("acceptJob", r, job_id)
        await act("submitJob", r, job_id, content="work")
        if plan == "approve":
            await asyncio.gather(*(act("approveJob", p, job_id) for _ in range(3)))
            return "COMPLETED"
        await act("rejectJob", p, job_id, reason="no")
        return "REJECTED"

    results = await asyncio.gather(*(life(n) for n in range(200)))
    balances = await balance_total()
    held = await held_total()
    print(
        f"\n200 concurrent jobs between 10 users: balances {balances} + held {held} "
        f"= {balances + held} (before: {total_before}); outcomes "
        + ", ".join(f"{k} {results.count(k)}" for k in sorted(set(results)))
    )
    assert balances + held == total_before
    assert all(o.credits >= 0 for o in await Organization.all())
    # every balance is its ledger
    for org in await Organization.all():
        deltas = await CreditEntry.filter(organization_id=org.id).values_list(
            "delta", flat=True
        )
        assert sum(int(d) for d in deltas) == org.credits  # type: ignore[call-overload]
    # each finished job moved its reward exactly once
    for job in await Job.all():
        moves = [
            entry.reason
            for entry in await CreditEntry.filter(subject=f"job:{job.id}").order_by(
                "id"
            )
        ]
        expected = {
            "COMPLETED": ["job_hold", "job_reward"],
            "HELD": ["job_hold"],
            "ACCEPTED": ["job_hold"],
        }.get(job.status, ["job_hold", "job_refund"])
        assert moves == expected, (job.id, job.status, moves)


async def test_job_events_cross_processes(
    client: TestClient, second_server: str
) -> None:
    m = await Market(client).setup()
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(
            f"{second_server}/graphql", protocols=["graphql-transport-ws"]
        )
        await ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {m.bob}"}}
        )
        assert json.loads((await ws.receive(timeout=10)).data) == {
            "type": "connection_ack"
        }
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {
                    "query": "subscription { jobEvents { status job { title } } }"
                },
            }
        )
        bob = await organization_of("bob@example.com")
        await wait_subscribed(client, jobs_channel(bob), here=False)
        # posted through this (test) process; Bob listens on the other one
        await m.post(title="Cross-process job")
        message = json.loads((await ws.receive(timeout=10)).data)
        assert message["payload"]["data"] == {
            "jobEvents": {"status": "HELD", "job": {"title": "Cross-process job"}}
        }
        await ws.close()
